#!/usr/bin/env bash
# Installs the Debian packages dfsim needs, only those that are missing.
#   bash scripts/setup.sh          build and run: compiler, SystemC, yaml-cpp, Boost, GoogleTest,
#                                  SQLite (sweep results), gnuplot (sweep plots), ONNX + protobuf
#                                  (ONNX model import), python3 with pybind11 (the Python package),
#                                  matplotlib (the plots of dfsim report)
#   bash scripts/setup.sh --test   also what the test suite needs: a single-node Slurm with
#                                  munge, configured and started by the Slurm sweep test, and
#                                  pytest and pandas (the Python package's tests), Chromium (the
#                                  report pages are checked in a headless browser) and
#                                  clang-format and clang-tidy (the code-health checks of .ci/run),
#                                  clang with its sanitizer and libFuzzer runtimes (the sanitizer
#                                  tests and fuzzers of .ci/run)
set -euo pipefail
pkgs=(g++ cmake make pkg-config libsystemc-dev libyaml-cpp-dev libboost-program-options-dev libgtest-dev
      libsqlite3-dev gnuplot-nox procps libonnx-dev libprotobuf-dev python3 python3-dev pybind11-dev
      python3-matplotlib)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(slurm-wlm munge python3-pytest python3-pandas chromium clang-format clang-tidy clang libclang-rt-dev)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
