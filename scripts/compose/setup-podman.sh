#!/usr/bin/env bash
# Makes this machine able to run the compose stack without a Docker engine: installs
# podman + docker-compose from Debian when missing (scripts/system-deps.sh compose), writes podman's config into the scratch
# folder and starts podman's Docker-compatible API socket. Idempotent: a second run only
# checks that the socket answers (well under a second).
# Prints nothing on success but progress on stderr; `source scripts/compose/env.sh` gives
# a shell the same DOCKER_HOST.
set -euo pipefail
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"

bash "$PL_REPO/scripts/system-deps.sh" compose

mkdir -p "$PL_CONTAINERS_DIR/storage" "$PL_CONTAINERS_DIR/run" "$PL_CONTAINERS_DIR/networks"
# crun cannot run here ("cgroups in hybrid mode not supported"); root may not raise
# ulimits above these values, and podman's defaults would try to.
# Nothing is shared with another podman user of this machine: root's defaults put the
# per-boot state in /run/libpod and network definitions in /etc/containers/networks, where
# someone else's `podman network prune` or reset would break this stack mid-run; and the
# subnets stay clear of podman's default 10.88/10.89.
cat >"$CONTAINERS_CONF" <<CONF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
# Per-boot state must live on a tmpfs (podman resets container states when it is gone).
tmp_dir = "$PL_PODMAN_TMP_DIR"
[network]
network_backend = "netavark"
network_config_dir = "$PL_CONTAINERS_DIR/networks"
default_subnet = "10.122.0.0/24"
default_subnet_pools = [{"base" = "10.123.0.0/16", "size" = 24}]
CONF
cat >"$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
graphroot = "$PL_CONTAINERS_DIR/storage"
runroot = "$PL_CONTAINERS_DIR/run"
CONF

socket_answers() { curl -fsS --max-time 2 --unix-socket "$PL_PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; }
if ! socket_answers; then
  rm -f "$PL_PODMAN_SOCKET"
  pl_log "starting podman's Docker API on $PL_PODMAN_SOCKET"
  # --time=0: serve until killed; the pid file lets teardown stop exactly this process.
  # 9>&-: not the caller's podman.lock descriptor (smoke.sh, kube-play.sh, `flock ... cmd`): a
  # service that outlives a killed run (setsid takes it out of the run's process group) would
  # otherwise hold the lock for ever and every later run would wait out PL_PODMAN_LOCK_WAIT_S.
  setsid podman system service --time=0 "unix://$PL_PODMAN_SOCKET" \
    >"$PL_CONTAINERS_DIR/podman-service.log" 2>&1 </dev/null 9>&- &
  echo $! >"$PL_CONTAINERS_DIR/podman-service.pid"
  for _ in $(seq 1 50); do socket_answers && break; sleep 0.2; done
  socket_answers || pl_fail "podman's API did not answer on $PL_PODMAN_SOCKET; see $PL_CONTAINERS_DIR/podman-service.log"
fi
