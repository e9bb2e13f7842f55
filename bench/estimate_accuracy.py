#!/usr/bin/python3
"""Benchmark (not a test): how well each mapper's estimate predicts the simulation.

Runs every shipped architecture on every shipped workload at batch 1 and 16 (without the
functional check) and prints, per architecture, the distribution of simulated/estimated cycles
over all layers: the share inside the 0.85-1.25 band, quantiles, and the worst layers.

  /usr/bin/python3 bench/estimate_accuracy.py [--dfsim build/dfsim] [--batches 1,16]
      [--archs eyeriss_v1,...] [--workloads alexnet,...] [--markdown FILE] [--jobs 2]

--markdown writes the table docs/ includes (scripts/update_docs.py regenerates it).
"""
import argparse
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BAND = (0.85, 1.25)


def run_one(dfsim, arch, workload, batch, tmp):
    out = os.path.join(tmp, f"{arch}_{workload}_{batch}")
    cmd = [dfsim, "run", "--arch", os.path.join(ROOT, "configs", arch + ".yaml"),
           "--workload", os.path.join(ROOT, "workloads", workload + ".yaml"),
           "--batch", str(batch), "--no-check", "--out", out]
    env = dict(os.environ, DFSIM_THREADS="1")
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        return arch, workload, batch, p.returncode, p.stderr.strip().splitlines()[-1:]
    with open(os.path.join(out, "stats.json")) as f:
        stats = json.load(f)
    ratios = []
    for layer in stats["layers"]:
        est = layer["estimate"]["cycles"]
        ratios.append((layer["cycles"] / est if est else float("inf"), layer["name"],
                       layer["cycles"]))
    return arch, workload, batch, ratios, []


def quantile(sorted_values, q):
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dfsim", default=os.path.join(ROOT, "build", "dfsim"))
    ap.add_argument("--batches", default="1,16")
    ap.add_argument("--archs", default="eyeriss_v1,tpu_v1,scnn,dcnn,dcnn_opt")
    ap.add_argument("--workloads", default=",".join(sorted(
        f[:-5] for f in os.listdir(os.path.join(ROOT, "workloads")) if f.endswith(".yaml"))))
    ap.add_argument("--markdown")
    ap.add_argument("--json", help="write every layer's ratio, name and simulated cycles here")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    archs = args.archs.split(",")
    batches = [int(b) for b in args.batches.split(",")]
    jobs = [(a, w, b) for a in archs for w in args.workloads.split(",") for b in batches]
    results = {a: [] for a in archs}
    failures, refused = [], []
    with tempfile.TemporaryDirectory() as tmp, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_one, args.dfsim, a, w, b, tmp) for a, w, b in jobs]
        for fut in concurrent.futures.as_completed(futures):
            arch, wl, batch, ratios, err = fut.result()
            if isinstance(ratios, int):
                # Exit 2: a layer no mapping fits (a capacity limit), listed under the table.
                (refused if ratios == 2 else failures).append(
                    f"{arch} {wl} batch {batch}: {' '.join(err).replace(ROOT + '/', '')}")
                print(f"  {arch:10} {wl:18} batch {batch:2}: failed", file=sys.stderr)
                continue
            results[arch] += [(r, f"{wl}/{name}@{batch}", c) for r, name, c in ratios]
            print(f"  {arch:10} {wl:18} batch {batch:2}: {len(ratios)} layers", file=sys.stderr)
    lines = ["| array | layers | in 0.85-1.25 | min | p10 | median | p90 | max | worst layer |",
             "|---|---|---|---|---|---|---|---|---|"]
    for arch in archs:
        rs = sorted(results[arch])
        if not rs:
            continue
        v = [r for r, _, _ in rs]
        inside = sum(BAND[0] <= r <= BAND[1] for r in v)
        worst = max(rs, key=lambda x: max(x[0], 1 / x[0] if x[0] > 0 else float("inf")))
        lines.append(f"| {arch} | {len(v)} | {inside} ({100 * inside / len(v):.1f}%) | "
                     f"{v[0]:.2f} | {quantile(v, 0.1):.2f} | {quantile(v, 0.5):.2f} | "
                     f"{quantile(v, 0.9):.2f} | {v[-1]:.2f} | {worst[1]} ({worst[0]:.2f}) |")
    lines += [f"\nNot run (refused): {r}" for r in sorted(refused)]
    table = "\n".join(lines)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({a: sorted(results[a], key=lambda x: x[1]) for a in archs}, f, indent=1)
    print(table)
    for f in failures:
        print("failed:", f)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(table + "\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
