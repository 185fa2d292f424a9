/**
 * `lab logs --pretty`: the services' JSON log lines (pino's) made readable by pino-pretty,
 * the prettifier pino's own docs name, one line each; lines that are not JSON objects (nginx's,
 * a crash's stack trace) pass through unchanged, so nothing a service printed is hidden.
 */

export type LineFormatter = (line: string) => string

/** packages/lifecycle/src/logger.ts's pino messageKey (the lab's services write "message", not "msg") */
const MESSAGE_KEY = 'message'

export async function prettyLines(colorize: boolean): Promise<LineFormatter> {
  // loaded here: the other verbs need not pay for it
  const { prettyFactory } = await import('pino-pretty')
  const pretty = prettyFactory({
    colorize,
    singleLine: true,
    messageKey: MESSAGE_KEY,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  })
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
