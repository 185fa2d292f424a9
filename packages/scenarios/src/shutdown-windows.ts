/**
 * T2's writer shutdown on the load run's clock: which requests each check judges, and which
 * 502s prove a request lost. Pure, so its boundaries are unit-tested with a real run's records.
 *
 * What the writer's own log proves (shutdown.ts): it drains from its "Received signal" line,
 * and keeps listening for at least GRACEFUL_SHUTDOWN_DELAY_S after that line (it sleeps that
 * long before it closes anything); by its "complete" line it has stopped listening. Between
 * the earliest close and that line a request may meet the writer listening (503) or gone (502).
 *
 * The client's clock only bounds when nginx met a request: after it was sent, before it was
 * answered. So a 502 proves nginx failed a writer that still listened only when it was
 * answered before the earliest close. One sent before the close but answered after it may
 * have reached nginx after the close (run45, two CPU burners: a write sent 118 ms before the
 * earliest close got its 502 113 ms after it, in a burst of 502s answered together).
 */
import type { RequestRecord } from '@production-lab/load'
import { startedBetween } from './measure.js'

/** Moments in milliseconds on the run's clock (since the load started). */
export interface WriterShutdownMoments {
  /** the SIGTERM was sent */
  sigtermMs: number
  /** the writer logged "Received signal 15" (undefined: the line was not seen) */
  receivedMs: number | undefined
  /** the writer logged "Graceful shutdown complete" (undefined: the line was not seen) */
  completeMs: number | undefined
  /** the process was seen exited */
  goneMs: number
  /** GRACEFUL_SHUTDOWN_DELAY_S of the writer, in milliseconds */
  delayMs: number
  /** milliseconds around each boundary where a request may fall on either side */
  boundaryMs: number
}

export interface WriterShutdownWindows {
  /**
   * the drain began: the writer's own line, not the kill call. Through podman's API on a loaded
   * machine the two were hundreds of ms apart, and writes that reached the writer in between
   * were rightly served (8 of them, a CI flake).
   */
  drainStartMs: number
  /** the writer cannot have stopped listening before this */
  closeEarliestMs: number
  /** the writer had stopped listening by this */
  drainEndMs: number
  /** requests running across the SIGTERM */
  inFlight: RequestRecord[]
  /** of those, the ones sent over boundaryMs before the SIGTERM: surely at the writer already */
  surelyArrived: RequestRecord[]
  /** 502s answered before the earliest close: nginx failed a writer that still listened */
  early502: RequestRecord[]
  /** requests sent well inside the drain: each must get 503 SHUTTING_DOWN, or be a 502 not proved early */
  draining: RequestRecord[]
  /** of `draining`, the 502s answered after the earliest close (sent in the drain, met the closed writer) */
  drainingLate502: RequestRecord[]
}

const answeredMs = (r: RequestRecord): number => r.startMs + r.latencyMs

export function writerShutdownWindows(
  records: RequestRecord[],
  m: WriterShutdownMoments,
): WriterShutdownWindows {
  const drainStartMs = Math.max(m.sigtermMs, m.receivedMs ?? m.sigtermMs)
  const closeEarliestMs = drainStartMs + m.delayMs
  const drainEndMs = m.completeMs ?? m.goneMs
  const provedEarly = (r: RequestRecord) =>
    r.outcome === 'http_502' && answeredMs(r) < closeEarliestMs - m.boundaryMs
  const inFlight = records.filter((r) => r.startMs < m.sigtermMs && answeredMs(r) > m.sigtermMs)
  const draining = startedBetween(records, drainStartMs + m.boundaryMs, closeEarliestMs - m.boundaryMs)
  return {
    drainStartMs,
    closeEarliestMs,
    drainEndMs,
    inFlight,
    surelyArrived: inFlight.filter((r) => r.startMs < m.sigtermMs - m.boundaryMs),
    early502: records.filter(provedEarly),
    draining,
    drainingLate502: draining.filter((r) => r.outcome === 'http_502' && !provedEarly(r)),
  }
}
