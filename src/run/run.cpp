#include "run/run.hpp"

#include <fnmatch.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <systemc>
#include <thread>

#include "arrays/array_model.hpp"
#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "base/energy/technology.hpp"
#include "base/text.hpp"
#include "base/trace/trace_writer.hpp"
#include "base/util/stoppable_thread.hpp"
#include "components/memory/dma.hpp"
#include "components/payload.hpp"
#include "run/layer_stream.hpp"
#include "workload/onnx_import.hpp"
#include "workload/tensor.hpp"

namespace dfsim {

// Threads one run may use: the cores, or DFSIM_THREADS (a sweep running N points at a time
// gives each its share, so points do not compete for cores).
std::size_t run_threads() {
  std::size_t n = std::max(1u, std::thread::hardware_concurrency());
  if (const char* env = std::getenv("DFSIM_THREADS")) {
    const long v = std::strtol(env, nullptr, 10);
    if (v >= 1) n = static_cast<std::size_t>(v);
  }
  return n;
}

namespace {

Network load_workload(const RunOptions& opt, const ArrayStyle& style) {
  if (opt.workload_file.size() > 5 &&
      opt.workload_file.compare(opt.workload_file.size() - 5, 5, ".onnx") == 0) {
    // An ONNX model: its layers and (quantized) weights, at the datapath's weight width.
    OnnxImportOptions io;
    io.weight_bits = style.import_weight_bits();
    io.batch = opt.batch.value_or(1);
    Network net = import_onnx(opt.workload_file, io);
    for (Layer& l : net.layers) l.weight_bits = io.weight_bits;
    return net;
  }
  return load_network(opt.workload_file);
}

std::map<std::string, ConfigNode> pinned_mappings(const RunOptions& opt, const Network& net) {
  std::map<std::string, ConfigNode> pinned;
  if (opt.mapping_file.empty()) return pinned;
  pinned = load_pinned_mappings(opt.mapping_file);
  for (const auto& [name, node] : pinned) {
    bool found = false;
    for (const auto& l : net.layers) found = found || l.name == name;
    if (!found) node.fail("no layer '" + name + "' in the run");
  }
  return pinned;
}

// Runs fn(i) for i in [0, n) on up to `threads` threads; returns each call's exception.
template <typename Fn>
std::vector<std::exception_ptr> parallel_for(std::size_t n, std::size_t threads, Fn&& fn) {
  std::vector<std::exception_ptr> errors(n);
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t j; (j = next++) < n;) {
      try {
        fn(j);
      } catch (...) {
        errors[j] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return errors;
}

// The style's best mapping of a view (a style throws ConfigError when nothing fits).
std::shared_ptr<const LayerMapping> best_mapping(const ArrayStyle& style, const Layer& view,
                                                 const std::string& array) {
  auto best = style.best(view, 1);
  if (best.empty())
    throw std::logic_error("array style '" + array + "' returned no mapping for " + view.name);
  return best.front();
}

// Leaves out the layers that failed to map and those fed by a left-out layer.
void skip_unmapped(Plan& plan, const std::vector<std::string>& reasons) {
  std::vector<LayerPlan> kept;
  bool previous_skipped = false;
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    std::string why = reasons[i];
    if (why.empty() && previous_skipped && plan.layers[i].layer.input_from_previous)
      why = "its input is the output of skipped layer '" + plan.layers[i - 1].layer.name + "'";
    previous_skipped = !why.empty();
    if (previous_skipped)
      plan.skipped.push_back({plan.layers[i].layer.name, why});
    else
      kept.push_back(std::move(plan.layers[i]));
  }
  plan.layers = std::move(kept);
}

}  // namespace

namespace {

// The run's layers with the command line's batch and density overrides applied.
std::vector<LayerPlan> planned_layers(const RunOptions& opt, const Network& net) {
  for (auto [value, what] : {std::pair{opt.weight_density, "--weight-density"},
                             std::pair{opt.input_density, "--input-density"}})
    if (value && !(*value > 0 && *value <= 1))
      throw ConfigError(std::string(what) + ": must be in (0, 1]");
  std::vector<LayerPlan> layers;
  for (Layer l : net.layers) {
    if (opt.batch) l.N = *opt.batch;
    if (opt.weight_density) l.weight_density = *opt.weight_density;
    // The ifmap of a chained or .npy-fed layer is real data: its density is what it is.
    if (opt.input_density && !l.input_from_previous && l.ifmap_file.empty())
      l.input_density = *opt.input_density;
    if (const std::string too_large = l.size_problem(); !too_large.empty())
      throw ConfigError((opt.batch ? "--batch " + std::to_string(*opt.batch) + ": " : "") +
                        too_large);
    LayerPlan lp;
    lp.layer = l;
    layers.push_back(lp);
  }
  return layers;
}

// Maps every layer not pinned. Layers map independently: they are searched on all cores, and
// layers with the same view of the mapper (common in VGG and ResNet) share one search; the
// view holds everything the mapper reads, so a layer's mapping is the same whatever else is
// in the run. Returns, per layer, why no mapping fits ("" when one does).
std::vector<std::string> search_mappings(Plan& plan,
                                         const std::map<std::string, ConfigNode>& pinned,
                                         bool skip_unmappable) {
  const ArrayStyle& style = *plan.style;
  std::map<std::string, std::size_t> search_of_view;
  std::vector<std::size_t> search_index(plan.layers.size());
  std::vector<Layer> views;
  std::vector<std::string> reasons(plan.layers.size());
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    LayerPlan& lp = plan.layers[i];
    if (const std::string why = style.refusal(lp.layer); !why.empty()) {
      if (!skip_unmappable) throw ConfigError(lp.layer.where + ": " + why);
      reasons[i] = lp.layer.where + ": " + why;
      continue;
    }
    const Layer view = style.estimate_view(lp.layer);
    auto it = pinned.find(lp.layer.name);
    if (it != pinned.end()) {
      lp.mapping = style.pinned(view, it->second);
      continue;
    }
    auto [pos, fresh] = search_of_view.emplace(layer_key(view), views.size());
    if (fresh) views.push_back(view);
    search_index[i] = pos->second;
  }
  std::vector<std::shared_ptr<const LayerMapping>> found(views.size());
  const std::vector<std::exception_ptr> errors = parallel_for(
      views.size(), std::min<std::size_t>(4, run_threads()),
      [&](std::size_t j) { found[j] = best_mapping(style, views[j], plan.arch.array); });
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    LayerPlan& lp = plan.layers[i];
    if (pinned.count(lp.layer.name) || !reasons[i].empty()) continue;
    const std::size_t j = search_index[i];
    if (!errors[j]) {
      lp.mapping = found[j];
      continue;
    }
    try {
      std::rethrow_exception(errors[j]);
    } catch (const ConfigError& e) {  // no mapping fits; anything else propagates
      const std::string why = lp.layer.where + ": " + e.what();
      if (!skip_unmappable) throw ConfigError(why);  // the first failing layer in order
      reasons[i] = why;
    }
  }
  return reasons;
}

}  // namespace

namespace {

// A run streams its layers (run/layer_stream.hpp): it holds two consecutive layers' operands
// and outputs at once. Refused before any allocation when that lower bound exceeds the
// machine's physical memory, instead of ending in std::bad_alloc.
void check_memory(const std::vector<LayerPlan>& layers) {
  const double pages = static_cast<double>(::sysconf(_SC_PHYS_PAGES));
  const double page_bytes = static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  if (pages <= 0 || page_bytes <= 0) return;  // unknown: nothing to compare with
  const double machine = pages * page_bytes;
  std::string largest_name;
  const double need = streamed_bytes_lower_bound(layers, &largest_name);
  if (need <= machine) return;
  const auto gb = [](double b) { return json_number(b / 1e9, 3) + " GB"; };
  throw ConfigError("the run's operands and outputs need at least " + gb(need) +
                    " at once (largest layer " + largest_name + "); this machine has " +
                    gb(machine) + " of memory");
}

}  // namespace

Plan make_plan(const RunOptions& opt, PlanFor purpose) {
  Plan plan;
  plan.arch = opt.arch_text.empty() ? load_arch(opt.arch_file)
                                    : load_arch_from_string(opt.arch_text, opt.arch_file);
  plan.objective = parse_objective(opt.objective);
  plan.style = make_array_style(plan.arch, plan.objective);
  plan.network = load_workload(opt, *plan.style);
  if (!opt.layers.empty()) plan.network = select_layers(plan.network, opt.layers);
  if (opt.batch && (*opt.batch < 1 || *opt.batch > kMaxLayerDim))
    throw ConfigError("--batch: must be 1 to " + std::to_string(kMaxLayerDim) + " (2^24)");
  const std::map<std::string, ConfigNode> pinned = pinned_mappings(opt, plan.network);
  plan.layers = planned_layers(opt, plan.network);
  if (purpose == PlanFor::Simulation) check_memory(plan.layers);  // before the mappers' work
  const std::vector<std::string> reasons = search_mappings(plan, pinned, opt.skip_unmappable);
  if (opt.skip_unmappable) skip_unmapped(plan, reasons);
  if (plan.layers.empty() && !plan.skipped.empty())
    throw ConfigError("no layer of " + opt.workload_file + " can be mapped (" +
                      plan.skipped.front().reason + ")");
  return plan;
}

std::map<std::string, ConfigNode> load_pinned_mappings(const std::string& path) {
  ConfigNode root = ConfigNode::load_file(path);
  root.expect_keys({"mappings"});
  std::map<std::string, ConfigNode> out;
  ConfigNode maps = root.at("mappings");
  for (const std::string& name : maps.keys()) out.emplace(name, maps.at(name));
  return out;
}

std::string mappings_yaml(const Plan& plan) {
  std::ostringstream os;
  os << "# dfsim mappings of " << plan.network.name << " on " << plan.arch.name
     << "; run with --mapping FILE to pin them\nmappings:\n";
  for (const LayerPlan& lp : plan.layers)
    os << "  " << lp.layer.name << ": " << lp.mapping_yaml() << "\n";
  return os.str();
}

void write_text_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error(tmp + ": cannot write");
    out << text;
    if (!out.flush()) throw std::runtime_error(tmp + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) throw std::runtime_error(path + ": cannot write: " + ec.message());
}

AreaReport area_report(const ArchConfig& arch, const EnergyTable& table) {
  AreaReport r;
  r.technology_nm = arch.technology_nm;
  const std::unique_ptr<EnergyModel> model = make_energy_model(arch);
  int imported = 0, modeled = 0;
  for (const HardwarePart& p : table.parts()) {
    std::optional<double> mm2 = model->area_mm2(p);
    if (mm2) {
      ++imported;
    } else if (arch.technology_nm > 0) {
      mm2 = part_area_mm2(p, arch.technology_nm, arch.logic_area_factor);
      ++modeled;
    }
    if (mm2) r.parts.push_back({p.name, to_string(p.kind), p.instances, *mm2});
  }
  const std::string tech = "technology model at " + json_number(arch.technology_nm) + " nm";
  if (imported > 0)
    r.source = "imported area table" + (modeled > 0 ? ", the " + tech + " for the rest" : "");
  else if (modeled > 0)
    r.source = tech;
  return r;
}

namespace {

// The architecture keys that name files (each implementation's file_keys, in its role's
// section): (role, key, absolute path).
struct FileKey {
  std::string role, key, path;
};
std::vector<FileKey> file_keys(const ConfigNode& arch) {
  std::vector<FileKey> out;
  for (const std::string& role : component_roles()) {
    const auto section = arch.find(role);
    if (!section || !section->is_map()) continue;
    std::set<std::string> keys;
    for (const std::string& name : component_names(role))
      for (const std::string& k : find_component(role, name)->file_keys) keys.insert(k);
    for (const std::string& k : keys)
      if (const auto n = section->find(k)) out.push_back({role, k, n->as_path()});
  }
  return out;
}

// The merged architecture with its file keys absolute, so that the provenance loads from
// anywhere.
void absolute_file_keys(const std::vector<FileKey>& files, YAML::Node& merged) {
  for (const FileKey& f : files) merged[f.role][f.key] = f.path;
}

// FNV-1a of a file's bytes ("" if it cannot be read: the run would have failed).
std::string file_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::to_string(fnv1a64(ss.str(), kFnv1a64Basis));
}

// Every file the run read besides the architecture and workload texts: .npy operands and
// energy tables, by content.
std::string referenced_files(const Plan& plan, const std::vector<FileKey>& arch_files) {
  std::string out;
  for (const LayerPlan& lp : plan.layers)
    for (const std::string* f : {&lp.layer.ifmap_file, &lp.layer.weights_file})
      if (!f->empty()) out += *f + " " + file_hash(*f) + "\n";
  for (const FileKey& f : arch_files) out += f.path + " " + file_hash(f.path) + "\n";
  return out;
}

Provenance provenance_of(const Plan& plan, const RunOptions& opt) {
  Provenance p;
  YAML::Node merged = plan.arch.node->merged();
  const std::vector<FileKey> arch_files = file_keys(*plan.arch.node);
  absolute_file_keys(arch_files, merged);
  YAML::Emitter arch;
  arch << merged;
  p.architecture_yaml = std::string(arch.c_str()) + "\n";
  Network ran{plan.network.name, plan.network.source_file, {}};
  for (const LayerPlan& lp : plan.layers) ran.layers.push_back(lp.layer);
  p.workload_yaml = network_yaml(ran);
  p.mappings_yaml = mappings_yaml(plan);
  const std::string what =
      std::string("dfsim ") + DFSIM_VERSION + "\n--- architecture\n" + p.architecture_yaml +
      "--- workload\n" + p.workload_yaml + "--- mappings\n" + p.mappings_yaml + "--- files\n" +
      referenced_files(plan, arch_files) + "--- seed " + std::to_string(opt.seed) + ", objective " +
      to_string(plan.objective) + (opt.check && !opt.timing_only ? ", checked" : ", not checked") +
      (opt.timing_only ? ", timing only" : "");
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(fnv1a64(what, kFnv1a64Basis)));
  p.hash = std::string("fnv1a64:") + hex;
  return p;
}

}  // namespace

RunInfo run_info(const Plan& plan, const RunOptions& opt) {
  RunInfo info;
  info.provenance = provenance_of(plan, opt);
  info.arch_name = plan.arch.name;
  info.arch_file = opt.arch_file;
  info.arch_import_notes = plan.arch.import_notes;
  info.workload_name = plan.network.name;
  info.workload_file = opt.workload_file;
  info.objective = to_string(plan.objective);
  info.batch = plan.layers.empty() ? 1 : plan.layers.front().layer.N;
  info.seed = opt.seed;
  info.timing_only = opt.timing_only;
  info.clock_mhz = plan.arch.clocks.core_mhz;
  info.dram_peak_bytes_per_s =
      dram_bytes_per_link_cycle(plan.arch) * plan.arch.clocks.link_mhz * 1e6;
  info.skipped = plan.skipped;
  info.area = area_report(plan.arch, plan.style->energy_table());
  return info;
}

namespace {

// `--out DIR` must be a directory or creatable under one we may write; `--vcd` and
// `--dump-mappings` files must go into an existing, writable directory and not be directories.
void check_output_paths(const RunOptions& opt) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!opt.out_dir.empty()) {
    fs::path p = fs::absolute(opt.out_dir, ec);
    if (fs::exists(p, ec) && !fs::is_directory(p, ec))
      throw ConfigError("--out: " + opt.out_dir + " exists and is not a directory");
    while (!p.empty() && !fs::exists(p, ec) && p != p.parent_path()) p = p.parent_path();
    if (!fs::is_directory(p, ec) || ::access(p.c_str(), W_OK) != 0)
      throw ConfigError("--out: cannot create " + opt.out_dir + " (" + p.string() +
                        " is not a writable directory)");
  }
  std::map<fs::path, std::string> written;  // one file for two outputs would garble both
  for (const auto& [file, option] :
       {std::pair{opt.vcd_file, "--vcd"}, std::pair{opt.trace_json_file, "--trace-json"},
        std::pair{opt.dump_mappings_file, "--dump-mappings"}}) {
    if (file.empty()) continue;
    const fs::path key = fs::absolute(file, ec).lexically_normal();
    if (!written.emplace(key, option).second)
      throw ConfigError(std::string(option) + ": " + file + " is also the file of " + written[key]);
    const fs::path p = fs::absolute(file, ec);
    if (fs::is_directory(p, ec))
      throw ConfigError(std::string(option) + ": " + file + " is a directory");
    const fs::path dir = p.parent_path();
    if (!fs::is_directory(dir, ec) || ::access(dir.c_str(), W_OK) != 0)
      throw ConfigError(std::string(option) + ": cannot write " + file + " (" + dir.string() +
                        " is not a writable directory)");
  }
}

std::vector<LayerJob> layer_jobs(const Plan& plan, LayerFeed& feed, bool compute_outputs) {
  std::vector<LayerJob> jobs;
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const LayerPlan& lp = plan.layers[i];
    // What the layer's place in the run adds (e.g. a planar array's first layer loads its
    // input from DRAM); the mapper ranks position-free.
    const std::int64_t estimate =
        lp.estimate_cycles() + lp.mapping->place_cycles(i == 0, i + 1 == plan.layers.size());
    jobs.push_back({lp.layer, &feed, i, lp.mapping, plan.style->arithmetic(lp.layer),
                    lp.mapping_text(), estimate, lp.estimate_energy_pj(), compute_outputs});
  }
  return jobs;
}

}  // namespace

namespace {

// SystemC's time is a 64-bit count of femtoseconds (the resolution this run sets): 18,446 s.
// A run whose estimate approaches it (a slow clock, a huge layer) is refused before the
// simulation, instead of wrapping around.
void check_simulated_time(const Plan& plan) {
  double cycles = 0;
  for (const LayerPlan& lp : plan.layers) cycles += static_cast<double>(lp.estimate_cycles());
  const double seconds = cycles * plan.arch.core_period_ns() * 1e-9;
  if (seconds > 1e4)
    throw ConfigError("the run would simulate about " + json_number(seconds, 3) +
                      " s (the mappers' estimate), beyond what SystemC's femtosecond clock "
                      "holds (18446 s): fewer layers, a smaller batch or a faster clock");
}

}  // namespace

namespace {

// The trace writer of --vcd / --trace-json with their filters, or none; the filters without a
// trace, unknown layer names and an empty window are refused.
std::unique_ptr<TraceWriter> make_trace_writer(const RunOptions& opt, const Plan& plan) {
  TraceOptions t;
  t.vcd_file = opt.vcd_file;
  t.json_file = opt.trace_json_file;
  t.signals = opt.trace_signals;
  t.layers = opt.trace_layers;
  const bool filtered = !t.signals.empty() || !t.layers.empty() || opt.trace_window_us;
  if (!t.enabled()) {
    if (filtered)
      throw ConfigError(
          "--trace-signals, --trace-layers and --trace-window-us select what "
          "--vcd or --trace-json writes: give one of them");
    return nullptr;
  }
  std::vector<std::string> names;
  for (const LayerPlan& lp : plan.layers) names.push_back(lp.layer.name);
  for (const std::string& l : t.layers)
    if (std::find(names.begin(), names.end(), l) == names.end())
      throw ConfigError("--trace-layers: no layer named '" + l + "' in this run");
  if (opt.trace_window_us) {
    const auto [from, to] = *opt.trace_window_us;
    if (!(from >= 0 && to > from && to <= 9e12))  // picoseconds in 63 bits
      throw ConfigError("--trace-window-us: expected FROM:TO with 0 <= FROM < TO (microseconds)");
    t.window_from_ps = static_cast<std::uint64_t>(std::llround(from * 1e6));
    t.window_to_ps = static_cast<std::uint64_t>(std::llround(to * 1e6));
  }
  if (const char* e = std::getenv("DFSIM_TRACE_BUFFER_EVENTS")) {  // tests of the spilling
    char* end = nullptr;
    const unsigned long long n = std::strtoull(e, &end, 10);
    if (*e == '\0' || *end != '\0' || n == 0)
      throw ConfigError(
          std::string("DFSIM_TRACE_BUFFER_EVENTS: expected a positive integer, got '") + e + "'");
    t.buffer_events = static_cast<std::size_t>(n);
  }
  return std::make_unique<TraceWriter>(t, names, 1000);  // femtosecond resolution
}

// A --trace-signals glob that selects no signal of the built array is a mistake worth stopping
// for (a typo would leave a trace without the signals asked for).
void check_traced_signals(const TraceWriter* trace, const RunOptions& opt) {
  if (!trace) return;
  const auto all = trace->signal_names();
  for (const std::string& glob : opt.trace_signals) {
    if (std::any_of(all.begin(), all.end(),
                    [&](const std::string& n) { return fnmatch(glob.c_str(), n.c_str(), 0) == 0; }))
      continue;
    std::string names;
    for (std::size_t i = 0; i < all.size() && i < 8; ++i) names += (i ? ", " : "") + all[i];
    throw ConfigError("--trace-signals: '" + glob + "' matches no signal of this array (signals " +
                      "are scope.name: " + names + (all.size() > 8 ? ", ..." : "") + ")");
  }
}

// The progress line: a thread that, while the simulation runs, rewrites one stderr line with
// the layers done, the simulated time and an ETA from the MACs done so far.
class ProgressLine {
 public:
  ProgressLine(const RunOptions::Progress mode, const ArrayModel& array, const Plan& plan)
      : array_(array), plan_(plan) {
    if (mode == RunOptions::Progress::Never) return;
    if (mode == RunOptions::Progress::Auto && isatty(STDERR_FILENO) == 0) return;
    const double delay_s = mode == RunOptions::Progress::Always ? 0.0 : 1.0;
    thread_.start([this, delay_s](StoppableThread& t) { loop(t, delay_s); });
  }

 private:
  void loop(StoppableThread& t, double delay_s) const {
    const auto start = std::chrono::steady_clock::now();
    // Auto: nothing for a run that ends within the delay. Always: at least one line.
    if (delay_s > 0 && t.stopped_within(delay_s)) return;
    do {
      print(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    } while (!t.stopped_within(0.5));
    std::cerr << "\r\033[K" << std::flush;  // clear the line for the results
  }

  void print(double elapsed_s) const {
    const std::size_t done = array_.layers_done(), n = plan_.layers.size();
    double macs_done = 0, macs = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto m = static_cast<double>(plan_.layers[i].layer.macs());
      macs += m;
      if (i < done) macs_done += m;
    }
    std::ostringstream line;
    line << "\rdfsim: layer " << std::min(done + 1, n) << " of " << n;
    if (done < n) line << " (" << plan_.layers[done].layer.name << ")";
    char buf[96];
    std::snprintf(buf, sizeof buf, ", %.4g ms simulated, %.1f s elapsed",
                  array_.simulated_seconds() * 1e3, elapsed_s);
    line << buf;
    if (macs_done > 0) {
      std::snprintf(buf, sizeof buf, ", ETA %.1f s", elapsed_s * (macs - macs_done) / macs_done);
      line << buf;
    }
    std::cerr << line.str() << "\033[K" << std::flush;
  }

  const ArrayModel& array_;
  const Plan& plan_;
  StoppableThread thread_;  // last: stopped before the members it reads go
};

}  // namespace

RunResult run_simulation(const RunOptions& opt) {
  check_output_paths(opt);  // before any work: a bad path must not cost the whole simulation
  const Plan plan = make_plan(opt, PlanFor::Simulation);
  check_simulated_time(plan);
  std::unique_ptr<TraceWriter> trace = make_trace_writer(opt, plan);  // its options checked
  if (!opt.dump_mappings_file.empty())
    write_text_atomically(opt.dump_mappings_file, mappings_yaml(plan));
  RunResult result;
  result.info = run_info(plan, opt);
  check_chained_shapes(plan);
  check_operand_files(plan, opt.seed);  // input errors before anything is simulated

  // Layers stream: the operands of the next layer and the reference outputs are made on a
  // second core while the simulation runs on this one (or on this one as each layer starts and
  // ends, when the run may use one core only); each ofmap is checked as its layer ends.
  const bool compute_outputs = !opt.timing_only || plan.style->timing_needs_outputs();
  LayerStream stream(plan, opt.seed, opt.check && !opt.timing_only, run_threads() > 1,
                     compute_outputs);

  // Femtosecond resolution: clock periods such as 700 MHz's 1428.571 ps stay exact enough that
  // cycles and seconds agree (picoseconds would round the period by 0.03%).
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  auto array = plan.style->make_model(layer_jobs(plan, stream, compute_outputs), trace.get());
  check_traced_signals(trace.get(), opt);
  {
    const ProgressLine progress(opt.progress, *array, plan);
    sc_core::sc_start();
  }
  if (array->error()) std::rethrow_exception(array->error());
  result.transactions = transactions_issued;
  result.layers = array->layer_stats();
  result.total = total_of(result.layers);
  if (trace) trace->write(static_cast<std::uint64_t>(sc_core::sc_time_stamp().value()));
  if (!opt.out_dir.empty()) write_stats_json(opt.out_dir, result.info, result.layers, result.total);
  return result;
}

}  // namespace dfsim

// Debian's libsystemc references sc_main; dfsim's programs have their own main() and start
// the kernel with sc_start, so this is never called.
int sc_main(int, char**) { return 1; }
