#!/usr/bin/env bash
# JMH benchmarks of raft-state's log replay and snapshots (512 VIPs x 100 reals). One command:
#   scripts/bench-raft.sh                      # ReplayBench + SnapshotBench, short settings
#   scripts/bench-raft.sh SnapshotBench -f 1 -wi 2 -i 3    # any JMH arguments
#   scripts/bench-raft.sh --cpu                # ReplayBench's cases in thread CPU time (for a loaded machine)
# JMH defaults (annotated on the benchmarks): 1 fork, 3 warmup + 5 measurement iterations.
# Sibling of bench-state.sh (Maglev); installs the api module of this tree first, because raft-state
# needs this tree's protos (an older api jar in ~/.m2 may lack them) and api's test-jar (KatranData). MAVEN_ARGS
# (e.g. -o) is passed on.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q ${MAVEN_ARGS:-} -pl api install -DskipTests
if [ "${1:-}" = "--cpu" ]; then
  exec mvn -q ${MAVEN_ARGS:-} -pl raft-state test-compile exec:exec \
    -Dexec.executable=java -Dexec.classpathScope=test \
    -Dexec.args="-Xms1g -Xmx1g -cp %classpath io.ringfleet.state.bench.ReplayCpuTime"
fi
args=("$@")
if ((${#args[@]} == 0)); then
  args=(io.ringfleet.state.bench)
fi
exec mvn -q ${MAVEN_ARGS:-} -pl raft-state test-compile exec:exec \
  -Dexec.executable=java -Dexec.classpathScope=test \
  -Dexec.args="-cp %classpath org.openjdk.jmh.Main ${args[*]}"
