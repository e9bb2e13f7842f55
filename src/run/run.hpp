// One simulation run: load configs, map every layer, elaborate the array, simulate, check.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrays/array_style.hpp"
#include "base/config/arch_config.hpp"
#include "base/stats/stats.hpp"
#include "workload/layer.hpp"

namespace dfsim {

struct RunOptions {
  std::string arch_file;
  std::string arch_text;  // when set, the architecture YAML itself (arch_file names it)
  std::string workload_file;
  std::vector<std::string> layers;    // empty: all
  std::optional<std::int64_t> batch;  // overrides every layer's N
  std::uint64_t seed = 1;
  std::string objective = "latency";
  std::string mapping_file;        // pinned mappings, optional
  std::string dump_mappings_file;  // writes the chosen mappings in the --mapping format
  std::string out_dir;             // writes stats.json when set
  std::string vcd_file;            // writes a waveform when set
  // Traces (base/trace/trace_writer.hpp): a trace-event JSON for Perfetto when set; with
  // either trace, only these signals (globs over scope.name), layers and time window (in us).
  std::string trace_json_file;
  std::vector<std::string> trace_signals, trace_layers;
  std::optional<std::pair<double, double>> trace_window_us;
  bool check = true;
  // Cycles, traffic and energy only (--timing-only): no reference check, and the datapath
  // computes no output values where the style's timing does not depend on them (output
  // density then unknown). Every count is the full run's.
  bool timing_only = false;
  // Layers no mapping fits are left out (listed in the table and stats.json) instead of
  // stopping the run.
  bool skip_unmappable = false;
  // Override every layer's declared densities (e.g. a density sweep); unset: the workload's.
  std::optional<double> weight_density, input_density;
  // A progress line on stderr (layer i of N, simulated time, elapsed, ETA): Auto shows it when
  // stderr is a terminal and the run has taken over a second; Always from the start.
  enum class Progress : std::uint8_t { Never, Auto, Always } progress = Progress::Never;
};

// One layer with the mapping chosen for the architecture's array style.
struct LayerPlan {
  Layer layer;
  std::shared_ptr<const LayerMapping> mapping;
  std::string mapping_text() const { return mapping->text(); }
  std::string mapping_yaml() const { return mapping->yaml(); }  // the --mapping format
  std::int64_t estimate_cycles() const { return mapping->estimate_cycles(); }
  double estimate_energy_pj() const { return mapping->estimate_energy_pj(); }
  std::int64_t candidates() const { return mapping->candidates_evaluated(); }
};

struct Plan {
  ArchConfig arch;
  Network network;
  Objective objective = Objective::Latency;
  std::unique_ptr<ArrayStyle> style;  // the architecture's array style
  std::vector<LayerPlan> layers;
  std::vector<SkippedLayer> skipped;  // with skip_unmappable
};

// Threads a run may use: the number of cores, or the DFSIM_THREADS environment variable.
std::size_t run_threads();

// Loads and validates the inputs and maps every layer (no SystemC involved). For a simulation,
// a run whose operands and outputs cannot fit the machine's memory is refused first (a
// ConfigError stating both sizes), before the mappers' work.
enum class PlanFor { Mapping, Simulation };
Plan make_plan(const RunOptions& opt, PlanFor purpose = PlanFor::Mapping);

struct RunResult {
  RunInfo info;
  std::vector<LayerStats> layers;
  LayerStats total;
  std::uint64_t transactions = 0;  // TLM transactions the simulation issued (host cost)
};

// Elaborates the array and simulates; a process can do this once (SystemC).
RunResult run_simulation(const RunOptions& opt);

RunInfo run_info(const Plan& plan, const RunOptions& opt);

// The area of the style's sized parts: the energy model's imported table where it has one,
// else the technology model at technology_nm; no parts when neither applies.
AreaReport area_report(const ArchConfig& arch, const EnergyTable& table);

// Pinned mappings: a YAML file `mappings: {layer_name: {...}}`; the keys of a layer's map are
// its array style's (ArrayStyle::pinned parses them).
std::map<std::string, ConfigNode> load_pinned_mappings(const std::string& path);
// Every layer's mapping in the --mapping format: `mappings: {layer: {...}}`.
std::string mappings_yaml(const Plan& plan);
// Writes `text` to `path` through a temporary file renamed into place (no partial file).
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace dfsim
