#!/usr/bin/env bash
# SCNN vs DCNN vs DCNN-opt on the convolutional layers of the pruned AlexNet, GoogLeNet and
# VGG-16 (docs/scnn.md, "Pruned networks"). Usage: bench/scnn_networks.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
build=${1:-build}
out=${2:-results/scnn_networks}
mkdir -p "$out"
for net in alexnet googlenet vgg16; do
  wl=workloads/${net}_pruned.yaml
  # The convolutions with published densities (their weight_density in the workload): all of
  # AlexNet's and VGG-16's, GoogLeNet's inception modules (as in the SCNN paper's figures).
  layers=$(grep -E 'type: conv.*weight_density' "$wl" | sed -E 's/.*name: ([^,]+),.*/\1/' |
    paste -sd, -)
  for arch in scnn dcnn dcnn_opt; do
    "$build/dfsim" run --arch configs/$arch.yaml --workload "$wl" --layers "$layers" \
      --no-check --out "$out/${net}_$arch" > "$out/${net}_$arch.txt"
  done
  echo "== $net (convolutional layers)"
  python3 bench/scnn_compare.py "$out/${net}_scnn" "$out/${net}_dcnn" "$out/${net}_dcnn_opt" | tail -5
done
