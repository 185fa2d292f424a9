/**
 * T2's writer-shutdown windows (src/shutdown-windows.ts) on the records of a real compose run
 * (run45, two CPU burners), and on the same run with one write failed the way a broken drain
 * fails it: a 502 answered while the writer still listened must count as lost.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { OutcomeClass, RequestRecord } from '@production-lab/load'
import { type WriterShutdownMoments, writerShutdownWindows } from '../src/shutdown-windows.js'

type Row = [startMs: number, latencyMs: number, outcome: OutcomeClass]

// run45's POST /write at 40/s around the writer's SIGTERM (each write held 600 ms by a fault):
// the writes in flight across it, two 503s from the drain's middle, its last 503s, and the first 502s, answered
// together ~5.3 s after a stall of the starved machine.
const RUN45: Row[] = [
  [1500, 826.26, 'served'],
  [1525, 801.3, 'served'],
  [1550, 848.07, 'served'],
  [1575, 823.24, 'served'],
  [1600, 801.64, 'served'],
  [1625, 829.51, 'served'],
  [1650, 804.63, 'served'],
  [1675, 779.7, 'served'],
  [1700, 782.82, 'served'],
  [1725, 809.9, 'served'],
  [1750, 785.1, 'served'],
  [1775, 878.8, 'served'],
  [1800, 854.16, 'served'],
  [1825, 829.33, 'served'],
  [1850, 804.4, 'served'],
  [1875, 779.46, 'served'],
  [1900, 794.36, 'served'],
  [1925, 950.33, 'served'],
  [1950, 925.09, 'served'],
  [1975, 900.21, 'served'],
  [2000, 875.27, 'served'],
  [2025, 850.38, 'served'],
  [2050, 825.43, 'served'],
  [2075, 800.48, 'served'],
  [2100, 775.52, 'served'],
  [2125, 750.57, 'served'],
  [2150, 725.61, 'served'],
  [2175, 71.78, 'http_503'],
  [2200, 47.51, 'http_503'],
  [2400, 54.78, 'http_503'],
  [3500, 17.1, 'http_503'],
  [4900, 43.3, 'http_503'],
  [4925, 27.79, 'http_503'],
  [4950, 11.37, 'http_503'],
  [4975, 43.2, 'http_503'],
  [5000, 46.9, 'http_503'],
  [5025, 156.95, 'http_503'],
  [5050, 162.26, 'http_503'],
  [5075, 230.85, 'http_502'],
  [5100, 206.25, 'http_502'],
  [5125, 181.37, 'http_502'],
  [5150, 189.08, 'http_502'],
  [5175, 164.47, 'http_502'],
  [5200, 290.62, 'http_502'],
  [5225, 387.83, 'http_502'],
]

// run45's moments: SIGTERM sent at 1896 ms, received 297 ms later, "complete" 3045 ms after that.
const MOMENTS: WriterShutdownMoments = {
  sigtermMs: 1896,
  receivedMs: 2193,
  completeMs: 5238,
  goneMs: 5882,
  delayMs: 3000,
  boundaryMs: 150,
}

const records = (rows: Row[]): RequestRecord[] =>
  rows.map(([startMs, latencyMs, outcome]) => ({
    startMs,
    latencyMs,
    outcome,
    status: outcome === 'served' ? 200 : Number(outcome.slice(5)),
    attempts: 1,
    ...(outcome === 'http_503' ? { detail: 'SHUTTING_DOWN' } : {}),
  }))

test("run45: a 502 sent before the writer's earliest close but answered after it is not lost", () => {
  const w = writerShutdownWindows(records(RUN45), MOMENTS)
  assert.equal(w.drainStartMs, 2193)
  assert.equal(w.closeEarliestMs, 5193)
  assert.equal(w.drainEndMs, 5238)
  assert.equal(w.inFlight.length, 16, 'every write running across the SIGTERM')
  assert.equal(w.surelyArrived.length, 10)
  assert.ok(w.surelyArrived.every((r) => r.outcome === 'served'))
  assert.deepEqual(
    w.early502,
    [],
    'the 502 sent at 5075 ms was answered at 5306 ms, after the earliest close',
  )
  assert.ok(w.draining.length > 0)
  assert.ok(w.draining.every((r) => r.outcome === 'http_503'))
})

test('a 502 answered while the writer surely still listened is lost, and fails the drain', () => {
  const broken = RUN45.map((row): Row => (row[0] === 3500 ? [3500, 2.3, 'http_502'] : row))
  const w = writerShutdownWindows(records(broken), MOMENTS)
  assert.deepEqual(
    w.early502.map((r) => r.startMs),
    [3500],
  )
  assert.equal(w.drainingLate502.length, 0, 'an early 502 is no late one')
  assert.ok(w.draining.some((r) => r.startMs === 3500))
})

test('a 502 sent late in the drain and answered after the earliest close is a late one, not lost', () => {
  // Sent inside the drain's window (it ends 150 ms before the earliest close), held 300 ms on the way: it may have met the closed writer.
  const late = [...RUN45, [5000, 300, 'http_502'] as Row]
  const w = writerShutdownWindows(records(late), MOMENTS)
  assert.deepEqual(w.early502, [])
  assert.deepEqual(
    w.drainingLate502.map((r) => r.startMs),
    [5000],
  )
})

test('without the log lines the drain is judged from the kill and the exit', () => {
  const w = writerShutdownWindows(records(RUN45), {
    ...MOMENTS,
    receivedMs: undefined,
    completeMs: undefined,
  })
  assert.equal(w.drainStartMs, 1896)
  assert.equal(w.closeEarliestMs, 4896)
  assert.equal(w.drainEndMs, 5882)
})
