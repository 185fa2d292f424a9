#!/usr/bin/env bash
# nginx_lb's upstream follower, for an nginx without upstream `resolve` (< 1.27.3, the Debian
# stand-in image's 1.22): nginx resolves names once, so this script keeps its upstream servers
# equal to the containers that really answer, and reloads nginx when that changes.
#
# Why not poll DNS on a timer: a stopped container's address vanishes from the network, and a
# connect there hangs (proxy_connect_timeout, then 504) until the next round's lookup, config
# test and reload: over 2 s on a busy machine. And a lookup that fails for a moment (the
# network's DNS server is reloaded whenever a container comes or goes) turned a healthy server
# into a `down` one: 502 for every read.
#
# So each upstream is followed by its connection, not by its name:
#   - while a server is up, this script holds one idle TCP connection to it. Any end of the
#     server process (graceful stop: the lifecycle cuts request-less sockets when it stops
#     listening; crash or SIGKILL: the kernel closes them) ends that connection at once.
#   - then it connects again (bounded by NGINX_FOLLOW_CONNECT_TIMEOUT_S): accepted means still
#     up (a keep-alive or request timeout ended the idle connection); refused or no answer
#     means down, and nginx is reloaded with that server marked `down` (immediate 502 or the
#     other replica, no connect timeout).
#   - a down server is tried every NGINX_FOLLOW_RETRY_S at the address its name has now (a
#     restarted container comes back at a new one); a name that does not resolve keeps the
#     last known address, so a DNS hiccup alone never takes a server out.
# The window in which nginx still tries a vanished address is thus the reload itself (render,
# `nginx -t`, `nginx -s reload`, logged with its duration), not a polling interval.
#
# Usage (from nginx-entrypoint.sh):
#   nginx-upstream-follower.sh render CONFIG       look the names up, render CONFIG once
#   nginx-upstream-follower.sh follow CONFIG PID   follow the upstreams until PID (nginx) exits
# Environment: WRITER_UPSTREAM, READER_1_UPSTREAM, READER_2_UPSTREAM (name:port), NGINX_TEMPLATE,
# NGINX_RUNTIME_DIR, the NGINX_FOLLOW_* settings below, and NGINX_MEMBERSHIP_LOG: when set, a
# file that gets one JSON line per server taken out or put back by a reload (read by
# nginx_log_exporter's prometheus/mtail/lb-membership.mtail, as the native supervisor's).
set -uo pipefail

# seconds a connect may take before the server counts as down (local network: well under 1 s)
: "${NGINX_FOLLOW_CONNECT_TIMEOUT_S:=0.5}"
# seconds between two tries of a down server
: "${NGINX_FOLLOW_RETRY_S:=0.5}"
# tries before a server that was never reached since this container started counts as down
# (its network may not route for a moment at start; see follow_upstream)
: "${NGINX_FOLLOW_START_TRIES:=6}"
# the readiness path a server that was out must answer 200 on before it is put back, the
# seconds the connect and that answer may take, and the seconds between two asks while it is
# not ready
: "${NGINX_FOLLOW_READY_PATH:=/health/ready}"
: "${NGINX_FOLLOW_READY_TIMEOUT_S:=1}"
: "${NGINX_FOLLOW_READY_RETRY_S:=0.1}"
# seconds between two lookups of an up server's name (a container replaced at a new address
# without its old process closing its connections first)
: "${NGINX_FOLLOW_RECHECK_S:=5}"
template="${NGINX_TEMPLATE:-/etc/nginx/templates/nginx.conf.template}"
state_dir="$NGINX_RUNTIME_DIR/upstreams"
# The upstreams in the template's order of variables: key, template variable.
KEYS=(reader_1 reader_2 writer)
declare -A VARIABLE=([reader_1]=READER_1_UPSTREAM [reader_2]=READER_2_UPSTREAM [writer]=WRITER_UPSTREAM)

log() { printf 'nginx-entrypoint: %s\n' "$*" >&2; }
now_ms() { local t="${EPOCHREALTIME/./}"; echo $((t / 1000)); }

# The IPv4 address NAME resolves to now, or nothing.
lookup() { getent ahostsv4 "$1" 2>/dev/null | awk 'NR == 1 { print $1 }'; }

# What the template gets for an upstream: ADDRESS:PORT, or a placeholder nginx never contacts.
server_line() { if [ -n "$1" ]; then echo "$1:$2"; else echo "127.0.0.1:$2 down"; fi; }

# Renders the template into $1 from the state files (one server line per upstream).
render_from_state() {
  local key
  local -a assignments=()
  for key in "${KEYS[@]}"; do assignments+=("${VARIABLE[$key]}=$(<"$state_dir/$key")"); done
  env "${assignments[@]}" render-template.sh "$template" "$1"
}

# The upstreams' names and ports, as compose set them; a missing one stops the start here.
read_upstreams() {
  local key spec
  for key in "${KEYS[@]}"; do
    spec="${!VARIABLE[$key]-}"
    # Unset: the template renderer names every missing variable, as for any other.
    [ -n "$spec" ] || { render-template.sh "$template" "$NGINX_RUNTIME_DIR/unrendered.conf" && log "${VARIABLE[$key]} is empty (expected NAME:PORT)"; exit 1; }
    NAME[$key]="${spec%:*}" PORT[$key]="${spec##*:}"
  done
}
declare -A NAME=() PORT=()

render_once() {
  local key address
  read_upstreams
  mkdir -p "$state_dir"
  for key in "${KEYS[@]}"; do
    address="$(lookup "${NAME[$key]}")"
    server_line "$address" "${PORT[$key]}" >"$state_dir/$key"
  done
  render_from_state "$1"
}

# publish KEY LINE WHY: records an upstream's server line and tells the reloader, if it changed.
publish() {
  local file="$state_dir/$1"
  [ "$(<"$file")" != "$2" ] || return 0
  printf '%s\n' "$2" >"$file.next" && mv "$file.next" "$file"
  printf '%s %s %s\n' "$(now_ms)" "$1" "$3" >&"$notify_fd"
}

# Follows one upstream for as long as nginx runs (see the header). A failed connect is
# conclusive when the server refused it (nothing listens: RST), or when this follower held a
# connection that just ended (the process is gone: its vanished address answers nothing). A
# connect that gets no answer before any connection was ever held is not: right after this
# container starts, its network may not route yet ("No route to host" for a second or two,
# seen on podman), and the rendered address stands until NGINX_FOLLOW_START_TRIES such tries.
follow_upstream() {
  local key="$1" name="${NAME[$1]}" port="${PORT[$1]}" address known fd line rc watcher gate wait_s why held=0 tries=0
  known="$(<"$state_dir/$key")"
  case "$known" in *" down") known="" ;; *) known="${known%:*}" ;; esac
  while kill -0 "$nginx_pid" 2>/dev/null; do
    address="$(lookup "$name")"
    [ -n "$address" ] || address="$known"
    if [ -z "$address" ]; then
      publish "$key" "$(server_line "" "$port")" "$name does not resolve"
      sleep "$NGINX_FOLLOW_RETRY_S"
      continue
    fi
    # A server that is out comes back when it is ready, not when it listens: a service accepts
    # connections before it is ready (and answers /read 503 until then), which nginx would
    # turn into failed reads if the other replica is gone.
    gate=""
    case "$(<"$state_dir/$key")" in *" down") gate="$NGINX_FOLLOW_READY_PATH" ;; esac
    # A new address is a new container (restarted before this follower saw the old one refuse).
    [ -z "$known" ] || [ "$address" = "$known" ] || gate="$NGINX_FOLLOW_READY_PATH"
    # One idle connection, held by a child: it prints "connected" (or bash's connect error, or
    # "not ready" and the status line of a readiness answer other than 200), then waits for the end.
    exec {fd}< <(exec bash -c '
      exec 2>&1; exec 3<>"/dev/tcp/$0/$1" || exit 1
      if [ -n "$2" ]; then
        printf "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" "$2" "$0" >&3
        IFS= read -r -t "$3" status <&3
        case "$status" in "HTTP/1.1 200"*) ;; *) echo "not ready (${status%$'"'"'\r'"'"'})"; exit 1 ;; esac
      fi
      echo connected; exec cat <&3 2>/dev/null' "$address" "$port" "$gate" "$NGINX_FOLLOW_READY_TIMEOUT_S")
    watcher=$!
    line=""
    wait_s="$NGINX_FOLLOW_CONNECT_TIMEOUT_S" why="accepts connections"
    [ -z "$gate" ] || wait_s="$NGINX_FOLLOW_READY_TIMEOUT_S" why="answers $gate 200"
    if IFS= read -r -t "$wait_s" -u "$fd" line && [ "$line" = connected ]; then
      known="$address" held=1 tries=0
      publish "$key" "$(server_line "$address" "$port")" "$name at $address $why"
    elif [ "${line#not ready}" != "$line" ]; then
      # It listens but is not ready yet: no verdict either way, ask again shortly.
      sleep "$NGINX_FOLLOW_READY_RETRY_S"
      while :; do
        IFS= read -r -t "$NGINX_FOLLOW_RECHECK_S" -u "$fd" line
        rc=$?
        [ "$rc" -eq 0 ] && continue # the server said something (a 408 before closing): read on
        [ "$rc" -gt 128 ] || break  # end of the connection: connect again at once
        # Idle for a while: still nginx's? still this name's address?
        kill -0 "$nginx_pid" 2>/dev/null || break
        address="$(lookup "$name")"
        [ -z "$address" ] || [ "$address" = "$known" ] || break
      done
    else
      tries=$((tries + 1))
      case "$line" in
        *refused*) line="refuses connections" ;;
        "") line="does not answer within ${NGINX_FOLLOW_CONNECT_TIMEOUT_S} s" ;;
        *) line="cannot be reached (${line##*: })" ;;
      esac
      if [ "$held" = 1 ] || [ "$line" = "refuses connections" ] || [ "$tries" -ge "$NGINX_FOLLOW_START_TRIES" ]; then
        publish "$key" "$(server_line "" "$port")" "$name at $address $line"
      fi
      sleep "$NGINX_FOLLOW_RETRY_S"
    fi
    kill "$watcher" 2>/dev/null
    exec {fd}<&-
  done
}

# After a reload: one JSON line per upstream whose `down` marker changed (the membership log),
# with the milliseconds from the first change seen to the reload. $1: delay ms, $2: the lines
# before, $3: the lines now (both "line,line,line," in KEYS' order).
record_membership() {
  [ -n "${NGINX_MEMBERSHIP_LOG-}" ] || return 0
  local -a before now
  local i was is direction reason seconds
  IFS=, read -r -a before <<<"$2"
  IFS=, read -r -a now <<<"$3"
  seconds="$(printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)))"
  for i in "${!KEYS[@]}"; do
    # The last word of a server line: "down", or ADDRESS:PORT.
    was="${before[$i]##* }" is="${now[$i]##* }"
    if [ "$was" = down ] && [ "$is" != down ]; then
      direction=in reason=accepts
    elif [ "$was" != down ] && [ "$is" = down ]; then
      direction=out reason=unreachable
    else
      continue
    fi
    printf '{"time":"%s","lb_membership":"%s","upstream":"%s","reason":"%s","verdict_to_reload_seconds":%s}\n' \
      "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$direction" "${NAME[${KEYS[$i]}]}" "$reason" "$seconds" >>"$NGINX_MEMBERSHIP_LOG"
  done
}

# Re-renders and reloads nginx after every change the followers publish (a burst of changes,
# e.g. a restart of several containers, coalesced into one reload).
reload_on_change() {
  local running="" current key at_ms first_ms why whys started_ms
  for key in "${KEYS[@]}"; do running+="$(<"$state_dir/$key"),"; done
  while kill -0 "$nginx_pid" 2>/dev/null; do
    read -r -t 1 -u "$notify_fd" at_ms key why || continue
    first_ms="$at_ms" whys="$key: $why"
    while read -r -t 0.05 -u "$notify_fd" at_ms key why; do whys+="; $key: $why"; done
    current=""
    for key in "${KEYS[@]}"; do current+="$(<"$state_dir/$key"),"; done
    [ "$current" != "$running" ] || continue
    started_ms="$(now_ms)"
    # Only a config nginx accepts replaces the running one; otherwise the next change retries.
    if render_from_state "$config.next" && nginx -q -t -e stderr -c "$config.next" >/dev/null 2>&1; then
      mv "$config.next" "$config"
      if nginx -e stderr -c "$config" -s reload; then
        record_membership "$(($(now_ms) - first_ms))" "$running" "$current"
        running="$current"
        log "upstream addresses now ${current%,} ($whys); reloading nginx, $(($(now_ms) - first_ms)) ms after the change was seen (reload $(($(now_ms) - started_ms)) ms)"
      else
        log "reload failed; nginx keeps its previous upstream addresses"
      fi
    else
      log "nginx rejected the re-rendered config; keeping the running one ($whys)"
    fi
  done
}

follow() {
  local key
  read_upstreams
  # The followers' notes to the reloader: a FIFO opened read-write, so it never sees an end.
  mkfifo "$state_dir/changes" 2>/dev/null || [ -p "$state_dir/changes" ] || { log "cannot create $state_dir/changes"; exit 1; }
  exec {notify_fd}<>"$state_dir/changes"
  for key in "${KEYS[@]}"; do follow_upstream "$key" & done
  reload_on_change
  kill $(jobs -p) 2>/dev/null
}

case "${1-}" in
  render) [ "$#" -eq 2 ] || { log "usage: $0 render CONFIG"; exit 2; }; config="$2"; render_once "$config" ;;
  follow) [ "$#" -eq 3 ] || { log "usage: $0 follow CONFIG NGINX_PID"; exit 2; }; config="$2" nginx_pid="$3"; follow ;;
  *) log "usage: $0 render CONFIG | follow CONFIG NGINX_PID"; exit 2 ;;
esac
