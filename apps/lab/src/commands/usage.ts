/** Command-line parsing shared by the verbs: a usage error exits 2 with a message that names what is wrong. */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { APP_SERVICES, canonicalName, INFRA_SERVICES } from '@production-lab/stack'

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`)
  }
}

export function knownNames(): string {
  const apps = APP_SERVICES.map((service) => `${service.name} (${service.aliases.join(', ')})`)
  return [...apps, 'nginx_lb (nginx, lb)', ...INFRA_SERVICES.filter((name) => name !== 'nginx_lb')].join(', ')
}

/** Canonical names for the services named on the command line; at least one. */
export function serviceNames(positionals: string[], usage: string): string[] {
  if (positionals.length === 0) throw new UsageError(`no service named\nusage: ${usage}`)
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
