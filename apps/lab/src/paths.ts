/**
 * Where the lab lives on disk: the repo root (found from this file, so `lab` works from any
 * working directory) and the native stack's state dir, one per LAB_PORT_OFFSET so two
 * stacks never share logs, pid files or Prometheus data.
 */
import { join, resolve } from 'node:path'
import { portOffsetFromEnv, REPO_ROOT } from '@production-lab/stack'

export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAB_STATE_DIR ? resolve(env.LAB_STATE_DIR) : join(REPO_ROOT, '.lab')
}

export function stackDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(env), `stack-${portOffsetFromEnv(env)}`)
}

export function stackStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stackDir(env), 'stack.json')
}
