/**
 * `lab logs --pretty`: the services' JSON log lines (pino's) made readable by pino-pretty,
 * the prettifier pino's own docs name; lines that are not JSON objects (nginx's, a crash's
 * stack trace) pass through unchanged, so nothing a service printed is hidden.
 */
import { prettyFactory } from 'pino-pretty'

export type LineFormatter = (line: string) => string

export function prettyLines(colorize: boolean): LineFormatter {
  const pretty = prettyFactory({ colorize, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' })
  return (line) => {
    if (!line.startsWith('{')) return line
    try {
      const parsed: unknown = JSON.parse(line)
      if (typeof parsed !== 'object' || parsed === null) return line
      return pretty(parsed).trimEnd()
    } catch {
      return line
    }
  }
}
