#!/usr/bin/env bash
# The long soak of the seeded control-plane simulation (chaos-tests, io.ringfleet.chaos.sim):
#
#   scripts/chaos.sh --seeds N --from SEED [--parallel P] [--minutes M] [--verbose]
#
# runs schedules SEED .. SEED+N-1 (default 1000 from 1, 6 clusters at a time) and prints, last,
#   chaos: N schedules, V violations
# exiting 1 if any schedule violated an invariant (each violation is printed with "reproduce with seed=...").
# Reproduce one seed:  scripts/chaos.sh --seeds 1 --from 6 --verbose
# Ratis's own log for that seed:  CHAOS_JAVA_OPTS=-Dchaos.ratisLog=info scripts/chaos.sh --seeds 1 --from 6
#
# Builds what it needs first (set CHAOS_NO_BUILD=1 to skip; MVN_FLAGS=-o to build offline).
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file=chaos-tests/target/sim-classpath.txt
if [ "${CHAOS_NO_BUILD:-0}" != "1" ]; then
  # shellcheck disable=SC2086
  mvn -q ${MVN_FLAGS:-} -pl chaos-tests -am install -DskipTests
  # shellcheck disable=SC2086
  mvn -q ${MVN_FLAGS:-} -pl chaos-tests test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/$cp_file"
fi
if [ ! -f "$cp_file" ]; then
  echo "chaos: $cp_file is missing: run without CHAOS_NO_BUILD=1 once" >&2
  exit 2
fi
# shellcheck disable=SC2086
exec java -Xmx2g ${CHAOS_JAVA_OPTS:-} \
  -cp "chaos-tests/target/test-classes:chaos-tests/target/classes:$(cat "$cp_file")" \
  io.ringfleet.chaos.sim.ChaosMain "$@"
