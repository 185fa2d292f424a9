/** `lab curve`'s command line, turned into curve options (no traffic here, so it is testable alone). */
import { type CurveOptions, type CurveTarget, curveDefaults } from '@production-lab/load'
import { appPort, portOffsetFromEnv, READERS, stackPorts } from '@production-lab/stack'
import { parseDuration } from './load-options.js'
import { parse, UsageError } from './usage.js'

export const CURVE_USAGE = `lab curve [--url URL]... [--method METHOD] [--rates R1,R2,...] [--step 3s] [--connections N]
                 [--timeout 10s] [--allow-remote] [--json FILE] [--html FILE]`

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
  const { values, positionals } = parse(
    argv,
    {
      url: { type: 'string', multiple: true },
      method: { type: 'string' },
      rates: { type: 'string' },
      step: { type: 'string' },
      connections: { type: 'string', short: 'c' },
      timeout: { type: 'string' },
      'allow-remote': { type: 'boolean' },
      json: { type: 'string' },
      html: { type: 'string' },
    },
    CURVE_USAGE,
  )
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${CURVE_USAGE}`)
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
