#!/usr/bin/env bash
# The compose stack, checked the way the lab guide's user would (needs the stack running,
# e.g. from smoke.sh): reads split 3:1 across both replicas, POST /write works, the limits
# `docker inspect app_slow` shows, every Prometheus target up, mtail's metrics in Prometheus.
# Stopping, starting and signalling containers is the lab scenarios' part (T1, T2, W1-W4 run
# right after this, through the same Engine API calls as `docker stop/start/kill`). Talks to
# the containers only through the Docker API on DOCKER_HOST and to the services through the
# published ports.
# Prints one line per check; exits 1 on the first failure.
set -euo pipefail
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PL_REPO"
# Node 24 on PATH (the lab CLI, JSON parsing).
# shellcheck source=scripts/toolchain.sh
. scripts/toolchain.sh
LB="http://127.0.0.1:${LB_PORT:-8080}"
PROMETHEUS="http://127.0.0.1:${PROMETHEUS_PORT:-9090}"
# shellcheck source=scripts/compose/docker-api.sh
. scripts/compose/docker-api.sh

pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; exit 1; }

# Reads: which replica answered each of 20 requests, as JSON counts ({"FAST_REPLICA_1":15,...};
# a failed read counts as "none").
SPLIT_READS=20
# Reads either replica may be off its weighted share by: nginx's shared zone makes 20 sequential
# reads exactly 15/5 (T4 requires exactly that); 1 leaves room for one read another client took.
SPLIT_TOLERANCE_READS=1
count_readers() {
  local service
  for _ in $(seq 1 "$SPLIT_READS"); do
    service="$(curl -sS --max-time 10 "$LB/read" | json 'v.service' 2>/dev/null || echo none)"
    echo "${service:-none}"
  done | node -e 'const c={};require("readline").createInterface({input:process.stdin}).on("line",l=>{c[l]=(c[l]??0)+1}).on("close",()=>console.log(JSON.stringify(c)))'
}

# nginx_lb puts a reader in rotation when its follower sees it ready (the readers
# may start after nginx_lb; a reload under a busy machine took 3 s): wait, bounded, until each
# replica has answered a read, so the split below measures the weights and not the start.
wait_both_readers() {
  local seen="" service
  for _ in $(seq 1 60); do
    service="$(curl -sS --max-time 5 "$LB/read" | json 'v.service' 2>/dev/null || echo none)"
    case " $seen " in *" $service "*) ;; *) seen="$seen $service" ;; esac
    case "$seen" in *FAST_REPLICA_1*FAST_REPLICA_2* | *FAST_REPLICA_2*FAST_REPLICA_1*) return 0 ;; esac
    sleep 0.5
  done
  fail "GET /read through nginx_lb: not both replicas in rotation within 30 s (answered by:${seen})"
}
wait_both_readers
# The 3:1 verdict is @production-lab/stack's judgeReadSplit (the weights of its topology; T4 and
# W1.3 use the same): "ok|FAIL <actual> (expected <expected>)".
split_verdict() {
  node --input-type=module -e '
    const { judgeReadSplit } = await import(process.argv[1])
    const v = judgeReadSplit(JSON.parse(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]))
    console.log(`${v.passed ? "ok" : "FAIL"} ${v.actual} (expected ${v.expected})`)
  ' "$PL_REPO/packages/stack/dist/index.js" "$1" "$SPLIT_READS" "$SPLIT_TOLERANCE_READS"
}

verdict="$(split_verdict "$(count_readers)")"
[ "${verdict%% *}" = ok ] || fail "$SPLIT_READS x GET /read: ${verdict#* }"
pass "$SPLIT_READS x GET /read through nginx_lb: ${verdict#* }"

write="$(curl -sS --max-time 10 -X POST -H 'content-type: application/json' -d '{"value":"smoke"}' -w ' %{http_code}' "$LB/write")"
[ "${write##* }" = 200 ] && [ "$(json v.service <<<"${write% *}")" = SLOW_PRIMARY ] ||
  fail "POST /write answered ${write}"
pass "POST /write: 200 from SLOW_PRIMARY"

limits="$(docker_api "/containers/app_slow/json" | json '`${v.HostConfig.NanoCpus} ${v.HostConfig.Memory}`')"
[ "$limits" = "500000000 536870912" ] || fail "docker inspect app_slow: NanoCpus Memory = $limits (expected 500000000 536870912)"
pass "docker inspect app_slow: NanoCpus=500000000 Memory=536870912"

# Every target up at the latest a few scrapes (every 5 s) after the stack became healthy.
wanted=(app_slow/writer app_fast_1/reader app_fast_2/reader health_watcher/health_watcher nginx_lb/nginx_exporter nginx_lb/nginx_log_exporter)
for _ in $(seq 1 20); do
  targets="$(curl -sS --max-time 10 "$PROMETHEUS/api/v1/targets" |
    json 'v.data.activeTargets.filter(t=>t.health==="up").map(t=>t.labels.instance+"/"+t.labels.job).sort().join(" ")')"
  missing=()
  for target in "${wanted[@]}"; do grep -qw -- "$target" <<<"$targets" || missing+=("$target"); done
  [ "${#missing[@]}" -eq 0 ] && break
  sleep 1
done
[ "${#missing[@]}" -eq 0 ] || fail "Prometheus targets not up after 20 s: ${missing[*]} (up: $targets)"
pass "Prometheus scrapes: $targets"

# The 20 reads above, seen by mtail in nginx_lb's access-log copy and scraped by Prometheus.
query='sum(nginx_access_requests_total{route="/read",status="200"})'
reads=0
for _ in $(seq 1 20); do
  reads="$(curl -sS --max-time 10 -G --data-urlencode "query=$query" "$PROMETHEUS/api/v1/query" |
    json 'Number(v.data.result[0]?.value[1] ?? 0)')"
  [ "$reads" -ge 20 ] && break
  sleep 1
done
[ "$reads" -ge 20 ] || fail "nginx_log_exporter: $query = $reads after 20 s (expected >= 20)"
pass "nginx_log_exporter (mtail): $query = $reads"
