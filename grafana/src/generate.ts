/**
 * Writes grafana/dashboards/*.json from the TypeScript definitions:
 * `pnpm --filter @production-lab/grafana generate`. The JSON is committed (Grafana's
 * provisioning reads it); a test fails when it differs from what this writes.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { DASHBOARDS, dashboardJson } from './dashboards.js'
import { DASHBOARDS_DIR } from './paths.js'

mkdirSync(DASHBOARDS_DIR, { recursive: true })
for (const { file, build } of DASHBOARDS) {
  const path = join(DASHBOARDS_DIR, file)
  writeFileSync(path, dashboardJson(build))
  console.log(`wrote ${path}`)
}
