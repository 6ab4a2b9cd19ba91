#!/usr/bin/env bash
# The project's test command (README.md, and exactly what CI runs): installs the system packages the
# build needs (idempotent), then the whole Maven build with every test. Needs root: the tests load BPF
# programs and create network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "test: the datapath and fleet tests load BPF programs and create network namespaces; run as root" >&2
  exit 1
fi
bash scripts/install-deps.sh
# copy-dependencies in the same reactor: the release package (scripts/package.sh) then reuses these jars
mvn -B -ntp verify dependency:copy-dependencies -DincludeScope=runtime "$@"
# the release package (dpkg --root install / remove, systemd-analyze verify) and the alert rules (promtool,
# a real Prometheus scraping a real 3-node fleet); each prints its CI line
bash scripts/test-build-stamp.sh
bash scripts/test-package.sh
flock /tmp/ringfleet-kernel.lock bash scripts/test-prometheus.sh
