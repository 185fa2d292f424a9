/** `lab load`'s command line, turned into load options (no traffic here, so it is testable alone). */

import { describeJsonResponse, type LoadOptions } from '@production-lab/load'
import { portOffsetFromEnv, stackPorts } from '@production-lab/stack'
import { parse, UsageError } from './usage.js'

export const LOAD_USAGE = `lab load [--url URL | --path PATH] [--method METHOD] [--connections N] [--rate R]
                [--duration 10s] [--requests N] [--body JSON] [--header 'Name: value']...
                [--timeout 10s] [--retries N] [--allow-remote] [--json FILE] [--html FILE] [--no-report]`

/** seconds of load when neither --duration nor --requests is given */
export const DEFAULT_LOAD_DURATION_S = 10

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
  const { values, positionals } = parse(
    argv,
    {
      url: { type: 'string' },
      path: { type: 'string' },
      method: { type: 'string' },
      connections: { type: 'string', short: 'c' },
      rate: { type: 'string' },
      duration: { type: 'string', short: 'd' },
      requests: { type: 'string', short: 'n' },
      body: { type: 'string' },
      header: { type: 'string', short: 'H', multiple: true },
      timeout: { type: 'string' },
      retries: { type: 'string' },
      'allow-remote': { type: 'boolean' },
      json: { type: 'string' },
      html: { type: 'string' },
      'no-report': { type: 'boolean' },
    },
    LOAD_USAGE,
  )
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}\nusage: ${LOAD_USAGE}`)
  if (values.url !== undefined && values.path !== undefined)
    throw new UsageError('give --url or --path, not both')
  const path = values.path ?? '/read'
  if (!path.startsWith('/')) throw new UsageError(`--path ${JSON.stringify(path)} must start with /`)
  const url = values.url ?? `http://127.0.0.1:${stackPorts(portOffsetFromEnv()).loadBalancer}${path}`
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
