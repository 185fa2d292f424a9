/**
 * prometheus/prometheus.yml.template's variables and its two renderings. The native stack
 * renders it in apps/lab (stack/services.ts templateVars, from the same topology); compose
 * renders it with envsubst from the values `composePrometheusVars` lists. Tests render both
 * and run `promtool check config` on them.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HEALTH_WATCHER, PORTS, READERS, WRITER } from '@production-lab/control'
import { CONTAINER_APP_PORT, nativeAddresses, renderTemplate } from '@production-lab/nginx-config'
import { PROMETHEUS_DIR } from './paths.js'

export const PROMETHEUS_TEMPLATE_PATH = join(PROMETHEUS_DIR, 'prometheus.yml.template')
export const PROMETHEUS_RULES_DIR = join(PROMETHEUS_DIR, 'rules')

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

/** The native stack's values (as apps/lab's supervisor renders them). */
export function nativePrometheusVars(): PrometheusVars {
  const addresses = nativeAddresses()
  return {
    WRITER_UPSTREAM: addresses.WRITER_UPSTREAM,
    READER_1_UPSTREAM: addresses.READER_1_UPSTREAM,
    READER_2_UPSTREAM: addresses.READER_2_UPSTREAM,
    WATCHER_TARGET: addresses.WATCHER_TARGET,
    NGINX_EXPORTER_TARGET: addresses.NGINX_EXPORTER_TARGET,
    NGINX_LOG_EXPORTER_TARGET: `127.0.0.1:${PORTS.nginxLogExporter}`,
    PROMETHEUS_TARGET: addresses.PROMETHEUS_TARGET,
    PROMETHEUS_RULES_DIR,
  }
}

/** mtail's default port, inside its container. */
export const CONTAINER_LOG_EXPORTER_PORT = 3903

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
    NGINX_EXPORTER_TARGET: 'nginx_exporter:9113',
    NGINX_LOG_EXPORTER_TARGET: `nginx_log_exporter:${CONTAINER_LOG_EXPORTER_PORT}`,
    PROMETHEUS_TARGET: 'localhost:9090',
    PROMETHEUS_RULES_DIR: rulesDir,
  }
}
