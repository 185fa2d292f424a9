/**
 * `pnpm docs:generate`: writes every generated block (config, errors, metrics) into its
 * Markdown file between its markers. The drift test (test/generated-docs.test.ts) fails when
 * a committed block differs from what this writes.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { absolute, BLOCKS } from './blocks.js'
import { replaceBlock } from './markers.js'

for (const block of BLOCKS) {
  const path = absolute(block.file)
  const before = readFileSync(path, 'utf8')
  const after = replaceBlock(before, block.name, await block.render(), block.file)
  if (after !== before) writeFileSync(path, after)
  console.log(`${after === before ? 'unchanged' : 'wrote    '} ${block.file} (${block.name})`)
}
