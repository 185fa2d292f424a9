/**
 * docker-compose.yml, checked without running it: docker-compose's own validation, the lab
 * guide's requirements read from the resolved file, and the nginx entrypoint's rendering
 * (the real script and the real nginx) against the TS rendering the native stack uses.
 * Running the stack is scripts/compose/smoke.sh.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import {
  APP_NODE_FLAGS,
  APP_SERVICES,
  BASE_PORTS,
  COMPOSE_ADMIN_TOKEN_FILE,
  COMPOSE_GRAFANA_PASSWORD_FILE,
  COMPOSE_LOG_EXPORTER_FILE,
  COMPOSE_SECRETS_DIR,
  COMPOSE_SECRETS_INIT,
  CONTAINER_APP_PORT,
  composeNginxVars,
  HEALTH_WATCHER,
  logLimits,
  NGINX_TEMPLATE_PATH,
  REPO_ROOT,
  renderNginxConfig,
  stackTimings,
} from '@production-lab/stack'
import { parse } from 'yaml'
import { DOCKER_DIR, run } from './support/files.js'

const APPS = APP_SERVICES.map((service) => service.name)

interface ComposeService {
  container_name?: string
  image?: string
  environment?: Record<string, string>
  cpus?: number | string
  mem_limit?: number | string
  ports?: Array<string | { host_ip?: string; published?: number | string; target?: number }>
  healthcheck?: { test?: string[] }
  depends_on?: Record<string, { condition?: string }> | string[]
  stop_grace_period?: string
  read_only?: boolean
  security_opt?: string[]
  cap_drop?: string[]
  volumes?: Array<string | { source?: string; target?: string }>
  labels?: Record<string, string>
  restart?: string
  profiles?: string[]
  user?: string
  logging?: { driver?: string; options?: Record<string, string> }
}

const resolved = new Map<string, Promise<Record<string, ComposeService>>>()

/**
 * `docker-compose config`: the file as docker-compose resolves it (anchors merged, ${VAR}
 * defaults applied), by container name. Memoised: docker-compose takes seconds to start.
 */
function resolvedCompose(files: string[] = ['docker-compose.yml'], env: Record<string, string> = {}) {
  const key = JSON.stringify([files, env])
  if (!resolved.has(key)) resolved.set(key, runComposeConfig(files, env))
  return resolved.get(key) as Promise<Record<string, ComposeService>>
}

async function runComposeConfig(files: string[], env: Record<string, string>) {
  const args = files.flatMap((file) => ['-f', file])
  // Only PATH and the given variables: the result must not depend on the caller's shell.
  const { stdout } = await run('docker-compose', [...args, 'config'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  })
  const services = (parse(stdout) as { services: Record<string, ComposeService> }).services
  return Object.fromEntries(Object.values(services).map((service) => [service.container_name ?? '', service]))
}

function seconds(duration: string | undefined): number {
  const match = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(duration ?? '')
  assert.ok(match && duration, `not a compose duration: ${duration}`)
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)
}

/** Docker's byte sizes: a number, or a number with b/k/m/g (powers of 1024). */
function bytes(size: number | string | undefined): number {
  const match = /^(\d+)([bkmg]?)$/i.exec(String(size))
  assert.ok(match, `not a byte size: ${size}`)
  const units: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }
  return Number(match[1]) * (units[(match[2] ?? '').toLowerCase()] ?? Number.NaN)
}

function publishedPorts(service: ComposeService): string[] {
  return (service.ports ?? []).map((port) =>
    typeof port === 'string' ? port : `${port.host_ip}:${port.published}:${port.target}`,
  )
}

describe('node.Dockerfile', () => {
  test("starts the apps with the stack's node flags, as the native supervisor does", () => {
    const cmd = readFileSync(join(DOCKER_DIR, 'node.Dockerfile'), 'utf8').match(/^CMD (\[.*\])$/m)?.[1]
    assert.deepEqual(JSON.parse(cmd ?? 'null'), ['node', ...APP_NODE_FLAGS, 'dist/main.js'])
  })
})

describe('docker-compose.yml', () => {
  test('passes docker-compose config -q', async () => {
    await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: REPO_ROOT })
  })

  test("has the guide's container names", async () => {
    const services = await resolvedCompose()
    for (const name of [
      ...APPS,
      'nginx_lb',
      'prometheus',
      'grafana',
      'nginx_exporter',
      'nginx_log_exporter',
    ]) {
      assert.ok(services[name], `no container named ${name}`)
    }
  })

  test("states the stack's contract (@production-lab/stack): names, ports, timings, token, limits", async () => {
    const services = await resolvedCompose()
    for (const spec of APP_SERVICES) {
      const service = services[spec.name]
      assert.ok(service, `no container named ${spec.name}`)
      const env = service.environment ?? {}
      assert.equal(env.SERVICE_NAME, spec.serviceName, `${spec.name} SERVICE_NAME`)
      assert.equal(Number(env.PORT), CONTAINER_APP_PORT, `${spec.name} PORT`)
      // No token in any environment: each app reads the one secrets-init generated.
      assert.equal(env.ADMIN_TOKEN, undefined, `${spec.name} ADMIN_TOKEN`)
      assert.equal(env.ADMIN_TOKEN_FILE, COMPOSE_ADMIN_TOKEN_FILE, `${spec.name} ADMIN_TOKEN_FILE`)
      assert.equal(
        Number(env.SHUTDOWN_TIMEOUT_S),
        stackTimings.shutdownTimeoutS,
        `${spec.name} SHUTDOWN_TIMEOUT_S`,
      )
      // The watcher drains for 0 s: nothing routes traffic to it (its own config's default).
      if (spec !== HEALTH_WATCHER) {
        assert.equal(
          Number(env.GRACEFUL_SHUTDOWN_DELAY_S),
          stackTimings.gracefulShutdownDelayS,
          `${spec.name} GRACEFUL_SHUTDOWN_DELAY_S`,
        )
      }
      assert.equal(
        seconds(service.stop_grace_period),
        stackTimings.appStopTimeoutS,
        `${spec.name} stop_grace_period`,
      )
      if (service.ports?.length) {
        assert.deepEqual(
          publishedPorts(service),
          [`127.0.0.1:${spec.basePort}:${CONTAINER_APP_PORT}/tcp`],
          `${spec.name} published port`,
        )
      }
      if (spec.limits) {
        assert.equal(Number(service.cpus), spec.limits.cpus, `${spec.name} cpus`)
        assert.equal(bytes(service.mem_limit), spec.limits.memoryBytes, `${spec.name} mem_limit`)
      }
    }
    assert.deepEqual(publishedPorts(services.nginx_lb ?? {}), [
      `127.0.0.1:${BASE_PORTS.loadBalancer}:${BASE_PORTS.loadBalancer}/tcp`,
    ])
    assert.deepEqual(publishedPorts(services.prometheus ?? {}), [
      `127.0.0.1:${BASE_PORTS.prometheus}:${BASE_PORTS.prometheus}/tcp`,
    ])
  })

  test('app_slow has the limits `docker inspect` must show, and tells the service the same', async () => {
    const slow = (await resolvedCompose()).app_slow
    assert.ok(slow)
    assert.equal(Number(slow.cpus), 0.5)
    // Docker's NanoCpus = cpus x 1e9 = 500000000; Memory = 512 MiB = 536870912.
    assert.equal(bytes(slow.mem_limit), 536_870_912)
    assert.equal(slow.environment?.CPU_LIMIT_CORES, '0.5')
    assert.equal(slow.environment?.MEMORY_LIMIT_BYTES, '536870912')
  })

  test('app_slow keeps its database on a named volume at WRITER_DATA_DIR (it outlives the container)', async () => {
    const slow = (await resolvedCompose()).app_slow
    const dataDir = slow?.environment?.WRITER_DATA_DIR
    assert.ok(dataDir, 'WRITER_DATA_DIR is set')
    // docker-compose 1.29 prints `source:target:mode`, version 2 the long form.
    const mounts = (slow?.volumes ?? []).map((volume) => {
      if (typeof volume !== 'string') return { source: volume.source, target: volume.target }
      const [source, target] = volume.split(':')
      return { source, target }
    })
    assert.deepEqual(
      mounts.filter((mount) => mount.target === dataDir),
      [{ source: 'writer_data', target: dataDir }],
      `the named volume writer_data is mounted at ${dataDir}`,
    )
  })

  test('every app reports the limits it really has', async () => {
    const services = await resolvedCompose()
    for (const name of APPS) {
      const service = services[name]
      assert.ok(
        service?.cpus !== undefined && service.mem_limit !== undefined,
        `${name} has no cpu/memory limit`,
      )
      assert.equal(
        Number(service.environment?.CPU_LIMIT_CORES),
        Number(service.cpus),
        `${name} CPU_LIMIT_CORES`,
      )
      assert.equal(
        Number(service.environment?.MEMORY_LIMIT_BYTES),
        bytes(service.mem_limit),
        `${name} MEMORY_LIMIT_BYTES`,
      )
    }
  })

  test('apps: healthchecked, restarted only by the health-watcher, and given longer to stop than their shutdown may take', async () => {
    const services = await resolvedCompose()
    for (const name of APPS) {
      const service = services[name]
      assert.ok(service, `no container named ${name}`)
      assert.ok(
        service.healthcheck?.test?.join(' ').includes('/health'),
        `${name} has no /health healthcheck`,
      )
      // The watcher restarts apps (labelled lab.autoheal); itself, Docker restarts on crashes.
      assert.equal(service.restart, name === 'health_watcher' ? 'on-failure' : 'no', `${name} restart policy`)
      const env = service.environment ?? {}
      const shutdownTimeout = Number(env.SHUTDOWN_TIMEOUT_S)
      assert.ok(
        shutdownTimeout > Number(env.GRACEFUL_SHUTDOWN_DELAY_S),
        `${name}: SHUTDOWN_TIMEOUT_S bounds delay + drain`,
      )
      assert.ok(
        seconds(service.stop_grace_period) > shutdownTimeout,
        `${name}: stop_grace_period > SHUTDOWN_TIMEOUT_S`,
      )
    }
  })

  test('nginx_lb starts only once the apps are healthy', async () => {
    const nginx = (await resolvedCompose()).nginx_lb
    const dependsOn = nginx?.depends_on as Record<string, { condition?: string }>
    assert.deepEqual(
      Object.values(dependsOn).map((dependency) => dependency.condition),
      ['service_healthy', 'service_healthy', 'service_healthy'],
    )
  })

  test('hardened: read-only root, no-new-privileges, no capabilities (Grafana and k6 aside)', async () => {
    const services = await resolvedCompose()
    for (const name of [...APPS, 'nginx_lb', 'prometheus', 'nginx_exporter', 'nginx_log_exporter']) {
      const service = services[name]
      assert.equal(service?.read_only, true, `${name} read_only`)
      assert.ok(service.security_opt?.includes('no-new-privileges:true'), `${name} no-new-privileges`)
      assert.deepEqual(service.cap_drop, ['ALL'], `${name} cap_drop`)
    }
  })

  test('only the health-watcher gets the Docker socket, and only labelled apps opt in to its restarts', async () => {
    const services = await resolvedCompose()
    for (const [name, service] of Object.entries(services)) {
      const mountsSocket = (service.volumes ?? []).some((volume) =>
        (typeof volume === 'string' ? volume : (volume.target ?? '')).includes('docker.sock'),
      )
      assert.equal(mountsSocket, name === 'health_watcher', `${name} socket mount`)
      const optedIn = service.labels?.['lab.autoheal'] === 'true'
      assert.equal(optedIn, ['app_slow', 'app_fast_1', 'app_fast_2'].includes(name), `${name} lab.autoheal`)
    }
    assert.equal(services.health_watcher?.environment?.AUTOHEAL_LABEL, 'lab.autoheal')
  })

  test("publishes only on 127.0.0.1, on the guide's ports by default and on others when asked", async () => {
    const defaults = await resolvedCompose()
    assert.deepEqual(publishedPorts(defaults.nginx_lb ?? {}), ['127.0.0.1:8080:8080/tcp'])
    assert.deepEqual(publishedPorts(defaults.prometheus ?? {}), ['127.0.0.1:9090:9090/tcp'])
    assert.deepEqual(publishedPorts(defaults.grafana ?? {}), ['127.0.0.1:3000:3000/tcp'])
    const shifted = await resolvedCompose(['docker-compose.yml'], {
      LB_PORT: '18080',
      APP_SLOW_PORT: '17601',
    })
    assert.deepEqual(publishedPorts(shifted.nginx_lb ?? {}), ['127.0.0.1:18080:8080/tcp'])
    assert.deepEqual(publishedPorts(shifted.app_slow ?? {}), ['127.0.0.1:17601:8000/tcp'])
    for (const [name, service] of Object.entries(defaults)) {
      for (const port of publishedPorts(service))
        assert.match(port, /^127\.0\.0\.1:/, `${name} publishes ${port}`)
    }
  })

  test('secrets: generated by secrets-init before anything reads them, from the environment only when set', async () => {
    const services = await resolvedCompose()
    const init = services[COMPOSE_SECRETS_INIT]
    assert.ok(init, `no container named ${COMPOSE_SECRETS_INIT}`)
    // Empty unless the user sets them: the script then draws random ones.
    assert.deepEqual([init.environment?.ADMIN_TOKEN, init.environment?.GRAFANA_ADMIN_PASSWORD], ['', ''])
    const mountsSecrets = (service: ComposeService, mode: string) =>
      (service.volumes ?? []).some((volume) =>
        typeof volume === 'string'
          ? volume === `lab_secrets:${COMPOSE_SECRETS_DIR}:${mode}`
          : volume.source === 'lab_secrets' && volume.target === COMPOSE_SECRETS_DIR,
      )
    assert.ok(mountsSecrets(init, 'rw'), `${COMPOSE_SECRETS_INIT} writes ${COMPOSE_SECRETS_DIR}`)
    for (const name of [...APPS, 'grafana']) {
      const service = services[name] ?? {}
      assert.ok(mountsSecrets(service, 'ro'), `${name} reads ${COMPOSE_SECRETS_DIR} read-only`)
      const after = (service.depends_on ?? {}) as Record<string, { condition?: string }>
      assert.equal(
        after['secrets-init']?.condition,
        'service_completed_successfully',
        `${name} waits for secrets-init`,
      )
    }
    const grafana = services.grafana?.environment ?? {}
    assert.equal(grafana.GF_SECURITY_ADMIN_PASSWORD, undefined)
    assert.equal(grafana.GF_SECURITY_ADMIN_PASSWORD__FILE, COMPOSE_GRAFANA_PASSWORD_FILE)
    const given = (await resolvedCompose(['docker-compose.yml'], { ADMIN_TOKEN: 'mine-0123456789' }))[
      COMPOSE_SECRETS_INIT
    ]
    assert.equal(given?.environment?.ADMIN_TOKEN, 'mine-0123456789')
  })

  test("every service's log is bounded: json-file with the stack's logLimits", async () => {
    const services = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true })
      .services as Record<string, ComposeService>
    // Read unresolved, so the `load` profile's k6 is included.
    for (const [name, service] of Object.entries(services)) {
      assert.equal(service.logging?.driver, 'json-file', `${name} logging driver`)
      assert.equal(bytes(service.logging?.options?.['max-size']), logLimits.maxBytes, `${name} max-size`)
      assert.equal(
        Number(service.logging?.options?.['max-file']),
        logLimits.keepFiles + 1,
        `${name} max-file`,
      )
    }
  })

  test("k6 runs only in the `load` profile, on the guide's script", async () => {
    const services = parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8')).services as Record<
      string,
      ComposeService
    >
    assert.deepEqual(services.k6?.profiles, ['load'])
    assert.ok(services.k6?.volumes?.some((volume) => String(volume).startsWith('./infra/k6:')))
  })
})

/** Whether `nginx -v` output names a version >= wanted. */
function nginxVersionAtLeast(versionOutput: string, wanted: [number, number, number]): boolean {
  const version = /nginx\/(\d+)\.(\d+)\.(\d+)/.exec(versionOutput)?.slice(1).map(Number)
  assert.ok(version, `no version in: ${versionOutput}`)
  for (const [index, part] of version.entries()) {
    if (part !== wanted[index]) return part > (wanted[index] ?? 0)
  }
  return true
}

describe('nginx entrypoint', () => {
  // The real entrypoint with the real nginx: `-t` is passed through, so nginx checks the
  // rendering and exits. The app names resolve only on the compose network; as in
  // infra/nginx's tests, a private mount namespace maps them to 127.0.0.1 in /etc/hosts.
  test("renders the compose environment exactly as infra/nginx's composeNginxVars, and nginx accepts it", async () => {
    const nginx = (await resolvedCompose()).nginx_lb
    assert.ok(nginx?.environment)
    const dir = mkdtempSync(join(tmpdir(), 'containers-test-'))
    const hosts = join(dir, 'hosts')
    writeFileSync(hosts, '127.0.0.1 localhost app_slow app_fast_1 app_fast_2\n')
    // Log files instead of /dev/stdout: a test's child stdio is a socket nginx cannot reopen.
    const local = {
      NGINX_RUNTIME_DIR: dir,
      NGINX_ACCESS_LOG: join(dir, 'access.log'),
      NGINX_ERROR_LOG: join(dir, 'error.log'),
    }
    const exporterLog = join(dir, 'exporter-access.log')
    assert.equal(nginx.environment.NGINX_LOG_EXPORTER_FILE, COMPOSE_LOG_EXPORTER_FILE)
    const env = {
      ...nginx.environment,
      ...local,
      NGINX_LOG_EXPORTER_FILE: exporterLog,
      NGINX_TEMPLATE: NGINX_TEMPLATE_PATH,
      PATH: `${DOCKER_DIR}:/usr/sbin:${process.env.PATH}`,
    }
    const unshare = process.getuid?.() === 0 ? ['unshare', '-m'] : ['unshare', '-r', '-m']
    const { stderr } = await run(
      unshare[0] as string,
      [
        ...unshare.slice(1),
        'sh',
        '-c',
        'mount --bind "$0" /etc/hosts && exec "$@"',
        hosts,
        'nginx-entrypoint.sh',
        '-t',
      ],
      { env },
    )
    assert.match(stderr, /test is successful/)
    // Debian's nginx 1.22 cannot re-resolve: the entrypoint must say so and leave it off.
    const reResolve = nginxVersionAtLeast(
      (await run('sh', ['-c', 'nginx -v 2>&1'], { env })).stdout,
      [1, 27, 3],
    )
    if (!reResolve) assert.match(stderr, /has no upstream 'resolve'/)
    // Without `resolve` the entrypoint renders the addresses the names resolve to (all
    // 127.0.0.1 here) and follows them (nginx-entrypoint-follow.test.ts).
    const resolvedUpstreams = reResolve
      ? {}
      : {
          WRITER_UPSTREAM: '127.0.0.1:8000',
          READER_1_UPSTREAM: '127.0.0.1:8000',
          READER_2_UPSTREAM: '127.0.0.1:8000',
        }
    assert.equal(
      readFileSync(join(dir, 'nginx.conf'), 'utf8'),
      renderNginxConfig({
        ...composeNginxVars({ reResolve }),
        ...local,
        ...resolvedUpstreams,
        NGINX_LOG_EXPORTER_ACCESS_LOG: `access_log ${exporterLog} lab_json;`,
      }),
    )
  })

  test('a missing template variable stops the container with a message naming it', async () => {
    const nginx = (await resolvedCompose()).nginx_lb
    const dir = mkdtempSync(join(tmpdir(), 'containers-test-'))
    const { WRITER_UPSTREAM: _, ...withoutWriter } = nginx?.environment ?? {}
    const result = await run('nginx-entrypoint.sh', ['-t'], {
      env: {
        ...withoutWriter,
        NGINX_RUNTIME_DIR: dir,
        NGINX_TEMPLATE: NGINX_TEMPLATE_PATH,
        PATH: `${DOCKER_DIR}:/usr/sbin:${process.env.PATH}`,
      },
    }).then(
      () => assert.fail('the entrypoint started nginx without WRITER_UPSTREAM'),
      (error: { code: number; stderr: string }) => error,
    )
    assert.equal(result.code, 1)
    assert.match(result.stderr, /nginx\.conf\.template needs WRITER_UPSTREAM, which is not set/)
  })
})
