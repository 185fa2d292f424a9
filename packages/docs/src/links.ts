/**
 * The relative-link checker: every `[text](target)` and `![alt](target)` in the given Markdown
 * files that is not a URL must name an existing file, and its `#anchor`, when the target is
 * Markdown, one of that file's headings (GitHub's slugs). Links inside code are not links.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

export interface BrokenLink {
  file: string
  line: number
  target: string
  problem: string
}

/** GitHub's heading anchor: lower case, punctuation dropped (not - or _), spaces to hyphens. */
export function slugOf(heading: string): string {
  return heading
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-')
}

/**
 * The lines outside fenced code blocks, numbered from 1: as written, and with inline code
 * spans blanked (a link inside code is not a link; a heading keeps its code's text).
 */
function proseLines(markdown: string): [number, string, string][] {
  const lines: [number, string, string][] = []
  let fence: string | undefined
  markdown.split('\n').forEach((line, i) => {
    const opener = /^\s*(```+|~~~+)/.exec(line)?.[1]
    if (opener && (fence === undefined || opener.startsWith(fence))) {
      fence = fence === undefined ? opener : undefined
      return
    }
    if (fence === undefined) lines.push([i + 1, line.replace(/(`+)[^`]*?\1/g, ''), line])
  })
  return lines
}

export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>()
  const counts = new Map<string, number>()
  for (const [, , line] of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading === undefined) continue
    const slug = slugOf(heading)
    const seen = counts.get(slug) ?? 0
    counts.set(slug, seen + 1)
    anchors.add(seen === 0 ? slug : `${slug}-${seen}`)
  }
  for (const [, line] of proseLines(markdown))
    for (const m of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1] as string)
  return anchors
}

const LINK = /!?\[(?:[^\]]|\][^(])*?\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i

/** Reads headings of Markdown files once per check run. */
function anchorReader() {
  const cache = new Map<string, Set<string>>()
  return (path: string) => {
    let anchors = cache.get(path)
    if (!anchors) {
      anchors = anchorsOf(readFileSync(path, 'utf8'))
      cache.set(path, anchors)
    }
    return anchors
  }
}

export function checkLinks(root: string, files: readonly string[]): BrokenLink[] {
  const broken: BrokenLink[] = []
  const anchors = anchorReader()
  for (const file of files) {
    const path = join(root, file)
    for (const [line, text] of proseLines(readFileSync(path, 'utf8'))) {
      for (const match of text.matchAll(LINK)) {
        const target = match[1] as string
        if (EXTERNAL.test(target)) continue
        const [pathPart = '', anchor] = target.split('#', 2)
        const targetPath = pathPart === '' ? path : resolve(dirname(path), decodeURIComponent(pathPart))
        const report = (problem: string) => broken.push({ file, line, target, problem })
        if (!existsSync(targetPath)) {
          report(`no such file ${relative(root, targetPath)}`)
          continue
        }
        if (anchor === undefined || anchor === '') continue
        if (statSync(targetPath).isDirectory() || !targetPath.endsWith('.md')) continue
        if (!anchors(targetPath).has(anchor))
          report(`${relative(root, targetPath)} has no heading #${anchor}`)
      }
    }
  }
  return broken
}

/** README.md and every Markdown file under docs/, repo-relative. */
export function docFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = join(dir, entry.name)
      if (entry.isDirectory()) return walk(rel)
      return entry.name.endsWith('.md') ? [rel] : []
    })
  return ['README.md', ...walk('docs')]
}
