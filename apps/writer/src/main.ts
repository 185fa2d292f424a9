import { loadConfigOrExit } from '@production-lab/lifecycle'
import { buildApp, writerConfigSchema } from './app.js'

const service = await buildApp(loadConfigOrExit(writerConfigSchema))
await service.start()
