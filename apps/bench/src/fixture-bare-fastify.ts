/**
 * The baseline: bare Fastify (no logger, no hooks, no metrics, no shedding) serving the
 * reader's route, so the difference to the lifecycle rows is the cost of the layers alone.
 * Configured like the reader: PORT, HOST, SERVICE_NAME, READ_DELAY_MS, READ_CPU_MS.
 */
import { loadConfigOrExit } from '@production-lab/lifecycle'
import { readerConfigSchema, readRoute } from '@production-lab/reader'
import Fastify from 'fastify'

const config = loadConfigOrExit(readerConfigSchema)
const app = Fastify({ logger: false, keepAliveTimeout: config.KEEP_ALIVE_TIMEOUT_S * 1000 })
const read = readRoute(config)
app.get('/read', { schema: read.schema }, read.handler)
await app.listen({ host: config.HOST, port: config.PORT })
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => void app.close().then(() => process.exit(0)))
