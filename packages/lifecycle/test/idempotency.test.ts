import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { IdempotencyStore, ServiceError } from '../src/index.js'

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: Error) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

function storeWithClock(options: { ttlMs: number; maxKeys: number }) {
  const clock = { now: 1_000_000 }
  const store = new IdempotencyStore<string>({ ...options, now: () => clock.now })
  return { store, clock }
}

const rejectsWith = (code: string, status: number) => (error: unknown) => {
  assert.ok(error instanceof ServiceError, String(error))
  assert.equal(error.code, code)
  assert.equal(error.statusCode, status)
  return true
}

describe('IdempotencyStore', () => {
  test('a repeat of a completed key replays the first answer without running the work again', async () => {
    const { store } = storeWithClock({ ttlMs: 60_000, maxKeys: 10 })
    let runs = 0
    const work = async () => `answer ${++runs}`
    assert.deepEqual(await store.run('k', 'body-a', work), { value: 'answer 1', replayed: false })
    assert.deepEqual(await store.run('k', 'body-a', work), { value: 'answer 1', replayed: true })
    assert.equal(runs, 1)
  })

  test('a repeat while the first is running gets 409 with Retry-After', async () => {
    const { store } = storeWithClock({ ttlMs: 60_000, maxKeys: 10 })
    const first = deferred<string>()
    const running = store.run('k', 'body-a', () => first.promise)
    await assert.rejects(
      store.run('k', 'body-a', async () => 'second'),
      (error) => {
        rejectsWith('IDEMPOTENCY_CONFLICT', 409)(error)
        assert.equal((error as ServiceError).retryAfterS, 1)
        return true
      },
    )
    first.resolve('first')
    assert.equal((await running).value, 'first')
  })

  test('the same key with a different body gets 422', async () => {
    const { store } = storeWithClock({ ttlMs: 60_000, maxKeys: 10 })
    await store.run('k', 'body-a', async () => 'a')
    await assert.rejects(
      store.run('k', 'body-b', async () => 'b'),
      rejectsWith('IDEMPOTENCY_KEY_REUSED', 422),
    )
  })

  test('a failed attempt is forgotten so the retry runs', async () => {
    const { store } = storeWithClock({ ttlMs: 60_000, maxKeys: 10 })
    await assert.rejects(
      store.run('k', 'body-a', async () => {
        throw new Error('storage down')
      }),
      /storage down/,
    )
    assert.equal(store.size, 0)
    assert.deepEqual(await store.run('k', 'body-a', async () => 'stored'), {
      value: 'stored',
      replayed: false,
    })
  })

  test('an answer is replayed for the TTL, counted from completion, then forgotten', async () => {
    const { store, clock } = storeWithClock({ ttlMs: 1000, maxKeys: 10 })
    const slow = deferred<string>()
    const running = store.run('k', 'body-a', () => slow.promise)
    clock.now += 5000
    slow.resolve('first')
    await running
    clock.now += 999
    assert.equal((await store.run('k', 'body-a', async () => 'second')).replayed, true)
    clock.now += 1
    assert.deepEqual(await store.run('k', 'body-a', async () => 'second'), {
      value: 'second',
      replayed: false,
    })
  })

  test('at maxKeys the oldest completed key is evicted, in-flight keys are kept', async () => {
    const { store, clock } = storeWithClock({ ttlMs: 60_000, maxKeys: 3 })
    const inFlight = deferred<string>()
    const running = store.run('busy', 'x', () => inFlight.promise)
    await store.run('old', 'x', async () => 'old')
    clock.now += 1
    await store.run('newer', 'x', async () => 'newer')
    clock.now += 1
    await store.run('newest', 'x', async () => 'newest')
    assert.equal(store.size, 3)
    assert.equal((await store.run('newer', 'x', async () => 'again')).replayed, true)
    assert.equal((await store.run('old', 'x', async () => 'again')).replayed, false, 'the oldest was evicted')
    await assert.rejects(
      store.run('busy', 'x', async () => 'dup'),
      rejectsWith('IDEMPOTENCY_CONFLICT', 409),
    )
    inFlight.resolve('done')
    await running
  })

  test('when every slot holds a running request, a new key is refused with 503 rather than evicting one', async () => {
    const { store } = storeWithClock({ ttlMs: 60_000, maxKeys: 2 })
    const a = deferred<string>()
    const b = deferred<string>()
    const runs = [store.run('a', 'x', () => a.promise), store.run('b', 'x', () => b.promise)]
    await assert.rejects(
      store.run('c', 'x', async () => 'c'),
      rejectsWith('OVERLOADED', 503),
    )
    a.resolve('a')
    b.resolve('b')
    await Promise.all(runs)
  })

  test('a request running longer than the TTL still blocks its duplicates', async () => {
    const { store, clock } = storeWithClock({ ttlMs: 1000, maxKeys: 10 })
    const slow = deferred<string>()
    const running = store.run('k', 'x', () => slow.promise)
    clock.now += 5000
    await assert.rejects(
      store.run('k', 'x', async () => 'dup'),
      rejectsWith('IDEMPOTENCY_CONFLICT', 409),
    )
    slow.resolve('first')
    assert.equal((await running).value, 'first')
    assert.deepEqual(await store.run('k', 'x', async () => 'dup'), { value: 'first', replayed: true })
  })
})
