/** Test helpers: real nginx started as a child process on a rendered config, and tiny upstreams. */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { type NginxVars, renderNginxConfig } from '../src/nginx-config.js'

const run = promisify(execFile)
/** Debian installs nginx to /usr/sbin, which is not on every user's PATH. */
export const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx'

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nginx-config-test-'))
}

/** Writes the rendering and runs `nginx -t` on it; resolves with nginx's output or rejects with it. */
export async function nginxTest(config: string, dir = tempDir(), wrap: string[] = []): Promise<string> {
  const file = join(dir, 'nginx.conf')
  writeFileSync(file, config)
  const args = [NGINX, '-t', '-p', `${dir}/`, '-c', file, '-e', join(dir, 'startup-error.log')]
  const [command, ...rest] = [...wrap, ...args] as [string, ...string[]]
  const { stderr } = await run(command, rest)
  return stderr
}

export interface RunningNginx {
  url: string
  statusUrl: string
  stop(): Promise<void>
}

/** `transform`: a test's edit of the rendering (a limit lowered to be reachable), applied before start. */
export async function startNginx(
  vars: NginxVars,
  transform: (config: string) => string = (config) => config,
): Promise<RunningNginx> {
  const file = join(vars.NGINX_RUNTIME_DIR, 'nginx.conf')
  writeFileSync(file, transform(renderNginxConfig(vars)))
  const child: ChildProcess = spawn(
    NGINX,
    ['-p', `${vars.NGINX_RUNTIME_DIR}/`, '-c', file, '-e', '/dev/stderr', '-g', 'daemon off;'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  )
  const url = `http://${vars.LB_LISTEN}`
  const deadline = Date.now() + 10_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`)
    const ok = await fetch(`${url}/lb-health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) throw new Error('nginx did not answer /lb-health within 10 s')
    await sleep(50)
  }
  return {
    url,
    statusUrl: `http://${vars.NGINX_STATUS_LISTEN}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGQUIT')
      await exited
    },
  }
}

export type UpstreamMode = 'ok' | 'slow' | 'reset' | 'unavailable'

/** A stand-in backend answering {"service": name}; counts hits per method; behaviour switchable. */
export class Upstream {
  mode: UpstreamMode = 'ok'
  slowMs = 6000
  readonly hits: Array<{
    method: string
    url: string
    requestId: string | undefined
    requestStart: string | undefined
  }> = []
  readonly #server: Server

  constructor(
    readonly name: string,
    readonly port: number,
  ) {
    this.#server = createServer((request, response) => this.#handle(request, response))
    this.#server.keepAliveTimeout = 75_000
  }

  get address(): string {
    return `127.0.0.1:${this.port}`
  }

  get listening(): boolean {
    return this.#server.listening
  }

  async listen(): Promise<void> {
    this.#server.listen(this.port, '127.0.0.1')
    await once(this.#server, 'listening')
  }

  async close(): Promise<void> {
    if (!this.#server.listening) return
    const closed = once(this.#server, 'close')
    this.#server.close()
    this.#server.closeAllConnections()
    await closed
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    request.resume()
    this.hits.push({
      method: request.method ?? '',
      url: request.url ?? '',
      requestId: request.headers['x-request-id'] as string | undefined,
      requestStart: request.headers['x-request-start'] as string | undefined,
    })
    const body = JSON.stringify({ service: this.name })
    switch (this.mode) {
      case 'reset':
        request.socket.destroy()
        return
      case 'unavailable':
        response
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: 'SHUTTING_DOWN' }))
        return
      case 'slow': {
        const timer = setTimeout(() => response.end(body), this.slowMs)
        response.on('close', () => clearTimeout(timer))
        return
      }
      case 'ok':
        response.writeHead(200, { 'content-type': 'application/json' }).end(body)
    }
  }
}

export interface RawAnswer {
  status: number
  headers: string
  body: string
}

/**
 * Sends `text` as is on a new connection (for request shapes no HTTP client would send) and
 * reads until the server closes or `timeoutMs` passes; status 0 when nothing came back.
 */
export function rawRequest(port: number, text: string | Buffer, timeoutMs = 3000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let received = ''
    const done = () => {
      clearTimeout(timer)
      socket.destroy()
      const [head = '', ...rest] = received.split('\r\n\r\n')
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)
      resolve({ status, headers: head, body: rest.join('\r\n\r\n') })
    }
    const timer = setTimeout(done, timeoutMs)
    socket.on('connect', () => socket.write(text))
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8')
    })
    socket.on('error', () => {})
    socket.on('close', done)
  })
}
