/**
 * The script inside the HTML report (plain browser JavaScript, run offline): it reads
 * the embedded report data and draws every chart with uPlot. Each chart is also listed
 * in `window.__reportCharts` with its data point count and series colours, which the
 * headless-browser test reads to check the charts really drew data.
 */
import { DOM_HELPERS_SCRIPT } from './html-assets.js'
import { OUTCOME_LABELS } from './outcome.js'

/** One colour per outcome class; distinct from each other and from the axes' greys. */
export const OUTCOME_COLORS = {
  served: '#2ca02c',
  http_4xx: '#8c564b',
  http_502: '#d62728',
  http_503: '#ff7f0e',
  http_504: '#9467bd',
  http_5xx: '#e377c2',
  conn_refused: '#1f77b4',
  conn_reset: '#17becf',
  timeout: '#bcbd22',
  error: '#6a0dad',
} as const

export const PERCENTILE_COLORS = { p50: '#1f77b4', p95: '#ff7f0e', p99: '#d62728' } as const
export const SPLIT_COLOR = '#3b6fb6'
export const EVENT_COLOR = '#555555'

export const REPORT_CLIENT_SCRIPT = `
(function () {
  'use strict'
  var data = JSON.parse(document.getElementById('report-data').textContent)
  var OUTCOME_COLORS = ${JSON.stringify(OUTCOME_COLORS)}
  var OUTCOME_LABELS = ${JSON.stringify(OUTCOME_LABELS)}
  var PERCENTILE_COLORS = ${JSON.stringify(PERCENTILE_COLORS)}
  var SPLIT_COLOR = ${JSON.stringify(SPLIT_COLOR)}
  var EVENT_COLOR = ${JSON.stringify(EVENT_COLOR)}
  var WIDTH = 620
  var HEIGHT = 240
  var charts = []
  window.__reportCharts = charts

${DOM_HELPERS_SCRIPT}  function ms(v) {
    if (v === null || v === undefined) return '-'
    if (v >= 1000) return (v / 1000).toFixed(2) + ' s'
    if (v >= 100) return v.toFixed(0) + ' ms'
    return v.toFixed(v >= 10 ? 1 : 2) + ' ms'
  }
  function pct(v) { return v.toFixed(v === 0 || v >= 10 ? 1 : 2) + '%' }

  // Vertical lines at the run's events (SIGTERM sent, process gone...), labelled at the top.
  function eventsPlugin(events) {
    return {
      hooks: {
        draw: [function (u) {
          var ctx = u.ctx
          ctx.save()
          ctx.strokeStyle = EVENT_COLOR
          ctx.fillStyle = EVENT_COLOR
          ctx.setLineDash([5, 4])
          ctx.lineWidth = 1
          ctx.font = '11px sans-serif'
          events.forEach(function (e, i) {
            var x = u.valToPos(e.atMs / 1000, 'x', true)
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return
            ctx.beginPath()
            ctx.moveTo(x, u.bbox.top)
            ctx.lineTo(x, u.bbox.top + u.bbox.height)
            ctx.stroke()
            ctx.fillText(e.label, x + 3, u.bbox.top + 12 + (i % 3) * 13)
          })
          ctx.restore()
        }],
      },
    }
  }

  function addChart(container, id, kind, title, opts, columns, colors) {
    var box = el('div', { class: 'chart', id: id, 'data-kind': kind })
    box.append(text('h4', title))
    container.append(box)
    opts.width = WIDTH
    opts.height = HEIGHT
    var plot = new uPlot(opts, columns, box)
    var points = 0
    for (var s = 1; s < columns.length; s++) {
      columns[s].forEach(function (v) { if (v !== null && v !== undefined) points++ })
    }
    box.setAttribute('data-points', String(points))
    charts.push({ id: id, kind: kind, title: title, points: points, colors: colors })
    return plot
  }

  function latencyChart(container, id, run) {
    var s = run.series
    addChart(container, id + '-latency', 'latency', 'Latency percentiles over time (ms)', {
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since start' }, { label: 'ms' }],
      series: [{ label: 's' },
        { label: 'p50', stroke: PERCENTILE_COLORS.p50, width: 2 },
        { label: 'p95', stroke: PERCENTILE_COLORS.p95, width: 2 },
        { label: 'p99', stroke: PERCENTILE_COLORS.p99, width: 2 }],
      plugins: [eventsPlugin(run.events)],
    }, [s.t, s.p50, s.p95, s.p99], [PERCENTILE_COLORS.p50, PERCENTILE_COLORS.p95, PERCENTILE_COLORS.p99])
  }

  function throughputChart(container, id, run) {
    var s = run.series
    var series = [{ label: 's' }, { label: 'served req/s', stroke: OUTCOME_COLORS.served, width: 2 }]
    var columns = [s.t, s.servedRps]
    var colors = [OUTCOME_COLORS.served]
    Object.keys(s.errorRps).forEach(function (cls) {
      series.push({ label: OUTCOME_LABELS[cls] + ' /s', stroke: OUTCOME_COLORS[cls], width: 2 })
      columns.push(s.errorRps[cls])
      colors.push(OUTCOME_COLORS[cls])
    })
    addChart(container, id + '-throughput', 'throughput', 'Throughput and errors over time (req/s)', {
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since start' }, { label: 'req/s' }],
      series: series,
      plugins: [eventsPlugin(run.events)],
    }, columns, colors)
  }

  function splitChart(container, id, run) {
    var labels = Object.keys(run.summary.labels).sort()
    if (labels.length === 0) return
    var xs = labels.map(function (_, i) { return i })
    var counts = labels.map(function (l) { return run.summary.labels[l] })
    var total = counts.reduce(function (a, b) { return a + b }, 0)
    addChart(container, id + '-split', 'split', 'Replica split (served requests)', {
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: [0, Math.max.apply(null, counts) * 1.15] } },
      axes: [{
        splits: function () { return xs },
        values: function (_, splits) {
          return splits.map(function (i) {
            var n = run.summary.labels[labels[i]]
            return labels[i] === undefined ? '' : labels[i] + ' ' + n + ' (' + pct((n * 100) / total) + ')'
          })
        },
      }, { label: 'requests' }],
      series: [{ label: 'replica' },
        { label: 'requests', fill: SPLIT_COLOR, stroke: SPLIT_COLOR, paths: uPlot.paths.bars({ size: [0.5, 120] }), points: { show: false } }],
      legend: { show: false },
    }, [xs, counts], [SPLIT_COLOR])
  }

  function timelineChart(container, id, run) {
    var tl = run.timeline
    if (tl.startS.length === 0) return
    var classes = Object.keys(OUTCOME_COLORS).filter(function (c) { return tl.outcome.indexOf(c) >= 0 })
    var columns = [tl.startS]
    var series = [{ label: 's' }]
    var colors = []
    classes.forEach(function (cls) {
      columns.push(tl.latencyMs.map(function (v, i) { return tl.outcome[i] === cls ? v : null }))
      series.push({
        label: OUTCOME_LABELS[cls],
        stroke: OUTCOME_COLORS[cls],
        fill: OUTCOME_COLORS[cls],
        paths: function () { return null },
        points: { show: true, size: 5, width: 1, stroke: OUTCOME_COLORS[cls], fill: OUTCOME_COLORS[cls] },
      })
      colors.push(OUTCOME_COLORS[cls])
    })
    var sampled = tl.total > tl.startS.length ? ' (' + tl.startS.length + ' of ' + tl.total + ' sampled)' : ''
    addChart(container, id + '-timeline', 'timeline', 'Every request by outcome: latency against start time' + sampled, {
      scales: { x: { time: false } },
      axes: [{ label: 'request sent at (s since start)' }, { label: 'ms' }],
      series: series,
      cursor: { drag: { x: true, y: true } },
      plugins: [eventsPlugin(run.events)],
    }, columns, colors)
  }

  function summaryTable(run) {
    var s = run.summary
    var l = s.latencyMs
    var errors = Object.keys(s.outcomes).filter(function (c) { return c !== 'served' })
      .map(function (c) { return OUTCOME_LABELS[c] + ' ' + s.outcomes[c] }).join(', ')
    var rows = [
      ['load', run.method + ' ' + run.url + ' - ' + (run.model === 'open' ? 'open model, ' + run.rate + ' req/s' : 'closed model, ' + run.connections + ' connections')],
      ['requests', s.requests + ' in ' + ms(s.durationMs) + ' (' + s.throughputRps.toFixed(1) + ' req/s)'],
      ['latency', 'p50 ' + ms(l.p50) + ', p90 ' + ms(l.p90) + ', p95 ' + ms(l.p95) + ', p99 ' + ms(l.p99) + ', max ' + ms(l.max)],
      ['errors', pct(s.errorPercent) + (errors ? ' (' + errors + ')' : '')],
    ]
    if (s.retried > 0) rows.push(['retries', (s.attempts - s.requests) + ' (' + s.retried + ' requests retried)'])
    var table = el('table', { class: 'summary' })
    rows.forEach(function (r) { table.append(el('tr', {}, [text('th', r[0]), text('td', r[1])])) })
    return table
  }

  function checksTable(checks) {
    var table = el('table', { class: 'checks' })
    table.append(el('tr', {}, [text('th', ''), text('th', 'check'), text('th', 'expected'), text('th', 'measured')]))
    checks.forEach(function (c) {
      table.append(el('tr', { class: c.passed ? 'pass' : 'fail' }, [
        text('td', c.passed ? 'PASS' : 'FAIL', { class: 'badge' }), text('td', c.name), text('td', c.expected), text('td', c.actual)]))
    })
    return table
  }

  var main = document.getElementById('report')
  data.sections.forEach(function (section, si) {
    var box = el('section', { id: 'section-' + si })
    var badge = section.passed === undefined ? '' : section.passed ? 'PASS ' : 'FAIL '
    box.append(text('h2', badge + section.id + ' ' + section.title, { class: section.passed === undefined ? 'neutral' : section.passed ? 'pass' : 'fail' }))
    if (section.error) box.append(text('p', 'Stopped early: ' + section.error, { class: 'error' }))
    if (section.checks.length > 0) box.append(checksTable(section.checks))
    section.runs.forEach(function (run, ri) {
      var id = 's' + si + '-r' + ri
      box.append(text('h3', run.name))
      box.append(summaryTable(run))
      var grid = el('div', { class: 'charts' })
      box.append(grid)
      latencyChart(grid, id, run)
      throughputChart(grid, id, run)
      splitChart(grid, id, run)
      timelineChart(grid, id, run)
    })
    main.append(box)
  })
  document.body.setAttribute('data-rendered', 'true')
})()
`
