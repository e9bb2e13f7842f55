// The C++ side of the Python package (python/dfsim): dfsim's run, map and sweep as functions
// of the extension module `dfsim._dfsim`. SystemC elaborates one design per process, so the
// package calls `run` in a worker process of its own (python/dfsim/_worker.py); this module
// never keeps state between calls.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/config/config_node.hpp"
#include "base/stats/stats.hpp"
#include "run/run.hpp"
#include "sweep/sweep_runner.hpp"

namespace py = pybind11;

namespace {

// The statistics exactly as stats.json writes them (docs/user-guide.md), as JSON text.
std::string run_json(const dfsim::RunOptions& o) {
  const dfsim::RunResult r = dfsim::run_simulation(o);
  return dfsim::stats_json(r.info, r.layers, r.total);
}

// The mapper's choices and estimates per layer (what `dfsim map` prints), without simulating.
py::dict map_layers(const dfsim::RunOptions& o) {
  const dfsim::Plan plan = dfsim::make_plan(o);
  py::list layers;
  for (const dfsim::LayerPlan& lp : plan.layers) {
    const std::int64_t cycles = lp.estimate_cycles();
    py::dict l;
    l["name"] = lp.layer.name;
    l["macs"] = lp.layer.macs();
    l["mapping"] = lp.mapping_text();
    l["mapping_yaml"] = lp.mapping_yaml();
    l["estimate_cycles"] = cycles;
    l["estimate_seconds"] = static_cast<double>(cycles) * plan.arch.core_period_ns() * 1e-9;
    l["estimate_energy_pj"] = lp.estimate_energy_pj();  // without idle energy
    l["candidates"] = lp.candidates();
    layers.append(l);
  }
  py::list skipped;
  for (const dfsim::SkippedLayer& s : plan.skipped) {
    py::dict d;
    d["name"] = s.name;
    d["reason"] = s.reason;
    skipped.append(d);
  }
  py::dict out;
  out["arch"] = plan.arch.name;
  out["workload"] = plan.network.name;
  out["objective"] = o.objective;
  out["layers"] = layers;
  out["skipped_layers"] = skipped;
  out["mappings_yaml"] = dfsim::mappings_yaml(plan);
  return out;
}

}  // namespace

PYBIND11_MODULE(_dfsim, m) {
  m.doc() = "dfsim's simulator, mapper and sweep runner (one simulation per process)";
  py::register_exception<dfsim::ConfigError>(m, "ConfigError", PyExc_ValueError);
  m.attr("version") = DFSIM_VERSION;

  // The command line's options under the Python keywords' names (python/dfsim/__init__.py).
  using dfsim::RunOptions;
  py::class_<RunOptions>(m, "RunOptions")
      .def(py::init<>())
      .def_readwrite("arch", &RunOptions::arch_file)
      .def_readwrite("workload", &RunOptions::workload_file)
      .def_readwrite("layers", &RunOptions::layers)
      .def_readwrite("batch", &RunOptions::batch)
      .def_readwrite("seed", &RunOptions::seed)
      .def_readwrite("objective", &RunOptions::objective)
      .def_readwrite("check", &RunOptions::check)
      .def_readwrite("mapping", &RunOptions::mapping_file)
      .def_readwrite("dump_mappings", &RunOptions::dump_mappings_file)
      .def_readwrite("out", &RunOptions::out_dir)
      .def_readwrite("vcd", &RunOptions::vcd_file)
      .def_readwrite("skip_unmappable", &RunOptions::skip_unmappable)
      .def_readwrite("weight_density", &RunOptions::weight_density)
      .def_readwrite("input_density", &RunOptions::input_density)
      .def_readwrite("trace_json", &RunOptions::trace_json_file)
      .def_readwrite("trace_signals", &RunOptions::trace_signals)
      .def_readwrite("trace_layers", &RunOptions::trace_layers)
      .def_readwrite("trace_window_us", &RunOptions::trace_window_us);

  m.def("run_json", &run_json,
        "Simulates (once per process) and returns stats.json's text; raises ConfigError on bad "
        "input");
  m.def("map_layers", &map_layers, "Maps every layer and returns the choices and estimates");
  m.def(
      "sweep",
      [](const std::string& spec, int jobs, const std::string& out, const std::string& exe) {
        dfsim::SweepOptions o;
        o.spec_file = spec;
        o.jobs = jobs;
        o.out_dir = out;
        o.self_exe = exe;
        return dfsim::run_sweep(o);
      },
      "Runs a sweep's pending points with the dfsim program `exe`; returns its exit status (1: "
      "some points failed)");
  m.def(
      "export_sweep",
      [](const std::string& spec, const std::string& out, const std::string& path) {
        dfsim::SweepOptions o;
        o.spec_file = spec;
        o.out_dir = out;
        return dfsim::export_sweep(o, "json", path);
      },
      "Writes the sweep's results as JSON to `path`");
}
