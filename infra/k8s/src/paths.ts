/** Where infra/k8s's inputs and committed outputs live, from src/ or dist/ alike. */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** infra/k8s (this package) */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_ROOT = join(PACKAGE_DIR, '..', '..')
export const PROMETHEUS_RULES_DIR = join(REPO_ROOT, 'prometheus', 'rules')
