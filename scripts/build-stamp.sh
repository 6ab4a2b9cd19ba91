# Sourced by scripts that build before they run (demo.sh): whether the last successful build is still current.
#   build_current STAMP CLASSPATH_FILE   true when STAMP exists, no file of the modules' sources or poms is newer
#                                        than it, and every entry of CLASSPATH_FILE still exists
#   build_begin STAMP / build_done STAMP  around a build: the stamp gets the build's start time, so a source
#                                        saved while the build ran makes the next run build again
build_current() {
  local stamp="$1" cpfile="$2" entry
  [ -e "$stamp" ] && [ -s "$cpfile" ] || return 1
  [ -z "$(find api bpf raft-state cluster-config lb-agent chaos-tests pom.xml -path '*/target' -prune -o \
    -type f -newer "$stamp" -print -quit 2>/dev/null)" ] || return 1
  while IFS= read -r -d: entry; do
    [ -e "$entry" ] || return 1
  done < <(cat "$cpfile"; printf ':')
}
build_begin() { touch "$1.new"; }
build_done() { mv "$1.new" "$1"; }
