/**
 * The curve (curve.ts) against a real HTTP server whose capacity is known: /slow/20 over at
 * most 2 connections serves at most 2 / 0.020 s = 100 req/s (Little's law), so offering 200
 * req/s must be past the knee. Then its page opens in headless Chromium, offline, with every
 * chart drawn, and the knee and Little's bound are computed as documented.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
import {
  analyseCurve,
  type CurveResult,
  type CurveStep,
  curvePage,
  renderChartPage,
  runCurve,
  writeReportFile,
} from '../src/index.js'
import { CHART_PIXELS, launchHeadlessChromium, openOffline, type RenderedChart } from '../src/page-check.js'
import { startTestServer } from './test-server.js'

const SERVICE_MS = 20
const CONNECTIONS = 2
const CAPACITY_RPS = CONNECTIONS / (SERVICE_MS / 1000)

let dir: string
let browser: Browser
let results: CurveResult[]
before(async () => {
  // First: a missing Chromium fails at once, naming the package to install.
  browser = await launchHeadlessChromium()
  dir = await mkdtemp(join(tmpdir(), 'curve-page-'))
  const server = await startTestServer()
  try {
    results = await runCurve({
      targets: [{ name: 'slow route', url: `${server.url}/slow/${SERVICE_MS}` }],
      ratesRps: [20, 50, 2 * CAPACITY_RPS],
      stepDurationMs: 600,
      pauseMs: 100,
      connections: CONNECTIONS,
      timeoutMs: 5000,
    })
  } finally {
    await server.close()
  }
})
after(async () => {
  await browser?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('lab curve', () => {
  it('finds the knee where the server stops keeping up, and the bound Little gives', () => {
    const [result] = results
    assert.ok(result)
    const last = result.steps.at(-1) as CurveStep
    assert.ok(
      last.achievedRps <= CAPACITY_RPS * 1.1,
      `at most ${CAPACITY_RPS} req/s can be served over ${CONNECTIONS} connections: ${last.achievedRps}`,
    )
    assert.ok(result.kneeRps !== null && result.kneeRps <= 2 * CAPACITY_RPS, `knee at ${result.kneeRps}`)
    // Latency counts from the intended send time: the queue in the generator shows.
    assert.ok(last.latencyMs.p99 > 4 * SERVICE_MS, `p99 ${last.latencyMs.p99} ms at twice the capacity`)
    assert.ok(
      result.littleBoundRps !== null && result.littleBoundRps <= CAPACITY_RPS * 1.05,
      `Little's bound ${result.littleBoundRps} req/s`,
    )
  })

  it('analyses a curve: the first step that falls behind or triples its p50 is the knee', () => {
    const step = (offeredRps: number, achievedRps: number, p50: number): CurveStep => ({
      offeredRps,
      achievedRps,
      requests: offeredRps,
      served: achievedRps,
      errors: {},
      errorPercent: 0,
      latencyMs: { mean: p50, p50, p95: p50, p99: p50, max: p50 },
      servedLatencyMs: { p50, p95: p50, p99: p50, max: p50 },
      inFlightMean: 0,
    })
    assert.deepEqual(analyseCurve([step(100, 100, 5), step(200, 199, 6), step(400, 300, 50)], 10), {
      kneeRps: 400,
      littleBoundRps: 2000,
    })
    assert.equal(analyseCurve([step(100, 100, 5), step(200, 200, 16)], 10).kneeRps, 200)
    assert.equal(analyseCurve([step(100, 100, 5), step(200, 200, 6)], 10).kneeRps, null)
  })

  it('draws every chart offline in headless Chromium, with the table', async () => {
    const htmlPath = join(dir, 'curve.html')
    await writeReportFile(htmlPath, renderChartPage(curvePage(results, 'curve-page.test.ts <b>x</b>')))
    const page = await openOffline(browser, htmlPath)
    const charts = (await page.evaluate(CHART_PIXELS)) as RenderedChart[]
    assert.deepEqual(
      charts.map((c) => c.id),
      ['slow-route-latency', 'slow-route-throughput'],
    )
    for (const chart of charts) {
      assert.ok(chart.points >= 3, `${chart.id} has its points`)
      assert.ok(
        chart.coloredPixels > 50,
        `${chart.id} drew its series (${chart.coloredPixels} coloured pixels)`,
      )
    }
    assert.equal(await page.locator('table.data tbody tr').count(), 3, 'one table row per step')
    assert.match((await page.locator('p.meta').textContent()) ?? '', /<b>x<\/b>/, 'text is escaped')
    if (process.env.CURVE_SCREENSHOT)
      await page.screenshot({ path: process.env.CURVE_SCREENSHOT, fullPage: true })
    await page.close()
  })
})
