/**
 * The metric reference, read from the registries of real service instances (writer, reader,
 * health-watcher built in-process, never listening): every metric a service exposes, with its
 * type, labels and help text as prom-client holds them. Node's default process metrics are
 * listed by name only.
 */
import { buildApp as buildWatcher, loadWatcherConfig, observeOnly } from '@production-lab/health-watcher'
import { loadConfig } from '@production-lab/lifecycle'
import { buildApp as buildReader, readerConfigSchema } from '@production-lab/reader'
import { buildApp as buildWriter, writerConfigSchema } from '@production-lab/writer'
import type { Registry } from 'prom-client'
import { code, markdownTable } from './markdown-table.js'

interface MetricInfo {
  name: string
  type: string
  help: string
  labels: string[]
  services: string[]
  buckets?: number[]
}

/** prom-client's metric objects carry these; its typings hide labelNames. */
interface PromMetric {
  name: string
  help: string
  type?: string
  labelNames?: string[]
  /** a histogram's buckets */
  upperBounds?: number[]
}

const DEFAULT_METRIC = /^(process_|nodejs_)/

async function registries(): Promise<{ service: string; registry: Registry; close(): Promise<void> }[]> {
  const quiet = { logDestination: { write: () => true } as unknown as NodeJS.WritableStream }
  const writer = await buildWriter(
    loadConfig(writerConfigSchema, { PORT: '0', WRITER_DATA_DIR: ':memory:', LOG_LEVEL: 'silent' }),
    quiet,
  )
  const reader = await buildReader(loadConfig(readerConfigSchema, { PORT: '0', LOG_LEVEL: 'silent' }), quiet)
  const watcher = await buildWatcher(
    loadWatcherConfig({
      PORT: '0',
      LOG_LEVEL: 'silent',
      WATCHER_ADAPTER: 'observe',
      WATCH_TARGETS: JSON.stringify([{ name: 'app_fast_1', url: 'http://127.0.0.1:7002' }]),
    }),
    { ...quiet, remediator: observeOnly },
  )
  return [
    { service: 'writer', registry: writer.metrics.registry, close: () => writer.app.close() },
    { service: 'reader', registry: reader.metrics.registry, close: () => reader.app.close() },
    { service: 'health-watcher', registry: watcher.metrics.registry, close: () => watcher.app.close() },
  ]
}

export async function collectMetrics(): Promise<{ metrics: MetricInfo[]; defaults: string[] }> {
  const byName = new Map<string, MetricInfo>()
  const defaults = new Set<string>()
  const services = await registries()
  try {
    for (const { service, registry } of services) {
      for (const metric of registry.getMetricsAsArray() as unknown as PromMetric[]) {
        if (DEFAULT_METRIC.test(metric.name)) {
          defaults.add(metric.name)
          continue
        }
        const known = byName.get(metric.name)
        if (known) known.services.push(service)
        else
          byName.set(metric.name, {
            name: metric.name,
            type: metric.type ?? '',
            help: metric.help,
            labels: metric.labelNames ?? [],
            services: [service],
            ...(metric.upperBounds ? { buckets: metric.upperBounds } : {}),
          })
      }
    }
  } finally {
    for (const { close } of services) await close()
  }
  return { metrics: [...byName.values()], defaults: [...defaults].sort() }
}

export async function metricTable(): Promise<string> {
  const { metrics, defaults } = await collectMetrics()
  const everyService = (m: MetricInfo) => m.services.length === 3
  const rows = [...metrics]
    .sort((a, b) => Number(everyService(b)) - Number(everyService(a)) || a.name.localeCompare(b.name))
    .map((m) => [
      code(m.name),
      m.type,
      m.labels.join(', '),
      everyService(m) ? 'every service' : m.services.join(', '),
      m.buckets ? `${m.help} Buckets: ${m.buckets.join(', ')}.` : m.help,
    ])
  return [
    markdownTable(['Metric', 'Type', 'Labels (besides service)', 'Exposed by', 'Meaning'], rows),
    '',
    `Node's default process metrics (prom-client \`collectDefaultMetrics\`), on every service: ${defaults.map(code).join(', ')}.`,
  ].join('\n')
}
