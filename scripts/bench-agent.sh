#!/usr/bin/env bash
# Control-plane speed on an in-JVM fleet of real agents (root: BPF), lb-agent's ChangeToProgrammedBench.
#   scripts/bench-agent.sh                                  # --mode single,batched on 3 and 5 nodes
#   scripts/bench-agent.sh --nodes 3 --mode single --changes 1000
#   scripts/bench-agent.sh --nodes 3 --mode batched --batch 1000 --batches 20 --in-flight 8
#   scripts/bench-agent.sh --nodes 3 --mode concurrent --writers 200 --seconds 10
#   scripts/bench-agent.sh --nodes 3 --mode restart --restarts 3
# Each mode ends with one JSON line. Method and figures: BENCHMARKS.md, "Change to programmed (lb-agent)".
# Builds the reactor (offline: MAVEN_ARGS, default -o) and runs on its classes: nothing is installed into ~/.m2.
# Take the kernel lock when others share the machine: flock /tmp/ringfleet-kernel.lock scripts/bench-agent.sh ...
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-agent: the agents load BPF programs; run as root" >&2
  exit 1
fi
mvn -q ${MAVEN_ARGS:--o} -pl lb-agent -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
cp="lb-agent/target/test-classes:lb-agent/target/classes:$(cat lb-agent/target/bench.classpath)"
exec java -Xmx2g --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$cp" io.ringfleet.agent.daemon.ChangeToProgrammedBench "$@"
