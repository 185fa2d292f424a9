/**
 * The running stack's state file (<state dir>/stack.json): where its control API answers,
 * the supervisor's and every child's pid, so clients find the stack and a second `up` knows
 * one is already running (or cleans up after a supervisor that was killed).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { StackEndpoints } from './target.js'

export interface StackState {
  supervisorPid: number
  startedAt: string
  portOffset: number
  controlUrl: string
  endpoints: StackEndpoints
  processes: Record<string, { pid: number | null; command: string; logFile: string }>
}

export function readStackState(path: string): StackState | null {
  if (!existsSync(path)) return null
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StackState
  } catch {
    return null
  }
}

export function writeStackState(path: string, state: StackState): void {
  mkdirSync(dirname(path), { recursive: true })
  // Written whole then renamed, so a reader never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  renameSync(temporary, path)
}

export function removeStackState(path: string): void {
  rmSync(path, { force: true })
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether `pid` still runs `command` (and is not a recycled pid of something else). */
export function runsCommand(pid: number, command: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === command
  } catch {
    return false
  }
}
