/**
 * What the writer stored, as the scenarios check it (docs/durable-writes.md): the rows of its
 * database from its own /metrics (writer_stored_writes, which survives restarts, unlike
 * writer_writes_total) and the line it logs when it opened a database left by an unclean stop.
 */

import { serviceUrl, WRITER_NAME } from './arrange.js'
import { readMetric } from './metrics.js'
import { parseLogLine } from './service-logs.js'
import type { ScenarioContext } from './types.js'

export const STORED_WRITES_METRIC = 'writer_stored_writes'
const RECOVERED_LINE = /^Write store recovered after an unclean stop/

/** Writes stored in the writer's database (every process's). */
export function storedWrites(context: ScenarioContext): Promise<number> {
  return readMetric(context.http, serviceUrl(context, WRITER_NAME), STORED_WRITES_METRIC)
}

export interface RecoveryLine {
  message: string
  /** writes the database held when it was opened again */
  writes: number
  recoveredWalBytes: number
}

/** The writer's "recovered after an unclean stop" line logged at or after `sinceMs`, if any. */
export async function recoveryLine(
  context: ScenarioContext,
  sinceMs: number,
): Promise<RecoveryLine | undefined> {
  const lines = await context.target.logs(WRITER_NAME, { tail: 300 })
  for (const raw of lines) {
    const entry = parseLogLine(raw)
    if (!entry || entry.atMs < sinceMs || !RECOVERED_LINE.test(entry.message)) continue
    const fields = JSON.parse(raw) as { writes?: number; recoveredWalBytes?: number }
    return {
      message: entry.message,
      writes: Number(fields.writes),
      recoveredWalBytes: Number(fields.recoveredWalBytes),
    }
  }
  return undefined
}
