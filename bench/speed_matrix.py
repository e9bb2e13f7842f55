#!/usr/bin/python3
"""Benchmark (not a test): dfsim's speed on the shipped architectures and networks.

For each (architecture, network) it runs `dfsim run` with the output check, without it
(--no-check) and timing-only (--timing-only), the median of --repeats runs each, every run in
its own process, and prints the CPU time (user + system, all threads), the wall time, the peak
resident memory, the simulated cycles and MACs, the MACs simulated per CPU second, the GEMM
floor (the time of the reference convolutions of the same layers on one thread,
dfsim_reference_bench, best of three per layer, measured in the same benchmark run) with the
ratio of each run's CPU time to it, the full run's CPU over the timing-only run's, the TLM
transactions the simulation issued (DFSIM_REPORT_TRANSACTIONS) and the timing-only run's CPU
time per transaction.

Usage: /usr/bin/python3 bench/speed_matrix.py [--build DIR] [--repeats N] [--batch N]
         [--arch NAME ...] [--workload NAME ...] [--case issue]
  --case issue: the runs issue 18 states targets for (Eyeriss v1 AlexNet CONV1-5 at batch 4,
  TPU v1 ResNet-50 at batch 8); otherwise every shipped architecture x network at --batch.
Names are file stems (eyeriss_v1, rs_256, alexnet). Runs that fail are listed as failed.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def shipped(folder_list):
    out = {}
    for folder in folder_list:
        for f in sorted(os.listdir(os.path.join(ROOT, folder))):
            if f.endswith(".yaml"):
                out[f[:-5]] = os.path.join(ROOT, folder, f)
    return out


def timed(cmd):
    """Runs cmd (stdout discarded); returns (exit code, CPU s, wall s, peak RSS MiB,
    transactions or None)."""
    env = dict(os.environ, DFSIM_REPORT_TRANSACTIONS="1")
    with tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        err.seek(0)
        text = err.read().decode(errors="replace")
    tx = [int(l.split()[-1]) for l in text.splitlines() if l.startswith("dfsim: transactions ")]
    code = os.waitstatus_to_exitcode(status)
    return code, ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss / 1024.0, tx[-1] if tx else None


def gemm_floor_s(build, arch, workload, batch, layers):
    """The reference convolutions' time on the run's layers (wall time of a single thread,
    best of three per layer), or None when dfsim_reference_bench fails."""
    cmd = [os.path.join(build, "dfsim_reference_bench"), "--arch", arch, "--workload", workload,
           "--batch", str(batch)]
    if layers:
        cmd += ["--layers", layers]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return None
    last = done.stdout.strip().splitlines()[-1].split()
    return float(last[2]) / 1e3  # the "all" line: MACs, best ms, GMAC/s


def case_row(build, name, arch, workload, batch, layers, repeats):
    base = [os.path.join(build, "dfsim"), "run", "--arch", arch, "--workload", workload,
            "--batch", str(batch), "--skip-unmappable"]
    if layers:
        base += ["--layers", layers]
    with tempfile.TemporaryDirectory() as out:
        runs = {}
        for label, extra in (("check", ["--out", out]), ("no_check", ["--no-check"]),
                             ("timing", ["--timing-only"])):
            samples = [timed(base + extra) for _ in range(repeats)]
            if any(s[0] != 0 for s in samples):
                return {"case": name, "failed": True}
            runs[label] = samples
        with open(os.path.join(out, "stats.json")) as f:
            total = json.load(f)["total"]
    floor = gemm_floor_s(build, arch, workload, batch, layers)
    if not floor:
        return {"case": name, "failed": True}
    med = lambda label, k: statistics.median(s[k] for s in runs[label])
    cpu, cpu_nc, cpu_t = med("check", 1), med("no_check", 1), med("timing", 1)
    tx = runs["timing"][0][4] or 0
    return {"case": name, "failed": False, "cpu_s": cpu, "cpu_no_check_s": cpu_nc,
            "cpu_timing_only_s": cpu_t, "full_over_timing_only": cpu / cpu_t if cpu_t else 0,
            "transactions": tx, "timing_only_ns_per_transaction": cpu_t / tx * 1e9 if tx else 0,
            "wall_s": med("check", 2), "wall_no_check_s": med("no_check", 2),
            "peak_mib": max(s[3] for s in runs["check"]), "cycles": total["cycles"],
            "macs": total["macs"], "macs_per_cpu_s": total["macs"] / cpu_nc,
            "floor_s": floor, "ratio": cpu / floor, "ratio_no_check": cpu_nc / floor}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--arch", nargs="*")
    ap.add_argument("--workload", nargs="*")
    ap.add_argument("--case", choices=["issue"])
    ap.add_argument("--json", help="also write the rows to this file")
    a = ap.parse_args()
    archs = shipped(["configs", "configs/dataflows"])
    nets = shipped(["workloads"])
    cases = []
    if a.case == "issue":
        cases = [("eyeriss_v1 alexnet conv1-5 b4", archs["eyeriss_v1"], nets["alexnet"], 4,
                  "conv1,conv2,conv3,conv4,conv5"),
                 ("tpu_v1 resnet50 b8", archs["tpu_v1"], nets["resnet50"], 8, "")]
    else:
        for an in a.arch or archs:
            for wn in a.workload or nets:
                cases.append((f"{an} {wn} b{a.batch}", archs[an], nets[wn], a.batch, ""))
    head = (f"{'case':34} {'CPU s':>8} {'no-check':>8} {'wall s':>7} {'no-check':>8} {'MiB':>7} "
            f"{'cycles':>12} {'MMAC/CPU-s':>10} {'floor s':>8} {'x floor':>7} {'x (nc)':>7} "
            f"{'timing':>7} {'full/t':>6} {'transact.':>10} {'ns/tx':>6}")
    print(head)
    rows = []
    for name, arch, wl, batch, layers in cases:
        r = case_row(a.build, name, arch, wl, batch, layers, a.repeats)
        rows.append(r)
        if r["failed"]:
            print(f"{name:34} failed")
        else:
            print(f"{name:34} {r['cpu_s']:8.2f} {r['cpu_no_check_s']:8.2f} {r['wall_s']:7.2f} "
                  f"{r['wall_no_check_s']:8.2f} "
                  f"{r['peak_mib']:7.1f} {r['cycles']:12d} {r['macs_per_cpu_s'] / 1e6:10.1f} "
                  f"{r['floor_s']:8.3f} {r['ratio']:7.1f} {r['ratio_no_check']:7.1f} "
                  f"{r['cpu_timing_only_s']:7.2f} {r['full_over_timing_only']:6.1f} "
                  f"{r['transactions']:10d} {r['timing_only_ns_per_transaction']:6.0f}")
        sys.stdout.flush()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
