#!/bin/sh
# nginx_lb's entrypoint: renders infra/nginx/nginx.conf.template (the native stack's template)
# into the writable runtime dir, then runs nginx in the foreground as this process, so
# `docker stop` / `docker kill -s ...` reach nginx itself.
# The compose file sets the addresses (service names); this script decides only what depends
# on the image: how nginx follows a container that stops, or comes back at a new address.
#   nginx >= 1.27.3 (the official image): `server ... resolve` with Docker's DNS, in nginx.
#   older nginx (the Debian stand-in's 1.22): nginx resolves names once, at start, so this
#     script follows them instead: every NGINX_FOLLOW_INTERVAL_S it resolves the upstream
#     names, and when an address changed it re-renders the config and reloads nginx. A name
#     that no longer resolves (a stopped container leaves the network's DNS) becomes a server
#     marked `down`, so nginx answers 502 at once instead of timing out on a vanished address.
set -eu
: "${NGINX_RUNTIME_DIR:=/tmp/nginx}"
export NGINX_RUNTIME_DIR
# seconds between two lookups of the upstream names (older nginx only)
: "${NGINX_FOLLOW_INTERVAL_S:=1}"
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

# Renders the template into $1 with every upstream name replaced by its current address.
render_resolved() {
  WRITER_UPSTREAM="$(resolved_server "$writer_name")" \
    READER_1_UPSTREAM="$(resolved_server "$reader_1_name")" \
    READER_2_UPSTREAM="$(resolved_server "$reader_2_name")" \
    render-template.sh "$template" "$1"
}

# Runs beside nginx (a child of it after the exec below, so $$ is nginx) until nginx exits.
follow_upstream_addresses() {
  while sleep "$NGINX_FOLLOW_INTERVAL_S" && kill -0 "$$" 2>/dev/null; do
    render_resolved "$config.next" || continue
    cmp -s "$config.next" "$config" && continue
    # Only a config nginx accepts replaces the running one; otherwise retried next round.
    if nginx -q -t -e stderr -c "$config.next" >/dev/null 2>&1; then
      mv "$config.next" "$config"
      echo "nginx-entrypoint: upstream addresses now $(sed -n 's/^ *server \([0-9.]*:[0-9]*\( down\)\{0,1\}\).*/\1/p' "$config" | paste -sd, -); reloading nginx" >&2
      nginx -e stderr -c "$config" -s reload || echo "nginx-entrypoint: reload failed; nginx keeps its previous upstream addresses" >&2
    else
      echo "nginx-entrypoint: nginx rejected the re-rendered config; keeping the running one" >&2
    fi
  done
}

version="$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
mkdir -p "$NGINX_RUNTIME_DIR"
if version_at_least "$version" 1.27.3; then
  # 127.0.0.11: the embedded DNS server of Docker networks (podman's aardvark-dns answers there
  # too). valid=1s: a stopped container drops out of the upstream within a second.
  export NGINX_RESOLVER="resolver 127.0.0.11 valid=1s ipv6=off;" UPSTREAM_SERVER_FLAGS=" resolve"
  render-template.sh "$template" "$config"
else
  export NGINX_RESOLVER="" UPSTREAM_SERVER_FLAGS=""
  # The names as compose set them; a missing one is reported by render-template.sh.
  writer_name="${WRITER_UPSTREAM-}" reader_1_name="${READER_1_UPSTREAM-}" reader_2_name="${READER_2_UPSTREAM-}"
  echo "nginx-entrypoint: nginx $version has no upstream 'resolve' (needs >= 1.27.3): following the upstream names every ${NGINX_FOLLOW_INTERVAL_S} s and reloading nginx when an address changes" >&2
  [ -n "$writer_name" ] && [ -n "$reader_1_name" ] && [ -n "$reader_2_name" ] || render-template.sh "$template" "$config"
  render_resolved "$config"
  case " $* " in
    *" -t "*) ;; # a config test only: nothing to follow
    *) follow_upstream_addresses & ;;
  esac
fi
# -e stderr: nginx opens its compiled-in error log before reading the config; /var/log is read-only.
exec nginx -e stderr -c "$config" -g 'daemon off;' "$@"
