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
exec mvn -B -ntp verify "$@"
