export { type BackoffPolicy, backoffCapMs, backoffDelayMs } from './backoff.js'
export {
  type ChartPageDocument,
  type ChartPageSection,
  type ChartSeries,
  type ChartSpec,
  renderChartPage,
  type TableSpec,
} from './chart-page.js'
export {
  analyseCurve,
  type CurveOptions,
  type CurveResult,
  type CurveStep,
  type CurveTarget,
  curveDefaults,
  curvePage,
  curveSection,
  formatCurveStep,
  runCurve,
  summariseStep,
} from './curve.js'
export { loadDefaults } from './defaults.js'
export {
  formatErrors,
  formatMs,
  formatPercent,
  formatProgress,
  formatSplit,
  formatSummary,
  formatSummaryLine,
} from './format.js'
export { LatencyHistogram, type LatencySummary, summarizeLatencies } from './latency-histogram.js'
export {
  type DescribeResponse,
  type LoadHandle,
  type LoadOptions,
  LoadOptionsError,
  type LoadProgress,
  type LoadRun,
  type RequestSpec,
  type ResponseView,
  type RetryOptions,
} from './load-options.js'
export {
  classifyError,
  classifyStatus,
  DEFAULT_RETRY_ON,
  describeError,
  OUTCOME_CLASSES,
  OUTCOME_LABELS,
  type OutcomeClass,
} from './outcome.js'
export { type ProgressReporter, progressReporter } from './progress.js'
export type { RequestRecord, RunEvent } from './record.js'
export {
  type ReportCheck,
  type ReportDocument,
  type ReportRun,
  type ReportSection,
  type ReportTimeline,
  renderJsonReport,
  reportTimestamp,
  toReportRun,
  writeReportFile,
} from './report.js'
export { OUTCOME_COLORS, PERCENTILE_COLORS, SPLIT_COLOR } from './report-client.js'
export { renderHtmlReport } from './report-html.js'
export { describeJsonResponse, runLoad, startLoad } from './runner.js'
export { bucketWidthMs, buildSeries, type TimeSeries } from './series.js'
export { type LoadSummary, summarize } from './summary.js'
export { formatMarkdownTable, formatTable } from './table.js'
export { checkLoadTarget, LoadTargetError } from './target-guard.js'
