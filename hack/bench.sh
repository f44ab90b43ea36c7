#!/usr/bin/env bash
# Benchmarks krm-flink on generated platforms (test/bench) and compares it
# with the baseline a platform team would otherwise run: one `helm template`
# of the job chart per job, with helm built from its Go module at a pinned
# version (hack/tools/helm). Prints a Markdown table; docs/benchmarks.md
# explains every column.
#
#   hack/bench.sh                     # from the repo root; a few minutes
#   BENCH_SIZES="10 100" hack/bench.sh
#
# Environment:
#   BENCH_SIZES     job counts (default "10 100 1000 5000"), one environment each
#   BENCH_RUNS      runs per measurement, best wall kept (default 5); a run
#                   longer than BENCH_LONG seconds (default 10) is not repeated
#   BENCH_HELM_MAX  largest N for the helm baseline (default 1000; it is also
#                   skipped when the 100-job run predicts more than 120 s)
#   BENCH_GO        0 skips the Go benchmarks (allocations)
#   BENCH_GO_PATTERN  their -bench pattern (default '^Benchmark(Render|Function)$')
#   BENCH_DIAG      0 skips the diagnostics table (CPU user/sys, output on
#                   tmpfs, re-render over an existing tree, --check)
#   BENCH_DIR       work folder (default: a new folder under /tmp, kept)
#   BENCH_STRICT    1 exits 1 when a target (docs/benchmarks.md) is missed
set -Eeuo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sizes=${BENCH_SIZES:-10 100 1000 5000}
runs=${BENCH_RUNS:-5}
long=${BENCH_LONG:-10}
helm_max=${BENCH_HELM_MAX:-1000}
work=${BENCH_DIR:-$(mktemp -d /tmp/krm-flink-bench.XXXXXX)}
mkdir -p "$work"
tools="$root/.tools/bin"
kf="$root/bin/krm-flink"
helm="$tools/helm"
log="$work/bench.log"
: >"$log"
trap 'echo "bench: failed (line $LINENO); the end of $log:" >&2; tail -n 20 "$log" >&2' ERR

say() { echo "bench: $*" >&2; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- build --------------------------------------------------------------------
say "building bin/krm-flink"
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X github.com/krm-flink/krm-flink/fn/cli.Version=$version" \
  -o "$kf" ./cmd/krm-flink

hack/install-tools.sh helm >/dev/null
# helm keeps its caches out of $HOME.
export HELM_CACHE_HOME="$work/helm-home/cache" HELM_CONFIG_HOME="$work/helm-home/config" HELM_DATA_HOME="$work/helm-home/data"

if [ ! -x /usr/bin/time ]; then
  say "installing GNU time (Debian package time)"
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
  else
    echo "bench: /usr/bin/time is missing: apt-get install time" >&2
    exit 1
  fi
fi

gen="$work/gen"
go build -o "$gen" ./test/bench/gen

# --- helpers --------------------------------------------------------------------
# timed IN OUT CMD...: runs CMD once with stdin IN and stdout OUT; sets
# T_WALL (seconds, from the shell's clock, millisecond resolution), T_RSS
# (peak resident set size in KiB) and T_USER, T_SYS (CPU seconds), the last
# three from GNU time.
timed() {
  local in=$1 out=$2
  shift 2
  local tf="$work/time.out" start end
  start=$EPOCHREALTIME
  /usr/bin/time -o "$tf" -f '%e %M %U %S' "$@" <"$in" >"$out" 2>>"$log"
  end=$EPOCHREALTIME
  T_WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  read -r _ T_RSS T_USER T_SYS <"$tf"
}

# best PREP IN OUT CMD...: up to $runs runs (one if a run takes longer than
# $long s), running PREP before each; sets B_WALL (best wall), B_CPU (user
# and sys CPU of that run) and B_RSS (the highest peak RSS of all runs, KiB).
best() {
  local prep=$1 in=$2 out=$3
  shift 3
  B_WALL="" B_RSS=0 B_CPU=""
  local i
  for ((i = 0; i < runs; i++)); do
    eval "$prep"
    timed "$in" "$out" "$@"
    echo "  run $((i + 1)): ${T_WALL}s wall ${T_USER}s user ${T_SYS}s sys ${T_RSS}KiB: $*" >>"$log"
    if [ -z "$B_WALL" ] || awk -v a="$T_WALL" -v b="$B_WALL" 'BEGIN { exit !(a < b) }'; then
      B_WALL=$T_WALL B_CPU="${T_USER} + ${T_SYS}"
    fi
    if [ "$T_RSS" -gt "$B_RSS" ]; then B_RSS=$T_RSS; fi
    if awk -v a="$T_WALL" -v l="$long" 'BEGIN { exit !(a > l) }'; then break; fi
  done
}

mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k * 1024 / 1e6 }'; }          # KiB -> MB
bytes() { awk -v b="$1" 'BEGIN { if (b >= 1e6) printf "%.1f MB", b / 1e6; else printf "%.0f kB", b / 1e3 }'; }
secs() { awk -v s="$1" 'BEGIN { if (s < 10) printf "%.3f s", s; else printf "%.1f s", s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

# set_aside DIR: moves DIR (an earlier run's output) out of the way instead of
# deleting it; everything set aside is deleted at the end. On ext4 without a
# journal (this machine's root file system) creating a file skips the inodes
# freed in the last one to six minutes, one by one: deleting the 2,500 files
# of the previous run just before a run made that run's file creation several
# times slower (docs/benchmarks.md), which measured the deletion, not the run.
set_aside() {
  if [ -e "$1" ]; then
    mv "$1" "$1.old.$((++aside))"
  fi
}
aside=0

# helm_loop N: one `helm template` per job of the generated platform N,
# sequentially, each writing its own file; sets T_WALL.
helm_loop() {
  local d="$work/$1" kv start end
  kv=$(cat "$d/helm/prod/kube-version")
  set_aside "$d/helm-out"
  mkdir -p "$d/helm-out"
  start=$EPOCHREALTIME
  while read -r name ns values; do
    "$helm" template "$name" catalog/charts/flink-job -n "$ns" -f "$values" --kube-version "$kv" \
      >"$d/helm-out/$ns.$name.yaml"
  done <"$d/helm/prod/jobs.txt"
  end=$EPOCHREALTIME
  T_WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
}

declare -A R_WALL R_RSS R_CPU F_WALL F_RSS FILES SIZE FSIZE FITEMS H_WALL H_RUNS D_TMPFS D_AGAIN D_AGAIN_CPU D_CHECK
diag=${BENCH_DIAG:-1}
shm=""
if [ "$diag" != 0 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  shm=$(mktemp -d /dev/shm/krm-flink-bench.XXXXXX)
  trap 'rm -rf "$shm"' EXIT
fi

# --- measure ----------------------------------------------------------------------
for n in $sizes; do
  d="$work/$n"
  helm_values=""
  [ "$n" -le "$helm_max" ] && helm_values="-helm-values"
  say "generating $n jobs"
  "$gen" -jobs "$n" -envs 1 $helm_values -o "$d" >"$work/env-$n.sh"
  . "$work/env-$n.sh"

  say "$n jobs: krm-flink render"
  best "set_aside '$d/out'" /dev/null /dev/null "$kf" render -f "$PLATFORM" --env "$ENV" -o "$d/out"
  R_WALL[$n]=$B_WALL R_RSS[$n]=$B_RSS R_CPU[$n]=$B_CPU
  FILES[$n]=$(find "$d/out" -type f | wc -l)
  SIZE[$n]=$(du -sb "$d/out" | cut -f1)

  say "$n jobs: krm-flink function"
  best ":" "$RESOURCELIST" "$d/fn-out.yaml" "$kf"
  F_WALL[$n]=$B_WALL F_RSS[$n]=$B_RSS
  FSIZE[$n]=$(wc -c <"$d/fn-out.yaml")
  FITEMS[$n]=$(awk '/^items:/ { f = 1; next } /^[a-z]/ { f = 0 } f && /^- / { c++ } END { print c + 0 }' "$d/fn-out.yaml")
  if grep -q '^  severity: error' "$d/fn-out.yaml"; then
    echo "bench: function run of $n jobs reported errors; see $d/fn-out.yaml" >&2
    exit 1
  fi

  if [ -n "$helm_values" ]; then
    # Skip the baseline when the 100-job run predicts more than two minutes.
    if [ -n "${H_WALL[100]:-}" ] && awk -v w="${H_WALL[100]}" -v n="$n" 'BEGIN { exit !(w / 100 * n > 120) }'; then
      say "$n jobs: helm baseline skipped (predicted > 120 s)"
      continue
    fi
    say "$n jobs: helm template per job"
    hb="" hr=0
    for ((i = 0; i < runs; i++)); do
      helm_loop "$n"
      hr=$((hr + 1))
      echo "  helm run $hr: ${T_WALL}s for $n jobs" >>"$log"
      if [ -z "$hb" ] || awk -v a="$T_WALL" -v b="$hb" 'BEGIN { exit !(a < b) }'; then hb=$T_WALL; fi
      if awk -v a="$T_WALL" -v l="$long" 'BEGIN { exit !(a > l) }'; then break; fi
    done
    H_WALL[$n]=$hb H_RUNS[$n]=$hr
  fi
done

say "3 jobs: krm-flink function (kpt pipeline case)"
eval "$("$gen" -jobs 3 -envs 1 -o "$work/3")"
runs_saved=$runs
runs=$((runs > 5 ? runs : 5))
best ":" "$RESOURCELIST" "$work/3/fn-out.yaml" "$kf"
runs=$runs_saved
SMALL_WALL=$B_WALL SMALL_RSS=$B_RSS

say "large CRDs: 3 jobs, 2 environments, charts with ~540 KB CRDs (render --all-envs)"
eval "$("$gen" -jobs 3 -large-crds -o "$work/large-crds")"
runs=$((runs > 5 ? runs : 5))
best "set_aside '$work/large-crds/out'" /dev/null /dev/null "$kf" render -f "$PLATFORM" --all-envs -o "$work/large-crds/out"
runs=$runs_saved
LARGE_WALL=$B_WALL LARGE_CPU=$B_CPU LARGE_RSS=$B_RSS
LARGE_SIZE=$(du -sb "$work/large-crds/out" | cut -f1)

# The diagnostics come last: a re-render deletes the tree it replaces, and
# files freed that recently slow every file creation after them (set_aside
# above), which would be measured in the fresh renders.
if [ "$diag" != 0 ]; then
  for n in $sizes; do
    d="$work/$n"
    . "$work/env-$n.sh"
    say "$n jobs: diagnostics (re-render, --check, output on tmpfs)"
    best ":" /dev/null /dev/null "$kf" render -f "$PLATFORM" --env "$ENV" -o "$d/out"
    D_AGAIN[$n]=$B_WALL D_AGAIN_CPU[$n]=$B_CPU
    best ":" /dev/null /dev/null "$kf" render -f "$PLATFORM" --env "$ENV" -o "$d/out" --check
    D_CHECK[$n]=$B_WALL
    if [ -n "$shm" ]; then
      best "rm -rf '$shm/out'" /dev/null /dev/null "$kf" render -f "$PLATFORM" --env "$ENV" -o "$shm/out"
      D_TMPFS[$n]=$B_WALL
      rm -rf "$shm/out"
    fi
  done
fi

declare -A G_BYTES G_ALLOCS G_NS
if [ "${BENCH_GO:-1}" != 0 ]; then
  pattern=${BENCH_GO_PATTERN:-'^Benchmark(Render|Function)$'}
  say "Go benchmarks (go test -run '^\$' -bench '$pattern' -benchmem ./test/bench/)"
  go test -run '^$' -bench "$pattern" -benchmem -count 1 ./test/bench/ | tee "$work/gobench.txt" >>"$log"
  while read -r name b a ns; do
    G_BYTES[$name]=$b G_ALLOCS[$name]=$a G_NS[$name]=$ns
  done < <(awk '/^Benchmark/ {
      name = $1; sub(/-[0-9]+$/, "", name); b = a = ns = ""
      for (i = 2; i <= NF; i++) { if ($i == "B/op") b = $(i-1); if ($i == "allocs/op") a = $(i-1); if ($i == "ns/op") ns = $(i-1) }
      print name, b, a, ns }' "$work/gobench.txt")
fi
galloc() {
  local k=$1
  if [ -z "${G_ALLOCS[$k]:-}" ]; then echo "-"; return; fi
  awk -v a="${G_ALLOCS[$k]}" -v b="${G_BYTES[$k]}" 'BEGIN { printf "%.2f M, %.0f MB", a / 1e6, b / 1e6 }'
}

# --- report -----------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit (dirty)"
{
  echo "## krm-flink benchmark"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
  echo "- $(go version | cut -d' ' -f3-), krm-flink $version at $commit, helm $("$helm" version --template '{{.Version}}') (hack/tools/helm)"
  echo "- load average (1/5/15 min) at start: $load_start; at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews wall times)"
  echo "- command: \`hack/bench.sh\` (BENCH_SIZES=\"$sizes\" BENCH_RUNS=$runs); work folder $work"
  echo "- every platform: 1 environment, jobs over max(1, N/10) namespaces, all four components on (fixture charts)"
  echo
  echo "| jobs | render wall | render peak RSS | render allocs/op, B/op (Go) | function wall | function peak RSS | function allocs/op, B/op (Go) | render output | function output | helm template per job | helm / render |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for n in $sizes; do
    h="-" r="-"
    if [ -n "${H_WALL[$n]:-}" ]; then
      h="$(secs "${H_WALL[$n]}")"
      [ "${H_RUNS[$n]}" -lt "$runs" ] && h="$h (${H_RUNS[$n]} run)"
      r=$(ratio "${H_WALL[$n]}" "${R_WALL[$n]}")
    fi
    echo "| $n | $(secs "${R_WALL[$n]}") | $(mb "${R_RSS[$n]}") | $(galloc "BenchmarkRender/$n") | $(secs "${F_WALL[$n]}") | $(mb "${F_RSS[$n]}") | $(galloc "BenchmarkFunction/$n") | ${FILES[$n]} files, $(bytes "${SIZE[$n]}") | ${FITEMS[$n]} items, $(bytes "${FSIZE[$n]}") | $h | $r |"
  done
  echo
  if [ "$diag" != 0 ]; then
    echo "Diagnostics: where the render wall goes. CPU is user + sys seconds of the best run (sys is mostly file"
    echo "creation); a re-render writes over the tree the previous run left (the CI case), --check compares with it"
    echo "and writes nothing, tmpfs puts the fresh output in /dev/shm."
    echo
    echo "| jobs | render CPU user + sys | re-render wall | re-render CPU user + sys | render --check wall | render wall, output on tmpfs |"
    echo "|---:|---:|---:|---:|---:|---:|"
    for n in $sizes; do
      tm="-"
      [ -n "${D_TMPFS[$n]:-}" ] && tm=$(secs "${D_TMPFS[$n]}")
      echo "| $n | ${R_CPU[$n]} s | $(secs "${D_AGAIN[$n]}") | ${D_AGAIN_CPU[$n]} s | $(secs "${D_CHECK[$n]}") | $tm |"
    done
    echo
  fi
  small_go=""
  if [ -n "${G_NS[BenchmarkFunction/3]:-}" ]; then
    small_go="; in-process (Go benchmark) $(awk -v n="${G_NS[BenchmarkFunction/3]}" 'BEGIN { printf "%.1f ms", n / 1e6 }'), $(galloc BenchmarkFunction/3)"
  fi
  echo "Function mode, 3 jobs (the kpt pipeline case): $(secs "$SMALL_WALL") wall, $(mb "$SMALL_RSS") peak RSS (best of $((runs > 5 ? runs : 5)))$small_go."
  echo
  echo "Large CRDs (3 jobs, environments dev and prod, each component's chart a local copy with a synthetic CRD of about"
  echo "540 KB): render --all-envs $(secs "$LARGE_WALL") wall (best of $((runs > 5 ? runs : 5))), CPU $LARGE_CPU s user + sys, $(mb "$LARGE_RSS") peak RSS, output $(bytes "$LARGE_SIZE")."
  echo
  echo "Wall: best of $runs runs of the CLI binary (one when a run takes over ${long} s), timed by the shell; peak RSS: the"
  echo "highest of those runs (GNU time %M). Allocations: one Go benchmark run in-process (go test -bench -benchmem)."
  echo

  # The targets of docs/benchmarks.md.
  fails=0
  check() { # NAME ACTUAL OP LIMIT
    local verdict=PASS
    if ! awk -v a="$2" -v l="$4" -v op="$3" 'BEGIN { exit !((op == "<=" && a <= l) || (op == ">=" && a >= l)) }'; then
      verdict=FAIL
      fails=$((fails + 1))
    fi
    echo "| $1 | $2 | $3 $4 | $verdict |"
  }
  echo "| target | measured | limit | |"
  echo "|---|---:|---:|---|"
  if [ -n "${R_WALL[1000]:-}" ]; then
    check "render 1,000 jobs: wall (s)" "${R_WALL[1000]}" "<=" 1.0
    check "render 1,000 jobs: peak RSS (MB)" "$(awk -v k="${R_RSS[1000]}" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }')" "<=" 300
    if [ -n "${R_WALL[5000]:-}" ]; then
      check "render 5,000 / 1,000 jobs: wall ratio" "$(awk -v a="${R_WALL[5000]}" -v b="${R_WALL[1000]}" 'BEGIN { printf "%.2f", a / b }')" "<=" 5.5
    fi
  fi
  if [ -n "${H_WALL[100]:-}" ]; then
    check "helm template per job / render, 100 jobs" "$(awk -v a="${H_WALL[100]}" -v b="${R_WALL[100]}" 'BEGIN { printf "%.1f", a / b }')" ">=" 30
  fi
  if [ -n "${F_WALL[1000]:-}" ]; then
    check "function mode, 1,000 jobs: wall (s)" "${F_WALL[1000]}" "<=" 1.0
  fi
  if [ -n "${F_RSS[5000]:-}" ]; then
    check "function mode, 5,000 jobs: peak RSS (MB)" "$(awk -v k="${F_RSS[5000]}" 'BEGIN { printf "%.0f", k * 1024 / 1e6 }')" "<=" 1024
  fi
  check "function mode, 3 jobs: wall (s)" "$SMALL_WALL" "<=" 0.150
  check "large CRDs, 3 jobs, 2 envs: render wall (s)" "$LARGE_WALL" "<=" 0.3
  echo
  echo "$fails target(s) missed."
} | tee "$work/results.md"

for n in $sizes; do
  rm -rf "$work/$n"/out.old.* "$work/$n"/helm-out.old.*
done
rm -rf "$work/large-crds"/out.old.*
say "results in $work/results.md, raw timings in $log"
if [ "${BENCH_STRICT:-0}" = 1 ] && grep -q '| FAIL |' "$work/results.md"; then
  exit 1
fi
