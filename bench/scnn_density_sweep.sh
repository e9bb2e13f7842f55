#!/usr/bin/env bash
# SCNN's density sweep (Parashar et al., ISCA 2017, the GoogLeNet density sweep): GoogLeNet's
# inception layers with the same weight and activation density d for every layer, from 1.0 to
# 0.1, on SCNN and DCNN. For each d it runs
#
#   dfsim run --arch configs/{scnn,dcnn}.yaml --workload workloads/googlenet_pruned.yaml \
#       --layers <inception layers> --weight-density d --input-density d --no-check --out DIR
#
# and prints one table row: cycles of both, SCNN's performance and energy relative to DCNN.
# It writes the table as CSV and, with gnuplot, a plot.
#
# Usage: bash bench/scnn_density_sweep.sh [build-dir] [work-dir] [csv] [svg]
#   defaults: build, /tmp/scnn_density, docs/data/scnn_density_sweep.csv,
#             docs/img/scnn_density_sweep.svg
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${2:-/tmp/scnn_density}
csv=${3:-docs/data/scnn_density_sweep.csv}
svg=${4:-docs/img/scnn_density_sweep.svg}
densities=(1.0 0.9 0.85 0.8 0.7 0.6 0.5 0.4 0.3 0.2 0.1)
wl=workloads/googlenet_pruned.yaml
layers=$(grep -E 'type: conv.*weight_density' "$wl" | sed -E 's/.*name: ([^,]+),.*/\1/' |
  paste -sd, -)
mkdir -p "$work" "$(dirname "$csv")" "$(dirname "$svg")"

echo "density,scnn_cycles,dcnn_cycles,scnn_speedup,scnn_energy_uj,dcnn_energy_uj,scnn_energy_ratio,scnn_multiplier_utilization" > "$csv"
printf '| density | SCNN cycles | DCNN cycles | SCNN perf / DCNN | SCNN energy / DCNN |\n'
printf '|---:|---:|---:|---:|---:|\n'
for d in "${densities[@]}"; do
  for arch in scnn dcnn; do
    "$build/dfsim" run --arch configs/$arch.yaml --workload "$wl" --layers "$layers" \
      --weight-density "$d" --input-density "$d" --no-check --out "$work/${arch}_$d" >/dev/null
  done
  python3 - "$d" "$work/scnn_$d/stats.json" "$work/dcnn_$d/stats.json" "$csv" <<'PY'
import json, sys
d, s_path, d_path, csv = sys.argv[1:]
s = json.load(open(s_path))["total"]
b = json.load(open(d_path))["total"]
speed = b["cycles"] / s["cycles"]
es, eb = s["energy_pj"]["total"] / 1e6, b["energy_pj"]["total"] / 1e6
print("| %s | %d | %d | %.2f | %.2f |" % (d, s["cycles"], b["cycles"], speed, es / eb))
with open(csv, "a") as f:
    f.write("%s,%d,%d,%.4f,%.3f,%.3f,%.4f,%.4f\n" % (d, s["cycles"], b["cycles"], speed, es, eb,
                                                   es / eb, s["utilization"]))
PY
done

if [[ "$svg" != "-" ]] && command -v gnuplot >/dev/null 2>&1; then
  gnuplot <<GP
set terminal svg size 720,480 dynamic noenhanced font "sans,12"
set output "$svg"
set datafile separator ","
set title "GoogLeNet inception layers: SCNN relative to DCNN vs weight = activation density"
set xlabel "density (weights and activations)"
set ylabel "SCNN / DCNN"
set logscale y
set xrange [1.05:0.05]
set grid
set key top left
plot "$csv" using 1:4 skip 1 with linespoints lw 2 title "performance (DCNN cycles / SCNN cycles)", \
     "$csv" using 1:(1/\$7) skip 1 with linespoints lw 2 title "energy efficiency (DCNN energy / SCNN energy)", \
     1 with lines dt 2 lc rgb "gray" title "break-even"
GP
  echo "plot: $svg"
fi
echo "table: $csv"
