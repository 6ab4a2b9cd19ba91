#!/usr/bin/env bash
# Which capabilities lb-agent needs on this kernel (the unit's CapabilityBoundingSet comes from this). Root;
# loads BPF and attaches XDP (in a namespace of its own): run under the kernel lock on a shared kernel.
# Starts a one-node fleet from the package tree (scripts/package.sh) with the process's capabilities cut to
# each set below (setpriv --bounding-set: root's capabilities after exec are the bounding set), then writes a
# VIP with two reals and waits until it is programmed. Prints one line per set: ready / failed and why.
#   scripts/probe-agent-caps.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tree="$(ls -d "$root"/target/package/ringfleet_*_amd64 | head -1)"
export RINGFLEET_LIB="$tree/usr/lib/ringfleet/lib"
ns="rfops-caps-$$"
pins="/sys/fs/bpf/$ns"
work="$(mktemp -d /tmp/rfops-caps.XXXXXX)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$pins" "$work"
}
trap cleanup EXIT
lbctl() { nsenter --net="/run/netns/$ns" "$tree/usr/bin/lbctl" "$@"; }
"$tree/usr/bin/lbctl" certs init --dir "$work/tls" >/dev/null
"$tree/usr/bin/lbctl" certs issue --dir "$work/tls" --role node --name lb1 >/dev/null
"$tree/usr/bin/lbctl" certs issue --dir "$work/tls" --role operator --name operator >/dev/null
export LBCTL_CA="$work/tls/ca.pem" LBCTL_CERT="$work/tls/operator.pem" LBCTL_KEY="$work/tls/operator-key.pem"
ip netns add "$ns"
ip -n "$ns" link set lo up

probe() { # $1: label, $2: setpriv bounding set
  local data="$work/data-$1"
  rm -rf "$pins"
  cat >"$work/fleet.yaml" <<EOT
version: 1
fleet-id: caps
peers:
  - {id: lb1, raft-address: 127.0.0.1:19870, api-address: 127.0.0.1:19871, role: voter}
defaults:
  interface: lo
  xdp-mode: generic
  attach-mode: standalone
  gateway-mac: "02:00:00:00:00:01"
  lru-size: 4096
  pin-dir: $pins
  data-dir: $data
  metrics-address: 127.0.0.1:19181
tls: {ca-cert: $work/tls/ca.pem, node-cert: $work/tls/lb1.pem, node-key: $work/tls/lb1-key.pem}
limits: {max-vips: 16, max-reals: 64, ring-size: 65537, maglev: v1}
EOT
  nsenter --net="/run/netns/$ns" setpriv --bounding-set="$2" --inh-caps=-all \
    "$tree/usr/bin/lb-agent" --config "$work/fleet.yaml" --node lb1 >"$work/$1.log" 2>&1 &
  pid=$!
  local deadline=$((SECONDS + 90)) result=""
  until nsenter --net="/run/netns/$ns" curl -fsS -o /dev/null --max-time 2 http://127.0.0.1:19181/readyz 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      result="failed: $(grep -m1 -i 'error\|denied\|not permitted\|lb-agent:' "$work/$1.log" | cut -c1-220)"
      break
    fi
    [ $SECONDS -lt $deadline ] || { result="failed: not ready in 90 s"; break; }
    sleep 1
  done
  if [ -z "$result" ]; then
    if lbctl --target 127.0.0.1:19871 vip add tcp 10.200.200.1:80 >/dev/null 2>"$work/err" \
      && lbctl --target 127.0.0.1:19871 real add tcp 10.200.200.1:80 10.0.0.1 10.0.0.2 -w 1 --wait >/dev/null 2>>"$work/err"; then
      result="ready, XDP attached, VIP programmed"
      nsenter --net="/run/netns/$ns" ip link show lo | grep -q xdp || result="ready but no XDP on lo"
    else
      result="ready, but the write failed: $(head -c 200 "$work/err")"
    fi
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  nsenter --net="/run/netns/$ns" ip link set lo xdpgeneric off 2>/dev/null || true
  echo "caps: $1 ($2): $result"
}
probe all-three -all,+bpf,+net_admin,+perfmon
probe no-perfmon -all,+bpf,+net_admin
probe no-net-admin -all,+bpf,+perfmon
probe no-bpf -all,+net_admin,+perfmon
probe sys-admin-only -all,+sys_admin
