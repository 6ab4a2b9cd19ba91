#!/usr/bin/env bash
# lbctl's per-call time against a live 3-node loopback fleet (root: the fleet's agents load BPF; they run in a
# namespace of the bench's own, nothing attached). Three launch configurations, interleaved call by call so the
# machine's load hits each alike:
#   jvm-default   java -cp LIB/* (what a plain launcher does)
#   c1-serial     C1 only, serial collector (the packaged launcher without its archive)
#   packaged      the packaged launcher: C1, serial, and the class-data archive lbctl-record-cds records
# Each call is `lbctl vip list` over mutual TLS (JVM start, TLS, one RPC, print). Prints one JSON object per
# configuration, then one with the ratios (packaged / jvm-default) on the last line.
#   scripts/bench-lbctl.sh [--calls N]      N calls per configuration (default 15)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
calls=15
while [ $# -gt 0 ]; do
  case "$1" in
    --calls) calls="$2"; shift 2 ;;
    *) echo "bench-lbctl: unknown option $1 (use --calls N)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "bench-lbctl: needs root (the fleet's agents load BPF)" >&2; exit 1; }
ns=rfbench-cli
"$root/scripts/package.sh" >/dev/null
tree="$(ls -d "$root"/target/package/ringfleet_*_amd64 | head -1)"
lib="$tree/usr/lib/ringfleet/lib"
work="$(mktemp -d /tmp/rfbench-cli.XXXXXX)"
cleanup() {
  "$root/scripts/fleet-loopback.sh" clean --netns "$ns" >/dev/null 2>&1 || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
"$root/scripts/fleet-loopback.sh" start --netns "$ns" --no-attach >"$work/fleet.log" 2>&1 \
  || { tail -20 "$work/fleet.log" >&2; exit 1; }
tls="/run/ringfleet-loopback/$ns/tls"
export LBCTL_CA="$tls/ca.pem" LBCTL_CERT="$tls/operator.pem" LBCTL_KEY="$tls/operator-key.pem"
export RINGFLEET_LIB="$lib"
LBCTL="$tree/usr/bin/lbctl" "$tree/usr/lib/ringfleet/lbctl-record-cds" "$work/lbctl.jsa"

call() { # CONFIG -> appends "wall_ms cpu_ms" to $work/CONFIG
  local config="$1" t
  local args=(--target 127.0.0.1:19871 vip list)
  TIMEFORMAT='%R %U %S'
  case "$config" in
    jvm-default) t="$( { time nsenter --net="/run/netns/$ns" java -cp "$lib/*" io.ringfleet.agent.cli.Lbctl \
      "${args[@]}" >/dev/null 2>&1; } 2>&1 )" ;;
    c1-serial) t="$( { time LBCTL_CDS_ARCHIVE=/nonexistent nsenter --net="/run/netns/$ns" "$tree/usr/bin/lbctl" \
      "${args[@]}" >/dev/null 2>&1; } 2>&1 )" ;;
    packaged) t="$( { time LBCTL_CDS_ARCHIVE="$work/lbctl.jsa" nsenter --net="/run/netns/$ns" "$tree/usr/bin/lbctl" \
      "${args[@]}" >/dev/null 2>&1; } 2>&1 )" ;;
  esac
  echo "$t" | awk '{printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000}' >>"$work/$config"
}
configs=(jvm-default c1-serial packaged)
for c in "${configs[@]}"; do call "$c"; : >"$work/$c"; done # one warm-up call each (page cache), not counted
for ((i = 0; i < calls; i++)); do
  for c in "${configs[@]}"; do call "$c"; done
done
load="$(cut -d' ' -f1 /proc/loadavg)"
summary() { # CONFIG -> "p50_wall p99_wall p50_cpu"
  local f="$work/$1"
  local n; n="$(wc -l <"$f")"
  local p50=$(((n + 1) / 2)) p99=$(((n * 99 + 99) / 100))
  echo "$(sort -n -k1,1 "$f" | sed -n "${p50}p" | cut -d' ' -f1) $(sort -n -k1,1 "$f" | sed -n "${p99}p" | cut -d' ' -f1)" \
    "$(sort -n -k2,2 "$f" | sed -n "${p50}p" | cut -d' ' -f2)"
}
declare -A p50 cpu
for c in "${configs[@]}"; do
  read -r w50 w99 c50 <<<"$(summary "$c")"
  p50[$c]=$w50
  cpu[$c]=$c50
  printf '{"mode":"lbctl","config":"%s","calls":%d,"p50_ms":%d,"p99_ms":%d,"cpu_ms_per_call":%d,"load_avg":%s}\n' \
    "$c" "$calls" "$w50" "$w99" "$c50" "$load"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
printf '{"mode":"lbctl","calls":%d,"p50_ms":%d,"cpu_ms_per_call":%d,"wall_ratio_vs_jvm_default":%s,"cpu_ratio_vs_jvm_default":%s,"load_avg":%s}\n' \
  "$calls" "${p50[packaged]}" "${cpu[packaged]}" "$(ratio "${p50[packaged]}" "${p50[jvm-default]}")" \
  "$(ratio "${cpu[packaged]}" "${cpu[jvm-default]}")" "$load"
