"""dfsim from Python: simulate, map and sweep DNN accelerators described in YAML.

    import dfsim
    r = dfsim.run("configs/eyeriss_v1.yaml", "workloads/alexnet.yaml", layers=["conv1"], batch=1)
    print(r["total"]["cycles"], r["total"]["energy_pj"]["total"])
    r["table"]                      # one row per layer (a pandas DataFrame, if pandas is installed)

`run` returns the statistics that `dfsim run --out DIR` writes to stats.json, as a dict (the keys
are described in docs/user-guide.md); `map` the mapper's choices and estimates without simulating;
`sweep` runs a sweep specification and returns its points. SystemC elaborates one design per
process, so every call runs in a worker process of its own: any number of calls work in one Python
session. Errors in the inputs raise `dfsim.ConfigError` with the message the command line prints
(file, line, column and key).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from typing import Any, Iterable, Optional

from dfsim._worker import ConfigError, Error, call

__all__ = ["run", "map", "sweep", "ConfigError", "Error", "CheckFailed", "version"]


class CheckFailed(Error):
    """The simulated outputs differ from the reference convolution; `.result` holds the stats."""

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result


def _version() -> str:
    from dfsim import _dfsim  # the extension, importable without elaborating anything

    return _dfsim.version


version = _version()


def _names(value) -> list:
    """A list of names from a list or a comma-separated string."""
    if isinstance(value, str):
        return [name for name in value.split(",") if name]
    return list(value or [])


def _options(arch, workload, layers, batch, seed, objective, check, mapping, dump_mappings, out,
             vcd, skip_unmappable, weight_density, input_density, trace=None) -> dict:
    trace = trace or {}
    window = trace.get("trace_window_us")
    return {
        "arch": os.fspath(arch),
        "workload": os.fspath(workload),
        "layers": _names(layers),
        "batch": batch,
        "seed": int(seed),
        "objective": objective,
        "check": bool(check),
        "mapping": os.fspath(mapping) if mapping else "",
        "dump_mappings": os.fspath(dump_mappings) if dump_mappings else "",
        "out": os.fspath(out) if out else "",
        "vcd": os.fspath(vcd) if vcd else "",
        "skip_unmappable": bool(skip_unmappable),
        "weight_density": weight_density,
        "input_density": input_density,
        "trace_json": os.fspath(trace["trace_json"]) if trace.get("trace_json") else "",
        "trace_signals": _names(trace.get("trace_signals")),
        "trace_layers": _names(trace.get("trace_layers")),
        "trace_window_us": list(window) if window else None,
    }


def _frame(rows: list) -> Any:
    """A pandas DataFrame of `rows` (nested keys joined with '.'), or None without pandas."""
    try:
        import pandas
    except ImportError:
        return None
    return pandas.json_normalize(rows, sep=".")


def run(arch, workload, *, layers: Optional[Iterable[str]] = None, batch: Optional[int] = None,
        seed: int = 1, objective: str = "latency", check: bool = True, mapping=None,
        dump_mappings=None, out=None, vcd=None, skip_unmappable: bool = False,
        weight_density: Optional[float] = None, input_density: Optional[float] = None,
        trace_json=None, trace_signals=None, trace_layers=None, trace_window_us=None) -> dict:
    """Simulates `workload` on `arch` as `dfsim run` does; the keywords are its options
    (trace_window_us a (from, to) pair).

    Returns stats.json's content as a dict, plus "table": one row per layer as a pandas
    DataFrame when pandas is installed (None otherwise). Raises ConfigError on bad input and
    CheckFailed when the simulated outputs differ from the reference.
    """
    trace = {"trace_json": trace_json, "trace_signals": trace_signals,
             "trace_layers": trace_layers, "trace_window_us": trace_window_us}
    opts = _options(arch, workload, layers, batch, seed, objective, check, mapping,
                    dump_mappings, out, vcd, skip_unmappable, weight_density, input_density, trace)
    result = json.loads(call("run", opts))
    result["table"] = _frame(result["layers"])
    if result["total"].get("output_check") == "fail":
        raise CheckFailed("simulated outputs differ from the reference convolution", result)
    return result


def map(arch, workload, *, layers: Optional[Iterable[str]] = None,  # noqa: A001 (dfsim map)
        batch: Optional[int] = None, objective: str = "latency", mapping=None,
        dump_mappings=None, skip_unmappable: bool = False,
        weight_density: Optional[float] = None, input_density: Optional[float] = None) -> dict:
    """The mapper's choice and estimate for every layer, as `dfsim map` prints them.

    Returns {"arch", "workload", "objective", "layers": [{"name", "macs", "mapping",
    "mapping_yaml", "estimate_cycles", "estimate_seconds", "estimate_energy_pj" (without idle
    energy), "candidates"}], "skipped_layers", "mappings_yaml" (the --mapping format), "table"}.
    """
    opts = _options(arch, workload, layers, batch, 1, objective, True, mapping, dump_mappings,
                    None, None, skip_unmappable, weight_density, input_density)
    result = call("map", opts)
    result["table"] = _frame([{k: v for k, v in layer.items() if k != "mapping_yaml"}
                              for layer in result["layers"]])
    return result


def _typed(text):
    """A swept value as the sweep database types it: integer, real, boolean or text."""
    if not isinstance(text, str):
        return text
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
        if math.isfinite(value):
            return value
    except ValueError:
        pass
    spelled = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
    return spelled.get(text, text)


def sweep(spec, *, jobs: Optional[int] = None, out=None, quiet: bool = True) -> Any:
    """Runs the sweep specification `spec` as `dfsim sweep` does (points already in its database
    are kept) and returns its points: a pandas DataFrame when pandas is installed, else a list of
    dicts with the keys of `dfsim sweep --export json` (parameter values typed as in the sweep
    database: integer, real, boolean or text). Points that failed have status "failed"
    and their error; the sweep's own output is printed unless `quiet`.
    """
    with tempfile.TemporaryDirectory(prefix="dfsim-sweep-") as tmp:
        exported = os.path.join(tmp, "points.json")
        call("sweep", {"spec": os.fspath(spec), "jobs": int(jobs or 0),
                       "out": os.fspath(out) if out else "", "export": exported}, quiet=quiet)
        with open(exported, encoding="utf-8") as f:
            points = json.load(f)
    for point in points:
        point["params"] = {key: _typed(value) for key, value in point["params"].items()}
    frame = _frame(points)
    return points if frame is None else frame
