#!/usr/bin/env bash
# The compose smoke test: on a machine without Docker, runs docker-compose.yml for real with
# podman behind a Docker-compatible socket. Sets up podman, builds the local stand-ins of the
# base images and the lab's images, starts the stack (all but grafana, which has no image
# here), waits until every app is healthy, checks it like the lab guide's user
# (scripts/compose/stack-checks.sh), runs the lab's scenarios against it
# (`lab test --target compose`), and tears everything down, also on failure or Ctrl-C.
# Host ports are shifted away from the guide's so a running lab is not disturbed:
#   LB_PORT=18080 PROMETHEUS_PORT=19090 APP_SLOW_PORT=17601 ... (override any of them)
# Prints the time each phase took. Exit code 0 only if every step passed.
#   smoke.sh --prepare-only   only the slow, cacheable part (podman, stand-ins, the lab's
#                             images), then stops podman's API service again. The test command
#                             runs it in the background at the lowest priority; a later
#                             smoke.sh waits for it (a lock) and finds everything built.
set -euo pipefail
prepare_only=0
case "${1-}" in
  --prepare-only) prepare_only=1 ;;
  "") ;;
  *) echo "usage: smoke.sh [--prepare-only]" >&2; exit 2 ;;
esac
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PL_REPO"
# Node 24 on PATH (the lab CLI, JSON parsing).
# shellcheck source=scripts/toolchain.sh
. scripts/toolchain.sh
# shellcheck source=scripts/compose/docker-api.sh
. scripts/compose/docker-api.sh
export LB_PORT="${LB_PORT:-18080}" PROMETHEUS_PORT="${PROMETHEUS_PORT:-19090}" GRAFANA_PORT="${GRAFANA_PORT:-13000}"
export APP_SLOW_PORT="${APP_SLOW_PORT:-17601}" APP_FAST_1_PORT="${APP_FAST_1_PORT:-17602}"
export APP_FAST_2_PORT="${APP_FAST_2_PORT:-17603}" HEALTH_WATCHER_PORT="${HEALTH_WATCHER_PORT:-17604}"
# No ADMIN_TOKEN: the stack generates its own (secrets-init), as for a user's `docker compose
# up`; secrets-checks.sh checks it and the lab CLI reads it from there.
# Everything but grafana (and the `load` profile's k6): no image of theirs can be had here.
SERVICES=(writer reader-1 reader-2 health-watcher nginx nginx-exporter nginx-log-exporter prometheus)
# Containers with a healthcheck (the guide's names).
HEALTHCHECKED=(app_slow app_fast_1 app_fast_2 health_watcher nginx_lb)

started=$SECONDS
phase_start=$SECONDS
phase() { printf 'smoke: %-28s %4ss\n' "$1" "$((SECONDS - phase_start))" >&2; phase_start=$SECONDS; }
# What the health-watcher decided during the run (every state change and restart), so a
# scenario disturbed by a restart nobody asked for shows why in the CI log.
watcher_decisions() {
  [ "$prepare_only" = 0 ] && podman container exists health_watcher 2>/dev/null || return 0
  pl_log "health_watcher's decisions during the run:"
  podman logs health_watcher 2>&1 | grep -E '"message":"(Target |Restart|Probe of)' |
    node -e "require('readline').createInterface({input:process.stdin}).on('line',l=>{try{const v=JSON.parse(l);console.log('  '+v.time+'  '+v.message)}catch{}})" >&2 || true
}
# nginx_lb's upstream changes (infra/docker/nginx-upstream-follower.sh): which server left or
# came back, why, and how long after the change nginx was reloaded.
lb_changes() {
  [ "$prepare_only" = 0 ] && podman container exists nginx_lb 2>/dev/null || return 0
  pl_log "nginx_lb's upstream changes during the run:"
  podman logs nginx_lb 2>&1 | grep -E 'nginx-entrypoint: (upstream addresses now|reload failed|nginx rejected)' | sed 's/^/  /' >&2 || true
}
teardown() {
  local status=$?
  watcher_decisions
  lb_changes
  if [ "$status" -ne 0 ]; then
    pl_log "failed (exit $status); container states and the last log lines:"
    podman ps --all --format '{{.Names}}  {{.Status}}' >&2 || true
    docker-compose logs --no-color --tail 15 >&2 || true
  fi
  bash "$PL_REPO/scripts/compose/teardown.sh"
  printf 'smoke: %s after %ss\n' "$([ "$status" -eq 0 ] && echo passed || echo FAILED)" "$((SECONDS - started))" >&2
  exit "$status"
}
# One user of the podman setup at a time, from the first step to the end of the teardown: the
# teardown stops podman's API service and removes the stack's containers, so a second run (a
# preparation of another clone, say) must not overlap any part of this one. A run started
# meanwhile waits here (bounded), then finds everything built. The lock is the file
# descriptor's: it goes with this process, after the exit trap's teardown.
mkdir -p "$PL_CONTAINERS_DIR"
exec 9>"$PL_CONTAINERS_DIR/podman.lock"
lock_wait_s="${PL_PODMAN_LOCK_WAIT_S:-1500}"
flock -w "$lock_wait_s" 9 ||
  pl_fail "another run held $PL_CONTAINERS_DIR/podman.lock for over ${lock_wait_s} s (holders: $(fuser "$PL_CONTAINERS_DIR/podman.lock" 2>/dev/null || echo unknown))"
# Only now: a run that gave up waiting must not tear down the holder's stack.
trap teardown EXIT
trap 'exit 130' INT TERM
phase "waited for other podman runs"
bash scripts/compose/setup-podman.sh
phase "podman ready"
bash scripts/compose/base-images.sh
phase "base images ready"
# A stack left by an interrupted run would hold the container names.
PL_KEEP_PODMAN_SERVICE=1 bash scripts/compose/teardown.sh
# PL_IMAGES_BUILT=1: the test command's background preparation built them from this same tree
# a few minutes ago; even all cached, six builds re-hash the context (about 60 s here).
if [ "${PL_IMAGES_BUILT:-0}" = 1 ] && [ "$prepare_only" = 0 ]; then
  phase "images (built by the preparation)"
else
  docker-compose build --quiet writer reader-1 health-watcher nginx nginx-log-exporter prometheus >"$PL_CONTAINERS_DIR/build.log" 2>&1 ||
    { tail -40 "$PL_CONTAINERS_DIR/build.log" >&2; pl_fail "image build failed; full log: $PL_CONTAINERS_DIR/build.log"; }
  phase "images built"
fi
# The teardown on exit stops podman's API service, so the stack later gets a fresh one at
# normal priority (a background preparation runs it niced, and containers inherit that).
[ "$prepare_only" = 0 ] || exit 0

# 9>&-: the loop must not hold podman.lock (see setup-podman.sh).
setsid bash scripts/compose/healthcheck-loop.sh </dev/null >/dev/null 2>&1 9>&- &
echo $! >"$PL_CONTAINERS_DIR/healthcheck-loop.pid"
docker-compose up -d "${SERVICES[@]}" >&2
wait_healthy 120 "${HEALTHCHECKED[@]}"
phase "stack up and healthy"
podman ps --format '{{.Names}}\t{{.Status}}\t{{.Ports}}' >&2

# The lab CLI and its packages: the guide checks judge the read split with @production-lab/stack,
# then the lab's scenarios run through the Docker API (DOCKER_HOST) and the ports exported above.
./pnpm exec turbo run build --filter="@production-lab/lab..." --output-logs=errors-only >"$PL_CONTAINERS_DIR/lab-build.log" 2>&1 ||
  { tail -20 "$PL_CONTAINERS_DIR/lab-build.log" >&2; pl_fail "building the lab CLI failed; full log: $PL_CONTAINERS_DIR/lab-build.log"; }
bash scripts/compose/stack-checks.sh
phase "guide checks"

bash scripts/compose/secrets-checks.sh
phase "secrets checks"
# The test command's time budget (15 min): W3 (a hung reader restarted) runs natively; on compose
# L1.3 hangs a reader and requires the watcher's restart too. B5 (overload, the writer at its
# 0.5-CPU container limit) runs here and not natively (package.json test:scenarios).
node apps/lab/dist/cli.js test --target compose --skip W3
phase "lab scenarios"
# Last: it leaves app_fast_2 exited and the watcher and nginx_lb recreated.
bash scripts/compose/watcher-checks.sh
phase "watcher checks"
