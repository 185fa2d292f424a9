# prometheus: the official image with the lab's config template and rules (prometheus/),
# rendered at start by prometheus-entrypoint.sh. Build context: the repository root.
ARG PROMETHEUS_IMAGE=prom/prometheus:v3.5.0
FROM ${PROMETHEUS_IMAGE}
COPY infra/docker/render-template.sh infra/docker/prometheus-entrypoint.sh /usr/local/bin/
COPY prometheus/prometheus.yml.template /etc/prometheus/prometheus.yml.template
COPY prometheus/rules/ /etc/prometheus/rules/
ENV PROMETHEUS_RULES_DIR=/etc/prometheus/rules
ENTRYPOINT ["/usr/local/bin/prometheus-entrypoint.sh"]
CMD []
