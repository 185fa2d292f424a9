/**
 * `lab up`: starts the native stack in the guide's dependency order, serves the control API,
 * prints what runs where, and on Ctrl-C / SIGTERM stops everything gracefully and exits 0.
 */

import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { relative } from 'node:path'
import {
  isAlive,
  readStackState,
  removeStackState,
  runsCommand,
  type StackEndpoints,
  type StackState,
  writeStackState,
} from '@production-lab/control'
import { formatTable } from '@production-lab/load'
import {
  APP_SERVICES,
  appPort,
  portIsFree,
  portOffsetFromEnv,
  REPO_ROOT,
  stackDir,
  stackPorts,
  stackStateFile,
} from '@production-lab/stack'
import { type CgroupLimits, prepareCgroupLimits } from './cgroups.js'
import { createControlServer } from './control-server.js'
import { ManagedProcess, type ProcessEvent } from './managed-process.js'
import { stackProcesses } from './services.js'
import { Supervisor } from './supervisor.js'
import { watchSources } from './watch.js'

export interface RunStackOptions {
  watch: boolean
  prometheus: boolean
  log?: (line: string) => void
}

export class StackAlreadyRunning extends Error {}

function timestamp(): string {
  return new Date().toISOString().slice(11, 19)
}

/** Refuses a second stack on the same offset; cleans up children a killed supervisor left behind. */
function checkPreviousStack(statePath: string, log: (line: string) => void): void {
  const previous = readStackState(statePath)
  if (!previous) return
  if (previous.supervisorPid !== process.pid && isAlive(previous.supervisorPid)) {
    throw new StackAlreadyRunning(
      `the native stack (LAB_PORT_OFFSET=${previous.portOffset}) is already running: supervisor pid ${previous.supervisorPid}, control API ${previous.controlUrl}. Stop it with Ctrl-C in its terminal (or \`kill ${previous.supervisorPid}\`), or start a second stack with another LAB_PORT_OFFSET.`,
    )
  }
  for (const [name, child] of Object.entries(previous.processes)) {
    if (child.pid !== null && isAlive(child.pid) && runsCommand(child.pid, child.command)) {
      log(`previous stack's supervisor is gone; killing its leftover ${name} (pid ${child.pid})`)
      process.kill(child.pid, 'SIGKILL')
    }
  }
  removeStackState(statePath)
}

function describeLimits(process: ManagedProcess): string {
  const limits = process.spec.limits
  if (!limits) return ''
  const inspect = process.inspect('none').limits
  const amount = `${limits.cpus} CPU, ${Math.round(limits.memoryBytes / 1024 / 1024)} MiB`
  return inspect.enforced
    ? `limits ${amount}: enforced, ${inspect.mechanism}`
    : `limits ${amount}: ${inspect.mechanism}`
}

export async function runStack(options: RunStackOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`))
  const offset = portOffsetFromEnv()
  const ports = stackPorts(offset)
  const dir = stackDir()
  const statePath = stackStateFile()
  checkPreviousStack(statePath, log)
  mkdirSync(dir, { recursive: true })
  const controlUrl = `http://127.0.0.1:${ports.control}`
  if (!(await portIsFree(ports.control))) {
    throw new Error(
      `port ${ports.control} (the control API) is already in use by another process; set LAB_PORT_OFFSET to run on other ports`,
    )
  }
  const adminToken = randomBytes(24).toString('base64url')
  const plan = stackProcesses({ offset, dir, adminToken, controlUrl }, { prometheus: options.prometheus })

  const onEvent = (event: ProcessEvent) => {
    log(`[${timestamp()}] ${event.name}: ${event.message}`)
    saveState()
  }
  const cgroups: CgroupLimits[] = []
  const supervisor = new Supervisor(
    plan.processes.map(({ spec, phase }) => {
      const cgroup = spec.limits
        ? prepareCgroupLimits(`production-lab-${offset}-${spec.name}`, spec.limits)
        : null
      if (cgroup) cgroups.push(cgroup)
      return { process: new ManagedProcess(spec, { cgroup, onEvent }), phase }
    }),
  )

  const endpoints = (): StackEndpoints => {
    const running = new Set(supervisor.processes.map((process) => process.name))
    return {
      loadBalancer: `http://127.0.0.1:${ports.loadBalancer}`,
      services: Object.fromEntries(
        APP_SERVICES.filter((service) => running.has(service.name)).map((service) => [
          service.name,
          `http://127.0.0.1:${appPort(service, offset)}`,
        ]),
      ),
      prometheus: running.has('prometheus') ? `http://127.0.0.1:${ports.prometheus}` : null,
      adminToken,
    }
  }
  const startedAt = new Date().toISOString()
  function saveState(): void {
    const state: StackState = {
      supervisorPid: process.pid,
      startedAt,
      portOffset: offset,
      controlUrl,
      endpoints: endpoints(),
      processes: Object.fromEntries(
        supervisor.processes.map((p) => [
          p.name,
          { pid: p.pid, command: p.spec.command, logFile: p.spec.logFile },
        ]),
      ),
    }
    writeStackState(statePath, state)
  }

  const control = createControlServer({ supervisor, endpoints })
  await new Promise<void>((resolve, reject) => {
    control.server.once('error', reject)
    control.server.listen(ports.control, '127.0.0.1', resolve)
  })
  saveState()

  const shownDir = relative(process.cwd(), dir)
  const where = shownDir === '' || shownDir.startsWith('..') ? dir : shownDir
  log(`Production Lab native stack: LAB_PORT_OFFSET=${offset}, state and logs in ${where}`)
  for (const note of plan.notes) log(`  note: ${note}`)

  let finished: (code: number) => void = () => {}
  const done = new Promise<number>((resolve) => {
    finished = resolve
  })
  let stopping: Promise<number> | null = null
  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      log(`[${timestamp()}] ${reason}: stopping every service gracefully (Ctrl-C again to kill at once)`)
      stopWatching?.()
      await supervisor.stopAll()
      await control.close()
      removeStackState(statePath)
      log(`[${timestamp()}] stack stopped`)
      finished(0)
      return 0
    })()
    return stopping
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`[${timestamp()}] ${signal} again: killing every service now`)
      for (const managed of supervisor.processes) if (managed.running) managed.kill('SIGKILL')
      return
    }
    void stop(`${signal} received`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  // The services run in process groups of their own: if the supervisor dies of an error,
  // take them along rather than leave orphans holding the ports.
  process.once('exit', () => {
    for (const managed of supervisor.processes) if (managed.running) managed.kill('SIGKILL')
  })
  let stopWatching: (() => void) | undefined

  try {
    await supervisor.startAll((ready) =>
      log(`[${timestamp()}] ${ready.name}: ready (${ready.spec.url}${ready.spec.readyPath})`),
    )
  } catch (error) {
    await control.close()
    removeStackState(statePath)
    for (const cgroup of cgroups) cgroup.remove()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    throw error
  }
  saveState()

  const rows = supervisor.processes.map((managed) => [
    managed.name,
    String(managed.pid ?? '-'),
    managed.spec.url ?? '-',
    relative(REPO_ROOT, managed.spec.logFile),
    describeLimits(managed),
  ])
  log('')
  log(formatTable(['SERVICE', 'PID', 'URL', 'LOG', 'LIMITS'], rows))
  log('')
  log(`Load balancer  http://127.0.0.1:${ports.loadBalancer}  (GET /read, POST /write, GET /lb-health)`)
  log(`Control API    ${controlUrl}  (pnpm lab ps | stop | start | restart | kill | logs | inspect)`)
  log(
    options.watch
      ? 'Watching sources: a change rebuilds and restarts the services that use it. Ctrl-C stops the stack.'
      : 'Ctrl-C stops the stack.',
  )

  if (options.watch) stopWatching = watchSources(supervisor, log)
  return done
}
