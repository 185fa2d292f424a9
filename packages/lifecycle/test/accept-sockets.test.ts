/**
 * The extra accept sockets against a real busy event loop: a child process opens a burst of
 * connections while every iteration of this process's loop is busy for 20 ms, as a half-core
 * writer under load is. Counted in loop iterations, not milliseconds, so a slow machine does
 * not change the outcome: one socket takes one connection per iteration; eight take the
 * burst in a fraction of that. The loop starts only once the whole burst is connected (queued
 * in the kernel, not yet accepted): on a starved machine the client otherwise connects over many
 * iterations and there is no burst to take (run23, two CPU burners: 27 iterations against 51). Every connection reaches the HTTP server, and stopListening() leaves
 * nothing listening.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { type AddressInfo, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { type AcceptSockets, assertPortFree, listenExtraAcceptSockets } from '../src/accept-sockets.js'

const HOST = '127.0.0.1'
const BURST = 40
const BUSY_ITERATION_MS = 20
/** ms the whole burst may take to connect (the client starts a Node process first) */
const QUEUED_TIMEOUT_MS = 30_000

/**
 * Opens BURST connections at once, sends one request on each, writes the flag file once every
 * connection is established (the kernel completes handshakes without an accept), and exits 0
 * once every answer came.
 */
const CLIENT = `
const net = require('node:net')
const fs = require('node:fs')
const [port, count] = process.argv.slice(1, 3).map(Number)
const flag = process.argv[3]
let answered = 0
let connected = 0
for (let i = 0; i < count; i++) {
  const socket = net.connect(port, '${HOST}', () => {
    socket.write('GET / HTTP/1.1\\r\\nHost: lab\\r\\nConnection: close\\r\\n\\r\\n')
    if (++connected === count) fs.writeFileSync(flag, 'queued')
  })
  socket.on('data', () => {})
  socket.on('end', () => { if (++answered === count) process.exit(0) })
  socket.on('error', (error) => { console.error(error.message); process.exit(1) })
}
`

async function listen(
  extra: number,
): Promise<{ http: Server; sockets: AcceptSockets | undefined; port: number }> {
  const http = createServer((_request, response) => response.end('ok'))
  await new Promise<void>((resolve) => http.listen({ host: HOST, port: 0, reusePort: extra > 0 }, resolve))
  const { port } = http.address() as AddressInfo
  const sockets = extra > 0 ? await listenExtraAcceptSockets(http, { host: HOST, port, extra }) : undefined
  return { http, sockets, port }
}

async function close({ http, sockets }: Awaited<ReturnType<typeof listen>>): Promise<void> {
  sockets?.stopListening()
  http.closeAllConnections()
  await new Promise((resolve) => http.close(resolve))
}

/**
 * Blocks this thread (so its loop accepts nothing) until the client says the whole burst is
 * connected; sleeps between looks instead of spinning, to leave the client the CPU.
 */
function waitBlockingFor(flag: string, clientPid: number | undefined): void {
  const deadline = performance.now() + QUEUED_TIMEOUT_MS
  const nap = new Int32Array(new SharedArrayBuffer(4))
  while (!existsSync(flag)) {
    if (performance.now() > deadline)
      assert.fail(
        `the client (pid ${clientPid}) had not connected all ${BURST} within ${QUEUED_TIMEOUT_MS} ms`,
      )
    Atomics.wait(nap, 0, 0, 5)
  }
}

/** Loop iterations, each busy for BUSY_ITERATION_MS, until the burst's BURST requests arrived. */
async function iterationsToTakeBurst(extra: number): Promise<number> {
  const server = await listen(extra)
  let received = 0
  server.http.on('request', () => {
    received += 1
  })
  const flag = join(mkdtempSync(join(tmpdir(), 'accept-burst-')), 'queued')
  const client = spawn(process.execPath, ['-e', CLIENT, String(server.port), String(BURST), flag], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => client.once('exit', resolve))
  waitBlockingFor(flag, client.pid)
  let iterations = 0
  await new Promise<void>((resolve) => {
    const busyIteration = () => {
      if (received >= BURST) return resolve()
      iterations += 1
      const end = performance.now() + BUSY_ITERATION_MS
      while (performance.now() < end) {
        // Busy, as a loop serving requests at its CPU limit is; accepts wait for the next poll phase.
      }
      setImmediate(busyIteration)
    }
    setImmediate(busyIteration)
  })
  assert.equal(await exited, 0, 'every connection of the burst was answered')
  await close(server)
  return iterations
}

describe('extra accept sockets (SO_REUSEPORT)', () => {
  test('a burst of new connections to a busy loop is taken in a fraction of the iterations one socket needs', async () => {
    const single = await iterationsToTakeBurst(0)
    const eight = await iterationsToTakeBurst(7)
    // One socket: one connection per iteration, so about BURST iterations once the burst is queued.
    assert.ok(single >= BURST / 2, `one socket took the burst of ${BURST} in ${single} iterations`)
    assert.ok(eight * 2 < single, `eight sockets needed ${eight} iterations, one socket ${single}`)
  })

  test('a port some process listens on, even with SO_REUSEPORT, is refused before sharing it', async () => {
    const server = await listen(3)
    await assert.rejects(assertPortFree(HOST, server.port), { code: 'EADDRINUSE' })
    await close(server)
    await assertPortFree(HOST, server.port)
  })

  test('stopListening() stops every extra socket: the port refuses connections afterwards', async () => {
    const server = await listen(3)
    assert.equal(server.sockets?.count, 3)
    const { port } = server
    await close(server)
    const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
      const socket = connect(port, HOST)
      socket.once('connect', () => {
        socket.destroy()
        resolve(undefined)
      })
      socket.once('error', resolve)
    })
    assert.equal(error?.code, 'ECONNREFUSED')
  })
})
