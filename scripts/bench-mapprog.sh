#!/usr/bin/env bash
# Map programmer benchmark: how long lb-agent's MapProgrammer takes to compare full ring rows with the kernel
# (resync, first run). Builds bpf and lb-agent (tests compiled, not run), then runs
# io.ringfleet.agent.datapath.MapProgrammerBench (lb-agent test sources) against balancer maps it creates and
# closes itself (root; nothing attached, nothing pinned). Arguments go to the benchmark:
#   --vips N   VIPs (ring rows) in the large image and maps sized for them (default 64)
#   --runs R   runs per figure; the median is reported (default 7)
# With --incremental as the first argument, runs io.ringfleet.agent.datapath.IncrementalRunBench instead (one
# incremental run's cost as the fleet grows; --vips 8,64 --reals 100 --runs 200).
# MVN_OFFLINE=1 builds with mvn -o; MAVEN_REPO=DIR uses another local repository.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-mapprog: needs root (BPF maps)" >&2
  exit 1
fi
mvn_flags=(-B -q -ntp)
if [ -n "${MVN_OFFLINE:-}" ]; then mvn_flags+=(-o); fi
if [ -n "${MAVEN_REPO:-}" ]; then mvn_flags+=("-Dmaven.repo.local=$MAVEN_REPO"); fi
bench=io.ringfleet.agent.datapath.MapProgrammerBench
if [ "${1:-}" = "--incremental" ]; then
  bench=io.ringfleet.agent.datapath.IncrementalRunBench
  shift
fi
mvn "${mvn_flags[@]}" -pl bpf,lb-agent -am install -DskipTests >&2
cp_file="$PWD/lb-agent/target/bench.classpath"
mvn "${mvn_flags[@]}" -pl lb-agent dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2
# This tree's own modules, not whatever io.ringfleet jars the local repository holds now (other trees install
# the same snapshot version there).
deps=$(tr ':' '\n' <"$cp_file" | grep -v '/io/ringfleet/' | paste -sd:)
own=lb-agent/target/test-classes:lb-agent/target/classes:bpf/target/classes:api/target/classes
own=$own:raft-state/target/classes:cluster-config/target/classes
# The test helpers lb-agent's tests share through test-jars (api: KatranData; bpf: Frames).
own=$own:api/target/test-classes:bpf/target/test-classes
exec java -Xmx2g --enable-native-access=ALL-UNNAMED -cp "$own:$deps" \
  "$bench" "$@"
