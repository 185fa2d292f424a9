/**
 * The lab's stack, described once. The native supervisor, the nginx and Prometheus
 * renderings, the lab scenarios and the health-watcher all read it; the compose file
 * uses the same names (the lab guide's container names) and its service DNS names.
 */

/**
 * LAB_PORT_OFFSET shifts every native port (8080 -> 8080 + offset, ...), so a second
 * stack (a test run beside a running lab) does not collide with the first.
 */
export const PORT_OFFSET = parsePortOffset(process.env.LAB_PORT_OFFSET)

function parsePortOffset(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 50_000) {
    throw new Error(`LAB_PORT_OFFSET=${JSON.stringify(raw)} is invalid: expected an integer from 0 to 50000`)
  }
  return value
}

export type AppName = 'writer' | 'reader' | 'health-watcher'

export interface AppServiceSpec {
  /** The lab guide's container name; the canonical name everywhere. */
  name: string
  /** Other names accepted on the command line. */
  aliases: string[]
  app: AppName
  /** SERVICE_NAME: what the service answers with and labels its metrics with. */
  serviceName: string
  /** Native stack: 127.0.0.1 port. */
  port: number
  /** nginx upstream weight, for readers. */
  weight?: number
  /** The lab guide's resource limits. */
  limits?: { cpus: number; memoryBytes: number }
}

export const WRITER: AppServiceSpec = {
  name: 'app_slow',
  aliases: ['writer', 'slow'],
  app: 'writer',
  serviceName: 'SLOW_PRIMARY',
  port: 7001 + PORT_OFFSET,
  limits: { cpus: 0.5, memoryBytes: 512 * 1024 * 1024 },
}

export const READERS: AppServiceSpec[] = [
  {
    name: 'app_fast_1',
    aliases: ['reader-1', 'reader1'],
    app: 'reader',
    serviceName: 'FAST_REPLICA_1',
    port: 7002 + PORT_OFFSET,
    weight: 3,
  },
  {
    name: 'app_fast_2',
    aliases: ['reader-2', 'reader2'],
    app: 'reader',
    serviceName: 'FAST_REPLICA_2',
    port: 7003 + PORT_OFFSET,
    weight: 1,
  },
]

export const HEALTH_WATCHER: AppServiceSpec = {
  name: 'health_watcher',
  aliases: ['watcher', 'health-watcher'],
  app: 'health-watcher',
  serviceName: 'HEALTH_WATCHER',
  port: 7004 + PORT_OFFSET,
}

export const APP_SERVICES: AppServiceSpec[] = [WRITER, ...READERS, HEALTH_WATCHER]

/** Ports of the non-app pieces of the native stack (all on 127.0.0.1 but the load balancer's). */
export const PORTS = {
  /** nginx, the public load balancer (the guide's 8080) */
  loadBalancer: 8080 + PORT_OFFSET,
  /** nginx stub_status, internal listener */
  nginxStatus: 8081 + PORT_OFFSET,
  /** the native supervisor's control API */
  control: 8089 + PORT_OFFSET,
  prometheus: 9090 + PORT_OFFSET,
  nginxExporter: 9113 + PORT_OFFSET,
  /** the nginx access-log exporter (mtail's default port) */
  nginxLogExporter: 3903 + PORT_OFFSET,
} as const

export const INFRA_SERVICES = ['nginx_lb', 'prometheus', 'nginx_exporter', 'nginx_log_exporter'] as const

/** Resolves a service name or alias (`writer`, `app_slow`, `reader-1`...) to its canonical name. */
export function canonicalName(nameOrAlias: string): string | undefined {
  const wanted = nameOrAlias.trim()
  if ((INFRA_SERVICES as readonly string[]).includes(wanted)) return wanted
  if (wanted === 'nginx' || wanted === 'lb') return 'nginx_lb'
  return APP_SERVICES.find((s) => s.name === wanted || s.aliases.includes(wanted))?.name
}
