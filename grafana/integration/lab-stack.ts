/**
 * The native stack as a child process: `node apps/lab/dist/cli.js up` with the caller's
 * LAB_PORT_OFFSET and a fresh state dir (so Prometheus starts with no data from an
 * earlier run), its control API through NativeTarget, and a graceful stop.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { NativeTarget, type StackEndpoints } from '@production-lab/control'
import { portOffsetFromEnv, REPO_ROOT, stackPorts } from '@production-lab/stack'

/** The line `lab up` prints once every process is ready. */
const READY_LINE = 'Ctrl-C stops the stack.'

export interface RunningStack {
  target: NativeTarget
  endpoints: StackEndpoints
  /** everything the supervisor printed, for failure messages */
  output(): string
  stop(): Promise<void>
}

export async function startStack(options: { readyTimeoutMs: number }): Promise<RunningStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'lab-observability-'))
  const child: ChildProcess = spawn(
    process.execPath,
    [join(REPO_ROOT, 'apps', 'lab', 'dist', 'cli.js'), 'up'],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LAB_STATE_DIR: stateDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the stack was not ready within ${options.readyTimeoutMs} ms:\n${output}`)),
      options.readyTimeoutMs,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes(READY_LINE)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`\`lab up\` exited with code ${code} before the stack was ready:\n${output}`))
    })
  })
  const target = new NativeTarget(`http://127.0.0.1:${stackPorts(portOffsetFromEnv()).control}`)
  const endpoints = await target.endpoints()
  return {
    target,
    endpoints,
    output: () => output,
    async stop() {
      await target.close()
      if (child.exitCode === null) {
        // SIGTERM: the supervisor drains every service and exits 0.
        child.kill('SIGTERM')
        await exited
      }
      rmSync(stateDir, { recursive: true, force: true })
    },
  }
}
