/**
 * A slowloris client, for the tests of the lifecycle and of nginx (slow clients are cut off): opens a connection, sends a request line, then one header
 * byte per interval, and reports when the server closed the connection. Bounded: it gives up
 * after `maxBytes` bytes (the test then fails), so a server that never cuts it off costs the
 * test a known time, not forever.
 */
import { connect } from 'node:net'

export interface SlowClient {
  /** milliseconds from the connection to its close by the server; null if it was never closed */
  closedAfterMs: Promise<number | null>
  /** what the server answered before closing, if anything */
  received: () => string
  /** Ends the client's own socket (test cleanup). */
  destroy(): void
}

export function slowClient(
  port: number,
  { intervalMs = 1000, maxBytes = 20, path = '/health' } = {},
): SlowClient {
  const socket = connect({ host: '127.0.0.1', port })
  let received = ''
  let timer: NodeJS.Timeout | undefined
  const openedAt = performance.now()
  const closedAfterMs = new Promise<number | null>((resolve) => {
    let sent = 0
    socket.once('connect', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `)
      timer = setInterval(() => {
        if (sent >= maxBytes) {
          clearInterval(timer)
          socket.destroy()
          return resolve(null)
        }
        sent++
        socket.write('a')
      }, intervalMs)
    })
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8')
    })
    socket.once('close', () => {
      clearInterval(timer)
      resolve(sent >= maxBytes ? null : performance.now() - openedAt)
    })
    socket.on('error', () => {})
  })
  return {
    closedAfterMs,
    received: () => received,
    destroy: () => {
      clearInterval(timer)
      socket.destroy()
    },
  }
}
