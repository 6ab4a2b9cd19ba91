#!/usr/bin/env bash
# Builds the release artifacts for an LB host into target/package/:
#   ringfleet_<version>_amd64.deb   (dpkg -i; the layout in packaging/README.md)
#   ringfleet-<version>.tar.gz      (the same tree: tar -C / -xzf, for hosts without dpkg)
#   scripts/package.sh [--no-build]   --no-build packages the jars already built (lb-agent/target)
# The build is skipped when the jars are newer than every source file of the modules they come from.
# Shell completion and man pages are generated here from the command definitions (lb-agent's cli.CliDocs with
# picocli-codegen from lb-agent/target/docgen; asciidoctor turns the man pages into roff): never committed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
build=yes
if [ "${1:-}" = "--no-build" ]; then build=no; fi

pom_version="$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -1)"
version="${pom_version/-/\~}" # 0.1.0-SNAPSHOT sorts before 0.1.0 as 0.1.0~SNAPSHOT
agent_jar="lb-agent/target/lb-agent-$pom_version.jar"
deps="lb-agent/target/dependency"
docgen="lb-agent/target/docgen" # picocli-codegen, copied there by lb-agent's build (not shipped)

up_to_date() {
  [ -s "$agent_jar" ] && [ -d "$deps" ] && compgen -G "$docgen/picocli-codegen-*.jar" >/dev/null || return 1
  [ -z "$(find api bpf raft-state cluster-config lb-agent pom.xml -path '*/target' -prune -o -type f \
    -newer "$agent_jar" -print -quit)" ]
}
if [ "$build" = yes ] && ! up_to_date; then
  echo "package: building lb-agent and the modules it needs" >&2
  mvn -B -q -ntp -pl lb-agent -am package dependency:copy-dependencies -DincludeScope=runtime -DskipTests >&2
fi
[ -s "$agent_jar" ] || { echo "package: $agent_jar missing (run without --no-build)" >&2; exit 1; }
compgen -G "$docgen/picocli-codegen-*.jar" >/dev/null \
  || { echo "package: $docgen/picocli-codegen-*.jar missing (run without --no-build)" >&2; exit 1; }
command -v asciidoctor >/dev/null \
  || { echo "package: asciidoctor not found (it makes the man pages; scripts/install-deps.sh installs it)" >&2; exit 1; }

out="$root/target/package"

# Runs cli.CliDocs from the packaged jars: picocli warnings (e.g. a description it cannot format) fail the build.
cli_docs() {
  local err="$out/docs/cli-docs.err"
  # the LBCTL_* defaults must be lbctl's own, not this shell's
  env -u LBCTL_TARGET -u LBCTL_CA -u LBCTL_CERT -u LBCTL_KEY java -cp "$tree/usr/lib/ringfleet/lib/*:$docgen/*" \
    io.ringfleet.agent.cli.CliDocs "$@" 2>"$err" || { echo "package: CliDocs $1 failed: $(cat "$err")" >&2; exit 1; }
  if grep -q 'picocli' "$err"; then echo "package: CliDocs $1: $(cat "$err")" >&2; exit 1; fi
}

# Bash completion (zsh: bashcompinit) and one man page per command, as picocli generates them.
generate_docs() {
  local docs="$out/docs"
  rm -rf "$docs" && mkdir -p "$docs"
  cli_docs completion "$docs/completion"
  install -d -m 0755 "$tree/usr/share/bash-completion/completions" "$tree/usr/share/man/man1"
  install -m 0644 "$docs/completion/"* "$tree/usr/share/bash-completion/completions/"
  cli_docs man "$docs/adoc"
  asciidoctor --failure-level=WARN -b manpage -D "$docs/man1" "$docs/adoc/"*.adoc \
    || { echo "package: asciidoctor could not convert the man pages" >&2; exit 1; }
  local page
  for page in "$docs/man1/"*.1; do
    gzip -9n <"$page" >"$tree/usr/share/man/man1/$(basename "$page").gz"
    chmod 0644 "$tree/usr/share/man/man1/$(basename "$page").gz"
  done
}

tree="$out/ringfleet_${version}_amd64"
rm -rf "$tree"
install -d -m 0755 "$tree"/{DEBIAN,usr/bin,usr/lib/ringfleet/lib,lib/systemd/system,etc/ringfleet,usr/share/doc/ringfleet}
install -d -m 0700 "$tree/var/lib/ringfleet"
install -m 0644 "$agent_jar" "$deps"/*.jar "$tree/usr/lib/ringfleet/lib/"
# The package is amd64: RocksDB's natives for other platforms (75 of its 92 MB) stay out.
for jar in "$tree"/usr/lib/ringfleet/lib/rocksdbjni-*.jar; do
  mapfile -t other < <(unzip -Z1 "$jar" | grep '^librocksdbjni-' | grep -vx 'librocksdbjni-linux64.so')
  if ((${#other[@]})); then zip -q -d "$jar" "${other[@]}"; fi
done
install -m 0755 packaging/bin/lb-agent packaging/bin/lbctl "$tree/usr/bin/"
generate_docs
install -m 0755 packaging/lib/lbctl-record-cds "$tree/usr/lib/ringfleet/"
install -m 0644 packaging/systemd/ringfleet-lb-agent.service "$tree/lib/systemd/system/"
install -m 0640 packaging/etc/lb-agent.env "$tree/etc/ringfleet/"
install -m 0644 cluster-config/examples/single-node.yaml "$tree/usr/share/doc/ringfleet/fleet.yaml.example"
install -m 0644 packaging/README.md "$tree/usr/share/doc/ringfleet/README.md"
install -m 0644 packaging/alerts/ringfleet-alerts.yml packaging/grafana/ringfleet-dashboard.json \
  "$tree/usr/share/doc/ringfleet/" 2>/dev/null || true
sed "s|@VERSION@|$version|" packaging/debian/control.in > "$tree/DEBIAN/control"
echo "Installed-Size: $(du -sk --exclude=DEBIAN "$tree" | cut -f1)" >> "$tree/DEBIAN/control"
install -m 0644 packaging/debian/conffiles "$tree/DEBIAN/"
install -m 0755 packaging/debian/postinst packaging/debian/prerm packaging/debian/postrm "$tree/DEBIAN/"

deb="$out/ringfleet_${version}_amd64.deb"
fakeroot dpkg-deb --build -Zgzip -z6 "$tree" "$deb" >/dev/null
tar --owner=0 --group=0 --exclude=./DEBIAN -C "$tree" -czf "$out/ringfleet-$pom_version.tar.gz" .
echo "$deb"
