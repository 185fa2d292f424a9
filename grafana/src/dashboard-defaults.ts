/** What every lab dashboard shares: tags, time range, refresh, shared crosshair. */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard'

/** A lab test lasts minutes: 15 minutes shows a whole run, refreshed at the scrape interval. */
export function labDashboard(uid: string, title: string, description: string): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['production-lab'])
    .editable()
    .time({ from: 'now-15m', to: 'now' })
    .refresh('5s')
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
}
