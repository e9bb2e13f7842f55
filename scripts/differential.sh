#!/usr/bin/env bash
# The differential test (tests/test_differential.cpp) over many seeds and more layers than CI
# runs: every shipped architecture, bit-exact against the reference or a clear refusal.
#   bash scripts/differential.sh [SEEDS [LAYERS]]     (default 20 seeds of 2000 layers)
# Needs a build in ./build. Stops at the first failing seed and prints its failures.
set -euo pipefail
cd "$(dirname "$0")/.."
seeds=${1:-20}
layers=${2:-2000}
for ((i = 1; i <= seeds; i++)); do
  seed=$((20261129 + i))
  echo "differential: seed $seed, $layers layers"
  DFSIM_DIFF_SEED=$seed DFSIM_DIFF_LAYERS=$layers ./build/tests/test_differential --gtest_brief=1
done
echo "differential: $seeds seeds passed"
