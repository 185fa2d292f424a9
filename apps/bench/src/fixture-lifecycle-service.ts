/**
 * The lifecycle row: the reader's route on createService() with everything on (access
 * line per request, metrics, shedding, drain gate) and the work behind a circuit breaker,
 * as the writer's storage call is. LOG_REQUESTS=false gives the "logging off" row.
 * Configured like the reader: PORT, HOST, SERVICE_NAME, READ_DELAY_MS, READ_CPU_MS, LOG_REQUESTS.
 */
import { createService, loadConfigOrExit } from '@production-lab/lifecycle'
import { readerConfigSchema, readRoute } from '@production-lab/reader'

const config = loadConfigOrExit(readerConfigSchema)
const service = await createService({
  config,
  routes(scope, { breaker }) {
    const route = readRoute(config)
    const read = breaker('read', route.handler)
    scope.get('/read', { schema: route.schema }, (request) => read.fire(request))
  },
})
await service.start()
