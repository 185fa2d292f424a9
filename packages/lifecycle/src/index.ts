export { ADMISSION_REASONS, REQUEST_START_HEADER, requestStartMs } from './admission.js'
export { type BreakerSettings, Breakers, type ProtectedCall } from './breaker.js'
export {
  type BaseConfig,
  baseConfigProperties,
  ConfigError,
  EXIT_CONFIG_ERROR,
  loadConfig,
  loadConfigOrExit,
  orExitOnConfigError,
  StringEnum,
  serviceConfigSchema,
} from './config.js'
export { defaults } from './defaults.js'
export { type ErrorBody, type ErrorCode, ErrorCodes, ServiceError, toServiceError } from './errors.js'
export { type ActiveFaults, Faults, type FaultsUpdate, faultsBodySchema } from './faults.js'
export { type IdempotencyOptions, IdempotencyStore } from './idempotency.js'
export { createLogger, type Logger, type LoggerHandle } from './logger.js'
export { BREAKER_STATES, LATENCY_BUCKETS_S, ServiceMetrics, UNMATCHED_ROUTE } from './metrics.js'
export { rejectOtherMethods } from './routes.js'
export { type CreateServiceOptions, createService, type Service, type ServiceContext } from './service.js'
export { LIFECYCLE_STATES, LifecycleState, type LifecycleStateName } from './state.js'
export { blockEventLoop, burnCpu, simulateWork, type Work } from './workload.js'
