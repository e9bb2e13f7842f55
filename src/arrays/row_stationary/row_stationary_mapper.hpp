// Searches row-stationary mappings of a layer under the array's capacities.
#pragma once

#include <map>
#include <string>

#include "arrays/row_stationary/rs_mapping.hpp"
#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "workload/layer.hpp"

namespace dfsim {

struct RsMapResult {
  RsMapping mapping;
  RsEstimate estimate;
  std::int64_t candidates_evaluated = 0;
};

class RowStationaryMapper {
 public:
  RowStationaryMapper(const ArchConfig& arch, Objective objective)
      : arch_(arch), objective_(objective), energy_table_(rs_energy_table(arch)) {}

  // Best feasible mapping for the objective; ties go to the first candidate in enumeration
  // order, so the result is deterministic. Throws ConfigError if nothing fits.
  RsMapResult map(const Layer& layer) const;
  // The k best mappings by the estimate, best first (map() returns the first).
  std::vector<RsMapResult> best(const Layer& layer, std::size_t k) const;
  // Evaluates a user-pinned mapping; throws ConfigError (naming `where`) if it does not fit.
  RsMapResult evaluate_pinned(const Layer& layer, RsMapping m, const std::string& where) const;
  // Everything of a layer that map() and estimate_rs read: the layer as the array runs it
  // (flatten_fc), its loop bounds, and its input density (zero gating). Layers with the same
  // view (layer_key) get the same mapping and estimate.
  static Layer estimate_view(const Layer& layer);

  // The style's priced actions and the parts that perform them.
  const EnergyTable& energy_table() const { return energy_table_; }

 private:
  const ArchConfig& arch_;
  Objective objective_;
  const EnergyTable energy_table_;
};

// {strip_width, strips_per_pass, n, p, q, r, t, ifmap_resident, ifmap_double_buffer}
RsMapping parse_rs_mapping(const ConfigNode& n);

// The estimate's counts as `dfsim map` prints them; a layer's place in the run adds nothing
// (every layer reads its input from DRAM and writes its output back).
std::string details_of(const RsMapResult& r);
inline std::int64_t place_cycles_of(const RsMapResult&, bool, bool) { return 0; }

}  // namespace dfsim
