#!/usr/bin/env bash
# Change acknowledged -> programmed on every node (lb-agent), on an in-JVM fleet of real agents (root: BPF).
#   scripts/bench-agent.sh                                  # 3 and 5 nodes, 1,000 single changes, 50 x 100 batched
#   scripts/bench-agent.sh --nodes 3 --changes 2000 --batch 1000 --batches 20 --in-flight 4
# Method and figures: BENCHMARKS.md, "Change to programmed (lb-agent)". MAVEN_ARGS (e.g. -o) is passed on;
# the modules lb-agent needs must be installed (mvn -pl lb-agent -am install -DskipTests; that installs the api and
# bpf test-jars its tests use too).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-agent: the agents load BPF programs; run as root" >&2
  exit 1
fi
exec mvn -q ${MAVEN_ARGS:-} -pl lb-agent test-compile exec:exec \
  -Dexec.executable=java -Dexec.classpathScope=test \
  -Dexec.args="-Xmx2g --enable-native-access=ALL-UNNAMED -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp %classpath io.ringfleet.agent.daemon.ChangeToProgrammedBench $*"
