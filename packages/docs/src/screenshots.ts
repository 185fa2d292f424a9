/**
 * `pnpm docs:screenshots`: photographs the pages of screenshot-pages.ts with the tests' own
 * headless Chromium into docs/images/. Pages that need a run make one (the lab report: a
 * native stack on LAB_PORT_OFFSET, default 600, started and stopped by `lab test
 * --start-stack`); `--from NAME=FILE` photographs an existing file instead, `--only NAME` one page.
 */
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { launchHeadlessChromium } from '@production-lab/load/headless-chromium'
import { REPO_ROOT } from '@production-lab/stack'
import { SCREENSHOT_PAGES, SCREENSHOT_PORT_OFFSET } from './screenshot-pages.js'

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    from: { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  },
})
if (values.help) {
  console.log(`pnpm docs:screenshots [--only NAME]... [--from NAME=FILE]...
Pages: ${SCREENSHOT_PAGES.map((p) => `${p.name} (${p.image}: ${p.title})`).join('; ')}
LAB_PORT_OFFSET: the native stack a page's run uses (default ${SCREENSHOT_PORT_OFFSET}).`)
  process.exit(0)
}
const known = new Set(SCREENSHOT_PAGES.map((p) => p.name))
const from = new Map(
  (values.from ?? []).map((pair) => {
    const [name = '', file = ''] = pair.split('=', 2)
    return [name, file] as const
  }),
)
for (const name of [...(values.only ?? []), ...from.keys()])
  if (!known.has(name)) {
    console.error(`unknown page ${JSON.stringify(name)}: known pages are ${[...known].join(', ')}`)
    process.exit(2)
  }
const portOffset = Number(process.env.LAB_PORT_OFFSET ?? SCREENSHOT_PORT_OFFSET)
const pages = SCREENSHOT_PAGES.filter((p) => !values.only || values.only.includes(p.name))

const browser = await launchHeadlessChromium()
try {
  for (const page of pages) {
    const file = await page.produce({ from, portOffset })
    const tab = await browser.newPage({ viewport: page.viewport })
    await tab.goto(pathToFileURL(file).href)
    await tab.waitForSelector(page.readySelector, { timeout: 30_000 })
    const image = join(REPO_ROOT, page.image)
    mkdirSync(dirname(image), { recursive: true })
    if (page.element) await tab.locator(page.element).screenshot({ path: image })
    else await tab.screenshot({ path: image })
    await tab.close()
    console.log(`wrote ${page.image} (${page.title}) from ${file}`)
  }
} finally {
  await browser.close()
}
