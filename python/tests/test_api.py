"""The Python package against the command line: the same inputs give the same statistics.

Run by CTest (python_api) with PYTHONPATH=build/python and DFSIM_SOURCE_DIR set.
"""

import json
import os
import subprocess

import pandas
import pytest

import dfsim
from dfsim._worker import dfsim_program

SRC = os.environ["DFSIM_SOURCE_DIR"]
EYERISS = os.path.join(SRC, "configs/eyeriss_v1.yaml")
TPU = os.path.join(SRC, "configs/tpu_v1.yaml")
ALEXNET = os.path.join(SRC, "workloads/alexnet.yaml")


def cli_stats(tmp_path, *args):
    out = tmp_path / "cli"
    subprocess.run([dfsim_program(), "run", "--quiet", "--out", str(out), *args], check=True)
    return json.loads((out / "stats.json").read_text())


def test_run_equals_the_command_line(tmp_path):
    r = dfsim.run(EYERISS, ALEXNET, layers=["conv1"], batch=1)
    cli = cli_stats(tmp_path, "--arch", EYERISS, "--workload", ALEXNET, "--layers", "conv1",
                    "--batch", "1")
    table = r.pop("table")
    assert r == cli  # every statistic, the provenance and its hash included
    # AlexNet CONV1, batch 1: E*F*M*C*R*S = 55*55*96*3*11*11 MACs, checked against the reference.
    assert r["total"]["macs"] == 55 * 55 * 96 * 3 * 11 * 11 == 105_415_200
    assert r["total"]["output_check"] == "pass"
    assert isinstance(table, pandas.DataFrame)
    assert list(table["name"]) == ["conv1"]
    assert int(table["cycles"][0]) == cli["layers"][0]["cycles"]


def test_many_runs_in_one_session_with_options(tmp_path):
    # SystemC elaborates once per process: the second and third run need their own workers.
    dense = dfsim.run(TPU, ALEXNET, layers="conv2,conv3", batch=2, seed=3)
    pruned = dfsim.run(TPU, ALEXNET, layers=["conv2"], batch=2, seed=3, weight_density=0.5,
                       out=tmp_path / "pruned")
    assert [layer["name"] for layer in dense["layers"]] == ["conv2", "conv3"]
    assert dense["seed"] == 3 and dense["batch"] == 2
    conv2 = pruned["layers"][0]
    # Exactly round(density * count) non-zero weights: M*C/G*R*S = 256*48*5*5 at density 0.5.
    assert conv2["weights"] == 256 * 48 * 5 * 5
    assert conv2["nz_weights"] == 256 * 48 * 5 * 5 // 2
    assert json.loads((tmp_path / "pruned" / "stats.json").read_text())["layers"][0] == conv2
    again = dfsim.run(TPU, ALEXNET, layers="conv2,conv3", batch=2, seed=3)
    again.pop("table"), dense.pop("table")
    assert again == dense  # deterministic


def test_map_gives_the_estimates_the_run_reports():
    m = dfsim.map(EYERISS, ALEXNET, layers=["conv1", "conv2"], batch=1)
    r = dfsim.run(EYERISS, ALEXNET, layers=["conv1", "conv2"], batch=1, check=False)
    assert [layer["name"] for layer in m["layers"]] == ["conv1", "conv2"]
    for mapped, ran in zip(m["layers"], r["layers"]):
        assert mapped["mapping"] == ran["mapping"]
        assert mapped["estimate_cycles"] == ran["estimate"]["cycles"]
        assert mapped["macs"] == ran["macs"]
    assert "\nmappings:\n  conv1: {" in m["mappings_yaml"]  # the --mapping format
    assert list(m["table"]["estimate_cycles"]) == [layer["estimate_cycles"] for layer in m["layers"]]


def test_bad_input_raises_config_error_with_the_position(tmp_path):
    arch = tmp_path / "bad.yaml"
    arch.write_text(f"extends: {EYERISS}\nglb:\n  size_bytez: 1024\n")
    with pytest.raises(dfsim.ConfigError) as e:
        dfsim.run(arch, ALEXNET, layers=["conv1"])
    assert f"{arch}:3:3" in str(e.value) and "size_bytez" in str(e.value)
    with pytest.raises(dfsim.ConfigError, match="no layer named 'conv9'"):
        dfsim.map(EYERISS, ALEXNET, layers=["conv9"])


def test_sweep_returns_its_points(tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        "sweep: tpu_rows\n"
        f"base_arch: {TPU}\n"
        f"workloads:\n  - {{file: {ALEXNET}, layers: [conv3], batch: 1}}\n"
        "parameters:\n  - {key: pe_array.rows, values: [128, 256]}\n"
        "objectives: [energy, latency]\n"
        "run: {objective: latency, check: true, seed: 1}\n")
    points = dfsim.sweep(spec, jobs=2, out=tmp_path / "out")
    assert isinstance(points, pandas.DataFrame)
    assert list(points["status"]) == ["done", "done"]
    assert list(points["params.pe_array.rows"]) == [128, 256]
    # CONV3 at batch 1: 13*13*384*256*3*3 MACs per point.
    assert list(points["macs"]) == [13 * 13 * 384 * 256 * 3 * 3] * 2
    one = dfsim.run(TPU, ALEXNET, layers=["conv3"], batch=1)
    assert int(points["cycles"][1]) == one["total"]["cycles"]  # 256 rows: the shipped tpu_v1
    assert (tmp_path / "out" / "sweep.sqlite").exists()


def test_readme_example_runs_from_the_source_tree(tmp_path):
    readme = open(os.path.join(SRC, "README.md"), encoding="utf-8").read()
    block = readme.split("```python\n", 1)[1].split("```", 1)[0]
    assert "dfsim.run(" in block
    (tmp_path / "example.py").write_text(block)
    out = subprocess.run(["/usr/bin/python3", str(tmp_path / "example.py")], cwd=SRC, check=True,
                         capture_output=True, text=True).stdout
    first = out.splitlines()[0].split()
    cycles = int(first[0])
    ran = dfsim.run(EYERISS, ALEXNET, layers=["conv1", "conv2"], batch=1)
    assert cycles == ran["total"]["cycles"]
    assert float(first[2]) == pytest.approx(ran["total"]["energy_pj"]["total"] / 1e6)
    assert "conv1" in out and "conv2" in out


def test_trace_keywords_reach_the_trace_writer(tmp_path):
    whole = dfsim.run(TPU, ALEXNET, layers="conv2,conv3", batch=1, check=False)
    half_us = whole["total"]["seconds"] * 1e6 / 2
    dfsim.run(TPU, ALEXNET, layers="conv2,conv3", batch=1, check=False, vcd=tmp_path / "w.vcd",
              trace_window_us=(0, half_us))
    stamps = [int(line[1:]) for line in (tmp_path / "w.vcd").read_text().splitlines()
              if line.startswith("#")]
    assert stamps and max(stamps) <= round(half_us * 1e6)  # picoseconds, clipped to the window
    dfsim.run(TPU, ALEXNET, layers="conv2,conv3", batch=1, check=False, vcd=tmp_path / "t.vcd",
              trace_json=tmp_path / "t.json", trace_signals="dram.*,control.*",
              trace_layers=["conv3"])
    vcd = (tmp_path / "t.vcd").read_text()
    declared = [line.split()[4] for line in vcd.splitlines() if line.startswith("$var")]
    assert declared == ["busy", "bandwidth_mbytes_per_s", "layer"]  # dram.*, control.*
    events = json.loads((tmp_path / "t.json").read_text())["traceEvents"]
    layers = [e["name"] for e in events if e["ph"] == "X" and e["name"].startswith("conv")]
    assert layers == ["conv2", "conv3"]  # the layer index is always kept
    busy = [e for e in events if e["ph"] == "X" and e["name"] == "busy"]
    conv3 = next(e for e in events if e["ph"] == "X" and e["name"] == "conv3")
    assert busy and all(e["ts"] >= conv3["ts"] for e in busy)  # only while conv3 runs
    with pytest.raises(dfsim.ConfigError, match="--trace-layers: no layer named 'fc9'"):
        dfsim.run(TPU, ALEXNET, layers="conv2", vcd=tmp_path / "u.vcd", trace_layers="fc9")
