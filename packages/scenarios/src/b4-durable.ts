/**
 * B4, beyond the guide: durable writes (docs/durable-writes.md). A steady write load through
 * the load balancer, one Idempotency-Key per logical write; app_slow is SIGKILLed in the
 * middle of it (no drain: whatever was in flight is cut) and started again on the same data
 * (the native stack's folder, compose's named volume). Then, with data rather than status codes:
 * the writer found its database, every write answered 200 is readable by its id, and retrying
 * every key (answered or not) leaves exactly one stored write per key: none lost, none doubled.
 */
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { ensureStarted, lbUrl, WRITER_NAME, waitHealthy } from './arrange.js'
import type { HttpResponse } from './http.js'
import type { ScenarioContext } from './types.js'
import { waitFor } from './wait.js'
import { recoveryLine, storedWrites } from './writer-data.js'

const B4 = {
  /** logical writes per second of the steady load */
  writeRate: 40,
  /** milliseconds of load before the SIGKILL */
  beforeKillMs: 2000,
  /** milliseconds of load after it, while the writer is gone */
  afterKillMs: 1000,
  /** milliseconds one request may take */
  requestTimeoutMs: 10_000,
  /** concurrent retries and reads after the restart */
  concurrency: 8,
  /** attempts per request after the restart (a 409, 502, 503, 504 or no answer is tried again) */
  retryAttempts: 6,
  /** milliseconds between those attempts */
  retryDelayMs: 300,
  /**
   * milliseconds for the load balancer to reach the restarted writer (in compose nginx_lb
   * follows the container's new address within a few seconds, see lbForgetsGoneMs)
   */
  lbReachesWriterMs: 30_000,
}

/** An id no write has: the writer answers it 404 JSON, nginx_lb never does for this path. */
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000'

interface LogicalWrite {
  key: string
  body: { item: number; run: string }
  /** status of the first attempt; null when it got no answer */
  status: number | null
  id?: string
  /** Date.now() when the answer came */
  answeredAtMs?: number
}

const idOf = (response: HttpResponse) => (response.json as { id?: string } | undefined)?.id

/** Runs `work` over `items`, `concurrency` at a time. */
async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T)
  }
  await Promise.all(Array.from({ length: concurrency }, worker))
}

/** The steady load: one new key every 1/rate s until `stop`; resolves when every request settled. */
async function steadyWrites(
  context: ScenarioContext,
  run: string,
  act: () => Promise<void>,
): Promise<LogicalWrite[]> {
  const url = lbUrl(context, '/write')
  const writes: LogicalWrite[] = []
  const pending: Array<Promise<void>> = []
  let stopped = false
  const send = async (write: LogicalWrite) => {
    try {
      const response = await context.http.call(url, {
        method: 'POST',
        body: write.body,
        headers: { 'idempotency-key': write.key },
        timeoutMs: B4.requestTimeoutMs,
      })
      write.status = response.status
      write.answeredAtMs = Date.now()
      if (response.status === 200) write.id = idOf(response)
    } catch {
      write.status = null
    }
  }
  const ticker = (async () => {
    const started = performance.now()
    while (!stopped && !context.signal.aborted) {
      const item = writes.length
      const write: LogicalWrite = { key: `b4-${run}-${item}`, body: { item, run }, status: null }
      writes.push(write)
      pending.push(send(write))
      await sleep(Math.max(0, started + ((item + 1) * 1000) / B4.writeRate - performance.now()))
    }
  })()
  try {
    await act()
  } finally {
    stopped = true
    await ticker
    await Promise.all(pending)
  }
  return writes
}

/** Sends the request until it is answered with something other than 409, 502, 503, 504 or nothing. */
async function untilSettled(
  context: ScenarioContext,
  path: string,
  options: Parameters<ScenarioContext['http']['call']>[1] = {},
): Promise<HttpResponse | undefined> {
  let last: HttpResponse | undefined
  for (let attempt = 0; attempt < B4.retryAttempts; attempt++) {
    try {
      last = await context.http.call(lbUrl(context, path), { timeoutMs: B4.requestTimeoutMs, ...options })
      if (![409, 502, 503, 504].includes(last.status)) return last
    } catch {
      last = undefined
    }
    await sleep(B4.retryDelayMs)
  }
  return last
}

/** Posts the same key and body again (a retry after a lost answer). */
function retry(context: ScenarioContext, write: LogicalWrite): Promise<HttpResponse | undefined> {
  return untilSettled(context, '/write', {
    method: 'POST',
    body: write.body,
    headers: { 'idempotency-key': write.key },
  })
}

async function durableUnderKill(context: ScenarioContext): Promise<void> {
  const run = randomUUID().slice(0, 8)
  const storedBefore = await storedWrites(context)
  let killedAtMs = 0
  context.progress(
    `${B4.writeRate} writes/s with Idempotency-Keys through the load balancer; SIGKILL ${WRITER_NAME} after ${B4.beforeKillMs} ms`,
  )
  const writes = await steadyWrites(context, run, async () => {
    await sleep(B4.beforeKillMs)
    killedAtMs = Date.now()
    await context.target.kill(WRITER_NAME, 'SIGKILL')
    await sleep(B4.afterKillMs)
  })
  const acked = writes.filter((w) => w.status === 200 && w.id !== undefined)
  const notAcked = writes.length - acked.length

  context.progress(`starting ${WRITER_NAME} again on the same data`)
  await ensureStarted(context, WRITER_NAME)
  await waitHealthy(context, [WRITER_NAME])
  await waitFor(
    `the load balancer to reach the restarted ${WRITER_NAME}`,
    async () =>
      (await context.http.call(lbUrl(context, `/writes/${UNKNOWN_ID}`))).status === 404 ? true : undefined,
    { timeoutMs: B4.lbReachesWriterMs, intervalMs: 250, signal: context.signal },
  )
  const recovered = await recoveryLine(context, killedAtMs - 1000)
  // Acknowledged before the kill: committed by the killed process. (The health-watcher may
  // restart the writer while the load still runs; what the new process acknowledges comes later.)
  const ackedBeforeKill = acked.filter(
    (w) => (w.answeredAtMs ?? Number.POSITIVE_INFINITY) < killedAtMs,
  ).length
  context.check({
    name: `B4 ${WRITER_NAME} SIGKILLed under load reopens its database and reports what it found`,
    passed: recovered !== undefined && recovered.writes >= storedBefore + ackedBeforeKill,
    expected: `the log line "Write store recovered after an unclean stop ..." with at least ${storedBefore} + ${ackedBeforeKill} writes (stored before the load + acknowledged before the kill)`,
    actual: recovered
      ? `${recovered.message} (${recovered.writes} writes, ${recovered.recoveredWalBytes} bytes of WAL)`
      : 'no recovery line in the log since the kill',
    numbers: { found: recovered?.writes ?? -1, storedBefore, ackedBeforeKill },
  })

  const unreadable: string[] = []
  await inPool(acked, B4.concurrency, async (write) => {
    const response = await untilSettled(context, `/writes/${write.id}`)
    const stored = response?.json as { id?: string; idempotencyKey?: string } | undefined
    if (response?.status !== 200 || stored?.id !== write.id || stored?.idempotencyKey !== write.key)
      unreadable.push(`${write.key}: ${response?.status ?? 'no answer'} ${response?.text.slice(0, 80) ?? ''}`)
  })
  context.check({
    name: 'B4 every write answered 200 before the kill is readable by its id (GET /writes/:id)',
    passed: acked.length > 0 && unreadable.length === 0,
    expected: 'each acknowledged id answers 200 through nginx_lb, with its Idempotency-Key',
    actual: `${acked.length - unreadable.length}/${acked.length} readable${unreadable.length > 0 ? `; missing: ${unreadable.slice(0, 3).join('; ')}` : ''}`,
    numbers: { acknowledged: acked.length, unreadable: unreadable.length },
  })

  context.progress(`retrying all ${writes.length} keys (answered or not)`)
  const finalIds = new Map<string, string>()
  let replayed = 0
  let changedAnswer = 0
  await inPool(writes, B4.concurrency, async (write) => {
    const response = await retry(context, write)
    const id = response?.status === 200 ? idOf(response) : undefined
    if (id === undefined) return
    finalIds.set(write.key, id)
    if (response?.headers['idempotent-replayed'] === 'true') replayed += 1
    if (write.id !== undefined && id !== write.id) changedAnswer += 1
  })
  const storedAfter = await storedWrites(context)
  const stored = storedAfter - storedBefore
  const distinctIds = new Set(finalIds.values()).size
  const duplicated = stored - distinctIds
  context.check({
    name: 'B4 retrying every key stores exactly one write per key: none lost, none doubled',
    passed:
      finalIds.size === writes.length &&
      distinctIds === writes.length &&
      stored === writes.length &&
      changedAnswer === 0,
    expected: `${writes.length} keys -> ${writes.length} stored writes (writer_stored_writes +${writes.length}), acknowledged keys replay their first id`,
    actual: `${writes.length} keys: ${acked.length} acknowledged, ${notAcked} unanswered or failed at the kill; retried ${writes.length}: ${finalIds.size} answered 200 (${replayed} replayed); stored +${stored}; duplicated ${duplicated}; acknowledged ids changed ${changedAnswer}`,
    numbers: {
      keys: writes.length,
      acknowledged: acked.length,
      unanswered: notAcked,
      retried: writes.length,
      replayed,
      stored,
      duplicated,
    },
  })
}

/** B4: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export function b4Durable(context: ScenarioContext): Promise<void> {
  return durableUnderKill(context)
}
