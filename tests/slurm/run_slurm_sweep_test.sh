#!/usr/bin/env bash
# The Slurm backend of `dfsim sweep` (CTest: sweep_slurm). Starts a single-node Slurm with
# tests/slurm/start_slurm.sh (root; Debian packages slurm-wlm and munge, which
# `bash scripts/setup.sh --test` installs), runs the 4-point spec tests/slurm/tiny_sweep.yaml
# with `--backend slurm -j 2` (a job array throttled to 2 tasks), and checks that
#   - the sweep exits 0 and submitted one job array for the 4 points,
#   - `--export csv` lists 4 points, all done, none failed,
#   - the Slurm logs folder has one log per point, each reporting its point done,
#   - a second run submits nothing ("0 to run") and leaves the logs as they were.
# It never skips: without Slurm, or without root to start it, it fails with a message.
#
# Usage: bash tests/slurm/run_slurm_sweep_test.sh PATH/TO/dfsim
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dfsim=$(realpath "${1:?usage: $0 PATH/TO/dfsim}")
spec=$here/tiny_sweep.yaml
points=4

fail() {
  echo "sweep_slurm: FAIL: $*" >&2
  exit 1
}
[ -x "$dfsim" ] || fail "$dfsim is not an executable"

missing=()
for tool in sbatch squeue scancel sinfo scontrol; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
for daemon in slurmctld slurmd munged; do
  [ -x "/usr/sbin/$daemon" ] || command -v "$daemon" >/dev/null 2>&1 || missing+=("$daemon")
done
if [ ${#missing[@]} -gt 0 ]; then
  fail "Slurm is not installed (missing: ${missing[*]}). Install the Debian packages slurm-wlm and munge, e.g. with: bash scripts/setup.sh --test"
fi

if [ "$(id -u)" -eq 0 ]; then
  timeout 120 bash "$here/start_slurm.sh" || fail "tests/slurm/start_slurm.sh could not start Slurm"
elif ! sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed|allocated"; then
  fail "no Slurm node is up, and starting one (tests/slurm/start_slurm.sh) needs root"
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/dfsim_sweep_slurm.XXXXXX")
echo "sweep_slurm: output in $out"

# 1. The sweep as a Slurm job array.
rc=0
timeout 150 "$dfsim" sweep "$spec" --backend slurm -j 2 --out "$out" >"$out/run1.out" 2>"$out/run1.err" || rc=$?
cat "$out/run1.err"
[ "$rc" -eq 0 ] || fail "the sweep exited with $rc (124: timed out); Slurm logs: $out/slurm/logs"
grep -q "slurm_tiny: $points points, 0 already finished, $points to run (slurm)" "$out/run1.err" ||
  fail "the first run did not plan $points points on the slurm backend"
grep -q "submitted Slurm job array .* ($points points)" "$out/run1.err" || fail "no job array was submitted"
grep -q "slurm_tiny: $points done, 0 failed, 0 not run, of $points points" "$out/run1.err" ||
  fail "the summary does not report $points done, 0 failed"
[ -s "$out/slurm/job.sh" ] || fail "no job script $out/slurm/job.sh"

# 2. The results: one csv line per point, all done, none failed. (params is always a quoted
# field, so the status column follows a '"'.)
"$dfsim" sweep "$spec" --export csv --out "$out" --output "$out/results.csv" 2>/dev/null ||
  fail "--export csv failed"
lines=$(($(wc -l <"$out/results.csv") - 1))
done_n=$(grep -c '",done,' "$out/results.csv" || true)
failed_n=$(grep -c '",failed,' "$out/results.csv" || true)
echo "sweep_slurm: export: $lines points, $done_n done, $failed_n failed"
[ "$lines" -eq "$points" ] || fail "the export has $lines points, expected $points"
[ "$done_n" -eq "$points" ] || fail "$done_n of $points points are done"
[ "$failed_n" -eq 0 ] || fail "$failed_n points failed"
leftover=$(find "$out/points" -name '*.json' | wc -l)
[ "$leftover" -eq 0 ] || fail "$leftover result files were not collected"

# 3. One Slurm log per point (logs/JOB_TASK.out), each from a point that finished.
logs=$(find "$out/slurm/logs" -name '*.out' | wc -l)
echo "sweep_slurm: $logs Slurm logs in $out/slurm/logs"
[ "$logs" -eq "$points" ] || fail "$logs Slurm logs, expected one per point ($points)"
for i in $(seq 0 $((points - 1))); do
  grep -qx "point $i: done" "$out"/slurm/logs/*.out || fail "no Slurm log reports 'point $i: done'"
done

# 4. A second run finds everything finished and submits nothing.
rc=0
timeout 60 "$dfsim" sweep "$spec" --backend slurm -j 2 --out "$out" >"$out/run2.out" 2>"$out/run2.err" || rc=$?
cat "$out/run2.err"
[ "$rc" -eq 0 ] || fail "the second run exited with $rc"
grep -q "slurm_tiny: $points points, $points already finished, 0 to run (slurm)" "$out/run2.err" ||
  fail "the second run did not find all $points points finished"
if grep -q "submitted Slurm job array" "$out/run2.err"; then fail "the second run resubmitted points"; fi
logs2=$(find "$out/slurm/logs" -name '*.out' | wc -l)
[ "$logs2" -eq "$points" ] || fail "the second run changed the logs ($logs -> $logs2)"

rm -rf "$out"
echo "sweep_slurm: PASS"
