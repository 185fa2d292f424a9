/**
 * The docs' generated tables are what the code says: each block between its markers in
 * docs/reference/*.md equals what `pnpm docs:generate` would write now (as the dashboards'
 * drift test does for grafana/dashboards/*.json).
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { absolute, BLOCKS } from '../src/blocks.js'
import { REGENERATE_COMMAND, readBlock, renderBlock } from '../src/markers.js'

for (const block of BLOCKS) {
  test(`${block.file} (${block.name}) is up to date with the code`, async () => {
    const committed = readBlock(readFileSync(absolute(block.file), 'utf8'), block.name, block.file)
    const generated = renderBlock(block.name, await block.render())
    if (committed === generated) return
    const committedLines = committed.split('\n')
    const generatedLines = generated.split('\n')
    const at = generatedLines.findIndex((line, i) => line !== committedLines[i])
    assert.fail(
      `${block.file}'s generated block "${block.name}" differs from the code: run \`${REGENERATE_COMMAND}\` and commit the result.\n` +
        `first difference, line ${at + 1} of the block:\n  docs:  ${committedLines[at] ?? '(missing)'}\n  code:  ${generatedLines[at] ?? '(missing)'}`,
    )
  })
}
