#!/bin/sh
# nginx_lb's entrypoint: renders infra/nginx/nginx.conf.template (the native stack's template)
# into the writable runtime dir, then runs nginx in the foreground as this process, so
# `docker stop` / `docker kill -s ...` reach nginx itself.
# The compose file sets the addresses (service names); this script decides only what depends
# on the image: how nginx follows a container that stops, or comes back at a new address.
#   nginx >= 1.27.3 (the official image): `server ... resolve` with Docker's DNS, in nginx.
#   older nginx (the Debian stand-in's 1.22): nginx resolves names once, at start, so this
#     script follows them instead: every NGINX_UPKEEP_INTERVAL_S (1 s) it resolves the upstream
#     names, and when an address changed it re-renders the config and reloads nginx. A name
#     that no longer resolves (a stopped container leaves the network's DNS) becomes a server
#     marked `down`, so nginx answers 502 at once instead of timing out on a vanished address.
# NGINX_LOG_EXPORTER_FILE (compose: on a volume shared with nginx_log_exporter): nginx writes a
# second copy of the access log there for mtail, and this script rotates it past
# NGINX_LOG_EXPORTER_MAX_BYTES (one old file kept), so the volume never fills up.
set -eu
: "${NGINX_RUNTIME_DIR:=/tmp/nginx}"
export NGINX_RUNTIME_DIR
# seconds between two rounds of upkeep: looking up the upstream names (older nginx only) and
# checking the exporter's access-log copy
: "${NGINX_UPKEEP_INTERVAL_S:=1}"
# bytes: the exporter's access-log copy is rotated past this size (16 MiB)
: "${NGINX_LOG_EXPORTER_MAX_BYTES:=16777216}"
# Where the image keeps the template (overridable so the tests can run this script on a host).
template="${NGINX_TEMPLATE:-/etc/nginx/templates/nginx.conf.template}"
config="$NGINX_RUNTIME_DIR/nginx.conf"

# True when version $1 >= $2 (dotted numbers).
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -t. -k1,1n -k2,2n -k3,3n | head -1)" = "$2" ]; }

# HOST:PORT with HOST looked up now (IPv4), or, when it does not resolve, a placeholder
# server nginx never contacts.
resolved_server() {
  address="$(getent ahostsv4 "${1%:*}" 2>/dev/null | awk 'NR == 1 { print $1 }')" || address=""
  if [ -n "$address" ]; then echo "$address:${1##*:}"; else echo "127.0.0.1:${1##*:} down"; fi
}

# Looks every upstream name up now; `servers` lists them in the config's order (readers, writer).
resolve_upstreams() {
  writer_server="$(resolved_server "$writer_name")"
  reader_1_server="$(resolved_server "$reader_1_name")"
  reader_2_server="$(resolved_server "$reader_2_name")"
  servers="$reader_1_server,$reader_2_server,$writer_server"
}

# Renders the template into $1 with the addresses resolve_upstreams found.
render_resolved() {
  WRITER_UPSTREAM="$writer_server" READER_1_UPSTREAM="$reader_1_server" READER_2_UPSTREAM="$reader_2_server" \
    render-template.sh "$template" "$1"
}

# One round of following the upstream names (older nginx): nothing to do unless an address changed.
follow_upstream_addresses() {
  running="$servers"
  resolve_upstreams
  [ "$servers" != "$running" ] || return 0
  # Only a config nginx accepts replaces the running one; otherwise retried next round.
  if render_resolved "$config.next" && nginx -q -t -e stderr -c "$config.next" >/dev/null 2>&1; then
    mv "$config.next" "$config"
    echo "nginx-entrypoint: upstream addresses now $servers; reloading nginx" >&2
    nginx -e stderr -c "$config" -s reload || echo "nginx-entrypoint: reload failed; nginx keeps its previous upstream addresses" >&2
  else
    servers="$running"
    echo "nginx-entrypoint: nginx rejected the re-rendered config; keeping the running one" >&2
  fi
}

# Renames the exporter's copy once it is too big and has nginx reopen its logs; mtail notices
# the new file at the same path and follows it.
rotate_exporter_log() {
  size="$(wc -c <"$NGINX_LOG_EXPORTER_FILE" 2>/dev/null)" || return 0
  [ "$size" -gt "$NGINX_LOG_EXPORTER_MAX_BYTES" ] || return 0
  mv "$NGINX_LOG_EXPORTER_FILE" "$NGINX_LOG_EXPORTER_FILE.1"
  nginx -e stderr -c "$config" -s reopen || echo "nginx-entrypoint: reopen failed; nginx keeps writing to $NGINX_LOG_EXPORTER_FILE.1" >&2
}

# Runs beside nginx (a child of it after the exec below, so $$ is nginx) until nginx exits.
upkeep() {
  while sleep "$NGINX_UPKEEP_INTERVAL_S" && kill -0 "$$" 2>/dev/null; do
    [ "$follow" = 0 ] || follow_upstream_addresses
    [ -z "${NGINX_LOG_EXPORTER_FILE-}" ] || rotate_exporter_log
  done
}

version="$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
mkdir -p "$NGINX_RUNTIME_DIR"
if [ -n "${NGINX_LOG_EXPORTER_FILE-}" ]; then
  export NGINX_LOG_EXPORTER_ACCESS_LOG="access_log $NGINX_LOG_EXPORTER_FILE lab_json;"
else
  export NGINX_LOG_EXPORTER_ACCESS_LOG=""
fi
follow=0
if version_at_least "$version" 1.27.3; then
  # 127.0.0.11: the embedded DNS server of Docker networks (podman's aardvark-dns answers there
  # too). valid=1s: a stopped container drops out of the upstream within a second.
  export NGINX_RESOLVER="resolver 127.0.0.11 valid=1s ipv6=off;" UPSTREAM_SERVER_FLAGS=" resolve"
  render-template.sh "$template" "$config"
else
  export NGINX_RESOLVER="" UPSTREAM_SERVER_FLAGS=""
  # The names as compose set them; a missing one is reported by render-template.sh.
  writer_name="${WRITER_UPSTREAM-}" reader_1_name="${READER_1_UPSTREAM-}" reader_2_name="${READER_2_UPSTREAM-}"
  echo "nginx-entrypoint: nginx $version has no upstream 'resolve' (needs >= 1.27.3): following the upstream names every ${NGINX_UPKEEP_INTERVAL_S} s and reloading nginx when an address changes" >&2
  [ -n "$writer_name" ] && [ -n "$reader_1_name" ] && [ -n "$reader_2_name" ] || render-template.sh "$template" "$config"
  resolve_upstreams
  render_resolved "$config"
  follow=1
fi
case " $* " in
  *" -t "*) ;; # a config test only: no upkeep
  *) if [ "$follow" = 1 ] || [ -n "${NGINX_LOG_EXPORTER_FILE-}" ]; then upkeep & fi ;;
esac
# -e stderr: nginx opens its compiled-in error log before reading the config; /var/log is read-only.
exec nginx -e stderr -c "$config" -g 'daemon off;' "$@"
