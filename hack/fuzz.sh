#!/usr/bin/env bash
# Runs every native Go fuzz target of krm-flink for a bounded time and
# prints how many inputs each tried. CI runs it as part of `make test`.
#
#   hack/fuzz.sh                       # from the repo root; FUZZTIME each
#   FUZZTIME=2m hack/fuzz.sh FuzzRender
#   hack/fuzz.sh -l                    # list the targets ("package target")
#
# Environment:
#   FUZZTIME          how long each target fuzzes (default 10s; Go's -fuzztime,
#                     so "500x" means 500 inputs)
#   FUZZMINIMIZETIME  how long a newly interesting input is minimised (default
#                     2s; Go's 60s default stalls targets whose inputs take
#                     milliseconds, as rendering does)
#   FUZZ_SAVE_CORPUS  1 copies inputs Go's cache holds as interesting (the
#                     FUZZ_SAVE_MAX smallest not yet kept, default 25) into
#                     the package's testdata/fuzz/<target>/, to commit as seeds
#
# The corpus lives where Go keeps it: <package>/testdata/fuzz/<target>/,
# which `go test` (without -fuzz) also runs as regression tests. An input
# that makes a target fail is written there by Go itself; this script then
# exits 1 and names it: fix the bug, keep the file.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-10s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-2s}
GO=${GO:-go}

# Every native fuzz target of the module's packages ("package target"),
# read from the test sources so a new target is never left out.
targets=()
while read -r dir; do
  pkg=./${dir#"$PWD"/}
  [ "$dir" = "$PWD" ] && pkg=.
  for f in "$dir"/*_test.go; do
    [ -e "$f" ] || continue
    while read -r name; do
      targets+=("$pkg $name")
    done < <(sed -nE 's/^func (Fuzz[A-Za-z0-9_]*)\(.*\*testing\.F\).*/\1/p' "$f")
  done
done < <($GO list -f '{{.Dir}}' ./...)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets found" >&2
  exit 1
fi
if [ "${1:-}" = "-l" ]; then
  printf '%s\n' "${targets[@]}"
  exit 0
fi

only=("$@")
module=$($GO list -m)
cache=$($GO env GOCACHE)/fuzz
status=0
summary=()
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  if [ ${#only[@]} -gt 0 ] && [[ ! " ${only[*]} " == *" $name "* ]]; then
    continue
  fi
  log=$(mktemp)
  echo "== $name ($pkg, $FUZZTIME)"
  if $GO test -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -fuzzminimizetime "$FUZZMINIMIZETIME" "$pkg" >"$log" 2>&1; then
    result=ok
  else
    result=FAIL
    status=1
  fi
  # The last progress line carries the total; print the rest (failures).
  grep -v '^fuzz: elapsed' "$log" || true
  execs=$( (grep -o 'execs: [0-9]*' "$log" || true) | tail -n 1 | awk '{print $2}')
  interesting=$( (grep -o 'total: [0-9]*' "$log" || true) | tail -n 1 | awk '{print $2}')
  summary+=("$(printf '%-40s %-5s %8s execs in %s, corpus %s' "$pkg $name" "$result" "${execs:-0}" "$FUZZTIME" "${interesting:-?}")")
  if [ "${FUZZ_SAVE_CORPUS:-0}" = 1 ]; then
    src="$cache/$module/${pkg#./}/$name"
    dst="$pkg/testdata/fuzz/$name"
    if [ -d "$src" ]; then
      mkdir -p "$dst"
      n=0
      while read -r f; do
        [ -e "$dst/$f" ] && continue
        cp "$src/$f" "$dst/$f"
        n=$((n + 1))
        [ "$n" -ge "${FUZZ_SAVE_MAX:-25}" ] && break
      done < <(ls -Sr "$src")
      echo "corpus: $n new, $(ls "$dst" | wc -l) files in $dst"
    fi
  fi
  rm -f "$log"
done
printf '%s\n' "${summary[@]}"
exit $status
