/** Where infra/k8s's committed outputs live, from src/ or dist/ alike; the repo's own paths are @production-lab/stack's. */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export { PROMETHEUS_RULES_DIR, PROMETHEUS_TEMPLATE_PATH, REPO_ROOT } from '@production-lab/stack'

/** infra/k8s (this package) */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
