/**
 * `lab up`: starts the native stack in the guide's dependency order, serves the control API,
 * prints what runs where, and on Ctrl-C / SIGTERM stops everything gracefully and exits 0.
 */

import { randomBytes } from 'node:crypto'
import { appendFileSync, mkdirSync } from 'node:fs'
import { relative } from 'node:path'
import {
  isAlive,
  readStackState,
  removeStackState,
  removeTokenFile,
  runsCommand,
  type StackEndpoints,
  type StackState,
  writeStackState,
  writeTokenFile,
} from '@production-lab/control'
import { formatTable } from '@production-lab/load'
import {
  APP_SERVICES,
  appPort,
  controlTokenFile,
  portIsFree,
  portOffsetFromEnv,
  READERS,
  REPO_ROOT,
  type StackPorts,
  stackDir,
  stackPorts,
  stackStateFile,
} from '@production-lab/stack'
import { type CgroupLimits, prepareCgroupLimits } from './cgroups.js'
import { createControlServer } from './control-server.js'
import { LbMembership, type MembershipChange, membershipLogLine } from './lb-membership.js'
import { ManagedProcess, type ProcessEvent } from './managed-process.js'
import { nginxMembershipLog, type StackProcess, stackProcesses } from './services.js'
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

/** The log line of one membership change: which replica, why, when, how fast nginx was told. */
function describeChange(change: MembershipChange): string {
  const at = new Date(change.verdictAtMs).toISOString().slice(11, 23)
  const acted =
    change.verdictToReloadMs === null
      ? 'nginx not running: applies at its next start'
      : `nginx reload signalled ${change.verdictToReloadMs} ms after the verdict`
  return `[${timestamp()}] nginx_lb: ${change.replica} ${change.member ? 'back in rotation' : 'out of rotation (down)'}: ${change.why} (verdict at ${at}; ${acted})`
}

/** One run of the stack: where it lives, what it runs, and how clients reach it. */
interface StackRun {
  offset: number
  ports: StackPorts
  dir: string
  statePath: string
  controlUrl: string
  adminToken: string
  /** the control API's bearer token and the 0600 file clients read it from */
  controlToken: string
  tokenPath: string
  startedAt: string
  supervisor: Supervisor
  cgroups: CgroupLimits[]
  log: (line: string) => void
}

/** The supervisor over every planned process, each in its cgroup when it has limits. */
function superviseProcesses(
  processes: StackProcess[],
  offset: number,
  onEvent: (event: ProcessEvent) => void,
): { supervisor: Supervisor; cgroups: CgroupLimits[] } {
  const cgroups: CgroupLimits[] = []
  const supervisor = new Supervisor(
    processes.map(({ spec, phase }) => {
      const cgroup = spec.limits
        ? prepareCgroupLimits(`production-lab-${offset}-${spec.name}`, spec.limits)
        : null
      if (cgroup) cgroups.push(cgroup)
      return { process: new ManagedProcess(spec, { cgroup, onEvent }), phase }
    }),
  )
  return { supervisor, cgroups }
}

/** What the control API and the state file tell clients: the URLs of what runs. */
function endpointsOf(run: StackRun): StackEndpoints {
  const running = new Set(run.supervisor.processes.map((process) => process.name))
  return {
    loadBalancer: `http://127.0.0.1:${run.ports.loadBalancer}`,
    services: Object.fromEntries(
      APP_SERVICES.filter((service) => running.has(service.name)).map((service) => [
        service.name,
        `http://127.0.0.1:${appPort(service, run.offset)}`,
      ]),
    ),
    prometheus: running.has('prometheus') ? `http://127.0.0.1:${run.ports.prometheus}` : null,
    adminToken: run.adminToken,
  }
}

function saveState(run: StackRun): void {
  const state: StackState = {
    supervisorPid: process.pid,
    startedAt: run.startedAt,
    portOffset: run.offset,
    controlUrl: run.controlUrl,
    endpoints: endpointsOf(run),
    processes: Object.fromEntries(
      run.supervisor.processes.map((p) => [
        p.name,
        { pid: p.pid, command: p.spec.command, logFile: p.spec.logFile },
      ]),
    ),
  }
  writeStackState(run.statePath, state)
}

/**
 * Ctrl-C / SIGTERM / SIGHUP (the terminal closed): stop every service gracefully (a second
 * signal kills them at once); `stop` resolves with the exit code once all is down. Returns
 * the handlers' remover.
 */
function handleStopSignals(
  run: StackRun,
  stop: (reason: string) => Promise<number>,
  isStopping: () => boolean,
) {
  const onSignal = (signal: NodeJS.Signals) => {
    if (isStopping()) {
      run.log(`[${timestamp()}] ${signal} again: killing every service now`)
      for (const managed of run.supervisor.processes) if (managed.running) managed.kill('SIGKILL')
      return
    }
    if (signal === 'SIGHUP') {
      // The terminal is gone: writing to it fails (EIO, EPIPE), and an unhandled stream error
      // would end the supervisor mid-stop. The services' own logs are files; keep stopping.
      process.stdout.on('error', () => {})
      process.stderr.on('error', () => {})
    }
    void stop(`${signal} received`)
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('SIGHUP', onSignal)
  // The services run in process groups of their own: if the supervisor dies of an error,
  // take them along rather than leave orphans holding the ports.
  process.once('exit', () => {
    for (const managed of run.supervisor.processes) if (managed.running) managed.kill('SIGKILL')
  })
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onSignal)
  }
}

/** The table of what runs where, and how to reach it. */
function printSummary(run: StackRun, watch: boolean): void {
  const rows = run.supervisor.processes.map((managed) => [
    managed.name,
    String(managed.pid ?? '-'),
    managed.spec.url ?? '-',
    relative(REPO_ROOT, managed.spec.logFile),
    describeLimits(managed),
  ])
  run.log('')
  run.log(formatTable(['SERVICE', 'PID', 'URL', 'LOG', 'LIMITS'], rows))
  run.log('')
  run.log(
    `Load balancer  http://127.0.0.1:${run.ports.loadBalancer}  (GET /read, POST /write, GET /lb-health)`,
  )
  run.log(`Control API    ${run.controlUrl}  (pnpm lab ps | stop | start | restart | kill | logs | inspect)`)
  run.log(
    watch
      ? 'Watching sources: a change rebuilds and restarts the services that use it. Ctrl-C stops the stack.'
      : 'Ctrl-C stops the stack.',
  )
}

/** The state dir and the control port, checked before anything starts. */
async function prepareRun(options: RunStackOptions, log: (line: string) => void, membership: LbMembership) {
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
  // A new control token at every start, so a token read from an old stack opens nothing.
  const controlToken = randomBytes(32).toString('base64url')
  const tokenPath = controlTokenFile()
  writeTokenFile(tokenPath, controlToken)
  const plan = stackProcesses(
    {
      offset,
      dir,
      adminToken,
      controlUrl,
      controlTokenFile: tokenPath,
      downReaders: () => membership.down,
    },
    { prometheus: options.prometheus },
  )
  return { offset, ports, dir, statePath, controlUrl, adminToken, controlToken, tokenPath, plan }
}

export async function runStack(options: RunStackOptions): Promise<number> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`))
  const membership = new LbMembership(READERS.map((reader) => reader.name))
  const { plan, ...where } = await prepareRun(options, log, membership)
  let run: StackRun | undefined
  const onEvent = (event: ProcessEvent) => {
    log(`[${timestamp()}] ${event.name}: ${event.message}`)
    membership.onEvent(
      event,
      run?.supervisor.processes.find((p) => p.name === event.name),
    )
    if (run) saveState(run)
  }
  const { supervisor, cgroups } = superviseProcesses(plan.processes, where.offset, onEvent)
  const nginx = supervisor.get('nginx_lb')
  const membershipLog = nginxMembershipLog(where)
  membership.attach(nginx, (change) => {
    // Also in nginx_lb's own log (`lab logs nginx_lb`), next to nginx's lines about the reload.
    const line = describeChange(change)
    log(line)
    appendFileSync(nginx.spec.logFile, `${line}\n`)
    const metricLine = membershipLogLine(change)
    if (metricLine) appendFileSync(membershipLog, `${metricLine}\n`)
  })
  run = { ...where, supervisor, cgroups, log, startedAt: new Date().toISOString() }
  const stackRun = run

  const control = createControlServer({
    supervisor,
    endpoints: () => endpointsOf(stackRun),
    token: where.controlToken,
  })
  await new Promise<void>((resolve, reject) => {
    control.server.once('error', reject)
    control.server.listen(where.ports.control, '127.0.0.1', resolve)
  })
  saveState(run)

  const shownDir = relative(process.cwd(), where.dir)
  log(
    `Production Lab native stack: LAB_PORT_OFFSET=${where.offset}, state and logs in ${shownDir === '' || shownDir.startsWith('..') ? where.dir : shownDir}`,
  )
  for (const note of plan.notes) log(`  note: ${note}`)

  let finished: (code: number) => void = () => {}
  const done = new Promise<number>((resolve) => {
    finished = resolve
  })
  let stopping: Promise<number> | null = null
  let stopWatching: (() => void) | undefined
  const stop = (reason: string): Promise<number> => {
    stopping ??= (async () => {
      log(`[${timestamp()}] ${reason}: stopping every service gracefully (Ctrl-C again to kill at once)`)
      stopWatching?.()
      await supervisor.stopAll()
      await control.close()
      removeStackState(where.statePath)
      removeTokenFile(where.tokenPath)
      log(`[${timestamp()}] stack stopped`)
      finished(0)
      return 0
    })()
    return stopping
  }
  const removeSignalHandlers = handleStopSignals(run, stop, () => stopping !== null)

  try {
    await supervisor.startAll((ready) =>
      log(`[${timestamp()}] ${ready.name}: ready (${ready.spec.url}${ready.spec.readyPath})`),
    )
  } catch (error) {
    await control.close()
    removeStackState(where.statePath)
    removeTokenFile(where.tokenPath)
    for (const cgroup of cgroups) cgroup.remove()
    removeSignalHandlers()
    throw error
  }
  saveState(run)
  printSummary(run, options.watch)
  if (options.watch) stopWatching = watchSources(supervisor, log)
  return done
}
