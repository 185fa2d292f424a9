/**
 * B1, beyond the guide (its improvement 6): a circuit breaker around the writer's storage.
 * With every storage call failing, writes fail, the breaker opens and then answers fast
 * 503 DEPENDENCY_UNAVAILABLE with Retry-After while readiness reports 503; once the
 * dependency is back and the reset timeout has passed, a half-open trial call succeeds
 * and the breaker closes.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { type DescribeResponse, formatMs, runLoad, summarizeLatencies } from '@production-lab/load'
import { metricValue } from '@production-lab/stack'
import { clearFaults, lbUrl, serviceUrl, setFaults, WRITER_NAME } from './arrange.js'
import { scrape } from './metrics.js'
import type { ScenarioContext } from './types.js'
import { waitFor } from './wait.js'

const B1 = {
  /** the writer's breaker around its storage dependency */
  breaker: 'storage',
  /** writes sent while storage fails: more than the breaker's volume threshold (10 by default) */
  failingWrites: 30,
  /**
   * milliseconds: the median answer of an open circuit stays under one write's 50 ms of
   * storage work (the median, so one scheduling hiccup on a shared machine does not count)
   */
  fastFailMs: 50,
  /** milliseconds: the longest the breaker may take to allow a trial after the reset timeout */
  recoveryTimeoutMs: 30_000,
}

/** Marks answers from an open circuit (its message says so) and whether Retry-After came with them. */
const describeBreakerAnswer: DescribeResponse = ({ body, headers }) => {
  try {
    const parsed = JSON.parse(body) as { error?: string; message?: string; service?: string }
    if (!parsed.error) return parsed.service ? { label: parsed.service } : {}
    const open = parsed.message?.includes('circuit open') ? ' circuit-open' : ''
    const retryAfter = headers['retry-after'] === undefined ? '' : ` retry-after=${headers['retry-after']}`
    return { detail: `${parsed.error}${open}${retryAfter}` }
  } catch {
    return {}
  }
}

async function breakerState(context: ScenarioContext): Promise<{ state: string; halfOpenEvents: number }> {
  const text = await scrape(context.http, serviceUrl(context, WRITER_NAME))
  const state =
    ['closed', 'half_open', 'open'].find(
      (s) => metricValue(text, 'circuit_breaker_state', { breaker: B1.breaker, state: s }) === 1,
    ) ?? 'unknown'
  return {
    state,
    halfOpenEvents:
      metricValue(text, 'circuit_breaker_events_total', { breaker: B1.breaker, event: 'half_open' }) ?? 0,
  }
}

/** B1: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function b1Breaker(context: ScenarioContext): Promise<void> {
  const before = await breakerState(context)
  context.progress('failing every storage call of the writer')
  await setFaults(context, WRITER_NAME, { dependencyFailureRate: 1 })
  const failing = await runLoad({
    name: `${B1.failingWrites} POST /write while storage fails`,
    url: lbUrl(context, '/write'),
    method: 'POST',
    requests: B1.failingWrites,
    describe: describeBreakerAnswer,
  })
  context.record(failing)
  const details = failing.records.map((r) => r.detail ?? String(r.status))
  const firstOpen = details.findIndex((d) => d.includes('circuit-open'))
  const beforeOpen = firstOpen < 0 ? failing.records : failing.records.slice(0, firstOpen)
  const openAnswers = firstOpen < 0 ? [] : failing.records.slice(firstOpen)
  const openMedianMs = summarizeLatencies(openAnswers.map((r) => r.latencyMs)).p50
  const openWithRetryAfter = openAnswers.filter(
    (r) => r.status === 503 && r.detail?.startsWith('DEPENDENCY_UNAVAILABLE circuit-open retry-after='),
  )
  context.check({
    name: 'B1 failing storage: writes fail, then the breaker opens and fails fast with 503 + Retry-After',
    passed:
      beforeOpen.length > 0 &&
      beforeOpen.every((r) => r.status === 503 && r.detail?.startsWith('DEPENDENCY_UNAVAILABLE')) &&
      openAnswers.length > 0 &&
      openWithRetryAfter.length === openAnswers.length &&
      openMedianMs < B1.fastFailMs,
    expected: `503 DEPENDENCY_UNAVAILABLE while the breaker counts failures, then every answer "circuit open" with Retry-After, median under ${B1.fastFailMs} ms (no storage work)`,
    actual:
      firstOpen < 0
        ? `the breaker never opened in ${B1.failingWrites} writes: ${[...new Set(details)].join(', ')}`
        : `${beforeOpen.length} failures before it opened, then ${openAnswers.length} circuit-open 503s (${openWithRetryAfter.length} with Retry-After), median ${formatMs(openMedianMs)}`,
    numbers: { failuresBeforeOpen: beforeOpen.length, openAnswers: openAnswers.length, openMedianMs },
  })

  const ready = await context.http.call(`${serviceUrl(context, WRITER_NAME)}/health/ready`)
  const open = await breakerState(context)
  context.check({
    name: 'B1 readiness reports 503 while the breaker is open',
    passed: ready.status === 503 && ready.text.includes(B1.breaker) && open.state === 'open',
    expected: `GET /health/ready 503 naming "${B1.breaker}"; circuit_breaker_state{state="open"} 1`,
    actual: `/health/ready ${ready.status} ${ready.text.trim()}; breaker state ${open.state}`,
  })

  context.progress('storage back: waiting for the half-open trial')
  await clearFaults(context, WRITER_NAME)
  const recoverStarted = performance.now()
  let attempts = 0
  let recovered = false
  let lastDetail = ''
  try {
    await waitFor(
      'a write to succeed after the reset timeout',
      async () => {
        attempts++
        const write = await context.http.call(lbUrl(context, '/write'), { method: 'POST', body: {} })
        lastDetail = `${write.status} ${write.text.slice(0, 120)}`
        if (write.status === 200) return true
        const retryAfterS = Number(write.headers['retry-after'] ?? 1)
        await sleep(Math.min(Math.max(retryAfterS, 0.2), 5) * 1000, undefined, { signal: context.signal })
        return undefined
      },
      { timeoutMs: B1.recoveryTimeoutMs, intervalMs: 50, signal: context.signal, seen: () => lastDetail },
    )
    recovered = true
  } catch (error) {
    lastDetail = (error as Error).message
  }
  const recoveryMs = performance.now() - recoverStarted
  const after = await breakerState(context)
  const readyAfter = await context.http.call(`${serviceUrl(context, WRITER_NAME)}/health/ready`)
  context.check({
    name: 'B1 recovery through half-open: the trial write succeeds and the breaker closes',
    passed:
      recovered &&
      after.state === 'closed' &&
      after.halfOpenEvents > open.halfOpenEvents &&
      readyAfter.status === 200,
    expected:
      'after the reset timeout one trial call goes through (half_open event), succeeds, the breaker closes and readiness is 200',
    actual: recovered
      ? `write served ${formatMs(recoveryMs)} after the fault was cleared (${attempts} tries); half_open events ${before.halfOpenEvents} -> ${after.halfOpenEvents}; breaker ${after.state}; /health/ready ${readyAfter.status}`
      : `no recovery: ${lastDetail}`,
    numbers: { recoveryMs: Math.round(recoveryMs), tries: attempts },
  })
}
