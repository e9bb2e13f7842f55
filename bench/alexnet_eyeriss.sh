#!/usr/bin/env bash
# Benchmark (not a test): the default simulation, Eyeriss v1 running AlexNet CONV1-5 at
# batch 4, with and without the functional check. Target on a 2-core machine: < 5 s with the
# check, < 1 s without. Run after building: bash bench/alexnet_eyeriss.sh [build-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
args=(run --arch configs/eyeriss_v1.yaml --workload workloads/alexnet.yaml
      --layers conv1,conv2,conv3,conv4,conv5 --batch 4)
echo "== with the functional check"
"$build/dfsim_bench" 5 -- "$build/dfsim" "${args[@]}"
echo "== without the check (--no-check)"
"$build/dfsim_bench" 5 -- "$build/dfsim" "${args[@]}" --no-check
