/**
 * An in-process service on createService() for unit tests: config from an env-like map
 * (through the real schema), log lines collected as parsed JSON, exits recorded instead
 * of ending the test runner.
 */
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import {
  type BaseConfig,
  createService,
  loadConfig,
  type Service,
  type ServiceContext,
  serviceConfigSchema,
} from '../../src/index.js'

export const testSchema = serviceConfigSchema({}, { SERVICE_NAME: 'TEST_SERVICE', PORT: 0 })

export interface TestService {
  service: Service<BaseConfig>
  app: FastifyInstance
  logs: Array<Record<string, unknown>>
  exits: number[]
  /** http://127.0.0.1:port once listen() ran */
  url: string
  close(): Promise<void>
}

/**
 * Builds the service and, unless `listen` is false, listens on 127.0.0.1:0 and marks it
 * ready the way start() does, without installing process-wide signal handlers in the
 * test runner.
 */
export async function startTestService(
  routes: (scope: FastifyInstance, context: ServiceContext<BaseConfig>) => void | Promise<void>,
  { env = {}, listen = true }: { env?: Record<string, string>; listen?: boolean } = {},
): Promise<TestService> {
  const logs: Array<Record<string, unknown>> = []
  const exits: number[] = []
  let pending = ''
  const destination = new Writable({
    write(chunk, _encoding, done) {
      pending += String(chunk)
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) if (line) logs.push(JSON.parse(line))
      done()
    },
  })
  // Event-loop shedding off unless a test turns it on (shedding.test.ts): on a loaded CI machine
  // the test process's own event-loop delay crossed 200 ms and a breaker test got 503 Overloaded.
  const config = loadConfig(testSchema, {
    HOST: '127.0.0.1',
    LOG_REQUESTS: 'false',
    SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    SHED_MAX_EVENT_LOOP_UTILIZATION: '0',
    ...env,
  })
  const service = await createService({
    config,
    routes,
    logDestination: destination,
    exit: (code) => exits.push(code),
  })
  let url = ''
  if (listen) {
    url = await service.app.listen({ host: '127.0.0.1', port: 0 })
    service.state.markReady()
  } else {
    await service.app.ready()
  }
  return { service, app: service.app, logs, exits, url, close: () => service.app.close() }
}

/** One sample of the Prometheus text format: name, labels and value. */
export interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** Parses the Prometheus text exposition format (the subset prom-client writes). */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`)
    const labels: Record<string, string> = {}
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key as string] = value as string
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) })
  }
  return samples
}

/** The samples called `name` whose labels include `labels`. */
export function samplesOf(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  )
}
