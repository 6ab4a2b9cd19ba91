#!/usr/bin/env bash
# Health prober cost: io.ringfleet.agent.health.HealthProberBench (lb-agent test sources) probes N (VIP, real)
# pairs on loopback for a while and prints one JSON line with the CPU % of one core its event loop used.
# Builds the reactor up to lb-agent (test-compile, nothing installed), then runs the main. Arguments go to the
# benchmark: --pairs N (1000) --interval-ms MS (2000) --seconds S (60) --kind tcp|http (tcp).
# Root (SO_MARK needs CAP_NET_ADMIN). MVN_OFFLINE=1 builds with mvn -o.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-health: needs root (SO_MARK)" >&2
  exit 1
fi
mvn_flags=(-B -q -ntp)
if [ -n "${MVN_OFFLINE:-}" ]; then mvn_flags+=(-o); fi
mvn "${mvn_flags[@]}" -pl lb-agent -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-health.classpath >&2
# This tree's own modules' classes, not whatever io.ringfleet jars the local repository holds.
deps=$(tr ':' '\n' <lb-agent/target/bench-health.classpath | grep -v '/io/ringfleet/' | paste -sd:)
own=lb-agent/target/test-classes:lb-agent/target/classes:bpf/target/classes:api/target/classes
own=$own:raft-state/target/classes:cluster-config/target/classes
exec java -Xmx512m -cp "$own:$deps" io.ringfleet.agent.health.HealthProberBench "$@"
