/**
 * Every relative link in README.md and docs/**\/*.md points at an existing file, and at an
 * existing heading when it has an anchor; and the checker itself catches both kinds of break.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { REPO_ROOT } from '@production-lab/stack'
import { checkLinks, docFiles, slugOf } from '../src/links.js'

test('every relative link in README.md and docs/ resolves, anchors included', () => {
  const files = docFiles(REPO_ROOT)
  assert.ok(files.length > 10, `found only ${files.join(', ')}`)
  const broken = checkLinks(REPO_ROOT, files)
  assert.deepEqual(
    broken.map((b) => `${b.file}:${b.line}: (${b.target}) ${b.problem}`),
    [],
    'broken links (fix the link or the heading it names)',
  )
})

test('the checker reports a missing file and a missing heading, and ignores code and URLs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'docs-links-'))
  try {
    writeFileSync(join(dir, 'other.md'), '# Other page\n\n## The `lab` verbs: ps, stop\n')
    writeFileSync(
      join(dir, 'page.md'),
      [
        '# Page',
        '[ok](other.md#the-lab-verbs-ps-stop) [self](#page) [web](https://example.com/x.md)',
        '[gone](missing.md) [bad anchor](other.md#nope)',
        '`[in code](nowhere.md)`',
        '```',
        '[in a fence](nowhere.md)',
        '```',
      ].join('\n'),
    )
    const broken = checkLinks(dir, ['page.md'])
    assert.deepEqual(
      broken.map((b) => [b.line, b.target]),
      [
        [3, 'missing.md'],
        [3, 'other.md#nope'],
      ],
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  assert.equal(
    slugOf("The guide's docker commands: `pnpm lab <verb>`"),
    'the-guides-docker-commands-pnpm-lab-verb',
  )
})
