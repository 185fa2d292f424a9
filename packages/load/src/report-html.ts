/**
 * The HTML run report: one self-contained file (data, uPlot and its CSS inlined) that
 * opens offline in any browser.
 */
import { embedJson, escapeHtml, loadUplot } from './html-assets.js'
import type { ReportDocument } from './report.js'
import { REPORT_CLIENT_SCRIPT } from './report-client.js'

export const REPORT_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { margin-bottom: 0.2rem; }
.meta { color: #666; margin-top: 0; }
h2.pass { color: #1a7f37; } h2.fail { color: #c62828; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
table.summary th { background: #f6f6f6; width: 6rem; }
tr.pass .badge { color: #1a7f37; font-weight: bold; } tr.fail .badge { color: #c62828; font-weight: bold; }
tr.fail { background: #fff3f3; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.chart h4 { margin: 0.2rem 0; font-weight: 600; }
p.error { color: #c62828; }
`

export function renderHtmlReport(document: ReportDocument): string {
  const uplot = loadUplot()
  const verdict = document.passed === undefined ? '' : document.passed ? ' - PASSED' : ' - FAILED'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(document.title + verdict)}</title>
<style>${uplot.css}</style>
<style>${REPORT_STYLE}</style>
</head>
<body>
<h1>${escapeHtml(document.title + verdict)}</h1>
<p class="meta">${escapeHtml(`${document.command} - generated ${document.generatedAt}`)}</p>
<main id="report"></main>
<script type="application/json" id="report-data">${embedJson(document)}</script>
<script>${uplot.script}</script>
<script>${REPORT_CLIENT_SCRIPT}</script>
</body>
</html>
`
}
