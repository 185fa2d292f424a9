/**
 * A real HTTP server for the load tests, on 127.0.0.1 in this engineer's port range.
 * Paths choose the behaviour: /ok, /status/NNN, /slow/MS, /reset (destroys the socket),
 * /hang (never answers), /flaky/N (503 for the first N attempts of each x-request-id),
 * /replica (alternates FAST_REPLICA_1 x3, FAST_REPLICA_2 x1, as a 3:1 balancer would).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TestServer {
  url: string
  port: number
  /** requests being handled right now, and the most at once */
  inFlight: number
  maxInFlight: number
  received: number
  close(): Promise<void>
}

let nextPort = 17300 + (process.pid % 40)

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

export async function startTestServer(): Promise<TestServer> {
  const attemptsById = new Map<string, number>()
  const hanging = new Set<ServerResponse>()
  let replicaTurn = 0
  const state = { inFlight: 0, maxInFlight: 0, received: 0 }
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const [, kind, arg] = url.pathname.split('/')
    for await (const _chunk of req) {
      // Drain the body so keep-alive stays usable.
    }
    switch (kind) {
      case 'ok':
        return json(res, 200, { service: 'TEST' })
      case 'status':
        return json(res, Number(arg), { error: `STATUS_${arg}` })
      case 'slow':
        await new Promise((resolve) => setTimeout(resolve, Number(arg)))
        return json(res, 200, { service: 'SLOW' })
      case 'reset':
        req.socket.destroy()
        return
      case 'hang':
        hanging.add(res)
        return
      case 'flaky': {
        const id = String(req.headers['x-request-id'])
        const seen = (attemptsById.get(id) ?? 0) + 1
        attemptsById.set(id, seen)
        return seen <= Number(arg)
          ? json(res, 503, { error: 'OVERLOADED' })
          : json(res, 200, { service: 'TEST' })
      }
      case 'replica': {
        // ?waitMs=N: answers after N ms, for runs that must take time one request at a time
        const waitMs = Number(url.searchParams.get('waitMs') ?? 0)
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs))
        return json(res, 200, { service: replicaTurn++ % 4 === 2 ? 'FAST_REPLICA_2' : 'FAST_REPLICA_1' })
      }
      default:
        return json(res, 404, { error: 'NOT_FOUND' })
    }
  }
  const server: Server = createServer((req, res) => {
    state.received++
    state.inFlight++
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight)
    res.once('close', () => state.inFlight--)
    void handle(req, res)
  })
  const port = await listenInRange(server)
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get inFlight() {
      return state.inFlight
    },
    get maxInFlight() {
      return state.maxInFlight
    },
    get received() {
      return state.received
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function listenInRange(server: Server): Promise<number> {
  for (let tries = 0; tries < 60; tries++) {
    const port = nextPort
    nextPort = nextPort >= 17399 ? 17300 : nextPort + 1
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => resolve(true))
    })
    if (ok) return (server.address() as AddressInfo).port
  }
  throw new Error('no free port in 17300-17399 for the test server')
}

/** A port in range that nothing listens on (a closed port answers connection refused). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  const port = await listenInRange(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
