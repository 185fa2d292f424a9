/**
 * Writes infra/k8s's committed YAML from the TypeScript: `pnpm --filter @production-lab/k8s generate`.
 * Stale generated files (a path the layout no longer has) are removed.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { committedFiles } from './committed.js'
import { renderLayout } from './layout.js'
import { PACKAGE_DIR } from './paths.js'

const rendered = renderLayout()
for (const path of committedFiles()) {
  if (!(path in rendered)) {
    rmSync(join(PACKAGE_DIR, path))
    console.log(`removed ${path}`)
  }
}
for (const [path, text] of Object.entries(rendered)) {
  mkdirSync(dirname(join(PACKAGE_DIR, path)), { recursive: true })
  writeFileSync(join(PACKAGE_DIR, path), text)
  console.log(`wrote infra/k8s/${path}`)
}
