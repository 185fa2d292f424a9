/**
 * The package as someone else installs it: `pnpm pack` it (and @production-lab/stack, its one
 * workspace dependency), install the tarballs into a project outside the workspace with plain
 * npm, with the peer dependencies at the versions the workspace tests, and run the README's
 * example as written (extracted from README.md, so the two cannot drift): it serves, and on
 * SIGTERM it drains (/health 503, the request in flight answered) and exits 0. Its types
 * resolve for a TypeScript consumer, and on a Node without net's reusePort (the system's
 * Node 20, when there is one) it serves with one socket by default and refuses ACCEPT_SOCKETS=8
 * in one line. Needs the package built (dist/) and the npm registry (or npm's cache).
 * About 17-30 s: npm install ~5 s once cached, the drain ~6 s, tsc ~4-10 s, Node 20 ~5 s.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { MIN_NODE_VERSION, nodeHasReusePort } from '../src/node-support.js'

const run = promisify(execFile)
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url))
const STACK_DIR = join(PACKAGE_DIR, '..', 'stack')
const REPO_ROOT = join(PACKAGE_DIR, '..', '..')
const README = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8')
const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')) as {
  engines: { node: string }
  peerDependencies: Record<string, string>
  devDependencies: Record<string, string>
}
/** milliseconds any one step (pack, install, a log line, the exit) may take on a loaded machine */
const STEP_TIMEOUT_MS = 120_000
/** an older Node to try the package on, when the machine has one (Debian's is 20) */
const OLD_NODE = process.env.LIFECYCLE_OLD_NODE ?? '/usr/bin/node'

/** The code block after the README's consumer-test marker. */
function readmeExample(): string {
  const match = /<!-- consumer-test: example[^>]*-->\s*```js\n([\s\S]*?)```/.exec(README)
  assert.ok(match, 'README.md has no ```js block after <!-- consumer-test: example -->')
  return match[1] as string
}

/** A service process with its output collected line by line. */
class ServiceProcess {
  readonly lines: string[] = []
  readonly exited: Promise<number | null>
  readonly #child: ChildProcess

  constructor(node: string, cwd: string, env: Record<string, string>) {
    this.#child = spawn(node, ['service.mjs'], { cwd, env: { ...process.env, ...env } })
    let partial = ''
    const collect = (chunk: Buffer) => {
      const parts = (partial + chunk.toString()).split('\n')
      partial = parts.pop() ?? ''
      this.lines.push(...parts)
    }
    this.#child.stdout?.on('data', collect)
    this.#child.stderr?.on('data', collect)
    this.exited = once(this.#child, 'exit').then(([code]) => code as number | null)
  }

  kill(signal: NodeJS.Signals): void {
    this.#child.kill(signal)
  }

  /** The first line matching `pattern`, waiting for it (bounded; says what it saw on timeout). */
  async line(pattern: RegExp): Promise<string> {
    const deadline = Date.now() + STEP_TIMEOUT_MS
    for (;;) {
      const found = this.lines.find((l) => pattern.test(l))
      if (found) return found
      if (Date.now() > deadline || this.#child.exitCode !== null)
        assert.fail(`no log line matching ${pattern}; the service printed:\n${this.lines.join('\n')}`)
      await sleep(50)
    }
  }

  async exitCode(): Promise<number | null> {
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), STEP_TIMEOUT_MS)
    try {
      return await this.exited
    } finally {
      clearTimeout(timer)
    }
  }

  indexOf(pattern: RegExp): number {
    return this.lines.findIndex((l) => pattern.test(l))
  }
}

describe('the package installed from its tarball with npm', { timeout: 5 * STEP_TIMEOUT_MS }, () => {
  const project = mkdtempSync(join(tmpdir(), 'lifecycle-consumer-'))
  after(() => rmSync(project, { recursive: true, force: true }))

  before(async () => {
    for (const dir of [STACK_DIR, PACKAGE_DIR])
      await run('pnpm', ['pack', '--pack-destination', project], { cwd: dir, timeout: STEP_TIMEOUT_MS })
    writeFileSync(
      join(project, 'package.json'),
      '{ "name": "consumer", "private": true, "type": "module" }\n',
    )
    writeFileSync(join(project, 'service.mjs'), readmeExample())
    const peers = Object.keys(manifest.peerDependencies).map(
      (name) => `${name}@${manifest.devDependencies[name]}`,
    )
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        './production-lab-stack-0.1.0.tgz',
        './production-lab-lifecycle-0.1.0.tgz',
        ...peers,
      ],
      { cwd: project, timeout: STEP_TIMEOUT_MS },
    )
  })

  it('ships a LICENSE, the README, declaration maps and the sources they point to', () => {
    const installed = join(project, 'node_modules', '@production-lab', 'lifecycle')
    for (const file of ['LICENSE', 'README.md', 'dist/index.d.ts', 'dist/index.d.ts.map'])
      assert.ok(existsSync(join(installed, file)), `the tarball has no ${file}`)
    const map = JSON.parse(readFileSync(join(installed, 'dist/index.d.ts.map'), 'utf8')) as {
      sources: string[]
    }
    for (const source of map.sources)
      assert.ok(
        existsSync(join(installed, 'dist', source)),
        `the declaration map points to a missing ${source}`,
      )
  })

  it("runs the README's example; on SIGTERM it drains and exits 0", async () => {
    // PORT=0: any free port; every other setting is the example's default (8 accept sockets on
    // Linux) but the drain delay: 5 s instead of 3 leaves a loaded machine time to ask /health
    // before the server stops listening.
    const service = new ServiceProcess(process.execPath, project, {
      PORT: '0',
      GRACEFUL_SHUTDOWN_DELAY_S: '5',
    })
    const ready = await service.line(/hello ready on http:/)
    const url = /(http:\/\/[0-9.]+:\d+)/.exec(ready)?.[1] as string
    assert.deepEqual(await (await fetch(`${url}/hello`)).json(), { hello: 'world' })

    const slow = fetch(`${url}/slow`)
    await service.line(/slow request started/)
    service.kill('SIGTERM')
    await service.line(/Received signal 15\. Starting graceful shutdown/)
    const health = await fetch(`${url}/health`)
    assert.equal(health.status, 503, 'the /health probe while draining')
    assert.equal(((await health.json()) as { status: string }).status, 'shutdown_in_progress')
    assert.equal((await fetch(`${url}/health/ready`)).status, 503, 'the readiness probe while draining')
    const answer = await slow
    assert.equal(answer.status, 200, 'the request in flight at SIGTERM')
    assert.deepEqual(await answer.json(), { done: true })

    assert.equal(await service.exitCode(), 0, service.lines.join('\n'))
    const order = [
      /ready on/,
      /Received signal 15/,
      /"route":"\/slow".*"statusCode":200/,
      /Graceful shutdown complete/,
    ]
    const positions = order.map((pattern) => service.indexOf(pattern))
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b),
      `log lines out of order or missing (${order.join(', ')}):\n${service.lines.join('\n')}`,
    )
    assert.ok(!positions.includes(-1), service.lines.join('\n'))
  })

  it('gives a TypeScript consumer the types', async () => {
    writeFileSync(
      join(project, 'typed.ts'),
      `import { createService, loadConfigOrExit, type Service, serviceConfigSchema } from '@production-lab/lifecycle'
const config = loadConfigOrExit(serviceConfigSchema({}, { SERVICE_NAME: 'typed', PORT: 0 }))
const port: number = config.PORT
export const service: Promise<Service> = createService({ config, routes(app) { app.get('/', async () => ({ port })) } })
`,
    )
    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    const types = join(REPO_ROOT, 'node_modules', '@types')
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext']
    // skipLibCheck: the check is that the package's types resolve and fit, not fastify's own .d.ts
    args.push('--target', 'es2023', '--skipLibCheck', '--types', 'node', '--typeRoots', types, 'typed.ts')
    await run(process.execPath, [tsc, ...args], { cwd: project, timeout: STEP_TIMEOUT_MS }).catch(
      (error: { stdout?: string }) => assert.fail(`tsc failed on typed.ts:\n${error.stdout}`),
    )
  })

  it('states in engines the Node that has what it needs', () => {
    assert.equal(manifest.engines.node, `>=${MIN_NODE_VERSION}`)
    assert.equal(nodeHasReusePort(MIN_NODE_VERSION), true)
    for (const older of ['20.20.2', '22.11.0', '23.0.0']) assert.equal(nodeHasReusePort(older), false, older)
    for (const newer of ['22.12.0', '23.1.0', '24.0.0']) assert.equal(nodeHasReusePort(newer), true, newer)
  })

  it('on a Node without reusePort: one socket by default, ACCEPT_SOCKETS=8 refused in one line', async () => {
    // Debian 12's own Node (20) is the old one here; elsewhere point LIFECYCLE_OLD_NODE at one.
    const version = existsSync(OLD_NODE)
      ? (await run(OLD_NODE, ['-p', 'process.versions.node'])).stdout.trim()
      : undefined
    assert.ok(
      version !== undefined && !nodeHasReusePort(version),
      `needs a Node older than ${MIN_NODE_VERSION} at ${OLD_NODE} (found ${version ?? 'none'}): set LIFECYCLE_OLD_NODE`,
    )
    const refused = new ServiceProcess(OLD_NODE, project, { PORT: '0', ACCEPT_SOCKETS: '8' })
    assert.equal(await refused.exitCode(), 1, refused.lines.join('\n'))
    assert.equal(refused.lines.length, 1, `expected one line:\n${refused.lines.join('\n')}`)
    assert.match(
      refused.lines[0] as string,
      new RegExp(`needs Node >= ${MIN_NODE_VERSION}.*this is Node ${version}`),
    )

    const fallback = new ServiceProcess(OLD_NODE, project, { PORT: '0' })
    const ready = await fallback.line(/hello ready on http:/)
    const url = /(http:\/\/[0-9.]+:\d+)/.exec(ready)?.[1] as string
    assert.equal((await fetch(`${url}/hello`)).status, 200)
    fallback.kill('SIGTERM')
    assert.equal(await fallback.exitCode(), 0, fallback.lines.join('\n'))
  })
})
