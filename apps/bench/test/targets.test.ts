import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { LifecycleCosts } from '../src/lifecycle-costs.js'
import type { LoadResult } from '../src/load.js'
import {
  type BenchReport,
  checkTargets,
  type FidelityRow,
  formatReport,
  type LayerRow,
} from '../src/report.js'
import { summarise } from '../src/rounds.js'
import { checkTarget } from '../src/targets.js'

describe('checkTarget', () => {
  it('passes a ratio at or above its floor and prints ok', () => {
    const result = checkTarget({ name: 'ratio', value: 0.8, limit: 0.8, comparison: 'atLeast', unit: 'x' })
    assert.equal(result.met, true)
    assert.equal(result.line, 'ok      ratio: 0.80x >= 0.80x')
  })
  it('says MISSED with the number and the target', () => {
    const result = checkTarget({ name: 'ratio', value: 0.71, limit: 0.8, comparison: 'atLeast', unit: 'x' })
    assert.equal(result.met, false)
    assert.equal(result.line, 'MISSED  ratio: 0.71x, target >= 0.80x')
  })
  it('treats "below" as strict and "atMost" as inclusive', () => {
    assert.equal(
      checkTarget({ name: 'ready', value: 1000, limit: 1000, comparison: 'below', unit: 'ms' }).met,
      false,
    )
    assert.equal(checkTarget({ name: 'p50', value: 6, limit: 6, comparison: 'atMost', unit: 'ms' }).met, true)
  })
  it('prints bytes as MB', () => {
    const result = checkTarget({
      name: 'rss',
      value: 95 * 1024 * 1024,
      limit: 90 * 1024 * 1024,
      comparison: 'below',
      unit: 'MB',
    })
    assert.equal(result.line, 'MISSED  rss: 95.0 MB, target < 90.0 MB')
  })
  it('fails loudly on a broken measurement rather than reporting it as missed', () => {
    assert.throws(
      () => checkTarget({ name: 'p50', value: Number.NaN, limit: 6, comparison: 'atMost', unit: 'ms' }),
      /measurement is broken/,
    )
  })
})

const round = (rps: number, p50Ms: number, p99Ms: number): LoadResult => ({
  rps,
  p50Ms,
  p99Ms,
  ok: 1,
  failed: 0,
  errors: 0,
  bytesPerResponse: 200,
})
const row = (id: string, rounds: LoadResult[], ratio?: number): LayerRow => ({
  ...summarise(id, rounds),
  label: id,
  routeDelayMs: 0,
  ...(ratio !== undefined && { ratio: { to: 'baseline', median: ratio, perRound: [ratio] } }),
})
const fidelity = (
  path: '/read' | '/write',
  via: 'direct' | 'nginx',
  connections: number,
  p50Ms: number,
): FidelityRow => ({
  path,
  via,
  connections,
  configuredMs: path === '/read' ? 5 : 50,
  summary: summarise(`${path}-${via}-${connections}`, [round(100, p50Ms, p50Ms * 2)]),
})
const service = (name: string, readyMs: number, shutdownMs: number, rssMb: number): LifecycleCosts => ({
  name,
  shutdownDelayMs: 1000,
  samples: [],
  readyMs,
  shutdownMs,
  idleRssBytes: rssMb * 1024 * 1024,
})

describe('checkTargets', () => {
  const report = {
    layers: [
      row('bare-fastify', [round(1000, 5, 10)]),
      row('lifecycle-all-on', [round(850, 5, 10)], 0.85),
      row('lifecycle-no-log', [round(880, 5, 10)], 0.88),
      row('reader-direct', [round(900, 5.5, 9)]),
      row('readers-nginx', [round(800, 6, 19)], 0.91),
    ],
    peers: [
      {
        peer: 'peer-2-lines',
        label: 'peer 2',
        rps: { median: 1.7, perRound: [1.7] },
        cpuPerRequest: { median: 0.6, perRound: [0.6] },
      },
      {
        peer: 'peer-1-line',
        label: 'peer 1',
        rps: { median: 0.95, perRound: [0.95] },
        cpuPerRequest: { median: 1.05, perRound: [1.05] },
      },
    ],
    fidelity: [
      fidelity('/read', 'direct', 50, 5.9),
      fidelity('/read', 'nginx', 50, 6.6),
      fidelity('/write', 'direct', 1, 50.8),
      fidelity('/write', 'direct', 50, 52),
    ],
    lifecycle: [service('reader', 400, 1050, 60), service('writer', 1200, 1101, 91)],
  }
  const results = checkTargets(report)
  const byName = new Map(results.map((r) => [r.name, r]))

  it('checks every target of the issue, per service for the lifecycle ones', () => {
    assert.equal(results.length, 6 + 2 * 2 + 2 + 2 * 3)
  })
  it('reports the misses and only those', () => {
    assert.deepEqual(
      results.filter((r) => !r.met).map((r) => r.name),
      [
        'lifecycle everything on / peer 1 rps',
        'lifecycle everything on / peer 1 server CPU per request',
        'lifecycle LOG_REQUESTS=false / bare rps',
        'through nginx p99 / p50',
        '/read p50 through nginx, 50 clients',
        '/write p50 directly, 50 client(s)',
        'writer spawn to ready',
        'writer shutdown with idle keep-alive clients (delay 1000 ms)',
        'writer idle RSS',
      ],
    )
  })
  it('compares p99 with p50 of the nginx row', () => {
    assert.equal(byName.get('through nginx p99 / p50')?.value.toFixed(2), '3.17')
  })
  it('allows the drain delay plus 100 ms for shutdown', () => {
    assert.equal(byName.get('reader shutdown with idle keep-alive clients (delay 1000 ms)')?.limit, 1100)
  })
  it('names a missing row instead of crashing on undefined', () => {
    assert.throws(
      () => checkTargets({ ...report, layers: report.layers.slice(0, 3) }),
      /no "readers-nginx" row/,
    )
  })
})

describe('formatReport', () => {
  const base = (loadAverage: number): BenchReport => ({
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:05:00.000Z',
    quick: false,
    plan: { rounds: 5, fidelityRounds: 3 },
    machine: {
      cpus: 2,
      cpuModel: 'test',
      node: 'v24',
      loadAverage1m: { start: loadAverage, end: loadAverage },
    },
    nginx: { upstreamKeepalive: 64, workerProcesses: 'auto' },
    layers: [row('bare-fastify', [round(1000, 5, 10)]), row('lifecycle-all-on', [round(850, 5, 10)], 0.85)],
    peers: [],
    curves: [],
    growth: [],
    fidelity: [fidelity('/read', 'direct', 50, 5.9)],
    durability: [
      {
        storage: 'FULL',
        connections: 50,
        summary: summarise('write-FULL-50', [round(700, 58, 90)]),
        p50Ratio: 1.1,
        p99Ratio: 1.5,
        commitMeanMs: 2.5,
        writesPerCommit: 4,
      },
    ],
    lifecycle: [service('reader', 400, 1050, 60)],
    targets: [checkTarget({ name: 'ratio', value: 0.7, limit: 0.8, comparison: 'atLeast', unit: 'x' })],
  })
  it('prints every table and the summary with the misses', () => {
    const text = formatReport(base(0.5))
    assert.match(text, /\| lifecycle-all-on +\| +0 ms \| +850 \| +0\.85x baseline \|/)
    assert.match(text, /Targets: 0 met, 1 missed\nMISSED {2}ratio: 0\.70x, target >= 0\.80x/)
    assert.match(
      text,
      /\| SQLite WAL, synchronous FULL \| +50 \| +58\.0+ \| +90\.0+ \| +1\.10x \| +1\.50x \| +700 \| +2\.500 \| +4\.0 \|/,
    )
    assert.doesNotMatch(text, /Warning/)
  })
  it('warns when the load average exceeded the CPU count', () => {
    assert.match(
      formatReport(base(3.5)),
      /Warning: the machine was busy \(load average above its 2 CPU\(s\)\)/,
    )
  })
})
