// Per-layer and total statistics, all derived from the models' activity counters.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace dfsim {

struct LevelStats {
  std::array<std::int64_t, 4> read_bytes{};  // by data type: weight, ifmap, psum, ofmap
  std::array<std::int64_t, 4> write_bytes{};
  std::array<std::int64_t, 4> reads{};  // accesses
  std::array<std::int64_t, 4> writes{};
  double energy_pj = 0;
  std::int64_t total_read_bytes() const;
  std::int64_t total_write_bytes() const;
  LevelStats& operator+=(const LevelStats& o);
};

// One action of the architecture's energy table in a layer: how many units the hardware
// performed and the energy they cost (count x pJ per unit), the energy column it goes to and
// the architecture key its price comes from.
struct ActionStat {
  std::string name, unit, level, key;
  double count = 0;
  double pj_per_unit = 0;
  double energy_pj = 0;
  std::string part;  // the sized part performing it (base/energy/energy_table.hpp), or ""
};

// One component's traffic in a layer, a node of the statistics tree: its name (e.g. "iaram",
// "ifmap_gin"), the column of the four-level view it adds to ("dram", "glb", "noc", "rf") and
// its accesses and bytes by data type (energy is in the actions).
struct ComponentStats {
  std::string name, level;
  LevelStats traffic;
};

// What a DRAM model that schedules device commands (`dram.impl: jedec`) did in a layer, in total
// and per channel; `present` is false for models without devices (the bandwidth model).
// Energies in pJ (components/memory/jedec/dram_channel.hpp gives the formulas).
struct DramCommandStats {
  std::int64_t bursts = 0;  // read and write bursts
  std::int64_t act = 0, pre = 0, rd = 0, wr = 0, ref = 0;
  std::int64_t row_hits = 0, row_misses = 0, row_conflicts = 0;  // by burst
  double act_pj = 0, pre_pj = 0, rd_pj = 0, wr_pj = 0, ref_pj = 0, background_pj = 0;
  double energy_pj() const { return act_pj + pre_pj + rd_pj + wr_pj + ref_pj + background_pj; }
  DramCommandStats& operator+=(const DramCommandStats& o);
  DramCommandStats operator-(const DramCommandStats& o) const;
};

struct DramDeviceStats {
  bool present = false;
  std::int64_t read_requests = 0, write_requests = 0;
  std::int64_t read_bytes = 0, write_bytes = 0;  // what the requests asked for
  double read_latency_ns_sum = 0;                // request issue to its last byte on chip
  double read_latency_ns_max = 0;
  double read_latency_ns_p99 = -1;  // -1: not known (a run's total)
  DramCommandStats all;
  std::vector<DramCommandStats> channels;
  double read_latency_ns_mean() const {
    return read_requests ? read_latency_ns_sum / static_cast<double>(read_requests) : 0;
  }
  // The counts and energies since `start` (a snapshot of the same device); the latency tails
  // and maximum are the caller's.
  DramDeviceStats since(const DramDeviceStats& start) const;
  // Adds another layer's counts (the run's total; max of maxima, no p99).
  void add_layer(const DramDeviceStats& layer);
};

// The four columns of the level view and what each holds on an array (row stationary: DRAM,
// GLB, NoC, RF; the planar array: DRAM, ARAM, NoC, PE; ...).
constexpr int kNumLevels = 4;
extern const char* const kLevelKeys[kNumLevels];  // "dram", "glb", "noc", "rf"

struct LayerStats {
  std::string name;
  std::int64_t macs = 0;        // MACs of the layer (performed + gated)
  std::int64_t gated_macs = 0;  // of them, skipped by zero gating
  // Table IV metrics of the actual operands (whole batch): weights, non-zero weights, MACs
  // with both operands non-zero.
  std::int64_t weights = 0;
  std::int64_t nz_weights = 0;
  std::int64_t nz_macs = 0;
  // Output activations: the measured fraction of non-zero ofmap values (after ReLU), the
  // workload's declared one (-1 if none), and the accumulator width the layer needs.
  double output_density = 0;
  double declared_output_density = -1;
  std::int64_t accumulator_bits = 0;
  // Sizes of the actual operands in every encoding (bits of real bitstreams, metadata
  // included): weights as M rows of C/G*R*S, ifmaps as rows of W values.
  std::vector<std::pair<std::string, std::int64_t>> weight_bits_by_format, ifmap_bits_by_format;
  std::int64_t cycles = 0;
  double seconds = 0;
  std::int64_t active_pes = 0;  // PEs the mapping uses (the largest pass)
  std::int64_t num_pes = 0;
  // The array's MAC units (multipliers), utilization's denominator: num_pes, or PEs x
  // multipliers per PE on the planar array.
  std::int64_t mac_units = 0;
  double utilization = 0;  // occupied MAC slots / (cycles * MAC units): utilization_of
  std::int64_t passes = 0;
  // MAC slots not used for the layer's MACs: row-stationary, over all cycles and PEs
  // (cycles * PEs - macs); systolic, over the cycles the array streams (the TPU paper's
  // "unused MACs": active cycles * rows * cols - macs); planar, cycles * multipliers - the
  // occupied slots of `utilization`.
  std::int64_t unused_macs = 0;
  // Array-specific split of the cycles (e.g. the TPU's four categories); adds up to cycles.
  std::vector<std::pair<std::string, std::int64_t>> cycle_breakdown;
  // Array-specific event counts (summed in the total) and per-layer ratios (the total's are
  // recomputed from its counts where possible, see total_of).
  std::vector<std::pair<std::string, std::int64_t>> counts;
  std::vector<std::pair<std::string, double>> ratios;
  double tops() const {
    return seconds > 0 ? 2.0 * static_cast<double>(macs) / seconds * 1e-12 : 0;
  }
  // The components, each in one level; the levels below are their sums (set_levels).
  std::vector<ComponentStats> components;
  // The DRAM device's commands, rows, latencies and energy (the jedec model only).
  DramDeviceStats dram_device;
  // The level view. For the systolic array: dram = weight memory, glb = unified buffer and
  // accumulators, noc = weight FIFO and data moving between PEs, rf = nothing.
  LevelStats dram, glb, noc, rf;
  // The array's names for the four levels, for tables (e.g. {"DRAM", "ARAM", "NoC", "PE"}).
  std::array<std::string, kNumLevels> level_names{"DRAM", "GLB", "NoC", "RF"};
  double mac_pj = 0;
  double idle_pj = 0;
  // The energy table's actions; the energy columns above are their sums by level.
  std::vector<ActionStat> actions;
  std::string output_check = "skipped";  // pass | fail | skipped
  std::string mapping;                   // printable mapping
  // The mapper's analytical estimate for the same mapping.
  std::int64_t estimate_cycles = 0;
  double estimate_energy_pj = 0;

  double total_pj() const {
    return dram.energy_pj + glb.energy_pj + noc.energy_pj + rf.energy_pj + mac_pj + idle_pj;
  }
  double power_mw() const { return seconds > 0 ? total_pj() * 1e-12 / seconds * 1e3 : 0; }
};

LayerStats total_of(const std::vector<LayerStats>& layers);

// Adds a component's traffic to `s.components` under `level` (one of kLevelKeys).
void add_component(LayerStats& s, std::string name, std::string level, const LevelStats& traffic);
// The level view from the components: each level's traffic is the sum of its components'
// (energies untouched). Throws std::logic_error for a component of an unknown level.
void set_levels(LayerStats& s);

// A layer left out of a run (--skip-unmappable) and why.
struct SkippedLayer {
  std::string name, reason;
};

// The area of the parts an array style sizes (base/energy/technology.hpp), when the
// architecture states its technology_nm (0: no report).
struct PartArea {
  std::string name, kind;
  std::int64_t instances = 0;
  double mm2 = 0;  // all instances
};
struct AreaReport {
  double technology_nm = 0;
  std::string source;  // "technology model" or the imported area table's file
  std::vector<PartArea> parts;
  double total_mm2() const;
};

// What produced a result, embedded in stats.json: the architecture with every `extends:`
// resolved, the layers as they ran (batch and selection applied, every key written) and their
// mappings, as YAML texts that run again to the same statistics (`dfsim run --arch A --workload
// W --seed S --objective O` with A, W written from them), and a hash of all of it with the
// version, seed and objective (FNV-1a, 64 bits: it identifies, it does not secure).
struct Provenance {
  std::string architecture_yaml, workload_yaml, mappings_yaml;
  std::string hash;  // "fnv1a64:" and 16 hex digits
};

struct RunInfo {
  std::string arch_name, arch_file, workload_name, workload_file, objective;
  Provenance provenance;
  std::int64_t batch = 1;
  std::uint64_t seed = 0;
  bool timing_only = false;  // --timing-only: outputs neither checked nor always computed
  double clock_mhz = 0;
  std::vector<SkippedLayer> skipped;  // listed in the table and in stats.json
  AreaReport area;
  std::vector<std::string> arch_import_notes;  // ArchConfig::import_notes
  // The DRAM link's peak rate (its bytes per link cycle at the link clock): with the MAC units
  // at the core clock, the roofs of stats.json's "roofline" (Williams, Waterman and Patterson,
  // "Roofline", CACM 2009).
  double dram_peak_bytes_per_s = 0;
};

// What the result table shows: `summary`, the total row only; `sizes`, the compressed sizes of
// the operands in every encoding (on request: the table is long).
struct TableOptions {
  bool summary = false;
  bool sizes = false;
};
void print_table(std::ostream& os, const RunInfo& info, const std::vector<LayerStats>& layers,
                 const LayerStats& total, const TableOptions& options = {});
// Writes DIR/stats.json atomically (a temporary file renamed into place): a reader never
// sees a partial file. Throws std::runtime_error naming the path on failure.
void write_stats_json(const std::string& dir, const RunInfo& info,
                      const std::vector<LayerStats>& layers, const LayerStats& total);
std::string stats_json(const RunInfo& info, const std::vector<LayerStats>& layers,
                       const LayerStats& total);

}  // namespace dfsim
