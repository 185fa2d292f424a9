#!/bin/sh
# nginx_lb's entrypoint: renders infra/nginx/nginx.conf.template (the native stack's template)
# into the writable runtime dir, then runs nginx in the foreground as this process, so
# `docker stop` / `docker kill -s ...` reach nginx itself.
# The compose file sets the addresses; this script decides only what depends on the image:
# upstream DNS re-resolution (`server ... resolve`) exists from nginx 1.27.3 on, so with an
# older nginx (the Debian stand-in's 1.22) the names are resolved once at start.
set -eu
: "${NGINX_RUNTIME_DIR:=/tmp/nginx}"
export NGINX_RUNTIME_DIR
# Where the image keeps the template (overridable so the tests can run this script on a host).
template="${NGINX_TEMPLATE:-/etc/nginx/templates/nginx.conf.template}"

# True when version $1 >= $2 (dotted numbers).
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -t. -k1,1n -k2,2n -k3,3n | head -1)" = "$2" ]; }

version="$(nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p')"
if version_at_least "$version" 1.27.3; then
  # 127.0.0.11: the embedded DNS server of Docker networks (podman's aardvark-dns answers there too).
  export NGINX_RESOLVER="resolver 127.0.0.11 valid=10s ipv6=off;" UPSTREAM_SERVER_FLAGS=" resolve"
else
  export NGINX_RESOLVER="" UPSTREAM_SERVER_FLAGS=""
  echo "nginx-entrypoint: nginx $version has no upstream 'resolve' (needs >= 1.27.3): upstream names are resolved once, at start" >&2
fi

mkdir -p "$NGINX_RUNTIME_DIR"
render-template.sh "$template" "$NGINX_RUNTIME_DIR/nginx.conf"
# -e stderr: nginx opens its compiled-in error log before reading the config; /var/log is read-only.
exec nginx -e stderr -c "$NGINX_RUNTIME_DIR/nginx.conf" -g 'daemon off;' "$@"
