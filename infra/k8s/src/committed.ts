/** The committed YAML under infra/k8s, as files and as the objects a kustomization lists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { parse, parseAllDocuments } from 'yaml'
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

// biome-ignore lint/suspicious/noExplicitAny: manifests are walked as plain YAML data
export type Manifest = Record<string, any>

/** Objects of one kustomization directory (relative to infra/k8s), following `resources`. */
export function kustomizationObjects(dir: string, root = PACKAGE_DIR): Manifest[] {
  const kustomization = parse(readFileSync(join(root, dir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[]
  }
  return kustomization.resources.flatMap((resource) =>
    resource.endsWith('.yaml')
      ? parseAllDocuments(readFileSync(join(root, dir, resource), 'utf8')).map(
          (doc) => doc.toJS() as Manifest,
        )
      : kustomizationObjects(join(dir, resource), root),
  )
}
