/**
 * The lab's stack, described once. The native supervisor, the nginx and Prometheus
 * renderings, the lab scenarios and the health-watcher all read it; the compose file
 * uses the same names (the lab guide's container names) and its service DNS names.
 *
 * Ports are a function of the port offset, never read from the environment when this file
 * is imported: whoever runs a stack reads LAB_PORT_OFFSET once (`portOffsetFromEnv`) and
 * passes the number on, so one process can talk to two stacks and a test can pick its own.
 */

/** LAB_PORT_OFFSET: the environment variable that shifts every native port. */
export const PORT_OFFSET_VARIABLE = 'LAB_PORT_OFFSET'

/**
 * LAB_PORT_OFFSET shifts every native port (8080 -> 8080 + offset, ...), so a second
 * stack (a test run beside a running lab) does not collide with the first.
 */
export function portOffsetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[PORT_OFFSET_VARIABLE]
  if (raw === undefined || raw === '') return 0
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 0 || value > 50_000) {
    throw new Error(
      `${PORT_OFFSET_VARIABLE}=${JSON.stringify(raw)} is invalid: expected an integer from 0 to 50000`,
    )
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
  /** Native stack: the 127.0.0.1 port at offset 0 (see `appPort`); also compose's published port. */
  basePort: number
  /** nginx upstream weight, for readers. */
  weight?: number
  /** The lab guide's resource limits. */
  limits?: { cpus: number; memoryBytes: number }
}

/** One app of the stack: its guide name, aliases, app, SERVICE_NAME and port at offset 0. */
function appService(
  name: string,
  aliases: string[],
  app: AppName,
  serviceName: string,
  basePort: number,
  extra: Pick<AppServiceSpec, 'weight' | 'limits'> = {},
): AppServiceSpec {
  return { name, aliases, app, serviceName, basePort, ...extra }
}

export const WRITER = appService('app_slow', ['writer', 'slow'], 'writer', 'SLOW_PRIMARY', 7001, {
  limits: { cpus: 0.5, memoryBytes: 512 * 1024 * 1024 },
})

export const READERS: AppServiceSpec[] = [
  appService('app_fast_1', ['reader-1', 'reader1'], 'reader', 'FAST_REPLICA_1', 7002, { weight: 3 }),
  appService('app_fast_2', ['reader-2', 'reader2'], 'reader', 'FAST_REPLICA_2', 7003, { weight: 1 }),
]

export const HEALTH_WATCHER = appService(
  'health_watcher',
  ['watcher', 'health-watcher'],
  'health-watcher',
  'HEALTH_WATCHER',
  7004,
)

export const APP_SERVICES: AppServiceSpec[] = [WRITER, ...READERS, HEALTH_WATCHER]

/** An app's 127.0.0.1 port on the native stack of this offset. */
export function appPort(service: AppServiceSpec, offset: number): number {
  return service.basePort + offset
}

/** Ports of the non-app pieces of the native stack at offset 0 (all on 127.0.0.1). */
export const BASE_PORTS = {
  /** nginx, the public load balancer (the guide's 8080) */
  loadBalancer: 8080,
  /** nginx stub_status, internal listener */
  nginxStatus: 8081,
  /** the native supervisor's control API */
  control: 8089,
  prometheus: 9090,
  nginxExporter: 9113,
  /** the nginx access-log exporter (mtail's default port) */
  nginxLogExporter: 3903,
} as const

export type StackPorts = { readonly [K in keyof typeof BASE_PORTS]: number }

/** The non-app ports of the native stack of this offset. */
export function stackPorts(offset: number): StackPorts {
  return Object.fromEntries(
    Object.entries(BASE_PORTS).map(([name, port]) => [name, port + offset]),
  ) as unknown as StackPorts
}

export const INFRA_SERVICES = ['nginx_lb', 'prometheus', 'nginx_exporter', 'nginx_log_exporter'] as const

/** Resolves a service name or alias (`writer`, `app_slow`, `reader-1`...) to its canonical name. */
export function canonicalName(nameOrAlias: string): string | undefined {
  const wanted = nameOrAlias.trim()
  if ((INFRA_SERVICES as readonly string[]).includes(wanted)) return wanted
  if (wanted === 'nginx' || wanted === 'lb') return 'nginx_lb'
  return APP_SERVICES.find((s) => s.name === wanted || s.aliases.includes(wanted))?.name
}
