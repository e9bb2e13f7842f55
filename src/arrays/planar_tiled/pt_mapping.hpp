// A planar-tiled, input-stationary mapping (SCNN's PT-IS dataflow and its dense baseline).
//
// Loop nest, outer to inner (per image):
//   for round (rounds_y x rounds_x blocks of the output plane; one round's input fits the
//              IARAMs, its outputs the OARAMs)
//     for output-channel group (kc output channels of one conv group: fits the accumulators)
//       every PE, in parallel: for its input channels c: Cartesian product (sparse) or dot
//       products (dense) of the group's weights of c with its input tile of c
//       barrier; post-processing: halo psums to their owners, ReLU, compression into OARAM
// PEs form a px x py planar grid over the round's input region, repeated pc times over
// input-channel slices (pc > 1 splits C, e.g. for FC layers; their psums are reduced into the
// slice-0 PE like halos).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "arrays/planar_tiled/pt_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/energy/energy_table.hpp"
#include "mapper/search.hpp"
#include "workload/layer.hpp"

namespace dfsim {

// The planar-tiled array's priced actions: pt_energy_table lists them in this order, the model
// counts them per layer and estimate_pt predicts some of them (see its comment).
namespace pt_action {
enum : ActionId {
  dram_bit,
  iaram_read,
  iaram_write,
  oaram_read,
  oaram_write,
  weight_bus_bit,
  halo_bit,
  crossbar_product,
  weight_fifo_bit,
  accumulator_access,
  ppu_value,
  multiply,
  add,
  idle
};
}
EnergyTable pt_energy_table(const ArchConfig& a);

struct PtMapping {
  std::int64_t px = 8, py = 8, pc = 1;
  std::int64_t rounds_x = 1, rounds_y = 1;
  std::int64_t kc = 1;  // output channels per group
  bool pinned = false;  // given by the user, not searched
  std::int64_t rounds() const { return rounds_x * rounds_y; }
  std::int64_t pes_used() const { return px * py * pc; }
};

// The stride phases of SCNN's Cartesian product on a strided, dilated layer: an input at padded
// position (he, wf) = (h + P_top, w + P_left) and a filter tap at (r D_h, s D_w) meet in output
// ((he - r D_h) / U_h, (wf - s D_w) / U_w) exactly when their phases (position mod stride, per
// axis) agree, and that output is the difference of their grid offsets (position / stride).
// Multiplying only operands of the same phase keeps every product useful.
struct StridePhases {
  std::int64_t uh = 1, uw = 1, dh = 1, dw = 1, pad_top = 0, pad_left = 0;
  explicit StridePhases(const Layer& l)
      : uh(l.stride_h),
        uw(l.stride_w),
        dh(l.dilation_h),
        dw(l.dilation_w),
        pad_top(l.pad_top),
        pad_left(l.pad_left) {}
  std::size_t count() const { return static_cast<std::size_t>(uh * uw); }
  // Phase and grid offsets (rows, columns) of input (h, w), unpadded coordinates.
  std::size_t input_phase(std::int64_t h, std::int64_t w) const {
    return static_cast<std::size_t>(((h + pad_top) % uh) * uw + (w + pad_left) % uw);
  }
  std::int64_t input_row(std::int64_t h) const { return (h + pad_top) / uh; }
  std::int64_t input_col(std::int64_t w) const { return (w + pad_left) / uw; }
  // The same of filter tap (r, s).
  std::size_t tap_phase(std::int64_t r, std::int64_t s) const {
    return static_cast<std::size_t>(((r * dh) % uh) * uw + (s * dw) % uw);
  }
  std::int64_t tap_row(std::int64_t r) const { return r * dh / uh; }
  std::int64_t tap_col(std::int64_t s) const { return s * dw / uw; }
};

// One PE's share of a round: an input tile (all of its channel slice) and the accumulator
// extent of the outputs that tile contributes to (within the round's output block).
struct PtTile {
  std::int64_t pe = 0;  // physical PE index
  std::int64_t ix = 0, iy = 0, ic = 0;
  std::int64_t h0 = 0, h1 = 0, w0 = 0, w1 = 0;  // input rows / columns [h0, h1) x [w0, w1)
  std::int64_t c0 = 0, c1 = 0;                  // input channels [c0, c1)
  std::int64_t e0 = 0, e1 = 0, f0 = 0, f1 = 0;  // accumulator extent (outputs)
  // Outputs this PE owns (and post-processes), [oe0, oe1) x [of0, of1); empty unless ic == 0.
  std::int64_t oe0 = 0, oe1 = 0, of0 = 0, of1 = 0;
  std::int64_t area() const { return (h1 - h0) * (w1 - w0); }
  std::int64_t extent() const { return std::max<std::int64_t>(0, (e1 - e0) * (f1 - f0)); }
  std::int64_t owned() const { return std::max<std::int64_t>(0, (oe1 - oe0) * (of1 - of0)); }
  bool empty() const { return area() == 0 || c1 <= c0; }
  // (input position, filter tap) pairs of this tile whose output lies in the extent: the dense
  // PE's work per (output channel, input channel).
  std::int64_t valid_taps(const Layer& l) const;
};

struct PtRound {
  std::int64_t e0 = 0, e1 = 0, f0 = 0, f1 = 0;   // output block
  std::int64_t h0 = 0, h1 = 0, w0 = 0, w1 = 0;   // input region it needs
  std::vector<PtTile> tiles;                     // one per PE used, in PE order
  std::vector<std::int64_t> owner_iy, owner_ix;  // per output row / column of the block
  std::int64_t pe_row_stride = 1;  // physical PE index of tile (ix, iy, 0): iy * this + ix
  std::int64_t owner_pe(std::int64_t e, std::int64_t f) const {
    return owner_iy[e - e0] * pe_row_stride + owner_ix[f - f0];
  }
};

// The rounds and their tiles on an array `cols` PEs wide. Without channel slices tile (ix, iy)
// sits on PE iy * cols + ix, so planar neighbours are physical neighbours (halo hops); with
// slices, slice ic occupies PEs [ic * px * py, (ic + 1) * px * py) row by row.
std::vector<PtRound> pt_rounds(const Layer& l, const PtMapping& m, std::int64_t cols);

// Largest accumulator extent over every PE of every round.
std::int64_t pt_max_extent(const std::vector<PtRound>& rounds);

struct PtEstimate {
  bool feasible = false;
  std::string why_infeasible;
  // Some input tile (expected) overflows its IARAM, or some PE's outputs its OARAM: the
  // array then streams them from / to DRAM; `cycles` and `traffic` include those transfers.
  std::string spills;
  std::int64_t cycles = 0;
  double energy_pj = 0;
  std::int64_t pes = 0;         // PEs with work in the busiest round
  std::int64_t groups = 0;      // (round, output-channel group) passes per image
  std::int64_t dram_bytes = 0;  // expected DRAM traffic (weights; activations with rounds)
  // DRAM weight and input reads (inputs as when the layer's input comes from DRAM), and the
  // IARAM's input reads (glb_read): each conv group's channels once per output-channel group.
  PredictedTraffic traffic;
  // With one round, the layer's input is on chip unless the layer is the run's first (the
  // previous layer's OARAM is this one's IARAM) and its output stays on chip unless it is the
  // last: these are the cycles that loading the input from DRAM before the first group and
  // writing the output back after the last one add (per batch). `cycles` leaves them out so
  // that a layer's mapping does not depend on its place in the run; the run adds them to the
  // estimate it reports for the first and last layer.
  std::int64_t input_load_cycles = 0, output_store_cycles = 0;
};

// The statistics the sparse estimate is built from (the sparse PE issues one step per
// I activations x F weights, so a channel of n values of density d takes ceil(nnz / V) vectors
// of an operand, V = I or F):
// Mean and variance of ceil(X / V) for X ~ Binomial(n, d); a fractional n is interpolated
// between its neighbouring integers.
struct VectorMoments {
  double mean = 0, var = 0;
};
VectorMoments vector_moments(double n, double d, std::int64_t V);

// One PE's cycles for a group, about normal: mean and standard deviation.
struct PeCycles {
  double mean = 0, sd = 0;
  bool operator<(const PeCycles& o) const { return mean < o.mean || (mean == o.mean && sd < o.sd); }
};
// The expected cycles of the slowest of independent PEs (each entry: its distribution and how
// many PEs have it); the group's barrier waits for it.
double expected_slowest(const std::map<PeCycles, int>& pes);

// Expected cycles from the declared densities (sparse) or exact loop counts (dense).
// Energy: the estimated action counts priced by `table` (pt_energy_table(a)).
PtEstimate estimate_pt(const ArchConfig& a, const EnergyTable& table, const Layer& l,
                       const PtMapping& m);
// The same with the mapping's rounds already computed (pt_rounds).
PtEstimate estimate_pt(const ArchConfig& a, const EnergyTable& table, const Layer& l,
                       const PtMapping& m, const std::vector<PtRound>& rounds);

struct PtMapResult {
  PtMapping mapping;
  PtEstimate estimate;
  std::int64_t candidates_evaluated = 0;
};

// Searches px, py, pc and the rounds; kc is the largest group the accumulators hold.
class PlanarTiledMapper {
 public:
  PlanarTiledMapper(const ArchConfig& arch, Objective objective)
      : arch_(arch), objective_(objective), energy_table_(pt_energy_table(arch)) {}
  PtMapResult map(const Layer& layer) const;
  // The k best mappings by the estimate, best first (map() returns the first). Per tiling,
  // the rounds grow until nothing spills; spilling mappings compete by their estimate.
  std::vector<PtMapResult> best(const Layer& layer, std::size_t k) const;
  // A user's mapping: checked against the accumulators (spilling RAMs are allowed).
  PtMapResult evaluate_pinned(const Layer& layer, PtMapping m, const std::string& where) const;
  // Everything of a layer that map() and estimate_pt read: the layer as the array runs it
  // (flatten_fc), its loop bounds and its declared densities (tile sizes, sparse work).
  // Layers with the same view (layer_key) get the same mapping and estimate.
  static Layer estimate_view(const Layer& layer);

  // The style's priced actions and the parts that perform them.
  const EnergyTable& energy_table() const { return energy_table_; }

 private:
  const ArchConfig& arch_;
  Objective objective_;
  const EnergyTable energy_table_;
};

class ConfigNode;
// Keys px, py, pc, rounds_x, rounds_y, kc (all required).
PtMapping parse_pt_mapping(const ConfigNode& n);

std::ostream& operator<<(std::ostream& os, const PtMapping& m);
// The mapping as a YAML flow map in the pinned-mapping format (parse_pt_mapping).
std::string to_yaml(const PtMapping& m);

// The estimate's counts as `dfsim map` prints them, and the cycles a layer's place in the run
// adds (the first layer's input load, the last one's write-back).
std::string details_of(const PtMapResult& r);
std::int64_t place_cycles_of(const PtMapResult& r, bool first, bool last);

}  // namespace dfsim
