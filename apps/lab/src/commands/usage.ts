/** The verbs' shared argument checks: a usage error exits 2 with a message that names what is wrong. */
import { APP_SERVICES, canonicalName, INFRA_SERVICES } from '@production-lab/stack'
import { UsageError } from '../verb.js'

export { UsageError }

export function knownNames(): string {
  const apps = APP_SERVICES.map((service) => `${service.name} (${service.aliases.join(', ')})`)
  return [...apps, 'nginx_lb (nginx, lb)', ...INFRA_SERVICES.filter((name) => name !== 'nginx_lb')].join(', ')
}

/** Canonical names for the services named on the command line; at least one. */
export function serviceNames(positionals: string[], usage: string): string[] {
  if (positionals.length === 0) throw new UsageError(`no service named\n${usage}`)
  return positionals.map((name) => {
    const canonical = canonicalName(name)
    if (!canonical)
      throw new UsageError(`unknown service ${JSON.stringify(name)}: expected one of ${knownNames()}`)
    return canonical
  })
}

export function nonNegativeNumber(raw: string | undefined, option: string): number | undefined {
  if (raw === undefined) return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0)
    throw new UsageError(`${option} ${JSON.stringify(raw)} is invalid: expected a number >= 0`)
  return value
}
