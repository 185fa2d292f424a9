/**
 * The templates' variables, rendered from the code that fills them: every `${NAME}` of
 * nginx.conf.template and prometheus.yml.template (templateVariables), the native stack's
 * values at LAB_PORT_OFFSET 0 (the supervisor's stackNginxVars, the stack's
 * nativePrometheusVars) and compose's (composeNginxVars, composePrometheusVars).
 */
import { readFileSync } from 'node:fs'
import {
  composeNginxVars,
  composePrometheusVars,
  NGINX_TEMPLATE_PATH,
  nativePrometheusVars,
  PROMETHEUS_TEMPLATE_PATH,
  REPO_ROOT,
  stackDir,
  templateVariables,
} from '@production-lab/stack'
import { stackNginxVars } from '@production-lab/supervisor'
import { code, markdownTable } from './markdown-table.js'

const TEMPLATES = [
  { name: 'nginx', file: NGINX_TEMPLATE_PATH },
  { name: 'Prometheus', file: PROMETHEUS_TEMPLATE_PATH },
]

/** A value as the docs show it: repo paths relative, the native state dir as .lab/stack-0, empty said. */
function shown(value: string | undefined, stateDir: string): string {
  if (value === undefined) return ''
  if (value === '') return 'empty'
  return code(value.replaceAll(stateDir, '.lab/stack-0').replaceAll(`${REPO_ROOT}/`, ''))
}

export function templateTable(): string {
  const stateDir = stackDir({ LAB_PORT_OFFSET: '0' })
  const native: Record<string, string> = {
    ...nativePrometheusVars(0),
    ...stackNginxVars({ dir: stateDir, offset: 0 }),
  }
  const compose: Record<string, string> = {
    ...composePrometheusVars(),
    ...composeNginxVars({ reResolve: false }),
  }
  const reResolving: Record<string, string> = { ...composeNginxVars({ reResolve: true }) }
  const usedBy = new Map<string, string[]>()
  for (const { name, file } of TEMPLATES)
    for (const variable of templateVariables(readFileSync(file, 'utf8')))
      usedBy.set(variable, [...(usedBy.get(variable) ?? []), name])
  const rows = [...usedBy].map(([variable, templates]) => {
    const composeValue = shown(compose[variable], stateDir)
    const newer = reResolving[variable]
    return [
      code(variable),
      templates.join(', '),
      shown(native[variable], stateDir),
      newer !== undefined && newer !== compose[variable]
        ? `${composeValue}; with nginx >= 1.27.3: ${shown(newer, stateDir)}`
        : composeValue,
    ]
  })
  return markdownTable(['Variable', 'Template', 'Native (LAB_PORT_OFFSET=0)', 'Compose'], rows)
}
