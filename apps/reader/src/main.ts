import { loadConfigOrExit } from '@production-lab/lifecycle'
import { buildApp, readerConfigSchema } from './app.js'

const service = await buildApp(loadConfigOrExit(readerConfigSchema))
await service.start()
