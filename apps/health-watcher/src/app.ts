/**
 * The health-watcher as a service on the lifecycle package: its own /health*, /metrics,
 * graceful shutdown and logs, plus GET /status and the probe loops. The loops start when the
 * server is ready and are stopped (probes in flight aborted) by an onClose hook.
 */
import { type CreateServiceOptions, createService, type Service } from '@production-lab/lifecycle'
import type { WatcherConfig } from './config.js'
import type { Remediator } from './remediator.js'
import { Watcher } from './watcher.js'
import { WatcherMetrics } from './watcher-metrics.js'

export { loadWatcherConfig, type WatcherConfig, watcherConfigSchema } from './config.js'
export { watcherDefaults } from './defaults.js'
export {
  createRemediator,
  EXIT_STARTUP_ERROR,
  observeOnly,
  type Remediator,
  StartupError,
} from './remediator.js'
export { TARGET_STATES, type TargetState } from './target-tracker.js'

export interface WatcherService extends Service<WatcherConfig> {
  watcher: Watcher
}

export async function buildApp(
  config: WatcherConfig,
  options: Omit<CreateServiceOptions<WatcherConfig>, 'config' | 'routes'> & { remediator: Remediator },
): Promise<WatcherService> {
  const { remediator, ...serviceOptions } = options
  // The watcher has no routes of its own behind the drain gate: /status sits beside /metrics.
  const service = await createService({ ...serviceOptions, config, routes: () => {} })
  const restart = service.breaker(
    'remediation',
    (name: string) => remediator.restart(name, config.STOP_TIMEOUT_S),
    {
      timeoutMs: config.REMEDIATION_TIMEOUT_MS,
      volumeThreshold: config.REMEDIATION_BREAKER_VOLUME,
    },
  )
  const watcher = new Watcher({
    config,
    remediator,
    logger: service.logger,
    metrics: new WatcherMetrics(service.metrics.registry),
    restart,
    isDraining: () => service.state.draining,
  })
  service.app.get('/status', async () => ({ service: config.SERVICE_NAME, ...watcher.status() }))
  service.app.addHook('onReady', async () => watcher.start())
  service.app.addHook('onClose', async () => watcher.stop())
  return Object.assign(service, { watcher })
}
