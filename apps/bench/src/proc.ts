/**
 * Per-process figures from Linux's /proc: CPU time (so a row's cost per request can be
 * read without trusting throughput on a shared machine: the CPU a server spends per
 * request barely moves when other work competes for the cores), resident memory, and
 * child processes (nginx's workers).
 */
import { readdirSync, readFileSync } from 'node:fs'

/** /proc/<pid>/stat counts CPU in clock ticks; 100 per second on Linux (USER_HZ). */
const TICKS_PER_SECOND = 100

/** User plus system CPU seconds the process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // The command name (field 2) may contain spaces; the fields after its closing paren are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

export function rssBytesOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/**
 * Peak resident memory of the process since it started (VmHWM, the kernel's high-water mark):
 * read once after a round, it catches a peak between samples.
 */
export function peakRssBytesOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

/** Direct children of a process (for nginx: its workers). */
export function childrenOf(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number),
  )
}

/** CPU seconds used so far by all of `pids` together. */
export function totalCpuSeconds(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuSecondsOf(pid), 0)
}

/** The whole machine's CPU time so far, all cores, in clock ticks (the first line of /proc/stat). */
export interface MachineCpuTicks {
  /** user + nice + system + irq + softirq + steal */
  busy: number
  /** busy + idle + iowait */
  total: number
}

export function machineCpuTicks(): MachineCpuTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number) as [number, number, number, number, number, number, number, number]
  const busy = user + nice + system + irq + softirq + steal
  return { busy, total: busy + idle + iowait }
}

/**
 * The share (0..1) of all cores that was busy between two readings, whoever used them: the
 * servers, the load generator, other users of the machine.
 */
export function machineBusyShare(before: MachineCpuTicks, after: MachineCpuTicks): number {
  const total = after.total - before.total
  return total > 0 ? (after.busy - before.busy) / total : 0
}
