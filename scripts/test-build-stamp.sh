#!/usr/bin/env bash
# scripts/build-stamp.sh (demo.sh skips its 70 s build when nothing changed) on a scratch tree: each case must
# give the answer a rebuild needs. Prints: build-stamp: N cases, 0 failed
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/build-stamp.sh"
t="$(mktemp -d /tmp/rfops-stamp.XXXXXX)"
trap 'rm -rf "$t"' EXIT
cd "$t"
mkdir -p api/src api/target bpf raft-state cluster-config lb-agent chaos-tests/target deps
touch pom.xml api/src/A.java deps/x.jar
printf '%s' "$t/deps/x.jar" > chaos-tests/target/classpath.txt
stamp=target-stamp
cases=0 failed=0
expect() { # $1: yes/no, $2: what
  cases=$((cases + 1))
  local got=no
  if build_current "$stamp" chaos-tests/target/classpath.txt; then got=yes; fi
  if [ "$got" != "$1" ]; then failed=$((failed + 1)); echo "build-stamp: $2: current=$got, expected $1" >&2; fi
}
expect no "no stamp yet"
sleep 1.1; build_begin "$stamp"; build_done "$stamp"
expect yes "just built"
sleep 1.1; touch api/target/Generated.class
expect yes "only a build output changed"
touch api/src/A.java
expect no "a source changed after the build"
sleep 1.1; build_begin "$stamp"; sleep 1.1; touch api/src/A.java; build_done "$stamp"
expect no "a source saved while the build ran"
sleep 1.1; build_begin "$stamp"; build_done "$stamp"; rm deps/x.jar
expect no "a classpath jar is gone"
echo "build-stamp: $cases cases, $failed failed"
[ "$failed" = 0 ]
