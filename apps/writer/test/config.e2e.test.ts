import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { EXIT_CONFIG_ERROR } from '@production-lab/lifecycle'
import { runService, WRITER } from './support/writer-process.js'

describe('writer process with a bad configuration', () => {
  test('exits 78 before listening, one stderr line per bad variable', async () => {
    const service = runService(WRITER, {
      PORT: '99999',
      WRITE_DELAY_MS: 'slow',
      WRITER_SYNCHRONOUS: 'SOMETIMES',
      GRACEFUL_SHUTDOWN_DELAY_S: '3',
    })
    const exit = await service.exited
    assert.equal(exit.code, EXIT_CONFIG_ERROR)
    assert.deepEqual(service.stderr().trim().split('\n').sort(), [
      'config error: PORT="99999" is invalid: expected an integer >= 0 <= 65535 (TCP port (0 = any free port))',
      'config error: WRITER_SYNCHRONOUS="SOMETIMES" is invalid: expected one of OFF, NORMAL, FULL, EXTRA (SQLite\'s synchronous mode: FULL syncs every commit, NORMAL survives a crash but not a power loss)',
      'config error: WRITE_DELAY_MS="slow" is invalid: expected a number >= 0 <= 60000 (I/O wait per write, ms)',
    ])
    assert.ok(!service.logs.some((line) => line.message.includes('ready on')), 'it never listened')
  })
})
