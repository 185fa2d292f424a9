/** `lab stop|start|restart|kill <service...>`: the guide's docker verbs on the native stack. */
import { constants } from 'node:os'
import type { NativeTarget } from '@production-lab/control'
import { connectNative } from '@production-lab/control'
import { nonNegativeNumber, parse, serviceNames, UsageError } from './usage.js'

/** Acts on each service in turn and prints its name once done, as docker does. */
async function forEachService(
  names: string[],
  act: (target: NativeTarget, name: string) => Promise<void>,
): Promise<number> {
  const { target } = await connectNative()
  try {
    for (const name of names) {
      await act(target, name)
      process.stdout.write(`${name}\n`)
    }
  } finally {
    await target.close()
  }
  return 0
}

/** `lab stop` and `lab restart`: the verb on each service, with --time as the grace period. */
function timedVerb(verb: 'stop' | 'restart') {
  return (argv: string[]): Promise<number> => {
    const usage = `lab ${verb} [--time SECONDS] <service...>`
    const { values, positionals } = parse(argv, { time: { type: 'string', short: 't' } }, usage)
    const timeoutS = nonNegativeNumber(values.time, '--time')
    return forEachService(serviceNames(positionals, usage), (target, name) =>
      target[verb](name, timeoutS === undefined ? {} : { timeoutS }),
    )
  }
}

export const stopCommand = timedVerb('stop')
export const restartCommand = timedVerb('restart')

export async function startCommand(argv: string[]): Promise<number> {
  const usage = 'lab start <service...>'
  const { positionals } = parse(argv, {}, usage)
  return forEachService(serviceNames(positionals, usage), (target, name) => target.start(name))
}

export async function killCommand(argv: string[]): Promise<number> {
  const usage = 'lab kill [--signal SIGKILL|SIGTERM|...] <service...>'
  const { values, positionals } = parse(argv, { signal: { type: 'string', short: 's' } }, usage)
  const raw = (values.signal ?? 'SIGKILL').toUpperCase()
  // docker accepts TERM as well as SIGTERM
  const signal = (raw.startsWith('SIG') ? raw : `SIG${raw}`) as NodeJS.Signals
  if (!(signal in constants.signals))
    throw new UsageError(
      `--signal ${JSON.stringify(values.signal)} is not a signal: expected e.g. SIGTERM or SIGKILL`,
    )
  return forEachService(serviceNames(positionals, usage), (target, name) => target.kill(name, signal))
}
