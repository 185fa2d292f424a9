import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import { NGINX_TEMPLATE_PATH } from '@production-lab/stack'
import { directiveValue, findNginx, tunedTemplate } from '../src/nginx.js'

const template = readFileSync(NGINX_TEMPLATE_PATH, 'utf8')

describe('tunedTemplate', () => {
  it('leaves the committed template alone without tuning', () => {
    assert.equal(tunedTemplate(template, {}), template)
  })
  it('rewrites every upstream keepalive pool and the worker count, nothing else', () => {
    const tuned = tunedTemplate(template, { upstreamKeepalive: 16, workerProcesses: 1 })
    assert.equal(directiveValue(tuned, 'worker_processes'), '1')
    assert.deepEqual(
      [...tuned.matchAll(/^\s*keepalive (\d+);/gm)].map((m) => m[1]),
      [...template.matchAll(/^\s*keepalive (\d+);/gm)].map(() => '16'),
    )
    // keepalive_timeout is another directive and must survive.
    assert.equal(directiveValue(tuned, 'keepalive_timeout'), directiveValue(template, 'keepalive_timeout'))
  })
})

describe('directiveValue', () => {
  it('names the directive it cannot find', () => {
    assert.throws(() => directiveValue('events {}', 'worker_processes'), /no `worker_processes` directive/)
  })
})

describe('findNginx', () => {
  it('prefers $NGINX', () => {
    assert.equal(findNginx({ NGINX: '/opt/nginx/sbin/nginx', PATH: '' }), '/opt/nginx/sbin/nginx')
  })
})
