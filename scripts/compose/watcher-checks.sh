#!/usr/bin/env bash
# The health-watcher's docker adapter on the running compose stack (podman's Docker API here):
#   1. it never acts on nginx_lb nor on itself, even when both carry the opt-in label and fail
#      its liveness probes: the watcher is recreated labelled, watching nginx_lb (at its status
#      port, no /health/live: 404) and itself (at a closed port), and nginx_lb is labelled too;
#   2. removing the label at run time stops remediation: Docker and podman cannot change a
#      container's labels, so "removing" it means recreating the container without it (what
#      `docker compose up` does after the label is deleted from the file); the watcher, started
#      while app_fast_2 was labelled, reads the labels again before every restart;
#   3. a container without the label is never stopped or restarted: app_fast_2, SIGKILLed,
#      stays exited; the watcher logs that it did not restart it.
# Run last (smoke.sh, before the teardown): it leaves the stack changed (app_fast_2 exited, the
# watcher and nginx_lb recreated). Prints one line per check; exits 1 on the first failure.
set -euo pipefail
# shellcheck source=scripts/compose/checks-env.sh
. "$(dirname "${BASH_SOURCE[0]}")/checks-env.sh"
fail() {
  printf 'FAIL  %s\n' "$*"
  printf '      health_watcher said:\n'
  docker_api "/containers/health_watcher/logs?stdout=true&stderr=true&tail=30" | tr -d '\000-\010' | sed 's/^/        /' || true
  exit 1
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started_at() { docker_api "/containers/$1/json" | json '`${v.Id.slice(0, 12)} ${v.State.Status} ${v.State.StartedAt}`'; }
watcher_log() { docker_api "/containers/health_watcher/logs?stdout=true&stderr=true" | tr -d '\000-\010'; }
# until TIMEOUT_S WHAT COMMAND...: polls COMMAND every 0.5 s; fails naming WHAT after TIMEOUT_S.
until_true() {
  local timeout_s="$1" what="$2" deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "not within ${timeout_s} s: $what"
    sleep 0.5
  done
}

# The stack as docker-compose resolves it, changed: (a) the watcher and nginx_lb labelled, the
# watcher also watching both; (b) besides, app_fast_2 without the label.
docker-compose config >"$work/resolved.yml"
python3 - "$work" <<'PY'
import copy, json, sys, yaml
work = sys.argv[1]
with open(f"{work}/resolved.yml") as f:
    stack = yaml.safe_load(f)
services = stack["services"]
for name in ("nginx", "health-watcher"):
    services[name]["labels"] = {"lab.autoheal": "true"}
watcher_env = services["health-watcher"]["environment"]
targets = json.loads(watcher_env["WATCH_TARGETS"])
targets += [{"name": "nginx_lb", "url": "http://nginx_lb:8081"},
            {"name": "health_watcher", "url": "http://127.0.0.1:1"}]
watcher_env["WATCH_TARGETS"] = json.dumps(targets)
with open(f"{work}/labelled.yml", "w") as f:
    yaml.safe_dump(stack, f)
unlabelled = copy.deepcopy(stack)
unlabelled["services"]["reader-2"].pop("labels", None)
with open(f"{work}/unlabelled.yml", "w") as f:
    yaml.safe_dump(unlabelled, f)
PY

docker-compose -f "$work/labelled.yml" up -d --no-deps nginx health-watcher >/dev/null 2>&1 ||
  fail "recreating nginx_lb and health_watcher labelled failed"
wait_healthy 90 health_watcher nginx_lb || fail "the labelled health_watcher / nginx_lb did not become healthy"
nginx_before="$(started_at nginx_lb)" watcher_before="$(started_at health_watcher)"
# WHAT the watcher's /status says of NAME: "<state> <remediable> <restarts> <last liveness>".
target_status() {
  curl -fsS --max-time 5 "http://127.0.0.1:${HEALTH_WATCHER_PORT:-7004}/status" 2>/dev/null |
    json "(t => t ? [t.state, t.remediable, t.restarts.total, t.lastProbe?.live?.result].join(' ') : 'absent')(v.targets.find(t => t.name === '$1'))" 2>/dev/null ||
    echo unreachable
}
# Past their start period (10 s) and FALL (3) failed probes, the watcher calls both down: the
# moment it would restart them were they remediable.
both_judged() {
  local name seen
  for name in nginx_lb health_watcher; do
    seen="$(target_status "$name")"
    [[ "$seen" == down* || "$seen" =~ ^[a-z_]+\ [a-z]+\ [1-9] ]] || return 1
  done
}
until_true 60 "the watcher's verdict on nginx_lb and on itself" both_judged
sleep 3 # a restart (stop timeout 2 s) would have begun by now
for name in nginx_lb health_watcher; do
  seen="$(target_status "$name")"
  [[ "$seen" == "down false 0 "* && "$seen" != *" ok" ]] ||
    fail "$name in the watcher's /status: '$seen', expected 'down false 0 <a failed liveness>'"
done
[ "$(started_at nginx_lb)" = "$nginx_before" ] || fail "nginx_lb was restarted: $nginx_before -> $(started_at nginx_lb)"
[ "$(started_at health_watcher)" = "$watcher_before" ] || fail "health_watcher was restarted: $watcher_before -> $(started_at health_watcher)"
# grep reads the whole log (no -q): with pipefail, -q's early exit made the upstream die of
# SIGPIPE once the log outgrew the pipe's buffer, and the check failed with the line present
# (run40: "not within 5 s").
never_line() { watcher_log | grep -F 'Never restarted, whatever their labels: nginx_lb (the load balancer), health_watcher (this watcher itself)' >/dev/null; }
until_true 5 "the watcher's log naming nginx_lb and itself as never restarted" never_line
pass "nginx_lb and health_watcher, labelled and failing the watcher's liveness probes: called down, never restarted (the watcher found itself by its container id)"

# Run time: app_fast_2 loses its label (recreated without it) while the watcher runs.
docker-compose -f "$work/unlabelled.yml" up -d --no-deps reader-2 >/dev/null 2>&1 || fail "recreating app_fast_2 without the label failed"
wait_healthy 60 app_fast_2 || fail "app_fast_2 without the label did not become healthy"
labels="$(docker_api /containers/app_fast_2/json | json 'JSON.stringify(v.Config.Labels ?? {})')"
[[ "$labels" != *lab.autoheal* ]] || fail "app_fast_2 still has the label: $labels"
# A verdict counts only if it came after the kill (the recreation itself may have drawn one).
refusals() { watcher_log | grep -Ec 'Restart of app_fast_2 not attempted: .*does not carry the opt-in label' || true; }
refusals_before="$(refusals)"
docker_api "/containers/app_fast_2/kill?signal=SIGKILL" -X POST >/dev/null
killed="$(started_at app_fast_2)"
not_restarted() { [ "$(refusals)" -gt "$refusals_before" ]; }
until_true 30 "the watcher's verdict on the SIGKILLed app_fast_2" not_restarted
sleep 3 # a backoff retry would come within the watcher's BACKOFF_BASE_MS (1 s)
[ "$(started_at app_fast_2)" = "$killed" ] || fail "app_fast_2 changed after its kill: $killed -> $(started_at app_fast_2)"
[[ "$killed" == *" exited "* ]] || fail "app_fast_2 is not exited after SIGKILL: $killed"
pass "app_fast_2, its label removed at run time and SIGKILLed: not restarted (the watcher logged not_opted_in), still exited"
