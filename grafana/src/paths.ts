/** Where the observability files live in the repository. */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** grafana/ (this package), from src/ or dist/ alike */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
export const REPO_ROOT = join(PACKAGE_DIR, '..')
export const DASHBOARDS_DIR = join(PACKAGE_DIR, 'dashboards')
export const PROVISIONING_DIR = join(PACKAGE_DIR, 'provisioning')
export const PROMETHEUS_DIR = join(REPO_ROOT, 'prometheus')
