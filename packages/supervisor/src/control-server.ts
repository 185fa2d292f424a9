/**
 * The native stack's control API, on 127.0.0.1 only: the docker verbs over HTTP for the lab
 * runner, the health-watcher and `lab <verb>`. packages/control's NativeTarget is its client.
 *
 *   GET    /services                      ServiceStatus[] (with health)
 *   GET    /services/:name                ServiceInspect (limits, command, its config keys without secrets)
 *   GET    /services/:name/process        ProcessStatus: the supervisor's own record, no health probe
 *   POST   /services/:name/stop?timeoutS= stop signal, SIGKILL after the grace period; 204 once gone
 *   POST   /services/:name/start          204 once the process runs
 *   POST   /services/:name/restart?timeoutS=
 *   POST   /services/:name/kill?signal=   204 at once
 *   GET    /services/:name/logs?tail=N    {"lines": [...]}; with &follow=1 a text stream of new lines
 *   PUT    /services/:name/env            {"NAME":"value"}: keys of its config schema only, applied on
 *                                         every (re)start until DELETE; answers {"overrides": [names]}
 *   DELETE /services/:name/env
 *   GET    /endpoints                     StackEndpoints without the admin token
 * Every request needs a loopback Host, no Origin and the stack's bearer token (control-guard.ts).
 * Errors: {"error": CODE, "message": ...} with 404 (unknown service), 409 (refused), 400
 * (BAD_REQUEST, ENV_KEY_NOT_ALLOWED, ENV_INVALID), 401 UNAUTHORIZED, 403 FORBIDDEN_HOST /
 * FORBIDDEN_ORIGIN, 500. No answer carries a token or the process environment.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { ControlError, type StackEndpoints } from '@production-lab/control'
import { refusalOf } from './control-guard.js'
import { stackDefaults } from './defaults.js'
import { EnvRefused } from './env-overrides.js'
import { followLines, tailLines } from './log-file.js'
import type { Supervisor } from './supervisor.js'

const STATUS_OF: Record<ControlError['code'], number> = {
  UNKNOWN_SERVICE: 404,
  REFUSED: 409,
  UNREACHABLE: 502,
  FAILED: 500,
}
/** bytes: the largest request body (an env override) */
const MAX_BODY_BYTES = 64 * 1024
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

class BadRequest extends Error {}

function send(response: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    response.writeHead(status).end()
    return
  }
  const text = JSON.stringify(body)
  response
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    .end(text)
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of request) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new BadRequest(`body larger than ${MAX_BODY_BYTES} bytes`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (error) {
    throw new BadRequest(`body is not JSON: ${(error as Error).message}`)
  }
}

function parseEnv(body: unknown): Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequest('expected a JSON object of environment variables, e.g. {"READ_DELAY_MS":"-1"}')
  }
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(body)) {
    if (!ENV_NAME.test(name))
      throw new BadRequest(`${JSON.stringify(name)} is not a valid environment variable name`)
    if (typeof value !== 'string')
      throw new BadRequest(`${name} must be a string, got ${JSON.stringify(value)}`)
    env[name] = value
  }
  return env
}

function numberParam(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name)
  if (raw === null || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0)
    throw new BadRequest(`${name}=${JSON.stringify(raw)} is invalid: expected a number >= 0`)
  return value
}

export interface ControlServerOptions {
  supervisor: Supervisor
  endpoints: () => StackEndpoints
  /** the bearer token every request must carry (generated at the stack's start) */
  token: string
}

export interface ControlServer {
  server: Server
  /** Ends followed log streams and closes the listener. */
  close(): Promise<void>
}

export function createControlServer({ supervisor, endpoints, token }: ControlServerOptions): ControlServer {
  const followers = new Set<AbortController>()

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const refusal = refusalOf(request, token)
    if (refusal) {
      request.resume()
      return send(response, refusal.status, { error: refusal.code, message: refusal.message })
    }
    const url = new URL(request.url ?? '/', 'http://control')
    const method = request.method ?? 'GET'
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)

    if (method === 'GET' && url.pathname === '/endpoints') {
      const { adminToken: _never, ...shown } = endpoints()
      return send(response, 200, shown)
    }
    if (method === 'GET' && url.pathname === '/services') return send(response, 200, await supervisor.ps())
    if (parts[0] !== 'services' || parts[1] === undefined || parts.length > 3) {
      return send(response, 404, {
        error: 'NOT_FOUND',
        message: `${method} ${url.pathname} is not a control API route`,
      })
    }
    const process = supervisor.get(parts[1])
    const action = parts[2]
    const route = `${method} ${action ?? ''}`
    switch (route) {
      case 'GET ':
        return send(response, 200, await supervisor.inspect(process.name))
      case 'GET process':
        return send(response, 200, process.processStatus())
      case 'POST stop':
        await process.stop(numberParam(url, 'timeoutS'))
        return send(response, 204)
      case 'POST start':
        await process.start()
        return send(response, 204)
      case 'POST restart':
        await process.restart(numberParam(url, 'timeoutS'))
        return send(response, 204)
      case 'POST kill':
        process.kill((url.searchParams.get('signal') ?? 'SIGKILL') as NodeJS.Signals)
        return send(response, 204)
      case 'PUT env':
        process.setEnvOverrides(parseEnv(await readJson(request)))
        return send(response, 200, { overrides: Object.keys(process.envOverrides) })
      case 'DELETE env':
        process.clearEnvOverrides()
        return send(response, 204)
      case 'GET logs': {
        const tail = numberParam(url, 'tail') ?? stackDefaults.logTailLines
        const lines = await tailLines(process.spec.logFile, tail)
        if (url.searchParams.get('follow') !== '1') return send(response, 200, { lines })
        // Streamed (chunked) until the client goes away or the stack stops.
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
        for (const line of lines) response.write(`${line}\n`)
        const abort = new AbortController()
        followers.add(abort)
        response.on('close', () => abort.abort())
        await followLines(process.spec.logFile, (line) => response.write(`${line}\n`), abort.signal)
        followers.delete(abort)
        response.end()
        return
      }
      default:
        return send(response, 404, {
          error: 'NOT_FOUND',
          message: `${method} ${url.pathname} is not a control API route`,
        })
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.end()
      if (error instanceof ControlError)
        return send(response, STATUS_OF[error.code], { error: error.code, message: error.message })
      if (error instanceof BadRequest)
        return send(response, 400, { error: 'BAD_REQUEST', message: error.message })
      if (error instanceof EnvRefused)
        return send(response, 400, { error: error.code, message: error.message })
      send(response, 500, { error: 'FAILED', message: (error as Error).message })
    })
  })
  return {
    server,
    close: () =>
      new Promise((resolve) => {
        for (const follower of followers) follower.abort()
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
