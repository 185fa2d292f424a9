# nginx_log_exporter: mtail running the lab's program (prometheus/mtail/nginx-access.mtail) on
# the access-log copy nginx_lb writes to a volume the two share; Prometheus scrapes :3903.
# No official mtail image exists, so it is Debian's package. Build context: the repository root.
ARG DEBIAN_IMAGE=debian:bookworm-slim
FROM ${DEBIAN_IMAGE}
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mtail >/dev/null \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*
COPY prometheus/mtail/nginx-access.mtail /etc/mtail/nginx-access.mtail
# Reads a log nginx writes; writes nothing itself.
USER nobody
EXPOSE 3903
# The same flags as the native stack (apps/lab/src/stack/services.ts); the log path is the
# volume's (NGINX_LOG_EXPORTER_FILE in docker-compose.yml). mtail waits for the file to appear
# and follows nginx_lb's rotations.
ENTRYPOINT ["mtail", "--progs=/etc/mtail", "--logs=/var/log/nginx-lab/access.log", "--port=3903", "--emit_prog_label=false", "--logtostderr"]
