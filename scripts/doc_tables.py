#!/usr/bin/python3
"""Tables and excerpts for docs/, computed from dfsim runs.

scripts/update_docs.py runs these commands in the docs' generated blocks
(`<!-- generated: /usr/bin/python3 scripts/doc_tables.py SUBCOMMAND ... -->`), so every table
they print is the program's current output. Each subcommand runs the simulations it needs (in a
temporary folder, removed at the end) and prints Markdown, or a plain-text excerpt.

  /usr/bin/python3 scripts/doc_tables.py SUBCOMMAND [ARGS]     (from anywhere)

The binary is ./build/dfsim, or the one named by the DFSIM variable (as for update_docs.py).
Run `doc_tables.py --help` for the subcommands; each one's docstring names the doc it serves.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DFSIM = os.environ.get("DFSIM") or os.path.join(ROOT, "build", "dfsim")
TMP = None


def tmpdir():
    global TMP
    if TMP is None:
        TMP = tempfile.mkdtemp(prefix="dfsim_doc_tables_")
    return TMP


def cache_key(args):
    """Identifies a run: the binary (path, size, mtime), the arguments and the inputs they name
    (size and mtime of every file under configs/, workloads/ and docs/examples/)."""
    h = hashlib.sha1()
    st = os.stat(DFSIM)
    h.update(f"{DFSIM} {st.st_size} {st.st_mtime_ns}\n{args!r}\n".encode())
    for d in ("configs", "workloads", os.path.join("docs", "examples")):
        for base, _, files in sorted(os.walk(os.path.join(ROOT, d))):
            for f in sorted(files):
                fs = os.stat(os.path.join(base, f))
                h.update(f"{base}/{f} {fs.st_size} {fs.st_mtime_ns}\n".encode())
    return h.hexdigest()


def simulate(args):
    """(stdout, stats.json) of `dfsim ARGS --out DIR`, shared between the subcommands: a run is
    kept in $TMPDIR/dfsim_doc_tables_cache under a key of the binary, the arguments and the
    input files, so the generated blocks of one update_docs.py pass that need the same run do
    not repeat it (and a rebuilt binary or an edited input runs it again)."""
    cache = os.path.join(tempfile.gettempdir(), "dfsim_doc_tables_cache")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, cache_key(args) + ".json")
    import fcntl
    with open(path + ".lock", "w") as lock:  # one process computes a run, the others wait
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(path):
            compute(args, path)
    with open(path) as f:
        c = json.load(f)
    STATS_TEXT[0] = c["stats_json"]
    return c["stdout"], json.loads(c["stats_json"])


def compute(args, path):
    stdout, _ = dfsim(args, out="cached")
    with open(os.path.join(tmpdir(), "cached", "stats.json")) as f:
        text = f.read()
    shutil.rmtree(os.path.join(tmpdir(), "cached"), ignore_errors=True)
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump({"stdout": stdout, "stats_json": text}, f)
    os.replace(tmp, path)


STATS_TEXT = [None]  # the text of the stats.json of the last simulate()


def dfsim(args, out=None, ok=(0,)):
    """Runs dfsim with ARGS (a list; --out DIR appended when OUT is given) from the repository
    root; returns (stdout, stats.json or None)."""
    cmd = [DFSIM] + list(args)
    if out:
        out = os.path.join(tmpdir(), out)
        cmd += ["--out", out]
    env = dict(os.environ, DFSIM_THREADS=os.environ.get("DFSIM_THREADS", "1"), LC_ALL="C")
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env)
    if p.returncode not in ok:
        sys.exit(f"doc_tables: `{' '.join(cmd)}` exited {p.returncode}:\n{p.stderr.strip()}")
    stats = None
    if out:
        with open(os.path.join(out, "stats.json")) as f:
            stats = json.load(f)
    return p.stdout, stats


def layers_of(stats):
    return {l["name"]: l for l in stats["layers"]}


def pct(x, digits=1):
    return f"{100 * x:.{digits}f}%"


def conv_layers(workload):
    """The names of a workload's conv layers, in file order (as `grep 'type: conv'`)."""
    names = []
    with open(os.path.join(ROOT, workload)) as f:
        for line in f:
            m = re.search(r"name: *([A-Za-z0-9_]+), *type: *conv\b", line)
            if m:
                names.append(m.group(1))
    return names


def shapes_from_map(map_stdout):
    """{layer: {N, M, C, H, W, R, S, E, F, stride, pad, groups, type}} from `dfsim map`."""
    shapes = {}
    for line in map_stdout.splitlines():
        m = re.match(r"\s+(\S+) \[(conv|fc)\] (.*)", line)
        if m:
            d = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(3))}
            d["type"] = m.group(2)
            shapes.setdefault(m.group(1), d)
    return shapes


def md_table(header, rows, align=None):
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join(align or ["---"] * len(header)) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Generic excerpts


def cmd_excerpt(argv):
    """excerpt LAYER KEY[,KEY...] -- DFSIM-ARGS: runs `dfsim DFSIM-ARGS --out DIR` and prints
    the lines of LAYER's object in DIR/stats.json (`total` for the total) that hold the given
    keys, in file order, with `...` where keys were left out."""
    layer, keys, sep, args = argv[0], argv[1].split(","), argv[2], argv[3:]
    assert sep == "--", "usage: excerpt LAYER KEYS -- DFSIM-ARGS"
    simulate(args)
    lines = STATS_TEXT[0].split("\n")
    # The layer's object: from its "name" line to the closing brace at 4 spaces.
    start = next(i for i, l in enumerate(lines) if l.strip() == f'"name": "{layer}",')
    items, i = [], start
    while not lines[i].startswith("    }"):
        m = re.match(r'      "([^"]+)": ', lines[i])
        if m:
            items.append([m.group(1), [lines[i]]])
        else:
            items[-1][1].append(lines[i])
        i += 1
    out, skipped = [], False
    for key, ls in items:
        if key in keys:
            if skipped and out:
                out.append("      ...")
            out += ls
            skipped = False
        else:
            skipped = True
    print("\n".join(out))


def cmd_keep(argv):
    """keep FROM TO REGEX -- DFSIM-ARGS: runs dfsim and prints, of the stdout lines from the
    first line matching FROM up to (not including) the next line matching TO, those matching
    REGEX, with an indented `...` where lines in between were left out."""
    start, stop, keep, sep, args = argv[0], argv[1], argv[2], argv[3], argv[4:]
    assert sep == "--", "usage: keep FROM TO REGEX -- DFSIM-ARGS"
    stdout, _ = simulate(args)
    out, inside, gap = [], False, False
    for line in stdout.split("\n"):
        if not inside:
            inside = re.search(start, line) is not None
            if not inside:
                continue
        elif re.search(stop, line):
            break
        if re.search(keep, line):
            if gap and out:
                out.append("  ...")
            out.append(line)
            gap = False
        else:
            gap = True
    if gap:
        out.append("  ...")
    print("\n".join(out).rstrip())


def cmd_vcd_summary(argv):
    """vcd-summary -- DFSIM-ARGS (with --vcd FILE): runs dfsim and prints the number of signals
    and the size of the VCD file."""
    assert argv[0] == "--"
    args = argv[1:]
    vcd = args[args.index("--vcd") + 1]
    dfsim(args)
    with open(os.path.join(ROOT, vcd)) as f:
        signals = sum(1 for line in f if line.startswith("$var"))
    size = os.path.getsize(os.path.join(ROOT, vcd))
    print(f"{vcd}: {signals} signals, {size / 1e6:.1f} MB")


def cmd_trace_signals(argv):
    """trace-signals ARCH...: the signals each architecture traces (a VCD of a one-layer run,
    numbered signals folded into one row with their count), as a markdown table."""
    wl = os.path.join(tmpdir(), "trace_signals.yaml")
    with open(wl, "w") as f:
        f.write("network: trace_signals\nlayers:\n"
                "  - {name: a, M: 8, C: 4, H: 8, W: 8, R: 3, S: 3, padding: 1}\n")
    rows = []
    for arch in argv:
        vcd = os.path.join(tmpdir(), "signals.vcd")
        dfsim(["run", "--quiet", "--no-check", "--arch", arch, "--workload", wl, "--vcd", vcd])
        scope, seen = [], {}
        with open(vcd) as f:
            for line in f:
                w = line.split()
                if w[:2] == ["$scope", "module"]:
                    scope.append(w[2])
                elif w[:1] == ["$upscope"]:
                    scope.pop()
                elif w[:1] == ["$var"]:
                    folded = re.sub(r"\d+", "<i>", w[4])
                    key = (".".join(scope[1:]), folded, w[2])
                    seen[key] = seen.get(key, 0) + 1
        names = "; ".join(f"`{sc}.{n}`" + (f" x{c}" if c > 1 else "") + (f" ({wd} bit)" if wd != "1" else "")
                          for (sc, n, wd), c in seen.items())
        rows.append([f"`{arch}`", names])
    print(md_table(["architecture", "signals (scope.name; x count of numbered ones; width if not 1 bit)"],
                   rows))


def vcd_changes(path, scope, name):
    """[(time_ps, value)] of signal SCOPE.NAME in a VCD file (values as strings)."""
    ident, scopes, changes, t = None, [], [], 0
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "$scope":
                scopes.append(w[2])
            elif w[0] == "$upscope":
                scopes.pop()
            elif w[0] == "$var" and scopes and scopes[-1] == scope and w[4] == name:
                ident = w[3]
            elif w[0].startswith("#"):
                t = int(w[0][1:])
            elif ident is not None:
                if w[0][0] in "01xz" and w[0][1:] == ident:
                    changes.append((t, w[0][0]))
                elif w[0][0] == "b" and len(w) > 1 and w[1] == ident:
                    changes.append((t, w[0][1:]))
    return changes


def cmd_vcd_intervals(argv):
    """vcd-intervals SCOPE.SIGNAL -- DFSIM-ARGS (with --vcd FILE): runs dfsim and prints how
    far apart the rising edges of the 1-bit signal (the changes of a multi-bit one) are, in core
    cycles of the first layer with their count, and when the first one is."""
    sig, sep, args = argv[0], argv[1], argv[2:]
    assert sep == "--"
    scope, name = sig.split(".")
    vcd = args[args.index("--vcd") + 1]
    _, stats = dfsim(args, out="vcd")
    period_ps = stats["layers"][0]["seconds"] * 1e12 / stats["layers"][0]["cycles"]
    changes = vcd_changes(os.path.join(ROOT, vcd), scope, name)
    if all(v in "01xz" and len(v) == 1 for _, v in changes):
        rises = [t for t, v in changes if v == "1"]
        what = "rising edges"
    else:  # a multi-bit signal: every change of value
        rises = [t for i, (t, v) in enumerate(changes) if i == 0 or v != changes[i - 1][1]]
        what = "changes"
    gaps = {}
    for a, b in zip(rises, rises[1:]):
        gaps.setdefault(round((b - a) / period_ps), []).append(b - a)
    print(f"{sig}: {len(rises)} {what}, the first at {rises[0] / 1000:.3f} ns "
          f"({rises[0] / period_ps:.0f} core cycles after the start)")
    for cyc, g in sorted(gaps.items(), key=lambda g: -len(g[1])):
        lo, hi = min(g) / 1000, max(g) / 1000
        ns = f"{lo:.3f} ns" if lo == hi else f"{lo:.3f} to {hi:.3f} ns"
        print(f"  {len(g)} of {len(rises) - 1} intervals: {cyc} core cycles ({ns})")


# --------------------------------------------------------------------------------------------
# validation.md: Eyeriss v1 on AlexNet CONV1-5

ALEX5 = ["--arch", "configs/eyeriss_v1.yaml", "--workload", "workloads/alexnet.yaml",
         "--layers", "conv1,conv2,conv3,conv4,conv5", "--batch", "4"]
# The AlexNet mapping published for Eyeriss v1 (Chen et al., IEEE JSSC 2017, the per-layer
# mapping parameters of AlexNet; PE set, n, p, q, r, t and active PEs).
PUBLISHED_MAPPING = {
    "conv1": ("11 x 55, strip-mined to 11 x 7", (1, 16, 1, 1, 2), 154),
    "conv2": ("5 x 27, split 5 x 14 + 5 x 13", (1, 16, 2, 1, 1), 135),
    "conv3": ("3 x 13", (4, 16, 4, 1, 4), 156),
    "conv4": ("3 x 13", (4, 16, 3, 2, 2), 156),
    "conv5": ("3 x 13", (4, 16, 3, 2, 2), 156),
}


def rs_mappings(map_stdout):
    """{layer: (mapping dict, estimate line)} from `dfsim map` on a row-stationary array."""
    out, name, lines = {}, None, map_stdout.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"\s+(\S+) \[(conv|fc)\] ", line)
        if m:
            name = m.group(1)
            mapping = lines[i + 1].strip()
            est = lines[i + 2].strip()
            d = dict(re.findall(r"([a-z_()/]+)=(\S+)", mapping))
            e = re.match(r"estimate: (\d+) cycles \(([\d.]+) ms\), ([\d.]+) uJ w/o idle, "
                         r"active PEs (\d+), passes (\d+)", est)
            out[name] = (d, {"cycles": int(e.group(1)), "uj": float(e.group(3)),
                             "pes": int(e.group(4)), "passes": int(e.group(5)),
                             "mapping": mapping})
    return out


def cmd_val_mappings(argv):
    """val-mappings: validation.md section 3, dfsim's AlexNet mappings (default objective)
    next to the published ones, differences in bold."""
    stdout, _ = dfsim(["map"] + ALEX5)
    maps = rs_mappings(stdout)
    rows, same, pes_ok = [], [], True
    for layer, (pe_set, pub, pub_pes) in PUBLISHED_MAPPING.items():
        d, est = maps[layer]
        ours = tuple(int(d[k]) for k in ("n", "p", "q", "r", "t"))
        cells = [f"**{v}**" if v != p else str(v) for v, p in zip(ours, pub)]
        # bold runs of differing values together, as "**4, 12**"
        txt = ", ".join(cells).replace("**, **", ", ")
        buf = d["ifmap"].replace("x", " x")
        rows.append([layer.upper(), pe_set, ", ".join(map(str, pub)),
                     f"{d['strip_width']} x {d['strips_per_pass']}", txt,
                     f"{buf}, {d['glb_banks(ifmap/psum)']}"])
        if ours == pub:
            same.append(layer.upper())
        pes_ok &= est["pes"] == pub_pes
    print(md_table(["Layer", "Published PE set", "Published n, p, q, r, t",
                    "dfsim strip_width x strips_per_pass", "dfsim n, p, q, r, t",
                    "dfsim ifmap buffering, GLB banks (ifmap/psum)"], rows))
    print()
    print("(bold: differs from the published mapping.) Active PEs: "
          + ("equal to the published count in every layer" if pes_ok else
             "**not** equal to the published count in every layer")
          + "; exactly the published n, p, q, r, t: "
          + (", ".join(same) if same else "no layer") + ".")


def cmd_objectives_map(argv):
    """objectives-map: validation.md section 5, the mappings and estimates `dfsim map` gives
    AlexNet CONV1-5 (batch 4) under the three objectives."""
    objs = ["energy", "latency", "edp"]
    res = {o: rs_mappings(dfsim(["map"] + ALEX5 + ["--objective", o])[0]) for o in objs}
    rows = []
    for layer in PUBLISHED_MAPPING:
        cells = []
        for i, o in enumerate(objs):
            d, est = res[o][layer]
            earlier = [p for p in objs[:i] if res[p][layer][1]["mapping"] == est["mapping"]]
            if earlier:
                cells.append(f"same as `{earlier[0]}`")
                continue
            buf = d["ifmap"].replace("per-block", "per-block ").replace("resident", "resident ")
            cells.append(f"e={d['strip_width']} x{d['strips_per_pass']}, n{d['n']} p{d['p']} "
                         f"q{d['q']} r{d['r']} t{d['t']}, {buf}, "
                         f"{d['glb_banks(ifmap/psum)']}; {est['pes']} PEs; "
                         f"{est['cycles']} cyc, {est['uj']:g} uJ")
        rows.append([layer.upper()] + cells)
    print(md_table(["Layer"] + [f"`{o}`" for o in objs], rows))


# --------------------------------------------------------------------------------------------
# tpu.md: the TPU v1 configuration

TPU = ["--arch", "configs/tpu_v1.yaml"]
TPU_NETS = {  # network: (workload, layers) of tpu.md section 2 (the CONV layers)
    "alexnet": ("workloads/alexnet.yaml", "conv1,conv2,conv3,conv4,conv5"),
    "resnet50": ("workloads/resnet50.yaml", None),
}


def tpu_run(net, objective="latency"):
    wl, layers = TPU_NETS[net]
    layers = layers or ",".join(conv_layers(wl))
    args = TPU + ["--workload", wl, "--layers", layers, "--batch", "8", "--no-check"]
    if objective != "latency":
        args += ["--objective", objective]
    stdout, stats = simulate(["run"] + args)
    shapes = shapes_from_map(dfsim(["map"] + [a for a in args if a != "--no-check"])[0])
    return stats, shapes


def ub_accesses(shape, rows=256):
    """UB accesses per input row of each K tile (models.md 14.2): the filter rows a K tile
    spans (G = 1), or the filter taps it spans (G > 1)."""
    g = shape["groups"]
    cg = shape["C"] // g
    k = cg * shape["R"] * shape["S"]
    out = []
    for k0 in range(0, k, rows):
        k1 = min(k, k0 + rows) - 1
        if g == 1:
            per = shape["S"] * cg
        else:
            per = cg
        out.append(k1 // per - k0 // per + 1)
    return out


def fmt_accesses(acc):
    if min(acc) == max(acc):
        return str(acc[0])
    return f"{sum(acc) / len(acc):.2f} (max {max(acc)})"


def breakdown(l):
    cb = l["cycle_breakdown"]
    return [pct(cb[k] / l["cycles"]) for k in
            ("array_active", "weight_stall", "weight_shift", "non_matrix")]


def unused(l):
    return l["unused_macs"] / (l["unused_macs"] + l["macs"]) if l["macs"] else 0.0


def cmd_tpu_layers(argv):
    """tpu-layers NET: tpu.md section 2, the CONV layers of NET (alexnet, resnet50) at batch 8
    on tpu_v1.yaml, one row per layer and the total."""
    stats, shapes = tpu_run(argv[0])
    rows = []
    for l in stats["layers"]:
        sh = shapes[l["name"]]
        g = sh["groups"]
        k = sh["C"] // g * sh["R"] * sh["S"]
        km = f"{k} x {sh['M'] // g}" + (f" ({g})" if g > 1 else "")
        pixels = sh["N"] * sh["E"] * sh["F"]
        chunk = l["mapping"].split("=")[1]
        rows.append([l["name"], km, pixels, chunk, fmt_accesses(ub_accesses(sh)), l["cycles"],
                     pct(l["utilization"]), f"{l['tops']:.2f}", pct(unused(l))] + breakdown(l))
    t = stats["total"]
    rows.append(["**total**", "", "", "", "", t["cycles"], pct(t["utilization"]),
                 f"{t['tops']:.2f}", pct(unused(t))] + breakdown(t))
    print(md_table(["Layer", "K x M/G (G)", "pixels", "row_chunk", "UB accesses per row",
                    "cycles", "util", "TOPS", "unused MACs", "array_active", "weight_stall",
                    "weight_shift", "non_matrix"], rows,
                   ["---", "---"] + ["---:"] * 11))


def cmd_tpu_stages(argv):
    """tpu-stages: tpu.md section 2.2, the ResNet-50 CONV layers at batch 8 summed by stage."""
    stats, _ = tpu_run("resnet50")
    t = stats["total"]
    stages = {}
    for l in stats["layers"]:
        name = l["name"].split("_")[0][:4] if l["name"].startswith("res") else l["name"]
        stages.setdefault(name, []).append(l)
    rows = []
    for name, ls in list(stages.items()) + [("total", stats["layers"])]:
        cyc = sum(l["cycles"] for l in ls)
        macs = sum(l["macs"] for l in ls)
        sec = sum(l["seconds"] for l in ls)
        cb = {k: sum(l["cycle_breakdown"][k] for l in ls) for k in t["cycle_breakdown"]}
        rows.append([name, len(ls), pct(cyc / t["cycles"]) if name != "total" else "100%",
                     pct(macs / t["macs"]) if name != "total" else "100%",
                     f"{2 * macs / sec / 1e12:.2f}"]
                    + [pct(cb[k] / cyc) for k in
                       ("array_active", "weight_stall", "weight_shift", "non_matrix")])
    print(md_table(["Stage", "Layers", "Share of cycles", "Share of MACs", "TOPS",
                    "array_active", "weight_stall", "weight_shift", "non_matrix"], rows,
                   ["---"] + ["---:"] * 8))


def cmd_tpu_knee(argv):
    """tpu-knee B...: tpu.md section 1, mlp_2048 on tpu_v1.yaml at the given batches: achieved
    TOPS and the two largest cycle categories of the total."""
    rows = []
    for b in argv:
        _, stats = simulate(["run"] + TPU + ["--workload", "workloads/mlp_2048.yaml",
                                             "--batch", b, "--no-check"])
        t = stats["total"]
        rows.append([b, f"{t['tops']:.2f}"] + breakdown(t)[:2])
    print(md_table(["B", "achieved TOPS", "array_active", "weight_stall"], rows, ["---:"] * 4))


# --------------------------------------------------------------------------------------------
# models.md section 3.2: the seed designs with each DRAM model

DRAM_CASES = [
    ("Eyeriss v1, AlexNet CONV1-5, batch 4", "eyeriss_v1",
     ["--workload", "workloads/alexnet.yaml", "--layers", "conv1,conv2,conv3,conv4,conv5",
      "--batch", "4"]),
] + [(f"TPU v1, MLP 2048, batch {b}", "tpu_v1",
        ["--workload", "workloads/mlp_2048.yaml", "--batch", str(b)])
       for b in (16, 256, 1350, 4096)] + [
    ("SCNN, pruned AlexNet", "scnn", ["--workload", "workloads/alexnet_pruned.yaml"]),
    ("SCNN, pruned GoogLeNet", "scnn", ["--workload", "workloads/googlenet_pruned.yaml"]),
]
DRAM_VARIANT = {"eyeriss_v1": "eyeriss_v1_jedec", "tpu_v1": "tpu_v1_ddr3", "scnn": "scnn_lpddr4"}


def cmd_dram_models(argv):
    """dram-models: models.md section 3.2, each seed design with its bandwidth DRAM model and its
    JEDEC variant (the TPU at four batches: its MLP roofline): time, TOPS, DRAM and total energy, and the JEDEC devices' row hits, read
    latency, refreshes and achieved bandwidth."""
    rows = []
    for what, base, args in DRAM_CASES:
        for arch in (base, DRAM_VARIANT[base]):
            _, stats = simulate(["run", "--arch", f"configs/{arch}.yaml", "--no-check"] + args)
            t = stats["total"]
            dev = t.get("dram_device")
            e_dram, e_tot = t["energy_pj"]["dram"] * 1e-6, t["energy_pj"]["total"] * 1e-6
            cells = [what, arch, f"{t['seconds'] * 1e3:.3f}", f"{t['tops']:.2f}", f"{e_dram:.1f}",
                     f"{e_tot:.1f}"]
            if dev:
                c = dev["all_channels"]
                hits = c["row_hits"] / max(1, c["bursts"])
                cells += [pct(hits), f"{dev['read_latency_ns']['mean']:.0f}", str(c["ref"]),
                          f"{dev['achieved_gbytes_per_s']:.2f}",
                          f"{c['energy_pj']['background'] / max(1, c['energy_pj']['total']) * 100:.0f}%"]
            else:
                cells += ["", "", "", "", ""]
            rows.append(cells)
    print(md_table(["design and workload", "architecture", "time (ms)", "TOPS", "E.dram (uJ)",
                    "E.total (uJ)", "row hits", "mean read latency (ns)", "REF",
                    "achieved GB/s", "background share of E.dram"], rows,
                   ["---", "---"] + ["---:"] * 9))


# --------------------------------------------------------------------------------------------
# compression.md section 4: copies of configs/eyeriss_v1.yaml with encodings / gating changed

FORMATS = ["dense", "rlc", "zero_run", "bitmask", "csr", "csc"]
DENSE_ALL = ("\nencodings: {dram: {ifmap: dense, ofmap: dense, weight: dense}, "
             "glb: {ifmap: dense, psum: dense, weight: dense}}\n")


def eyeriss_variant(name):
    """The path of a copy of configs/eyeriss_v1.yaml as compression.md section 4 makes them:
    `base` (the file itself), `FORMAT` (encodings.dram ifmap and ofmap), `nogate`,
    `dense_explicit` (every encoding written out as dense) and `both_off` (that with
    zero_gating off). The copies live in the cache folder under a name of their content."""
    if name in ("base", "dense"):
        return "configs/eyeriss_v1.yaml"
    with open(os.path.join(ROOT, "configs", "eyeriss_v1.yaml")) as f:
        text = f.read()
    if name in FORMATS:
        text += f"\nencodings: {{dram: {{ifmap: {name}, ofmap: {name}}}}}\n"
    elif name == "nogate":
        text = text.replace("zero_gating: true", "zero_gating: false")
    elif name == "dense_explicit":
        text += DENSE_ALL
    elif name == "both_off":
        text = text.replace("zero_gating: true", "zero_gating: false") + DENSE_ALL
    else:
        sys.exit(f"doc_tables: unknown Eyeriss variant '{name}'")
    cache = os.path.join(tempfile.gettempdir(), "dfsim_doc_tables_cache")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f"eyeriss_{name}_"
                        + hashlib.sha1(text.encode()).hexdigest()[:12] + ".yaml")
    if not os.path.exists(path):
        with open(path + f".{os.getpid()}", "w") as f:
            f.write(text)
        os.replace(path + f".{os.getpid()}", path)
    return path


def eyeriss_alex5(variant):
    """(stdout, stats) of AlexNet CONV1-5 at batch 4, with the output check, on a variant."""
    args = ["run", "--arch", eyeriss_variant(variant)] + ALEX5[2:]
    return simulate(args)


def by_type(l, kind, rw="read_bytes"):
    return l["levels"]["dram"]["by_type"][kind][rw]


def cmd_eyeriss_table(argv):
    """eyeriss-table VARIANT: the result table of AlexNet CONV1-5 (batch 4, with the check) on a
    copy of eyeriss_v1.yaml (see eyeriss_variant)."""
    stdout, _ = eyeriss_alex5(argv[0])
    lines = stdout.split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("layer "))
    end = next(i for i, l in enumerate(lines) if l.startswith("total "))
    print("\n".join(lines[start:end + 1]))


def cmd_rlc_compare(argv):
    """rlc-compare: compression.md 4.1, DRAM traffic by type of the dense and the RLC runs."""
    _, d = eyeriss_alex5("dense")
    _, r = eyeriss_alex5("rlc")
    rows = []
    for ld, lr in list(zip(d["layers"], r["layers"])) + [(d["total"], r["total"])]:
        act = [by_type(x, "ifmap") + by_type(x, "ofmap", "write_bytes") for x in (ld, lr)]
        tot = [x["dram_read_bytes"] + x["dram_write_bytes"] for x in (ld, lr)]
        name = ld["name"] if ld["name"] != "total" else "**CONV1-5**"
        b = (lambda s: f"**{s}**") if name.startswith("**") else (lambda s: s)
        rows.append([
            name,
            f"{by_type(ld, 'ifmap'):,} / {by_type(lr, 'ifmap'):,}",
            f"{by_type(ld, 'ofmap', 'write_bytes'):,} / {by_type(lr, 'ofmap', 'write_bytes'):,}",
            f"{act[0]:,} / {act[1]:,}", b(f"{act[0] / act[1]:.2f}x"),
            f"{tot[0]:,} / {tot[1]:,}", b(f"{tot[0] / tot[1]:.2f}x"),
            f"{ld['energy_pj']['dram'] / 1e6:.1f} / {lr['energy_pj']['dram'] / 1e6:.1f}",
            f"{ld['seconds'] * 1e3:.3f} / {lr['seconds'] * 1e3:.3f} "
            f"({lr['seconds'] / ld['seconds'] - 1:+.1%})"])
    print(md_table(["Layer", "ifmap read, dense / RLC (B)", "ofmap write, dense / RLC (B)",
                    "activations, dense / RLC (B)", "activation ratio",
                    "DRAM total, dense / RLC (B)", "total ratio", "E.dram, dense / RLC (uJ)",
                    "time, dense / RLC (ms)"], rows))


def cmd_formats_table(argv):
    """formats-table: compression.md 4.1, activation bytes per layer with each format at the
    DRAM interface (AlexNet CONV1-5, batch 4, with the check)."""
    rows, dense_act = [], None
    for fmt in FORMATS:
        _, s = eyeriss_alex5(fmt)
        act = [by_type(l, "ifmap") + by_type(l, "ofmap", "write_bytes") for l in s["layers"]]
        t = s["total"]
        dense_act = dense_act or sum(act)
        rows.append([fmt] + [f"{a:,}" for a in act] +
                    [f"{sum(act):,}", f"{dense_act / sum(act):.2f}x",
                     f"{t['dram_read_bytes'] + t['dram_write_bytes']:,}",
                     f"{t['energy_pj']['dram'] / 1e6:.1f}", f"{t['cycles']:,}",
                     t["output_check"]])
    print(md_table(["encoding", "conv1", "conv2", "conv3", "conv4", "conv5", "activations",
                    "dense / this", "total DRAM", "E.dram (uJ)", "cycles", "check"], rows))


def cmd_gating_table(argv):
    """gating-table: compression.md 4.2, PE energy with zero gating on and off."""
    _, on = eyeriss_alex5("base")
    _, off = eyeriss_alex5("nogate")
    rows = []
    for a, b in list(zip(on["layers"], off["layers"])) + [(on["total"], off["total"])]:
        pe = [(x["energy_pj"]["rf"] + x["energy_pj"]["mac"]) / 1e6 for x in (a, b)]
        name = a["name"] if a["name"] != "total" else "**CONV1-5**"
        saved = f"{1 - pe[0] / pe[1]:.1%}"
        rows.append([
            name, f"{a['gated_macs']:,} ({a['gated_macs'] / a['macs']:.1%})",
            f"{a['energy_pj']['rf'] / 1e6:.1f} / {b['energy_pj']['rf'] / 1e6:.1f}",
            f"{a['energy_pj']['mac'] / 1e6:.1f} / {b['energy_pj']['mac'] / 1e6:.1f}",
            f"{pe[0]:.1f} / {pe[1]:.1f}", f"**{saved}**" if name.startswith("**") else saved,
            f"{pe[0] * 1e-6 / a['seconds'] * 1e3:.1f} / {pe[1] * 1e-6 / b['seconds'] * 1e3:.1f}",
            f"{a['average_power_mw']:.1f} / {b['average_power_mw']:.1f}",
            f"{b['gated_macs']:,}", f"{a['output_check']} / {b['output_check']}"])
    print(md_table(["Layer", "gated MACs with gating (share)", "E.rf on / off (uJ)",
                    "E.mac on / off (uJ)", "PE energy on / off (uJ)", "PE energy saved",
                    "PE power on / off (mW)", "chip power on / off (mW)",
                    "gated MACs without gating", "check on / off"], rows))


def cmd_stats_diff(argv):
    """stats-diff VARIANT_A VARIANT_B: `diff` of the stats.json files of AlexNet CONV1-5 (batch
    4) on two copies of eyeriss_v1.yaml, with the copies' paths shortened to their names and
    without the provenance (which records each copy's text)."""
    a, b = argv
    texts = []
    for v in (a, b):
        _, s = eyeriss_alex5(v)
        s = {k: x for k, x in s.items() if k != "provenance"}
        texts.append(json.dumps(s, indent=1, sort_keys=True).replace(
            eyeriss_variant(v), f"eyeriss_{v}.yaml" if v not in ("base", "dense")
            else "configs/eyeriss_v1.yaml").split("\n"))
    import difflib
    diff = [l for l in difflib.unified_diff(texts[0], texts[1], a, b, n=0, lineterm="")
            if not l.startswith("@@")]
    print("\n".join(diff) if diff else "(identical)")


# --------------------------------------------------------------------------------------------
# compression.md section 1: .npy operands and an ONNX model, written without numpy or onnx


SCNN_NETS = [("AlexNet", "alexnet"), ("GoogLeNet", "googlenet"), ("VGG-16", "vgg16")]


def scnn_layers(net):
    """The layers of bench/scnn_networks.sh: the convolutions with published densities."""
    names = []
    with open(os.path.join(ROOT, "workloads", f"{net}_pruned.yaml")) as f:
        for line in f:
            if re.search(r"type: conv.*weight_density", line):
                names.append(re.search(r"name: ([^,]+),", line).group(1))
    return ",".join(names)


def scnn_run(net, arch, extra=()):
    return simulate(["run", "--arch", arch if arch.endswith(".yaml") else f"configs/{arch}.yaml",
                     "--workload", f"workloads/{net}_pruned.yaml", "--layers", scnn_layers(net),
                     "--no-check"] + list(extra))[1]


def cmd_scnn_networks(argv):
    """scnn-networks: scnn.md 6.1, SCNN, DCNN and DCNN-opt on the pruned networks (the runs of
    bench/scnn_networks.sh), with the averages over the three networks."""
    rows, sp, eg, og = [], [], [], []
    for label, net in SCNN_NETS:
        s, d, o = (scnn_run(net, a)["total"] for a in ("scnn", "dcnn", "dcnn_opt"))
        es, ed, eo = (x["energy_pj"]["total"] / 1e6 for x in (s, d, o))
        sp.append(d["cycles"] / s["cycles"]); eg.append(ed / es); og.append(ed / eo)
        rows.append([label, len(scnn_layers(net).split(",")), f"{s['cycles']:,}",
                     f"{d['cycles']:,}", f"{o['cycles']:,}", f"{sp[-1]:.2f}x", f"{es:,.1f}",
                     f"{ed:,.1f}", f"{eo:,.1f}", f"{eg[-1]:.2f}x", f"{og[-1]:.2f}x"])
    avg = lambda v: sum(v) / len(v)
    rows.append(["**average**", "", "", "", "", f"**{avg(sp):.2f}x**", "", "", "",
                 f"**{avg(eg):.2f}x**", f"**{avg(og):.2f}x**"])
    print(md_table(["network", "layers", "SCNN cycles", "DCNN cycles", "DCNN-opt cycles",
                    "speed-up", "SCNN energy (uJ)", "DCNN energy (uJ)", "DCNN-opt energy (uJ)",
                    "SCNN energy gain", "DCNN-opt gain"], rows,
                   ["---"] + ["---:"] * 10))


def cmd_scnn_dram(argv):
    """scnn-dram: scnn.md 6.4, the energy gains of 6.1 with the DRAM energy rescaled from the
    shipped 8 pJ/bit to other values (the other levels do not depend on it)."""
    rows = []
    for pj in (20, 8, 5, 2):
        gains, opt = [], []
        for _, net in SCNN_NETS:
            e = {a: scnn_run(net, a)["total"]["energy_pj"] for a in ("scnn", "dcnn", "dcnn_opt")}
            tot = {a: v["total"] - v["dram"] + v["dram"] * pj / 8 for a, v in e.items()}
            gains.append(tot["dcnn"] / tot["scnn"]); opt.append(tot["dcnn"] / tot["dcnn_opt"])
        label = {20: "20 (DDR3/DDR4-class)", 8: "**8 (shipped)**"}.get(pj, str(pj))
        rows.append([label, " / ".join(f"{g:.2f}" for g in gains),
                     f"{sum(gains) / 3:.2f}x", " / ".join(f"{g:.2f}" for g in opt),
                     f"{sum(opt) / 3:.2f}x"])
    print(md_table(["DRAM pJ/bit", "SCNN energy gain AlexNet / GoogLeNet / VGG-16", "average",
                    "DCNN-opt gain AlexNet / GoogLeNet / VGG-16", "average"], rows,
                   ["---:", "---", "---:", "---", "---:"]))


def cmd_scnn_estimates(argv):
    """scnn-estimates: scnn.md 5, simulated / estimated cycles per layer of the 6.1 runs: the
    range over the layers after the first, and the first layer's."""
    rows = []
    for label, net in SCNN_NETS:
        for arch in ("scnn", "dcnn", "dcnn_opt"):
            ls = scnn_run(net, arch)["layers"]
            r = [(l["cycles"] / l["estimate"]["cycles"], l["name"]) for l in ls]
            rest = r[1:]
            rows.append([label, arch, f"{min(rest)[0]:.2f} ({min(rest)[1]})",
                         f"{max(rest)[0]:.2f} ({max(rest)[1]})", f"{r[0][0]:.2f} ({r[0][1]})"])
    print(md_table(["network", "array", "lowest (layer)", "highest (layer)",
                    "first layer of the run"], rows))


def arch_with(base, **changes):
    """A copy of configs/BASE.yaml with `section.key: value` lines changed (cache folder)."""
    with open(os.path.join(ROOT, "configs", base + ".yaml")) as f:
        text = f.read()
    for dotted, value in changes.items():
        section, key = dotted.split("__")
        m = re.search(rf"(?m)^{section}:\n(?:  .*\n|\n)*?  {key}: *([^\s#]+)", text)
        assert m, dotted
        text = text[:m.start(1)] + str(value) + text[m.end(1):]
    cache = os.path.join(tempfile.gettempdir(), "dfsim_doc_tables_cache")
    os.makedirs(cache, exist_ok=True)
    path = os.path.join(cache, f"{base}_" + hashlib.sha1(text.encode()).hexdigest()[:12] + ".yaml")
    if not os.path.exists(path):
        with open(path + f".{os.getpid()}", "w") as f:
            f.write(text)
        os.replace(path + f".{os.getpid()}", path)
    return path


def cmd_scnn_delivery(argv):
    """scnn-delivery: scnn.md 6.2, GoogLeNet's inception layers at density 0.1 with the weight
    delivery widened, and the DRAM time of what SCNN reads."""
    dens = ["--weight-density", "0.1", "--input-density", "0.1"]
    dcnn = scnn_run("googlenet", "dcnn", dens)["total"]
    configs = [("shipped (128-bit LPDDR4-class DRAM, 256-bit broadcast)", {}),
               ("DRAM 8x wider (1024 bits)", {"dram__bus_width_bits": 1024}),
               ("DRAM 8x wider, broadcast 4096 bits",
                {"dram__bus_width_bits": 1024, "noc__weight_bus_bits": 4096})]
    rows = []
    for label, ch in configs:
        arch = arch_with("scnn", **ch) if ch else "scnn"
        s = scnn_run("googlenet", arch, dens)["total"]
        rows.append([label, f"{dcnn['cycles'] / s['cycles']:.1f}x"])
        if not ch:
            shipped = scnn_run("googlenet", arch, dens)
    print(md_table(["configuration (density 0.1)", "SCNN performance / DCNN"], rows,
                   ["---", "---:"]))
    t = shipped["total"]
    dram = t["dram_read_bytes"] + t["dram_write_bytes"]
    tails = [l["cycle_breakdown"]["final_post_processing"] for l in shipped["layers"]]
    print()
    print(f"At density 0.1 SCNN moves {dram:,} bytes to and from DRAM for these "
          f"{len(shipped['layers'])} layers ({t['dram_read_bytes']:,} read), "
          f"{dram / 25.6:,.0f} cycles at 25.6 GB/s; 24x DCNN's {dcnn['cycles']:,} cycles would "
          f"be {dcnn['cycles'] / 24:,.0f} cycles. The layers' final post-processing takes "
          f"{min(tails):,} to {max(tails):,} cycles.")


def run_sweep(spec):
    """Runs `dfsim sweep SPEC -j 2` into a folder of the cache (once per binary and inputs;
    the key includes the spec's text) and exports its points as all.csv; returns the folder."""
    import fcntl
    with open(os.path.join(ROOT, spec)) as f:
        key = cache_key(["sweep", spec, f.read()])
    cache = os.path.join(tempfile.gettempdir(), "dfsim_doc_tables_cache")
    os.makedirs(cache, exist_ok=True)
    out = os.path.join(cache, "sweep_" + key)
    with open(out + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(os.path.join(out, "all.csv")):
            shutil.rmtree(out, ignore_errors=True)
            p = subprocess.run([DFSIM, "sweep", spec, "-j", "2", "--out", out], cwd=ROOT,
                               capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit(f"doc_tables: dfsim sweep {spec} exited {p.returncode}:\n{p.stderr}")
            with open(os.path.join(out, "stderr.txt"), "w") as f:
                f.write(p.stderr)
            subprocess.run([DFSIM, "sweep", spec, "--export", "csv", "--output",
                            os.path.join(out, "all.csv"), "--out", out], cwd=ROOT, check=True)
    return out


def cmd_sweep_log(argv):
    """sweep-log SPEC NAME: what `dfsim sweep SPEC -j 2` prints when stderr is not a terminal,
    without the progress lines (their times vary), the folder shown as sweeps/NAME."""
    out = run_sweep(argv[0])
    with open(os.path.join(out, "stderr.txt")) as f:
        lines = [l.replace(out, f"sweeps/{argv[1]}") for l in f.read().splitlines()
                 if "elapsed" not in l]
    print("\n".join(lines))


def sweep_tmp_files(d):
    """A one-layer workload wl.yaml (conv_a) in D, as the examples of sweeps.md use."""
    with open(os.path.join(d, "wl.yaml"), "w") as f:
        f.write("network: wl\nlayers:\n  - {name: conv_a, type: conv, C: 8, M: 16, H: 16, "
                "W: 16, R: 3, S: 3, padding: 1}\n"
                "  - {name: big, type: conv, C: 3, M: 8, H: 32, W: 32, R: 11, S: 11}\n")


def sweep_cmd(d, spec_text, *extra):
    with open(os.path.join(d, "spec.yaml"), "w") as f:
        f.write(spec_text.replace("BASE", os.path.join(ROOT, "configs", "eyeriss_v1.yaml")))
    p = subprocess.run([DFSIM, "sweep", os.path.join(d, "spec.yaml"), "--out",
                        os.path.join(d, "out")] + list(extra), cwd=ROOT, capture_output=True,
                       text=True)
    clean = lambda t: t.replace(d + "/", "").replace(ROOT + "/", "")
    return p.returncode, clean(p.stdout), clean(p.stderr)


def cmd_sweep_errors(argv):
    """sweep-errors: sweeps.md 5, the messages of bad specs (each a variation of a small spec
    in a scratch folder; file names shown as given)."""
    d = tmpdir()
    sweep_tmp_files(d)
    head = "sweep: s\nbase_arch: BASE\nworkloads:\n  - {file: wl.yaml, layers: [conv_a]}\n"
    specs = [
        head + "paramters:\n  - {key: glb.banks, values: [11]}\n",
        head + "objectives: [energy, latency]\nparameters:\n  - {key: glb.bankz, values: [11]}\n",
        head + "objectives: [energy, latency]\nparameters:\n"
               "  - {key: pe_array.rows, values: [12, 0]}\n",
        head + "objectives: [energy, latency]\nparameters:\n  - zip:\n"
               "      - {key: pe_array.rows, values: [12, 16]}\n"
               "      - {key: pe_array.cols, values: [8, 14, 16]}\n",
        head + "objectives: [energy, latncy]\n",
        "sweep: s\nbase_arch: BASE\nworkloads:\n  - {file: nope.yaml}\n",
        "sweep: s\nbase_arch: BASE\nworkloads:\n  - {file: wl.yaml, layers: [conv_b]}\n",
        head + "parameters:\n  - {key: pe_array.rows, range: {from: 8, to: 16, step: 0}}\n",
    ]
    for spec in specs:
        code, _, err = sweep_cmd(d, spec)
        print(err.strip() + f"   (exit {code}; created out/: {os.path.exists(os.path.join(d, 'out'))})")


def cmd_sweep_fail(argv):
    """sweep-fail: sweeps.md 8, a sweep whose first point cannot map its layer (an 8-row array
    and an 11 x 11 filter): the summary lines it prints, and the exit code."""
    d = tmpdir()
    sweep_tmp_files(d)
    code, _, err = sweep_cmd(d, "sweep: fails\nbase_arch: BASE\nworkloads:\n"
                                "  - {file: wl.yaml, layers: [big]}\nparameters:\n"
                                "  - {key: pe_array.rows, values: [8, 12, 16]}\n", "-j", "2")
    lines = [l for l in err.splitlines() if "elapsed" not in l and "Pareto" not in l
             and "points, 0 already" not in l]
    print("\n".join(lines) + f"\n(exit code {code})")


def cmd_sweep_json(argv):
    """sweep-json: sweeps.md 10, the JSON export of a one-point sweep (wall_seconds, the only
    field that varies between runs, shown as ...)."""
    d = tmpdir()
    sweep_tmp_files(d)
    spec = ("sweep: one\nbase_arch: BASE\nworkloads:\n  - {file: wl.yaml, layers: [conv_a]}\n"
            "parameters:\n  - {key: glb.banks, values: [11]}\n  - zip:\n"
            "      - {key: pe_array.rows, values: [8]}\n      - {key: pe_array.cols, values: [8]}\n")
    code, _, err = sweep_cmd(d, spec)
    assert code == 0, err
    code, out, err = sweep_cmd(d, spec, "--export", "json")
    assert code == 0, err
    print(re.sub(r'"wall_seconds": [0-9.e+-]+', '"wall_seconds": ...', out.strip()))


def cmd_sweep_table(argv):
    """sweep-table SPEC KEY,KEY... -- runs `dfsim sweep SPEC -j 2` (run_sweep) and prints
    every point (index, the given parameters, the objectives, on the Pareto front or not) from
    its CSV export and pareto.csv, sorted by energy."""
    import csv
    spec, keys = argv[0], argv[1].split(",")
    out = run_sweep(spec)
    with open(os.path.join(out, "all.csv")) as f:
        points = list(csv.DictReader(f))
    with open(os.path.join(out, "pareto.csv")) as f:
        front = {r["hash"] for r in csv.DictReader(f)}
    points.sort(key=lambda r: float(r["energy_pj"]))
    rows = []
    for r in points:
        params = json.loads(r["params"])
        rows.append([r["index"]] + [params.get(k, "") for k in keys] + [
            f"{float(r['energy_pj']) / 1e9:.4g}", f"{float(r['seconds']) * 1e3:.3f}",
            f"{float(r['onchip_storage_bytes']) / 1024:.1f}",
            f"{float(r['energy_pj']) / 1e9 * float(r['seconds']) * 1e3:.4g}",
            pct(float(r["utilization"])), "yes" if r["hash"] in front else "no"])
    print(md_table(["index"] + [f"`{k}`" for k in keys] +
                   ["energy (mJ)", "latency (ms)", "on-chip storage (KiB)", "EDP (mJ ms)",
                    "utilization", "on the front"], rows, ["---:"] * (len(keys) + 7)))


def cmd_sweep_sizes(argv):
    """sweep-sizes SPEC KEY -- runs `dfsim sweep SPEC -j 2` (run_sweep) and prints every point
    sorted by KEY (a size): energy, latency, DRAM traffic, the sized parts' area, and whether
    the point has the least energy."""
    import csv
    spec, key = argv[0], argv[1]
    out = run_sweep(spec)
    with open(os.path.join(out, "all.csv")) as f:
        points = list(csv.DictReader(f))
    points.sort(key=lambda r: float(json.loads(r["params"])[key]))
    least = min(float(r["energy_pj"]) for r in points)
    rows = [[json.loads(r["params"])[key], f"{float(r['energy_pj']) / 1e9:.4f}",
             f"{float(r['seconds']) * 1e3:.3f}", f"{float(r['dram_bytes']) / 1e6:.3f}",
             f"{float(r['area_mm2']):.3f}", "least" if float(r["energy_pj"]) == least else ""]
            for r in points]
    print(md_table([f"`{key}`", "energy (mJ)", "latency (ms)", "DRAM (MB)", "area (mm^2)",
                    "energy"], rows, ["---:"] * 5 + ["---"]))


def cmd_planar_errors(argv):
    """planar-errors: config-reference.md 2.6 and 3.3, the messages for planar-tiled mappings
    that do not fit (a layer L: C = 16, M = 12, 20 x 20, 3 x 3, padding 1, on configs/scnn.yaml
    unless named), file names as given."""
    d = tmpdir()
    with open(os.path.join(d, "wl.yaml"), "w") as f:
        f.write("network: wl\nlayers:\n  - {name: L, type: conv, C: 16, M: 12, H: 20, W: 20, "
                "R: 3, S: 3, padding: 1}\n"
                "  - {name: big, type: conv, C: 4, M: 4, H: 200, W: 200, R: 3, S: 3, padding: 1}\n")
    small_acc = arch_with("scnn", pe__accumulator_bank_entries=2)
    one_bank = arch_with("scnn", pe__accumulator_banks=1, pe__accumulator_bank_entries=4)
    cases = [  # (mapping of L or None, arch, layer, note)
        ("{px: 9, py: 8, pc: 1, rounds_x: 1, rounds_y: 1, kc: 4}", "configs/scnn.yaml", "L", ""),
        ("{px: 4, py: 4, pc: 1, rounds_x: 21, rounds_y: 1, kc: 4}", "configs/scnn.yaml", "L", ""),
        ("{px: 1, py: 1, pc: 1, rounds_x: 1, rounds_y: 1, kc: 1}", small_acc, "L",
         "  (accumulator_bank_entries: 2, so A = 64)"),
        ("{px: 4, py: 4, pc: 1, rounds_x: 1, rounds_y: 1, kc: 13}", "configs/scnn.yaml", "L", ""),
        (None, one_bank, "big", "  (one bank of 4 entries, a 200 x 200 plane)"),
    ]
    for mapping, arch, layer, note in cases:
        args = [DFSIM, "map", "--arch", arch, "--workload", os.path.join(d, "wl.yaml"),
                "--layers", layer]
        if mapping:
            with open(os.path.join(d, "m.yaml"), "w") as f:
                f.write(f"mappings:\n  {layer}: {mapping}\n")
            args += ["--mapping", os.path.join(d, "m.yaml")]
        p = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
        print(p.stderr.strip().replace(d + "/", "") + note)


def npy_bytes(dtype, shape, values, fortran=False):
    """A .npy file (format 1.0) of DTYPE (a numpy descr such as '<i2') and SHAPE."""
    import struct
    header = (f"{{'descr': '{dtype}', 'fortran_order': {fortran}, "
              f"'shape': ({', '.join(str(s) for s in shape)}{',' if len(shape) == 1 else ''}), }}")
    pad = 64 - (10 + len(header) + 1) % 64
    header += " " * pad + "\n"
    code = {"i1": "b", "u1": "B", "i2": "h", "u2": "H", "i4": "i", "u4": "I", "i8": "q",
            "f4": "f"}[dtype[1:]]
    order = ">" if dtype[0] == ">" else "<"
    data = struct.pack(f"{order}{len(values)}{code}", *values)
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def cmd_npy_errors(argv):
    """npy-errors: compression.md 1.5, dfsim's messages for bad .npy operands (a one-layer
    workload with C = 2, M = 4, an 8 x 8 ifmap and a 3 x 3 kernel; file names as given)."""
    d = tmpdir()
    layer = "{name: L, type: conv, C: 2, M: 4, H: 8, W: 8, R: 3, S: 3, padding: 1, %s}"
    cases = [  # (workload name, layer keys, files, extra dfsim arguments)
        ("w_shape", "weights_file: w_shape.npy", {"w_shape.npy": ("<i2", (4, 2, 9), [1] * 72)}, []),
        ("w_f4", "weights_file: w_f4.npy", {"w_f4.npy": ("<f4", (4, 2, 3, 3), [1.0] * 72)}, []),
        ("w_be", "weights_file: w_be.npy", {"w_be.npy": (">i2", (4, 2, 3, 3), [1] * 72)}, []),
        ("w_i8", "weights_file: w_i8.npy", {"w_i8.npy": ("<i8", (4, 2, 3, 3), [1] * 72)}, []),
        ("w_big", "weights_file: w_big.npy",
         {"w_big.npy": ("<i4", (4, 2, 3, 3), [40000] + [1] * 71)}, []),
        ("x_batch", "ifmap_file: x.npy", {"x.npy": ("<i2", (1, 2, 8, 8), [1] * 128)},
         ["--batch", "2"]),
        ("w_300", "weights_file: w_300.npy",
         {"w_300.npy": ("<i2", (4, 2, 3, 3), [300] + [1] * 71)}, ["tpu"]),
    ]
    for name, keys, files, extra in cases:
        for fname, (dt, shape, vals) in files.items():
            with open(os.path.join(d, fname), "wb") as f:
                f.write(npy_bytes(dt, shape, vals))
        wl = os.path.join(d, name + ".yaml")
        with open(wl, "w") as f:
            f.write(f"network: {name}\nlayers:\n  - " + layer % keys + "\n")
        arch = "configs/tpu_v1.yaml" if extra == ["tpu"] else "configs/eyeriss_v1.yaml"
        extra = [] if extra == ["tpu"] else extra
        p = subprocess.run([DFSIM, "run", "--arch", arch, "--workload", wl, "--no-check"] + extra,
                           cwd=ROOT, capture_output=True, text=True)
        print(p.stderr.strip().replace(d + "/", "") + f"   (exit {p.returncode})")


def cmd_density_sizes(argv):
    """density-sizes: compression.md 2.3, encoded size / dense size of the weights and the
    ifmap of docs/examples/density_sweep_layers.yaml, from compressed_bits; the smallest of each
    row's formats in bold."""
    _, stats = simulate(["run", "--arch", "configs/eyeriss_v1.yaml", "--workload",
                         "docs/examples/density_sweep_layers.yaml", "--no-check"])
    fmts = ["rlc", "zero_run", "csr", "csc", "bitmask"]
    rows = []
    for l in stats["layers"]:
        row = [l["name"][1:].replace("_", ".")]
        for kind in ("weights", "ifmap"):
            b = l["compressed_bits"][kind]
            r = {f: b[f] / b["dense"] for f in fmts}
            best = min(r.values())
            row += [f"**{r[f]:.3f}**" if r[f] == best and best < 1 else f"{r[f]:.3f}"
                    for f in fmts]
        rows.append(row)
    print(md_table(["d", "weights: rlc", "zero_run", "csr", "csc", "bitmask", "ifmap: rlc",
                    "zero_run", "csr", "csc", "bitmask"], rows))


def pb_varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb(field, value):
    """One protobuf field: an int (varint), bytes/str (length-delimited) or a float (32-bit)."""
    import struct
    if isinstance(value, bool) or isinstance(value, int):
        return pb_varint(field << 3) + pb_varint(value)
    if isinstance(value, float):
        return pb_varint(field << 3 | 5) + struct.pack("<f", value)
    if isinstance(value, str):
        value = value.encode()
    return pb_varint(field << 3 | 2) + pb_varint(len(value)) + value


def onnx_tensor(name, dims, values):
    import struct
    return (b"".join(pb(1, d) for d in dims) + pb(2, 1) + pb(8, name)
            + pb(9, struct.pack(f"<{len(values)}f", *values)))


def onnx_node(op, inputs, outputs, name, ints=(), int_lists=()):
    attrs = b""
    for k, v in ints:
        attrs += pb(5, pb(1, k) + pb(3, v) + pb(20, 2))
    for k, vs in int_lists:
        attrs += pb(5, pb(1, k) + b"".join(pb(8, v) for v in vs) + pb(20, 7))
    return (b"".join(pb(1, i) for i in inputs) + b"".join(pb(2, o) for o in outputs)
            + pb(3, name) + pb(4, op) + attrs)


def onnx_weights(count, zero_every, seed):
    """Deterministic weights of magnitude 0.001 to 1 and random sign; the first ZERO_EVERY of
    each ten consecutive weights are exactly 0."""
    out, x = [], seed
    for i in range(count):
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        v = 0.001 + 0.999 * ((x >> 11) / float(1 << 53))
        out.append(0.0 if i % 10 < zero_every else (v if (x >> 7) & 1 else -v))
    return out


def tinycnn_bytes():
    """compression.md 1.6: Conv 3->16 3x3 pad 1, Relu, MaxPool 2/2, Conv 16->32 3x3 pad 1 with
    60% of its weights exactly 0, Relu, MaxPool 2/2, Flatten, Gemm 2048->10 with 90% zeros and a
    bias; input [batch, 3, 32, 32] with a symbolic batch."""
    nodes = [
        onnx_node("Conv", ["x", "w1"], ["c1"], "conv1", int_lists=[("pads", [1, 1, 1, 1])]),
        onnx_node("Relu", ["c1"], ["r1"], "relu1"),
        onnx_node("MaxPool", ["r1"], ["p1"], "pool1",
                  int_lists=[("kernel_shape", [2, 2]), ("strides", [2, 2])]),
        onnx_node("Conv", ["p1", "w2"], ["c2"], "conv2", int_lists=[("pads", [1, 1, 1, 1])]),
        onnx_node("Relu", ["c2"], ["r2"], "relu2"),
        onnx_node("MaxPool", ["r2"], ["p2"], "pool2",
                  int_lists=[("kernel_shape", [2, 2]), ("strides", [2, 2])]),
        onnx_node("Flatten", ["p2"], ["f"], "flatten", ints=[("axis", 1)]),
        onnx_node("Gemm", ["f", "w3", "b3"], ["y"], "fc", ints=[("transB", 1)]),
    ]
    inits = [onnx_tensor("w1", [16, 3, 3, 3], onnx_weights(432, 0, 1)),
             onnx_tensor("w2", [32, 16, 3, 3], onnx_weights(4608, 6, 2)),
             onnx_tensor("w3", [10, 2048], onnx_weights(20480, 9, 3)),
             onnx_tensor("b3", [10], onnx_weights(10, 0, 4))]
    dims = pb(1, pb(2, "batch")) + b"".join(pb(1, pb(1, d)) for d in (3, 32, 32))
    x = pb(1, "x") + pb(2, pb(1, pb(1, 1) + pb(2, dims)))
    graph = (b"".join(pb(1, n) for n in nodes) + pb(2, "tinycnn")
             + b"".join(pb(5, t) for t in inits) + pb(11, x) + pb(12, pb(1, "y")))
    return pb(1, 8) + pb(2, "dfsim-docs") + pb(7, graph) + pb(8, pb(1, "") + pb(2, 13))


def cmd_onnx_model(argv):
    """onnx-model DIR: writes DIR/tinycnn.onnx, the three-layer model of compression.md 1.6."""
    os.makedirs(argv[0], exist_ok=True)
    with open(os.path.join(argv[0], "tinycnn.onnx"), "wb") as f:
        f.write(tinycnn_bytes())


DATAFLOWS = [("RS", "rs_256"), ("WS", "ws_256"), ("OS", "os_256"), ("NLR", "nlr_256")]
CONV = ["conv1", "conv2", "conv3", "conv4", "conv5"]
FC = ["fc6", "fc7", "fc8"]
LEVELS = [("dram", "DRAM"), ("glb", "GLB"), ("noc", "NoC"), ("rf", "RF"), ("mac", "ALU")]
# RS on AlexNet at batch 16, 10^9 MAC energies (Chen et al., ISCA 2016): ALU, DRAM, RF.
RS_PAPER = {"conv1": (1.69, 2.46, 6.75), "conv2": (3.58, 2.27, 14.33), "conv3": (2.39, 2.02, 9.57),
            "conv4": (1.79, 1.57, 7.18), "conv5": (1.20, 1.05, 4.78), "fc6": (0.60, 7.78, 2.42),
            "fc7": (0.27, 3.39, 1.07), "fc8": (0.07, 0.84, 0.26)}


def dataflow_runs():
    """{name: {layer: layer object}} of AlexNet at batch 16 on the four configs/dataflows files,
    mapped for energy (shared with the test DataflowComparison)."""
    out = {}
    for name, arch in DATAFLOWS:
        _, stats = simulate(["run", "--arch", f"configs/dataflows/{arch}.yaml", "--workload",
                             "workloads/alexnet.yaml", "--batch", "16", "--objective", "energy",
                             "--no-check"])
        out[name] = {l["name"]: l for l in stats["layers"]}
    return out


def level_energy(layers, names, level):
    return sum(layers[n]["energy_pj"][level] for n in names)


def type_energy(layers, names, kind):
    """A data type's energy: each level's energy split by the type's share of its bytes."""
    e = 0.0
    for n in names:
        for lv in ("dram", "glb", "noc", "rf"):
            v = layers[n]["levels"][lv]
            total = v["read_bytes"] + v["write_bytes"]
            t = v["by_type"][kind]
            if total:
                e += v["energy_pj"] * (t["read_bytes"] + t["write_bytes"]) / total
    return e


def dataflow_svg(runs, path):
    """Stacked bars of the CONV and FC energy by level, one bar per dataflow (SVG, no library)."""
    colors = {"dram": "#c0392b", "glb": "#e67e22", "noc": "#2980b9", "rf": "#27ae60",
              "mac": "#7f8c8d"}
    top = max(level_energy(l, CONV, "total") for l in runs.values()) / 1e9
    scale = 300.0 / top
    w, h = 760, 420
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           '<text x="20" y="20" font-size="14">AlexNet, batch 16: energy by level '
           '(10^9 MAC energies)</text>']
    x = 60
    for group, names in (("CONV1-5", CONV), ("FC6-8", FC)):
        for label, _ in DATAFLOWS:
            y = 360.0
            for lv, _ in LEVELS:
                v = level_energy(runs[label], names, lv) / 1e9 * scale
                out.append(f'<rect x="{x}" y="{y - v:.1f}" width="40" height="{v:.1f}" '
                           f'fill="{colors[lv]}"/>')
                y -= v
            total = level_energy(runs[label], names, "total") / 1e9
            out.append(f'<text x="{x + 20}" y="{y - 4:.1f}" text-anchor="middle">'
                       f'{total:.1f}</text>')
            out.append(f'<text x="{x + 20}" y="376" text-anchor="middle">{label}</text>')
            x += 60
        out.append(f'<text x="{x - 150}" y="396" text-anchor="middle">{group}</text>')
        x += 60
    for i, (lv, name) in enumerate(LEVELS):
        out.append(f'<rect x="{600}" y="{60 + 22 * i}" width="14" height="14" '
                   f'fill="{colors[lv]}"/><text x="620" y="{72 + 22 * i}">{name}</text>')
    out.append('<line x1="50" y1="360" x2="580" y2="360" stroke="black"/></svg>')
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def cmd_dataflows(argv):
    """dataflows: dataflows.md, AlexNet at batch 16 on the four dataflows: energy by level and
    ratio to RS (CONV and FC), energy by data type, RS per layer against the paper; writes
    docs/img/dataflow_energy.svg."""
    runs = dataflow_runs()
    rows = []
    for label, _ in DATAFLOWS:
        row = [label]
        for names in (CONV, FC):
            e = level_energy(runs[label], names, "total")
            row += [f"{e / 1e9:.1f}", f"{e / level_energy(runs['RS'], names, 'total'):.2f}"]
        row += [f"{level_energy(runs[label], CONV, lv) / 1e9:.1f}" for lv, _ in LEVELS]
        rows.append(row)
    print(md_table(["dataflow", "CONV", "x RS", "FC", "x RS"] + [f"CONV {n}" for _, n in LEVELS],
                   rows))
    print()
    rows = []
    for label, _ in DATAFLOWS:
        rows.append([label] + [f"{type_energy(runs[label], CONV, k) / 1e9:.1f}"
                               for k in ("weight", "ifmap", "psum", "ofmap")]
                    + [f"{type_energy(runs[label], FC, k) / 1e9:.1f}"
                       for k in ("weight", "ifmap", "psum")])
    print(md_table(["dataflow", "CONV weight", "ifmap", "psum", "ofmap", "FC weight", "ifmap",
                    "psum"], rows))
    print()
    rows = []
    for n in CONV + FC:
        e = runs["RS"][n]["energy_pj"]
        p = RS_PAPER[n]
        diff = [round(e[k] / 1e9 / v - 1, 2) + 0.0 for k, v in zip(("mac", "dram", "rf"), p)]
        rows.append([n] + [f"{e[k] / 1e9:.2f} ({v:.2f}, {d:+.0%})"
                           for (k, v), d in zip(zip(("mac", "dram", "rf"), p), diff)])
    print(md_table(["RS layer", "ALU (paper, diff)", "DRAM (paper, diff)", "RF (paper, diff)"],
                   rows))
    dataflow_svg(runs, os.path.join(ROOT, "docs", "img", "dataflow_energy.svg"))


# --------------------------------------------------------------------------------------------



def main():
    cmds = {n[4:].replace("_", "-"): f for n, f in globals().items() if n.startswith("cmd_")}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__)
        for n, f in cmds.items():
            print(f"  {f.__doc__.splitlines()[0]}")
        sys.exit(0 if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help") else 2)
    try:
        cmds[sys.argv[1]](sys.argv[2:])
    finally:
        if TMP:
            shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
