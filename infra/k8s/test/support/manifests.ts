/**
 * The committed YAML as the tests read it: every object of an overlay (base/ plus the
 * overlay's own files, as its kustomization lists them), with small lookups over them.
 * The tests read the rendered files, not the TypeScript, so they check what a cluster gets.
 */
import { join } from 'node:path'
import { kustomizationObjects, type Manifest } from '../../src/committed.js'
import { PACKAGE_DIR } from '../../src/paths.js'

export { kustomizationObjects, type Manifest }

export const OVERLAYS = ['lab', 'scale'] as const
export type OverlayName = (typeof OVERLAYS)[number]

export function overlayObjects(overlay: OverlayName, root = PACKAGE_DIR): Manifest[] {
  return kustomizationObjects(join('overlays', overlay), root)
}

export const ofKind = (objects: Manifest[], kind: string) => objects.filter((o) => o.kind === kind)

/** Every pod template of the workloads, with its owner's name. */
export function podTemplates(objects: Manifest[]): Array<{ owner: Manifest; template: Manifest }> {
  return ofKind(objects, 'Deployment').map((owner) => ({ owner, template: owner.spec.template }))
}

/** True when every key/value of `selector` (matchLabels and In/NotIn/Exists expressions) holds for `labels`. */
export function selects(selector: Manifest | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false
  const plain = selector.matchLabels ?? (selector.matchExpressions ? {} : selector)
  const byLabels = Object.entries(plain as Record<string, string>).every(([k, v]) => labels[k] === v)
  const byExpressions = (selector.matchExpressions ?? []).every(
    (e: { key: string; operator: string; values?: string[] }) =>
      e.operator === 'In'
        ? e.values?.includes(labels[e.key] ?? '')
        : e.operator === 'NotIn'
          ? !e.values?.includes(labels[e.key] ?? '')
          : e.operator === 'Exists'
            ? e.key in labels
            : !(e.key in labels),
  )
  return byLabels && byExpressions
}

/** Every container of every pod template, with the owning workload. */
export function containers(
  objects: Manifest[],
): Array<{ owner: Manifest; pod: Manifest; container: Manifest }> {
  return podTemplates(objects).flatMap(({ owner, template }) =>
    (template.spec.containers as Manifest[]).map((container) => ({ owner, pod: template.spec, container })),
  )
}

/** The environment a container gets, secret references replaced by a placeholder that passes the schemas. */
export function containerEnv(container: Manifest): Record<string, string> {
  return Object.fromEntries(
    ((container.env ?? []) as Manifest[]).map((v) => [
      v.name,
      v.value ?? 'secret-value-from-the-users-secret',
    ]),
  )
}
