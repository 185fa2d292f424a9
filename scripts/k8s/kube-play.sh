#!/usr/bin/env bash
# Runs the rendered `lab` overlay (infra/k8s) for real with `podman kube play`, on a machine
# with no Kubernetes API server: every workload of the overlay starts from its manifest with the
# project's images (built by scripts/compose/smoke.sh --prepare-only into the podman store of
# scripts/compose/env.sh), turns ready, and reads through nginx reach both readers (exactly 15/5
# on 20 reads, the guide's 3:1). Then it prints what podman does not model and removes
# everything it created (its pods, its network, its temp dir), also on failure or Ctrl-C.
# What changes between the committed YAML and what podman runs is printed too; it is computed
# by infra/k8s/src/podman-play.ts.
#   KUBE_PLAY_PORT   host port for nginx on 127.0.0.1 (24080)
#   KUBE_PLAY_READY_S  how long every pod may take to turn ready (60)
# Takes about 20-30 s when the images exist; builds them first (3-5 min) when they do not.
# Waits (bounded) for podman.lock, as scripts/compose/smoke.sh does: one podman user at a time.
set -euo pipefail
# No `grep -q` after a pipe: under pipefail its early exit can kill the writer with SIGPIPE
# (scripts/compose/watcher-checks.sh, run40); grep ... >/dev/null reads it all.
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/../compose/env.sh"
cd "$PL_REPO"
# shellcheck source=scripts/toolchain.sh
. scripts/toolchain.sh

PORT="${KUBE_PLAY_PORT:-24080}"
READY_S="${KUBE_PLAY_READY_S:-60}"
NETWORK=pl-k8s-play
SUBNET="${KUBE_PLAY_SUBNET:-10.124.24.0/24}"
# The images the lab overlay runs (Grafana has none here; kube-play leaves it out).
IMAGES=(production-lab/writer production-lab/reader production-lab/health-watcher production-lab/nginx
  production-lab/prometheus nginx/nginx-prometheus-exporter:1.4.2)
started=$SECONDS
log() { printf 'kube-play: %s\n' "$*" >&2; }
# wait_for LIMIT_S EVERY_S OUTPUT MESSAGE COMMAND...: runs COMMAND until it succeeds, every
# EVERY_S for at most LIMIT_S, its output in OUTPUT; on timeout prints that output and fails.
wait_for() {
  local limit="$1" every="$2" out="$3" message="$4" deadline
  shift 4
  deadline=$((SECONDS + limit))
  until "$@" >"$out" 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { cat "$out" >&2; log "$message"; exit 1; }
    sleep "$every"
  done
}
pods=()

cleanup() {
  local status=$?
  if [ "$status" -ne 0 ] && [ "${#pods[@]}" -gt 0 ]; then
    log "failed (exit $status); pod states and the last log lines:"
    for pod in "${pods[@]}"; do podman ps --all --filter "pod=$pod" --format '{{.Names}}  {{.Status}}' >&2 || true; done
    for pod in "${pods[@]}"; do
      for container in $(podman pod inspect "$pod" --format '{{range .Containers}}{{.Name}} {{end}}' 2>/dev/null); do
        case "$container" in *-infra) continue ;; esac
        echo "--- $container" >&2; podman logs --tail 8 "$container" >&2 2>&1 || true
      done
    done
  fi
  [ -z "${work-}" ] || [ ! -f "$work/play.yaml" ] || timeout 60 podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
  podman network rm --force "$NETWORK" >/dev/null 2>&1 || true
  [ "$service_started" = 0 ] || stop_api_service
  [ -z "${work-}" ] || rm -rf "$work"
  log "$([ "$status" -eq 0 ] && echo passed || echo FAILED) after $((SECONDS - started)) s"
  exit "$status"
}

# setup-podman.sh starts podman's Docker API service when it is not running; kube play does not
# need it, so a service this script caused is stopped again (an already running one is left).
service_started=0
stop_api_service() {
  local pid
  pid="$(cat "$PL_CONTAINERS_DIR/podman-service.pid" 2>/dev/null)" || return 0
  if grep -qa -- "$PL_PODMAN_SOCKET" "/proc/$pid/cmdline" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
}
api_answers() { curl -fsS --max-time 2 --unix-socket "$PL_PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; }
bash scripts/system-deps.sh kube-play
# The project's images, built by the compose test's preparation when missing (it takes the
# podman lock below itself).
images_missing() {
  local image
  for image in "${IMAGES[@]}"; do podman image exists "$image" 2>/dev/null || return 0; done
  return 1
}
if images_missing; then
  log "building the project's images first (scripts/compose/smoke.sh --prepare-only, minutes)"
  bash scripts/compose/smoke.sh --prepare-only
fi
# One user of the podman setup at a time, as scripts/compose/smoke.sh: its teardown stops
# podman's API service and cleans up networks, so no part of a run may overlap this one. The
# lock goes with this process, after the exit trap's cleanup.
mkdir -p "$PL_CONTAINERS_DIR"
exec 9>"$PL_CONTAINERS_DIR/podman.lock"
lock_wait_s="${PL_PODMAN_LOCK_WAIT_S:-1500}"
lock_asked=$SECONDS
flock -w "$lock_wait_s" 9 || { log "another run held $PL_CONTAINERS_DIR/podman.lock for over $lock_wait_s s"; exit 1; }
[ "$((SECONDS - lock_asked))" -lt 2 ] || log "waited $((SECONDS - lock_asked)) s for another podman run (podman.lock)"
started=$SECONDS
# Only now: a run that gave up waiting must not clean up the holder's pods.
api_answers || service_started=1
trap cleanup EXIT
trap 'exit 130' INT TERM
bash scripts/compose/setup-podman.sh
images_missing && { log "the project's images are still missing: ${IMAGES[*]}"; exit 1; }
work="$(mktemp -d)"

# The renderer's workspace dependencies (the nginx template renderer, ...), built unless cached.
./pnpm exec turbo run build --filter='@production-lab/k8s^...' --output-logs=errors-only >"$work/build.log" 2>&1 ||
  { tail -20 "$work/build.log" >&2; log "building the renderer's dependencies failed"; exit 1; }
# The podman rendering of the committed lab overlay, with a per-run admin token.
ADMIN_TOKEN="$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')" \
  node --import tsx infra/k8s/src/podman-play-cli.ts "$work/play.yaml" "$PORT" >"$work/play.json"
json() { node -e "const p=require('$work/play.json'); $1"; }
mapfile -t pods < <(json 'console.log(p.pods.join("\n"))')
log "what differs from the cluster (infra/k8s/src/podman-play.ts):"
json 'for (const c of p.changes) console.log("  - " + c)' >&2

# Leftovers of an interrupted run of this script (same file, same names) go first.
timeout 60 podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
podman network rm --force "$NETWORK" >/dev/null 2>&1 || true
# A subnet outside the compose stack's pools (10.122/10.123), whose firewall rules
# scripts/compose/teardown.sh removes, whoever created them.
podman network create --subnet "$SUBNET" "$NETWORK" >/dev/null
timeout 90 podman kube play --network "$NETWORK" "$work/play.yaml" >"$work/play.out"
log "started ${#pods[@]} pods: ${pods[*]} ($((SECONDS - started)) s)"

# Ready, as the probes define it, asked from inside the network by the watcher's Node (the
# images have no curl): the apps' /health/ready, Prometheus's /-/ready; nginx's /lb-health from
# the host through the published port.
probe_from_watcher() {
  podman exec health-watcher-pod-0-watcher node -e "
    const urls = process.argv.slice(1)
    Promise.all(urls.map((u) => fetch(u, { signal: AbortSignal.timeout(2000) }).then((r) => r.status, () => 0)))
      .then((codes) => { console.log(urls.map((u, i) => u + ' ' + codes[i]).join('\n')); process.exit(codes.every((c) => c === 200) ? 0 : 1) })
  " "$@"
}
# Pods answer DNS by their name, <deployment>-pod-0 (podman 4).
ready_urls=(http://app-slow-pod-0:8000/health/ready http://app-fast-1-pod-0:8000/health/ready
  http://app-fast-2-pod-0:8000/health/ready http://health-watcher-pod-0:8000/health/ready http://prometheus-pod-0:9090/-/ready)
all_ready() { probe_from_watcher "${ready_urls[@]}" && curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/lb-health"; }
wait_for "$READY_S" 1 "$work/ready.txt" "not every pod turned ready within $READY_S s" all_ready
log "every pod ready ($((SECONDS - started)) s):"
sed 's/^/  /' "$work/ready.txt" >&2
for pod in "${pods[@]}"; do podman pod ps --filter "name=^$pod\$" --format '  {{.Name}}  {{.Status}}  {{.NumberOfContainers}} containers' >&2; done

# The manifest's limits and hardening as podman applied them (the guide's `docker inspect app_slow`:
# NanoCpus 500000000, Memory 536870912), read-only root, the image's user, no capability left.
inspect="$(podman inspect app-slow-pod-0-writer --format '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.ReadonlyRootfs}} {{.Config.User}}')"
inspect="$inspect $(podman exec app-slow-pod-0-writer sh -c 'sed -n "s/^CapEff:\t//p" /proc/1/status')"
log "app_slow as podman runs it (NanoCpus Memory ReadonlyRootfs User CapEff): $inspect"
[ "$inspect" = "500000000 536870912 true 1000:1000 0000000000000000" ] ||
  { log "expected 500000000 536870912 true 1000:1000 0000000000000000"; exit 1; }

# The guide's split: 20 reads through nginx, 15 to FAST_REPLICA_1 and 5 to FAST_REPLICA_2.
for _ in $(seq 1 20); do curl -fsS --max-time 5 "http://127.0.0.1:$PORT/read"; echo; done >"$work/reads.txt"
split="$(grep -o '"service":"[A-Z_0-9]*"' "$work/reads.txt" | sort | uniq -c | tr -s ' ' | tr '\n' ' ')"
log "20 reads through nginx: $split"
[ "$(grep -c '"service":"FAST_REPLICA_1"' "$work/reads.txt")" = 15 ] &&
  [ "$(grep -c '"service":"FAST_REPLICA_2"' "$work/reads.txt")" = 5 ] ||
  { log "expected 15 x FAST_REPLICA_1 and 5 x FAST_REPLICA_2"; exit 1; }
curl -fsS --max-time 5 -X POST "http://127.0.0.1:$PORT/write" | grep -F '"service":"SLOW_PRIMARY"' >/dev/null ||
  { log "POST /write through nginx did not reach SLOW_PRIMARY"; exit 1; }
log "POST /write through nginx reached SLOW_PRIMARY"
# nginx keeps /metrics and /admin to itself.
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$PORT/metrics")"
[ "$code" = 404 ] || { log "GET /metrics through nginx answered $code, expected 404"; exit 1; }
# The watcher, observe-only, sees every target up; Prometheus loaded the rule files of its image.
watcher_sees_all_up() {
  podman exec health-watcher-pod-0-watcher node -e "
    fetch('http://127.0.0.1:8000/status').then((r) => r.json()).then((s) => {
      const states = (s.targets ?? []).map((t) => t.name + '=' + t.state)
      console.log('kube-play: watcher (' + s.adapter + ') targets: ' + states.join(' '))
      process.exit(s.adapter === 'observe' && states.length === 3 && states.every((x) => x.endsWith('=up')) ? 0 : 1)
    })"
}
# rise = 2 good probes, 1 s apart: up within a few seconds of the apps being ready.
wait_for 10 1 "$work/watcher.txt" "the watcher does not see all three targets up" watcher_sees_all_up
cat "$work/watcher.txt" >&2
# Prometheus: the rule files of its image loaded, and every pod scraped under the job and
# instance labels the rules and dashboards expect (the cluster's relabelling, see podman-play.ts).
prometheus_sees_all() {
  podman exec health-watcher-pod-0-watcher node -e "
    const api = (q) => fetch('http://prometheus-pod-0:9090/api/v1/' + q).then((r) => r.json())
    Promise.all([api('rules'), api('query?query=up')]).then(([rules, up]) => {
      const groups = rules.data.groups.length
      const series = up.data.result.map((s) => s.metric.job + '/' + s.metric.instance + '=' + s.value[1]).sort()
      console.log('kube-play: Prometheus: ' + groups + ' rule groups; up: ' + series.join(' '))
      const want = ['health_watcher/health_watcher', 'nginx_exporter/nginx_lb', 'prometheus/prometheus',
        'reader/app_fast_1', 'reader/app_fast_2', 'writer/app_slow'].map((s) => s + '=1')
      process.exit(groups > 0 && want.every((w) => series.includes(w)) ? 0 : 1)
    }, () => process.exit(1))"
}
# Scraped every 5 s: every target is up within a few intervals.
wait_for 20 2 "$work/prometheus.txt" "Prometheus does not scrape every pod under its guide name" prometheus_sees_all
cat "$work/prometheus.txt" >&2

log "not modeled by podman (validated only, by the infra/k8s tests and kubectl kustomize):"
json 'for (const [k, v] of Object.entries(p.notModeled)) console.log("  - " + k + ": " + v.join(", "))' >&2
log "  - also: Kubernetes service discovery (emulated by static targets), probes as the kubelet runs them, preStop and terminationGracePeriodSeconds, requests (no scheduler; limits do apply), the scale overlay (HPA, PDB, topology spread)"
