// dfsim command line: run | map | sweep | tech | report.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <systemc>

#include "arrays/array_style.hpp"
#include "base/config/array_style_registry.hpp"
#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "base/energy/energy_table.hpp"
#include "base/energy/technology.hpp"
#include "base/sim_error.hpp"
#include "components/memory/jedec/dram_channel.hpp"
#include "run/run.hpp"
#include "sweep/sweep_runner.hpp"

#ifndef DFSIM_PYTHON_EXECUTABLE                     // python/CMakeLists.txt sets both
#define DFSIM_PYTHON_EXECUTABLE "/usr/bin/python3"  // Debian's
#define DFSIM_PYTHON_LIBDIR "python3"
#endif

namespace po = boost::program_options;
using namespace dfsim;

namespace {

const char* kUsage =
    "dfsim " DFSIM_VERSION
    " - DNN accelerator simulator (SystemC/TLM-2.0)\n\n"
    "Usage:\n"
    "  dfsim run --arch FILE --workload FILE [options]   simulate and report\n"
    "  dfsim map --arch FILE --workload FILE [options]   mapping and estimate only\n"
    "  dfsim sweep SPEC.yaml [-j N] [--backend local|slurm] [--out DIR]\n"
    "  dfsim sweep SPEC.yaml --export csv|json [--output FILE]\n"
    "  dfsim tech [--arch FILE | --dram]                 energy and area model, DRAM presets\n"
    "  dfsim report PATH [--out DIR]                     HTML page with SVG plots of a run's\n"
    "                                                    stats.json or a sweep's folder\n"
    "  dfsim --help | --version\n\n"
    "Examples:\n"
    "  dfsim run --arch configs/eyeriss_v1.yaml --workload workloads/alexnet.yaml \\\n"
    "            --layers conv1,conv2,conv3,conv4,conv5 --batch 4\n"
    "  dfsim run --arch configs/eyeriss_v1.yaml --workload workloads/vgg16.yaml \\\n"
    "            --layers conv1_1 --out results --vcd conv1_1.vcd\n"
    "  dfsim run --arch configs/tpu_v1.yaml --workload workloads/resnet50.yaml --batch 8\n"
    "  dfsim run --arch configs/eyeriss_v1.yaml --workload workloads/alexnet_pruned.yaml\n"
    "  dfsim map --arch configs/eyeriss_v1.yaml --workload workloads/resnet50.yaml --objective "
    "edp\n"
    "  dfsim sweep configs/sweeps/eyeriss_glb_array.yaml -j 2\n";

// What an architecture file may name: its `array:` style, and each role section's `impl:`.
void print_registered(std::ostream& os) {
  os << "\nArray styles (array:):";
  for (const std::string& s : array_style_names()) os << " " << s;
  os << "\nComponent implementations (impl: of a role's section):\n";
  for (const std::string& role : component_roles())
    for (const std::string& name : component_names(role))
      os << "  " << role << ": " << name << " - " << find_component(role, name)->summary << "\n";
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {  // "a, b" is a and b
    const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

int sweep_command(const std::vector<std::string>& args, const char* self) {
  po::options_description desc("Sweep options");
  SweepOptions opt;
  std::string spec, format, output;
  desc.add_options()("help,h", "this help")("spec", po::value<std::string>(&spec)->required(),
                                            "sweep specification YAML")(
      "jobs,j", po::value<int>(&opt.jobs)->default_value(0),
      "points at a time (default: the number of cores)")(
      "backend", po::value<std::string>(&opt.backend)->default_value("local"), "local | slurm")(
      "out", po::value<std::string>(&opt.out_dir),
      "folder for the database and plots (default sweeps/NAME)")(
      "export", po::value<std::string>(&format),
      "write the results table as csv or json instead of running")(
      "output", po::value<std::string>(&output), "file for --export (default: stdout)");
  po::positional_options_description pos;
  pos.add("spec", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << desc;
    return 0;
  }
  po::notify(vm);
  opt.spec_file = spec;
  opt.self_exe = self;
  if (opt.jobs < 0) throw ConfigError("-j: must be >= 0");
  if (opt.backend != "local" && opt.backend != "slurm")
    throw ConfigError("--backend: '" + opt.backend + "' is not one of: local slurm");
  if (!format.empty()) return export_sweep(opt, format, output);
  return run_sweep(opt);
}

int sweep_point_command(const std::vector<std::string>& args) {
  po::options_description desc("sweep-point (used by dfsim sweep)");
  std::string spec, result;
  long long index = -1;
  desc.add_options()("spec", po::value<std::string>(&spec)->required(), "")(
      "index", po::value<long long>(&index)->required(), "")(
      "result", po::value<std::string>(&result)->required(), "");
  po::positional_options_description pos;
  pos.add("spec", 1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
  po::notify(vm);
  return run_sweep_point(spec, index, result);
}

// Per sized action: the file's key, the technology model's price and their ratio (the
// calibration factor that keeps the key's price at the file's sizes).
void print_sized_actions(std::ostream& os, const ArchConfig& arch, const EnergyTable& table) {
  os << "\nSized actions at " << arch.technology_nm
     << " nm: the file's key, the model (uncalibrated) and key / model, the calibration "
        "factor that keeps the key's price at these sizes:\n";
  const Technology tech{arch.technology_nm, arch.vdd_v};
  for (const PricedAction& a : table.actions()) {
    const HardwarePart* part = table.part_of(a);
    if (!part) continue;
    const double key = price_key_node(arch, a.key).as_double();
    const double model = scaled_pj_per_unit(a, *part, tech);
    os << "  " << a.name << " (" << part->name << "): key " << key << ", model " << model
       << ", key/model " << key / model << "\n";
  }
}

// The sized parts with their areas (area_report).
void print_parts(std::ostream& os, const ArchConfig& arch, const EnergyTable& table) {
  const AreaReport area = area_report(arch, table);
  os << "\nSized parts (" << (area.parts.empty() ? "no area: no technology_nm" : area.source)
     << "):\n";
  for (const HardwarePart& p : table.parts()) {
    os << "  " << p.name << ": " << p.instances << " x " << to_string(p.kind);
    if (p.kind == PartKind::Storage)
      os << " of " << p.capacity_bytes << " B, " << p.width_bits << "-bit access";
    else if (p.kind == PartKind::Crossbar)
      os << " of " << p.inputs << " x " << p.outputs << " ports, " << p.width_bits << " bits";
    else
      os << " of " << p.width_bits << " bits";
    for (const PartArea& a : area.parts)
      if (a.name == p.name) os << ", " << a.mm2 << " mm^2";
    os << "\n";
  }
  if (!area.parts.empty()) os << "  total " << area.total_mm2() << " mm^2\n";
}

// --seed: a decimal integer in [0, 2^64); a sign or anything else is an error (the option
// parser would wrap -1 to 2^64 - 1).
std::uint64_t parse_seed(const std::string& text) {
  const bool digits = !text.empty() && text.size() <= 20 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  errno = 0;
  const unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
  if (!digits || errno == ERANGE)
    throw ConfigError("--seed: '" + text + "' is not an integer from 0 to 18446744073709551615");
  return v;
}

// dfsim tech: the energy and area model's tables; with --arch, the architecture's priced
// actions and sized parts.
int tech_command(const std::vector<std::string>& args) {
  po::options_description desc("tech options");
  std::string arch_file;
  desc.add_options()("help,h", "this help")(
      "arch", po::value<std::string>(&arch_file),
      "an architecture: its actions' prices and its parts' areas")(
      "dram", "the JEDEC DRAM presets of dram.impl jedec: timing, currents, energies");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << "Usage: dfsim tech [--arch FILE | --dram]\n" << desc;
    return 0;
  }
  po::notify(vm);
  if (vm.count("dram")) {
    jedec::print_dram_standards(std::cout);
    return 0;
  }
  if (arch_file.empty()) {
    print_technology_tables(std::cout);
    return 0;
  }
  const ArchConfig arch = load_arch(arch_file);
  const std::unique_ptr<ArrayStyle> style = make_array_style(arch, Objective::Energy);
  const EnergyTable& table = style->energy_table();
  std::cout << "Priced actions of " << arch.name << " (energy model " << arch.energy_impl << "):\n";
  print_energy_table(std::cout, table);
  if (arch.technology_nm > 0) print_sized_actions(std::cout, arch, table);
  print_parts(std::cout, arch, table);
  return 0;
}

// The result table and the files written; with --quiet only the layers left out (on stderr:
// they must not pass unnoticed).
void print_run_result(const RunResult& r, const RunOptions& opt, const TableOptions& table,
                      bool quiet) {
  if (quiet) {
    for (const SkippedLayer& s : r.info.skipped)
      std::cerr << "dfsim: skipped " << s.name << ": " << s.reason << "\n";
    return;
  }
  print_table(std::cout, r.info, r.layers, r.total, table);
  if (!opt.out_dir.empty()) std::cout << "\nwrote " << opt.out_dir << "/stats.json\n";
  if (!opt.vcd_file.empty()) std::cout << "wrote " << opt.vcd_file << "\n";
  if (!opt.trace_json_file.empty()) std::cout << "wrote " << opt.trace_json_file << "\n";
}

// dfsim map: the mappings and their estimates, no simulation.
int map_command(const RunOptions& opt, const po::variables_map& vm, bool no_check) {
  for (const char* o : {"seed", "out", "vcd", "quiet", "summary", "sizes", "progress", "trace-json",
                        "trace-signals", "trace-layers", "trace-window-us", "timing-only"})
    if (vm.count(o) && !vm[o].defaulted())
      throw ConfigError(std::string("--") + o + " is an option of 'run', not of 'map'");
  if (no_check) throw ConfigError("--no-check is an option of 'run', not of 'map'");
  const Plan plan = make_plan(opt);
  if (!opt.dump_mappings_file.empty())
    write_text_atomically(opt.dump_mappings_file, mappings_yaml(plan));
  std::cout << plan.arch;
  for (const std::string& n : plan.arch.import_notes) std::cout << "  imported: " << n << "\n";
  std::cout << "\nMappings (" << opt.objective << "):\n";
  for (const SkippedLayer& s : plan.skipped)
    std::cout << "  skipped " << s.name << ": " << s.reason << "\n";
  for (const auto& lp : plan.layers) {
    const std::int64_t cycles = lp.estimate_cycles();
    std::cout << "  " << lp.layer << "\n    " << lp.mapping_text() << "\n    estimate: " << cycles
              << " cycles (" << static_cast<double>(cycles) * plan.arch.core_period_ns() * 1e-6
              << " ms), " << lp.estimate_energy_pj() * 1e-6 << " uJ w/o idle";
    std::cout << lp.mapping->estimate_details();
    std::cout << "; " << lp.candidates() << " candidates\n";
  }
  return 0;
}

// The trace options of `run` (base/trace/trace_writer.hpp) as the command line spells them.
struct TraceArgs {
  std::string signals, layers, window;
};

void add_trace_options(po::options_description& desc, RunOptions& opt, TraceArgs& t) {
  desc.add_options()("trace-json", po::value<std::string>(&opt.trace_json_file),
                     "write a trace-event JSON (Perfetto, chrome://tracing) of the layers, "
                     "passes and DRAM transfers")(
      "trace-signals", po::value<std::string>(&t.signals),
      "trace only the signals matching these comma-separated globs over scope.name "
      "(e.g. 'dram.*,control.*')")("trace-layers", po::value<std::string>(&t.layers),
                                   "trace only while these comma-separated layers run")(
      "trace-window-us", po::value<std::string>(&t.window),
      "FROM:TO: trace only that simulated time, in microseconds");
}

void apply_trace_args(const TraceArgs& t, RunOptions& opt) {
  opt.trace_signals = split(t.signals);
  opt.trace_layers = split(t.layers);
  if (t.window.empty()) return;
  const std::size_t colon = t.window.find(':');
  char* end = nullptr;
  const std::string from = t.window.substr(0, colon);
  const std::string to = colon == std::string::npos ? "" : t.window.substr(colon + 1);
  const double a = std::strtod(from.c_str(), &end);
  const bool a_ok = !from.empty() && *end == '\0';
  const double b = std::strtod(to.c_str(), &end);
  if (!a_ok || to.empty() || *end != '\0')
    throw ConfigError("--trace-window-us: expected FROM:TO in microseconds, got '" + t.window +
                      "'");
  opt.trace_window_us = std::pair{a, b};
}

int run_command(const std::string& cmd, const std::vector<std::string>& args) {
  po::options_description desc("Options");
  std::string layers;
  std::int64_t batch = 0;
  RunOptions opt;
  bool no_check = false, quiet = false, progress = false;
  TableOptions table;
  double weight_density = 1, input_density = 1;
  std::string seed = "1";
  desc.add_options()("help,h", "this help")(
      "arch", po::value<std::string>(&opt.arch_file)->required(), "architecture YAML")(
      "workload", po::value<std::string>(&opt.workload_file)->required(),
      "network YAML or Timeloop problem, an ONNX model (.onnx) or a SCALE-Sim topology (.csv)")(
      "layers", po::value<std::string>(&layers), "comma-separated layer names (default: all)")(
      "batch", po::value<std::int64_t>(&batch), "batch size N for every layer")(
      "weight-density", po::value<double>(&weight_density),
      "override every layer's weight density (0, 1]")(
      "input-density", po::value<double>(&input_density),
      "override every layer's input activation density (0, 1]")(
      "seed", po::value<std::string>(&seed)->default_value("1"),
      "seed of the generated data (0 to 2^64 - 1)")(
      "objective", po::value<std::string>(&opt.objective)->default_value("latency"),
      "mapper objective: energy | latency | edp")(
      "mapping", po::value<std::string>(&opt.mapping_file), "YAML file of pinned mappings")(
      "dump-mappings", po::value<std::string>(&opt.dump_mappings_file),
      "write the chosen mappings to FILE in the --mapping format")(
      "out", po::value<std::string>(&opt.out_dir), "write DIR/stats.json")(
      "vcd", po::value<std::string>(&opt.vcd_file), "write a VCD waveform")(
      "no-check", po::bool_switch(&no_check), "skip the comparison with the reference convolution")(
      "timing-only", po::bool_switch(&opt.timing_only),
      "cycles, traffic and energy only: no check, and no output values computed where the "
      "array's timing does not depend on them (the same counts as a full run; ofmap density "
      "not reported)")(
      "skip-unmappable", po::bool_switch(&opt.skip_unmappable),
      "leave out layers no mapping fits (listed in the table and stats.json) instead of "
      "stopping")("quiet", po::bool_switch(&quiet),
                  "print nothing on success (errors still go to stderr; see the exit code)")(
      "summary", po::bool_switch(&table.summary), "print the total row only")(
      "sizes", po::bool_switch(&table.sizes),
      "also print the operands' compressed sizes in every encoding")(
      "progress", po::bool_switch(&progress),
      "show the progress line on stderr from the start, even when it is not a terminal "
      "(by default: on a terminal, after a second)");
  TraceArgs trace;
  add_trace_options(desc, opt, trace);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << desc;
    return 0;
  }
  po::notify(vm);
  opt.layers = split(layers);
  if (vm.count("batch")) opt.batch = batch;
  if (vm.count("weight-density")) opt.weight_density = weight_density;
  opt.seed = parse_seed(seed);
  if (vm.count("input-density")) opt.input_density = input_density;
  opt.check = !no_check && !opt.timing_only;
  apply_trace_args(trace, opt);

  if (cmd == "map") return map_command(opt, vm, no_check);
  if (quiet && (table.summary || table.sizes))
    throw ConfigError("--quiet prints nothing: it does not go with --summary or --sizes");
  if (table.summary && table.sizes)
    throw ConfigError("--summary prints the total row only: it does not go with --sizes");
  opt.progress = progress ? RunOptions::Progress::Always
                          : (quiet ? RunOptions::Progress::Never : RunOptions::Progress::Auto);
  const RunResult r = run_simulation(opt);
  print_run_result(r, opt, table, quiet);
  // For benchmarks (bench/speed_matrix.py): the host's work in transactions.
  if (std::getenv("DFSIM_REPORT_TRANSACTIONS"))
    std::cerr << "dfsim: transactions " << r.transactions << "\n";
  if (r.total.output_check == "fail") {
    std::cerr << "dfsim: error: simulated outputs differ from the reference convolution\n";
    return 3;
  }
  return 0;
}

// `dfsim report`: the Python package's dfsim.report (matplotlib) on the package found next to
// this program (the build tree's python/, the package holding this program, an install's
// lib/python3.X/{dist,site}-packages of the interpreter's version), else on python3's own path.
std::string python_package_root(const std::filesystem::path& exe_dir) {
  namespace fs = std::filesystem;
  // The build tree's python/; the package's own copy of the program (dfsim/bin/dfsim).
  std::vector<fs::path> roots{exe_dir / "python", exe_dir.parent_path().parent_path()};
  // An install for the interpreter's own version (another version's extension cannot load).
  const fs::path lib = exe_dir.parent_path() / "lib" / DFSIM_PYTHON_LIBDIR;
  roots.push_back(lib / "dist-packages");
  roots.push_back(lib / "site-packages");
  std::error_code ec;
  for (const auto& r : roots)
    if (fs::exists(r / "dfsim" / "report.py", ec)) return r.string();
  return "";
}

// Replaces this process with python3: the report's exit status and messages are the command's.
int report_command(const std::vector<std::string>& args, const std::string& self) {
  const std::string root = python_package_root(std::filesystem::path(self).parent_path());
  if (!root.empty()) {
    const char* old = std::getenv("PYTHONPATH");
    setenv("PYTHONPATH", (root + (old && *old ? std::string(":") + old : "")).c_str(), 1);
  }
  // The current folder is left off the module path: a json.py there must not be imported.
  const char* script =
      "import sys\n"
      "sys.path[:] = [p for p in sys.path if p not in ('', '.')]\n"
      "try:\n"
      "    from dfsim import report\n"
      "except ImportError as e:\n"
      "    print('dfsim: error: report needs the dfsim Python package (built with "
      "-DDFSIM_PYTHON=ON, the default): ' + str(e), file=sys.stderr)\n"
      "    sys.exit(2)\n"
      "sys.exit(report.main(sys.argv[1:]))\n";
  std::vector<const char*> argv{DFSIM_PYTHON_EXECUTABLE, "-c", script};
  for (const auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);
  execv(argv[0], const_cast<char* const*>(argv.data()));
  std::cerr << "dfsim: error: report needs " << DFSIM_PYTHON_EXECUTABLE << ": "
            << std::strerror(errno) << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // SystemC prints a banner on first use; keep stdout for results.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
      std::cout << kUsage;
      print_registered(std::cout);
      return args.empty() ? 2 : 0;
    }
    if (args[0] == "--version") {
      std::cout << "dfsim " << DFSIM_VERSION << " (SystemC " << sc_core::sc_release() << ")\n";
      return 0;
    }
    const std::string cmd = args[0];
    if (cmd == "sweep")
      return sweep_command({args.begin() + 1, args.end()},
                           std::filesystem::read_symlink("/proc/self/exe").c_str());
    if (cmd == "sweep-point") return sweep_point_command({args.begin() + 1, args.end()});
    if (cmd == "tech") return tech_command({args.begin() + 1, args.end()});
    if (cmd == "report")
      return report_command({args.begin() + 1, args.end()},
                            std::filesystem::read_symlink("/proc/self/exe").string());
    if (cmd != "run" && cmd != "map") {
      std::cerr << "dfsim: error: unknown command '" << cmd
                << "' (expected run, map, sweep, tech or report)\n";
      return 2;
    }
    return run_command(cmd, {args.begin() + 1, args.end()});
  } catch (const ConfigError& e) {
    std::cerr << "dfsim: error: " << e.what() << "\n";
    return 2;
  } catch (const po::error& e) {
    std::cerr << "dfsim: error: " << e.what() << " (see dfsim --help)\n";
    return 2;
  } catch (const SimulationError& e) {
    std::cerr << "dfsim: internal error: " << e.what() << "\n";
    return 4;
  } catch (const std::exception& e) {
    std::cerr << "dfsim: error: " << e.what() << "\n";
    return 1;
  }
}
