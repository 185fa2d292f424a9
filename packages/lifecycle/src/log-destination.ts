/**
 * Where the log lines go: stdout, written synchronously when a write can never wait for a
 * reader (a regular file, /dev/null), asynchronously otherwise (a pipe, a socket, a terminal).
 *
 * Why both (docs/benchmarks.md, "Where the lifecycle's time goes"): a synchronous write of
 * a batch cost about 1 us less CPU per access line than sonic-boom's asynchronous one (no
 * thread-pool hop, no wake-up of the event loop when it is done). But a pipe or socket is
 * only as fast as whoever reads it (the native supervisor's log pipe, podman's conmon,
 * `lab logs -f`): once its buffer is full, a synchronous write blocks the event loop until
 * the reader catches up, and the service stops answering, its liveness probe included
 * (measured: /health/live unanswered for as long as the reader paused). Asynchronous
 * writes keep the loop running and hold the lines in memory meanwhile; none is lost.
 */
import { fstatSync, statSync } from 'node:fs'
import { pino } from 'pino'

const STDOUT_FD = 1

/** True when writes to `fd` can never wait for a reader: a regular file or /dev/null. */
export function writesNeverWaitForReader(fd: number): boolean {
  try {
    const target = fstatSync(fd)
    if (target.isFile()) return true
    return target.isCharacterDevice() && target.rdev === statSync('/dev/null').rdev
  } catch {
    // A closed or unknown descriptor: the asynchronous path is the one that cannot block.
    return false
  }
}

/** pino's destination for stdout: synchronous on a file or /dev/null, asynchronous otherwise. */
export function stdoutDestination(): ReturnType<typeof pino.destination> {
  return pino.destination({ dest: STDOUT_FD, sync: writesNeverWaitForReader(STDOUT_FD) })
}
