/** Where the dashboards' files live in the repository (the stack's files: @production-lab/stack's paths). */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** grafana/ (this package), from src/ or dist/ alike */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..')
export const DASHBOARDS_DIR = join(PACKAGE_DIR, 'dashboards')
export const PROVISIONING_DIR = join(PACKAGE_DIR, 'provisioning')
