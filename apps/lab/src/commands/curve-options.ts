/** `lab curve`'s command line, turned into curve options (no traffic here, so it is testable alone). */
import { type CurveOptions, type CurveTarget, curveDefaults } from '@production-lab/load'
import { appPort, portOffsetFromEnv, READERS, stackPorts } from '@production-lab/stack'
import { defineVerb, parseVerb, UsageError } from '../verb.js'
import { parseDuration } from './load-options.js'

export const curveVerb = defineVerb({
  name: 'curve',
  summary: 'latency and throughput against offered load (open model), an HTML page and its JSON',
  options: {
    url: {
      type: 'string',
      arg: 'URL',
      multiple: true,
      help: 'a target',
      default: "GET /read through the stack's nginx and on its first reader directly",
    },
    method: { type: 'string', arg: 'METHOD', help: 'the HTTP method of every target', default: 'GET' },
    rates: {
      type: 'string',
      arg: 'R1,R2,...',
      help: 'offered requests per second, one step each, low to past saturation',
      default: curveDefaults.ratesRps.join(','),
    },
    step: {
      type: 'string',
      arg: 'DURATION',
      help: 'how long each step offers its rate',
      default: `${curveDefaults.stepDurationMs / 1000}s`,
    },
    connections: {
      type: 'string',
      short: 'c',
      arg: 'N',
      help: 'sockets at most per target (the open model never waits for one to send)',
      default: curveDefaults.connections,
    },
    timeout: {
      type: 'string',
      arg: 'DURATION',
      help: 'a request slower than this counts as a timeout',
      default: `${curveDefaults.timeoutMs / 1000}s`,
    },
    'allow-remote': { type: 'boolean', help: 'allow a target that is not 127.0.0.1, ::1 or localhost' },
    json: {
      type: 'string',
      arg: 'FILE',
      help: 'write the JSON report here',
      default: '.lab/reports/curve-<time>.json',
    },
    html: {
      type: 'string',
      arg: 'FILE',
      help: 'write the HTML page here',
      default: '.lab/reports/curve-<time>.html',
    },
  },
  details: 'See docs/benchmarks.md#the-curve-lab-curve for the method and how to read the page.',
})

export interface CurveCommandOptions {
  curve: Required<Pick<CurveOptions, 'targets' | 'ratesRps' | 'stepDurationMs' | 'connections'>> &
    Pick<CurveOptions, 'timeoutMs' | 'allowRemote'>
  reports: { json?: string; html?: string }
}

/** GET /read through the stack's nginx and on its first reader directly (LAB_PORT_OFFSET applies). */
export function defaultCurveTargets(offset = portOffsetFromEnv()): CurveTarget[] {
  const reader = READERS[0]
  if (!reader) throw new Error('the topology lists no reader')
  return [
    { name: '/read through nginx', url: `http://127.0.0.1:${stackPorts(offset).loadBalancer}/read` },
    { name: `/read on ${reader.name} directly`, url: `http://127.0.0.1:${appPort(reader, offset)}/read` },
  ]
}

function parseRates(raw: string): number[] {
  const rates = raw.split(',').map((part) => Number(part.trim()))
  if (rates.length === 0 || rates.some((rate) => !(rate > 0 && Number.isFinite(rate))))
    throw new UsageError(
      `--rates ${JSON.stringify(raw)} is invalid: expected requests per second such as 100,200,400`,
    )
  return rates
}

export function parseCurveArgs(argv: string[]): CurveCommandOptions {
  const { values, positionals } = parseVerb(curveVerb, argv)
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`)
  const connections =
    values.connections === undefined ? curveDefaults.connections : Number(values.connections)
  if (!Number.isInteger(connections) || connections < 1)
    throw new UsageError(
      `--connections ${JSON.stringify(values.connections)} is invalid: expected a whole number >= 1`,
    )
  const method = values.method?.toUpperCase()
  if (method !== undefined && !/^[A-Z]+$/.test(method))
    throw new UsageError(`--method ${JSON.stringify(values.method)} is not an HTTP method`)
  const targets = (
    values.url === undefined
      ? defaultCurveTargets()
      : values.url.map((url) => ({ name: `${new URL(url).pathname} on ${new URL(url).host}`, url }))
  ).map((target) => (method === undefined ? target : { ...target, name: `${method} ${target.name}`, method }))
  return {
    curve: {
      targets,
      ratesRps: values.rates === undefined ? [...curveDefaults.ratesRps] : parseRates(values.rates),
      stepDurationMs:
        values.step === undefined ? curveDefaults.stepDurationMs : parseDuration(values.step, '--step'),
      connections,
      allowRemote: values['allow-remote'] === true,
      ...(values.timeout !== undefined && { timeoutMs: parseDuration(values.timeout, '--timeout') }),
    },
    reports: {
      ...(values.json !== undefined && { json: values.json }),
      ...(values.html !== undefined && { html: values.html }),
    },
  }
}
