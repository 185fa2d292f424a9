# Sourced helpers that talk to the Docker Engine API on DOCKER_HOST's unix socket (podman's
# here, Docker's elsewhere): what `docker inspect/kill/start/logs` do, without a docker CLI.
# shellcheck shell=bash

DOCKER_API="http://docker/v1.41"

# docker_api PATH [curl options...]: e.g. docker_api /containers/app_slow/json
docker_api() {
  local path="$1"
  shift
  curl -fsS --max-time 30 --unix-socket "${DOCKER_HOST#unix://}" "$@" "$DOCKER_API$path"
}

# json EXPRESSION: evaluates a JS expression over the JSON on stdin, bound to `v`.
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s);console.log($1)})"; }

# wait_healthy TIMEOUT_S CONTAINER...: returns once every container's health is "healthy"
# (what `docker ps` shows as "(healthy)"), 1 after TIMEOUT_S seconds naming the laggards.
wait_healthy() {
  local timeout_s="$1" deadline container health pending
  shift
  deadline=$((SECONDS + timeout_s))
  while :; do
    pending=()
    for container in "$@"; do
      health="$(docker_api "/containers/$container/json" 2>/dev/null | json 'v.State.Health?.Status ?? "none"' 2>/dev/null || echo missing)"
      [ "$health" = healthy ] || pending+=("$container=$health")
    done
    [ "${#pending[@]}" -eq 0 ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      printf 'wait_healthy: not healthy after %ss: %s\n' "$timeout_s" "${pending[*]}" >&2
      return 1
    fi
    sleep 1
  done
}
