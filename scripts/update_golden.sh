#!/usr/bin/env bash
# Rewrites the golden statistics (tests/golden/ARCH.stats.json) that tests/test_golden.cpp
# compares byte for byte. Run it only for a change that is meant to alter results, and name
# that change in its commit. Needs a build in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
for arch in configs/*.yaml configs/dataflows/*.yaml; do
  name=$(basename "$arch" .yaml)
  out=$(mktemp -d)
  ./build/dfsim run --arch "$arch" --workload tests/golden/layers.yaml --out "$out" >/dev/null
  mv "$out/stats.json" "tests/golden/$name.stats.json"
  rm -rf "$out"
  echo "update_golden: tests/golden/$name.stats.json"
done
