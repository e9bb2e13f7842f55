#!/usr/bin/env bash
# Local-backend scaling of `dfsim sweep`: runs a sweep spec (default
# configs/sweeps/eyeriss_glb_array.yaml, 12 points, each AlexNet CONV1-5 at batch 4 on an
# Eyeriss-style array) once with -j1 and once with -j2, each into a fresh temporary folder (so
# nothing is resumed), and prints the wall time, points per minute and the speed-up of -j2.
# Wall time is the whole command: loading and validating the spec, every point's process, the
# summary and the Pareto plots (gnuplot).
#
# Usage: bash bench/sweep_scaling.sh [build-dir] [spec] [jobs...]
#        defaults: build, configs/sweeps/eyeriss_glb_array.yaml, 1 2
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
spec=${2:-configs/sweeps/eyeriss_glb_array.yaml}
shift $(($# < 2 ? $# : 2))
jobs=("$@")
[ ${#jobs[@]} -gt 0 ] || jobs=(1 2)

work=$(mktemp -d "${TMPDIR:-/tmp}/dfsim_sweep_scaling.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "sweep_scaling: $spec on $(nproc) cores ($(uname -m)), dfsim $("$build/dfsim" --version | cut -d' ' -f2)"
printf '| -j | points | failed | wall (s) | points/min | speed-up vs -j%s |\n' "${jobs[0]}"
printf '|---:|---:|---:|---:|---:|---:|\n'
base=""
for j in "${jobs[@]}"; do
  out=$work/j$j
  t0=$(date +%s.%N)
  if ! "$build/dfsim" sweep "$spec" -j "$j" --out "$out" >"$work/j$j.out" 2>"$work/j$j.err"; then
    cat "$work/j$j.err" >&2
    echo "sweep_scaling: the -j$j sweep failed" >&2
    exit 1
  fi
  t1=$(date +%s.%N)
  # "sweep: NAME: D done, F failed, R not run, of N points; ..."
  summary=$(grep -E '^sweep: .*: [0-9]+ done, [0-9]+ failed, [0-9]+ not run, of [0-9]+ points' "$work/j$j.err" | tail -1)
  done_n=$(sed -E 's/.*: ([0-9]+) done, ([0-9]+) failed.*/\1/' <<<"$summary")
  failed_n=$(sed -E 's/.*: ([0-9]+) done, ([0-9]+) failed.*/\2/' <<<"$summary")
  points=$((done_n + failed_n))
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  [ -n "$base" ] || base=$wall
  awk -v j="$j" -v p="$points" -v f="$failed_n" -v w="$wall" -v b="$base" \
    'BEGIN { printf "| %d | %d | %d | %.2f | %.1f | %.2fx |\n", j, p, f, w, 60 * p / w, b / w }'
done
