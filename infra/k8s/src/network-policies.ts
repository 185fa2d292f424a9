/**
 * Who may talk to whom, ingress only (egress stays open: DNS, the API server for Prometheus).
 * Everything is denied unless allowed below: the public gets nginx's port alone; the apps' port
 * only from nginx, Prometheus (for /metrics) and the watcher (probes). A NetworkPolicy works at
 * the port, not the path: the apps serve /read, /metrics and /admin on one port, and nginx
 * forwards only /read and /write (its `location /` answers 404), so /metrics and /admin are
 * reached only from inside, by the pods named here. Needs a CNI that enforces policies
 * (Calico, Cilium, recent kind releases' kindnet, k3s).
 */
import type { IIoK8sApimachineryPkgApisMetaV1LabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy'
import type { IIoK8sApiNetworkingV1NetworkPolicyIngressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyIngressRule'
import type { IIoK8sApiNetworkingV1NetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer'
import { WATCHER_NAME } from './app-workloads.js'
import { GRAFANA_NAME } from './grafana.js'
import {
  APP_PORT,
  GRAFANA_PORT,
  LABEL,
  LB_PORT,
  NGINX_EXPORTER_PORT,
  PROMETHEUS_PORT,
  selectorOf,
} from './names.js'
import { NGINX_NAME } from './nginx.js'
import { PROMETHEUS_NAME } from './prometheus.js'

const from = (name: string): IIoK8sApiNetworkingV1NetworkPolicyPeer => ({
  podSelector: { matchLabels: selectorOf(name) },
})
const tcp = (port: number) => ({ protocol: 'TCP' as const, port })

function policy(
  name: string,
  podSelector: IIoK8sApimachineryPkgApisMetaV1LabelSelector,
  ingress: IIoK8sApiNetworkingV1NetworkPolicyIngressRule[] | undefined,
) {
  return new NetworkPolicy({
    metadata: { name },
    spec: { podSelector, policyTypes: ['Ingress'], ...(ingress ? { ingress } : {}) },
  })
}

/** Pods of the apps nginx proxies to (writer, readers), in any overlay. */
export const BACKEND_SELECTOR = {
  matchExpressions: [{ key: LABEL.component, operator: 'In', values: ['writer', 'reader'] }],
}

export function networkPolicies(): NetworkPolicy[] {
  return [
    policy('default-deny-ingress', {}, undefined),
    policy('backends-from-nginx-prometheus-watcher', BACKEND_SELECTOR, [
      { from: [from(NGINX_NAME), from(PROMETHEUS_NAME), from(WATCHER_NAME)], ports: [tcp(APP_PORT)] },
    ]),
    policy('watcher-metrics-from-prometheus', { matchLabels: selectorOf(WATCHER_NAME) }, [
      { from: [from(PROMETHEUS_NAME)], ports: [tcp(APP_PORT)] },
    ]),
    // The public port from anywhere; the exporter's metrics only from Prometheus. stub_status
    // (NGINX_STATUS_PORT) is asked by the exporter over the pod's loopback: no peer needed.
    policy('nginx-public-and-exporter', { matchLabels: selectorOf(NGINX_NAME) }, [
      { ports: [tcp(LB_PORT)] },
      { from: [from(PROMETHEUS_NAME)], ports: [tcp(NGINX_EXPORTER_PORT)] },
    ]),
    policy('prometheus-from-grafana', { matchLabels: selectorOf(PROMETHEUS_NAME) }, [
      { from: [from(GRAFANA_NAME)], ports: [tcp(PROMETHEUS_PORT)] },
    ]),
    // Grafana's UI, behind its login (the admin password is the user's Secret).
    policy('grafana-ui', { matchLabels: selectorOf(GRAFANA_NAME) }, [{ ports: [tcp(GRAFANA_PORT)] }]),
  ]
}
