#!/bin/sh
# prometheus' entrypoint: renders prometheus/prometheus.yml.template (the native stack's
# template) with the compose addresses docker-compose.yml sets, then runs Prometheus as this
# process. Extra arguments go to Prometheus.
set -eu
render-template.sh /etc/prometheus/prometheus.yml.template /tmp/prometheus/prometheus.yml
exec /bin/prometheus --config.file=/tmp/prometheus/prometheus.yml --storage.tsdb.path=/prometheus "$@"
