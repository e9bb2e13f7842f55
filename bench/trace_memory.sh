#!/usr/bin/env bash
# Benchmark (not a test): the memory and disk a trace takes (issue 19, item 6). The full AlexNet
# (every layer, default options) on Eyeriss v1 with --vcd and --trace-json: peak resident memory
# (GNU time), wall time, the files' sizes and the events spilled. Target: under 500 MB of memory
# for any trace. Then the same with a layer and signal filter. Run after building:
#   bash bench/trace_memory.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() {  # NAME ARGS...
  local name=$1
  shift
  /usr/bin/time -f "%M %e" -o "$out/time" "$build/dfsim" run --quiet "$@"
  read -r kib secs < "$out/time"
  printf '%-44s peak %7.1f MB  wall %6.1f s' "$name" "$(awk "BEGIN {print $kib / 1024}")" "$secs"
  for f in "$out"/*.vcd "$out"/*.json; do
    [ -e "$f" ] || continue
    printf '  %s %.1f MB' "$(basename "$f")" "$(awk "BEGIN {print $(stat -c %s "$f") / 1048576}")"
  done
  echo
  rm -f "$out"/*.vcd "$out"/*.json
}
alexnet=(--arch configs/eyeriss_v1.yaml --workload workloads/alexnet.yaml)
measure "AlexNet, no trace" "${alexnet[@]}"
measure "AlexNet, --vcd --trace-json" "${alexnet[@]}" --vcd "$out/alexnet.vcd" \
  --trace-json "$out/alexnet.json"
measure "AlexNet, --vcd --trace-layers conv3 dram.*" "${alexnet[@]}" --vcd "$out/conv3.vcd" \
  --trace-layers conv3 --trace-signals 'dram.*,control.*'
