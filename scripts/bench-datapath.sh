#!/usr/bin/env bash
# Datapath benchmark: ns/packet of the XDP balancer on its main paths, as JSON on stdout.
# Builds the bpf module (BPF objects + JNI shim, and its test classes: the bench and its bench_wrapper.bpf.o live
# in bpf's test source set, not in the shipped jar), then runs io.ringfleet.bpf.bench.DatapathBench in
# namespaces it creates and removes (root). Arguments go to the benchmark:
#   --balancer PATH   a balancer object other than the shipped one
#   --repeat N        repetitions per BPF_PROG_TEST_RUN call (default 100000)
#   --runs R          calls per figure; the median is reported (default 7)
#   --method M        auto (live frames where the kernel allows them, else plain repeat), plain or live
#   --second-chance   the base balancer and balancer_sc alternately on hit / SYN / non-VIP, and the cost of a
#                     second-chance frame against the plain ring path (ratios in "comparisons")
#   --backend         (first argument) time ringfleet-backend instead: plain IPIP decap and the second-chance outcomes
#   --filter          (first argument) time the XDP pre-filter instead (FilterBench: empty, then 10,000 prefix rules
#                     and 1,000 DNS names; pass and drop paths; then FilterChainBench: the balancer behind xdp_root
#                     with and without that filter in slot 0, "added_ns" per path). Loads BPF and pins under
#                     /sys/fs/bpf: on a shared kernel run it under the kernel lock
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "bench-datapath: needs root (BPF programs, network namespaces)" >&2
  exit 1
fi
# process-test-classes: compiles the test sources and builds src/test/c into target/test-classes/native.
mvn -B -q -ntp ${MAVEN_ARGS:-} -pl bpf -am process-test-classes >&2  # -am: the test-jars it uses come from the reactor
main=io.ringfleet.bpf.bench.DatapathBench
if [ "${1:-}" = "--backend" ]; then  # ringfleet-backend instead of the balancer (BackendBench; --repeat, --runs)
  main=io.ringfleet.bpf.bench.BackendBench
  shift
elif [ "${1:-}" = "--filter" ]; then  # the XDP pre-filter (FilterBench; --repeat, --runs)
  main=io.ringfleet.bpf.bench.FilterBench
  shift
fi
exec java --enable-native-access=ALL-UNNAMED -cp bpf/target/test-classes:bpf/target/classes "$main" "$@"
