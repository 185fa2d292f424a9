/**
 * The servers a run starts: the two fixtures of this app and the lab's real reader and
 * writer, each a `node <script>` child process on its own 127.0.0.1 port, configured
 * only through its environment.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type MeasuredProcess, type ProcessGroup, waitUntilReady } from './processes.js'

export type ServerKind = 'bare-fastify' | 'lifecycle-service' | 'peer-stack' | 'reader' | 'writer'

export interface ServerSpec {
  /** unique within a run: names the log file and the process in messages */
  name: string
  kind: ServerKind
  port: number
  /** the service's own variables (SERVICE_NAME, READ_DELAY_MS, LOG_REQUESTS, ...) */
  env: Record<string, string>
}

export interface RunningServer {
  spec: ServerSpec
  process: MeasuredProcess
  /** http://127.0.0.1:<port> */
  origin: string
  /** milliseconds from spawn to the first 200 on the ready path */
  readyMs: number
}

const require = createRequire(import.meta.url)

/** The compiled entry point of each kind. */
function scriptOf(kind: ServerKind): string {
  switch (kind) {
    case 'bare-fastify':
      return fileURLToPath(new URL('./fixture-bare-fastify.js', import.meta.url))
    case 'lifecycle-service':
      return fileURLToPath(new URL('./fixture-lifecycle-service.js', import.meta.url))
    case 'peer-stack':
      return fileURLToPath(new URL('./fixture-peer-stack.js', import.meta.url))
    case 'reader':
      return join(dirname(require.resolve('@production-lab/reader')), 'main.js')
    case 'writer':
      return join(dirname(require.resolve('@production-lab/writer')), 'main.js')
  }
}

/** The bare baseline has no probes: its route answering is its readiness. */
export function readyPathOf(kind: ServerKind): string {
  return kind === 'bare-fastify' ? '/read' : '/health/ready'
}

/** Spawns the server and waits until it is ready. */
export async function startServer(
  group: ProcessGroup,
  spec: ServerSpec,
  logDir: string,
): Promise<RunningServer> {
  const origin = `http://127.0.0.1:${spec.port}`
  const child = group.start({
    name: spec.name,
    command: process.execPath,
    args: [scriptOf(spec.kind)],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOST: '127.0.0.1',
      PORT: String(spec.port),
      ...spec.env,
    },
    logFile: join(logDir, `${spec.name}.log`),
  })
  const readyMs = await waitUntilReady(child, `${origin}${readyPathOf(spec.kind)}`)
  return { spec, process: child, origin, readyMs }
}
