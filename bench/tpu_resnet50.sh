#!/usr/bin/env bash
# Benchmark (not a test): the TPU v1 model (configs/tpu_v1.yaml) running all of ResNet-50
# (53 CONV layers and fc1000) at batch 8, with and without the functional check. Prints the
# wall time and peak resident memory of each run, then the best and median (dfsim_bench).
# Run after building: bash bench/tpu_resnet50.sh [build-dir] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
repeats=${2:-3}
args=(run --arch configs/tpu_v1.yaml --workload workloads/resnet50.yaml --batch 8)
echo "== with the functional check"
"$build/dfsim_bench" "$repeats" -- "$build/dfsim" "${args[@]}"
echo "== without the check (--no-check)"
"$build/dfsim_bench" "$repeats" -- "$build/dfsim" "${args[@]}" --no-check
