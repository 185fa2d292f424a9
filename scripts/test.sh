#!/usr/bin/env bash
# `./pnpm test` (and CI's .ci/run): every test of the repository on real components, in order,
# stopping at the first failure:
#   1. system packages the tests and the compose test need (apt-get, when missing)
#   2. lint and format check (biome), build (turbo)
#   3. every package's tests, one package at a time
#   4. the lab scenarios against a fresh native stack (pnpm test:scenarios)
#   5. every dashboard query and rule against a real Prometheus (pnpm test:observability)
#   6. the compose smoke test: the images and the compose stack on podman, the guide's checks
#      and the lab scenarios against it (pnpm test:compose)
# The compose test's slow, cacheable part (stand-in base images, the lab's images: minutes,
# mostly downloads) runs from the start in the background at the lowest CPU and IO priority,
# so it uses the time steps 2-5 leave idle without slowing them down; step 6 waits for it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p .lab
prepare_log=.lab/compose-prepare.log

# All apt work first: the background preparation must not take apt's lock while a package
# test installs something.
bash scripts/system-deps.sh tests compose

# Its own process group, so that an early failure stops all of it (its trap tears podman down).
setsid nice -n 19 ionice -c 3 bash scripts/compose/smoke.sh --prepare-only >"$prepare_log" 2>&1 </dev/null &
prepare_pid=$!
stop_preparation() {
  kill -TERM -- "-$prepare_pid" 2>/dev/null || return 0
  wait "$prepare_pid" 2>/dev/null || true
}
trap stop_preparation EXIT

step() { printf '\n== test: %s\n' "$*" >&2; }
step "lint and format (biome)"
biome check .
step "build (turbo)"
turbo run build
step "package tests"
turbo run test --concurrency=1
step "lab scenarios on the native stack"
pnpm run test:scenarios
step "observability against a real Prometheus"
pnpm run test:observability

step "compose smoke test (waiting for the image preparation started at the beginning)"
if ! wait "$prepare_pid"; then
  echo "test: the background preparation failed; its log ($prepare_log):" >&2
  tail -30 "$prepare_log" >&2
  exit 1
fi
trap - EXIT
sed 's/^/  preparation: /' "$prepare_log" | grep 'smoke: ' >&2 || true
pnpm run test:compose
