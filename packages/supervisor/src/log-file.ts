/**
 * A service's log file (its stdout and stderr, appended across restarts like `docker logs`):
 * the last N lines, and following new lines as they are written.
 */
import { open, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { stackDefaults } from './defaults.js'

/** bytes read per step when scanning backwards for line breaks */
const TAIL_CHUNK_BYTES = 64 * 1024

/** The last `count` complete or partial lines of `path`; [] when the file does not exist. */
export async function tailLines(path: string, count: number): Promise<string[]> {
  if (count <= 0) return []
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  try {
    const { size } = await handle.stat()
    let position = size
    let text = ''
    // Read backwards until the buffer holds more than `count` line breaks or the file is read.
    while (position > 0 && text.split('\n').length <= count + 1) {
      const length = Math.min(TAIL_CHUNK_BYTES, position)
      position -= length
      const buffer = Buffer.alloc(length)
      await handle.read(buffer, 0, length, position)
      text = buffer.toString('utf8') + text
    }
    const lines = text.split('\n')
    if (lines.at(-1) === '') lines.pop()
    return lines.slice(-count)
  } finally {
    await handle.close()
  }
}

/**
 * Calls `onLine` for every line appended to `path` after the call, until `signal` aborts.
 * Polls the size (a file written by a child process through its own descriptor sends no
 * event this process could wait for reliably across platforms).
 */
export async function followLines(
  path: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let position = await stat(path).then(
    (info) => info.size,
    () => 0,
  )
  let partial = ''
  while (!signal.aborted) {
    const size = await stat(path).then(
      (info) => info.size,
      () => 0,
    )
    if (size < position) position = 0
    if (size > position) {
      const handle = await open(path, 'r')
      try {
        const buffer = Buffer.alloc(size - position)
        await handle.read(buffer, 0, buffer.length, position)
        position = size
        const lines = (partial + buffer.toString('utf8')).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) onLine(line)
      } finally {
        await handle.close()
      }
    }
    await sleep(stackDefaults.followPollIntervalMs, undefined, { signal }).catch(() => {})
  }
}
