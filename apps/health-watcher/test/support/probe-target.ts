/**
 * A real HTTP server answering /health/live and /health/ready like a lifecycle service, whose
 * behaviour a test switches: healthy, draining, not ready, hung (accepts, never answers), or
 * gone (not listening). It counts the probes it receives and the connections open to it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Behaviour = 'healthy' | 'draining' | 'not_ready' | 'hang'

export class ProbeTarget {
  behaviour: Behaviour = 'healthy'
  probes = 0
  /**
   * Liveness probes still to be answered only after blocking this whole process for
   * `freezeMs`: the watcher runs in the same process, so it is frozen mid-probe too, as a
   * container whose CPU quota is spent (the probe's timeout fires before the answer is read).
   */
  freezes = 0
  freezeMs = 0
  readonly #sockets = new Set<Socket>()
  #server: Server | undefined
  #port = 0

  get url(): string {
    return `http://127.0.0.1:${this.#port}`
  }

  get openConnections(): number {
    return this.#sockets.size
  }

  /** Listens (on the same port as before, after a close). */
  async open(): Promise<void> {
    const server = createServer((request, response) => this.#answer(request, response))
    server.on('connection', (socket) => {
      this.#sockets.add(socket)
      socket.once('close', () => this.#sockets.delete(socket))
    })
    await new Promise<void>((resolve) => server.listen(this.#port, '127.0.0.1', resolve))
    this.#port = (server.address() as AddressInfo).port
    this.#server = server
  }

  /** Stops listening and drops every connection, as a crashed process does. */
  async close(): Promise<void> {
    const server = this.#server
    if (!server) return
    this.#server = undefined
    for (const socket of this.#sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  }

  #answer(request: IncomingMessage, response: ServerResponse): void {
    this.probes += 1
    if (this.behaviour === 'hang') return
    if (this.freezes > 0 && request.url === '/health/live') {
      this.freezes -= 1
      const until = performance.now() + this.freezeMs
      while (performance.now() < until) {
        // blocked: nothing else in this process runs
      }
    }
    const [status, body] = this.#answerFor(request.url)
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  }

  #answerFor(url: string | undefined): [number, unknown] {
    const state = this.behaviour === 'draining' ? 'draining' : 'ready'
    if (url === '/health/live') return [200, { status: 'alive', service: 'TEST', state }]
    if (url !== '/health/ready') return [404, { error: 'NOT_FOUND' }]
    if (this.behaviour === 'healthy') return [200, { status: 'ready', service: 'TEST' }]
    const reasons = this.behaviour === 'draining' ? ['draining'] : ['overloaded']
    return [503, { status: 'not_ready', service: 'TEST', reasons }]
  }
}
