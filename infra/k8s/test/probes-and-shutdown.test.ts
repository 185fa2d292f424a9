/**
 * Probes point at routes the real services serve, and the shutdown timing fits: for every app
 * container, preStop + drain delay + SHUTDOWN_TIMEOUT_S (the effective values of its env, the
 * lifecycle's defaults unless overridden) fit in terminationGracePeriodSeconds; the preStop
 * outlasts the DNS TTL plus nginx's resolver `valid`; nginx's grace covers its preStop and its
 * longest proxied request; nginx's upstream keep-alive stays below the services' keep-alive.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CLUSTER_DNS_TTL_S } from '../src/timing.js'
import { APPS } from './support/apps.js'
import {
  containerEnv,
  containers,
  type Manifest,
  OVERLAYS,
  ofKind,
  overlayObjects,
} from './support/manifests.js'

const seconds = (text: string, directive: string): number[] =>
  [...text.matchAll(new RegExp(`\\b${directive}\\s+(\\d+)s;`, 'g'))].map((m) => Number(m[1]))

/** The app's effective drain delay, shutdown timeout and keep-alive (its schema's defaults unless the env sets them). */
function effectiveTiming(container: Manifest) {
  const config = APPS[container.image]?.load(containerEnv(container)) ?? {}
  const number = (key: string) => {
    const value = config[key]
    assert.equal(typeof value, 'number', key)
    return value as number
  }
  return {
    GRACEFUL_SHUTDOWN_DELAY_S: number('GRACEFUL_SHUTDOWN_DELAY_S'),
    SHUTDOWN_TIMEOUT_S: number('SHUTDOWN_TIMEOUT_S'),
    KEEP_ALIVE_TIMEOUT_S: number('KEEP_ALIVE_TIMEOUT_S'),
  }
}

function preStopSleepS(container: Manifest): number {
  const command = (container.lifecycle?.preStop?.exec?.command ?? []) as string[]
  const sleep = command.join(' ').match(/\bsleep (\d+)/)
  return sleep ? Number(sleep[1]) : 0
}

for (const overlay of OVERLAYS) {
  const objects = overlayObjects(overlay)
  const apps = containers(objects).filter(({ container }) => APPS[container.image])
  const nginxConf = ofKind(objects, 'ConfigMap').find((c) => c.data?.['nginx.conf'])?.data[
    'nginx.conf'
  ] as string

  describe(`${overlay} overlay: probes and shutdown`, () => {
    test('there are app containers and an nginx config to check', () => {
      assert.ok(apps.length >= 3, `${apps.length} app containers`)
      assert.ok(nginxConf)
    })

    for (const { owner, container } of apps) {
      const name = `${owner.metadata.name}/${container.name}`
      test(`${name}: startup and liveness on /health/live, readiness on /health/ready, on its port`, () => {
        assert.equal(container.startupProbe?.httpGet?.path, '/health/live')
        assert.equal(container.livenessProbe?.httpGet?.path, '/health/live')
        assert.equal(container.readinessProbe?.httpGet?.path, '/health/ready')
        const ports = (container.ports as Manifest[]).map((p) => p.name)
        for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
          assert.ok(
            ports.includes(probe.httpGet.port),
            `probe port ${probe.httpGet.port} is not a port of ${name}`,
          )
        }
      })

      test(`${name}: the real service answers its probe paths (not 404)`, async () => {
        const service = await APPS[container.image]?.build(containerEnv(container))
        assert.ok(service)
        try {
          for (const probe of [container.startupProbe, container.livenessProbe, container.readinessProbe]) {
            const { statusCode } = await service.inject(probe.httpGet.path)
            assert.ok(
              statusCode === 200 || statusCode === 503,
              `${probe.httpGet.path} answered ${statusCode}`,
            )
          }
        } finally {
          await service.close()
        }
      })

      test(`${name}: preStop + drain delay + SHUTDOWN_TIMEOUT_S fit terminationGracePeriodSeconds`, () => {
        const config = effectiveTiming(container)
        const needed = preStopSleepS(container) + config.GRACEFUL_SHUTDOWN_DELAY_S + config.SHUTDOWN_TIMEOUT_S
        const grace = owner.spec.template.spec.terminationGracePeriodSeconds ?? 30
        assert.ok(grace >= needed, `grace ${grace} s < ${needed} s`)
      })

      test(`${name}: nginx's upstream keep-alive is shorter than the service's`, () => {
        const config = effectiveTiming(container)
        const upstream = seconds(nginxConf, 'keepalive_timeout')
        assert.ok(upstream.length > 0)
        for (const timeout of upstream)
          assert.ok(timeout < config.KEEP_ALIVE_TIMEOUT_S, `${timeout} >= ${config.KEEP_ALIVE_TIMEOUT_S}`)
      })
    }

    test('apps that get traffic sleep in preStop longer than the DNS TTL plus nginx resolver valid', () => {
      const valid = Number(nginxConf.match(/resolver \S+ valid=(\d+)s/)?.[1])
      assert.ok(valid > 0, 'nginx has a resolver with valid=')
      for (const { owner, container } of apps.filter(
        ({ owner }) =>
          owner.spec.template.metadata.labels['app.kubernetes.io/component'] !== 'health-watcher',
      )) {
        assert.ok(
          preStopSleepS(container) >= CLUSTER_DNS_TTL_S + valid,
          `${owner.metadata.name}: preStop ${preStopSleepS(container)} s`,
        )
      }
    })

    test("nginx's grace covers its preStop and its longest proxied request", () => {
      const nginx = containers(objects).find(({ container }) => container.name === 'nginx')
      assert.ok(nginx)
      const longest = Math.max(
        ...seconds(nginxConf, 'proxy_read_timeout'),
        ...seconds(nginxConf, 'proxy_send_timeout'),
      )
      const grace = nginx.owner.spec.template.spec.terminationGracePeriodSeconds ?? 30
      assert.ok(grace >= preStopSleepS(nginx.container) + longest, `grace ${grace} s`)
    })
  })
}
