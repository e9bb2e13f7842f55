#!/usr/bin/env bash
# Benchmark (not a test): the cost of the JEDEC DRAM model (issue 16). Each seed design's
# default run with its bandwidth DRAM model and with its JEDEC variant, timing-only
# (--no-check). Target: the JEDEC model within 2x the wall time of the bandwidth model on the
# default Eyeriss run. Run after building: bash bench/dram_models.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
run() {  # NAME ARCH ARGS...
  local name=$1 arch=$2
  shift 2
  echo "== $name ($arch)"
  "$build/dfsim_bench" 5 -- "$build/dfsim" run --arch "configs/$arch.yaml" "$@" --no-check
}
eyeriss=(--workload workloads/alexnet.yaml --layers conv1,conv2,conv3,conv4,conv5 --batch 4)
run "Eyeriss AlexNet CONV1-5 b4" eyeriss_v1 "${eyeriss[@]}"
run "Eyeriss AlexNet CONV1-5 b4" eyeriss_v1_jedec "${eyeriss[@]}"
run "TPU MLP 2048 b16" tpu_v1 --workload workloads/mlp_2048.yaml --batch 16
run "TPU MLP 2048 b16" tpu_v1_ddr3 --workload workloads/mlp_2048.yaml --batch 16
run "SCNN pruned AlexNet" scnn --workload workloads/alexnet_pruned.yaml
run "SCNN pruned AlexNet" scnn_lpddr4 --workload workloads/alexnet_pruned.yaml
