#!/usr/bin/env python3
"""Compare SCNN, DCNN and DCNN-opt stats.json files layer by layer.

usage: scnn_compare.py SCNN_DIR DCNN_DIR [DCNN_OPT_DIR]
Each DIR holds the stats.json written by `dfsim run --out DIR`.
"""
import json
import sys


def load(d):
    with open(d + "/stats.json") as f:
        return json.load(f)


def main():
    runs = [load(d) for d in sys.argv[1:]]
    s, d = runs[0], runs[1]
    o = runs[2] if len(runs) > 2 else None
    print("%-16s %10s %10s %7s %7s %6s %6s %6s" % ("layer", "scnn_cyc", "dcnn_cyc", "speedup",
                                                  "e_ratio", "mulut", "frag", "barr"))
    for ls, ld in zip(s["layers"], d["layers"]):
        r = ls.get("ratios", {})
        print("%-16s %10d %10d %7.2f %7.2f %6.2f %6.2f %6.2f" % (
            ls["name"], ls["cycles"], ld["cycles"], ld["cycles"] / ls["cycles"],
            ld["energy_pj"]["total"] / ls["energy_pj"]["total"],
            r.get("multiplier_utilization", 0), r.get("intra_pe_fragmentation", 0),
            r.get("barrier_idle_fraction", 0)))
    ts, td = s["total"], d["total"]
    print("total: speedup %.3f  energy ratio %.3f" % (td["cycles"] / ts["cycles"],
                                                     td["energy_pj"]["total"] / ts["energy_pj"]["total"]))
    if o:
        print("DCNN / DCNN-opt energy %.3f, cycles %.3f" % (
            td["energy_pj"]["total"] / o["total"]["energy_pj"]["total"],
            o["total"]["cycles"] / td["cycles"]))
    for name, run in (("scnn", s), ("dcnn", d)) + ((("dcnn_opt", o),) if o else ()):
        e = run["total"]["energy_pj"]
        print(name, " ".join("%s=%.3g" % (k, v) for k, v in e.items()))


if __name__ == "__main__":
    main()
