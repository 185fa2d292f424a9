#!/usr/bin/env bash
# Installs the Debian packages the native stack and the tests use, when missing:
# nginx (the load balancer), Prometheus + promtool, prometheus-nginx-exporter, mtail
# (nginx access-log metrics). `--for-tests` adds what the test suite needs besides:
# chromium (the HTML report is checked in a real browser), podman and runc (the Docker
# control target is tested against podman's Docker-compatible API).
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -euo pipefail

packages=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx-light)
command -v prometheus >/dev/null 2>&1 || packages+=(prometheus)
command -v prometheus-nginx-exporter >/dev/null 2>&1 || packages+=(prometheus-nginx-exporter)
command -v mtail >/dev/null 2>&1 || packages+=(mtail)
for option in "$@"; do
  case "$option" in
    --for-tests)
      command -v chromium >/dev/null 2>&1 || packages+=(chromium)
      command -v podman >/dev/null 2>&1 || packages+=(podman)
      command -v runc >/dev/null 2>&1 || packages+=(runc)
      ;;
    *) echo "system-deps: unknown option '$option' (expected --for-tests)" >&2; exit 2 ;;
  esac
done
[ "${#packages[@]}" -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${packages[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${packages[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo $cmd" >&2
  exit 1
fi
echo "system-deps: installing ${packages[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
# The package scripts would start the distribution's own nginx/Prometheus on their default
# ports; the stack runs its own instances, so forbid service starts during the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ "$created_policy" -eq 1 ] && rm -f "$policy"' EXIT
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
