/**
 * What the native stack runs, as data: one entry per supervised process with its command,
 * environment, probe, ports and start phase. To add a process (a log exporter, ...), add an
 * entry to `stackProcesses`; the supervisor, the control API, `lab ps` and the docs' table
 * all follow from it.
 */
import { accessSync, appendFileSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import {
  APP_NODE_FLAGS,
  type AppServiceSpec,
  appPort,
  HEALTH_WATCHER,
  MTAIL_PROGRAMS_DIR,
  type NginxVars,
  nativeNginxVars,
  nativePrometheusVars,
  PROMETHEUS_TEMPLATE_PATH,
  READERS,
  REPO_ROOT,
  renderNginxConfig,
  renderPrometheusConfig,
  stackPorts,
  stackTimings,
  WRITER,
} from '@production-lab/stack'
import { appConfigSchema } from './config-schemas.js'
import { stackDefaults } from './defaults.js'
import type { ProcessSpec } from './managed-process.js'

export interface StackContext {
  /** LAB_PORT_OFFSET: every port of the stack is the topology's plus this */
  offset: number
  /** the stack's state dir (logs, configs, data) */
  dir: string
  adminToken: string
  controlUrl: string
  /** the control API's bearer token file, for the health-watcher */
  controlTokenFile: string
  /** the readers nginx is rendered with `down` right now (lb-membership.ts); none when absent */
  downReaders?: () => ReadonlySet<string>
}

export interface StackProcess {
  spec: ProcessSpec
  /** start order: each phase is ready before the next one starts */
  phase: number
}

export interface StackPlan {
  processes: StackProcess[]
  /** what is left out and why, printed at start */
  notes: string[]
}

export class StackConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StackConfigError'
  }
}

/** Start phases: the apps, then the load balancer in front of them, then what watches them. */
const PHASE = { apps: 0, loadBalancer: 1, watcher: 2, monitoring: 3 } as const

const INSTALL_HINT = 'or run the compose stack instead (see README.md#running-the-stack-natively)'

/** An executable on PATH or in the sbin/bin dirs Debian installs daemons to; null when absent. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | null {
  const dirs = [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin']
  for (const dir of dirs) {
    if (!dir) continue
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return null
}

function logFile(context: StackContext, name: string): string {
  return join(context.dir, 'logs', `${name}.log`)
}

function appMain(service: AppServiceSpec): string {
  return join(REPO_ROOT, 'apps', service.app, 'dist', 'main.js')
}

function appProcess(
  service: AppServiceSpec,
  context: StackContext,
  env: Record<string, string> = {},
): ProcessSpec {
  const main = appMain(service)
  const port = appPort(service, context.offset)
  if (!existsSync(main)) {
    throw new StackConfigError(
      `${service.name}: ${main} does not exist; build the apps first with \`./pnpm build\``,
    )
  }
  return {
    name: service.name,
    // `node dist/main.js` directly (never through pnpm or tsx), so signals reach the service.
    command: process.execPath,
    args: [...APP_NODE_FLAGS, main],
    cwd: REPO_ROOT,
    env: {
      HOST: '127.0.0.1',
      PORT: String(port),
      SERVICE_NAME: service.serviceName,
      ADMIN_TOKEN: context.adminToken,
      ...env,
    },
    url: `http://127.0.0.1:${port}`,
    readyPath: '/health/ready',
    probe: 'lifecycle',
    ports: [port],
    stopSignal: 'SIGTERM',
    stopTimeoutS: stackTimings.appStopTimeoutS,
    logFile: logFile(context, service.name),
    configSchema: appConfigSchema(service.app, context.offset),
    ...(service.limits && { limits: service.limits }),
  }
}

/** The writer's SQLite database directory (docs/durable-writes.md). */
export function writerDataDir(context: StackContext): string {
  return join(context.dir, 'writer-data')
}

/** The membership changes of nginx's upstreams, one JSON line each, read by mtail (lb-membership.mtail). */
export function nginxMembershipLog(context: Pick<StackContext, 'dir'>): string {
  return join(context.dir, 'logs', 'nginx_lb.membership.log')
}

/** nginx's JSON access log, a file of its own so a log exporter can tail it. */
export function nginxAccessLog(context: Pick<StackContext, 'dir'>): string {
  return join(context.dir, 'logs', 'nginx_lb.access.log')
}

/**
 * The native stack's nginx template values: the stack package's native rendering, with the
 * access log in the stack's logs (where mtail tails it) and errors on stderr (the service log).
 * docs/reference/templates.md is generated from it.
 */
export function stackNginxVars(context: Pick<StackContext, 'dir' | 'offset' | 'downReaders'>): NginxVars {
  return {
    ...nativeNginxVars(nginxRuntimeDir(context), context.offset, context.downReaders?.()),
    NGINX_ACCESS_LOG: nginxAccessLog(context),
    // 'stderr', not /dev/stderr: the output goes through the supervisor's log rotation, fd 2
    // is a socket (libuv's stdio pipes are socketpairs) and open('/dev/stderr') fails (ENXIO).
    NGINX_ERROR_LOG: 'stderr',
  }
}

const nginxRuntimeDir = (context: Pick<StackContext, 'dir'>) => join(context.dir, 'nginx')

function nginxProcess(context: StackContext): ProcessSpec {
  const ports = stackPorts(context.offset)
  const nginx = findExecutable('nginx')
  if (!nginx) {
    throw new StackConfigError(
      `nginx is not installed: install it with \`apt-get install nginx-light\` (as root) ${INSTALL_HINT}`,
    )
  }
  const runtimeDir = nginxRuntimeDir(context)
  const configFile = join(runtimeDir, 'nginx.conf')
  return {
    name: 'nginx_lb',
    command: nginx,
    // -e: the error log before the config is read (the default /var/log/nginx needs root).
    args: ['-p', `${runtimeDir}/`, '-c', configFile, '-e', 'stderr', '-g', 'daemon off;'],
    cwd: runtimeDir,
    env: {},
    url: `http://127.0.0.1:${ports.loadBalancer}`,
    readyPath: '/lb-health',
    probe: 'http-200',
    ports: [ports.loadBalancer, ports.nginxStatus],
    // SIGQUIT is nginx's graceful shutdown (finish open requests), as the official image's STOPSIGNAL.
    stopSignal: 'SIGQUIT',
    stopTimeoutS: stackDefaults.infraStopTimeoutS,
    logFile: logFile(context, 'nginx_lb'),
    prepare() {
      mkdirSync(runtimeDir, { recursive: true })
      writeFileSync(configFile, renderNginxConfig(stackNginxVars(context)))
    },
  }
}

function watcherProcess(context: StackContext): ProcessSpec | string {
  if (!existsSync(appMain(HEALTH_WATCHER)))
    return `health_watcher: not started (${appMain(HEALTH_WATCHER)} not built)`
  const targets = [WRITER, ...READERS].map((service) => ({
    name: service.name,
    url: `http://127.0.0.1:${appPort(service, context.offset)}`,
  }))
  return appProcess(HEALTH_WATCHER, context, {
    WATCHER_ADAPTER: 'native',
    CONTROL_URL: context.controlUrl,
    CONTROL_TOKEN_FILE: context.controlTokenFile,
    WATCH_TARGETS: JSON.stringify(targets),
  })
}

function prometheusProcess(context: StackContext): ProcessSpec | string {
  const template = PROMETHEUS_TEMPLATE_PATH
  const ports = stackPorts(context.offset)
  const prometheus = findExecutable('prometheus')
  if (!prometheus)
    return `prometheus: not started (not installed: \`apt-get install prometheus\`, ${INSTALL_HINT})`
  if (!existsSync(template)) return `prometheus: not started (${template} does not exist)`
  const dir = join(context.dir, 'prometheus')
  const configFile = join(dir, 'prometheus.yml')
  const listen = `127.0.0.1:${ports.prometheus}`
  return {
    ...monitoringSpec(context, 'prometheus', ports.prometheus, '/-/ready'),
    command: prometheus,
    args: [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=${listen}`,
      // POST /-/reload picks up changed rules without a restart.
      '--web.enable-lifecycle',
    ],
    cwd: dir,
    prepare() {
      mkdirSync(dir, { recursive: true })
      writeFileSync(configFile, renderPrometheusConfig(nativePrometheusVars(context.offset)))
    },
  }
}

/** What Prometheus and the exporters share: an HTTP probe on 127.0.0.1:port, SIGTERM, the infra grace period. */
function monitoringSpec(
  context: StackContext,
  name: string,
  port: number,
  readyPath: string,
): Omit<ProcessSpec, 'command' | 'args'> {
  return {
    name,
    env: {},
    url: `http://127.0.0.1:${port}`,
    readyPath,
    probe: 'http-200',
    ports: [port],
    stopSignal: 'SIGTERM',
    stopTimeoutS: stackDefaults.infraStopTimeoutS,
    logFile: logFile(context, name),
  }
}

function nginxExporterProcess(context: StackContext): ProcessSpec | string {
  const ports = stackPorts(context.offset)
  const exporter = findExecutable('prometheus-nginx-exporter')
  if (!exporter)
    return 'nginx_exporter: not started (not installed: `apt-get install prometheus-nginx-exporter`)'
  const listen = `127.0.0.1:${ports.nginxExporter}`
  return {
    ...monitoringSpec(context, 'nginx_exporter', ports.nginxExporter, '/metrics'),
    command: exporter,
    args: [
      `-nginx.scrape-uri=http://127.0.0.1:${ports.nginxStatus}/stub_status`,
      `-web.listen-address=${listen}`,
    ],
  }
}

/**
 * mtail turns nginx's JSON access log into per-route, per-upstream metrics
 * (prometheus/mtail/nginx-access.mtail); stub_status has only totals. It also counts the
 * upstreams' membership changes from the supervisor's membership log (lb-membership.mtail).
 */
function nginxLogExporterProcess(context: StackContext): ProcessSpec | string {
  const mtail = findExecutable('mtail')
  if (!mtail) return 'nginx_log_exporter: not started (not installed: `apt-get install mtail`)'
  const ports = stackPorts(context.offset)
  return {
    ...monitoringSpec(context, 'nginx_log_exporter', ports.nginxLogExporter, '/metrics'),
    command: mtail,
    args: [
      `--progs=${MTAIL_PROGRAMS_DIR}`,
      `--logs=${nginxAccessLog(context)},${nginxMembershipLog(context)}`,
      '--address=127.0.0.1',
      `--port=${ports.nginxLogExporter}`,
      // The `prog` label would be the same on every series.
      '--emit_prog_label=false',
      '--logtostderr',
    ],
    prepare() {
      // The membership log gets its first line at the first change; mtail follows it from now.
      mkdirSync(dirname(nginxMembershipLog(context)), { recursive: true })
      appendFileSync(nginxMembershipLog(context), '')
    },
  }
}

/** The stack's processes; throws StackConfigError when a required piece is missing. */
export function stackProcesses(context: StackContext, options: { prometheus: boolean }): StackPlan {
  // The writer's database lives with the stack's state, so it survives the writer's restarts
  // and the stack's (`lab up` again on the same LAB_PORT_OFFSET).
  const writerEnv = { WRITER_DATA_DIR: writerDataDir(context) }
  const processes: StackProcess[] = [WRITER, ...READERS].map((service) => ({
    spec: appProcess(service, context, service === WRITER ? writerEnv : {}),
    phase: PHASE.apps,
  }))
  processes.push({ spec: nginxProcess(context), phase: PHASE.loadBalancer })
  const notes: string[] = []
  const optional: Array<[ProcessSpec | string, number]> = [[watcherProcess(context), PHASE.watcher]]
  if (options.prometheus) {
    optional.push(
      [prometheusProcess(context), PHASE.monitoring],
      [nginxExporterProcess(context), PHASE.monitoring],
      [nginxLogExporterProcess(context), PHASE.monitoring],
    )
  } else {
    notes.push('prometheus, nginx_exporter, nginx_log_exporter: not started (--no-prometheus)')
  }
  for (const [spec, phase] of optional) {
    if (typeof spec === 'string') notes.push(spec)
    else processes.push({ spec, phase })
  }
  return { processes, notes }
}
