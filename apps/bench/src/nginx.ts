/**
 * The lab's real load balancer for the "through nginx" rows: infra/nginx's template,
 * rendered with the benchmark's ports, run by the system's nginx as a child process.
 * The tuning options only rewrite the two directives under study, in memory, so that
 * alternatives can be measured against the committed config without a second config.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import {
  NGINX_TEMPLATE_PATH,
  nativeNginxVars,
  renderNginxConfig,
  upstreamServer,
} from '@production-lab/stack'
import { type MeasuredProcess, type ProcessGroup, waitUntilReady } from './processes.js'

export interface NginxTuning {
  /** replaces every upstream `keepalive N;` (idle upstream connections per worker) */
  upstreamKeepalive?: number
  /** replaces `worker_processes` */
  workerProcesses?: number
}

export interface NginxRequest {
  /** names the process in messages ('nginx' unless another runs beside it) */
  name?: string
  runtimeDir: string
  lbPort: number
  statusPort: number
  writerPort: number
  readerPorts: [number, number]
  /**
   * render the second reader `down`, as the lab does when it is stopped: nginx in front of
   * one reader (the growth section)
   */
  secondReaderDown?: boolean
  tuning: NginxTuning
}

export interface RunningNginx {
  process: MeasuredProcess
  origin: string
  readyMs: number
  /** the directives in effect, for the report */
  upstreamKeepalive: number
  workerProcesses: string
}

/** The nginx binary: $NGINX, else the first `nginx` on PATH or in /usr/sbin. */
export function findNginx(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NGINX) return env.NGINX
  const dirs = [...(env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin']
  const found = dirs.filter(Boolean).find((dir) => existsSync(join(dir, 'nginx')))
  if (!found) {
    throw new Error(
      'nginx is not installed (needed for the "through nginx" rows): install it with `apt-get install -y --no-install-recommends nginx-light`, or set NGINX=/path/to/nginx',
    )
  }
  return join(found, 'nginx')
}

/** The committed template with the tuning applied. */
export function tunedTemplate(template: string, tuning: NginxTuning): string {
  let text = template
  if (tuning.upstreamKeepalive !== undefined) {
    text = text.replace(/^(\s*keepalive) \d+;/gm, `$1 ${tuning.upstreamKeepalive};`)
  }
  if (tuning.workerProcesses !== undefined) {
    text = text.replace(/^worker_processes \S+;/m, `worker_processes ${tuning.workerProcesses};`)
  }
  return text
}

export function directiveValue(config: string, directive: string): string {
  const match = new RegExp(`^\\s*${directive} (\\S+);`, 'm').exec(config)
  if (!match) throw new Error(`the rendered nginx config has no \`${directive}\` directive`)
  return match[1] as string
}

export async function startNginx(group: ProcessGroup, request: NginxRequest): Promise<RunningNginx> {
  const binary = findNginx()
  // A fresh runtime dir per run: the access log would otherwise grow across runs.
  rmSync(request.runtimeDir, { recursive: true, force: true })
  mkdirSync(request.runtimeDir, { recursive: true })
  const config = renderNginxConfig(
    {
      ...nativeNginxVars(request.runtimeDir, 0),
      LB_LISTEN: `127.0.0.1:${request.lbPort}`,
      NGINX_STATUS_LISTEN: `127.0.0.1:${request.statusPort}`,
      WRITER_UPSTREAM: `127.0.0.1:${request.writerPort}`,
      READER_1_UPSTREAM: `127.0.0.1:${request.readerPorts[0]}`,
      READER_2_UPSTREAM: upstreamServer(
        `127.0.0.1:${request.readerPorts[1]}`,
        request.secondReaderDown ?? false,
      ),
    },
    tunedTemplate(readFileSync(NGINX_TEMPLATE_PATH, 'utf8'), request.tuning),
  )
  const configPath = join(request.runtimeDir, 'nginx.conf')
  writeFileSync(configPath, config)
  const child = group.start({
    name: request.name ?? 'nginx',
    command: binary,
    args: ['-p', `${request.runtimeDir}/`, '-c', configPath, '-g', 'daemon off;'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    logFile: join(request.runtimeDir, 'nginx.stderr.log'),
  })
  const origin = `http://127.0.0.1:${request.lbPort}`
  const readyMs = await waitUntilReady(child, `${origin}/lb-health`)
  return {
    process: child,
    origin,
    readyMs,
    upstreamKeepalive: Number(directiveValue(config, 'keepalive')),
    workerProcesses: directiveValue(config, 'worker_processes'),
  }
}
