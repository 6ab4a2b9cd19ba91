#!/usr/bin/env bash
# Installs what Ringfleet's build, tests and demo need on Debian 12. Idempotent:
# packages already present are skipped, and apt is only touched when one is missing.
set -euo pipefail

PACKAGES=(
  clang llvm                     # BPF C compiler and llvm-strip / llvm-objdump
  libbpf-dev libelf-dev zlib1g-dev  # libbpf headers for the BPF programs and the JNI shim
  bpftool                        # inspecting programs and pinned maps
  gcc make                       # JNI shim
  iproute2 ethtool tcpdump iptables  # namespaces, veths, tc, captures, partitions
  openjdk-17-jdk-headless maven  # the Java build
  openssl                        # development CA for mTLS
  stress-ng                      # CPU load for scripts/bench-leader-churn.sh
  linux-libc-dev                 # asm/types.h etc. for -target bpf
  dpkg-dev fakeroot zip unzip    # scripts/package.sh: the .deb and the trimmed RocksDB jar
  prometheus                     # promtool and a real Prometheus for scripts/test-prometheus.sh
  systemd                        # systemd-analyze verify of the lb-agent unit
  frr                            # the test router: zebra, bgpd, bfdd (chaos-tests' FrrRouter)
  bird2                          # the LBs' BGP speaker (chaos-tests' BirdSpeaker, scripts/route-hook-bird)
  python3-minimal                # /usr/bin/python3: stand-in processes in lb-agent's FleetLoopbackPidFilesProbeTest
)

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi

# The tests start their own FRR and BIRD instances inside the namespaces they create, with their own configs
# and sockets; the packages' system services (a router and a BGP speaker in the host's namespace) are not
# wanted on a build machine (nor a Prometheus on :9090: the alert test runs its own). Stop and disable them
# where systemd runs them.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  for unit in frr bird prometheus; do
    if systemctl is-enabled --quiet "$unit" 2>/dev/null || systemctl is-active --quiet "$unit" 2>/dev/null; then
      $SUDO systemctl disable --now "$unit" >/dev/null 2>&1 && echo "install-deps: disabled the system $unit service"
    fi
  done
fi

# bpffs for pinned maps and programs (the agent and the tests pin under /sys/fs/bpf), mode 0700: only root may
# create or remove pins (everything of Ringfleet that pins runs as root). A world-writable bpffs (1777) lets any
# user pin objects there and fill it; "lbctl doctor" flags it.
if [ "$(id -u)" -eq 0 ] && ! mountpoint -q /sys/fs/bpf; then
  mount -t bpf -o mode=0700 bpf /sys/fs/bpf
  echo "install-deps: mounted bpffs at /sys/fs/bpf (mode 0700)"
elif mountpoint -q /sys/fs/bpf && [ $((8#$(stat -c %a /sys/fs/bpf) & 8#022)) -ne 0 ]; then
  echo "install-deps: /sys/fs/bpf is mode $(stat -c %a /sys/fs/bpf) (writable by others); as root: chmod 0700 /sys/fs/bpf" >&2
fi
