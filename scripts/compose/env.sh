# Sourced by the other scripts in this folder: where the podman environment lives and how
# docker-compose reaches it. Everything heavy (package caches, the debootstrap root file
# systems, podman's image store) stays in one scratch folder outside the repo, so a re-run
# is fast and `rm -rf` of that folder undoes it all.
# shellcheck shell=bash

PL_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Scratch folder: podman's store, base-image root file systems, the API socket.
PL_CONTAINERS_DIR="${PL_CONTAINERS_DIR:-/var/tmp/production-lab-containers}"
export CONTAINERS_CONF="$PL_CONTAINERS_DIR/containers.conf"
export CONTAINERS_STORAGE_CONF="$PL_CONTAINERS_DIR/storage.conf"
# podman's per-boot state: on a tmpfs, apart from other podman users' /run/libpod.
PL_PODMAN_TMP_DIR=/run/production-lab-podman
PL_PODMAN_SOCKET="$PL_CONTAINERS_DIR/podman.sock"
# docker-compose (and the health-watcher / lab Docker adapter) talk to podman's Docker API here.
export DOCKER_HOST="unix://$PL_PODMAN_SOCKET"
# The watcher container mounts this socket as /var/run/docker.sock.
export DOCKER_SOCKET="$PL_PODMAN_SOCKET"
# The stack's compose project: the repository's docker-compose.yml as it is.
export COMPOSE_PROJECT_NAME=production-lab
export COMPOSE_FILE="$PL_REPO/docker-compose.yml"
# docker-compose 1.29 would otherwise try BuildKit-only features podman lacks.
export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0

pl_log() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }
pl_fail() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
