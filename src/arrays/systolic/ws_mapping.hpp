// A weight-stationary systolic mapping (TPU v1 style): a layer lowered to a matrix multiply
// (rows = N*E*F output pixels, K = C/G*R*S, M/G columns) tiled into array-sized weight tiles.
#pragma once

#include <algorithm>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "arrays/systolic/ws_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/energy/energy_table.hpp"
#include "mapper/search.hpp"
#include "workload/layer.hpp"

namespace dfsim {

// The systolic array's priced actions: ws_energy_table lists them in this order, the model
// counts them per layer and the estimate predicts them.
namespace ws_action {
enum : ActionId {
  dram_bit,
  unified_buffer_read,
  unified_buffer_write,
  accumulators_read,
  accumulators_write,
  weight_fifo_bit,
  weight_shift_bit,
  hop_bit,
  mac,
  idle
};
}
EnergyTable ws_energy_table(const ArchConfig& a);

// Loop nest, outer to inner, per group g:
//   for row chunk (row_chunk output pixels: one accumulator buffer)
//     for M tile (cols filters)
//       for K tile (rows of the reduction): shift the weight tile in, stream the chunk's rows
//     activate: accumulators -> ReLU / requantize -> unified buffer
struct WsMapping {
  std::int64_t row_chunk = 1;
  bool pinned = false;
};

// Operand widths a layer runs at: the native width (8 bits) when its declared bits fit,
// else 16 bits. As on the TPU, 8 x 16-bit products take two passes of the array and
// 16 x 16-bit four, so throughput falls by `slowdown`.
struct WsOperandModes {
  std::int64_t weight_bytes = 1, input_bytes = 1;
  std::int64_t slowdown() const { return weight_bytes * input_bytes; }
};
WsOperandModes ws_modes(const ArchConfig& a, const Layer& l);

struct WsGeometry {
  std::int64_t rows = 0;  // N*E*F
  std::int64_t K = 0;     // C/G * R * S
  std::int64_t M = 0;     // M/G
  std::int64_t k_tiles = 0, m_tiles = 0, row_chunks = 0;
  WsGeometry(const ArchConfig& a, const Layer& l, const WsMapping& m);
};

struct WsEstimate {
  bool feasible = false;
  std::string why_infeasible;
  std::int64_t cycles = 0;
  std::int64_t active_cycles = 0;
  std::int64_t tiles = 0;  // weight tiles streamed (with repeats per row chunk)
  std::int64_t dram_bytes = 0;
  double energy_pj = 0;      // excluding idle power
  PredictedTraffic traffic;  // weight memory (dram) reads
  double edp() const { return energy_pj * static_cast<double>(cycles); }
};

std::string ws_check_capacity(const ArchConfig& a, const Layer& l, const WsMapping& m);
// Energy: the estimated action counts priced by `table` (ws_energy_table(a)).
WsEstimate estimate_ws(const ArchConfig& a, const EnergyTable& table, const Layer& l,
                       const WsMapping& m);

struct WsMapResult {
  WsMapping mapping;
  WsEstimate estimate;
  std::int64_t candidates_evaluated = 0;
};

class WeightStationaryMapper {
 public:
  WeightStationaryMapper(const ArchConfig& arch, Objective objective)
      : arch_(arch), objective_(objective), energy_table_(ws_energy_table(arch)) {}
  WsMapResult map(const Layer& layer) const;
  // The k best mappings by the estimate, best first (map() returns the first).
  std::vector<WsMapResult> best(const Layer& layer, std::size_t k) const;
  WsMapResult evaluate_pinned(const Layer& layer, WsMapping m, const std::string& where) const;
  // Everything of a layer that map() and estimate_ws read: its loop bounds and operand widths
  // (ws_modes). Layers with the same view (layer_key) get the same mapping and estimate.
  static Layer estimate_view(const Layer& layer);

  // The style's priced actions and the parts that perform them.
  const EnergyTable& energy_table() const { return energy_table_; }

 private:
  const ArchConfig& arch_;
  Objective objective_;
  const EnergyTable energy_table_;
};

// The setup unit's unified-buffer runs (the ifmap is stored N H W C) for part [j0, j1) of one
// filter row's window (j = s x C/G + c) at output column f: fn(j_lo, j_hi, w, c) once per run
// of adjacent values inside the ifmap, starting at pixel column w and channel c of the group.
// A dense, undilated window is one run; otherwise each pixel's channels are one (a grouped
// layer's other groups, or a dilated filter's gaps, lie between its pixels).
template <typename Fn>
void for_each_window_run(const Layer& l, std::int64_t f, std::int64_t j0, std::int64_t j1,
                         Fn&& fn) {
  const ConvAxis cols = l.cols();
  const std::int64_t Cg = l.C_per_group(), w0 = cols.input(f, 0);
  if (Cg == l.C && cols.dilation == 1) {
    const std::int64_t lo = std::max(j0, -w0 * Cg), hi = std::min(j1, (l.W - w0) * Cg);
    if (hi > lo) fn(lo, hi, w0 + lo / Cg, lo % Cg);
    return;
  }
  for (std::int64_t j = j0; j < j1;) {
    const std::int64_t s = j / Cg, c = j % Cg, len = std::min(j1 - j, Cg - c);
    if (const std::int64_t w = cols.input(f, s); cols.inside(w)) fn(j, j + len, w, c);
    j += len;
  }
}

std::ostream& operator<<(std::ostream& os, const WsMapping& m);
// The mapping as a YAML flow map in the pinned-mapping format (parse_ws_mapping).
std::string to_yaml(const WsMapping& m);

class ConfigNode;
// {row_chunk}
WsMapping parse_ws_mapping(const ConfigNode& n);

// The estimate's counts as `dfsim map` prints them; the estimate does not depend on the
// layer's place in the run.
std::string details_of(const WsMapResult& r);
inline std::int64_t place_cycles_of(const WsMapResult&, bool, bool) { return 0; }

}  // namespace dfsim
