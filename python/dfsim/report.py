"""dfsim.report: a run's stats.json or a sweep's folder as an HTML page with SVG plots.

    dfsim report out/alexnet               # the folder of `dfsim run --out` (or its stats.json)
    dfsim report sweeps/glb_size           # a sweep's folder (its sweep.sqlite)
    python3 -m dfsim.report PATH [--out DIR]

The page (DIR/index.html, default PATH/report) is one self-contained file with the plots inline;
each plot is also written as DIR/NAME.svg for papers. A run shows per layer: the energy by level
and by data type, the time and utilization, and each layer's place on the roofline of the
architecture's MAC units and DRAM bandwidth. A sweep shows the Pareto plot of its first two
objectives with the front's points labelled by their parameters, and the table of points. The same
input gives byte-identical files. Plots use matplotlib (Debian's python3-matplotlib).
"""

from __future__ import annotations

import argparse
import html
import io
import json
import math
import os
import shutil
import sqlite3
import sys
import tempfile

__all__ = ["report", "ReportError", "main"]

LEVELS = ("dram", "glb", "noc", "rf")
DATA_TYPES = ("weight", "ifmap", "psum", "ofmap")
# Colours of the levels and data types (colour-blind safe, Okabe-Ito).
LEVEL_COLOURS = {"dram": "#0072B2", "glb": "#E69F00", "noc": "#009E73", "rf": "#CC79A7",
                 "mac": "#D55E00", "idle": "#999999"}
TYPE_COLOURS = {"weight": "#0072B2", "ifmap": "#E69F00", "psum": "#009E73", "ofmap": "#CC79A7",
                "other": "#56B4E9", "mac": "#D55E00", "idle": "#999999"}


class ReportError(ValueError):
    """The input is not a stats.json or a sweep folder dfsim wrote; the message names the file."""


# ----------------------------------------------------------------------------- units

def _scaled(values, unit: str, steps):
    """(factor, label) putting the largest of `values` between 1 and 1000 of a step's unit."""
    top = max((abs(v) for v in values), default=0)
    chosen = steps[0]
    for step in steps:
        if top >= step[0]:
            chosen = step
    return chosen[0], chosen[1] + unit


ENERGY_STEPS = [(1, "p"), (1e3, "n"), (1e6, "u"), (1e9, "m"), (1e12, "")]       # from pJ
TIME_STEPS = [(1e-9, "n"), (1e-6, "u"), (1e-3, "m"), (1, "")]                   # from s
BYTE_STEPS = [(1, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T")]          # from B
OPS_STEPS = [(1, ""), (1e3, "k"), (1e6, "M"), (1e9, "G"), (1e12, "T"), (1e15, "P")]


def energy_unit(values_pj):
    """(pJ per unit, "uJ") for energies given in pJ."""
    return _scaled(values_pj, "J", ENERGY_STEPS)


def time_unit(values_s):
    return _scaled(values_s, "s", TIME_STEPS)


def _plain(value: float) -> str:
    """Three significant digits without an exponent: 0.0123, 4.56, 2,700."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _readable(value: float, unit: str, steps) -> str:
    factor, label = _scaled([value], unit, steps)
    return f"{value / factor:.4g} {label}"


# Each objective of a sweep: its column in the points table, its unit steps and base unit.
OBJECTIVES = {
    "energy": ("energy_pj", ENERGY_STEPS, "J"),
    "latency": ("seconds", TIME_STEPS, "s"),
    "cycles": ("cycles", OPS_STEPS, " cycles"),
    "edp": ("edp_pj_s", ENERGY_STEPS, "J s"),
    "power": ("power_mw", [(1, "m"), (1e3, ""), (1e6, "k")], "W"),
    "dram_traffic": ("dram_bytes", BYTE_STEPS, "B"),
    "onchip_storage": ("onchip_storage_bytes", BYTE_STEPS, "B"),
    "area": ("area_mm2", [(1, "")], "mm²"),
}


# ----------------------------------------------------------------------------- reading input

def _load_json(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}:{e.lineno}:{e.colno}: not JSON: {e.msg}") from None
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not UTF-8 text: not a stats.json of dfsim run") from None
    except OSError as e:
        raise ReportError(f"{path}: cannot read: {e.strerror}") from None


class _Checker:
    """Checks the keys the report reads, naming the file and the key's path on the first wrong
    one (a stats.json written by another version, or edited by hand)."""

    def __init__(self, path: str):
        self.path = path

    def fail(self, where: str, problem: str):
        raise ReportError(f"{self.path}: {where}: {problem}: not a stats.json of dfsim run")

    def get(self, obj, key: str, where: str, kind, optional: bool = False):
        at = f"{where}.{key}" if where else key
        if not isinstance(obj, dict) or key not in obj:
            if optional:
                return None
            self.fail(at, "missing")
        value = obj[key]
        if kind is float:  # a finite number (JSON integer or real), not a boolean
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not math.isfinite(value):
                self.fail(at, f"not a finite number ({json.dumps(value)[:40]})")
        elif not isinstance(value, kind):
            spelled = {dict: "an object", list: "a list", str: "a string"}[kind]
            self.fail(at, f"not {spelled} ({json.dumps(value)[:40]})")
        return value

    def layer(self, layer, where: str):
        if not isinstance(layer, dict):
            self.fail(where, "not an object")
        self.get(layer, "name", where, str)
        for key in ("macs", "cycles", "seconds", "utilization"):
            if self.get(layer, key, where, float) < 0:
                self.fail(f"{where}.{key}", "negative")
        energy = self.get(layer, "energy_pj", where, dict)
        for key in LEVELS + ("mac", "idle", "total"):
            if self.get(energy, key, where + ".energy_pj", float) < 0:
                self.fail(f"{where}.energy_pj.{key}", "negative")
        levels = self.get(layer, "levels", where, dict)
        for lv in LEVELS:
            level = self.get(levels, lv, where + ".levels", dict)
            for key in ("read_bytes", "write_bytes"):
                self.get(level, key, f"{where}.levels.{lv}", float)
            by_type = self.get(level, "by_type", f"{where}.levels.{lv}", dict, optional=True) or {}
            for t, moved in by_type.items():
                for key in ("read_bytes", "write_bytes"):
                    self.get(moved, key, f"{where}.levels.{lv}.by_type.{t}", float)
        for key in ("mac_units",):
            self.get(layer, key, where, float, optional=True)
        self.get(layer, "output_check", where, str, optional=True)

    def run(self, stats):
        if not isinstance(stats, dict):
            self.fail("top level", "not an object")
        layers = self.get(stats, "layers", "", list)
        if not layers:
            raise ReportError(f"{self.path}: no layers: the run simulated nothing to report")
        for i, layer in enumerate(layers):
            self.layer(layer, f"layers[{i}]")
        self.layer(self.get(stats, "total", "", dict), "total")
        for key in ("arch", "arch_file", "workload", "workload_file", "objective", "dfsim_version"):
            self.get(stats, key, "", str, optional=True)
        for key in ("batch", "seed"):
            self.get(stats, key, "", float, optional=True)
        if self.get(stats, "clock_mhz", "", float) <= 0:
            self.fail("clock_mhz", "not positive")
        for key, name in (self.get(stats, "level_names", "", dict, optional=True) or {}).items():
            if not isinstance(name, str):
                self.fail(f"level_names.{key}", "not a string")
        roof = self.get(stats, "roofline", "", dict, optional=True)
        if roof is not None:
            for key in ("mac_units", "peak_ops_per_s", "dram_peak_bytes_per_s"):
                if self.get(roof, key, "roofline", float) <= 0:
                    self.fail(f"roofline.{key}", "not positive")
        area = self.get(stats, "area", "", dict, optional=True)
        if area is not None:
            self.get(area, "total_mm2", "area", float)
            self.get(area, "source", "area", str)
        provenance = self.get(stats, "provenance", "", dict, optional=True)
        if provenance is not None:
            self.get(provenance, "hash", "provenance", str)
        for i, skipped in enumerate(self.get(stats, "skipped_layers", "", list, optional=True)
                                    or []):
            self.get(skipped, "name", f"skipped_layers[{i}]", str)
            self.get(skipped, "reason", f"skipped_layers[{i}]", str)


def load_run(path: str) -> dict:
    """stats.json, checked for every key the report reads (ReportError naming the key)."""
    stats = _load_json(path)
    _Checker(path).run(stats)
    return stats


# ----------------------------------------------------------------------------- plots

def _pyplot():
    import matplotlib
    matplotlib.use("svg")
    # Glyphs as paths: the page looks the same in every browser, with or without the fonts.
    # Names are plain text: no $...$ math.
    matplotlib.rcParams.update({"svg.hashsalt": "dfsim", "svg.fonttype": "path",
                                "text.parse_math": False, "font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False})
    from matplotlib import pyplot
    return pyplot


def _svg(fig) -> str:
    """The figure as SVG text without a date (byte-identical for the same figure)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    _pyplot().close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # inline: no XML prolog or doctype


def _width(n_bars: int) -> float:
    """Inches: the page shows up to 12 inches of plot (its 1200-pixel column less the legend)."""
    return min(11.0, max(5.5, 0.3 * n_bars + 2.5))


def _layer_axis(ax, names):
    """One tick per layer, by position (layers of the same name stay apart), the names
    rotated to end under their bars when there are many."""
    ax.set_xticks(range(len(names)))
    if len(names) > 24:
        ax.set_xticklabels(names, rotation=90, fontsize=7)
    elif len(names) > 6:
        ax.set_xticklabels(names, rotation=45, ha="right", rotation_mode="anchor")
    else:
        ax.set_xticklabels(names)
    ax.set_xlim(-0.6, len(names) - 0.4)


def _stacked_bars(names, parts, colours, ylabel, title, unit_fn):
    """Bars per layer stacked from `parts` ([(label, key, values)]), scaled by unit_fn."""
    plt = _pyplot()
    totals = [sum(p[2][i] for p in parts) for i in range(len(names))]
    factor, unit = unit_fn(totals)
    fig, ax = plt.subplots(figsize=(_width(len(names)), 3.6))
    bottom = [0.0] * len(names)
    for label, key, values in parts:
        scaled = [v / factor for v in values]
        ax.bar(range(len(names)), scaled, bottom=bottom, label=label, color=colours[key],
               width=0.7)
        bottom = [b + s for b, s in zip(bottom, scaled)]
    ax.set_ylabel(f"{ylabel} ({unit})")
    ax.set_title(title)
    _layer_axis(ax, names)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return _svg(fig)


def energy_by_level_svg(stats: dict) -> str:
    layers = stats["layers"]
    names = [l["name"] for l in layers]
    level_names = stats.get("level_names", {})
    parts = [(level_names.get(lv, lv.upper()), lv, [l["energy_pj"][lv] for l in layers])
             for lv in LEVELS]
    parts += [("MAC", "mac", [l["energy_pj"]["mac"] for l in layers]),
              ("idle", "idle", [l["energy_pj"]["idle"] for l in layers])]
    return _stacked_bars(names, parts, LEVEL_COLOURS, "energy", "Energy per layer by level",
                         energy_unit)


def energy_by_type(layer: dict) -> dict:
    """A layer's energy by data type (pJ): each level's energy shared among the data types in
    proportion to the bytes that level read and wrote of each; MAC and idle energy apart."""
    out = {t: 0.0 for t in DATA_TYPES + ("other",)}
    for lv in LEVELS:
        by_type = layer["levels"][lv].get("by_type", {})
        moved = {t: by_type.get(t, {}).get("read_bytes", 0) + by_type.get(t, {}).get("write_bytes", 0)
                 for t in DATA_TYPES}
        total = sum(moved.values())
        if total:
            for t in DATA_TYPES:
                out[t] += layer["energy_pj"][lv] * moved[t] / total
        else:  # energy without bytes by type (e.g. a stats.json without by_type)
            out["other"] += layer["energy_pj"][lv]
    out["mac"] = layer["energy_pj"]["mac"]
    out["idle"] = layer["energy_pj"]["idle"]
    return out


def energy_by_type_svg(stats: dict) -> str:
    layers = stats["layers"]
    split = [energy_by_type(l) for l in layers]
    keys = DATA_TYPES + (("other",) if any(s["other"] for s in split) else ()) + ("mac", "idle")
    parts = [(t if t != "mac" else "MAC", t, [s[t] for s in split]) for t in keys]
    return _stacked_bars([l["name"] for l in layers], parts, TYPE_COLOURS, "energy",
                         "Energy per layer by data type", energy_unit)


def time_svg(stats: dict) -> str:
    plt = _pyplot()
    layers = stats["layers"]
    names = [l["name"] for l in layers]
    factor, unit = time_unit([l["seconds"] for l in layers])
    fig, ax = plt.subplots(figsize=(_width(len(names)), 3.6))
    ax.bar(range(len(names)), [l["seconds"] / factor for l in layers], color="#0072B2",
           width=0.7, label="time")
    ax.set_ylabel(f"time ({unit})")
    ax.set_title(f"Time and utilization per layer (clock {stats['clock_mhz']:g} MHz)")
    _layer_axis(ax, names)
    util = ax.twinx()
    util.spines["right"].set_visible(True)
    util.plot(range(len(names)), [100 * l["utilization"] for l in layers], color="#D55E00",
              marker="o", ls="none", label="utilization")
    util.set_ylim(0, 105)
    util.set_ylabel("utilization (% of MAC slots)")
    handles = ax.get_legend_handles_labels()[0] + util.get_legend_handles_labels()[0]
    ax.legend(handles, ["time", "utilization"], loc="upper left", bbox_to_anchor=(1.08, 1.0),
              frameon=False)
    return _svg(fig)


def performed_macs(layer: dict) -> float:
    """MACs the MAC units performed: utilization x cycles x MAC units (stats.json's
    utilization: the layer's MACs on a dense datapath, the products a sparse PE accumulates);
    the layer's MACs for a stats.json without mac_units."""
    if "mac_units" not in layer:
        return float(layer["macs"])
    return layer["utilization"] * layer["cycles"] * layer["mac_units"]


def roofline_points(stats: dict) -> list:
    """Per layer: (name, ops per DRAM byte or None without DRAM traffic, ops/s), with 2 ops per
    performed MAC."""
    points = []
    for l in stats["layers"]:
        ops = 2.0 * performed_macs(l)
        moved = l["levels"]["dram"]["read_bytes"] + l["levels"]["dram"]["write_bytes"]
        points.append((l["name"], ops / moved if moved else None,
                       ops / l["seconds"] if l["seconds"] > 0 else 0.0))
    return points


ROOFLINE_LABELS = 15  # layers labelled on the roofline up to this many (else: the table)


def _log_axes(ax):
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):  # 0.01, 1, 100 rather than 10^-2, 10^0, 10^2
        axis.set_major_locator(LogLocator(base=10))
        axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_formatter(NullFormatter())


def roofline_svg(stats: dict) -> str:
    plt = _pyplot()
    roof = stats["roofline"]
    peak, bandwidth = roof["peak_ops_per_s"], roof["dram_peak_bytes_per_s"]
    pts = [p for p in roofline_points(stats) if p[2] > 0]
    finite = [p[1] for p in pts if p[1]]
    ridge = peak / bandwidth
    lo = min(finite + [ridge]) / 10
    hi = max(finite + [ridge]) * 10  # the right edge, where layers without DRAM traffic sit
    factor, unit = _scaled([peak], "OPS", OPS_STEPS)
    fig, ax = plt.subplots(figsize=(6.8, 4.4))
    xs = [lo, ridge, hi]
    ax.plot(xs, [min(peak, bandwidth * x) / factor for x in xs], color="#333333", lw=1.5,
            label=f"roof: {_readable(peak, 'OPS', OPS_STEPS)} peak, "
                  f"{_readable(bandwidth, 'B/s', BYTE_STEPS)} DRAM")
    ax.axvline(ridge, color="#999999", lw=0.8, ls=":",
               label=f"ridge at {_plain(ridge)} ops per DRAM byte")
    top = max([peak] + [p[2] for p in pts]) * 2
    bottom = min([p[2] for p in pts] + [bandwidth * lo, top / 1000]) / 2  # three decades or more
    ax.set_xlim(lo, hi)
    ax.set_ylim(bottom / factor, top / factor)
    for name, x, y in pts:
        px = x if x else hi
        ax.plot([px], [y / factor], "o", color="#0072B2" if x else "#E69F00", ms=5, clip_on=False)
        if len(pts) <= ROOFLINE_LABELS:
            ax.annotate(name, (px, y / factor), textcoords="offset points", xytext=(4, 3),
                        fontsize=8, annotation_clip=False)
    _log_axes(ax)
    ax.set_xlabel("operational intensity (ops per DRAM byte; 2 ops per performed MAC)")
    ax.set_ylabel(f"performance ({unit})")
    title = "Roofline: each layer's achieved performance"
    ax.set_title(title if len(pts) <= ROOFLINE_LABELS else title + " (layers in the table)")
    if any(not p[1] for p in pts):
        ax.plot([], [], "o", color="#E69F00", label="no DRAM traffic (drawn at the right edge)")
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.15), frameon=False)
    ax.grid(True, which="major", alpha=0.3)
    return _svg(fig)


# ----------------------------------------------------------------------------- sweep

def _typed_parameters(db) -> dict:
    """{(hash, key): value} with the type the sweep database gives each value."""
    out = {}
    for h, key, kind, i, r, t in db.execute("SELECT hash, key, type, integer_value, real_value, "
                                            "text_value FROM parameters"):
        out[(h, key)] = {"integer": i, "real": r, "boolean": bool(i)}.get(kind, t)
    return out


def _read_database(path: str) -> tuple:
    """(points, tables, meta, typed parameters) of a sweep database, read from a copy (with its
    write-ahead log) so that nothing is written next to it, read-only storage included."""
    if not os.path.isfile(path):
        raise ReportError(f"{path}: no such file")
    for attempt in range(3):  # a running sweep may checkpoint between the two copies
        try:
            return _read_copy(path)
        except sqlite3.Error as e:
            if attempt == 2:
                raise ReportError(f"{path}: not a sweep database of dfsim: {e}") from None
    raise AssertionError("unreachable")


def _read_copy(path: str) -> tuple:
    """The database read from a copy of it and its write-ahead log in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="dfsim-report-") as tmp:
        copy = os.path.join(tmp, "sweep.sqlite")
        try:
            shutil.copyfile(path, copy)
            if os.path.exists(path + "-wal"):
                shutil.copyfile(path + "-wal", copy + "-wal")
        except OSError as e:
            raise ReportError(f"{path}: cannot read: {e.strerror}") from None
        db = sqlite3.connect(copy)
        try:
            db.row_factory = sqlite3.Row
            points = [dict(r) for r in db.execute("SELECT * FROM points ORDER BY idx")]
            db.row_factory = None
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            meta = dict(db.execute("SELECT key, value FROM meta")) if "meta" in tables else {}
            typed = _typed_parameters(db) if "parameters" in tables else {}
        finally:
            db.close()
    return points, tables, meta, typed


def load_sweep(path: str) -> dict:
    """A sweep's points from its database (the folder's sweep.sqlite, or the .sqlite file
    given), the spec's current points only when the database says which they are."""
    if os.path.isdir(path):
        path = os.path.join(path, "sweep.sqlite")
    points, tables, meta, typed = _read_database(path)
    notes = []
    expected = None
    if "points" in meta:  # the spec's current points, HASH:INDEX (older rows stay in the database)
        try:
            current = dict((h, int(i)) for h, i in
                           (item.split(":") for item in meta["points"].split(",") if item))
        except ValueError:
            raise ReportError(f"{path}: table meta: points is not HASH:INDEX,...") from None
        points = [p for p in points if p["hash"] in current]
        for p in points:
            p["idx"] = current[p["hash"]]  # the point's place in the spec as it is now
        points.sort(key=lambda p: p["idx"])
        expected = len(current)
    else:
        notes.append("The database predates dfsim's table meta: it may also hold points of "
                     "older versions of the spec, and the plot uses energy and latency.")
    if not points:
        raise ReportError(f"{path}: no finished points yet: run the sweep first")
    try:
        for p in points:
            p["params"] = {k: typed.get((p["hash"], k), v)
                           for k, v in json.loads(p["params"] or "{}").items()}
            if p["status"] == "done":
                p["edp_pj_s"] = p["energy_pj"] * p["seconds"]
    except (ValueError, TypeError, AttributeError) as e:
        raise ReportError(f"{path}: table points: a row is not dfsim's ({e})") from None
    objectives = meta.get("objectives", "energy,latency").split(",")
    for o in objectives:
        if o not in OBJECTIVES:
            raise ReportError(f"{path}: table meta: unknown objective '{o}'")
    not_run = expected - len(points) if expected is not None else 0
    return {"name": meta.get("name", os.path.basename(os.path.dirname(os.path.abspath(path)))),
            "objectives": objectives, "points": points, "path": path, "not_run": not_run,
            "notes": notes}


def pareto_front(points: list, objectives: list) -> list:
    """The points no other point dominates (no worse in every objective, better in one)."""
    cols = [OBJECTIVES[o][0] for o in objectives]

    def dominates(a, b):
        return all(a[c] <= b[c] for c in cols) and any(a[c] < b[c] for c in cols)
    return [a for a in points if not any(dominates(b, a) for b in points)]


def short_keys(points: list) -> dict:
    """Each swept key's shortest dotted suffix that no other key of the sweep shares
    (pe_array.rows -> rows; dram.energy_pj_per_bit and noc.energy_pj_per_bit stay whole)."""
    keys = sorted({k for p in points for k in p["params"]})
    out = {}
    for k in keys:
        parts = k.split(".")
        for n in range(1, len(parts) + 1):
            suffix = ".".join(parts[-n:])
            if not any(o != k and (o == suffix or o.endswith("." + suffix)) for o in keys):
                out[k] = suffix
                break
        else:
            out[k] = k
    return out


def _label(point: dict, names: dict, workloads: bool = False) -> str:
    """The point's swept values (and its workload when the sweep has several)."""
    parts = [f"{names.get(k, k)}={v}" for k, v in point["params"].items()]
    if workloads:
        parts.insert(0, point["workload"])
    return ", ".join(parts) or f"#{point['idx']}"


def _several_workloads(points: list) -> bool:
    return len({p["workload"] for p in points}) > 1


LABEL_ALL_POINTS = 12  # up to this many points, every point is labelled, not only the front
LABEL_FRONT = 20       # front points labelled up to this many (else: the table)


def pareto_svg(sweep: dict) -> str:
    plt = _pyplot()
    done = [p for p in sweep["points"] if p["status"] == "done"]
    names = short_keys(sweep["points"])
    several = _several_workloads(sweep["points"])
    x, y = sweep["objectives"][:2]
    (xc, xs, xu), (yc, ys, yu) = OBJECTIVES[x], OBJECTIVES[y]
    fx, ux = _scaled([p[xc] for p in done], xu, xs)
    fy, uy = _scaled([p[yc] for p in done], yu, ys)
    front = sorted(pareto_front(done, sweep["objectives"]), key=lambda p: (p[xc], p[yc]))
    fig, ax = plt.subplots(figsize=(7.5, 5.0))
    ax.scatter([p[xc] / fx for p in done], [p[yc] / fy for p in done], s=14, color="#9a9a9a",
               label=f"points ({len(done)})")
    over = ", ".join(sweep["objectives"])
    if len(sweep["objectives"]) == 2:
        ax.plot([p[xc] / fx for p in front], [p[yc] / fy for p in front], "o-", color="#c0392b",
                ms=6, lw=1.5, label=f"Pareto front ({len(front)}, over {over})")
    else:  # the front over all objectives as points, the front of the two plotted as steps
        front2 = sorted(pareto_front(done, [x, y]), key=lambda p: (p[xc], p[yc]))
        ax.step([p[xc] / fx for p in front2], [p[yc] / fy for p in front2], where="post",
                color="#2c7fb8", lw=1, label=f"front over {x} and {y}")
        ax.plot([p[xc] / fx for p in front], [p[yc] / fy for p in front], "o", color="#c0392b",
                ms=6, label=f"Pareto front ({len(front)}, over {over})")
    if len(front) <= LABEL_FRONT:
        for i, p in enumerate(front):
            ax.annotate(_label(p, names, several), (p[xc] / fx, p[yc] / fy),
                        textcoords="offset points", xytext=(6, 6 if i % 2 == 0 else -12), fontsize=7.5,
                        annotation_clip=False)
    if len(done) <= LABEL_ALL_POINTS:  # few points: the others labelled too, in grey
        on_front = {id(p) for p in front}
        for p in done:
            if id(p) not in on_front:
                ax.annotate(_label(p, names, several), (p[xc] / fx, p[yc] / fy),
                            textcoords="offset points",
                            xytext=(6, 4), fontsize=7, color="#777777", annotation_clip=False)
    ax.set_xlabel(f"{x} ({ux})")
    ax.set_ylabel(f"{y} ({uy})")
    ax.set_title(f"{sweep['name']}: Pareto front")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(0.0, -0.12), frameon=False)
    return _svg(fig)


# ----------------------------------------------------------------------------- HTML

STYLE = """body{font-family:sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;font-size:13px;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
td:first-child,th:first-child{text-align:left}
figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}
figcaption{font-size:13px;color:#444;max-width:900px}.note{color:#8a4b00}"""


def _table(header, rows) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header or [])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    thead = f"<thead><tr>{head}</tr></thead>" if head else ""
    return f"<table>{thead}<tbody>{body}</tbody></table>"


def _page(title: str, sections: list) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n" + "\n".join(sections) + "\n</body></html>\n")


def _figure(svg: str, name: str, caption: str) -> str:
    return (f"<figure id=\"{name}\">{svg}<figcaption>{html.escape(caption)} "
            f"(<a href=\"{name}.svg\">{name}.svg</a>)</figcaption></figure>")


def _note(text: str) -> str:
    return f"<p class=\"note\">{html.escape(text)}</p>"


def _run_rows(stats: dict) -> list:
    rows = []
    points = roofline_points(stats)
    for i, l in enumerate(stats["layers"] + [stats["total"]]):
        oi = points[i][1] if i < len(points) else None
        rows.append([l["name"], f"{l['macs']:,}", f"{l['cycles']:,}",
                     _readable(l["seconds"], "s", TIME_STEPS), f"{100 * l['utilization']:.1f} %",
                     _readable(l["energy_pj"]["total"], "J", ENERGY_STEPS),
                     _readable(l["levels"]["dram"]["read_bytes"] + l["levels"]["dram"]["write_bytes"],
                               "B", BYTE_STEPS),
                     _plain(oi) if oi else "", l.get("output_check", "")])
    return rows


RUN_CAPTIONS = {
    "energy_by_level": "Energy of each layer by memory level, MAC and idle energy.",
    "energy_by_type": "Energy of each layer by data type: each level's energy is shared among "
                      "the data types in proportion to the bytes that level moved of each (the "
                      "energy tables price accesses, not data types: an attribution where a "
                      "level's parts cost differently per bit, e.g. Eyeriss's three spads).",
    "time_utilization": "Simulated time of each layer and its utilization: the MAC slots the "
                        "layer occupied over cycles times MAC units (the layer's MACs on a dense "
                        "datapath, the products a sparse PE accumulates).",
    "roofline": "Each layer's performance (2 ops per MAC the MAC units performed, over its "
                "simulated time) against its operational intensity (the same ops per byte of "
                "DRAM traffic, reads and writes), under the roofs of the MAC units at the core "
                "clock and the DRAM link's peak rate."}


def _run_facts(stats: dict) -> list:
    t = stats["total"]
    area = stats.get("area")
    return [["architecture", f"{stats.get('arch', '')} ({stats.get('arch_file', '')})"],
            ["workload", f"{stats.get('workload', '')} ({stats.get('workload_file', '')})"],
            ["batch, seed, objective",
             f"{stats.get('batch')}, {stats.get('seed')}, {stats.get('objective')}"],
            ["time", f"{_readable(t['seconds'], 's', TIME_STEPS)} ({t['cycles']:,} cycles)"],
            ["energy", _readable(t["energy_pj"]["total"], "J", ENERGY_STEPS)],
            ["area", f"{area['total_mm2']:.4g} mm² ({area['source']})"
             if area else "not reported (no technology_nm)"],
            ["dfsim, provenance", f"{stats.get('dfsim_version', '')}, "
                                  f"{stats.get('provenance', {}).get('hash', '')}"]]


def run_report(stats: dict, source: str) -> tuple:
    """(HTML, {name: svg}) of a run."""
    figs = {"energy_by_level": energy_by_level_svg(stats),
            "energy_by_type": energy_by_type_svg(stats),
            "time_utilization": time_svg(stats)}
    if "roofline" in stats:
        figs["roofline"] = roofline_svg(stats)
    sections = [f"<p>Source: {html.escape(source)}</p>", _table(None, _run_facts(stats))]
    skipped = stats.get("skipped_layers") or []
    if skipped:
        sections.append(_note(f"{len(skipped)} layer(s) left out by --skip-unmappable, in no plot "
                              "or total:"))
        sections.append(_table(["skipped layer", "reason"],
                               [[k["name"], k["reason"]] for k in skipped]))
    sections += [_figure(svg, name, RUN_CAPTIONS[name]) for name, svg in figs.items()]
    sections.append(_table(["layer", "MACs", "cycles", "time", "utilization", "energy",
                            "DRAM traffic", "ops/DRAM byte", "output check"], _run_rows(stats)))
    title = f"dfsim run: {stats.get('workload', '')} on {stats.get('arch', '')}"
    return _page(title, sections), figs


def sweep_report(sweep: dict) -> tuple:
    done = [p for p in sweep["points"] if p["status"] == "done"]
    figs = {"pareto": pareto_svg(sweep)} if done else {}
    front = {id(p) for p in pareto_front(done, sweep["objectives"])}
    names = short_keys(sweep["points"])
    cols = [OBJECTIVES[o] for o in sweep["objectives"]]
    rows = []
    for p in sweep["points"]:
        values = ([_readable(p[c], u, s) for c, s, u in cols] if p["status"] == "done"
                  else ["" for _ in cols])
        rows.append([p["idx"], p["workload"], _label(p, names), p["status"], *values,
                     "yes" if id(p) in front else "", p["error"] or ""])
    failed = len(sweep["points"]) - len(done)
    sections = [f"<p>Source: {html.escape(sweep['path'])}; {len(done)} points done, "
                f"{failed} failed, {sweep['not_run']} not run.</p>"]
    sections += [_note(n) for n in sweep["notes"]]
    if sweep["not_run"]:
        sections.append(_note(f"{sweep['not_run']} points of the spec have not run: the front is "
                              "that of the finished points."))
    if done:
        sections.append(_figure(figs["pareto"], "pareto",
                                "Every finished point (grey) and the Pareto front over the "
                                "sweep's objectives (red), labelled with the swept parameters "
                                f"(every point up to {LABEL_ALL_POINTS} points; the front up to "
                                f"{LABEL_FRONT} points)."))
    sections.append(_table(["point", "workload", "parameters", "status", *sweep["objectives"],
                            "on the front", "error"], rows))
    return _page(f"dfsim sweep: {sweep['name']}", sections), figs


# ----------------------------------------------------------------------------- files

def _write_all(out: str, files: dict) -> None:
    """Writes every file through a temporary one, then renames them all into place: a failure
    leaves no file of the report (a reader never sees a partial one)."""
    for name in files:
        target = os.path.join(out, name)
        if os.path.isdir(target):
            raise ReportError(f"{target}: is a folder; the report writes a file there")
    umask = os.umask(0)
    os.umask(umask)
    written = []
    try:
        for name, text in files.items():
            fd, tmp = tempfile.mkstemp(dir=out, prefix=".report-")
            written.append((tmp, os.path.join(out, name)))
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(tmp, 0o666 & ~umask)  # as a plain open() would create it
        for tmp, target in written:
            os.replace(tmp, target)
    except OSError as e:
        raise ReportError(f"{out}: cannot write the report: {e.strerror}") from None
    finally:  # whatever stopped it (an error, an interrupt), no temporary file stays
        for tmp, _ in written:
            if os.path.exists(tmp):
                os.unlink(tmp)


def _source(path: str) -> tuple:
    """("run", stats.json) or ("sweep", sweep database) for a path the user gave."""
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "stats.json")):
            return "run", os.path.join(path, "stats.json")
        if os.path.exists(os.path.join(path, "sweep.sqlite")):
            return "sweep", os.path.join(path, "sweep.sqlite")
        raise ReportError(f"{path}: neither stats.json (dfsim run --out) nor sweep.sqlite "
                          f"(dfsim sweep) is in this folder")
    if not os.path.exists(path):
        raise ReportError(f"{path}: no such file or folder")
    if path.endswith(".sqlite"):
        return "sweep", path
    return "run", path


def _out_folder(out: str) -> str:
    if os.path.exists(out) and not os.path.isdir(out):
        raise ReportError(f"{out}: not a folder (--out names the report's folder)")
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        raise ReportError(f"{out}: cannot create the report's folder: {e.strerror}") from None
    return out


def report(path, out=None) -> str:
    """Writes the report of `path` (a stats.json, the folder of one, a sweep's folder or its
    .sqlite database) into `out` (default: PATH's folder/report) and returns the path of its
    index.html. Raises ReportError, naming the file, for input dfsim did not write or a folder
    it cannot write."""
    kind, source = _source(os.fspath(path))
    if kind == "run":
        page, figs = run_report(load_run(source), source)
    else:
        page, figs = sweep_report(load_sweep(source))
    out = _out_folder(os.fspath(out) if out else
                      os.path.join(os.path.dirname(source) or ".", "report"))
    files = {name + ".svg": '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n' + svg
             for name, svg in figs.items()}
    files["index.html"] = page
    _write_all(out, files)
    return os.path.join(out, "index.html")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="dfsim report",
        description="Renders a run's stats.json (or its folder) or a sweep's folder as an HTML "
                    "page with SVG plots.")
    parser.add_argument("path", help="stats.json, a folder of dfsim run --out, or a sweep folder")
    parser.add_argument("--out", help="folder of the report (default: PATH's folder/report)")
    args = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401 (only to say clearly that it is missing)
    except ImportError:
        print("dfsim: error: report needs matplotlib (Debian: python3-matplotlib; "
              "bash scripts/setup.sh installs it)", file=sys.stderr)
        return 2
    try:
        index = report(args.path, args.out)
    except ReportError as e:
        print(f"dfsim: error: {e}", file=sys.stderr)
        return 2
    print(f"report: {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
