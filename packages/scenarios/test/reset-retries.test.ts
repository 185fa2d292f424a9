/**
 * The reset-retry bound (src/reset-retries.ts) on real loads over real sockets: a server that
 * resets reads the way an nginx reload does (the connection closed as a read arrives), read
 * with the scenarios' own retry (lbReadRetry). Every read answered after one retry must fail
 * the bound; resets within reloads x connections pass it.
 */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from 'node:test'
import { type LoadRun, runLoad } from '@production-lab/load'
import { lbReadRetry } from '../src/arrange.js'
import { resetRetries } from '../src/reset-retries.js'
import type { ScenarioContext } from '../src/types.js'

/** A server that resets the requests `reset(n)` picks (n counts from 1), and answers the others. */
async function serving(reset: (n: number) => boolean): Promise<{ server: Server; url: string }> {
  let n = 0
  const server = createServer((request, response) => {
    n += 1
    if (reset(n)) {
      request.socket.resetAndDestroy()
      return
    }
    response.end('{"service":"FAST_REPLICA_1"}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/read` }
}

async function reads(reset: (n: number) => boolean, requests: number): Promise<LoadRun> {
  const { server, url } = await serving(reset)
  try {
    return await runLoad({
      url,
      requests,
      connections: 1,
      retry: lbReadRetry({} as ScenarioContext),
    })
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

test('every read reset once, then served: all 20 served, and the bound fails the check', async () => {
  const run = await reads((n) => n % 2 === 1, 20)
  assert.equal(run.summary.served, 20, 'the retry hides every reset: this is what passed before')
  const resets = resetRetries(run, 1)
  assert.equal(resets.retried, 20)
  assert.equal(resets.max, 1)
  assert.equal(resets.withinBound, false)
  assert.match(
    resets.bound,
    /^at most 1 read retried after a connection reset \(1 nginx reload x 1 connection/,
  )
  assert.equal(resets.seen, '20 retried after a connection reset (at most 1)')
})

test('one reset (one reload on one connection): within the bound; none: within it too', async () => {
  const once = resetRetries(await reads((n) => n === 3, 20), 1)
  assert.deepEqual([once.retried, once.withinBound], [1, true])
  const none = resetRetries(await reads(() => false, 20), 0)
  assert.deepEqual([none.retried, none.max, none.withinBound], [0, 0, true])
})
