/**
 * Where the stack's files live in the repository, found from this file (src/ or dist/
 * alike) so every tool works from any working directory. The one home of the repo root.
 */
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { portOffsetFromEnv } from './topology.js'

/** packages/stack/{src,dist}/paths.* -> the repository root */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')

/** The load balancer's template, rendered by nginx-config.ts and by the container's entrypoint. */
export const NGINX_TEMPLATE_PATH = join(REPO_ROOT, 'infra', 'nginx', 'nginx.conf.template')

export const PROMETHEUS_DIR = join(REPO_ROOT, 'prometheus')
export const PROMETHEUS_TEMPLATE_PATH = join(PROMETHEUS_DIR, 'prometheus.yml.template')
export const PROMETHEUS_RULES_DIR = join(PROMETHEUS_DIR, 'rules')
/** mtail's program for nginx's JSON access log */
export const MTAIL_PROGRAM_PATH = join(PROMETHEUS_DIR, 'mtail', 'nginx-access.mtail')
/** Every mtail program: the access log's and the membership log's (lb-membership.mtail). */
export const MTAIL_PROGRAMS_DIR = join(PROMETHEUS_DIR, 'mtail')

/**
 * Where native stacks keep their state (logs, pid files, Prometheus data, reports): .lab/ in
 * the repository, or LAB_STATE_DIR; one dir per LAB_PORT_OFFSET so two stacks share nothing.
 */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAB_STATE_DIR ? resolve(env.LAB_STATE_DIR) : join(REPO_ROOT, '.lab')
}

export function stackDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateRoot(env), `stack-${portOffsetFromEnv(env)}`)
}

/** The running stack's state file: its control API's URL and its processes (see @production-lab/control's state-file.ts). */
export function stackStateFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stackDir(env), 'stack.json')
}

/**
 * The running stack's control API bearer token: generated at every start, a file only the
 * user can read (0600); the lab CLI and the health-watcher read it (docs/security.md).
 */
export function controlTokenFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(stackDir(env), 'control-token')
}
