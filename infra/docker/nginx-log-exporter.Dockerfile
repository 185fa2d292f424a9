# nginx_log_exporter: mtail running the lab's programs (prometheus/mtail/*.mtail) on the
# access-log copy and the membership log nginx_lb writes to a volume the two share;
# Prometheus scrapes :3903.
# No official mtail image exists, so it is Debian's package. Build context: the repository root.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mtail >/dev/null \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*
COPY prometheus/mtail/nginx-access.mtail prometheus/mtail/lb-membership.mtail /etc/mtail/
# Reads a log nginx writes; writes nothing itself.
USER nobody
EXPOSE 3903
# The same flags as the native stack (packages/supervisor/src/services.ts); the log paths are
# the volume's (NGINX_LOG_EXPORTER_FILE and NGINX_MEMBERSHIP_LOG in docker-compose.yml). mtail
# waits for the files to appear and follows nginx_lb's rotations.
ENTRYPOINT ["mtail", "--progs=/etc/mtail", "--logs=/var/log/nginx-lab/access.log,/var/log/nginx-lab/lb-membership.log", "--port=3903", "--emit_prog_label=false", "--logtostderr"]
