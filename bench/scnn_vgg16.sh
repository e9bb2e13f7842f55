#!/usr/bin/env bash
# Benchmark (not a test): SCNN (configs/scnn.yaml) running all of the pruned VGG-16 (its 13 CONV
# layers, with the densities of workloads/vgg16_pruned.yaml; it has no FC layers), batch 1, with
# and without the functional check. Prints the wall time and peak resident memory of each run,
# then the best and median (dfsim_bench). Target: under 60 s with the check on this 2-core
# machine. Run after building: bash bench/scnn_vgg16.sh [build-dir] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
repeats=${2:-3}
args=(run --arch configs/scnn.yaml --workload workloads/vgg16_pruned.yaml)
echo "== with the functional check"
"$build/dfsim_bench" "$repeats" -- "$build/dfsim" "${args[@]}"
echo "== without the check (--no-check)"
"$build/dfsim_bench" "$repeats" -- "$build/dfsim" "${args[@]}" --no-check
