export {
  COMPOSE_LOG_EXPORTER_FILE,
  CONTAINER_APP_PORT,
  composeNginxVars,
  NGINX_TEMPLATE_PATH,
  type NginxVars,
  nativeAddresses,
  nativeNginxVars,
  renderNginxConfig,
} from './nginx-config.js'
export { renderTemplate, TemplateError, templateVariables } from './render-template.js'
