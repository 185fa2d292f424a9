#!/usr/bin/env bash
# Removes what the smoke test (or `docker-compose up` against podman) left: the stack's
# containers, volumes and network, leftover firewall rules of its subnets, the
# healthcheck loop and, when this setup started it, podman's API service. Safe to run twice.
set -uo pipefail
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PL_REPO"

stop_pid_file() {
  local file="$1" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  # Only a process that is still the one we started (its command line names our script/socket).
  if [ -n "$pid" ] && grep -qa -- "$2" "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

if curl -fsS --max-time 2 --unix-socket "$PL_PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; then
  docker-compose down --volumes --remove-orphans --timeout 5 >&2 || pl_log "docker-compose down failed; removing containers with podman"
fi
# Whatever compose could not remove (a failed `up`, a container created by hand).
for name in lab_secrets_init app_slow app_fast_1 app_fast_2 health_watcher nginx_lb nginx_exporter nginx_log_exporter prometheus grafana; do
  podman rm --force --time 5 "$name" >/dev/null 2>&1 || true
done
podman network rm --force "${COMPOSE_PROJECT_NAME}_default" >/dev/null 2>&1 || true
stop_pid_file "$PL_CONTAINERS_DIR/healthcheck-loop.pid" healthcheck-loop.sh
[ "${PL_KEEP_PODMAN_SERVICE:-0}" = 1 ] || stop_pid_file "$PL_CONTAINERS_DIR/podman-service.pid" "$PL_PODMAN_SOCKET"
# netavark removes a network's rules with the network; a killed run can leave some behind.
# Only rules for this setup's subnets go (other podman users share netavark's chains); the
# empty top-level NETAVARK chains netavark keeps by design stay.
for table in nat filter; do
  iptables -t "$table" -S 2>/dev/null | grep -E '^-A .*\b10\.12[23]\.' | sed 's/^-A /-D /' |
    while read -r rule; do
      # eval: iptables -S quotes the rules' comments.
      eval "iptables -t $table $rule" 2>/dev/null || true
    done
done
exit 0
