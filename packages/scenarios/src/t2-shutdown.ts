/**
 * T2, the guide's graceful shutdown, measured under steady load through the load balancer:
 * - writer: SIGTERM app_slow while POST /write arrives at a steady rate and its log is
 *   followed. The two log lines come the shutdown delay apart; requests in flight finish;
 *   requests during the drain get 503; once the process is gone nginx answers 502; started
 *   again, it serves; the writes answered 200 are exactly the new rows of its database. Every
 *   request is classified on the report's timeline.
 * - reader: SIGTERM app_fast_1 under steady GET /read load: no client request fails,
 *   because nginx retries 502/503/refused reads on the other replica.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describeRunState, type ProcessStatus } from '@production-lab/control'
import { formatMs, type LoadRun, OUTCOME_LABELS, type RequestRecord } from '@production-lab/load'
import { READERS, stackTimings } from '@production-lab/stack'
import {
  clearFaults,
  ensureStarted,
  lbForgetsGoneMs,
  lbReadRetry,
  lbUrl,
  setFaults,
  WRITER_NAME,
  waitHealthy,
} from './arrange.js'
import { followRotation } from './lb-rotation.js'
import { failuresText, runNumbers, splitText, startedBetween, underLoad } from './measure.js'
import { resetRetries } from './reset-retries.js'
import { followServiceLog, SHUTDOWN_COMPLETE_LINE, SHUTDOWN_STARTED_LINE } from './service-logs.js'
import { writerShutdownWindows } from './shutdown-windows.js'
import type { ScenarioContext } from './types.js'
import { waitFor } from './wait.js'
import { storedWrites } from './writer-data.js'

const T2 = {
  /** milliseconds nginx_lb may take to put the restarted writer back (compose: its follower) */
  backInRotationBoundMs: 15_000,
  /** requests per second of the steady load (open model) */
  writeRate: 40,
  readRate: 100,
  /** sockets the reads may use at most: ample for 100 reads/s of a few ms, and the reset bound's factor */
  readConnections: 16,
  /** nginx reloads the reader's SIGTERM and start cause: out of rotation, back in once ready */
  readerReloads: 2,
  /** milliseconds of load before the SIGTERM, and after each change before the next step */
  settleMs: 1000,
  /** milliseconds of load while the service is gone, so 502s (or retries) are observed */
  goneMs: 1500,
  /**
   * milliseconds around each boundary (SIGTERM, end of drain, restart) where a request may
   * fall on either side: network and nginx take a few ms, the machine is shared.
   */
  boundaryMs: 150,
  /** seconds: the guide's GRACEFUL_SHUTDOWN_DELAY_S when the service's env does not say */
  defaultDelayS: stackTimings.gracefulShutdownDelayS,
  /** seconds the log lines may lag the delay: in-flight requests finish, the server closes */
  gapToleranceS: 1.5,
  /** milliseconds: upper bound on every load here */
  maxLoadMs: 90_000,
  /**
   * milliseconds every write waits (the writer's latency fault) in the window before the
   * SIGTERM, so requests are surely in flight across it: a write takes about 50 ms, so
   * without it the set of writes started over boundaryMs before the signal and still running
   * is almost always empty, and 2.1 would prove nothing.
   */
  inFlightLatencyMs: 600,
  /** milliseconds of slow writes before the SIGTERM: longer than inFlightLatencyMs, so the window is full */
  inFlightWindowMs: 800,
}

function countBy(records: RequestRecord[]): string {
  const counts = new Map<string, number>()
  for (const r of records)
    counts.set(OUTCOME_LABELS[r.outcome], (counts.get(OUTCOME_LABELS[r.outcome]) ?? 0) + 1)
  return counts.size === 0 ? 'no requests' : [...counts].map(([label, n]) => `${label} x${n}`).join(', ')
}

async function waitGone(context: ScenarioContext, name: string, timeoutMs: number): Promise<void> {
  let last: ProcessStatus | undefined
  await waitFor(
    `${name} to exit after SIGTERM`,
    async () => {
      last = await context.target.processStatus(name)
      return last.state === 'exited' || last.state === 'stopped' ? true : undefined
    },
    {
      timeoutMs,
      intervalMs: 100,
      signal: context.signal,
      seen: () => last && `${name} ${describeRunState(last)}`,
    },
  )
}

async function gracefulDelayS(context: ScenarioContext, name: string): Promise<number> {
  const raw = (await context.target.inspect(name)).env.GRACEFUL_SHUTDOWN_DELAY_S
  const value = raw === undefined ? Number.NaN : Number(raw)
  return Number.isFinite(value) ? value : T2.defaultDelayS
}

async function writerShutdown(context: ScenarioContext): Promise<void> {
  const delayS = await gracefulDelayS(context, WRITER_NAME)
  const storedBefore = await storedWrites(context)
  const log = followServiceLog(context, WRITER_NAME)
  const moments = { sigterm: 0, gone: 0, start: 0, healthy: 0, inRotation: 0 }
  const writeKeyPrefix = `t2-${randomUUID()}`
  const writerRotation = context.target.kind === 'compose' ? followRotation(context, WRITER_NAME) : undefined
  let run: LoadRun
  try {
    run = await underLoad(
      context,
      {
        name: `POST /write at ${T2.writeRate}/s through a SIGTERM of ${WRITER_NAME}`,
        url: lbUrl(context, '/write'),
        method: 'POST',
        rate: T2.writeRate,
        durationMs: T2.maxLoadMs,
        // Each write carries its own Idempotency-Key, so the one retry a connection reset gets
        // is safe: nginx's reload when the writer leaves or comes back (compose) closes idle
        // keep-alive connections, and a write sent on one at that instant was reset unread
        // (run15: 1 write, at the reload putting app_slow back). A retried write that had
        // been stored is answered from the store, never written twice (2.3 counts the rows).
        customize: (i) => ({ headers: { 'idempotency-key': `${writeKeyPrefix}-${i}` } }),
        retry: lbReadRetry(context),
      },
      async (load) => {
        await sleep(T2.settleMs)
        // The fault lives in the writer's memory: the SIGTERM ends it, the restart starts clean.
        await setFaults(context, WRITER_NAME, { latencyMs: T2.inFlightLatencyMs })
        load.mark(`writes ${T2.inFlightLatencyMs} ms slower`, Date.now())
        await sleep(T2.inFlightWindowMs)
        context.progress(
          `SIGTERM ${WRITER_NAME} under ${T2.writeRate} writes/s, each held ${T2.inFlightLatencyMs} ms`,
        )
        moments.sigterm = Date.now()
        load.mark(`SIGTERM ${WRITER_NAME}`, moments.sigterm)
        await context.target.kill(WRITER_NAME, 'SIGTERM').catch(async (error: unknown) => {
          await clearFaults(context, WRITER_NAME).catch(() => undefined)
          throw error
        })
        await waitGone(context, WRITER_NAME, (delayS + 30) * 1000)
        moments.gone = Date.now()
        load.mark(`${WRITER_NAME} exited`, moments.gone)
        await sleep(lbForgetsGoneMs(context) + T2.goneMs)
        context.progress(`starting ${WRITER_NAME}`)
        moments.start = Date.now()
        load.mark(`start ${WRITER_NAME}`, moments.start)
        await ensureStarted(context, WRITER_NAME)
        await waitHealthy(context, [WRITER_NAME])
        moments.healthy = Date.now()
        load.mark(`${WRITER_NAME} healthy`, moments.healthy)
        // In compose nginx_lb marked the gone writer `down`; it is back once the follower saw it
        // ready and reloaded (natively the writer is never marked down: nginx tries it at once).
        if (writerRotation) {
          try {
            moments.inRotation = await writerRotation.waitBackIn(moments.start, T2.backInRotationBoundMs)
            load.mark(`nginx_lb: ${WRITER_NAME} back in rotation`, moments.inRotation)
          } catch (error) {
            // 2.3 then counts from the healthy answer, and fails on the 502s that follow.
            context.progress((error as Error).message)
          }
        }
        await sleep(T2.settleMs)
      },
    )
  } finally {
    await log.stop().catch(() => undefined)
  }

  const started = await log.find(SHUTDOWN_STARTED_LINE, moments.sigterm - 1000)
  const complete = await log.find(SHUTDOWN_COMPLETE_LINE, moments.sigterm - 1000)
  const gapS = started && complete ? (complete.atMs - started.atMs) / 1000 : Number.NaN
  context.check({
    name: `2.1 ${WRITER_NAME} logs the two shutdown lines about ${delayS} s apart`,
    passed: gapS >= delayS - 0.1 && gapS <= delayS + T2.gapToleranceS,
    expected: `"${SHUTDOWN_STARTED_LINE}" then, ${delayS} s later (GRACEFUL_SHUTDOWN_DELAY_S), "${SHUTDOWN_COMPLETE_LINE}"`,
    actual:
      started && complete
        ? `both lines logged, ${gapS.toFixed(2)} s apart`
        : `missing: ${[!started && 'the "Received signal 15" line', !complete && 'the "complete" line'].filter(Boolean).join(' and ')}`,
    numbers: { logGapS: Math.round(gapS * 1000) / 1000, delayS },
  })

  // Boundaries on the run's clock (ms since the load started); which request each check
  // judges: shutdown-windows.ts.
  const t0 = run.startedAtEpochMs
  const sigterm = moments.sigterm - t0
  const start = moments.start - t0
  const healthy = moments.healthy - t0
  const w = writerShutdownWindows(run.records, {
    sigtermMs: sigterm,
    receivedMs: started ? started.atMs - t0 : undefined,
    completeMs: complete ? complete.atMs - t0 : undefined,
    goneMs: moments.gone - t0,
    delayMs: delayS * 1000,
    boundaryMs: T2.boundaryMs,
  })
  const { drainStartMs: drainStart, drainEndMs: drainEnd } = w
  const noAnswer = run.records.filter((r) => r.status === null)
  const lost = [...noAnswer, ...w.early502, ...w.surelyArrived.filter((r) => r.outcome !== 'served')]
  // nginx_lb reloads twice in compose (the writer out, then back): a write reset by each at most.
  const writeResets = resetRetries(run, 2)
  // An empty set would prove nothing (a 503 for an in-flight write would pass): require some.
  context.check({
    name: '2.1 no in-flight request is lost',
    passed: lost.length === 0 && w.surelyArrived.length > 0 && writeResets.withinBound,
    expected: `requests in flight across the SIGTERM (started over ${T2.boundaryMs} ms before it), every one answered 200; no request without an answer; no 502 answered while the writer still listened (before its drain delay had passed)`,
    actual: `${w.inFlight.length} in flight at the SIGTERM (${w.surelyArrived.length} started over ${T2.boundaryMs} ms before it): ${countBy(w.inFlight)}; lost: ${lost.length === 0 ? 'none' : countBy(lost)}; ${writeResets.seen}`,
    numbers: {
      inFlightAtSigterm: w.inFlight.length,
      surelyArrived: w.surelyArrived.length,
      lost: lost.length,
    },
  })

  const draining503 = w.draining.filter((r) => r.outcome === 'http_503' && r.detail === 'SHUTTING_DOWN')
  context.check({
    name: '2.2 requests during the drain get 503',
    passed: w.draining.length > 0 && draining503.length + w.drainingLate502.length === w.draining.length,
    expected:
      '503 SHUTTING_DOWN (with Retry-After) for every request sent between the SIGTERM and the end of the drain delay (a 502 only when answered after the delay: the request may have met the closed writer)',
    actual: `${formatMs(drainEnd - drainStart)} drain (signal received ${formatMs(drainStart - sigterm)} after it was sent): ${countBy(w.draining)}${w.drainingLate502.length > 0 ? ` (502: answered after the delay)` : ''}`,
    numbers: {
      drainMs: Math.round(drainEnd - drainStart),
      signalDeliveryMs: Math.round(drainStart - sigterm),
      duringDrain: w.draining.length,
      got503: draining503.length,
      late502: w.drainingLate502.length,
    },
  })

  // In compose nginx_lb may still try the vanished address for a moment (lbForgetsGoneMs):
  // those requests time out (504) or get 502; from then on every one gets 502.
  const forgetMs = lbForgetsGoneMs(context)
  const forgetting = startedBetween(run.records, drainEnd + T2.boundaryMs, drainEnd + forgetMs)
  const gone = startedBetween(run.records, drainEnd + Math.max(T2.boundaryMs, forgetMs), start)
  const gone502 = gone.filter((r) => r.outcome === 'http_502')
  const forgettingOk = forgetting.every((r) => r.outcome === 'http_502' || r.outcome === 'http_504')
  context.check({
    name: '2.2 502 once the writer is gone',
    passed: gone.length > 0 && gone502.length === gone.length && forgettingOk,
    expected:
      forgetMs > 0
        ? `502 from nginx for every request after the container exited and before it was started again (504 or 502 in the first ${formatMs(forgetMs)}, while nginx_lb still tries the vanished address)`
        : '502 from nginx for every request after the process exited and before it was started again',
    actual: `${formatMs(start - drainEnd)} gone: ${forgetMs > 0 ? `first ${formatMs(forgetMs)}: ${countBy(forgetting)}; then ` : ''}${countBy(gone)}`,
    numbers: { whileGone: gone.length, got502: gone502.length, whileForgetting: forgetting.length },
  })

  // With data, not status codes (docs/durable-writes.md): every 200 is a row, and no row lacks its 200.
  const newRows = (await storedWrites(context)) - storedBefore
  context.check({
    name: "2.3 writes acknowledged during the run == new rows in the writer's database",
    passed: newRows === run.summary.served,
    expected: `writer_stored_writes grows by exactly the number of writes answered 200`,
    actual: `${run.summary.served} acknowledged, ${newRows} new rows`,
    numbers: { acknowledged: run.summary.served, newRows },
  })

  await writerRotation?.stop()
  const inRotation = Math.max(healthy, moments.inRotation - t0)
  const after = startedBetween(run.records, inRotation + T2.boundaryMs, Number.POSITIVE_INFINITY)
  const afterServed = after.filter((r) => r.outcome === 'served')
  context.check({
    name: `2.3 ${WRITER_NAME} started again and healthy: writes succeed`,
    passed: after.length > 0 && afterServed.length === after.length,
    expected: `healthy after docker start; every write after that (in compose: after nginx_lb has it back in rotation) answered 200`,
    actual: `healthy ${formatMs(healthy - start)} after start${writerRotation ? `, back in nginx_lb's rotation ${formatMs(inRotation - healthy)} later` : ''}; afterwards ${countBy(after)}; whole run: ${run.summary.served} served, ${failuresText(run.summary)}`,
    numbers: { healthyAfterMs: Math.round(healthy - start), ...runNumbers(run.summary) },
  })
}

async function readerShutdown(context: ScenarioContext): Promise<void> {
  const reader = READERS[0]
  if (!reader) throw new Error('the topology lists no reader')
  const delayS = await gracefulDelayS(context, reader.name)
  const run = await underLoad(
    context,
    {
      name: `GET /read at ${T2.readRate}/s through a SIGTERM of ${reader.name}`,
      url: lbUrl(context, '/read'),
      rate: T2.readRate,
      connections: T2.readConnections,
      durationMs: T2.maxLoadMs,
      retry: lbReadRetry(context),
    },
    async (load) => {
      await sleep(T2.settleMs)
      context.progress(`SIGTERM ${reader.name} under ${T2.readRate} reads/s`)
      load.mark(`SIGTERM ${reader.name}`)
      await context.target.kill(reader.name, 'SIGTERM')
      await waitGone(context, reader.name, (delayS + 30) * 1000)
      load.mark(`${reader.name} exited`)
      await sleep(T2.goneMs)
      context.progress(`starting ${reader.name}`)
      load.mark(`start ${reader.name}`)
      await ensureStarted(context, reader.name)
      await waitHealthy(context, [reader.name])
      load.mark(`${reader.name} healthy`)
      await sleep(T2.settleMs)
    },
  )
  const s = run.summary
  const resets = resetRetries(run, T2.readerReloads)
  context.check({
    name: `2.4 SIGTERM ${reader.name} under steady reads: zero failed requests`,
    passed: s.requests > 0 && s.served === s.requests && resets.withinBound,
    expected: `every read answered 200: nginx retries a draining (503) or gone (refused) replica on the other one (a read reset by nginx's reload is retried once by the client: ${resets.bound})`,
    actual: `${s.served}/${s.requests} served (failed: ${failuresText(s)}; ${resets.seen}); ${splitText(s)}; p99 ${formatMs(s.latencyMs.p99)}`,
    numbers: { ...runNumbers(s), resetsRetried: resets.retried, maxResetsRetried: resets.max },
  })
}

/** T2: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function t2Shutdown(context: ScenarioContext): Promise<void> {
  await writerShutdown(context)
  await readerShutdown(context)
}
