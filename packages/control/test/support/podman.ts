/**
 * A real Docker-API-compatible socket for tests: `podman system service` on a socket in a
 * scratch folder with its own store, and containers whose root file system is a few host
 * binaries (/bin/sh, sleep, echo and their libraries), so no image and no registry is needed.
 * Needs podman and runc (apt-get install -y --no-install-recommends podman runc).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { promisify } from 'node:util'
import { Client } from 'undici'

const run = promisify(execFile)

export interface PodmanSandbox {
  socketPath: string
  rootfs: string
  /** runs the podman CLI against the sandbox's store */
  podman(...args: string[]): Promise<string>
  close(): Promise<void>
}

export async function startPodman(): Promise<PodmanSandbox> {
  const dir = mkdtempSync('/tmp/production-lab-podman-test-')
  const env = {
    ...process.env,
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
  }
  // runc: crun fails on this kind of machine (cgroups in hybrid mode); root may not raise ulimits
  // above these (podman's defaults would try); vfs works on any file system. Network definitions
  // stay in the scratch folder too (root's default is the host-wide /etc/containers/networks),
  // and the containers run with --network none: nothing outside the sandbox is touched.
  writeFileSync(
    env.CONTAINERS_CONF,
    [
      '[containers]',
      'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      '[network]',
      `network_config_dir = "${dir}/networks"`,
      '',
    ].join('\n'),
  )
  writeFileSync(
    env.CONTAINERS_STORAGE_CONF,
    `[storage]\ndriver = "vfs"\ngraphroot = "${dir}/storage"\nrunroot = "${dir}/run"\n`,
  )
  const rootfs = join(dir, 'rootfs')
  await buildRootfs(rootfs, ['/bin/sh', '/bin/sleep', '/bin/echo'])
  const podman = async (...args: string[]) => {
    try {
      return (await run('podman', args, { env })).stdout.trim()
    } catch (error) {
      const e = error as { code?: string; stderr?: string }
      if (e.code === 'ENOENT')
        throw new Error('podman is not installed: apt-get install -y --no-install-recommends podman runc')
      throw new Error(`podman ${args.join(' ')} failed: ${e.stderr ?? error}`)
    }
  }
  await podman('--version')
  const socketPath = join(dir, 'podman.sock')
  const service: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socketPath}`], {
    env,
    stdio: 'ignore',
  })
  await waitForPing(socketPath, service)
  return {
    socketPath,
    rootfs,
    podman,
    async close() {
      await podman('rm', '--all', '--force', '--time', '0').catch(() => undefined)
      if (service.exitCode === null) {
        const exited = new Promise((resolve) => service.once('exit', resolve))
        service.kill('SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

async function buildRootfs(rootfs: string, binaries: string[]): Promise<void> {
  for (const folder of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp'])
    mkdirSync(join(rootfs, folder), { recursive: true })
  for (const binary of binaries) {
    copyFileSync(binary, join(rootfs, binary))
    const { stdout } = await run('ldd', [binary])
    for (const library of stdout.match(/\/\S+/g) ?? []) {
      mkdirSync(join(rootfs, dirname(library)), { recursive: true })
      copyFileSync(library, join(rootfs, library))
    }
  }
}

async function waitForPing(socketPath: string, service: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (service.exitCode !== null)
      throw new Error(`podman system service exited with code ${service.exitCode}`)
    const client = new Client('http://podman', { socketPath })
    try {
      const response = await client.request({ method: 'GET', path: '/_ping' })
      if ((await response.body.text()) === 'OK') return
    } catch {
      // Not listening yet.
    } finally {
      await client.close()
    }
    await sleep(100)
  }
  throw new Error(`podman system service did not answer on ${socketPath} within 60 s`)
}
