/**
 * More listening sockets on the service's port, each handing its connections to the HTTP server.
 *
 * Why: since libuv 1.45 (Node >= 20, libuv#3696) a listening socket accepts ONE connection per
 * event-loop iteration. When a burst of new connections meets a busy loop (nginx opening 50
 * upstream connections at once to a writer held to half a core, whose iterations then take
 * 20-40 ms), the last of them wait in the kernel's accept queue for queue length x iteration
 * time, about 1 s, while the connections already accepted are served again and again. The
 * clients see a connect in 1 ms and an answer a second later. N sockets bound with
 * SO_REUSEPORT split that queue N ways and accept N connections per iteration.
 */
import type { Server as HttpServer } from 'node:http'
import { createServer, type Server } from 'node:net'
import { listenError } from '@production-lab/stack'

export interface AcceptSocketsOptions {
  host: string
  port: number
  /** listening sockets besides the HTTP server's own */
  extra: number
}

/**
 * Fails with EADDRINUSE when anything listens on host:port. Sockets bound with SO_REUSEPORT
 * share a port with any other process of the same user that does the same, so a second copy
 * of a service would silently take half the traffic; a plain bind first refuses that.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  const error = await listenError(port, host)
  if (error) throw error
}

/** Listens `extra` more sockets on host:port; the HTTP server must listen there with reusePort. */
export async function listenExtraAcceptSockets(
  http: HttpServer,
  { host, port, extra }: AcceptSocketsOptions,
): Promise<AcceptSockets> {
  const servers: Server[] = []
  const sockets = new AcceptSockets(servers)
  try {
    for (let i = 0; i < extra; i++) {
      // The HTTP server's 'connection' listener takes over the socket as if it had accepted it.
      const server = createServer((socket) => http.emit('connection', socket))
      servers.push(server)
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen({ host, port, reusePort: true }, () => {
          server.off('error', reject)
          resolve()
        })
      })
    }
  } catch (error) {
    sockets.stopListening()
    throw error
  }
  return sockets
}

export class AcceptSockets {
  readonly #servers: Server[]

  constructor(servers: Server[]) {
    this.#servers = servers
  }

  get count(): number {
    return this.#servers.length
  }

  /**
   * Stops accepting on every extra socket at once. It does not wait for their connections:
   * those belong to the HTTP server now, whose shutdown closes them (waiting here would wait
   * for a silent client the shutdown has not cut yet).
   */
  stopListening(): void {
    for (const server of this.#servers) if (server.listening) server.close()
  }
}
