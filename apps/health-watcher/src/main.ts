import { createLogger, orExitOnConfigError } from '@production-lab/lifecycle'
import { buildApp, createRemediator, EXIT_STARTUP_ERROR, loadWatcherConfig, StartupError } from './app.js'

const config = orExitOnConfigError(() => loadWatcherConfig())

const startup = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL })
let remediator: Awaited<ReturnType<typeof createRemediator>>
try {
  remediator = await createRemediator(config, startup.logger)
} catch (error) {
  if (!(error instanceof StartupError)) throw error
  startup.logger.fatal({ error: error.message }, `Cannot start: ${error.message}`)
  startup.flushSync()
  process.stderr.write(`startup error: ${error.message}\n`)
  process.exit(EXIT_STARTUP_ERROR)
}
startup.flushSync()

const service = await buildApp(config, { remediator })
await service.start()
