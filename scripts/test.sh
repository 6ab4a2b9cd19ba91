#!/usr/bin/env bash
# The project's test command (README.md): the whole Maven build with every test.
# Needs root (BPF, namespaces); scripts/install-deps.sh prepares a fresh Debian 12 machine.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then
  echo "test: the datapath and fleet tests load BPF programs and create network namespaces; run as root" >&2
  exit 1
fi
exec mvn -B -ntp verify "$@"
