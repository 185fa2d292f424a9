/**
 * B2, beyond the guide (its best practice "retry with exponential backoff", made safe):
 * retries of POST /write carrying the same Idempotency-Key write once. Counted by the
 * writer's own writer_writes_total, so a write that happened but whose answer was lost
 * (the client gave up first) is seen too.
 */
import { randomUUID } from 'node:crypto'
import { DEFAULT_RETRY_ON, describeJsonResponse, type OutcomeClass, runLoad } from '@production-lab/load'
import { lbUrl, serviceUrl, WRITER_NAME } from './arrange.js'
import { readMetric } from './metrics.js'
import type { ScenarioContext } from './types.js'

const B2 = {
  /** the same request sent this many times in a row */
  repeats: 3,
  /** logical writes whose first answer is always lost */
  lostAnswerWrites: 10,
  /**
   * milliseconds a client waits per attempt: below the writer's 50 ms of storage work, so
   * every first attempt times out after the write was accepted, as a lost answer would
   */
  impatientTimeoutMs: 30,
  retries: 8,
  /**
   * logical writes that must have been retried for the check to mean anything. Normally
   * every first attempt times out; on a starved machine the client's own 30 ms timer can fire
   * after the answer arrived (run17: 9 of 10 retried), so a timing-proof floor: half.
   */
  minRetriedWrites: 5,
  /** milliseconds, for the full-jitter backoff */
  retryBaseDelayMs: 40,
  retryMaxDelayMs: 400,
}

async function writes(context: ScenarioContext): Promise<number> {
  return readMetric(context.http, serviceUrl(context, WRITER_NAME), 'writer_writes_total')
}

/** B2: the scenario's act and assert (its id, title and guide commands: registry.ts). */
export async function b2Idempotency(context: ScenarioContext): Promise<void> {
  const url = lbUrl(context, '/write')
  const start = await writes(context)

  const key = `lab-${randomUUID()}`
  const body = { item: 'b2', key }
  const answers = []
  for (let i = 0; i < B2.repeats; i++) {
    answers.push(await context.http.call(url, { method: 'POST', body, headers: { 'idempotency-key': key } }))
  }
  const ids = new Set(answers.map((a) => (a.json as { id?: string } | undefined)?.id))
  const replayed = answers.filter((a) => a.headers['idempotent-replayed'] === 'true').length
  const afterRepeats = await writes(context)
  context.check({
    name: `B2 ${B2.repeats} identical POST /write with one Idempotency-Key: one write`,
    passed:
      answers.every((a) => a.status === 200) &&
      ids.size === 1 &&
      replayed === B2.repeats - 1 &&
      afterRepeats - start === 1,
    expected: `all 200 with the same id, ${B2.repeats - 1} marked Idempotent-Replayed, writer_writes_total +1`,
    actual: `statuses ${answers.map((a) => a.status).join(', ')}; ${ids.size} distinct id(s); ${replayed} replayed; writer_writes_total +${afterRepeats - start}`,
    numbers: { writes: afterRepeats - start, replayed },
  })

  context.progress(`${B2.lostAnswerWrites} writes whose first answer is lost, retried with backoff`)
  const keys = Array.from({ length: B2.lostAnswerWrites }, () => `lab-${randomUUID()}`)
  const retryOn = new Set<OutcomeClass>([...DEFAULT_RETRY_ON, 'http_4xx'])
  const lostAnswers = await runLoad({
    name: `${B2.lostAnswerWrites} POST /write, ${B2.impatientTimeoutMs} ms client timeout, retried with the same key`,
    url,
    method: 'POST',
    requests: B2.lostAnswerWrites,
    connections: 2,
    timeoutMs: B2.impatientTimeoutMs,
    // the key belongs to the logical request: every retry of request i carries keys[i]
    customize: (i) => ({
      headers: { 'idempotency-key': keys[i] as string },
      body: JSON.stringify({ item: i }),
    }),
    retry: {
      retries: B2.retries,
      baseDelayMs: B2.retryBaseDelayMs,
      maxDelayMs: B2.retryMaxDelayMs,
      retryOn,
    },
    describe: describeJsonResponse,
  })
  context.record(lostAnswers)
  const afterRetries = await writes(context)
  const s = lostAnswers.summary
  context.check({
    name: 'B2 retries after lost answers (timeouts, 409 in progress) never write twice',
    passed:
      s.served === B2.lostAnswerWrites &&
      s.retried >= B2.minRetriedWrites &&
      afterRetries - afterRepeats === B2.lostAnswerWrites,
    expected: `${B2.lostAnswerWrites}/${B2.lostAnswerWrites} served in the end, at least ${B2.minRetriedWrites} of them retried after a lost first answer (normally all), writer_writes_total +${B2.lostAnswerWrites}`,
    actual: `${s.served}/${s.requests} served after ${s.attempts} attempts (${s.retried} retried); writer_writes_total +${afterRetries - afterRepeats}`,
    numbers: { writes: afterRetries - afterRepeats, attempts: s.attempts, served: s.served },
  })

  const sameKey = `lab-${randomUUID()}`
  const duplicate = await Promise.all(
    [0, 1].map(() =>
      context.http.call(url, {
        method: 'POST',
        body: { item: 'dup' },
        headers: { 'idempotency-key': sameKey },
      }),
    ),
  )
  const statuses = duplicate.map((d) => d.status).sort()
  const conflict = duplicate.find((d) => d.status === 409)
  const afterDuplicate = await writes(context)
  context.check({
    name: 'B2 a concurrent duplicate gets 409 while the first is in progress',
    passed:
      statuses.join(',') === '200,409' &&
      conflict?.headers['retry-after'] !== undefined &&
      afterDuplicate - afterRetries === 1,
    expected: 'one 200 and one 409 IDEMPOTENCY_CONFLICT with Retry-After; writer_writes_total +1',
    actual: `statuses ${statuses.join(', ')}${conflict ? ` (${(conflict.json as { error?: string } | undefined)?.error}, Retry-After ${conflict.headers['retry-after']})` : ''}; writer_writes_total +${afterDuplicate - afterRetries}`,
    numbers: { writes: afterDuplicate - afterRetries },
  })
}
