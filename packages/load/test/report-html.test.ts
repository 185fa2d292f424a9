/**
 * Renders a report from real recorded runs and opens it in headless Chromium (Debian's
 * `chromium` package, driven by playwright-core; no browser download): every chart
 * must have data points and must have drawn them in its series colours.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import {
  CHROMIUM_MISSING,
  CHROMIUM_PATH,
  launchHeadlessChromium,
  REPORT_RENDERED_SELECTOR,
} from '../src/headless-chromium.js'
import {
  describeJsonResponse,
  type LoadRun,
  type ReportDocument,
  renderHtmlReport,
  renderJsonReport,
  runLoad,
  startLoad,
  toReportRun,
  writeReportFile,
} from '../src/index.js'
import { startTestServer } from './test-server.js'

interface RenderedChart {
  id: string
  kind: string
  points: number
  coloredPixels: number
}

/**
 * Runs in the page (a string, so this Node test needs no DOM types): for each chart listed
 * by the report script, its data point count and how many canvas pixels carry one of its
 * series colours.
 */
const CHART_PIXELS = `window.__reportCharts.map((chart) => {
  const canvas = document.querySelector('#' + chart.id + ' canvas')
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
  const targets = chart.colors.map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)))
  let coloredPixels = 0
  for (let i = 0; i < pixels.length; i += 4) {
    if (pixels[i + 3] < 200) continue
    const r = pixels[i], g = pixels[i + 1], b = pixels[i + 2]
    if (targets.some(([tr, tg, tb]) => Math.abs(r - tr) + Math.abs(g - tg) + Math.abs(b - tb) < 30)) coloredPixels++
  }
  return { id: chart.id, kind: chart.kind, points: chart.points, coloredPixels }
})`

/** A run whose server answers 503s and 502s, then goes away: every class shows on the timeline. */
async function shutdownLikeRun(): Promise<LoadRun> {
  const server = await startTestServer()
  const handle = startLoad({
    name: 'reads while the server shuts down',
    url: `${server.url}/replica`,
    rate: 200,
    durationMs: 1200,
    timeoutMs: 1000,
    describe: describeJsonResponse,
    customize: (i) => (i >= 80 && i < 110 ? { path: i % 2 ? '/status/503' : '/status/502' } : {}),
  })
  setTimeout(() => {
    handle.mark('server closed')
    void server.close()
  }, 700)
  return handle.done
}

let dir: string
let browser: Browser
let runs: LoadRun[]
before(async () => {
  assert.ok(existsSync(CHROMIUM_PATH), CHROMIUM_MISSING)
  dir = await mkdtemp(join(tmpdir(), 'h3-report-'))
  const server = await startTestServer()
  try {
    const split = await runLoad({
      name: '400 reads at concurrency 4',
      url: `${server.url}/replica`,
      connections: 4,
      requests: 400,
      describe: describeJsonResponse,
    })
    runs = [split, await shutdownLikeRun()]
  } finally {
    await server.close()
  }
  browser = await launchHeadlessChromium()
})
after(async () => {
  await browser?.close()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('HTML report in headless Chromium', () => {
  it('renders every chart with data, offline', async () => {
    const [split, shutdown] = runs
    assert.ok(split && shutdown)
    assert.ok(
      (shutdown.summary.outcomes.conn_refused ?? 0) > 0 &&
        (shutdown.summary.outcomes.http_503 ?? 0) > 0 &&
        (shutdown.summary.outcomes.served ?? 0) > 0,
      `the recorded run has several classes: ${JSON.stringify(shutdown.summary.outcomes)}`,
    )
    const report: ReportDocument = {
      title: 'Report test',
      generatedAt: new Date().toISOString(),
      command: 'report-html.test.ts',
      passed: false,
      sections: [
        {
          id: 'T4',
          title: 'split',
          passed: true,
          checks: [{ name: '20 reads 15/5', passed: true, expected: '15 / 5', actual: '15 / 5' }],
          runs: [toReportRun(split)],
        },
        {
          id: 'T2',
          title: 'shutdown </script><b>escaped</b>',
          passed: false,
          checks: [{ name: 'zero lost', passed: false, expected: '0 lost', actual: '3 lost <i>' }],
          runs: [toReportRun(shutdown)],
        },
      ],
    }
    const htmlPath = join(dir, 'report.html')
    await writeReportFile(htmlPath, renderHtmlReport(report))
    await writeReportFile(join(dir, 'report.json'), renderJsonReport(report))

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
    const failedRequests: string[] = []
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) failedRequests.push(request.url())
    })
    const pageErrors: string[] = []
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(pathToFileURL(htmlPath).href)
    await page.waitForSelector(REPORT_RENDERED_SELECTOR, { timeout: 10_000 })
    assert.deepEqual(pageErrors, [])
    assert.deepEqual(failedRequests, [], 'the report loads nothing from the network')

    const charts = (await page.evaluate(CHART_PIXELS)) as RenderedChart[]
    const kinds = (section: string) => charts.filter((c) => c.id.startsWith(section)).map((c) => c.kind)
    assert.deepEqual(kinds('s0-'), ['latency', 'throughput', 'split', 'timeline'])
    assert.deepEqual(kinds('s1-'), ['latency', 'throughput', 'split', 'timeline'])
    for (const chart of charts) {
      assert.ok(chart.points > 0, `${chart.id} has data points`)
      assert.ok(
        chart.coloredPixels > 50,
        `${chart.id} drew its series (${chart.coloredPixels} coloured pixels)`,
      )
    }
    const timeline = charts.find((c) => c.id === 's1-r0-timeline')
    assert.equal(timeline?.points, shutdown.records.length, 'the timeline has one point per request')

    // The page shows the checklist, and user text is escaped rather than interpreted.
    assert.equal(await page.locator('tr.fail td.badge').textContent(), 'FAIL')
    assert.match((await page.locator('#section-1 h2').textContent()) ?? '', /<\/script><b>escaped<\/b>/)
    if (process.env.REPORT_SCREENSHOT)
      await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true })
    await page.close()
  })
})
