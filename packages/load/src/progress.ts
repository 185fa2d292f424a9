/**
 * The live progress line: on a terminal it is rewritten in place several times a
 * second; in a log file (CI, pipes) it is printed as a plain line every few seconds,
 * so logs stay readable.
 */
import { loadDefaults } from './defaults.js'
import { formatProgress } from './format.js'
import type { LoadProgress } from './load-options.js'

export interface ProgressReporter {
  /** how often the runner should report, milliseconds */
  intervalMs: number
  update(progress: LoadProgress): void
  /** ends the line so later output starts on a fresh one */
  finish(): void
}

export function progressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const tty = stream.isTTY === true
  let wrote = false
  return {
    intervalMs: tty ? loadDefaults.progressIntervalTtyMs : loadDefaults.progressIntervalPlainMs,
    update(progress) {
      const line = formatProgress(progress)
      if (tty) {
        // \x1b[2K clears the whole line, so a shorter line leaves no leftovers.
        stream.write(`\r\x1b[2K${line}`)
        wrote = true
      } else {
        stream.write(`${line}\n`)
      }
    },
    finish() {
      if (tty && wrote) stream.write('\n')
      wrote = false
    },
  }
}
