import { loadConfigOrExit } from '@production-lab/lifecycle'
import { buildApp, openWriteStore, WriteStoreError, writerConfigSchema } from './app.js'

/** sysexits EX_CANTCREAT: the data directory or database cannot be written. */
const EXIT_CANNOT_WRITE = 73

const config = loadConfigOrExit(writerConfigSchema)
let store: ReturnType<typeof openWriteStore>
try {
  store = openWriteStore(config)
} catch (error) {
  if (!(error instanceof WriteStoreError)) throw error
  // One line, before anything listens: the service cannot keep any promise without its storage.
  process.stderr.write(`storage error: ${error.message}\n`)
  process.exit(EXIT_CANNOT_WRITE)
}
const service = await buildApp(config, { store })
await service.start()
