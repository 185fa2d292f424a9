/**
 * The apps behind the images, for the tests: each image's TypeBox config schema (the env a
 * manifest sets must pass it) and a way to build the real service in process, to ask its
 * routes (a probe must point at a route the service serves, not a 404).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import {
  buildApp as buildWatcher,
  loadWatcherConfig,
  observeOnly,
  watcherConfigSchema,
} from '@production-lab/health-watcher'
import { loadConfig } from '@production-lab/lifecycle'
import { buildApp as buildReader, readerConfigSchema } from '@production-lab/reader'
import { buildApp as buildWriter, writerConfigSchema } from '@production-lab/writer'
import { IMAGES } from '../../src/names.js'

const silent = () => ({ logDestination: new Writable({ write: (_c, _e, done) => done() }) })

export interface AppUnderTest {
  /** the schema's variable names */
  keys: string[]
  /** the effective config for this env (defaults applied); throws ConfigError naming bad variables */
  load(env: Record<string, string>): Record<string, unknown>
  /** the real service, not listening; `inject` asks its routes */
  build(env: Record<string, string>): Promise<{
    inject(path: string): Promise<{ statusCode: number }>
    close(): Promise<void>
  }>
}

function wrap(service: {
  app: { inject(p: string): Promise<{ statusCode: number }>; close(): Promise<unknown> }
}) {
  return {
    inject: (path: string) => service.app.inject(path),
    close: async () => {
      await service.app.close()
    },
  }
}

/** image -> the app it runs; images without an entry are not lifecycle apps (nginx, Prometheus, Grafana). */
export const APPS: Record<string, AppUnderTest> = {
  [IMAGES.writer]: {
    keys: Object.keys(writerConfigSchema.properties),
    load: (env) => loadConfig(writerConfigSchema, env),
    build: async (env) => {
      // The manifest's data directory is the pod's volume; here a scratch folder stands in.
      const dataDir = mkdtempSync(join(tmpdir(), 'k8s-writer-data-'))
      const config = loadConfig(writerConfigSchema, { ...env, WRITER_DATA_DIR: dataDir })
      const service = wrap(await buildWriter(config, silent()))
      return {
        ...service,
        close: async () => {
          await service.close()
          rmSync(dataDir, { recursive: true, force: true })
        },
      }
    },
  },
  [IMAGES.reader]: {
    keys: Object.keys(readerConfigSchema.properties),
    load: (env) => loadConfig(readerConfigSchema, env),
    build: async (env) => wrap(await buildReader(loadConfig(readerConfigSchema, env), silent())),
  },
  [IMAGES.watcher]: {
    keys: Object.keys(watcherConfigSchema(0).properties),
    load: (env) => loadWatcherConfig(env) as unknown as Record<string, unknown>,
    build: async (env) =>
      wrap(await buildWatcher(loadWatcherConfig(env), { ...silent(), remediator: observeOnly })),
  },
}
