/**
 * Resource limits for a native process through cgroups, the mechanism container runtimes
 * use: cgroup v1 (cpu.cfs_quota_us / memory.limit_in_bytes, as on this machine) or v2
 * (cpu.max / memory.max). The group is created below the supervisor's own cgroup, so limits
 * the supervisor lives under still apply. When nothing is writable (not root, no delegation)
 * the process runs unlimited and `mechanism` says why, for `lab inspect`.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseProcCgroup } from '@production-lab/control'

export interface Limits {
  /** cores, e.g. 0.5 */
  cpus: number
  memoryBytes: number
}

/** microseconds: the CFS period; the quota is a share of it */
const CFS_PERIOD_US = 100_000

export interface CgroupLimits {
  readonly enforced: boolean
  /** "cgroup v1 (/sys/fs/cgroup/cpu/...)", or why the limits are not enforced */
  readonly mechanism: string
  /** Moves a process into the group; returns false (and updates `mechanism`) when that fails. */
  addProcess(pid: number): boolean
  /** Removes the group's directories; call once its processes are gone. */
  remove(): void
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

class EnforcedLimits implements CgroupLimits {
  enforced = true
  mechanism: string
  readonly #dirs: string[]

  constructor(mechanism: string, dirs: string[]) {
    this.mechanism = mechanism
    this.#dirs = dirs
  }

  addProcess(pid: number): boolean {
    try {
      for (const dir of this.#dirs) writeFileSync(join(dir, 'cgroup.procs'), String(pid))
      return true
    } catch (error) {
      this.enforced = false
      this.mechanism = `not enforced: could not move pid ${pid} into ${this.#dirs.join(', ')}: ${describe(error)}`
      return false
    }
  }

  remove(): void {
    for (const dir of this.#dirs) {
      try {
        rmdirSync(dir)
      } catch {
        // Still busy or already gone: an empty cgroup left behind holds no resources.
      }
    }
  }
}

function notEnforced(reason: string): CgroupLimits {
  return { enforced: false, mechanism: `not enforced: ${reason}`, addProcess: () => false, remove: () => {} }
}

function prepareV1(root: string, own: Map<string, string>, group: string, limits: Limits): CgroupLimits {
  const cpuDir = join(root, 'cpu', own.get('cpu') ?? '/', group)
  const memoryDir = join(root, 'memory', own.get('memory') ?? '/', group)
  mkdirSync(cpuDir, { recursive: true })
  mkdirSync(memoryDir, { recursive: true })
  writeFileSync(join(cpuDir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US))
  writeFileSync(join(cpuDir, 'cpu.cfs_quota_us'), String(Math.round(limits.cpus * CFS_PERIOD_US)))
  writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), String(limits.memoryBytes))
  return new EnforcedLimits(`cgroup v1 (${cpuDir}, ${memoryDir})`, [cpuDir, memoryDir])
}

function prepareV2(root: string, own: Map<string, string>, group: string, limits: Limits): CgroupLimits {
  const parent = join(root, own.get('unified') ?? '/')
  // Children only get the cpu and memory files when the parent delegates the controllers.
  writeFileSync(join(parent, 'cgroup.subtree_control'), '+cpu +memory')
  const dir = join(parent, group)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'cpu.max'), `${Math.round(limits.cpus * CFS_PERIOD_US)} ${CFS_PERIOD_US}`)
  writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes))
  return new EnforcedLimits(`cgroup v2 (${dir})`, [dir])
}

/** Creates (or reuses) the group `name` with `limits`; never throws. */
export function prepareCgroupLimits(name: string, limits: Limits, root = '/sys/fs/cgroup'): CgroupLimits {
  let own: Map<string, string>
  try {
    own = parseProcCgroup(readFileSync('/proc/self/cgroup', 'utf8'))
  } catch (error) {
    return notEnforced(`cannot read /proc/self/cgroup: ${describe(error)}`)
  }
  const v1 =
    existsSync(join(root, 'cpu', 'cpu.cfs_quota_us')) &&
    existsSync(join(root, 'memory', 'memory.limit_in_bytes'))
  const v2 = existsSync(join(root, 'cgroup.controllers'))
  if (!v1 && !v2)
    return notEnforced(`no cgroup v1 cpu+memory controllers or cgroup v2 hierarchy under ${root}`)
  try {
    return v1 ? prepareV1(root, own, name, limits) : prepareV2(root, own, name, limits)
  } catch (error) {
    return notEnforced(
      `cgroup ${v1 ? 'v1' : 'v2'} not writable (${describe(error)}); run as root or use compose`,
    )
  }
}
