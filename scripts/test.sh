#!/usr/bin/env bash
# `./pnpm test` (and CI's .ci/run): every test of the repository on real components, in
# numbered steps, stopping at the first failure; a table of each step's duration ends the output:
#   1. system packages the tests and the compose test need (apt-get, when missing)
#   2. lint and format check (biome)      3. build (turbo)
#   4. every package's tests, one package at a time, with the type-check, the lifecycle's
#      consumer test and the observability test beside them
#   5. waiting for the type-check of every package's sources and tests, and infra/docker's
#      tests (turbo run typecheck: tsc --noEmit; the build compiles src/ only and the tests
#      run through tsx, which strips types without checking them)
#   6. waiting for the consumer test: the lifecycle packed, installed with npm outside the
#      workspace, the README's example run and SIGTERMed (packages/lifecycle/consumer/)
#   7. waiting for the observability test: every dashboard query and rule against a real
#      Prometheus (pnpm test:observability)
#   8. the lab scenarios against a fresh native stack (pnpm test:scenarios)
#   9. waiting for the compose images (see below)
#  10. the compose smoke test: the compose stack on podman, the guide's checks and the lab
#      scenarios against it (pnpm test:compose)
#  11. the Kubernetes `lab` overlay run as pods by `podman kube play` with the same images
#      (pnpm test:kube-play; the manifests' own tests run in step 4)
# The compose test's slow, cacheable part (stand-in base images, the lab's images: minutes,
# mostly downloads) runs from the start in the background at the lowest CPU and IO priority,
# so it uses the time steps 2-8 leave idle without slowing them down; step 9 waits for it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .lab
prepare_log=.lab/compose-prepare.log

# Each step's duration, printed as a table at the end (also after a failure), so a slow step
# shows in every CI log.
step_names=() step_seconds=() step_status=()
started_all=$SECONDS
print_durations() {
  local i
  printf '\n== test: durations\n' >&2
  for i in "${!step_names[@]}"; do
    printf '  %2d  %-52s %5ss  %s\n' "$((i + 1))" "${step_names[$i]}" "${step_seconds[$i]}" "${step_status[$i]}" >&2
  done
  printf '      %-52s %5ss\n' "total" "$((SECONDS - started_all))" >&2
}
# run_step NAME COMMAND...: one numbered step, timed.
run_step() {
  local name="$1" begun=$SECONDS status=0
  shift
  printf '\n== test %d: %s\n' "$((${#step_names[@]} + 1))" "$name" >&2
  step_names+=("$name") step_seconds+=("") step_status+=("running")
  "$@" || status=$?
  step_seconds[-1]=$((SECONDS - begun))
  step_status[-1]=$([ "$status" -eq 0 ] && echo ok || echo "FAILED (exit $status)")
  return "$status"
}
trap print_durations EXIT

# All apt work first: the background preparation must not take apt's lock while a package
# test installs something.
run_step "system packages (apt-get, when missing)" bash scripts/system-deps.sh tests compose kube-play

# Its own process group, so that an early failure stops all of it (its trap tears podman down).
setsid nice -n 19 ionice -c 3 bash scripts/compose/smoke.sh --prepare-only >"$prepare_log" 2>&1 </dev/null &
prepare_pid=$!
stop_preparation() {
  kill -TERM -- "-$prepare_pid" 2>/dev/null || return 0
  wait "$prepare_pid" 2>/dev/null || true
}

# Beside the package tests, which mostly wait on child processes, timers and sockets: the
# type-check (about 80 CPU-seconds with nothing cached) and the lifecycle's consumer test (pack,
# `npm install` from the registry into a project outside the workspace, run the README's
# example: mostly downloading, a minute or more on a fresh machine). Each has a step that waits
# for it and shows its log's end if it failed; an early exit stops them.
declare -A beside_pid=() beside_log=()
# Each job beside runs in a session (and process group) of its own, so stopping it stops its
# whole tree: killing only pnpm left the observability test and its native stack (offset 500)
# running for minutes after a red run, and the next run met "port 8589 already in use".
start_beside() {
  local name="$1" log="$2"
  shift 2
  setsid "$@" >"$log" 2>&1 &
  beside_pid[$name]=$! beside_log[$name]="$log"
}
wait_beside() {
  local name="$1" lines="$2"
  wait "${beside_pid[$name]}" && return 0
  echo "test: the $name failed; its log (${beside_log[$name]}):" >&2
  tail -"$lines" "${beside_log[$name]}" >&2
  return 1
}
stop_beside() {
  local pid
  for pid in "${beside_pid[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
}
wait_consumer() {
  wait_beside "consumer test" 60 || return 1
  grep -E '^ℹ (tests|pass|fail|duration_ms)' "${beside_log[consumer test]}" | sed 's/^/  consumer test: /' >&2 || true
}

on_exit() {
  stop_preparation
  stop_beside
  print_durations
}
trap on_exit EXIT

wait_preparation() {
  if ! wait "$prepare_pid"; then
    echo "test: the background preparation failed; its log ($prepare_log):" >&2
    tail -30 "$prepare_log" >&2
    return 1
  fi
  sed 's/^/  preparation: /' "$prepare_log" | grep 'smoke: ' >&2 || true
}

run_step "lint and format (biome)" biome check .
run_step "build (turbo)" turbo run build
start_beside "type-check" .lab/typecheck.log nice -n 10 turbo run typecheck --output-logs=errors-only
start_beside "consumer test" .lab/consumer-test.log pnpm --filter @production-lab/lifecycle run test:consumer
# Its own native stack (LAB_PORT_OFFSET=500; the package tests use 0 and 200) under light steady
# traffic, and mostly waiting for Prometheus' scrapes and rule windows: 160 s, nearly idle.
start_beside "observability test" .lab/observability.log pnpm run test:observability
run_step "package tests (the type-check, the consumer and observability tests run beside them)" turbo run test --concurrency=1
run_step "type-check sources, tests, infra/docker (tsc; started with the package tests)" wait_beside "type-check" 40
run_step "the lifecycle installed from its tarball with npm (started with the package tests)" wait_consumer
run_step "observability against a real Prometheus (started with the package tests)" wait_beside "observability test" 80
run_step "lab scenarios on the native stack" pnpm run test:scenarios
run_step "compose images (waiting for the preparation started at the beginning)" wait_preparation
run_step "compose smoke test: stack, guide checks, scenarios" env PL_IMAGES_BUILT=1 pnpm run test:compose
run_step "Kubernetes manifests run by podman kube play" pnpm run test:kube-play
