/**
 * The CPU and memory limits the kernel enforces on a running process, read from its cgroup:
 * v1 (cpu.cfs_quota_us / cpu.cfs_period_us, memory.limit_in_bytes, as on hybrid hosts) or v2
 * (cpu.max, memory.max). What a container's configuration declares (the Engine API's HostConfig)
 * is not what runs: rootless podman on cgroup v1 ignores --cpus/--memory with a warning, and a
 * `docker update` changes the cgroup, not the create-time config. So ComposeTarget.inspect reads
 * the container's init process (State.Pid, a pid of this machine when the engine runs here) and
 * checks that the cgroup it finds is the container's (its path names the container's id).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Each controller's cgroup path from a /proc/<pid>/cgroup text ("4:memory:/a/b"; v2's "0::/a" as `unified`). */
export function parseProcCgroup(text: string): Map<string, string> {
  const paths = new Map<string, string>()
  for (const line of text.split('\n')) {
    const [, controllers, path] = line.match(/^\d+:([^:]*):(.*)$/) ?? []
    if (path === undefined || controllers === undefined) continue
    for (const controller of controllers === '' ? ['unified'] : controllers.split(','))
      paths.set(controller, path)
  }
  return paths
}

export interface EnforcedLimits {
  /** cores; null when the cgroup sets no CPU quota */
  cpus: number | null
  /** bytes; null when the cgroup sets no memory limit */
  memoryBytes: number | null
  /** which files said what, e.g. "cgroup v2 (/sys/fs/cgroup/x: cpu.max 50000 100000, memory.max 536870912)" */
  mechanism: string
}

/** cgroup v1 reports "no limit" as the largest page-aligned 64-bit value; anything from 2^62 up is none. */
const V1_UNLIMITED_BYTES = 2 ** 62

function read(file: string): string {
  return readFileSync(file, 'utf8').trim()
}

/**
 * Reads the limits of `pid`'s cgroup. `cgroupNames`: a string every cgroup path of the process
 * must contain (a container's id), so that a pid of another pid namespace is never mistaken
 * for the container. Throws an Error saying why when the cgroup cannot be read.
 */
export function readEnforcedLimits(
  pid: number,
  options: { cgroupNames?: string; root?: string; proc?: string } = {},
): EnforcedLimits {
  const root = options.root ?? '/sys/fs/cgroup'
  const proc = options.proc ?? '/proc'
  let paths: Map<string, string>
  try {
    paths = parseProcCgroup(readFileSync(join(proc, String(pid), 'cgroup'), 'utf8'))
  } catch (error) {
    throw new Error(`cannot read ${join(proc, String(pid), 'cgroup')}: ${(error as Error).message}`)
  }
  const v1 = paths.has('cpu') && paths.has('memory')
  const used = v1 ? [paths.get('cpu') as string, paths.get('memory') as string] : [paths.get('unified')]
  if (used.some((path) => path === undefined))
    throw new Error(`pid ${pid} has neither cgroup v1 cpu and memory controllers nor a cgroup v2 path`)
  const names = options.cgroupNames
  if (names !== undefined && !used.every((path) => path?.includes(names)))
    throw new Error(
      `pid ${pid}'s cgroup (${used.join(', ')}) is not the one of ${names}: the engine's pids are not this machine's (a remote engine, or another pid namespace)`,
    )
  if (v1) {
    const cpuDir = join(root, 'cpu', paths.get('cpu') as string)
    const memoryDir = join(root, 'memory', paths.get('memory') as string)
    const [quota, period, memory] = [
      read(join(cpuDir, 'cpu.cfs_quota_us')),
      read(join(cpuDir, 'cpu.cfs_period_us')),
      read(join(memoryDir, 'memory.limit_in_bytes')),
    ]
    return {
      cpus: Number(quota) > 0 && Number(period) > 0 ? Number(quota) / Number(period) : null,
      memoryBytes: Number(memory) > 0 && Number(memory) < V1_UNLIMITED_BYTES ? Number(memory) : null,
      mechanism: `cgroup v1 (${cpuDir}: cpu.cfs_quota_us ${quota}, cpu.cfs_period_us ${period}; ${memoryDir}: memory.limit_in_bytes ${memory})`,
    }
  }
  const dir = join(root, paths.get('unified') as string)
  if (!existsSync(join(dir, 'cpu.max')) || !existsSync(join(dir, 'memory.max')))
    throw new Error(`${dir} has no cpu.max or memory.max (cpu and memory controllers not enabled there)`)
  const cpuMax = read(join(dir, 'cpu.max'))
  const memoryMax = read(join(dir, 'memory.max'))
  const [quota, period] = cpuMax.split(/\s+/)
  return {
    cpus: quota !== 'max' && Number(period) > 0 ? Number(quota) / Number(period) : null,
    memoryBytes: memoryMax === 'max' ? null : Number(memoryMax),
    mechanism: `cgroup v2 (${dir}: cpu.max ${cpuMax}, memory.max ${memoryMax})`,
  }
}
