/**
 * Simulated work: an I/O wait (a timer, as a database call would be) plus real CPU
 * work measured in CPU time, so a CPU quota really slows it down: under a 0.5-core
 * limit, 10 ms of CPU takes about 20 ms of wall time.
 */
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Work {
  /** milliseconds of I/O wait */
  delayMs: number
  /** milliseconds of CPU time */
  cpuMs: number
}

export async function simulateWork({ delayMs, cpuMs }: Work): Promise<void> {
  if (cpuMs > 0) burnCpu(cpuMs)
  if (delayMs > 0) await sleep(delayMs)
}

const HASH_INPUT = Buffer.alloc(256, 7)

/** Spends `ms` milliseconds of this process's CPU time hashing. Blocks the event loop, as CPU work does. */
export function burnCpu(ms: number): void {
  const start = process.cpuUsage()
  const budgetUs = ms * 1000
  for (;;) {
    for (let i = 0; i < 50; i++) createHash('sha256').update(HASH_INPUT).digest()
    const used = process.cpuUsage(start)
    if (used.user + used.system >= budgetUs) return
  }
}

/** Blocks the event loop for `ms` milliseconds of wall time: a hung process, for the lab. */
export function blockEventLoop(ms: number): void {
  const end = performance.now() + ms
  while (performance.now() < end) {
    // Spin: nothing else in this process runs until it ends, as in a real hang.
  }
}
