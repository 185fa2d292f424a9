/** The committed dashboards JSON is exactly what the TypeScript generates. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { DASHBOARDS, dashboardJson } from '../src/dashboards.js'
import { DASHBOARDS_DIR } from '../src/paths.js'

for (const { file, build } of DASHBOARDS) {
  test(`grafana/dashboards/${file} is up to date with grafana/src`, () => {
    const committed = readFileSync(join(DASHBOARDS_DIR, file), 'utf8')
    assert.ok(
      committed === dashboardJson(build),
      `grafana/dashboards/${file} differs from what grafana/src generates: run \`pnpm --filter @production-lab/grafana generate\` and commit the result`,
    )
  })
}

test('every dashboard has a unique uid and title, and every panel a query on the lab datasource', () => {
  const uids = new Set<string>()
  for (const { build } of DASHBOARDS) {
    const dashboard = build()
    assert.ok(dashboard.uid && !uids.has(dashboard.uid), `duplicate or missing uid ${dashboard.uid}`)
    uids.add(dashboard.uid)
    for (const panel of dashboard.panels ?? []) {
      if (panel.type === 'row') continue
      const targets =
        (panel as { targets?: Array<{ expr?: string; datasource?: { uid?: string } }> }).targets ?? []
      assert.ok(targets.length > 0, `${dashboard.title} > ${panel.title} has no query`)
      for (const target of targets) {
        assert.ok(target.expr, `${dashboard.title} > ${panel.title} has an empty query`)
        assert.equal(target.datasource?.uid, 'lab-prometheus', `${dashboard.title} > ${panel.title}`)
      }
    }
  }
})
