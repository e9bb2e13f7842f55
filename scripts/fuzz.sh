#!/usr/bin/env bash
# Fuzzes dfsim's input loaders with libFuzzer (fuzz/README.md): architecture, workload, mapping
# and sweep-spec YAML, .npy and ONNX files. Builds build-fuzz (clang, AddressSanitizer,
# UndefinedBehaviorSanitizer, libFuzzer) if needed, then runs each harness for SECONDS on a
# working corpus out/fuzz/LOADER seeded from fuzz/corpus/LOADER, and prints one line per loader:
# executions, seconds, and findings (crash-*, leak-*, timeout-*, oom-* files in
# out/fuzz/findings/LOADER). Exits 1 if any loader has a finding.
#
#   bash scripts/fuzz.sh [SECONDS [LOADER...]]     # default 60 s each, all eight loaders
#   bash scripts/fuzz.sh 3600                      # the on-demand hour per loader
#   FUZZ_MERGE=1 bash scripts/fuzz.sh 3600 npy     # then minimize the corpus into fuzz/corpus/npy
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
loaders=("$@")
[ ${#loaders[@]} -gt 0 ] || loaders=(arch workload scalesim scalesim_cfg mapping sweep_spec npy onnx)
if [ ! -x build-fuzz/fuzz/fuzz_arch ]; then
  CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DDFSIM_SANITIZE=ON \
    -DDFSIM_FUZZ=ON >/dev/null
fi
cmake --build build-fuzz -j2 --target $(printf 'fuzz_%s ' "${loaders[@]}") >/dev/null
found=0
for l in "${loaders[@]}"; do
  work=out/fuzz/$l findings=out/fuzz/findings/$l
  mkdir -p "$work" "$findings"
  log=out/fuzz/$l.log
  # -timeout: one input taking 10 s is a hang; -rss_limit_mb: one using 4 GB is a finding;
  # -max_len: the largest input (an ONNX model with its weights is larger than a YAML file).
  max_len=65536
  [ "$l" = onnx ] && max_len=262144
  set +e
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    build-fuzz/fuzz/fuzz_$l "$work" "fuzz/corpus/$l" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=4096 -max_len=$max_len -artifact_prefix="$findings/" -print_final_stats=1 \
    >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  n=$(find "$findings" -type f | wc -l)
  echo "fuzz: $l: ${runs:-0} executions in $seconds s, $n finding(s) (exit $rc; log $log)"
  if [ "$n" -gt 0 ] || [ "$rc" -ne 0 ]; then
    found=1
    find "$findings" -type f | head -5 | sed 's/^/  /'
    grep -m3 -E 'ERROR|fuzz: not a ConfigError|SUMMARY' "$log" | sed 's/^/  /' || true
  fi
  if [ "${FUZZ_MERGE:-0}" = 1 ]; then
    mkdir -p out/fuzz/merged/$l
    build-fuzz/fuzz/fuzz_$l -merge=1 out/fuzz/merged/$l "fuzz/corpus/$l" "$work" >/dev/null 2>&1
    cp -n out/fuzz/merged/$l/* "fuzz/corpus/$l/" 2>/dev/null || true
  fi
done
exit $found
