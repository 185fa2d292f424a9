/**
 * `pnpm dev`: watches the services' sources; on a change rebuilds the package with tsc and
 * restarts the services that run it (a lifecycle change restarts every app). A build that
 * fails leaves the running services alone and prints the compiler's errors.
 */
import { execFile } from 'node:child_process'
import { type FSWatcher, watch } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { APP_SERVICES, REPO_ROOT } from '@production-lab/stack'
import { stackDefaults } from './defaults.js'
import type { Supervisor } from './supervisor.js'

const run = promisify(execFile)
const TSC = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')

interface WatchedPackage {
  dir: string
  /** canonical names of the services to restart after it was rebuilt */
  services: string[]
}

function watchedPackages(): WatchedPackage[] {
  const apps = [...new Set(APP_SERVICES.map((service) => service.app))]
  return [
    { dir: join(REPO_ROOT, 'packages', 'lifecycle'), services: APP_SERVICES.map((service) => service.name) },
    ...apps.map((app) => ({
      dir: join(REPO_ROOT, 'apps', app),
      services: APP_SERVICES.filter((service) => service.app === app).map((service) => service.name),
    })),
  ]
}

/** Starts watching; returns a function that stops it. */
export function watchSources(supervisor: Supervisor, log: (line: string) => void): () => void {
  const watchers: FSWatcher[] = []
  let queue = Promise.resolve()
  for (const pkg of watchedPackages()) {
    let timer: NodeJS.Timeout | undefined
    const rebuild = async () => {
      log(`watch: ${pkg.dir} changed, rebuilding`)
      try {
        await run(process.execPath, [TSC, '-p', join(pkg.dir, 'tsconfig.build.json')], { cwd: pkg.dir })
      } catch (error) {
        const output = (error as { stdout?: string }).stdout ?? (error as Error).message
        log(`watch: build failed, services left running:\n${output}`)
        return
      }
      for (const name of pkg.services) {
        const managed = supervisor.processes.find((process) => process.name === name)
        // Only what runs: a service stopped on purpose stays stopped.
        if (!managed?.running) continue
        log(`watch: restarting ${name}`)
        try {
          await managed.restart()
          // One at a time, each ready before the next stops: the other replica keeps serving.
          await supervisor.waitReady(managed)
        } catch (error) {
          log(`watch: ${name} did not restart: ${(error as Error).message}`)
        }
      }
    }
    try {
      const watcher = watch(join(pkg.dir, 'src'), { recursive: true }, () => {
        clearTimeout(timer)
        // Serialised, so two changes never run two compilers or restarts at once.
        timer = setTimeout(() => {
          queue = queue.then(rebuild)
        }, stackDefaults.watchDebounceMs)
      })
      watchers.push(watcher)
    } catch {
      // The package does not exist in this checkout (e.g. no health-watcher yet): nothing to watch.
    }
  }
  return () => {
    for (const watcher of watchers) watcher.close()
  }
}
