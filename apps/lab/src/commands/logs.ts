/** `lab logs [-f] [--tail N] <service>`: a service's stdout and stderr, as `docker logs`. */

import { connectNative } from '@production-lab/control'
import { stackDefaults } from '@production-lab/supervisor'
import { nonNegativeNumber, parse, serviceNames, UsageError } from './usage.js'

export async function logsCommand(argv: string[]): Promise<number> {
  const usage = 'lab logs [-f|--follow] [--tail N] <service>'
  const { values, positionals } = parse(
    argv,
    { follow: { type: 'boolean', short: 'f' }, tail: { type: 'string', short: 'n' } },
    usage,
  )
  const names = serviceNames(positionals, usage)
  if (names.length !== 1) throw new UsageError(`name exactly one service\nusage: ${usage}`)
  const name = names[0] as string
  const tail = nonNegativeNumber(values.tail, '--tail') ?? stackDefaults.logTailLines
  const { target } = await connectNative()
  try {
    if (!values.follow) {
      for (const line of await target.logs(name, { tail })) process.stdout.write(`${line}\n`)
      return 0
    }
    const abort = new AbortController()
    const stop = () => abort.abort()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    await target.followLogsWithTail(name, tail, (line) => process.stdout.write(`${line}\n`), abort.signal)
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    return 0
  } finally {
    await target.close()
  }
}
