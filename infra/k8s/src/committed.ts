/** The generated YAML files present under infra/k8s (the user's secrets.env is not one). */
import { existsSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { PACKAGE_DIR } from './paths.js'

export const GENERATED_DIRS = ['base', 'overlays', 'prometheus-operator']

export function committedFiles(): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.yaml')) found.push(relative(PACKAGE_DIR, path))
    }
  }
  for (const dir of GENERATED_DIRS) if (existsSync(join(PACKAGE_DIR, dir))) walk(join(PACKAGE_DIR, dir))
  return found.sort()
}
