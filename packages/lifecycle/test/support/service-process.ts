/**
 * Runs a service as a real child process (`node <script>`, never through a package manager,
 * so signals reach it directly), collects its JSON log lines and lets a test wait for one,
 * send signals and await the exit. Shared by the lifecycle, writer and reader tests.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export interface LogLine {
  level: string
  message: string
  /** milliseconds since the child was spawned, when the line arrived */
  receivedAtMs: number
  [field: string]: unknown
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
  /** milliseconds since the child was spawned */
  atMs: number
}

export interface ServiceProcess {
  child: ChildProcess
  /** http://host:port, from the "ready on" log line */
  url: string
  port: number
  logs: LogLine[]
  stderr: () => string
  exited: Promise<Exit>
  /** Milliseconds since the child was spawned. */
  elapsedMs(): number
  waitForLog(match: string | RegExp | ((line: LogLine) => boolean), timeoutMs?: number): Promise<LogLine>
  signal(signal: NodeJS.Signals): void
  /** SIGKILLs the child if it still runs; for test cleanup. */
  kill(): Promise<Exit>
}

const READY_LINE = / ready on (http:\/\/[^\s]+)$/

function matcher(match: string | RegExp | ((line: LogLine) => boolean)): (line: LogLine) => boolean {
  if (typeof match === 'function') return match
  if (typeof match === 'string') return (line) => line.message === match
  return (line) => match.test(line.message)
}

/** Spawns `node script` with env (HOST 127.0.0.1 and PORT 0 unless given) and waits until it listens. */
export async function startService(
  script: string,
  env: Record<string, string>,
  { readyTimeoutMs = 30_000, nodeArgs = [] }: { readyTimeoutMs?: number; nodeArgs?: string[] } = {},
): Promise<ServiceProcess> {
  const process_ = runService(script, env, nodeArgs)
  try {
    const ready = await process_.waitForLog(READY_LINE, readyTimeoutMs)
    const url = READY_LINE.exec(ready.message)?.[1] ?? ''
    return { ...process_, url, port: Number(new URL(url).port) }
  } catch (error) {
    await process_.kill()
    throw new Error(`${script} did not start: ${(error as Error).message}\nstderr: ${process_.stderr()}`)
  }
}

/** Spawns `node script` with env and returns at once (for processes expected to fail before listening). */
export function runService(
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
): Omit<ServiceProcess, 'url' | 'port'> {
  const startedAt = performance.now()
  const elapsedMs = () => performance.now() - startedAt
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: LogLine[] = []
  const waiters = new Set<() => void>()
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    try {
      logs.push({ ...JSON.parse(text), receivedAtMs: elapsedMs() })
    } catch {
      logs.push({ level: 'RAW', message: text, receivedAtMs: elapsedMs() })
    }
    for (const wake of waiters) wake()
  })
  let exitedYet = false
  // 'close', not 'exit': by then every line the process wrote has been read.
  const exited = new Promise<Exit>((resolve) => {
    child.once('close', (code, signal) => {
      exitedYet = true
      resolve({ code, signal, atMs: elapsedMs() })
      for (const wake of waiters) wake()
    })
  })

  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    elapsedMs,
    waitForLog(match, timeoutMs = 10_000) {
      const test = matcher(match)
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          const found = logs.find(test)
          if (found) return finish(() => resolve(found))
          if (exitedYet)
            return finish(() => reject(new Error(`process exited before the log line ${String(match)}`)))
        }
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no log line ${String(match)} within ${timeoutMs} ms`))),
          timeoutMs,
        )
        const finish = (settle: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          settle()
        }
        waiters.add(check)
        check()
      })
    },
    signal(signal) {
      child.kill(signal)
    },
    async kill() {
      if (!exitedYet) child.kill('SIGKILL')
      return exited
    },
  }
}
