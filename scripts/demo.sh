#!/usr/bin/env bash
# The main job (README.md): a Ringfleet fleet in network namespaces on this machine: 3 LBs, each running an
# lb-agent process with the second-chance XDP balancer and BIRD (BGP with BFD to FRR on the router; the agent
# announces through scripts/route-hook-bird), 3 backends running ringfleet-backend and real TCP/UDP traffic; changes
# through lbctl on lb2; an LB drained with a ring change in the drain's own log entry (second chance keeps the moved
# flows; --no-churn: no ring change), an agent killed with -9 and restarted, an LB host failed (BFD withdraws it) and
# returned, all under load. Needs frr and bird2 (scripts/install-deps.sh installs them).
# Installs what is missing (scripts/install-deps.sh), builds with Maven (tests skipped), runs
# io.ringfleet.chaos.demo.Demo. Arguments go to the demo (e.g. --quick, --long 100, --phase-seconds 10;
# see chaos-tests/README.md). Exit status: 0 when no connection broke and every LB's maps equal the image.
# Ctrl-C (or SIGTERM) tears everything down; namespaces of a run killed with -9 are removed here too.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "demo: needs root (network namespaces, XDP programs, BPF maps): run it as root" >&2
  exit 1
fi

scripts/install-deps.sh
mkdir -p target
# shellcheck source=scripts/build-stamp.sh
. scripts/build-stamp.sh
if build_current target/demo-build.stamp chaos-tests/target/classpath.txt; then
  echo "demo: build up to date (no source changed since target/demo-build.stamp); not rebuilding"
else
  echo "demo: building (mvn package, tests skipped; log in target/demo-build.log)..."
  build_begin target/demo-build.stamp
  if ! mvn -B -ntp -pl chaos-tests -am -DskipTests package \
      dependency:build-classpath -Dmdep.outputFile=target/classpath.txt > target/demo-build.log 2>&1; then
    tail -40 target/demo-build.log >&2
    echo "demo: the build failed (whole log: target/demo-build.log)" >&2
    exit 1
  fi
  build_done target/demo-build.stamp
fi
CP="chaos-tests/target/classes:$(cat chaos-tests/target/classpath.txt)"

# A background job of a script ignores SIGINT, so Ctrl-C is forwarded as SIGTERM: the JVM's shutdown
# hook then closes the traffic and the balancers and deletes the run's namespaces.
java --enable-native-access=ALL-UNNAMED -cp "$CP" io.ringfleet.chaos.demo.Demo "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' INT TERM
rc=0
wait "$pid" || rc=$?
while kill -0 "$pid" 2>/dev/null; do
  wait "$pid" || rc=$?
done
trap - INT TERM

# If the JVM died without running its hook, its agents, namespaces and bpffs pins (rfc-PID-*) are still there.
if pkill -9 -f -- "--config /tmp/ringfleet-runs/rfc-${pid}-" 2>/dev/null; then
  echo "demo: killed leftover lb-agent processes of run rfc-${pid}"
fi
leftover=$(ip netns list | awk '{print $1}' | grep "^rfc-${pid}-" || true)
for ns in $leftover; do
  ip netns del "$ns" && echo "demo: removed leftover namespace $ns"
done
for dir in /sys/fs/bpf/rfc-"${pid}"-*; do
  [ -d "$dir" ] && rm -rf "$dir" && echo "demo: removed leftover pin directory $dir"
done
exit "$rc"
