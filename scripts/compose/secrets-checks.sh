#!/usr/bin/env bash
# The compose stack's secrets, checked on the running stack (smoke.sh, after `docker-compose up`
# without ADMIN_TOKEN, as a user's first start): secrets-init generated the apps' admin token
# and said where; the file is the apps' user's, mode 0440, in no container's environment; every
# app accepts it on /admin/faults and refuses the token this repository used to fall back to.
# Prints one line per check; exits 1 on the first failure.
set -euo pipefail
# No `grep -q` after a pipe: under pipefail its early exit can kill the writer with SIGPIPE, and
# the pipeline fails with the line present (watcher-checks.sh, run40); grep ... >/dev/null reads it all.
# shellcheck source=scripts/compose/checks-env.sh
. "$(dirname "${BASH_SOURCE[0]}")/checks-env.sh"
fail() { printf 'FAIL  %s\n' "$*"; exit 1; }
# The paths and the retired default from packages/stack (compose-secrets.ts), not restated here.
stack() { node -p "require('./packages/stack/dist/index.js').$1"; }
init="$(stack COMPOSE_SECRETS_INIT)" token_file="$(stack COMPOSE_ADMIN_TOKEN_FILE)"
retired="$(stack RETIRED_DEFAULT_ADMIN_TOKEN)"

state="$(docker_api "/containers/$init/json" | json '`${v.State.Status} ${v.State.ExitCode}`')"
[ "$state" = "exited 0" ] || fail "$init: expected exited 0, got $state"
docker_api "/containers/$init/logs?stdout=true&stderr=true" | grep -aF "admin token in the volume lab_secrets" >/dev/null ||
  fail "$init did not log where the token is"
pass "$init ran once and exited 0, and logged where the secrets are"

# The mode only: podman's archive reports the owner as the reading container's user. That the
# apps (node) and the watcher (root, by the group) can read it shows in them running with it.
listing="$(docker_api "/containers/app_slow/archive?path=$token_file" | tar --numeric-owner -tv)"
[[ "$listing" == "-r--r----- "* ]] || fail "$token_file: expected mode -r--r----- (owner and group only), got: $listing"
token="$(docker_api "/containers/app_slow/archive?path=$token_file" | tar -xO)"
[ "$token" != "$retired" ] || fail "$token_file holds the retired default token"
[ "${#token}" -ge 32 ] || fail "$token_file holds ${#token} characters, expected >= 32 random ones"
pass "generated admin token: ${#token} characters, not the old default, file mode -r--r-----"

for container in app_slow app_fast_1 app_fast_2 health_watcher; do
  docker_api "/containers/$container/json" | json 'v.Config.Env.join("\n")' | grep '^ADMIN_TOKEN=' >/dev/null &&
    fail "$container has ADMIN_TOKEN in its environment (docker inspect shows it)"
done
pass "no container has the token in its environment (ADMIN_TOKEN_FILE only)"

for variable in APP_SLOW_PORT APP_FAST_1_PORT APP_FAST_2_PORT; do
  url="http://127.0.0.1:${!variable}/admin/faults"
  with() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $1" "$url"; }
  codes="$(with "$retired") $(with "$token") $(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url")"
  [ "$codes" = "401 200 401" ] ||
    fail "$url: old default / generated token / none answered $codes, expected 401 200 401"
done
pass "every app's /admin/faults: the old default 401, the generated token 200, none 401"
