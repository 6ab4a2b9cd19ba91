#!/usr/bin/env bash
# A 3-node Ringfleet fleet on 127.0.0.1 from cluster-config/examples/three-node-loopback.yaml (root: BPF).
#
#   scripts/fleet-loopback.sh start [--netns NAME] [--no-attach]
#   scripts/fleet-loopback.sh status | stop | clean [--netns NAME]
#
# Each instance (the host's, or one per --netns NAME) keeps its own state in /run/ringfleet-loopback/NAME
# ("host" without --netns; root-only, 0700): the config (the example with this instance's paths), tls/, logs/,
# the data dirs and the pid files; its pins are under /sys/fs/bpf/ringfleet-loopback-NAME. Give the same --netns
# to status, stop and clean.
#
# start: makes a development CA and certificates in STATE/tls (lbctl certs; node lb1..lb3, operator "operator",
#        read-only "viewer") unless present, starts lb1, lb2, lb3 in the background (logs in STATE/logs, mode
#        0640), waits until each answers /readyz, and prints how to use lbctl.
#        --netns NAME runs the three agents inside network namespace NAME (created if missing, lo up), so the
#        host's own lo is untouched; run lbctl there too (nsenter --net=/run/netns/NAME scripts/lbctl ...).
#        --no-attach loads and programs the datapath but attaches nothing (no XDP on lo at all).
# stop:  SIGTERM to each agent (XDP stays attached and the pinned maps stay: a restart picks them up). A pid file
#        is trusted only if that process's command line is this instance's agent (its --config and --node).
# clean: stop, then remove the data dirs, the pins and xdp_root from lo.
set -euo pipefail
umask 027 # logs 0640, nothing written world-readable
root="$(cd "$(dirname "$0")/.." && pwd)"
example="$root/cluster-config/examples/three-node-loopback.yaml"
nodes=(lb1 lb2 lb3)
declare -A api=([lb1]=19871 [lb2]=19873 [lb3]=19875)
declare -A metrics=([lb1]=19181 [lb2]=19182 [lb3]=19183)

cmd="${1:-}"
shift || true
netns=""
attach=()
while [ $# -gt 0 ]; do
  case "$1" in
    --netns) netns="${2:-}"; shift 2 ;;
    --no-attach) attach=(--no-attach); shift ;;
    *) echo "fleet-loopback: unknown option $1 (use --netns NAME or --no-attach)" >&2; exit 2 ;;
  esac
done
if [ -n "$netns" ] && ! [[ "$netns" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$ ]]; then
  echo "fleet-loopback: --netns takes a namespace name (letters, digits, _ . -), got '$netns'" >&2
  exit 2
fi
instance="${netns:-host}"
base="/run/ringfleet-loopback/$instance"
config="$base/fleet.yaml"
tls="$base/tls"
logs="$base/logs"
pins="/sys/fs/bpf/ringfleet-loopback-$instance"
# nsenter, not "ip netns exec": that remounts /sys, hiding the host's bpffs (/sys/fs/bpf) and so the pins.
inns() {
  if [ -n "$netns" ]; then nsenter --net="/run/netns/$netns" "$@"; else "$@"; fi
}

# A dir of ours: created 0700, and refused if another user owns it or others may write it.
own_dir() {
  mkdir -p -m 0700 "$1"
  local owner mode
  owner="$(stat -c %u "$1")"
  mode="$(stat -c %a "$1")"
  if [ "$owner" != "$(id -u)" ] || [ $((8#$mode & 8#022)) -ne 0 ]; then
    echo "fleet-loopback: $1 is owned by uid $owner with mode $mode; it must be ours and not group/world-writable" \
      "(remove it, or chown $(id -u) and chmod 0700 it)" >&2
    exit 1
  fi
}

# This instance's config: the example with its state and pin paths.
write_config() {
  sed -e "s|/tmp/ringfleet-loopback|$base|g" -e "s|/sys/fs/bpf/ringfleet-loopback|$pins|g" "$example" > "$config.tmp"
  mv "$config.tmp" "$config"
}

certs() {
  if [ -s "$tls/ca.pem" ]; then
    return
  fi
  own_dir "$tls"
  "$root/scripts/lbctl" certs init --dir "$tls" >/dev/null
  for n in "${nodes[@]}"; do
    "$root/scripts/lbctl" certs issue --dir "$tls" --role node --name "$n" >/dev/null
  done
  "$root/scripts/lbctl" certs issue --dir "$tls" --role operator --name operator >/dev/null
  "$root/scripts/lbctl" certs issue --dir "$tls" --role read-only --name viewer >/dev/null
  echo "fleet-loopback: development CA and certificates in $tls"
}

# Whether the pid file names a live process that is this instance's agent for node $1: a stale pid file whose
# number was reused by another process must never be signalled.
# The arguments are compared one by one: a text match would also trust "--node lb1x" or a longer config path.
running() {
  local pidfile="$base/$1.pid" pid i
  local -a argv=()
  [ -s "$pidfile" ] || return 1
  pid="$(cat "$pidfile")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  mapfile -d '' argv 2>/dev/null < "/proc/$pid/cmdline" || return 1
  for ((i = 0; i + 3 < ${#argv[@]}; i++)); do
    if [ "${argv[i]}" = --config ] && [ "${argv[i + 1]}" = "$config" ] \
      && [ "${argv[i + 2]}" = --node ] && [ "${argv[i + 3]}" = "$1" ]; then
      return 0
    fi
  done
  return 1
}

# What a pid file names, for a refusal message: "pid P runs: ARGS" or "pid P is not running".
pid_file_says() {
  local pid args
  pid="$(head -c 32 "$base/$1.pid" | tr -cd '0-9')"
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then
    args="$(tr '\0' ' ' < "/proc/$pid/cmdline" | tr -cd '[:print:]' | head -c 300)"
    args="${args% }"
    echo "pid $pid runs: ${args:-nothing (exiting)}"
  else
    echo "pid ${pid:-?} is not running"
  fi
}

ready() {
  inns curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${metrics[$1]}/readyz" 2>/dev/null
}

start() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "fleet-loopback: the agents load BPF programs; run as root" >&2
    exit 1
  fi
  own_dir /run/ringfleet-loopback
  own_dir "$base"
  own_dir "$logs"
  write_config
  certs
  if [ -n "$netns" ]; then
    ip netns list | grep -qw "$netns" || ip netns add "$netns"
    ip -n "$netns" link set lo up
  fi
  # build once before starting three JVMs in parallel
  "$root/scripts/lb-agent" --help >/dev/null
  for n in "${nodes[@]}"; do
    if running "$n"; then
      echo "fleet-loopback: $n already running (pid $(cat "$base/$n.pid"))"
      continue
    fi
    # exec all the way down (subshell -> nsenter -> scripts/lb-agent -> java): the pid is the JVM's
    if [ -n "$netns" ]; then
      (exec nsenter --net="/run/netns/$netns" "$root/scripts/lb-agent" --config "$config" --node "$n" \
        "${attach[@]}" >"$logs/$n.log" 2>&1) &
    else
      (exec "$root/scripts/lb-agent" --config "$config" --node "$n" "${attach[@]}" >"$logs/$n.log" 2>&1) &
    fi
    echo $! > "$base/$n.pid"
    echo "fleet-loopback: started $n (pid $!, log $logs/$n.log)"
  done
  local deadline=$((SECONDS + 120))
  for n in "${nodes[@]}"; do
    until ready "$n"; do
      if ! running "$n"; then
        echo "fleet-loopback: $n exited; last lines of $logs/$n.log:" >&2
        tail -n 5 "$logs/$n.log" >&2
        exit 1
      fi
      if [ $SECONDS -gt $deadline ]; then
        echo "fleet-loopback: $n not ready after 120 s; see $logs/$n.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    echo "fleet-loopback: $n ready (metrics http://127.0.0.1:${metrics[$n]}/metrics)"
  done
  local pre=""
  if [ -n "$netns" ]; then pre="nsenter --net=/run/netns/$netns "; fi
  cat <<EOT

The fleet is up. Use any node's API with the operator certificate:
  export LBCTL_CA=$tls/ca.pem LBCTL_CERT=$tls/operator.pem LBCTL_KEY=$tls/operator-key.pem
  ${pre}scripts/lbctl --target 127.0.0.1:${api[lb1]} vip add tcp 10.200.200.1:80
  ${pre}scripts/lbctl --target 127.0.0.1:${api[lb2]} real add tcp 10.200.200.1:80 10.0.0.1 10.0.0.2 -w 1 --wait
  ${pre}scripts/lbctl --target 127.0.0.1:${api[lb3]} status
Stop with: scripts/fleet-loopback.sh stop${netns:+ --netns $netns}   (clean removes data, pins and xdp_root)
EOT
}

stop() {
  for n in "${nodes[@]}"; do
    if running "$n"; then
      kill -TERM "$(cat "$base/$n.pid")"
    elif [ -e "$base/$n.pid" ]; then
      echo "fleet-loopback: $base/$n.pid does not name a running $n of this instance ($(pid_file_says "$n"));" \
        "not signalled, removed" >&2
      rm -f "$base/$n.pid"
    fi
  done
  for n in "${nodes[@]}"; do
    local i=0
    while running "$n" && [ $i -lt 100 ]; do
      sleep 0.2
      i=$((i + 1))
    done
    if running "$n"; then
      echo "fleet-loopback: $n did not stop within 20 s (pid $(cat "$base/$n.pid"))" >&2
    else
      rm -f "$base/$n.pid"
      echo "fleet-loopback: $n stopped"
    fi
  done
}

status() {
  for n in "${nodes[@]}"; do
    if running "$n"; then
      if ready "$n"; then s="ready"; else s="starting"; fi
      echo "$n: running (pid $(cat "$base/$n.pid")), $s, api 127.0.0.1:${api[$n]}"
    else
      echo "$n: not running"
    fi
  done
}

clean() {
  stop
  inns ip link set dev lo xdpgeneric off 2>/dev/null || true
  rm -rf "$pins" "$base/lb1" "$base/lb2" "$base/lb3" "$logs"
  if [ -n "$netns" ]; then
    ip netns del "$netns" 2>/dev/null || true
  fi
  echo "fleet-loopback: removed data dirs, pins and xdp_root (certificates kept in $tls)"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  clean) clean ;;
  *) echo "usage: scripts/fleet-loopback.sh start [--netns NAME] [--no-attach] | status | stop | clean [--netns NAME]" >&2; exit 2 ;;
esac
