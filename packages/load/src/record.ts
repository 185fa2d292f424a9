/** One request of a run, as the timeline and the reports keep it. */
import type { OutcomeClass } from './outcome.js'

export interface RequestRecord {
  /** milliseconds from the run's start to when the request was sent (open model: when it was due) */
  startMs: number
  /** milliseconds until the final answer, retries and their waits included */
  latencyMs: number
  outcome: OutcomeClass
  /** HTTP status of the final attempt; null when it got no answer */
  status: number | null
  /** attempts made: 1 + retries */
  attempts: number
  /** what the response said about who served it, e.g. FAST_REPLICA_1 */
  label?: string
  /** why it failed: the transport error or the error code of the body */
  detail?: string
}

/** Something that happened during a run, drawn on its charts, e.g. "SIGTERM app_slow". */
export interface RunEvent {
  /** milliseconds from the run's start */
  atMs: number
  label: string
}
