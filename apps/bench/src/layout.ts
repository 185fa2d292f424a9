/**
 * What a run starts and where: one 127.0.0.1 port per server from BENCH_PORT_BASE, and
 * the environment of each. The layer rows run the reader's route with `layerDelayMs` of
 * simulated wait (0: the layers' CPU cost is all there is to measure); the reader and
 * writer run as the lab configures them (5 ms reads, 50 ms writes). The writers keep their
 * databases under `dataRoot` (the run's output dir, emptied at each run); the durability rows
 * add two writers whose storage differs from the lab's (FULL): in memory and NORMAL.
 */
import { join } from 'node:path'
import { defaults } from './defaults.js'
import type { ServerSpec } from './servers.js'

export function portsFrom(base: number) {
  return {
    bare: base,
    lifecycleAllOn: base + 1,
    lifecycleNoLog: base + 2,
    reader1: base + 3,
    reader2: base + 4,
    writer: base + 5,
    nginxLb: base + 6,
    nginxStatus: base + 7,
    /** fresh processes of the lifecycle-cost measurements, one at a time */
    lifecycleCost: base + 8,
    /** the durability rows' writers besides the lab's own (see durability-cost.ts) */
    writerMemory: base + 9,
    writerNormal: base + 10,
    /** the peer stack (fixture-peer-stack.ts): Fastify's two request lines, then one */
    peerTwoLines: base + 11,
    peerOneLine: base + 12,
    /** the growth section's second nginx, in front of reader 1 only (growth.ts) */
    oneReaderNginxLb: base + 13,
    oneReaderNginxStatus: base + 14,
  }
}
export type BenchPorts = ReturnType<typeof portsFrom>

/**
 * Load servers never time their own shutdown (they stop without the drain delay) and shed
 * only far past the services' default threshold (see defaults.shedEventLoopDelayMs).
 */
const UNDER_LOAD = {
  GRACEFUL_SHUTDOWN_DELAY_S: '0',
  SHED_MAX_EVENT_LOOP_DELAY_MS: String(defaults.shedEventLoopDelayMs),
}

export function loadServers(ports: BenchPorts, dataRoot: string) {
  const writerWork = { SERVICE_NAME: 'SLOW_PRIMARY', WRITE_DELAY_MS: String(defaults.writeDelayMs) }
  const layerWork = { READ_DELAY_MS: String(defaults.layerDelayMs) }
  return {
    bare: {
      name: 'bare-fastify',
      kind: 'bare-fastify',
      port: ports.bare,
      env: { SERVICE_NAME: 'BARE_FASTIFY', ...layerWork },
    },
    lifecycleAllOn: {
      name: 'lifecycle-all-on',
      kind: 'lifecycle-service',
      port: ports.lifecycleAllOn,
      env: { SERVICE_NAME: 'LIFECYCLE_ALL_ON', LOG_REQUESTS: 'true', ...layerWork, ...UNDER_LOAD },
    },
    lifecycleNoLog: {
      name: 'lifecycle-no-log',
      kind: 'lifecycle-service',
      port: ports.lifecycleNoLog,
      env: { SERVICE_NAME: 'LIFECYCLE_NO_LOG', LOG_REQUESTS: 'false', ...layerWork, ...UNDER_LOAD },
    },
    peerTwoLines: {
      name: 'peer-2-lines',
      kind: 'peer-stack',
      port: ports.peerTwoLines,
      env: { SERVICE_NAME: 'PEER_2_LINES', PEER_LOG_LINES: '2', ...layerWork, ...UNDER_LOAD },
    },
    peerOneLine: {
      name: 'peer-1-line',
      kind: 'peer-stack',
      port: ports.peerOneLine,
      env: { SERVICE_NAME: 'PEER_1_LINE', PEER_LOG_LINES: '1', ...layerWork, ...UNDER_LOAD },
    },
    reader1: {
      name: 'reader-1',
      kind: 'reader',
      port: ports.reader1,
      env: { SERVICE_NAME: 'FAST_REPLICA_1', READ_DELAY_MS: String(defaults.readDelayMs), ...UNDER_LOAD },
    },
    reader2: {
      name: 'reader-2',
      kind: 'reader',
      port: ports.reader2,
      env: { SERVICE_NAME: 'FAST_REPLICA_2', READ_DELAY_MS: String(defaults.readDelayMs), ...UNDER_LOAD },
    },
    writer: {
      name: 'writer',
      kind: 'writer',
      port: ports.writer,
      env: { ...writerWork, WRITER_DATA_DIR: join(dataRoot, 'writer'), ...UNDER_LOAD },
    },
    writerMemory: {
      name: 'writer-memory',
      kind: 'writer',
      port: ports.writerMemory,
      env: { ...writerWork, WRITER_DATA_DIR: ':memory:', ...UNDER_LOAD },
    },
    writerNormal: {
      name: 'writer-normal',
      kind: 'writer',
      port: ports.writerNormal,
      env: {
        ...writerWork,
        WRITER_DATA_DIR: join(dataRoot, 'writer-normal'),
        WRITER_SYNCHRONOUS: 'NORMAL',
        ...UNDER_LOAD,
      },
    },
  } satisfies Record<string, ServerSpec>
}

/** The services whose start, idle memory and shutdown are measured, on fresh processes. */
export function lifecycleCostServers(ports: BenchPorts, dataRoot: string): ServerSpec[] {
  const delay = { GRACEFUL_SHUTDOWN_DELAY_S: String(defaults.shutdownDelayS) }
  return [
    {
      name: 'reader',
      kind: 'reader',
      port: ports.lifecycleCost,
      env: { SERVICE_NAME: 'FAST_REPLICA_1', ...delay },
    },
    {
      name: 'writer',
      kind: 'writer',
      port: ports.lifecycleCost,
      env: { SERVICE_NAME: 'SLOW_PRIMARY', WRITER_DATA_DIR: join(dataRoot, 'writer-lifecycle'), ...delay },
    },
  ]
}
