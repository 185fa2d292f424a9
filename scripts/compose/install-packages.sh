#!/usr/bin/env bash
# install-packages.sh [PACKAGE...]: installs the Debian packages that running the compose
# stack with podman needs (all of them without arguments; e.g. only docker-compose for
# validating the compose file), when missing. As root it runs apt-get; otherwise it prints
# the exact command and fails.
set -euo pipefail

# Each package, and a command or file that proves it is installed.
declare -A probes=(
  [podman]=podman [buildah]=buildah [runc]=runc [slirp4netns]=slirp4netns
  [fuse-overlayfs]=fuse-overlayfs [containernetworking-plugins]=/usr/lib/cni/bridge
  [netavark]=/usr/lib/podman/netavark [aardvark-dns]=/usr/lib/podman/aardvark-dns
  [uidmap]=newuidmap [iptables]=iptables [debootstrap]=debootstrap [docker-compose]=docker-compose
)
wanted=("$@")
[ "${#wanted[@]}" -gt 0 ] || wanted=("${!probes[@]}")
missing=()
for package in "${wanted[@]}"; do
  probe="${probes[$package]:-}"
  [ -n "$probe" ] || { echo "install-packages: unknown package '$package' (known: ${!probes[*]})" >&2; exit 2; }
  if [[ "$probe" == /* ]]; then [ -e "$probe" ] || missing+=("$package")
  else command -v "$probe" >/dev/null 2>&1 || missing+=("$package"); fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-packages: missing ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo $command" >&2
  exit 1
fi
echo "install-packages: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
