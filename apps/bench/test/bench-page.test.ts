/**
 * The benchmark's HTML page (bench-page.ts) opened from disk in headless Chromium, as the
 * lab report's test does: every chart has its points and drew them, nothing is fetched from
 * the network, and the text report is on the page.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type CurveStep, renderChartPage, writeReportFile } from '@production-lab/load'
import {
  CHART_PIXELS,
  launchHeadlessChromium,
  openOffline,
  type RenderedChart,
} from '@production-lab/load/page-check'
import type { Browser } from 'playwright-core'
import { benchPage } from '../src/bench-page.js'
import { type GrowthPoint, growthPlan } from '../src/growth.js'
import type { BenchReport, LayerRow } from '../src/report.js'
import { summarise } from '../src/rounds.js'

const row = (id: string, rps: number[]): LayerRow => ({
  ...summarise(
    id,
    rps.map((value, i) => ({
      rps: value,
      p50Ms: 5 + i,
      p99Ms: 20 + i,
      ok: value,
      failed: 0,
      errors: 0,
      bytesPerResponse: 200,
      serverCpuUsPerRequest: 1e6 / value,
    })),
  ),
  label: id,
  routeDelayMs: 0,
})

const step = (offeredRps: number, achievedRps: number, p50: number): CurveStep => ({
  offeredRps,
  achievedRps,
  requests: offeredRps,
  served: achievedRps,
  errors: {},
  errorPercent: 0,
  latencyMs: { mean: p50, p50, p95: 2 * p50, p99: 3 * p50, max: 4 * p50 },
  servedLatencyMs: { p50, p95: 2 * p50, p99: 3 * p50, max: 4 * p50 },
  inFlightMean: 1,
})

/** Both sweeps of the quick plan's shape, made up: rps flattening and the machine bound from 50 clients. */
const growth: GrowthPoint[] = growthPlan({
  growthConnections: [1, 50, 400],
  growthResponseBytes: [0, 4096, 65_536],
}).map((point) => {
  const rps =
    point.sweep === 'concurrency'
      ? Math.min(200 * point.connections, 5000)
      : 5000 / (1 + point.requestedBytes / 16_384)
  const busy = point.connections >= 50 ? 0.95 : 0.3
  return {
    ...summarise(`${point.target}-${point.connections}-${point.requestedBytes}`, [
      {
        rps,
        p50Ms: 5,
        p99Ms: 5 + point.connections / 10,
        ok: rps,
        failed: 0,
        errors: 0,
        bytesPerResponse: 250 + point.requestedBytes,
        serverCpuUsPerRequest: 100 + point.requestedBytes / 100,
        machineBusyShare: busy,
      },
    ]),
    ...point,
    machineBound: busy >= 0.9,
  }
})

const report = {
  startedAt: '2026-01-01T00:00:00.000Z',
  quick: true,
  machine: { cpus: 2, cpuModel: 'test', node: 'v24', loadAverage1m: { start: 1, end: 1 } },
  layers: [
    row('bare', [4000, 4200, 3900]),
    row('lifecycle', [3500, 3600, 3400]),
    row('peer', [3000, 3100, 2900]),
  ],
  growth,
} as unknown as BenchReport

let dir: string
let browser: Browser
before(async () => {
  // First: a missing Chromium fails at once, naming the package to install.
  browser = await launchHeadlessChromium()
  dir = await mkdtemp(join(tmpdir(), 'bench-page-'))
})
after(async () => {
  await browser?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('the benchmark HTML page', () => {
  it('draws rps and CPU per round, latency per round, the curve and the growth sweeps, offline', async () => {
    const curve = {
      target: { name: '/read through nginx', url: 'http://127.0.0.1:1/read' },
      connections: 256,
      stepDurationMs: 1000,
      steps: [step(100, 100, 5), step(400, 398, 6), step(1600, 900, 80)],
      kneeRps: 1600,
      littleBoundRps: 51_200,
    }
    const htmlPath = join(dir, 'bench.html')
    await writeReportFile(htmlPath, renderChartPage(benchPage(report, [curve], '| a | text | table |')))
    const page = await openOffline(browser, htmlPath)
    const charts = (await page.evaluate(CHART_PIXELS)) as RenderedChart[]
    assert.deepEqual(
      charts.map((c) => c.id),
      [
        'rps',
        'cpu',
        'latency-p50',
        'latency-p99',
        'read-through-nginx-latency',
        'read-through-nginx-throughput',
        'growth-rps',
        'growth-p99',
        'growth-size-cpu',
        'growth-size-rps',
      ],
    )
    for (const chart of charts) {
      assert.ok(chart.points >= 3, `${chart.id} has its points (${chart.points})`)
      assert.ok(
        chart.coloredPixels > 50,
        `${chart.id} drew its series (${chart.coloredPixels} coloured pixels)`,
      )
    }
    assert.equal(await page.locator('pre').textContent(), '| a | text | table |')
    // The growth tables carry the machine-bound marks: 50 and 400 clients on 3 targets, all 6 size points.
    const bound = await page.locator('section:has(#growth-rps) td', { hasText: /^MACHINE$/ }).count()
    assert.equal(bound, 12)
    if (process.env.BENCH_PAGE_SCREENSHOT)
      await page.screenshot({ path: process.env.BENCH_PAGE_SCREENSHOT, fullPage: true })
    await page.close()
  })
})
