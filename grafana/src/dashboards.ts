/** Every dashboard, with the file it is generated into (grafana/dashboards/<file>). */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'
import { loadBalancerDashboard } from './load-balancer-dashboard.js'
import { overviewDashboard } from './overview-dashboard.js'
import { resilienceDashboard } from './resilience-dashboard.js'
import { saturationDashboard } from './saturation-dashboard.js'

export interface DashboardFile {
  file: string
  build: () => dashboard.Dashboard
}

/** Grafana keys a panel's links and state by its id; the SDK leaves ids unset (rows get 0). */
function withPanelIds(build: () => dashboard.Dashboard): () => dashboard.Dashboard {
  return () => {
    const built = build()
    built.panels = (built.panels ?? []).map((panel, index) => ({ ...panel, id: index + 1 }))
    return built
  }
}

export const DASHBOARDS: DashboardFile[] = [
  { file: 'overview.json', build: withPanelIds(overviewDashboard) },
  { file: 'saturation.json', build: withPanelIds(saturationDashboard) },
  { file: 'load-balancer.json', build: withPanelIds(loadBalancerDashboard) },
  { file: 'resilience.json', build: withPanelIds(resilienceDashboard) },
]

/** The JSON Grafana loads: stable formatting, so the committed files diff cleanly. */
export function dashboardJson(build: () => dashboard.Dashboard): string {
  return `${JSON.stringify(build(), null, 2)}\n`
}
