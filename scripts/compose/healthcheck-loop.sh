#!/usr/bin/env bash
# Drives the containers' HEALTHCHECKs: podman runs them from systemd timers, and this machine
# has no systemd, so without this loop no container ever turns (healthy) and
# `depends_on: condition: service_healthy` waits for ever. Runs until killed; every
# HEALTHCHECK_LOOP_INTERVAL_S seconds (default 2) it runs the check of every running
# container that has one, all at once: one at a time, a slow check (a hung app takes the
# whole 3 s timeout) would delay every other container's, and a restarted container would
# wait that long to turn healthy. On a machine with systemd (or Docker) it is not needed.
set -euo pipefail
# shellcheck source=scripts/compose/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
interval="${HEALTHCHECK_LOOP_INTERVAL_S:-2}"
while true; do
  for container in $(podman ps --filter health=starting --filter health=healthy --filter health=unhealthy --format '{{.Names}}' 2>/dev/null); do
    # Non-zero just means "unhealthy"; podman records it, which is the point.
    podman healthcheck run "$container" >/dev/null 2>&1 &
  done
  wait
  sleep "$interval"
done
