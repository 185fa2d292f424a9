/** Writes a run's JSON and HTML reports, by default to <state dir>/reports/<kind>-<time>.{json,html}. */
import { join, relative, resolve } from 'node:path'
import {
  type ReportDocument,
  renderHtmlReport,
  renderJsonReport,
  reportTimestamp,
  writeReportFile,
} from '@production-lab/load'
import { stateRoot } from '@production-lab/stack'

export interface ReportPaths {
  json: string
  html: string
}

function reportBase(kind: 'test' | 'load' | 'curve', stamp: string): string {
  return join(stateRoot(), 'reports', `${kind}-${stamp}`)
}

export function defaultReportPaths(kind: 'test' | 'load' | 'curve', now = new Date()): ReportPaths {
  const base = reportBase(kind, reportTimestamp(now))
  return { json: `${base}.json`, html: `${base}.html` }
}

/** The --json and --html options of a verb that writes reports, with their defaults. */
export function reportOptions(kind: 'test' | 'load') {
  const base = relative(process.cwd(), reportBase(kind, '<time>'))
  return {
    json: { type: 'string', arg: 'FILE', help: 'write the JSON report there', default: `${base}.json` },
    html: { type: 'string', arg: 'FILE', help: 'write the HTML report there', default: `${base}.html` },
  } as const
}

export async function writeReports(
  document: ReportDocument,
  kind: 'test' | 'load',
  chosen: { json?: string; html?: string },
): Promise<ReportPaths> {
  const defaults = defaultReportPaths(kind)
  const paths = { json: resolve(chosen.json ?? defaults.json), html: resolve(chosen.html ?? defaults.html) }
  await writeReportFile(paths.json, renderJsonReport(document))
  await writeReportFile(paths.html, renderHtmlReport(document))
  return paths
}

/** "Reports: .lab/reports/x.html (open it in a browser; works offline) and .lab/reports/x.json" */
export function describeReports(paths: ReportPaths): string {
  const shown = (path: string) => relative(process.cwd(), path) || path
  return `Reports: ${shown(paths.html)} (open it in a browser; it works offline) and ${shown(paths.json)}`
}

/** The command line as the user typed it, for the report's header. */
export function commandLine(verb: string, argv: string[]): string {
  return [
    'lab',
    verb,
    ...argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)),
  ].join(' ')
}
