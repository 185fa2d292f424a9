# nginx_lb: the official nginx image with the lab's one template (infra/nginx), rendered at
# start by nginx-entrypoint.sh from the environment docker-compose.yml sets. nginx >= 1.27.3
# re-resolves upstream names, so a restarted app container is found again at its new address.
# Build context: the repository root.
ARG NGINX_IMAGE=nginx:1.28-bookworm
FROM ${NGINX_IMAGE}
COPY infra/docker/render-template.sh infra/docker/nginx-entrypoint.sh infra/docker/nginx-upstream-follower.sh /usr/local/bin/
COPY infra/nginx/nginx.conf.template /etc/nginx/templates/nginx.conf.template
# The access-log copy for nginx_log_exporter lives here (a volume in compose); a new named
# volume takes this directory's owner, so nginx can write to it.
RUN mkdir -p /var/log/nginx-lab && chown nginx /var/log/nginx-lab
# Unprivileged: the template listens on 8080/8081 and writes only to NGINX_RUNTIME_DIR (a tmpfs)
# and the access-log copy.
USER nginx
ENV NGINX_RUNTIME_DIR=/tmp/nginx
EXPOSE 8080
# Graceful: SIGQUIT lets workers finish their requests (SIGTERM would be a fast shutdown).
STOPSIGNAL SIGQUIT
# No curl needed: bash's /dev/tcp asks the load balancer's own /lb-health (touches no backend).
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /lb-health HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["nginx-entrypoint.sh"]
