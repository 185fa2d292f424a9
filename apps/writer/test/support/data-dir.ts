/**
 * A fresh data directory (WRITER_DATA_DIR) per writer under test, in the OS temp dir, removed
 * when the test process exits: every test gets a real SQLite file and none sees another's rows.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const made: string[] = []
process.once('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true })
})

export function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'writer-test-'))
  made.push(dir)
  return dir
}
