"""`dfsim report`: the pages it writes from a run and from a sweep, checked in headless Chromium
(Debian's chromium, installed by scripts/setup.sh --test): they load without errors, every plot
is drawn with a size and fits the window, and the labels on a plot do not overlap.

Run by CTest (python_api) with PYTHONPATH=build/python and DFSIM_SOURCE_DIR set.
"""

import json
import os
import pathlib
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
const overlap = (a, b) => a.left < b.right - 1 && b.left < a.right - 1 &&
                          a.top < b.bottom - 1 && b.top < a.bottom - 1;
for (const svg of document.querySelectorAll('figure svg')) {
  const box = svg.getBoundingClientRect();
  // The plot fits the window (nothing cut off at the page's edge), and the labels placed on
  // the axes (title, point labels) do not overlap one another.
  const labels = [...svg.querySelectorAll('g[id^="axes_"] > g[id^="text_"]')]
                   .map(g => [g.id, g.getBoundingClientRect()]).filter(([, r]) => r.width > 0);
  const overlapping = [];
  for (let i = 0; i < labels.length; ++i)
    for (let j = i + 1; j < labels.length; ++j)
      if (overlap(labels[i][1], labels[j][1])) overlapping.push(labels[i][0] + '/' + labels[j][0]);
  out.svgs.push({id: svg.closest('figure').id, width: box.width, height: box.height,
                 cut: box.right > window.innerWidth + 1 || box.left < -1,
                 texts: svg.querySelectorAll('g[id^="text_"]').length,
                 labels: labels.length, overlapping,
                 patches: svg.querySelectorAll('g[id^="patch_"]').length});
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
         "--dump-dom", pathlib.Path(os.path.abspath(probed)).as_uri()],
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
        assert not fig["cut"] and fig["overlapping"] == [], fig
        assert fig["texts"] >= 5, fig      # title, axis labels, ticks, legend
    # The roofline's title and its three point labels.
    assert figures["roofline"]["labels"] == 4, figures["roofline"]
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
    # On a dense array the performed MACs (utilization x cycles x MAC units) are the layer's.
    name, x, y = dfsim_report.roofline_points(stats)[0]
    moved = conv1["dram_read_bytes"] + conv1["dram_write_bytes"]
    assert name == "conv1"
    assert x == pytest.approx(2 * 105_415_200 / moved, rel=1e-8)
    assert y == pytest.approx(2 * 105_415_200 / conv1["seconds"], rel=1e-8)
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
    folder = tmp_path / "sw #1 50%?"  # characters a URI would read otherwise
    r = dfsim_cli("sweep", str(spec), "-j", "2", "--out", str(folder))
    assert r.returncode == 0, r.stderr
    before = sorted(os.listdir(folder))
    r = dfsim_cli("report", str(folder))
    assert r.returncode == 0, r.stderr
    # The database is read from a copy: nothing but the report is added to the folder.
    assert sorted(os.listdir(folder)) == sorted(before + ["report"])
    # The database named as a file gives the same page.
    r = dfsim_cli("report", str(folder / "sweep.sqlite"), "--out", str(tmp_path / "again"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "again" / "index.html").read_bytes() == \
        (folder / "report" / "index.html").read_bytes()
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
    # The spec edited (16 rows first) and run again: the report numbers the points as the spec
    # now does, the old ones included.
    spec.write_text(spec.read_text().replace("values: [32, 64, 256]", "values: [16, 32, 64, 256]"))
    r = dfsim_cli("sweep", str(spec), "-j", "2", "--out", str(folder))
    assert r.returncode == 0, r.stderr
    sweep = dfsim_report.load_sweep(str(folder))
    assert [(p["idx"], p["params"]["pe_array.rows"]) for p in sweep["points"]] == \
        [(0, 16), (1, 32), (2, 64), (3, 256)]
    assert fig["id"] == "pareto" and not fig["cut"] and fig["width"] > 300, fig
    assert fig["overlapping"] == [], fig
    # The title and the three points' labels (few points: every one labelled).
    assert fig["labels"] == 4, fig


@pytest.fixture(scope="module")
def good_stats(run_dir):
    return (run_dir / "stats.json").read_text()


def _edited(text, edit):
    stats = json.loads(text)
    edit(stats)
    return json.dumps(stats)


BAD_STATS = [
    (lambda t: '{"layers": [}', r"stats.json:1:13: not JSON"),
    (None, r"stats.json: not UTF-8 text"),  # a Latin-1 byte in it
    (lambda t: _edited(t, lambda s: s.update(layers=[])), r"stats.json: no layers"),
    (lambda t: _edited(t, lambda s: s.pop("total")), r"stats.json: total: missing"),
    (lambda t: _edited(t, lambda s: s["layers"][1].pop("macs")),
     r"stats.json: layers\[1\]\.macs: missing"),
    (lambda t: _edited(t, lambda s: s["layers"][0].update(macs="12")),
     r"layers\[0\]\.macs: not a finite number \(\"12\"\)"),
    (lambda t: _edited(t, lambda s: s["layers"][0]["energy_pj"].pop("mac")),
     r"layers\[0\]\.energy_pj\.mac: missing"),
    (lambda t: _edited(t, lambda s: s["layers"][2]["levels"]["dram"].update(read_bytes=None)),
     r"layers\[2\]\.levels\.dram\.read_bytes: not a finite number \(null\)"),
    (lambda t: _edited(t, lambda s: s["roofline"].update(dram_peak_bytes_per_s=0)),
     r"roofline\.dram_peak_bytes_per_s: not positive"),
    (lambda t: _edited(t, lambda s: s.update(level_names=["a"])),
     r"level_names: not an object \(\[\"a\"\]\)"),
    (lambda t: _edited(t, lambda s: s["layers"][0].update(seconds=float("nan"))),
     r"layers\[0\]\.seconds: not a finite number \(NaN\)"),
    (lambda t: _edited(t, lambda s: s["total"]["energy_pj"].update(total=-1)),
     r"total\.energy_pj\.total: negative"),
]


@pytest.mark.parametrize("case", range(len(BAD_STATS)))
def test_bad_input_is_named_and_writes_nothing(tmp_path, good_stats, case):
    make, message = BAD_STATS[case]
    if make is None:
        (tmp_path / "stats.json").write_bytes(good_stats.encode("utf-8").replace(
            b"{", b'{"x": "\xe9",', 1))
    else:
        (tmp_path / "stats.json").write_text(make(good_stats))
    r = dfsim_cli("report", str(tmp_path / "stats.json"))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("dfsim: error: "), r.stderr
    assert re.search(message, r.stderr), r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr  # one message, no traceback
    assert not (tmp_path / "report").exists()


def test_output_that_cannot_be_written_leaves_no_file(run_dir, tmp_path):
    out = tmp_path / "rep"
    (out / "index.html").mkdir(parents=True)  # the page's name taken by a folder
    r = dfsim_cli("report", str(run_dir), "--out", str(out))
    assert r.returncode == 2
    assert f"{out}/index.html: is a folder" in r.stderr, r.stderr
    assert sorted(os.listdir(out)) == ["index.html"]  # no plot written, no temporary file
    (tmp_path / "file").write_text("")
    r = dfsim_cli("report", str(run_dir), "--out", str(tmp_path / "file"))
    assert r.returncode == 2 and "not a folder" in r.stderr, r.stderr


def test_modules_in_the_current_folder_are_not_imported(run_dir, tmp_path):
    (tmp_path / "json.py").write_text("raise SystemExit('imported json.py from the folder')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([os.environ["DFSIM_CLI"], "report", str(run_dir), "--out",
                        str(tmp_path / "rep")], cwd=tmp_path, capture_output=True, text=True,
                       env=env)
    assert r.returncode == 0, r.stderr


def test_a_folder_without_results_is_refused(tmp_path):
    r = dfsim_cli("report", str(tmp_path))
    assert r.returncode == 2
    assert "neither stats.json (dfsim run --out) nor sweep.sqlite" in r.stderr
