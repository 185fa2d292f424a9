/**
 * The headless Chromium the lab's browser checks use: Debian's `chromium` package driven by
 * playwright-core (no browser download), with the flags that keep it offline and quiet. One
 * definition for the report's test and the docs' screenshots (`pnpm docs:screenshots`).
 * A subpath export (`@production-lab/load/headless-chromium`), so the load generator's
 * users never load playwright-core.
 */
import { existsSync } from 'node:fs'
import type { Browser } from 'playwright-core'

export const CHROMIUM_PATH = '/usr/bin/chromium'

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const

/** The error when Chromium is missing: names the package to install. */
export const CHROMIUM_MISSING = `${CHROMIUM_PATH} is missing: install Debian's chromium (apt-get install -y --no-install-recommends chromium)`

export async function launchHeadlessChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(CHROMIUM_MISSING)
  const { chromium } = await import('playwright-core')
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true })
}

/** Resolves once a report page opened in Chromium has drawn all its charts. */
export const REPORT_RENDERED_SELECTOR = 'body[data-rendered="true"]'
