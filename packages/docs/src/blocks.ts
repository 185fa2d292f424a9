/**
 * Every generated block of the docs: which file, which block, and how to render it. Adding a
 * table is one entry here and one pair of markers in the Markdown.
 */
import { join } from 'node:path'
import { REPO_ROOT } from '@production-lab/stack'
import { configBlocks } from './config-tables.js'
import { errorTable } from './error-table.js'
import { metricTable } from './metric-table.js'
import { templateTable } from './template-table.js'

export interface GeneratedBlock {
  /** repo-relative Markdown file */
  file: string
  name: string
  render(): string | Promise<string>
}

const CONFIGURATION = 'docs/reference/configuration.md'

export const BLOCKS: readonly GeneratedBlock[] = [
  ...Object.entries(configBlocks).map(([name, render]) => ({ file: CONFIGURATION, name, render })),
  { file: 'docs/reference/errors.md', name: 'errors', render: errorTable },
  { file: 'docs/reference/metrics.md', name: 'metrics', render: metricTable },
  { file: 'docs/reference/templates.md', name: 'templates', render: templateTable },
]

export const absolute = (file: string) => join(REPO_ROOT, file)
