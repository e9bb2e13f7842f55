#!/usr/bin/env bash
# Roofline sweep of the TPU v1 model (configs/tpu_v1.yaml) on the five-layer FC network
# workloads/mlp_2048.yaml. For an FC layer the MACs per weight byte equal the batch B, so the
# weight-memory roofline is min(92, 2 * B * 34e9 / 1e12) TOPS. For each batch it runs
#
#   dfsim run --arch configs/tpu_v1.yaml --workload workloads/mlp_2048.yaml --batch B \
#       --no-check --out PREFIX$B
#
# and prints one table row from the "total" object of PREFIX$B/stats.json: achieved TOPS,
# roofline, ratio, and the four cycle categories in % of the cycles. With gnuplot installed it
# also draws the achieved throughput against the roofline into an SVG file.
#
# Usage: bash bench/tpu_roofline.sh [build-dir] [out-prefix] [svg-file]
#        defaults: build, /tmp/r_, docs/tpu_roofline.svg ("-" as svg-file: no plot)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
prefix=${2:-/tmp/r_}
svg=${3:-docs/tpu_roofline.svg}
batches=(8 16 32 64 128 256 512 768 1024 1350 1536 2048)

data=$(mktemp)
trap 'rm -f "$data"' EXIT

printf '| B | achieved TOPS | roofline TOPS | ratio | array_active | weight_stall | weight_shift | non_matrix |\n'
printf '|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for B in "${batches[@]}"; do
  "$build/dfsim" run --arch configs/tpu_v1.yaml --workload workloads/mlp_2048.yaml \
      --batch "$B" --no-check --out "$prefix$B" >/dev/null
  # The "total" object is the last one in stats.json; its keys are one per line except
  # cycle_breakdown, which is one line {"array_active": a, "weight_stall": b, ...}.
  awk -v B="$B" -v data="$data" '
    /^  "total": \{/ { t = 1 }
    !t { next }
    /^    "cycles": /  { v = $2; sub(/,$/, "", v); cycles = v }
    /^    "tops": /    { v = $2; sub(/,$/, "", v); tops = v }
    /^    "cycle_breakdown": / {
      line = $0
      sub(/.*\{/, "", line); sub(/\}.*/, "", line)
      n = split(line, parts, ",")
      for (i = 1; i <= n; ++i) {
        split(parts[i], kv, ":")
        k = kv[1]; gsub(/[ "]/, "", k)
        val = kv[2]; gsub(/ /, "", val)
        cb[k] = val
      }
    }
    END {
      roof = 2 * B * 34e9 / 1e12
      if (roof > 92) roof = 92
      printf "| %d | %.2f | %.2f | %.3f | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n", B, tops, roof,
             tops / roof, 100 * cb["array_active"] / cycles, 100 * cb["weight_stall"] / cycles,
             100 * cb["weight_shift"] / cycles, 100 * cb["non_matrix"] / cycles
      printf "%d %.6f %.6f\n", B, tops, roof >> data
    }' "$prefix$B/stats.json"
done

if [[ "$svg" != "-" ]] && command -v gnuplot >/dev/null 2>&1; then
  gnuplot <<EOF
set terminal svg size 720,480 dynamic noenhanced font "sans,12"
set output "$svg"
set title "dfsim: TPU v1 model, mlp_2048 (5 FC 2048x2048), achieved vs roofline"
set xlabel "batch B = MACs per weight byte"
set ylabel "TOPS (2 ops per MAC)"
set logscale xy
set xrange [6:3000]
set yrange [0.3:150]
set grid
set key top left
ridge = 92.0 / (2 * 34e9 / 1e12)
set arrow from ridge, 0.3 to ridge, 150 nohead dashtype 2 lc rgb "gray"
set label sprintf("ridge B = %.0f", ridge) at ridge * 0.8, 0.5 right tc rgb "gray"
roof(x) = (2 * x * 34e9 / 1e12 < 92) ? 2 * x * 34e9 / 1e12 : 92
plot roof(x) with lines lw 2 lc rgb "black" title "roofline min(92, 2 B 34e9 / 1e12)", \
     "$data" using 1:2 with linespoints pt 7 ps 0.8 lc rgb "#c03020" title "dfsim achieved"
EOF
  echo "wrote $svg" >&2
fi
