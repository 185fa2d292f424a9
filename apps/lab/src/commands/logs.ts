/** `lab logs [-f] [--tail N] [--pretty] <service>`: a service's stdout and stderr, as `docker logs`. */

import { connectNative } from '@production-lab/control'
// the subpath: `lab <verb> --help` need not load the supervisor (fastify, the apps)
import { stackDefaults } from '@production-lab/supervisor/defaults'
import { defineVerb, parseVerb, usageLine } from '../verb.js'
import { prettyLines } from './pretty-lines.js'
import { nonNegativeNumber, serviceNames, UsageError } from './usage.js'

export const logsVerb = defineVerb({
  name: 'logs',
  summary: "a service's output (docker logs)",
  args: '<service>',
  options: {
    follow: { type: 'boolean', short: 'f', help: 'keep printing new lines until Ctrl-C' },
    tail: {
      type: 'string',
      short: 'n',
      arg: 'N',
      help: 'the last N lines first',
      default: stackDefaults.logTailLines,
    },
    pretty: {
      type: 'boolean',
      short: 'p',
      help: 'render JSON log lines readably (pino-pretty); other lines unchanged',
    },
  },
})

export async function logsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerb(logsVerb, argv)
  const names = serviceNames(positionals, usageLine(logsVerb))
  if (names.length !== 1) throw new UsageError(`name exactly one service\n${usageLine(logsVerb)}`)
  const name = names[0] as string
  const tail = nonNegativeNumber(values.tail, '--tail') ?? stackDefaults.logTailLines
  const format = values.pretty ? await prettyLines(process.stdout.isTTY === true) : (line: string) => line
  const print = (line: string) => process.stdout.write(`${format(line)}\n`)
  const { target } = await connectNative()
  try {
    if (!values.follow) {
      for (const line of await target.logs(name, { tail })) print(line)
      return 0
    }
    const abort = new AbortController()
    const stop = () => abort.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    await target.followLogsWithTail(name, tail, print, abort.signal)
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    return 0
  } finally {
    await target.close()
  }
}
