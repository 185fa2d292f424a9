/**
 * Renders a report from real recorded runs and opens it in headless Chromium (Debian's
 * `chromium` package, driven by playwright-core; no browser download): every chart
 * must have data points and must have drawn them in its series colours.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import type { Browser } from 'playwright-core'
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
import { CHART_PIXELS, launchHeadlessChromium, openOffline, type RenderedChart } from '../src/page-check.js'
import { startTestServer } from './test-server.js'

/**
 * A run whose server answers 503s and 502s, then goes away: every class shows on the timeline.
 * One request at a time, and the server closes when request 140 is about to be sent, so every
 * earlier request has its answer: nothing depends on the machine's pace. (On a timer, or with
 * an open model, a starved machine sent the 503/502 requests late, in a burst, and the close
 * cut them off as resets: run21, run26.)
 */
async function shutdownLikeRun(): Promise<LoadRun> {
  const server = await startTestServer()
  const closeAtRequest = 140
  let closed = false
  const handle = startLoad({
    name: 'reads while the server shuts down',
    // 5 ms per answer: the run takes over a second, so the timeline has time to show it
    url: `${server.url}/replica?waitMs=5`,
    requests: 240,
    connections: 1,
    timeoutMs: 1000,
    describe: describeJsonResponse,
    customize: (i) => {
      if (i >= closeAtRequest && !closed) {
        closed = true
        handle.mark('server closed')
        void server.close()
      }
      return i >= 80 && i < 110 ? { path: i % 2 ? '/status/503' : '/status/502' } : {}
    },
  })
  return handle.done
}

let dir: string
let browser: Browser
let runs: LoadRun[]
before(async () => {
  // First: a missing Chromium fails at once, naming the package to install.
  browser = await launchHeadlessChromium()
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

    const page = await openOffline(browser, htmlPath)

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
