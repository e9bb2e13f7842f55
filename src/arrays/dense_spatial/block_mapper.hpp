// The mapper the dense spatial arrays share: it searches the block tilings (block_tiling.hpp)
// that fit the GLB and the style's own capacities, and estimates each from the schedule's
// exact DRAM traffic and the style's closed-form count of what its PE array does in the passes
// (BlockArrayCost). The estimate counts what the simulation counts; its cycles assume the DMA
// hides behind the passes except for the first load and the last drain.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrays/dense_spatial/block_tiling.hpp"
#include "base/config/arch_config.hpp"
#include "base/energy/energy_table.hpp"
#include "mapper/search.hpp"
#include "workload/layer.hpp"

namespace dfsim {

// What a style's PE array does over all passes of a tiling, in closed form: its actions (the
// GLB reads and writes it makes, in bits, and its own actions) in the style's energy table.
struct ArrayCounts {
  double glb_read_bits = 0, glb_write_bits = 0;
  std::array<double, 4> glb_read_bits_by_kind{};  // weight, ifmap, psum, ofmap
  ActionCounts actions;                           // the style's own actions only
};

class BlockArrayCost {
 public:
  virtual ~BlockArrayCost() = default;
  virtual const EnergyTable& energy_table() const = 0;
  virtual const GlbConfig& glb() const = 0;
  // "" when the style's own capacities (register files, ...) hold the tiling, else why not.
  virtual std::string check(const Layer& l, const BlockTiling& t) const = 0;
  virtual ArrayCounts counts(const Layer& l, const BlockTiling& t) const = 0;
  // Core cycles one pass of tiling t keeps the array busy (as the style's PE array spends
  // them).
  virtual std::int64_t pass_cycles(const Layer& l, const BlockTiling& t,
                                   const BlockPass& p) const = 0;
  // Block sizes the search tries for mb with a step shape (e.g. multiples of the array's
  // filter lanes).
  virtual std::vector<std::int64_t> filter_blocks(const Layer& l, const StepShape& step) const = 0;
  // Step shapes the search tries (one unset shape: the array's shape is fixed).
  virtual std::vector<StepShape> step_shapes(const Layer&) const { return {StepShape{}}; }
  // Weight slots in the GLB (BlockPeArray::weight_slots) and, with one, the core cycles from a
  // pass's start until it has read its slot.
  virtual std::int64_t weight_slots() const { return 2; }
  virtual std::int64_t weight_slot_read_cycles(const Layer&, const BlockPass&) const { return 0; }
};

struct BlockEstimate {
  bool feasible = false;
  std::string why_infeasible;
  std::int64_t cycles = 0;
  std::int64_t passes = 0;
  double dram_bytes = 0;
  double energy_pj = 0;      // excluding idle power
  PredictedTraffic traffic;  // DRAM reads and writes, GLB reads
};

struct BlockMapResult {
  BlockTiling mapping;
  BlockEstimate estimate;
  std::int64_t candidates_evaluated = 0;
};
std::string details_of(const BlockMapResult& r);
inline std::int64_t place_cycles_of(const BlockMapResult&, bool, bool) { return 0; }

// Core cycles of a layer on the controller's timeline (BlockArray): each tile loads into its
// slot once the slot is free and the DMA is, a pass starts when its tiles are in, a block drains
// after its last pass. The first kTimelinePasses passes are walked; a longer schedule continues
// at their average pace.
constexpr std::int64_t kTimelinePasses = 512;
double block_timeline_cycles(const ArchConfig& a, const BlockArrayCost& cost, const Layer& l,
                             const BlockTiling& t, std::int64_t passes);

BlockEstimate estimate_block(const ArchConfig& a, const BlockArrayCost& cost, const Layer& l,
                             const BlockTiling& t);

class BlockMapper {
 public:
  BlockMapper(const ArchConfig& arch, Objective objective, std::unique_ptr<BlockArrayCost> cost)
      : arch_(arch), objective_(objective), cost_(std::move(cost)) {}
  // The k best tilings by the estimate, best first; ConfigError when none fits.
  std::vector<BlockMapResult> best(const Layer& l, std::size_t k) const;
  BlockMapResult evaluate_pinned(const Layer& l, BlockTiling t, const std::string& where) const;
  // The estimate reads the layer's loop bounds only, an FC layer's as a 1 x 1 layer over
  // C x H x W channels (flatten_fc), as the array runs it.
  static Layer estimate_view(const Layer& l) { return shape_of(flatten_fc(l)); }
  const EnergyTable& energy_table() const { return cost_->energy_table(); }
  const BlockArrayCost& cost() const { return *cost_; }

 private:
  const ArchConfig& arch_;
  Objective objective_;
  std::unique_ptr<BlockArrayCost> cost_;
};

// The block sizes worth trying for a loop of `total` in multiples of `unit` (the last block may
// be smaller): each distinct block count once, with the smallest size that gives it (so blocks
// are as even as they can be); beyond kMaxBlockSizes counts, every count up to 8 and then
// counts growing by at least 1.25x (a search over C = 9216 tries 33 channel blocks, not 191).
constexpr std::size_t kMaxBlockSizes = 40;
std::vector<std::int64_t> block_sizes(std::int64_t total, std::int64_t unit);

}  // namespace dfsim
