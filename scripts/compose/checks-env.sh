# Sourced by the check scripts that run against the compose stack on DOCKER_HOST (secrets-checks.sh,
# watcher-checks.sh): the podman environment, Node 24, the Engine API helpers, from the repo root.
# shellcheck shell=bash
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PL_REPO"
# shellcheck source=scripts/toolchain.sh
. scripts/toolchain.sh
# shellcheck source=scripts/compose/docker-api.sh
. scripts/compose/docker-api.sh
pass() { printf 'ok    %s\n' "$*"; }
