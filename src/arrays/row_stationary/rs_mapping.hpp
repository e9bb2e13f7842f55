// A row-stationary mapping (Chen et al., ISCA 2016) of one layer onto an Eyeriss-style array,
// plus the analytical estimate the mapper ranks candidates by.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "arrays/row_stationary/rs_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/energy/energy_table.hpp"
#include "mapper/search.hpp"
#include "workload/layer.hpp"

namespace dfsim {

// The row-stationary array's priced actions: rs_energy_table lists them in this order, the
// model counts them per layer and estimate_rs predicts them.
namespace rs_action {
enum : ActionId {
  dram_bit,
  glb_read,
  glb_write,
  noc_bit,
  filter_spad_read,
  filter_spad_write,
  ifmap_spad_read,
  ifmap_spad_write,
  psum_spad_read,
  psum_spad_write,
  mac,
  idle
};
}
EnergyTable rs_energy_table(const ArchConfig& a);

// Loop nest, outer to inner, for each group g of the layer:
//   for image block (n images)                      -- one GLB ifmap/psum tile
//     for strip group (strips_per_pass strips of strip_width ofmap rows)
//       for filter block (p*t filters)
//         for channel block (q*r channels)          -- one processing pass
// In a pass every used slot (an R x strip_width block of PEs, a piece of the logical R x E
// PE set) holds one (strip, channel subgroup of q, filter subgroup of p). Each PE runs the
// 1-D convolution of q filter rows x p filters over q ifmap rows for n images.
struct RsMapping {
  std::int64_t strip_width = 1;      // ofmap rows (PE columns) per slot
  std::int64_t strips_per_pass = 1;  // strips of the same PE set processed in one pass
  std::int64_t n = 1;                // images per pass (filter reuse)
  std::int64_t p = 1;                // filters per PE (psum spad entries)
  std::int64_t q = 1;                // channels per PE (ifmap spad holds q*S)
  std::int64_t r = 1;                // channel subgroups in parallel (stacked, psums chained)
  std::int64_t t = 1;                // filter subgroups in parallel (share the ifmap multicast)
  // GLB use: banks given to ifmaps and psums (the rest idle), and whether the ifmap tile of a
  // strip group holds all channels (loaded once, reused by every filter block) or only one
  // channel block (re-fetched per filter block, double buffered so DRAM overlaps compute).
  bool ifmap_resident = false;
  bool ifmap_double_buffer = true;  // two ifmap buffers: the next tile loads during this one
  std::int64_t ifmap_banks = 0;
  std::int64_t psum_banks = 0;
  bool pinned = false;  // given by the user rather than searched

  std::int64_t bands(const ArchConfig& a, const Layer& l) const { return a.pe_rows / l.R; }
  std::int64_t slot_cols(const ArchConfig& a) const { return a.pe_cols / strip_width; }
  std::int64_t slots(const ArchConfig& a, const Layer& l) const {
    return bands(a, l) * slot_cols(a);
  }
  std::int64_t rows_per_strip_group() const { return strip_width * strips_per_pass; }
  // Psum chains (R*r PEs tall) that fit the array side by side.
  std::int64_t chains(const ArchConfig& a, const Layer& l) const {
    return (bands(a, l) / r) * slot_cols(a);
  }
};

// The analytical model's figures for one mapping (also reported next to the simulation).
struct RsEstimate {
  bool feasible = false;
  std::string why_infeasible;
  std::int64_t cycles = 0;
  std::int64_t compute_cycles = 0;  // sum of pass times
  std::int64_t dram_cycles = 0;     // core cycles the DRAM link is busy
  std::int64_t passes = 0;
  std::int64_t active_pes = 0;  // PEs busy in the largest pass
  std::int64_t dram_bytes = 0;
  std::int64_t dram_requests = 0;  // DMA requests (each whole bursts on the link)
  std::int64_t glb_bytes = 0;
  double energy_pj = 0;  // excluding idle power
  PredictedTraffic traffic;
  double edp() const { return energy_pj * static_cast<double>(cycles); }
};

// How much of the model an estimate runs: closed-form bounds only (the mapper's first ranking
// of every candidate: cycles = max(passes + first load, DRAM)), or the controller's schedule
// replayed for the cycles (rs_pipeline_cycles; the mapper's final ranking and every reported
// estimate).
enum class RsEstimateDetail { Bounds, Schedule };

class RsEstimateMemo;  // rs_tiling.hpp

// Checks capacity constraints (spads, GLB, array) and evaluates the analytical model.
// Energy: the estimated action counts priced by `table` (rs_energy_table(arch)). A memo shared
// by the calls of one search (one layer, one array) computes each of their common parts once;
// the estimate is the same with or without it.
RsEstimate estimate_rs(const ArchConfig& arch, const EnergyTable& table, const Layer& layer,
                       const RsMapping& m, RsEstimateDetail detail = RsEstimateDetail::Schedule,
                       RsEstimateMemo* memo = nullptr);

// A lower bound of estimate_rs's Bounds-mode cycles and energy for every GLB buffering of the
// loop nest whose pass totals are `pass` (feasible or not): the passes' cycles (no DRAM load
// exposed) and the energy of their GLB, NoC, spad and MAC actions (no DRAM, no DMA writes into
// the GLB, no ofmap read-out). Each count is at most the estimate's and prices are
// non-negative, so the bound never exceeds the estimate, rounding included. The search skips
// nests whose bound no shortlist would take.
struct RsLowerBound {
  std::int64_t cycles = 0;
  double energy_pj = 0;
};
struct RsPassTotals;  // rs_tiling.hpp
RsLowerBound rs_lower_bound(const EnergyTable& table, const RsPassTotals& pass);

std::ostream& operator<<(std::ostream& os, const RsMapping& m);
// The mapping as a YAML flow map in the pinned-mapping format (parse_rs_mapping).
std::string to_yaml(const RsMapping& m);

}  // namespace dfsim
