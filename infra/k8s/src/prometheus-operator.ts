/**
 * For clusters that run the Prometheus Operator (kube-prometheus-stack): a PodMonitor with the
 * same relabelling as the plain Prometheus's service discovery, and a PrometheusRule holding
 * prometheus/rules/*.rules.yml as they are, the one source of truth (a test fails when the
 * committed YAML lags behind them). Applied on its own: `kubectl apply -k infra/k8s/prometheus-operator`.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor'
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule'
import { parse } from 'yaml'
import { LABEL, PART_OF } from './names.js'
import { PROMETHEUS_RULES_DIR } from './paths.js'
import { labRelabelings } from './prometheus.js'

interface RuleFile {
  groups: Array<{ name: string; rules: Array<Record<string, unknown>> }>
}

/** Every group of every prometheus/rules/*.rules.yml, in file order. */
export function ruleGroups(dir = PROMETHEUS_RULES_DIR) {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.rules.yml'))
    .sort()
    .flatMap((file) => (parse(readFileSync(join(dir, file), 'utf8')) as RuleFile).groups)
}

export function prometheusOperatorObjects() {
  const labels = { [LABEL.partOf]: PART_OF }
  return [
    new PodMonitor({
      metadata: { name: 'production-lab', labels },
      spec: {
        selector: { matchLabels: { [LABEL.partOf]: PART_OF } },
        // One endpoint per port name the pods' scrape-port annotation may name.
        podMetricsEndpoints: ['http', 'metrics'].map((port) => ({
          port,
          path: '/metrics',
          interval: '5s',
          relabelings: labRelabelings().map((r) => ({ ...r, sourceLabels: [...r.sourceLabels] })),
        })),
      },
    }),
    new PrometheusRule({
      metadata: { name: 'production-lab', labels },
      spec: { groups: ruleGroups() as never },
    }),
  ]
}
