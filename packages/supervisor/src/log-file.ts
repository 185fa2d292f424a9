/**
 * A service's log file (its stdout and stderr, appended across restarts like `docker logs`,
 * rotated by size to <file>.1, .2, ...: log-rotation.ts): the last N lines, across a rotation,
 * and following new lines as they are written, across rotations too.
 */
import { type FileHandle, open, stat } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import { stackDefaults } from './defaults.js'

/** bytes read per step when scanning backwards for line breaks */
const TAIL_CHUNK_BYTES = 64 * 1024
/** rotated files a tail looks into at most (it stops at the first missing one) */
const TAIL_MAX_ROTATED_FILES = 100

/**
 * The last `count` complete or partial lines of `path`, continued into its rotated files
 * (<path>.1, .2, ...) when the current one holds fewer; [] when none exists.
 */
export async function tailLines(path: string, count: number): Promise<string[]> {
  if (count <= 0) return []
  let text = ''
  for (let index = 0; index <= TAIL_MAX_ROTATED_FILES; index += 1) {
    const file = index === 0 ? path : `${path}.${index}`
    const older = await tailText(file, count + 1 - newlines(text))
    if (older === undefined) {
      if (index === 0) continue // rotated away a moment ago: the older ones may hold lines
      break
    }
    text = older + text
    if (newlines(text) > count) break
  }
  const lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  return lines.slice(-count)
}

function newlines(text: string): number {
  return text.split('\n').length - 1
}

/** The end of `path` holding more than `count` line breaks (or all of it); undefined when missing. */
async function tailText(path: string, count: number): Promise<string | undefined> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    const { size } = await handle.stat()
    let position = size
    let text = ''
    // Read backwards until the buffer holds more than `count` line breaks or the file is read.
    while (position > 0 && newlines(text) <= count) {
      const length = Math.min(TAIL_CHUNK_BYTES, position)
      position -= length
      const buffer = Buffer.alloc(length)
      await handle.read(buffer, 0, length, position)
      text = buffer.toString('utf8') + text
    }
    return text
  } finally {
    await handle.close()
  }
}

/**
 * The rotated files of `path` newer than the file `inode` was (oldest first), opened: those
 * after it when it is still among them, all of them when it has been rotated out.
 */
async function rotatedSince(path: string, inode: number | undefined): Promise<FileHandle[]> {
  if (inode === undefined) return []
  const newer: FileHandle[] = []
  for (let index = 1; index <= TAIL_MAX_ROTATED_FILES; index += 1) {
    const handle = await openIfExists(`${path}.${index}`)
    if (handle === undefined) break
    if ((await handle.stat()).ino === inode) {
      await handle.close()
      break
    }
    newer.unshift(handle)
  }
  return newer
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/**
 * Calls `onLine` for every line appended to `path` after the call, until `signal` aborts.
 * Polls (a file written by another process sends no event this process could wait for
 * reliably across platforms). Keeps the file open: when `path` names a new file (a rotation
 * renamed the old one away), it reads the old one to its end first, then the new one from its start.
 */
export async function followLines(
  path: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  let handle = await openIfExists(path)
  let inode = handle ? (await handle.stat()).ino : undefined
  let position = handle ? (await handle.stat()).size : 0
  let partial = ''
  const readToEnd = async () => {
    if (!handle) return
    const { size } = await handle.stat()
    if (size < position) position = 0 // truncated in place
    if (size <= position) return
    const buffer = Buffer.alloc(size - position)
    await handle.read(buffer, 0, buffer.length, position)
    position = size
    const lines = (partial + buffer.toString('utf8')).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) onLine(line)
  }
  try {
    while (!signal.aborted) {
      await readToEnd()
      const current = await stat(path).catch(() => undefined)
      if (current !== undefined && current.ino !== inode) {
        // The writer closes the old file before renaming it: what is in it now is all of it.
        await readToEnd()
        await handle?.close()
        // Several rotations since the last poll: the files between the old one and the new.
        for (const between of await rotatedSince(path, inode)) {
          handle = between
          position = 0
          await readToEnd()
          await between.close()
        }
        handle = await openIfExists(path)
        inode = handle ? (await handle.stat()).ino : undefined
        position = 0
        continue
      }
      await sleep(stackDefaults.followPollIntervalMs, undefined, { signal }).catch(() => {})
    }
  } finally {
    await handle?.close()
  }
}
