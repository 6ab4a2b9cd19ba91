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
# Real-process chaos in network namespaces instead (root; chaos-tests, io.ringfleet.chaos.netnschaos):
#
#   scripts/chaos.sh --netns-scenarios N [--from SEED] [--netns-faults K]
#
# runs the scenarios of seeds SEED .. SEED+N-1 (default from 1; K faults each, default 8) one after the other,
# each on a fresh topology with three real lb-agent processes, and prints, last,
#   netns-chaos: F faults, C connections, B broken
# exiting 1 if any scenario failed a check (each failure is printed with "reproduce with seed=...").
# Reproduce one:  scripts/chaos.sh --netns-scenarios 1 --from 7 --netns-faults 8
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
main=io.ringfleet.chaos.sim.ChaosMain
args=("$@")
for a in "$@"; do
  if [ "$a" = "--netns-scenarios" ]; then
    main=io.ringfleet.chaos.netnschaos.NetnsChaosMain
  fi
done
if [ "$main" = io.ringfleet.chaos.netnschaos.NetnsChaosMain ]; then
  args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --netns-scenarios) args+=(--scenarios "${2:?--netns-scenarios needs a number}"); shift 2 ;;
      --netns-faults) args+=(--faults "${2:?--netns-faults needs a number}"); shift 2 ;;
      --from) args+=(--from "${2:?--from needs a seed}"); shift 2 ;;
      *) echo "chaos: $1 does not go with --netns-scenarios (options: --from SEED, --netns-faults K)" >&2; exit 2 ;;
    esac
  done
fi
# shellcheck disable=SC2086
exec java -Xmx2g ${CHAOS_JAVA_OPTS:-} \
  -cp "chaos-tests/target/test-classes:chaos-tests/target/classes:$(cat "$cp_file")" \
  "$main" "${args[@]}"
