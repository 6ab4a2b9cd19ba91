#!/usr/bin/env bash
# The alert rules against real tools (root; loads BPF, so run it under the kernel lock when sharing a kernel):
#  1. promtool check rules and promtool test rules (packaging/alerts/);
#  2. a real Prometheus (Debian package) scrapes a real 3-node fleet started from the package tree
#     (scripts/package.sh), in a network namespace of its own, and evaluates the rules:
#     healthy control: no alert pending or firing, every metric the rules and the dashboard use is scraped, and
#     the three nodes' ring digests are equal; then one node is stopped and RingfleetNodeNotLive must fire for
#     that node, and nothing else.
# Prints: prometheus: R rules checked, A alerts fired as expected, 0 unexpected
#   scripts/test-prometheus.sh            RINGFLEET_ALERTS=FILE tests another rules file (a sabotage run)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rules="${RINGFLEET_ALERTS:-$root/packaging/alerts/ringfleet-alerts.yml}"
dashboard="$root/packaging/grafana/ringfleet-dashboard.json"
ns="rfops-prom-$$"
pins="/sys/fs/bpf/$ns"
work="$(mktemp -d /tmp/rfops-prom.XXXXXX)"
pids=()
fail() { echo "prometheus: FAILED: $*" >&2; exit 1; }

cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$pins" "$work"
}
trap cleanup EXIT

# 1. promtool
promtool check rules "$rules" >"$work/check.out" || { cat "$work/check.out" >&2; fail "promtool check rules"; }
rule_count="$(sed -n 's/.*SUCCESS: \([0-9]*\) rules found.*/\1/p' "$work/check.out")"
cp "$root/packaging/alerts/ringfleet-alerts.test.yml" "$work/"
cp "$rules" "$work/ringfleet-alerts.yml"
promtool test rules "$work/ringfleet-alerts.test.yml" >"$work/test.out" 2>&1 \
  || { cat "$work/test.out" >&2; fail "promtool test rules"; }

# 2. the fleet, from the package tree
tree="$(ls -d "$root"/target/package/ringfleet_*_amd64 2>/dev/null | head -1)"
[ -d "$tree" ] || tree="$(dirname "$("$root/scripts/package.sh")")/$(basename "$("$root/scripts/package.sh")" .deb)"
export RINGFLEET_LIB="$tree/usr/lib/ringfleet/lib"
lbctl() { "$tree/usr/bin/lbctl" "$@"; }
lbctl certs init --dir "$work/tls" >/dev/null
for n in lb1 lb2 lb3; do lbctl certs issue --dir "$work/tls" --role node --name "$n" >/dev/null; done
lbctl certs issue --dir "$work/tls" --role operator --name operator >/dev/null
export LBCTL_CA="$work/tls/ca.pem" LBCTL_CERT="$work/tls/operator.pem" LBCTL_KEY="$work/tls/operator-key.pem"
sed -e "s|/tmp/ringfleet-loopback|$work|g" -e "s|/sys/fs/bpf/ringfleet-loopback|$pins|g" \
  "$root/cluster-config/examples/three-node-loopback.yaml" >"$work/fleet.yaml"
ip netns add "$ns"
ip -n "$ns" link set lo up
inns() { nsenter --net="/run/netns/$ns" "$@"; }
declare -A agent
for n in lb1 lb2 lb3; do
  # nsenter execs the launcher, which execs java: $! is the JVM's pid
  nsenter --net="/run/netns/$ns" "$tree/usr/bin/lb-agent" --config "$work/fleet.yaml" --node "$n" --no-attach >"$work/$n.log" 2>&1 &
  agent[$n]=$!
  pids+=($!)
done
deadline=$((SECONDS + 150))
for port in 19181 19182 19183; do
  until inns curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/readyz" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || { tail -n 5 "$work"/lb*.log >&2; fail "fleet not ready in 150 s"; }
    sleep 1
  done
done

# a VIP with reals, so the per-VIP and per-real meters exist
inns "$tree/usr/bin/lbctl" --target 127.0.0.1:19871 vip add tcp 10.200.200.1:80 >/dev/null
inns "$tree/usr/bin/lbctl" --target 127.0.0.1:19873 real add tcp 10.200.200.1:80 10.0.0.1 10.0.0.2 -w 1 --wait >/dev/null

# 3. Prometheus, on the namespace's loopback, with a temp data dir
cat >"$work/prometheus.yml" <<EOT
global: {scrape_interval: 2s, evaluation_interval: 2s}
rule_files: [$work/ringfleet-alerts.yml]
scrape_configs:
  - job_name: ringfleet
    honor_labels: true   # keep the agents' own node and fleet labels
    static_configs:
      - {targets: ['127.0.0.1:19181'], labels: {node: lb1, fleet: loopback}}
      - {targets: ['127.0.0.1:19182'], labels: {node: lb2, fleet: loopback}}
      - {targets: ['127.0.0.1:19183'], labels: {node: lb3, fleet: loopback}}
EOT
nsenter --net="/run/netns/$ns" prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
  --web.listen-address=127.0.0.1:9090 >"$work/prometheus.log" 2>&1 &
pids+=($!)
api() { inns curl -fsS --max-time 5 "http://127.0.0.1:9090/api/v1/$1"; }
query() { inns curl -fsS --max-time 5 "http://127.0.0.1:9090/api/v1/query" --data-urlencode "query=$1"; }
until api "query?query=up" 2>/dev/null | jq -e '[.data.result[] | select(.value[1] == "1")] | length == 3' >/dev/null; do
  [ $SECONDS -lt $deadline ] || { tail -n 5 "$work/prometheus.log" >&2; fail "Prometheus does not see 3 live targets"; }
  sleep 1
done
# a few evaluations after every series exists (a rule is pending from its first true evaluation)
sleep 12

# healthy control
active="$(api alerts | jq -c '[.data.alerts[] | {alert: .labels.alertname, node: .labels.node, state}]')"
[ "$active" = "[]" ] || fail "healthy fleet has alerts: $active"
names="$(api 'label/__name__/values' | jq -r '.data[]')"
used="$( (grep -o 'ringfleet_[a-z_]*' "$rules"; jq -r '.. | .expr? // empty' "$dashboard" | grep -o '[a-z_]*ringfleet_[a-z_]*\|jvm_[a-z_]*\|process_[a-z_]*') | sort -u)"
for m in $used; do
  grep -qx "$m" <<<"$names" || fail "$m is used by the rules or the dashboard but no agent exports it"
done
digests="$(query 'count(count_values("d", ringfleet_programmed_rings_digest))' | jq -r '.data.result[0].value[1]')"
[ "$digests" = 1 ] || fail "the 3 nodes export $digests different ring digests"

# fault: lb3 stops; its not-live alert must fire (for: 30s), and nothing else may
kill -TERM "${agent[lb3]}"
expected='[{"alert":"RingfleetNodeNotLive","node":"lb3","state":"firing"}]'
deadline=$((SECONDS + 90))
while :; do
  active="$(api alerts | jq -c '[.data.alerts[] | {alert: .labels.alertname, node: .labels.node, state}] | sort_by(.alert, .node)')"
  [ "$active" = "$expected" ] && break
  if [ "$(jq '[.[] | select(.alert != "RingfleetNodeNotLive" or .node != "lb3")] | length' <<<"$active")" != 0 ]; then
    fail "unexpected alerts after stopping lb3: $active"
  fi
  [ $SECONDS -lt $deadline ] || fail "RingfleetNodeNotLive{node=lb3} not firing 90 s after lb3 stopped: $active"
  sleep 2
done
# a stack trace is frames ("\tat pkg.Class.method(...)") or a "Caused by:"; an exception's name in a one-line
# message is not one
trace='^[[:space:]]+at [[:alnum:]_.$]+\(|^Caused by: '
if grep -qE "$trace" "$work/lb3.log"; then
  fail "lb3 logged a stack trace: $(grep -m1 -B1 -E "$trace" "$work/lb3.log" | head -1)"
fi
echo "prometheus: $rule_count rules checked, 1 alerts fired as expected, 0 unexpected"
