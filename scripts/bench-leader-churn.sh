#!/usr/bin/env bash
# Leader churn of an idle 3-node fleet of real lb-agent processes on 127.0.0.1 while stress-ng loads every core.
#
#   scripts/bench-leader-churn.sh --minutes M [--no-stress] [--ratis-defaults] [--common-pool N] [--writes W]
#
# Starts lb1..lb3 (plaintext, --no-attach: BPF maps are loaded and pinned under /sys/fs/bpf/ringfleet-churn, nothing
# is attached), waits until each answers /readyz, then runs stress-ng --cpu <cores> for M minutes and reads every
# node's ringfleet_raft_leader_changes_total and ringfleet_raft_term before and after. Prints one JSON object.
#   --ratis-defaults   write Ratis's own timings into the config's raft section (150-300 ms elections): "before"
#   --common-pool N    start the agents with -Djava.util.concurrent.ForkJoinPool.common.parallelism=N (1 = the
#                      JDK's choice on <= 2 CPUs, "before"; the agent sets 4 itself otherwise)
#   --no-build         reuse the classpath of the last run (another run of this script built it)
#   --writes W         after the idle period, W batches of writes through lbctl (one JVM per write); the JSON then
#                      also says how many threads each agent started during the writes (jcmd's java.threads.started)
# Loading BPF takes /tmp/ringfleet-kernel.lock (start and cleanup only; the idle minutes run without it).
# Needs root, stress-ng (scripts/install-deps.sh), jcmd. Builds lb-agent with Maven (package, offline, no install).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
base=/tmp/ringfleet-churn
pins=/sys/fs/bpf/ringfleet-churn
lock=/tmp/ringfleet-kernel.lock
nodes=(lb1 lb2 lb3)
declare -A raft=([lb1]=19970 [lb2]=19972 [lb3]=19974)
declare -A api=([lb1]=19971 [lb2]=19973 [lb3]=19975)
declare -A metrics=([lb1]=19981 [lb2]=19982 [lb3]=19983)

minutes="" stress=1 ratis_defaults=0 common_pool="" writes=0 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    --no-stress) stress=0; shift ;;
    --ratis-defaults) ratis_defaults=1; shift ;;
    --common-pool) common_pool="$2"; shift 2 ;;
    --writes) writes="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    *) echo "bench-leader-churn: unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done
if ! [[ "$minutes" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
  echo "bench-leader-churn: --minutes M is required (a number, e.g. 10)" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-leader-churn: the agents load BPF programs; run as root" >&2
  exit 1
fi
if [ "$stress" = 1 ] && ! command -v stress-ng >/dev/null; then
  echo "bench-leader-churn: stress-ng is missing; run scripts/install-deps.sh" >&2
  exit 1
fi

mkdir -p "$base"
cp="$base/classpath"
if [ "$build" = 1 ] || [ ! -s "$cp" ]; then
  (cd "$root" && mvn -o -B -q -pl lb-agent -am package -DskipTests dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile="$cp.deps") >&2
  # the agents run from copies: a build in this tree during the run must not swap classes under them
  rm -rf "$base/run" && mkdir -p "$base/run/jars" && cp -r "$root/lb-agent/target/classes" "$base/run/classes"
  entries=("$base/run/classes")
  for e in $(tr ':' '\n' < "$cp.deps"); do
    case "$e" in
      "$root"/*) cp "$e" "$base/run/jars/" && entries+=("$base/run/jars/$(basename "$e")") ;;
      *) entries+=("$e") ;;
    esac
  done
  (IFS=:; echo "${entries[*]}") > "$cp"
fi

write_config() {
  {
    echo "version: 1"
    echo "fleet-id: churn"
    echo "peers:"
    for n in "${nodes[@]}"; do
      echo "  - id: $n"
      echo "    raft-address: 127.0.0.1:${raft[$n]}"
      echo "    api-address: 127.0.0.1:${api[$n]}"
      echo "    role: voter"
    done
    echo "defaults:"
    echo "  interface: lo"
    echo "  xdp-mode: generic"
    echo "  attach-mode: shared"
    echo "  root-array-pin: $pins/xdp_root/root_array"
    echo "  gateway-mac: \"02:00:00:00:00:01\""
    echo "  lru-size: 4096"
    echo "  pin-dir: $pins/{id}"
    echo "  data-dir: $base/{id}"
    echo "nodes:"
    local slot=0
    for n in "${nodes[@]}"; do
      echo "  $n:"
      echo "    root-slot: $slot"
      echo "    metrics-address: 127.0.0.1:${metrics[$n]}"
      slot=$((slot + 1))
    done
    echo "tls:"
    echo "  plaintext: true"
    echo "limits:"
    echo "  max-vips: 64"
    echo "  max-reals: 256"
    if [ "$ratis_defaults" = 1 ]; then
      echo "raft:"
      echo "  election-timeout-min-ms: 150"
      echo "  election-timeout-max-ms: 300"
      echo "  request-timeout-ms: 3000"
    fi
  } > "$base/fleet.yaml"
}

java_opts=(-Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 --enable-native-access=ALL-UNNAMED
  -Dorg.slf4j.simpleLogger.log.org.apache.ratis=warn -Dorg.slf4j.simpleLogger.showDateTime=true)
if [ -n "$common_pool" ]; then
  java_opts+=("-Djava.util.concurrent.ForkJoinPool.common.parallelism=$common_pool")
fi

metric() { # node name -> value (sum over the node's series)
  curl -fsS --max-time 5 "http://127.0.0.1:${metrics[$1]}/metrics" \
    | awk -v m="$2" '$1 ~ "^"m"({|$)" { s += $2; found = 1 } END { if (found) printf "%d", s; else print "null" }'
}

threads_started() {
  jcmd "$(cat "$base/$1.pid")" PerfCounter.print 2>/dev/null | awk -F= '/^java.threads.started=/ { print $2 }'
}

stop_all() {
  for n in "${nodes[@]}"; do
    [ -s "$base/$n.pid" ] && kill -TERM "$(cat "$base/$n.pid")" 2>/dev/null || true
  done
  for n in "${nodes[@]}"; do
    if [ -s "$base/$n.pid" ]; then
      local i=0
      while kill -0 "$(cat "$base/$n.pid")" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.2; i=$((i + 1)); done
      rm -f "$base/$n.pid"
    fi
  done
  [ -n "${stress_pid:-}" ] && kill "$stress_pid" 2>/dev/null || true
  flock "$lock" rm -rf "$pins"
  rm -rf "${base:?}/lb1" "$base/lb2" "$base/lb3"
}
trap stop_all EXIT

write_config
rm -rf "$pins" "$base/lb1" "$base/lb2" "$base/lb3"
mkdir -p "$base/logs"
exec 9>"$lock"
flock 9
for n in "${nodes[@]}"; do
  (exec java "${java_opts[@]}" -cp "$(cat "$cp")" io.ringfleet.agent.daemon.LbAgentMain \
    --config "$base/fleet.yaml" --node "$n" --plaintext-insecure --no-attach >"$base/logs/$n.log" 2>&1) &
  echo $! > "$base/$n.pid"
done
deadline=$((SECONDS + 240))
for n in "${nodes[@]}"; do
  until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:${metrics[$n]}/readyz" 2>/dev/null; do
    if ! kill -0 "$(cat "$base/$n.pid")" 2>/dev/null || [ $SECONDS -gt $deadline ]; then
      echo "bench-leader-churn: $n did not get ready; last lines of $base/logs/$n.log:" >&2
      tail -n 5 "$base/logs/$n.log" >&2
      exit 1
    fi
    sleep 0.5
  done
done
flock -u 9

declare -A changes0 term0
for n in "${nodes[@]}"; do
  changes0[$n]=$(metric "$n" ringfleet_raft_leader_changes_total)
  term0[$n]=$(metric "$n" ringfleet_raft_term)
done
load_start=$(cut -d' ' -f1 /proc/loadavg)
seconds=$(awk -v m="$minutes" 'BEGIN { printf "%d", m * 60 }')
if [ "$stress" = 1 ]; then
  stress-ng --cpu "$(nproc)" --timeout "${seconds}s" --quiet &
  stress_pid=$!
fi
sleep "$seconds"
load_end=$(cut -d' ' -f1 /proc/loadavg)
[ -n "${stress_pid:-}" ] && wait "$stress_pid" 2>/dev/null || true
stress_pid=""

per_node="" total=0 max_term=0 min_term0=""
for n in "${nodes[@]}"; do
  c=$(metric "$n" ringfleet_raft_leader_changes_total)
  t=$(metric "$n" ringfleet_raft_term)
  d=$((c - changes0[$n]))
  total=$((total + d))
  per_node+="${per_node:+, }\"$n\": {\"leader_changes\": $d, \"term_before\": ${term0[$n]}, \"term_after\": $t}"
  [ "$t" -gt "$max_term" ] && max_term=$t
  if [ -z "$min_term0" ] || [ "${term0[$n]}" -lt "$min_term0" ]; then min_term0=${term0[$n]}; fi
done

writes_json=""
if [ "$writes" -gt 0 ]; then
  declare -A th0
  for n in "${nodes[@]}"; do th0[$n]=$(threads_started "$n"); done
  for i in $(seq 1 "$writes"); do
    java -Xms16m -XX:TieredStopAtLevel=1 -cp "$(cat "$cp")" io.ringfleet.agent.cli.Lbctl --plaintext \
      --target "127.0.0.1:${api[lb$((i % 3 + 1))]}" vip add tcp "10.201.$((i / 250)).$((i % 250 + 1)):80" >/dev/null
  done
  th=""
  for n in "${nodes[@]}"; do
    th+="${th:+, }\"$n\": $(($(threads_started "$n") - th0[$n]))"
  done
  writes_json=", \"writes\": $writes, \"threads_started_during_writes\": {$th}"
fi

pool="${common_pool:-default (agent sets >= 4)}"
timings="from the raft section: RaftTimings.DEFAULT (1000-2000 ms, pre-vote on)"
[ "$ratis_defaults" = 1 ] && timings="Ratis defaults (150-300 ms elections)"
printf '{"minutes": %s, "load": "%s", "loadavg_start": %s, "loadavg_end": %s, "cpus": %s, "timings": "%s", "common_pool_parallelism": "%s", "leader_changes": %s, "terms": {"before": %s, "after": %s, "elections": %s}, "nodes": {%s}%s}\n' \
  "$minutes" "$([ "$stress" = 1 ] && echo "stress-ng --cpu $(nproc)" || echo none)" "$load_start" "$load_end" \
  "$(nproc)" "$timings" "$pool" "$total" "$min_term0" "$max_term" "$((max_term - min_term0))" "$per_node" "$writes_json"
