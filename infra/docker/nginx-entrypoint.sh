#!/bin/sh
# nginx_lb's entrypoint: renders infra/nginx/nginx.conf.template (the native stack's template)
# into the writable runtime dir, then runs nginx in the foreground as this process, so
# `docker stop` / `docker kill -s ...` reach nginx itself.
# The compose file sets the addresses (service names); this script decides only what depends
# on the image: how nginx follows a container that stops, or comes back at a new address.
#   nginx >= 1.27.3 (the official image): `server ... resolve` with Docker's DNS, in nginx.
#   older nginx (the Debian stand-in's 1.22): nginx resolves names once, at start, so
#     nginx-upstream-follower.sh follows the upstreams instead: it holds a connection to each
#     server, marks a server `down` the moment its process ends (nginx answers 502 at once, or
#     uses the other replica, instead of timing out on a vanished address), takes it back when
#     it accepts connections again at whatever address its name has then, and reloads nginx
#     after each change. See that script for why it follows connections, not DNS.
# NGINX_LOG_EXPORTER_FILE (compose: on a volume shared with nginx_log_exporter): nginx writes a
# second copy of the access log there for mtail, and this script rotates it past
# NGINX_LOG_EXPORTER_MAX_BYTES (one old file kept), so the volume never fills up.
set -eu
: "${NGINX_RUNTIME_DIR:=/tmp/nginx}"
export NGINX_RUNTIME_DIR
# seconds between two checks of the exporter's access-log copy
: "${NGINX_UPKEEP_INTERVAL_S:=1}"
# bytes: the exporter's access-log copy is rotated past this size (16 MiB)
: "${NGINX_LOG_EXPORTER_MAX_BYTES:=16777216}"
# Where the image keeps the template (overridable so the tests can run this script on a host).
template="${NGINX_TEMPLATE:-/etc/nginx/templates/nginx.conf.template}"
config="$NGINX_RUNTIME_DIR/nginx.conf"

# True when version $1 >= $2 (dotted numbers).
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -t. -k1,1n -k2,2n -k3,3n | head -1)" = "$2" ]; }

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
  while sleep "$NGINX_UPKEEP_INTERVAL_S" && kill -0 "$$" 2>/dev/null; do rotate_exporter_log; done
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
  export NGINX_RESOLVER="" UPSTREAM_SERVER_FLAGS="" NGINX_TEMPLATE="$template"
  echo "nginx-entrypoint: nginx $version has no upstream 'resolve' (needs >= 1.27.3): following each upstream by its connections and reloading nginx when one goes or comes back" >&2
  nginx-upstream-follower.sh render "$config"
  follow=1
fi
case " $* " in
  *" -t "*) ;; # a config test only: nothing to follow
  *)
    [ "$follow" = 0 ] || nginx-upstream-follower.sh follow "$config" "$$" &
    [ -z "${NGINX_LOG_EXPORTER_FILE-}" ] || upkeep &
    ;;
esac
# -e stderr: nginx opens its compiled-in error log before reading the config; /var/log is read-only.
exec nginx -e stderr -c "$config" -g 'daemon off;' "$@"
