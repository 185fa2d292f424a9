/**
 * The control API's bearer token on disk: written by the supervisor at every start into a
 * file only the user can read (0600; a file another local user could read would be no lock),
 * read by the lab CLI and the health-watcher. docs/security.md says what it protects.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Writes `token` to `path` with mode 0600 (whole, then renamed: a reader never sees half). */
export function writeTokenFile(path: string, token: string): void {
  mkdirSync(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, `${token}\n`, { mode: 0o600 })
  // The mode above is masked by the umask only towards fewer bits; set it exactly anyway.
  chmodSync(temporary, 0o600)
  renameSync(temporary, path)
}

/** The token in `path`, or undefined when there is no such file. */
export function readTokenFile(path: string): string | undefined {
  if (!existsSync(path)) return undefined
  const token = readFileSync(path, 'utf8').trim()
  return token === '' ? undefined : token
}

export function removeTokenFile(path: string): void {
  rmSync(path, { force: true })
}
