/**
 * prometheus/prometheus.yml.template's variables and its two renderings. The native
 * supervisor renders it with `nativePrometheusVars` (the same topology as nginx's); compose
 * renders it with envsubst from the values `composePrometheusVars` lists. Tests render both
 * and run `promtool check config` on them.
 */
import { readFileSync } from 'node:fs'
import { nativeAddresses } from './nginx-config.js'
import { PROMETHEUS_RULES_DIR, PROMETHEUS_TEMPLATE_PATH } from './paths.js'
import { renderTemplate } from './render-template.js'
import { CONTAINER_APP_PORT } from './timings.js'
import { BASE_PORTS, HEALTH_WATCHER, READERS, WRITER } from './topology.js'

export interface PrometheusVars {
  WRITER_UPSTREAM: string
  READER_1_UPSTREAM: string
  READER_2_UPSTREAM: string
  WATCHER_TARGET: string
  NGINX_EXPORTER_TARGET: string
  /** mtail's /metrics (host:port) */
  NGINX_LOG_EXPORTER_TARGET: string
  PROMETHEUS_TARGET: string
  /** directory holding the *.rules.yml files */
  PROMETHEUS_RULES_DIR: string
}

export function renderPrometheusConfig(vars: PrometheusVars): string {
  return renderTemplate(
    readFileSync(PROMETHEUS_TEMPLATE_PATH, 'utf8'),
    { ...vars },
    'prometheus.yml.template',
  )
}

/** The native stack's values for this port offset (what the supervisor renders). */
export function nativePrometheusVars(offset: number): PrometheusVars {
  const addresses = nativeAddresses(offset)
  return {
    WRITER_UPSTREAM: addresses.WRITER_UPSTREAM,
    READER_1_UPSTREAM: addresses.READER_1_UPSTREAM,
    READER_2_UPSTREAM: addresses.READER_2_UPSTREAM,
    WATCHER_TARGET: addresses.WATCHER_TARGET,
    NGINX_EXPORTER_TARGET: addresses.NGINX_EXPORTER_TARGET,
    NGINX_LOG_EXPORTER_TARGET: addresses.NGINX_LOG_EXPORTER_TARGET,
    PROMETHEUS_TARGET: addresses.PROMETHEUS_TARGET,
    PROMETHEUS_RULES_DIR,
  }
}

/** mtail's default port, inside its container (the native stack's at offset 0). */
export const CONTAINER_LOG_EXPORTER_PORT = BASE_PORTS.nginxLogExporter

/**
 * The compose values: service names on the compose network, and the rules mounted at
 * /etc/prometheus/rules. `rulesDir` overrides that path (tests check the rendering locally).
 */
export function composePrometheusVars(rulesDir = '/etc/prometheus/rules'): PrometheusVars {
  const [reader1, reader2] = READERS.map((reader) => `${reader.name}:${CONTAINER_APP_PORT}`) as [
    string,
    string,
  ]
  return {
    WRITER_UPSTREAM: `${WRITER.name}:${CONTAINER_APP_PORT}`,
    READER_1_UPSTREAM: reader1,
    READER_2_UPSTREAM: reader2,
    WATCHER_TARGET: `${HEALTH_WATCHER.name}:${CONTAINER_APP_PORT}`,
    NGINX_EXPORTER_TARGET: `nginx_exporter:${BASE_PORTS.nginxExporter}`,
    NGINX_LOG_EXPORTER_TARGET: `nginx_log_exporter:${CONTAINER_LOG_EXPORTER_PORT}`,
    PROMETHEUS_TARGET: `localhost:${BASE_PORTS.prometheus}`,
    PROMETHEUS_RULES_DIR: rulesDir,
  }
}
