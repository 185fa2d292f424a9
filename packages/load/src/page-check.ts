/**
 * For the tests of the offline HTML pages (the run report, the curve, the benchmark's):
 * headless Chromium (Debian's `chromium` package, driven by playwright-core, a dev
 * dependency of the packages whose tests use it; no browser download) and the in-page check
 * that every chart drew. A subpath export (`@production-lab/load/page-check`), never loaded
 * by the CLI.
 */
import assert from 'node:assert/strict'
import { pathToFileURL } from 'node:url'
import type { Browser, Page } from 'playwright-core'

/** Debian's chromium with its offline flags: one launcher, in headless-chromium.ts. */
export { launchHeadlessChromium } from './headless-chromium.js'

export interface RenderedChart {
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
export const CHART_PIXELS = `window.__reportCharts.map((chart) => {
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

/**
 * Opens `htmlPath` from disk and waits until its script marked the body rendered; asserts
 * that it threw nothing and asked the network for nothing.
 */
export async function openOffline(browser: Browser, htmlPath: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  const network: string[] = []
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) network.push(request.url())
  })
  const pageErrors: string[] = []
  page.on('pageerror', (error) => pageErrors.push(error.message))
  await page.goto(pathToFileURL(htmlPath).href)
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 10_000 })
  assert.deepEqual(pageErrors, [])
  assert.deepEqual(network, [], 'the page loads nothing from the network')
  return page
}
