/**
 * The one access line per request, built as a string of fixed shape and handed to the
 * logger's `writeLine` (same stream as pino, in order with its lines, covered by the
 * shutdown's flushSync). pino's generic path, a child logger per request plus serialising
 * an object, cost several microseconds per request for a line whose shape never changes.
 * The line is exactly what pino printed with the request id bound:
 *
 *   {"level":"INFO","time":"<ISO>","service":...,"pid":...,"requestId":...,"method":...,
 *    "route":...,"url":...,"statusCode":...,"durationMs":...,"message":"request completed"}
 */
import type { Logger, LoggerHandle } from './logger.js'

export interface AccessLineFields {
  requestId: string
  method: string
  /** route template, or "unmatched" */
  route: string
  url: string
  statusCode: number
  /** milliseconds; printed rounded to 0.01 */
  durationMs: number
}

export type AccessLineWriter = (fields: AccessLineFields) => void

export function accessLineWriter(options: {
  service: string
  logger: Logger
  writeLine: LoggerHandle['writeLine']
}): AccessLineWriter {
  const { logger, writeLine } = options
  const bindings = `,"service":${JSON.stringify(options.service)},"pid":${process.pid},"requestId":`
  // Formatting a Date costs more than the rest of the line; under load many lines share a millisecond.
  let isoMs = -1
  let iso = ''
  return (fields) => {
    // LOG_LEVEL=warn (or a level changed at run time) silences access lines, as it silenced pino's.
    if (!logger.isLevelEnabled('info')) return
    const nowMs = Date.now()
    if (nowMs !== isoMs) {
      isoMs = nowMs
      iso = new Date(nowMs).toISOString()
    }
    writeLine(
      `{"level":"INFO","time":"${iso}"${bindings}${JSON.stringify(fields.requestId)}` +
        `,"method":${JSON.stringify(fields.method)},"route":${JSON.stringify(fields.route)}` +
        `,"url":${JSON.stringify(fields.url)},"statusCode":${fields.statusCode}` +
        `,"durationMs":${Math.round(fields.durationMs * 100) / 100},"message":"request completed"}\n`,
    )
  }
}
