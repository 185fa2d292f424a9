/** What both container tests run: commands as promises, and the scripts in infra/docker (the entrypoints). */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { REPO_ROOT } from '@production-lab/stack'

export const run = promisify(execFile)
export const DOCKER_DIR = join(REPO_ROOT, 'infra/docker')
