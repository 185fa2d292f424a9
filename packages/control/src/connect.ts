/**
 * Which stack a client talks to, chosen in one place: `connectTarget('native')` for the stack
 * the supervisor runs (its control API, found through its state file),
 * `connectTarget('compose')` for the compose stack (the Docker Engine API on DOCKER_HOST's
 * socket, and the ports docker-compose.yml publishes).
 */
import { existsSync } from 'node:fs'
import {
  APP_SERVICES,
  BASE_PORTS,
  COMPOSE_ADMIN_TOKEN_FILE,
  controlTokenFile,
  portOffsetFromEnv,
  stackPorts,
  stackStateFile,
} from '@production-lab/stack'
import { ComposeTarget } from './compose.js'
import { NativeTarget } from './native.js'
import { readStackState } from './state-file.js'
import { ControlError, type ControlTarget, type StackEndpoints } from './target.js'
import { readTokenFile } from './token-file.js'

/** The stack a client talks to: the same word as ControlTarget's kind. */
export type TargetKind = ControlTarget['kind']
export const TARGET_KINDS: TargetKind[] = ['native', 'compose']

export interface ConnectedTarget {
  target: ControlTarget
  endpoints: StackEndpoints
}

/**
 * The native stack of this LAB_PORT_OFFSET: its control API from the state file (or the
 * topology's port), its bearer token from the control-token file, and the services' admin
 * token from the state file (both readable by the user only; the API never returns a token).
 */
export async function connectNative(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ConnectedTarget & { target: NativeTarget }> {
  const statePath = stackStateFile(env)
  const state = readStackState(statePath)
  const token = readTokenFile(controlTokenFile(env))
  const target = new NativeTarget(
    env.LAB_CONTROL_URL ??
      state?.controlUrl ??
      `http://127.0.0.1:${stackPorts(portOffsetFromEnv(env)).control}`,
    token === undefined ? {} : { token },
  )
  try {
    const endpoints = await target.endpoints()
    return { target, endpoints: { ...endpoints, adminToken: state?.endpoints.adminToken ?? '' } }
  } catch (error) {
    await target.close()
    if (!(error instanceof ControlError) || existsSync(statePath)) throw error
    throw new ControlError(`${error.message} (no ${statePath})`, error.code)
  }
}

/** The Engine API socket: DOCKER_HOST=unix:///path, else the default /var/run/docker.sock. */
function dockerSocket(env: NodeJS.ProcessEnv): string {
  const host = env.DOCKER_HOST
  if (host === undefined || host === '') return '/var/run/docker.sock'
  if (!host.startsWith('unix://')) {
    throw new ControlError(
      `DOCKER_HOST=${JSON.stringify(host)} is not supported: expected unix:///path/to/docker.sock`,
      'UNREACHABLE',
    )
  }
  return host.slice('unix://'.length)
}

/**
 * The compose stack as docker-compose.yml publishes it on 127.0.0.1: each port from its
 * variable (LB_PORT, APP_SLOW_PORT, ...; the same names docker-compose.yml reads), else the
 * guide's port; the admin token from ADMIN_TOKEN, else empty (connectCompose then reads the
 * token the stack generated).
 */
export function composeEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const port = (variable: string, fallback: number) => Number(env[variable] || fallback)
  return {
    loadBalancer: `http://127.0.0.1:${port('LB_PORT', BASE_PORTS.loadBalancer)}`,
    services: Object.fromEntries(
      APP_SERVICES.map((service) => [
        service.name,
        `http://127.0.0.1:${port(`${service.name.toUpperCase()}_PORT`, service.basePort)}`,
      ]),
    ),
    prometheus: `http://127.0.0.1:${port('PROMETHEUS_PORT', BASE_PORTS.prometheus)}`,
    adminToken: env.ADMIN_TOKEN ?? '',
  }
}

/**
 * The compose stack through DOCKER_HOST's socket. Without ADMIN_TOKEN, the admin token is the one
 * the stack generated (docker-compose.yml's secrets-init), read out of an app's secrets volume.
 */
export async function connectCompose(env: NodeJS.ProcessEnv = process.env): Promise<ConnectedTarget> {
  const target = new ComposeTarget({ socketPath: dockerSocket(env) })
  try {
    await target.ping()
    const endpoints = composeEndpoints(env)
    if (endpoints.adminToken === '') endpoints.adminToken = await generatedAdminToken(target)
    return { target, endpoints }
  } catch (error) {
    await target.close()
    throw error
  }
}

/** The token file out of the first app container that can show it (a stopped one may not). */
async function generatedAdminToken(target: ComposeTarget): Promise<string> {
  const problems: string[] = []
  for (const { name } of APP_SERVICES) {
    try {
      return (await target.readFile(name, COMPOSE_ADMIN_TOKEN_FILE)).toString('utf8').trim()
    } catch (error) {
      if (!(error instanceof ControlError) || error.code === 'UNREACHABLE') throw error
      problems.push(`${name}: ${error.message}`)
    }
  }
  throw new ControlError(
    `ADMIN_TOKEN is not set and the stack's generated token (${COMPOSE_ADMIN_TOKEN_FILE}) could not be read (${problems.join('; ')}): start the stack (docker compose up -d) or set ADMIN_TOKEN`,
    'UNKNOWN_SERVICE',
  )
}

export async function connectTarget(kind: TargetKind): Promise<ConnectedTarget> {
  switch (kind) {
    case 'native':
      return connectNative()
    case 'compose':
      return connectCompose()
  }
}
