#!/usr/bin/env bash
# Failure → every LB's kernel ring excludes the real: io.ringfleet.chaos.health.HealthFailoverBench (chaos-tests
# test sources) with real lb-agent processes in namespaces; one JSON line with p50 / p99 against the target
# fall × interval + 500 ms. Builds the reactor up to chaos-tests (test-compile, nothing installed), then runs the
# main under the shared kernel lock. Arguments go to the benchmark: --failures N (20) --interval-ms MS (2000)
# --timeout-ms MS (1000) --rise R (2) --fall F (3). Root. MVN_OFFLINE=1 builds with mvn -o.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-health-failover: needs root (namespaces, XDP)" >&2
  exit 1
fi
mvn_flags=(-B -q -ntp)
if [ -n "${MVN_OFFLINE:-}" ]; then mvn_flags+=(-o); fi
mvn "${mvn_flags[@]}" -pl chaos-tests -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-health-failover.classpath >&2
# This tree's own modules' classes, not whatever io.ringfleet jars the local repository holds.
deps=$(tr ':' '\n' <chaos-tests/target/bench-health-failover.classpath | grep -v '/io/ringfleet/' | paste -sd:)
own=chaos-tests/target/test-classes:chaos-tests/target/classes:lb-agent/target/classes:bpf/target/classes
own=$own:api/target/classes:raft-state/target/classes:cluster-config/target/classes
exec flock /tmp/ringfleet-kernel.lock java -Xmx512m --enable-native-access=ALL-UNNAMED -cp "$own:$deps" \
  io.ringfleet.chaos.health.HealthFailoverBench "$@"
