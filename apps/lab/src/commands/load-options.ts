/** `lab load`'s command line, turned into load options (no traffic here, so it is testable alone). */

import { describeJsonResponse, type LoadOptions, loadDefaults } from '@production-lab/load'
import { portOffsetFromEnv, stackPorts } from '@production-lab/stack'
import { defineVerb, parseVerb, usageLine } from '../verb.js'
import { reportOptions } from './run-report.js'
import { UsageError } from './usage.js'

/** seconds of load when neither --duration nor --requests is given */
export const DEFAULT_LOAD_DURATION_S = 10
/** the path on the load balancer when neither --url nor --path is given */
const DEFAULT_PATH = '/read'

function loadBalancerUrl(path: string): string {
  return `http://127.0.0.1:${stackPorts(portOffsetFromEnv()).loadBalancer}${path}`
}

export const loadVerb = defineVerb({
  name: 'load',
  summary: 'generate load: closed model (--connections) or open model (--rate), with a report',
  options: {
    url: { type: 'string', arg: 'URL', help: 'the target', default: loadBalancerUrl(DEFAULT_PATH) },
    path: {
      type: 'string',
      arg: 'PATH',
      help: "a path on the stack's load balancer, instead of --url",
      default: DEFAULT_PATH,
    },
    method: { type: 'string', arg: 'METHOD', help: 'the HTTP method', default: 'GET, or POST with --body' },
    connections: {
      type: 'string',
      short: 'c',
      arg: 'N',
      help: 'concurrent connections (closed model: workers; open model: the most sockets used)',
      default: `${loadDefaults.connections}, or ${loadDefaults.openModelConnections} with --rate`,
    },
    rate: {
      type: 'string',
      arg: 'R',
      help: 'open model: start R requests per second, whether or not earlier ones were answered',
    },
    duration: {
      type: 'string',
      short: 'd',
      arg: 'DURATION',
      help: 'how long to send: 10s, 500ms, 2m',
      default: `${DEFAULT_LOAD_DURATION_S}s, or until --requests when that is given`,
    },
    requests: { type: 'string', short: 'n', arg: 'N', help: 'stop after N requests' },
    body: { type: 'string', arg: 'JSON', help: 'the request body' },
    header: { type: 'string', short: 'H', arg: "'Name: value'", multiple: true, help: 'a request header' },
    timeout: {
      type: 'string',
      arg: 'DURATION',
      help: 'an attempt slower than this is aborted and counted as a timeout',
      default: `${loadDefaults.timeoutMs / 1000}s`,
    },
    retries: {
      type: 'string',
      arg: 'N',
      help: 'retries of a failed request, exponential backoff with full jitter',
      default: 0,
    },
    'allow-remote': {
      type: 'boolean',
      help: `allow a target other than ${loadDefaults.localHosts.join(', ')}`,
    },
    ...reportOptions('load'),
    'no-report': { type: 'boolean', help: 'write no report files' },
  },
})

export interface LoadCommandOptions {
  load: LoadOptions
  /** report files; null with --no-report; undefined paths mean the defaults */
  reports: { json?: string; html?: string } | null
}

/** "10s", "500ms", "2m" or a plain number of seconds -> milliseconds. */
export function parseDuration(raw: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim())
  const value = match
    ? Number(match[1]) * ({ ms: 1, s: 1000, m: 60_000 }[match[2] ?? 's'] ?? 1000)
    : Number.NaN
  if (!(value > 0))
    throw new UsageError(
      `${option} ${JSON.stringify(raw)} is invalid: expected a duration such as 10s, 500ms or 2m`,
    )
  return value
}

function positiveInteger(raw: string | undefined, option: string, min = 1): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isInteger(value) || value < min) {
    throw new UsageError(`${option} ${JSON.stringify(raw)} is invalid: expected a whole number >= ${min}`)
  }
  return value
}

function parseHeader(raw: string): [string, string] {
  const colon = raw.indexOf(':')
  const name = raw.slice(0, colon).trim()
  if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
    throw new UsageError(`--header ${JSON.stringify(raw)} is invalid: expected 'Name: value'`)
  }
  return [name.toLowerCase(), raw.slice(colon + 1).trim()]
}

export function parseLoadArgs(argv: string[]): LoadCommandOptions {
  const { values, positionals } = parseVerb(loadVerb, argv)
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\n${usageLine(loadVerb)}`)
  if (values.url !== undefined && values.path !== undefined)
    throw new UsageError('give --url or --path, not both')
  const path = values.path ?? DEFAULT_PATH
  if (!path.startsWith('/')) throw new UsageError(`--path ${JSON.stringify(path)} must start with /`)
  const url = values.url ?? loadBalancerUrl(path)
  const method = (values.method ?? (values.body === undefined ? 'GET' : 'POST')).toUpperCase()
  if (!/^[A-Z]+$/.test(method))
    throw new UsageError(`--method ${JSON.stringify(values.method)} is not an HTTP method`)
  const rate = values.rate === undefined ? undefined : Number(values.rate)
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) {
    throw new UsageError(`--rate ${JSON.stringify(values.rate)} is invalid: expected requests per second > 0`)
  }
  const requests = positiveInteger(values.requests, '--requests')
  const durationMs =
    values.duration !== undefined
      ? parseDuration(values.duration, '--duration')
      : requests === undefined
        ? DEFAULT_LOAD_DURATION_S * 1000
        : undefined
  const retries = positiveInteger(values.retries, '--retries', 0)
  const connections = positiveInteger(values.connections, '--connections')
  const timeoutMs = values.timeout === undefined ? undefined : parseDuration(values.timeout, '--timeout')
  return {
    load: {
      url,
      method,
      headers: Object.fromEntries((values.header ?? []).map(parseHeader)),
      describe: describeJsonResponse,
      allowRemote: values['allow-remote'] === true,
      ...(values.body !== undefined && { body: values.body }),
      ...(connections !== undefined && { connections }),
      ...(rate !== undefined && { rate }),
      ...(requests !== undefined && { requests }),
      ...(durationMs !== undefined && { durationMs }),
      ...(timeoutMs !== undefined && { timeoutMs }),
      ...(retries !== undefined && { retry: { retries } }),
    },
    reports: values['no-report']
      ? null
      : {
          ...(values.json !== undefined && { json: values.json }),
          ...(values.html !== undefined && { html: values.html }),
        },
  }
}

/** "GET http://127.0.0.1:8080/read, closed model, 10 connections, for 10 s" */
export function describeLoad(load: LoadOptions): string {
  const model =
    load.rate === undefined
      ? `closed model, ${load.connections ?? 1} connection${(load.connections ?? 1) === 1 ? '' : 's'}`
      : `open model, ${load.rate} req/s${load.connections === undefined ? '' : ` over at most ${load.connections} connections`}`
  const bounds = [
    load.requests !== undefined && `${load.requests} requests`,
    load.durationMs !== undefined && `for ${load.durationMs / 1000} s`,
  ].filter(Boolean)
  const retries =
    load.retry && load.retry.retries > 0 ? `, up to ${load.retry.retries} retries with backoff` : ''
  return `${load.method ?? 'GET'} ${load.url}, ${model}, ${bounds.join(' or ')}${retries}`
}
