"""`dfsim report`: the pages it writes from a run and from a sweep, checked in headless Chromium
(Debian's chromium, installed by scripts/setup.sh --test): they load without errors, every plot
is drawn with a size, and no label lies outside its plot's SVG (nothing clipped).

Run by CTest (python_api) with PYTHONPATH=build/python and DFSIM_SOURCE_DIR set.
"""

import json
import os
import re
import subprocess

import pytest

from dfsim import report as dfsim_report

SRC = os.environ["DFSIM_SOURCE_DIR"]
EYERISS = os.path.join(SRC, "configs/eyeriss_v1.yaml")
TPU = os.path.join(SRC, "configs/tpu_v1.yaml")
ALEXNET = os.path.join(SRC, "workloads/alexnet.yaml")
CHROMIUM = "/usr/bin/chromium"

# Injected into a copy of the page: errors are recorded from the start; at the end of the body
# every SVG's box and every text group's box (matplotlib's <g id="text_N">) are measured.
PROBE_HEAD = "<script>window.__errors=[];" \
             "addEventListener('error',e=>__errors.push(String(e.message||e.target.src)),true);" \
             "</script>"
PROBE_BODY = """<script>
const out = {errors: __errors, svgs: []};
for (const svg of document.querySelectorAll('figure svg')) {
  const box = svg.getBoundingClientRect();
  const outside = [];
  for (const g of svg.querySelectorAll('g[id^="text_"]')) {
    const t = g.getBoundingClientRect();
    if (t.width > 0 && (t.left < box.left - 1 || t.right > box.right + 1 ||
                        t.top < box.top - 1 || t.bottom > box.bottom + 1)) outside.push(g.id);
  }
  out.svgs.push({id: svg.closest('figure').id, width: box.width, height: box.height,
                 texts: svg.querySelectorAll('g[id^="text_"]').length,
                 patches: svg.querySelectorAll('g[id^="patch_"]').length,
                 lines: svg.querySelectorAll('g[id^="line2d_"]').length, outside});
}
document.body.setAttribute('data-probe', JSON.stringify(out));
</script>"""


def in_chromium(index, tmp_path):
    """Loads a probed copy of the page in headless Chromium; returns the probe's findings and
    the browser's console log."""
    page = open(index, encoding="utf-8").read()
    probed = os.path.join(os.path.dirname(index), "probed.html")
    with open(probed, "w", encoding="utf-8") as f:
        f.write(page.replace("</title>", "</title>" + PROBE_HEAD, 1)
                    .replace("</body>", PROBE_BODY + "</body>", 1))
    proc = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr",
         "--v=0", f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1400,1000",
         "--dump-dom", "file://" + os.path.abspath(probed)],
        capture_output=True, text=True, timeout=120, check=True)
    match = re.search(r'data-probe="([^"]*)"', proc.stdout)
    assert match, "the probe did not run:\n" + proc.stdout[:2000] + proc.stderr[-2000:]
    probe = json.loads(match.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    return probe, console


def dfsim_cli(*args):
    """The build's program (build/dfsim); `report` must find the package next to it, so the
    environment's PYTHONPATH is left out."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([os.environ["DFSIM_CLI"], *args], capture_output=True, text=True,
                          env=env)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    r = dfsim_cli("run", "--quiet", "--arch", EYERISS, "--workload", ALEXNET, "--layers",
                  "conv1,conv2,fc8", "--batch", "1", "--out", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_run_report_shows_every_plot_in_chromium(run_dir, tmp_path):
    r = dfsim_cli("report", str(run_dir), "--out", str(tmp_path / "rep"))
    assert r.returncode == 0, r.stderr
    index = tmp_path / "rep" / "index.html"
    assert r.stdout.strip() == f"report: {index}"
    probe, console = in_chromium(str(index), tmp_path)
    assert probe["errors"] == [] and not [c for c in console if "Uncaught" in c], console
    figures = {s["id"]: s for s in probe["svgs"]}
    assert sorted(figures) == ["energy_by_level", "energy_by_type", "roofline", "time_utilization"]
    for fig in figures.values():
        assert fig["width"] > 300 and fig["height"] > 200, fig
        assert fig["outside"] == [], fig   # no label clipped
        assert fig["texts"] >= 5, fig      # title, axis labels, ticks, legend
    # Three layers: 6 stacked parts each (4 levels, MAC, idle) plus the legend's 6 swatches.
    assert figures["energy_by_level"]["patches"] >= 3 * 6 + 6
    for name in figures:
        assert (tmp_path / "rep" / f"{name}.svg").read_text().startswith("<?xml")


def test_run_report_numbers_are_the_stats(run_dir, tmp_path):
    stats = json.loads((run_dir / "stats.json").read_text())
    index = dfsim_report.report(run_dir / "stats.json", tmp_path / "rep")
    page = open(index, encoding="utf-8").read()
    for layer in stats["layers"]:
        assert f"<td>{layer['name']}</td><td>{layer['macs']:,}</td><td>{layer['cycles']:,}</td>" \
            in page
    # CONV1 at batch 1: 55*55*96*3*11*11 MACs; the roofline's x is 2 ops per MAC per DRAM byte.
    conv1 = stats["layers"][0]
    assert conv1["macs"] == 105_415_200
    name, x, y = dfsim_report.roofline_points(stats)[0]
    moved = conv1["dram_read_bytes"] + conv1["dram_write_bytes"]
    assert (name, x, y) == ("conv1", 2 * 105_415_200 / moved, 2 * 105_415_200 / conv1["seconds"])
    # Eyeriss: 168 PEs at 200 MHz; 64-bit DRAM link at 90 MHz (the shipped file).
    assert stats["roofline"] == {"mac_units": 168, "peak_ops_per_s": 2 * 168 * 200e6,
                                 "dram_peak_bytes_per_s": 8 * 90e6}
    # The data-type split keeps each layer's energy.
    for layer in stats["layers"]:
        split = dfsim_report.energy_by_type(layer)
        # (stats.json's numbers have 9 significant digits)
        assert sum(split.values()) == pytest.approx(layer["energy_pj"]["total"], rel=1e-8)


def test_report_is_byte_identical_for_the_same_input(run_dir, tmp_path):
    a = dfsim_report.report(run_dir, tmp_path / "a")
    b = dfsim_report.report(run_dir, tmp_path / "b")
    for name in os.listdir(tmp_path / "a"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert os.path.basename(a) == os.path.basename(b) == "index.html"


def test_sweep_report_labels_its_front(tmp_path):
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        "sweep: tpu_rows\n"
        f"base_arch: {TPU}\n"
        f"workloads:\n  - {{file: {ALEXNET}, layers: [conv3], batch: 1}}\n"
        "parameters:\n  - {key: pe_array.rows, values: [32, 64, 256]}\n"
        "objectives: [area, latency]\n"
        "run: {objective: latency, check: false, seed: 1}\n")
    r = dfsim_cli("sweep", str(spec), "-j", "2", "--out", str(tmp_path / "sw"))
    assert r.returncode == 0, r.stderr
    folder = tmp_path / "sw"
    r = dfsim_cli("report", str(folder))
    assert r.returncode == 0, r.stderr
    index = folder / "report" / "index.html"
    page = index.read_text()
    assert "dfsim sweep: tpu_rows" in page
    sweep = dfsim_report.load_sweep(str(folder))
    assert sweep["objectives"] == ["area", "latency"]  # from the database's meta table
    # CONV3 at batch 1 waits on its weights: 64 rows are faster than 32, and 256 rows are no
    # faster than 64 with more area, so 256 is off the front.
    by_rows = {p["params"]["pe_array.rows"]: p for p in sweep["points"]}
    assert by_rows[64]["seconds"] < by_rows[32]["seconds"] < by_rows[256]["seconds"] * 2
    assert by_rows[64]["seconds"] <= by_rows[256]["seconds"]
    assert by_rows[32]["area_mm2"] < by_rows[64]["area_mm2"] < by_rows[256]["area_mm2"]
    front = dfsim_report.pareto_front(sweep["points"], sweep["objectives"])
    assert sorted(p["params"]["pe_array.rows"] for p in front) == [32, 64]
    for rows, on_front in ((32, "yes"), (64, "yes"), (256, "")):
        assert re.search(rf"<td>rows={rows}</td><td>done</td>(<td>[^<]*</td>){{2}}"
                         rf"<td>{on_front}</td>", page), rows
    probe, console = in_chromium(str(index), tmp_path)
    assert probe["errors"] == [] and not [c for c in console if "Uncaught" in c], console
    (fig,) = probe["svgs"]
    assert fig["id"] == "pareto" and fig["outside"] == [] and fig["width"] > 300, fig
    # Title, 2 axis labels, 2 front labels, 2 legend entries at least.
    assert fig["texts"] >= 8, fig


@pytest.mark.parametrize("content, message", [
    ('{"layers": [}', r"stats.json:1:13: not JSON"),
    ('{"layers": []}', r"stats.json: top level: key 'total' missing"),
    ('{"layers": [{"name": "c"}], "total": {}}', r"stats.json: layer 1: key 'macs' missing"),
])
def test_bad_input_is_named_and_writes_nothing(tmp_path, content, message):
    (tmp_path / "stats.json").write_text(content)
    r = dfsim_cli("report", str(tmp_path / "stats.json"))
    assert r.returncode == 2
    assert re.search(message, r.stderr), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr  # one message, no traceback
    assert not (tmp_path / "report").exists()


def test_a_folder_without_results_is_refused(tmp_path):
    r = dfsim_cli("report", str(tmp_path))
    assert r.returncode == 2
    assert "neither stats.json (dfsim run --out) nor sweep.sqlite" in r.stderr
