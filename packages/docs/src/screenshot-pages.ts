/**
 * The pages `pnpm docs:screenshots` photographs into docs/images/. Adding one (a benchmark
 * chart page, say) is one more entry in SCREENSHOT_PAGES: where the PNG goes, how to get the
 * page (a file to open, produced by a real run when needed) and when it is ready.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { REPORT_RENDERED_SELECTOR } from '@production-lab/load/headless-chromium'
import { REPO_ROOT } from '@production-lab/stack'

export interface ScreenshotOptions {
  /** an existing file to photograph instead of producing the page (per page name) */
  from: Map<string, string>
  /** LAB_PORT_OFFSET for pages that run a native stack */
  portOffset: number
}

export interface ScreenshotPage {
  /** what `--only` and `--from NAME=FILE` call it */
  name: string
  /** repo-relative PNG */
  image: string
  /** one line on what it shows */
  title: string
  viewport: { width: number; height: number }
  /** the page's HTML file: produced, or the one given with --from */
  produce(options: ScreenshotOptions): Promise<string>
  /** present once the page is drawn */
  readySelector: string
  /** photograph only this element (a section of a longer page); default: the viewport */
  element?: string
}

/** The default stack for screenshots: ports +600, free of the test command's offsets (0, 200, 500, 1000). */
export const SCREENSHOT_PORT_OFFSET = 600

/** Runs `lab test <ids> --start-stack` on a fresh native stack and returns its HTML report. */
async function labReport(ids: string[], portOffset: number): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'docs-lab-report-'))
  const html = join(dir, 'report.html')
  const json = join(dir, 'report.json')
  const args = ['apps/lab/dist/cli.js', 'test', ...ids, '--start-stack', '--html', html, '--json', json]
  console.error(`running: LAB_PORT_OFFSET=${portOffset} node ${args.join(' ')}`)
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, LAB_PORT_OFFSET: String(portOffset) },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    child.once('error', fail)
    child.once('exit', done)
  })
  if (!existsSync(html)) throw new Error(`lab test exited with ${code} and wrote no report (${html})`)
  const { passed } = JSON.parse(readFileSync(json, 'utf8')) as { passed: boolean }
  if (!passed)
    throw new Error(
      `lab test ${ids.join(' ')} had failed checks (exit ${code}): not putting a failing run in the docs; see ${html}`,
    )
  return html
}

/**
 * A page an earlier run wrote: the one given with --from, else the newest match in `dir`, else
 * an error naming the command that writes it (a benchmark takes minutes: not run from here).
 */
function written(
  from: Map<string, string>,
  name: string,
  dir: string,
  match: RegExp,
  command: string,
): string {
  const given = from.get(name)
  if (given) return resolve(given)
  const found = existsSync(join(REPO_ROOT, dir))
    ? readdirSync(join(REPO_ROOT, dir))
        .filter((file) => match.test(file))
        .sort()
        .reverse()
    : []
  if (found[0]) return join(REPO_ROOT, dir, found[0])
  throw new Error(`no ${name} page in ${dir}: run \`${command}\` first, or give --from ${name}=FILE`)
}

export const SCREENSHOT_PAGES: readonly ScreenshotPage[] = [
  {
    name: 'lab-report',
    image: 'docs/images/lab-report.png',
    title: "the lab's HTML report of T2 (graceful shutdown under 40 writes/s)",
    viewport: { width: 1280, height: 1600 },
    produce: async ({ from, portOffset }) => {
      const given = from.get('lab-report')
      return given ? resolve(given) : labReport(['T2'], portOffset)
    },
    readySelector: REPORT_RENDERED_SELECTOR,
  },
  {
    name: 'bench-page',
    image: 'docs/images/bench-page.png',
    title: "the benchmark's HTML page (rps and CPU per request per round, latency, the curve)",
    viewport: { width: 1280, height: 1600 },
    produce: async ({ from }) => written(from, 'bench-page', '.lab/bench', /^latest\.html$/, 'pnpm bench'),
    readySelector: REPORT_RENDERED_SELECTOR,
  },
  {
    name: 'growth-page',
    image: 'docs/images/growth-page.png',
    title:
      "the benchmark page's growth section (rps and p99 against clients, CPU per request and rps against response size)",
    viewport: { width: 1280, height: 1600 },
    produce: async ({ from }) =>
      written(
        from,
        'growth-page',
        '.lab/bench',
        /^latest\.html$/,
        'pnpm bench (or pnpm bench --only growth)',
      ),
    readySelector: REPORT_RENDERED_SELECTOR,
    element: 'section:has(#growth-rps)',
  },
  {
    name: 'curve-page',
    image: 'docs/images/curve-page.png',
    title: "lab curve's page: latency and throughput against offered load, the knee, Little's law",
    viewport: { width: 1280, height: 1400 },
    produce: async ({ from }) =>
      written(from, 'curve-page', '.lab/reports', /^curve-.*\.html$/, 'pnpm lab curve'),
    readySelector: REPORT_RENDERED_SELECTOR,
  },
]
