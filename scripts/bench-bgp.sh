#!/usr/bin/env bash
# BGP reaction times: io.ringfleet.chaos.bgp.BgpBench (chaos-tests) builds a 3-LB namespace topology with FRR
# (zebra, bfdd, bgpd) in the router and BIRD in each LB, then REPEATS rounds of: drain (route-hook-bird
# withdraw) → the router's route (vtysh 'show ip route json') no longer uses the LB; undrain → back; host failure
# (every process of the LB namespace frozen, XDP detached) → gone (BFD 100 ms × 3); return → back after its
# hook announces. Prints one line per round on stderr, the CI line and the JSON (p50/p99/max per step, ms) last.
# Steps are timed against the router's kernel route (ip monitor); WATCH=frr times them against FRR's route polled with
# vtysh instead (the first measurements' method).
# Usage: [WATCH=frr] scripts/bench-bgp.sh [REPEATS (20)]. Root; takes the shared kernel lock. MVN_OFFLINE=1 builds with mvn -o.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-bgp: needs root (namespaces, routing daemons)" >&2
  exit 1
fi
mvn_flags=(-B -q -ntp)
if [ -n "${MVN_OFFLINE:-}" ]; then mvn_flags+=(-o); fi
mvn "${mvn_flags[@]}" -pl chaos-tests -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-bgp.classpath >&2
deps=$(tr ':' '\n' <chaos-tests/target/bench-bgp.classpath | grep -v '/io/ringfleet/' | paste -sd:)
own=chaos-tests/target/classes:lb-agent/target/classes:bpf/target/classes:api/target/classes
own=$own:raft-state/target/classes:cluster-config/target/classes
exec flock /tmp/ringfleet-kernel.lock java -Xmx512m --enable-native-access=ALL-UNNAMED -cp "$own:$deps" \
  -Dringfleet.scripts="$PWD" -Dringfleet.bgp.watch="${WATCH:-kernel}" io.ringfleet.chaos.bgp.BgpBench "$@"
