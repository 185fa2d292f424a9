/**
 * Each app's configuration schema, from the app itself: what the control API lets a client
 * override (env-overrides.ts) and what `inspect` shows. The schemas are the apps' own, so a
 * new setting of a service is overridable the day it exists, and nothing else ever is.
 */
import { watcherConfigSchema } from '@production-lab/health-watcher'
import { readerConfigSchema } from '@production-lab/reader'
import type { AppName } from '@production-lab/stack'
import { writerConfigSchema } from '@production-lab/writer'
import type { TObject } from '@sinclair/typebox'

export function appConfigSchema(app: AppName, offset: number): TObject {
  switch (app) {
    case 'reader':
      return readerConfigSchema
    case 'writer':
      return writerConfigSchema
    case 'health-watcher':
      return watcherConfigSchema(offset)
  }
}
