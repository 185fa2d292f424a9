/**
 * The containers' CPU and memory limits come from docker-compose.yml (`cpus`, `mem_limit`), the
 * one place the lab sets them, so the cluster's pods are limited as the compose containers are
 * (the writer's 0.5 core / 512 MiB are the guide's). Requests are the cluster's own business.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { REPO_ROOT } from './paths.js'

interface ComposeService {
  cpus?: number | string
  mem_limit?: string
  environment?: Record<string, string | number>
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }

/** Compose's byte values: 512m, 128m, 1g, 1048576. */
export function composeBytes(value: string): number {
  const match = /^(\d+)([bkmg]?)$/i.exec(value.trim())
  const unit = UNITS[match?.[2]?.toLowerCase() ?? 'x']
  if (!match || unit === undefined) throw new Error(`docker-compose.yml: cannot read mem_limit ${value}`)
  return Number(match[1]) * unit
}

let services: Record<string, ComposeService> | undefined

function composeService(service: string): ComposeService | undefined {
  services ??= (
    parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, ComposeService>
    }
  ).services
  return services[service]
}

/** One environment variable a compose service sets, e.g. the writer's WRITER_DATA_DIR. */
export function composeEnv(service: string, name: string): string {
  const value = composeService(service)?.environment?.[name]
  if (value === undefined) throw new Error(`docker-compose.yml: service ${service} sets no ${name}`)
  return String(value)
}

/** cpus (cores) and mem_limit (bytes) of a compose service, e.g. `writer`. */
export function composeLimits(service: string): { cpus: number; memoryBytes: number } {
  const found = composeService(service)
  if (found?.cpus === undefined || found.mem_limit === undefined) {
    throw new Error(`docker-compose.yml: service ${service} has no cpus and mem_limit`)
  }
  return { cpus: Number(found.cpus), memoryBytes: composeBytes(found.mem_limit) }
}
