// The global-buffer schedule the dense spatial arrays share (no local reuse, and the weight- and
// output-stationary arrays of Chen et al., ISCA 2016, Section VI): a layer's outputs are cut
// into blocks of nb images x eb output rows (all F columns) x mb filters of one group; each
// block's input channels are visited cb at a time, innermost, so its psums stay in the GLB until
// the last channel block, when they drain through the activation to DRAM. The tiles a pass
// needs (ifmap: nb x cb x the eb rows' input rows x W; weights: mb x cb x R x S) are loaded
// from DRAM only when they differ from the previous pass's, into the other of two slots while
// the array works on the current one. (An array whose register files hold a pass's weights
// needs one weight slot: the register files are the second buffer.)
//
// Shapes: DRAM holds the ifmap [N][C][H][W], the weights [M][C/G][R][S] and the ofmap
// [N][M][E][F], 16-bit values. In the GLB, the ifmap tile is channel-minor [n][h][w][c] (one
// filter row's window of S positions x cb channels is adjacent), the weight tile [m][r][s][c]
// (one filter's reduction is adjacent) and the psums [n][e][f][m] at psum_bits.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "base/config/arch_config.hpp"
#include "workload/layer.hpp"

namespace dfsim {

class ConfigNode;

// Loop order of the blocks within a group, outer to inner (channel blocks innermost in both):
//   filters_inner: n-block, e-block, m-block — an ifmap tile covering all C/G channels stays
//                  in the GLB across the filter blocks;
//   filters_outer: m-block, n-block, e-block — a weight tile covering all C/G channels stays
//                  across the image and row blocks.
enum class BlockOrder { FiltersInner, FiltersOuter };
const char* to_string(BlockOrder o);

// What a PE array whose step shape is part of the mapping (the output-stationary array) works
// on at once: `filters` filter planes of rows x cols output pixels. All 0: the array's shape is
// fixed (the reduction arrays).
struct StepShape {
  std::int64_t filters = 0, rows = 0, cols = 0;
  bool set() const { return filters > 0; }
};

struct BlockTiling {
  std::int64_t nb = 1, eb = 1, mb = 1, cb = 1;
  BlockOrder order = BlockOrder::FiltersInner;
  bool pinned = false;
  StepShape step;
};
std::ostream& operator<<(std::ostream& os, const BlockTiling& t);
// {nb, eb, mb, cb, order} and, with a step shape, step: {filters, rows, cols}: the
// pinned-mapping format.
std::string to_yaml(const BlockTiling& t);
BlockTiling parse_block_tiling(const ConfigNode& n);
BlockTiling parse_block_tiling_with_step(const ConfigNode& n);

// One pass of the array: output block (group g; images n0.., rows e0.., filters m0.. within
// the group) and channel block c0.. within the group, with whether its tiles must be loaded.
struct BlockPass {
  std::int64_t g = 0, n0 = 0, nb = 0, e0 = 0, eb = 0, m0 = 0, mb = 0, c0 = 0, cb = 0;
  bool first_c = false, last_c = false;
  bool load_ifmap = false, load_weights = false;
};

// The input rows [h0, h0 + rows) of the image that output rows [e0, e0 + eb) read (clipped to
// the image: padding rows are not stored).
struct InputRows {
  std::int64_t h0 = 0, rows = 0;
};
InputRows input_rows(const Layer& l, std::int64_t e0, std::int64_t eb);

// Taps t < a.taps whose input a.input(o, t) lies inside the image, summed over outputs
// [o0, o0 + count) of the axis: how many of the filter rows (columns) of those outputs'
// windows fall inside the image.
std::int64_t taps_inside(const ConvAxis& a, std::int64_t o0, std::int64_t count);

// Core cycles of one GLB access of `bytes` within one region (its banks work in parallel, each
// bank_width_bits per cycle): what the banked buffer books for it.
std::int64_t glb_access_cycles(const GlbConfig& g, std::int64_t bytes);

// Sums over the output rows (columns) of the filter rows (columns) that fall inside the image,
// not on padding: the input windows of all E x F output pixels of one channel hold
// window_rows_inside * window_cols_inside values of the image.
std::int64_t window_rows_inside(const Layer& l);
std::int64_t window_cols_inside(const Layer& l);

// Calls fn(pass) for every pass of a layer in schedule order until fn returns false.
void for_each_block_pass(const Layer& l, const BlockTiling& t,
                         const std::function<bool(const BlockPass&)>& fn);
// Every pass of a layer in schedule order.
std::vector<BlockPass> block_passes(const Layer& l, const BlockTiling& t);

// Bytes of the largest tile of each kind (one slot), and the GLB banks the schedule occupies:
// two ifmap slots, `weight_slots` (1 or 2) weight slots and the psum block, each in whole banks.
struct BlockFootprint {
  std::int64_t ifmap_bytes = 0, weight_bytes = 0, psum_bytes = 0;
  std::int64_t ifmap_banks = 0, weight_banks = 0, psum_banks = 0;
  std::int64_t weight_slots = 2;
  std::int64_t banks() const { return 2 * ifmap_banks + weight_slots * weight_banks + psum_banks; }
};
BlockFootprint block_footprint(const ArchConfig& a, const GlbConfig& glb, const Layer& l,
                               const BlockTiling& t, std::int64_t weight_slots);
// "" when the tiling fits the layer and the GLB, else why not.
std::string check_block_tiling(const ArchConfig& a, const GlbConfig& glb, const Layer& l,
                               const BlockTiling& t, std::int64_t weight_slots);

// What the schedule moves between DRAM and the GLB, as the controller moves it: bytes of
// ifmap and weight tiles loaded (with their repeats) and of ofmap written, and the tiles
// loaded.
struct BlockDramTraffic {
  double ifmap_bytes = 0, weight_bytes = 0, ofmap_bytes = 0;
  std::int64_t ifmap_loads = 0, weight_loads = 0, passes = 0;
};
BlockDramTraffic block_dram_traffic(const Layer& l, const BlockTiling& t);

}  // namespace dfsim
