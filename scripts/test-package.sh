#!/usr/bin/env bash
# The release package, checked with the real tools (root; no kernel use, no lock needed):
#  1. systemd-analyze verify of the lb-agent unit inside the package's tree (plus the host's own units, which it
#     refers to): any complaint fails, since verify exits 0 on directives it ignores;
#  2. dpkg --root into a temp dir (not the host: no dpkg lock taken, nothing left behind): install, every file
#     in place, the installed lbctl runs, remove keeps only the conffile, purge leaves nothing of ours;
#  3. the installed shell completion and man pages: bash sources lbctl's script and completes "lbctl " to every
#     command the installed `lbctl --help` lists, each of them has its man page, lb-agent has its script and page,
#     and `man --warnings=w -l` renders every page without a warning (groff's whole warning set).
#     (--force-depends: the temp root has no Java; --force-script-chrootless: it has no shell; the maintainer
#     scripts see DPKG_ROOT and leave systemd alone.)
# Prints: package: ringfleet_<ver>.deb installs, unit verifies, ..., N man pages render, bash completes C commands, ...
#   scripts/test-package.sh [DEB]     default: builds it with scripts/package.sh (skipped when up to date)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
deb="${1:-$("$root/scripts/package.sh")}"
unit=lib/systemd/system/ringfleet-lb-agent.service
work="$(mktemp -d /tmp/rfops-pkg.XXXXXX)"
trap 'rm -rf "$work"' EXIT
fail() { echo "package: FAILED: $*" >&2; exit 1; }

# 1. the unit
mkdir "$work/unit"
dpkg-deb -x "$deb" "$work/unit"
cp -rn /lib/systemd/system/. "$work/unit/lib/systemd/system/"
out="$(systemd-analyze verify --root="$work/unit" "/$unit" 2>&1)" || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify complains: $out"

# 2. install, remove, purge into a temp root
r="$work/root"
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
touch "$r/var/lib/dpkg/status" "$r/var/lib/dpkg/available"
dpkgr() { dpkg --root="$r" --force-depends --force-script-chrootless --log=/dev/null "$@" >"$work/dpkg.out" 2>&1 \
  || fail "dpkg $*: $(tail -n 3 "$work/dpkg.out")"; }
dpkgr -i "$deb"
ours="$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' | grep -v '^$' | grep -v '^/$')"
for f in $ours; do [ -e "$r$f" ] || fail "$f not installed"; done
for f in /usr/bin/lb-agent /usr/bin/lbctl "/$unit" /etc/ringfleet/lb-agent.env /usr/lib/ringfleet/lib; do
  [ -e "$r$f" ] || fail "$f missing"
done
[ "$(stat -c %a "$r/var/lib/ringfleet")" = 700 ] || fail "/var/lib/ringfleet is not 0700"
version="$(RINGFLEET_LIB="$r/usr/lib/ringfleet/lib" "$r/usr/bin/lbctl" --version 2>&1 | head -1)" \
  || fail "installed lbctl does not run: $version"
dpkg --root="$r" -s ringfleet | grep -q '^Status: install ok installed' || fail "not installed per dpkg"
# lbctl's class-data archive (postinst records it on a real host; here into the work dir): -Xshare:on makes the
# JVM fail unless it maps the archive, so this checks the archive is usable, not just written.
export RINGFLEET_LIB="$r/usr/lib/ringfleet/lib"
LBCTL="$r/usr/bin/lbctl" "$r/usr/lib/ringfleet/lbctl-record-cds" "$work/lbctl.jsa"
[ -s "$work/lbctl.jsa" ] || fail "lbctl-record-cds wrote no archive"
LBCTL_CDS_ARCHIVE="$work/lbctl.jsa" LBCTL_JAVA_OPTS=-Xshare:on "$r/usr/bin/lbctl" --version >/dev/null 2>&1 \
  || fail "lbctl does not start with the recorded class-data archive (-Xshare:on)"

# 3. completion and man pages, as installed
comp="$r/usr/share/bash-completion/completions"
man1="$r/usr/share/man/man1"
[ -s "$comp/lbctl" ] && [ -s "$comp/lb-agent" ] || fail "bash completion for lbctl and lb-agent not installed in $comp"
[ -s "$man1/lbctl.1.gz" ] && [ -s "$man1/lb-agent.1.gz" ] || fail "man pages lbctl.1.gz and lb-agent.1.gz not installed"
mapfile -t commands < <("$r/usr/bin/lbctl" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
((${#commands[@]})) || fail "the installed lbctl --help lists no commands"
# What bash's programmable completion does for "lbctl <TAB>": the function the script registered, with COMP_*.
offered="$(bash --norc --noprofile -c 'source "$1" || exit 1
  fn=$(complete -p lbctl | sed -E "s/.* -F ([^ ]+) .*/\1/")
  COMP_WORDS=(lbctl ""); COMP_CWORD=1; COMP_LINE="lbctl "; COMP_POINT=${#COMP_LINE}
  "$fn" lbctl "" lbctl 2>/dev/null; printf "%s\n" "${COMPREPLY[@]}"' bash "$comp/lbctl")" \
  || fail "bash cannot source $comp/lbctl"
for c in "${commands[@]}"; do
  grep -qx -- "$c" <<<"$offered" || fail "bash completion does not offer 'lbctl $c'"
  [ -s "$man1/lbctl-$c.1.gz" ] || fail "no man page lbctl-$c.1.gz for 'lbctl $c'"
done
pages=0
for page in "$man1"/*.1.gz; do
  text="$(MANWIDTH=80 man --warnings=w -E UTF-8 -l "$page" 2>"$work/man.err")" || fail "man -l $page: $(cat "$work/man.err")"
  [ ! -s "$work/man.err" ] || fail "man -l $(basename "$page") warns: $(head -n 3 "$work/man.err")"
  grep -q '^NAME' <<<"$text" || fail "man -l $(basename "$page") renders no NAME section"
  pages=$((pages + 1))
done
unset RINGFLEET_LIB

dpkgr -r ringfleet
left="$(cd "$r" && find . -path ./var/lib/dpkg -prune -o \( -type f -o -type l \) -print | sed 's|^\.||')"
[ "$left" = /etc/ringfleet/lb-agent.env ] || fail "after remove, expected only the conffile, found: $left"
dpkgr -P ringfleet
left="$(cd "$r" && find . -path ./var/lib/dpkg -prune -o -mindepth 1 -print | sed 's|^\.||' | grep -vx '/var\|/var/lib')" || true
[ -z "$left" ] || fail "after purge, left: $left"
dpkg --root="$r" -s ringfleet >/dev/null 2>&1 && fail "dpkg still knows ringfleet after purge"
echo "package: $(basename "$deb") installs, unit verifies, lbctl maps its class-data archive, $pages man pages render," \
  "bash completes ${#commands[@]} lbctl commands, removes clean ($version)"
