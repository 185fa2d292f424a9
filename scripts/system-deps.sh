#!/usr/bin/env bash
# system-deps.sh [GROUP...]: installs the Debian packages a part of the project needs, when
# missing. As root it runs apt-get; otherwise it prints the exact command and fails.
#   stack    (default) nginx (the load balancer), Prometheus + promtool, the nginx exporter,
#            mtail (nginx access-log metrics)
#   tests    the stack's, plus chromium (the HTML report is checked in a real browser) and
#            podman + runc (the Docker control target is tested against podman's Docker API)
#   compose  what running the compose stack with podman needs (scripts/compose/)
#   compose-validate  docker-compose alone, to validate docker-compose.yml
#   kube-play  compose's, plus catatonit: the init of the infra container every podman pod
#            has (scripts/k8s/kube-play.sh runs the Kubernetes manifests as pods)
set -euo pipefail

# Each package, and a command or file whose presence proves it is installed.
declare -A probes=(
  [nginx-light]=nginx [prometheus]=prometheus [prometheus-nginx-exporter]=prometheus-nginx-exporter
  [mtail]=mtail [chromium]=chromium [podman]=podman [runc]=runc [buildah]=buildah
  [slirp4netns]=slirp4netns [fuse-overlayfs]=fuse-overlayfs
  [containernetworking-plugins]=/usr/lib/cni/bridge [netavark]=/usr/lib/podman/netavark
  [aardvark-dns]=/usr/lib/podman/aardvark-dns [uidmap]=newuidmap [iptables]=iptables
  [debootstrap]=debootstrap [docker-compose]=docker-compose [catatonit]=catatonit
)
stack=(nginx-light prometheus prometheus-nginx-exporter mtail)
declare -A groups=(
  [stack]="${stack[*]}"
  [tests]="${stack[*]} chromium podman runc"
  [compose]="podman buildah runc slirp4netns fuse-overlayfs containernetworking-plugins netavark aardvark-dns uidmap iptables debootstrap docker-compose"
  [compose-validate]="docker-compose"
)
groups[kube-play]="${groups[compose]} catatonit"

[ "$#" -gt 0 ] || set -- stack
missing=()
for group in "$@"; do
  [ -n "${groups[$group]:-}" ] || { echo "system-deps: unknown group '$group' (known: ${!groups[*]})" >&2; exit 2; }
  for package in ${groups[$group]}; do
    probe="${probes[$package]}"
    if [[ "$probe" == /* ]]; then [ -e "$probe" ] && continue
    else command -v "$probe" >/dev/null 2>&1 || [ -x "/usr/sbin/$probe" ] && continue; fi
    [[ " ${missing[*]} " == *" $package "* ]] || missing+=("$package")
  done
done
[ "${#missing[@]}" -eq 0 ] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get update && sudo $command" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
# The package scripts would start the distribution's own nginx/Prometheus on their default
# ports; the stack runs its own instances, so forbid service starts during the install.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ "$created_policy" -eq 1 ] && rm -f "$policy"' EXIT
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
