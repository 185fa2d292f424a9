/**
 * Where the stack's files live in the repository, found from this file (src/ or dist/
 * alike) so every tool works from any working directory. The one home of the repo root.
 */
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** packages/stack/{src,dist}/paths.* -> the repository root */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..')

/** The load balancer's template, rendered by nginx-config.ts and by the container's entrypoint. */
export const NGINX_TEMPLATE_PATH = join(REPO_ROOT, 'infra', 'nginx', 'nginx.conf.template')

export const PROMETHEUS_DIR = join(REPO_ROOT, 'prometheus')
export const PROMETHEUS_TEMPLATE_PATH = join(PROMETHEUS_DIR, 'prometheus.yml.template')
export const PROMETHEUS_RULES_DIR = join(PROMETHEUS_DIR, 'rules')
/** mtail's program for nginx's JSON access log */
export const MTAIL_PROGRAM_PATH = join(PROMETHEUS_DIR, 'mtail', 'nginx-access.mtail')
