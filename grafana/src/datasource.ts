/**
 * The Prometheus datasource every panel queries. Its uid is fixed in the provisioning
 * file (provisioning/datasources/prometheus.yml), so the generated dashboards refer to it
 * without a lookup and work on any Grafana the provisioning is mounted into.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common'

export const PROMETHEUS_DATASOURCE_UID = 'lab-prometheus'

export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: PROMETHEUS_DATASOURCE_UID }
