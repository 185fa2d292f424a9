/**
 * A self-contained HTML page of x/y charts and tables (data, uPlot and its CSS inlined; it
 * opens from disk with no network), for results that are not a load run over time: the
 * latency/throughput curve (`lab curve`) and the benchmark's report. Charts register in
 * `window.__reportCharts` as the run report's do, so one headless-Chromium check covers both.
 */
import { DOM_HELPERS_SCRIPT, embedJson, escapeHtml, loadUplot } from './html-assets.js'
import { REPORT_STYLE } from './report-html.js'

export interface ChartSeries {
  label: string
  /** one value per x; null leaves a gap */
  values: Array<number | null>
  /** #rrggbb */
  color: string
  /** dashed line (bounds and references rather than measurements) */
  dashed?: boolean
  /** points only, no line (per-round samples) */
  pointsOnly?: boolean
}

export interface ChartSpec {
  /** unique in the page: [a-z0-9-] */
  id: string
  title: string
  xLabel: string
  yLabel: string
  x: number[]
  series: ChartSeries[]
  /** vertical marks at x values (the knee), labelled */
  marks?: Array<{ x: number; label: string }>
  /** logarithmic axes (concurrency 1..400, sizes 1 KiB..64 KiB) */
  logX?: boolean
  logY?: boolean
}

export interface TableSpec {
  title: string
  headers: string[]
  rows: string[][]
}

export interface ChartPageSection {
  title: string
  /** one paragraph under the title */
  text?: string
  /** preformatted text (a terminal report's tables) after the charts and tables */
  pre?: string
  charts: ChartSpec[]
  tables: TableSpec[]
}

export interface ChartPageDocument {
  title: string
  /** a line under the title: the command, when, where */
  meta: string
  sections: ChartPageSection[]
}

const MARK_COLOR = '#555555'

const CHART_PAGE_SCRIPT = `
(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('page-data').textContent)
  var charts = []
  window.__reportCharts = charts
${DOM_HELPERS_SCRIPT}  function marksPlugin(marks) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx
      ctx.save()
      ctx.strokeStyle = ${JSON.stringify(MARK_COLOR)}
      ctx.fillStyle = ${JSON.stringify(MARK_COLOR)}
      ctx.setLineDash([5, 4])
      ctx.font = '11px sans-serif'
      marks.forEach(function (m, i) {
        var x = u.valToPos(m.x, 'x', true)
        if (!isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) return
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke()
        ctx.fillText(m.label, x + 3, u.bbox.top + 12 + (i % 3) * 13)
      })
      ctx.restore()
    }] } }
  }
  function chart(container, spec) {
    var box = el('div', { class: 'chart', id: spec.id, 'data-kind': 'xy' })
    box.append(text('h4', spec.title))
    container.append(box)
    var series = [{ label: spec.xLabel }]
    var columns = [spec.x]
    var points = 0
    spec.series.forEach(function (s) {
      series.push({
        label: s.label, stroke: s.color, width: 2,
        dash: s.dashed ? [6, 4] : undefined,
        paths: s.pointsOnly ? function () { return null } : undefined,
        points: { show: true, size: s.pointsOnly ? 7 : 5, stroke: s.color, fill: s.color },
      })
      columns.push(s.values)
      if (!s.dashed) s.values.forEach(function (v) { if (v !== null && v !== undefined) points++ })
    })
    new uPlot({
      width: 620, height: 260,
      scales: { x: { time: false, distr: spec.logX ? 3 : 1 }, y: { distr: spec.logY ? 3 : 1 } },
      axes: [{ label: spec.xLabel }, { label: spec.yLabel }],
      series: series,
      plugins: [marksPlugin(spec.marks || [])],
    }, columns, box)
    box.setAttribute('data-points', String(points))
    charts.push({ id: spec.id, kind: 'xy', title: spec.title, points: points,
      colors: spec.series.filter(function (s) { return !s.dashed }).map(function (s) { return s.color }) })
  }
  function table(container, spec) {
    container.append(text('h3', spec.title))
    var head = el('tr', {}, spec.headers.map(function (h) { return text('th', h) }))
    var rows = spec.rows.map(function (r) { return el('tr', {}, r.map(function (c) { return text('td', c) })) })
    container.append(el('table', { class: 'data' }, [el('thead', {}, [head]), el('tbody', {}, rows)]))
  }
  var main = document.getElementById('page')
  data.sections.forEach(function (section) {
    var box = el('section')
    box.append(text('h2', section.title))
    if (section.text) box.append(text('p', section.text))
    var chartsBox = el('div', { class: 'charts' })
    box.append(chartsBox)
    section.charts.forEach(function (spec) { chart(chartsBox, spec) })
    section.tables.forEach(function (spec) { table(box, spec) })
    if (section.pre) box.append(text('pre', section.pre))
    main.append(box)
  })
  document.body.setAttribute('data-rendered', 'true')
})()
`

export function renderChartPage(document: ChartPageDocument): string {
  const uplot = loadUplot()
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(document.title)}</title>
<style>${uplot.css}</style>
<style>${REPORT_STYLE}</style>
</head>
<body>
<h1>${escapeHtml(document.title)}</h1>
<p class="meta">${escapeHtml(document.meta)}</p>
<main id="page"></main>
<script type="application/json" id="page-data">${embedJson(document)}</script>
<script>${uplot.script}</script>
<script>${CHART_PAGE_SCRIPT}</script>
</body>
</html>
`
}
