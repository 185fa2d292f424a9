export {
  COMPOSE_ADMIN_TOKEN_FILE,
  COMPOSE_GRAFANA_PASSWORD_FILE,
  COMPOSE_SECRETS_DIR,
  COMPOSE_SECRETS_INIT,
  RETIRED_DEFAULT_ADMIN_TOKEN,
} from './compose-secrets.js'
export { logLimits } from './log-limits.js'
export {
  COMPOSE_LOG_EXPORTER_FILE,
  composeNginxVars,
  type NginxVars,
  nativeAddresses,
  nativeNginxVars,
  renderNginxConfig,
  upstreamServer,
} from './nginx-config.js'
export { APP_NODE_FLAGS } from './node-flags.js'
export {
  controlTokenFile,
  MTAIL_PROGRAM_PATH,
  MTAIL_PROGRAMS_DIR,
  NGINX_TEMPLATE_PATH,
  PROMETHEUS_DIR,
  PROMETHEUS_RULES_DIR,
  PROMETHEUS_TEMPLATE_PATH,
  REPO_ROOT,
  stackDir,
  stackStateFile,
  stateRoot,
} from './paths.js'
export { listenError, portIsFree } from './ports.js'
export {
  CONTAINER_LOG_EXPORTER_PORT,
  composePrometheusVars,
  nativePrometheusVars,
  type PrometheusVars,
  renderPrometheusConfig,
} from './prometheus-config.js'
export { declaredMetricNames, metricValue, parseSamples, type Sample, sumOf } from './prometheus-text.js'
export { expectedReadSplit, judgeReadSplit, type ReadSplitVerdict } from './read-split.js'
export { renderTemplate, TemplateError, templateVariables } from './render-template.js'
export { type SlowClient, slowClient } from './slow-client.js'
export { CONTAINER_APP_PORT, stackTimings } from './timings.js'
export * from './topology.js'
