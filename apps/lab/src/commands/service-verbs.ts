/** `lab stop|start|restart|kill <service...>`: the guide's docker verbs on the native stack. */
import { constants } from 'node:os'
import type { NativeTarget } from '@production-lab/control'
import { connectNative } from '@production-lab/control'
import { stackTimings } from '@production-lab/stack'
// the subpath: `lab <verb> --help` need not load the supervisor (fastify, the apps)
import { stackDefaults } from '@production-lab/supervisor/defaults'
import { defineVerb, parseVerb, usageLine } from '../verb.js'
import { nonNegativeNumber, serviceNames, UsageError } from './usage.js'

const SERVICES = '<service...>'
const timeOption = {
  type: 'string',
  short: 't',
  arg: 'SECONDS',
  help: 'grace period between the stop signal and SIGKILL',
  default: `the service's grace period, ${stackTimings.appStopTimeoutS} s for an app, ${stackDefaults.infraStopTimeoutS} s for nginx, Prometheus and exporters`,
} as const

export const stopVerb = defineVerb({
  name: 'stop',
  summary: 'stop services gracefully: the stop signal, SIGKILL after the grace period (docker stop)',
  args: SERVICES,
  options: { time: timeOption },
})

export const restartVerb = defineVerb({
  name: 'restart',
  summary: 'stop then start services (docker restart)',
  args: SERVICES,
  options: { time: timeOption },
})

export const startVerb = defineVerb({
  name: 'start',
  summary: 'start stopped services and wait until they are ready (docker start)',
  args: SERVICES,
  options: {},
})

const DEFAULT_KILL_SIGNAL = 'SIGKILL'

export const killVerb = defineVerb({
  name: 'kill',
  summary: 'send a signal to services (docker kill -s)',
  args: SERVICES,
  options: {
    signal: {
      type: 'string',
      short: 's',
      arg: 'SIGNAL',
      help: 'the signal, with or without SIG: SIGTERM, TERM, SIGKILL, SIGSTOP, ...',
      default: DEFAULT_KILL_SIGNAL,
    },
  },
})

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
function timedVerb(spec: typeof stopVerb | typeof restartVerb, verb: 'stop' | 'restart') {
  return (argv: string[]): Promise<number> => {
    const { values, positionals } = parseVerb(spec, argv)
    const timeoutS = nonNegativeNumber(values.time, '--time')
    return forEachService(serviceNames(positionals, usageLine(spec)), (target, name) =>
      target[verb](name, timeoutS === undefined ? {} : { timeoutS }),
    )
  }
}

export const stopCommand = timedVerb(stopVerb, 'stop')
export const restartCommand = timedVerb(restartVerb, 'restart')

export async function startCommand(argv: string[]): Promise<number> {
  const { positionals } = parseVerb(startVerb, argv)
  return forEachService(serviceNames(positionals, usageLine(startVerb)), (target, name) => target.start(name))
}

export async function killCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseVerb(killVerb, argv)
  const raw = (values.signal ?? DEFAULT_KILL_SIGNAL).toUpperCase()
  // docker accepts TERM as well as SIGTERM
  const signal = (raw.startsWith('SIG') ? raw : `SIG${raw}`) as NodeJS.Signals
  if (!(signal in constants.signals))
    throw new UsageError(
      `--signal ${JSON.stringify(values.signal)} is not a signal: expected e.g. SIGTERM or SIGKILL`,
    )
  return forEachService(serviceNames(positionals, usageLine(killVerb)), (target, name) =>
    target.kill(name, signal),
  )
}
