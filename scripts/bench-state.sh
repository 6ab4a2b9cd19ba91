#!/usr/bin/env bash
# JMH benchmarks of raft-state (Maglev ring build and diff). One command:
#   scripts/bench-state.sh                    # all raft-state JMH benchmarks, short settings
#   scripts/bench-state.sh MaglevRingBench -p weights=equal,1to4   # any JMH arguments
#   scripts/bench-state.sh --vs-c             # CPU time per build: Java vs a C baseline (gcc -O2)
# JMH defaults (annotated on the benchmarks): 1 fork, 3 warmup + 5 measurement iterations of 1 s.
# Needs the api module and its test-jar (KatranData, for raft-state's tests) in the local Maven repository; they
# are installed once if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ls "${HOME}"/.m2/repository/io/ringfleet/api/*/api-*-tests.jar >/dev/null 2>&1; then
  mvn -q -pl raft-state -am install -DskipTests
fi
run_java() { # main class and arguments, on the test classpath of raft-state
  mvn -q -pl raft-state test-compile exec:exec \
    -Dexec.executable=java -Dexec.classpathScope=test \
    -Dexec.args="-Xms512m -Xmx512m -cp %classpath $*"
}
if [ "${1:-}" = "--vs-c" ]; then
  out="$(mktemp -d)"
  trap 'rm -rf "$out"' EXIT
  gcc -O2 -o "$out/maglev_baseline" raft-state/src/test/c/maglev_baseline.c
  run_java io.ringfleet.state.maglev.bench.BuildCpuTime
  "$out/maglev_baseline"
  exit 0
fi
args=("$@")
if ((${#args[@]} == 0)); then
  args=(io.ringfleet.state)
fi
run_java org.openjdk.jmh.Main "${args[*]}"
