// The loop nest of a row-stationary mapping, shared by the analytical estimate (which walks
// pass shapes) and the simulation (which walks every pass).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "arrays/row_stationary/rs_mapping.hpp"
#include "base/config/arch_config.hpp"
#include "base/util/array_hash.hpp"
#include "components/memory/dma.hpp"
#include "mapper/chunks.hpp"
#include "workload/layer.hpp"

namespace dfsim {

// The sizes that determine a pass's cost.
struct RsPassShape {
  std::int64_t n = 0;         // images
  std::int64_t rows = 0;      // ofmap rows in the strip group
  std::int64_t filters = 0;   // filters in the filter block
  std::int64_t channels = 0;  // channels in the channel block
  bool first_channel_block = true;
  std::int64_t strip_width = 1, p = 1, q = 1;  // p, q capped by the block
  std::int64_t r = 1, t = 1;                   // subgroups actually used
  std::int64_t ifmap_rows = 0;                 // padded ifmap rows the strip group needs
  std::int64_t ifmap_rows_stored = 0;          // of them, rows inside the ifmap (estimate)

  std::int64_t slot_columns() const { return rows * r * t; }
  std::int64_t active_pes(std::int64_t R) const { return slot_columns() * R; }
  std::int64_t filter_rows() const { return r * t; }  // distinct filter-row groups per PE row
  // The r channel subgroups of one (strip, filter subgroup) are stacked in adjacent bands and
  // chained by the vertical psum links, so only chain ends touch the GLB: psums come in at
  // the chain tops (except in the first channel block, which starts from zero) and leave
  // through the GON at the chain bottoms.
  std::int64_t chain_columns() const { return rows * t; }
  std::int64_t psum_in_columns() const { return first_channel_block ? 0 : chain_columns(); }
  std::int64_t macs(std::int64_t F, std::int64_t S, std::int64_t R) const {
    return n * rows * F * filters * channels * R * S;
  }
};

struct RsGlbPlan {
  std::string why_not;                // empty when it fits
  std::int64_t ifmap_tile_bytes = 0;  // one buffer
  std::int64_t ifmap_buffers = 2;     // 2: double buffered
  std::int64_t psum_tile_bytes = 0;
  std::int64_t filter_tile_bytes = 0;  // one buffer
  std::int64_t filter_buffers = 1;
  std::int64_t ifmap_banks = 0, psum_banks = 0;
};

class RsTiling {
 public:
  RsTiling(const ArchConfig& a, const Layer& l, const RsMapping& m) : a_(a), l_(l), m_(m) {}

  std::int64_t padded_ifmap_rows(std::int64_t ofmap_rows) const {
    return (ofmap_rows - 1) * l_.stride_h + l_.rows().extent();
  }
  // Ifmap rows [lo, hi) of the unpadded ifmap a strip group starting at ofmap row e0 reads.
  std::pair<std::int64_t, std::int64_t> stored_rows(Chunk sg) const {
    const std::int64_t first = l_.rows().input(sg.begin, 0);
    const std::int64_t lo = std::max<std::int64_t>(0, first);
    const std::int64_t hi = std::min<std::int64_t>(l_.H, first + padded_ifmap_rows(sg.size));
    return {lo, std::max(lo, hi)};
  }

  template <typename Fn>
  static void for_each_chunk(std::int64_t total, std::int64_t step, Fn&& fn) {
    dfsim::for_each_chunk(total, step, std::forward<Fn>(fn));
  }

  RsPassShape shape(std::int64_t n, std::int64_t rows, std::int64_t filters, std::int64_t channels,
                    bool first_cb) const {
    RsPassShape s;
    s.n = n;
    s.rows = rows;
    s.filters = filters;
    s.channels = channels;
    s.first_channel_block = first_cb;
    s.strip_width = m_.strip_width;
    s.p = std::min(m_.p, filters);
    s.q = std::min(m_.q, channels);
    s.t = ceil_div64(filters, m_.p);
    s.r = ceil_div64(channels, m_.q);
    s.ifmap_rows = padded_ifmap_rows(rows);
    s.ifmap_rows_stored = std::min(s.ifmap_rows, l_.H);
    return s;
  }

  // (size, count) of a dimension's full chunks and its remainder.
  struct ChunkSizes {
    std::pair<std::int64_t, std::int64_t> v[2];
    int count = 0;
    const std::pair<std::int64_t, std::int64_t>* begin() const { return v; }
    const std::pair<std::int64_t, std::int64_t>* end() const { return v + count; }
  };
  static ChunkSizes sizes(std::int64_t total, std::int64_t step) {
    ChunkSizes s;
    if (total / step > 0) s.v[s.count++] = {step, total / step};
    if (total % step) s.v[s.count++] = {total % step, 1};
    return s;
  }

  // Calls fn(shape, how many passes have it) for every distinct pass shape.
  template <typename Fn>
  void for_each_pass_shape(Fn&& fn) const {
    const std::int64_t Cg = l_.C_per_group(), Mg = l_.M_per_group();
    for (auto [n, cn] : sizes(l_.N, m_.n))
      for (auto [rows, crows] : sizes(l_.E(), m_.rows_per_strip_group()))
        for (auto [f, cf] : sizes(Mg, m_.p * m_.t)) {
          const auto cbs = sizes(Cg, m_.q * m_.r);
          std::int64_t seen = 0;
          for (auto [c, cc] : cbs) {
            const std::int64_t mult = l_.groups * cn * crows * cf;
            // The first channel block is the first full one (or the only one).
            if (seen == 0) {
              fn(shape(n, rows, f, c, true), mult);
              if (cc > 1) fn(shape(n, rows, f, c, false), mult * (cc - 1));
            } else {
              fn(shape(n, rows, f, c, false), mult * cc);
            }
            seen += cc;
          }
        }
  }

  // Ifmap values read from DRAM over the whole layer (exact, per strip group position).
  std::int64_t ifmap_dram_values() const {
    const std::int64_t Cg = l_.C_per_group();
    const std::int64_t filter_blocks = ceil_div64(l_.M_per_group(), m_.p * m_.t);
    std::int64_t rows_total = 0;
    for_each_chunk(l_.E(), m_.rows_per_strip_group(), [&](Chunk sg) {
      auto [lo, hi] = stored_rows(sg);
      rows_total += hi - lo;
    });
    return l_.groups * l_.N * Cg * rows_total * l_.W * (m_.ifmap_resident ? 1 : filter_blocks);
  }

  // The DRAM requests of the layer's DMA transfers, by the rule of dma_requests applied to
  // the blocks the controller issues (RowStationaryArray): DRAM holds ifmap [N][C][H][W],
  // weights [M][C/G][R][S] and ofmap [N][M][E][F] row-major. Dense sizes (an encoded tensor
  // moves fewer bytes in the same pattern).
  //  - ifmap: one block per (image, channel) of a tile, its stored rows; blocks of consecutive
  //    channels (and images, when the tile holds every channel) are adjacent when the rows
  //    are whole planes. Tiles load once per strip group (resident) or per pass.
  // One tile of n images x nch channels of strip group sg.
  DmaCost ifmap_tile_dma(double bytes_per_link_cycle, Chunk sg, std::int64_t n,
                         std::int64_t nch) const {
    const auto [lo, hi] = stored_rows(sg);
    const std::int64_t rows = hi - lo;
    if (rows == 0) return {};
    const std::int64_t run = rows == l_.H ? (nch == l_.C ? n * nch : nch) : 1;
    return dma_cost(a_.dram, bytes_per_link_cycle, rows * l_.W * 2, run, n * nch);  // 16-bit
  }
  DmaCost ifmap_dma(double bytes_per_link_cycle) const {
    DmaCost total;
    const std::int64_t Cg = l_.C_per_group();
    const std::int64_t filter_blocks = ceil_div64(l_.M_per_group(), m_.p * m_.t);
    for_each_chunk(l_.E(), m_.rows_per_strip_group(), [&](Chunk sg) {
      for (auto [n, cn] : sizes(l_.N, m_.n)) {
        if (m_.ifmap_resident) {
          total += ifmap_tile_dma(bytes_per_link_cycle, sg, n, Cg).times(cn);
        } else {
          for (auto [c, cc] : sizes(Cg, m_.q * m_.r))
            total += ifmap_tile_dma(bytes_per_link_cycle, sg, n, c).times(cn * cc * filter_blocks);
        }
      }
    });
    return total.times(l_.groups);
  }
  //  - filters: one block per filter of a pass's filter block, its channel block; consecutive
  //    filters are adjacent when the block holds all their channels. A pass loads its tile
  //    unless one of the `buffers` filter buffers still holds it (a group's tiles all fit).
  DmaCost filter_tile_dma(double bytes_per_link_cycle, std::int64_t f, std::int64_t c) const {
    return dma_cost(a_.dram, bytes_per_link_cycle, c * l_.R * l_.S * 2,
                    c == l_.C_per_group() ? f : 1, f);
  }
  DmaCost filter_dma(double bytes_per_link_cycle, std::int64_t buffers) const {
    DmaCost per_group;
    const std::int64_t Cg = l_.C_per_group(), Mg = l_.M_per_group();
    const std::int64_t tiles = ceil_div64(Mg, m_.p * m_.t) * ceil_div64(Cg, m_.q * m_.r);
    for (auto [f, cf] : sizes(Mg, m_.p * m_.t))
      for (auto [c, cc] : sizes(Cg, m_.q * m_.r))
        per_group += filter_tile_dma(bytes_per_link_cycle, f, c).times(cf * cc);
    const std::int64_t repeats =
        tiles <= buffers ? 1
                         : ceil_div64(l_.N, m_.n) * ceil_div64(l_.E(), m_.rows_per_strip_group());
    return per_group.times(repeats * l_.groups);
  }
  //  - ofmap: one block per (image, filter) of a finished tile, its rows of the strip group;
  //    consecutive filters' blocks are adjacent when the strip group is the whole ofmap
  //    (and consecutive images' when the block holds every filter). Encoded rows are packed
  //    in write order: a write-back's blocks are all adjacent.
  DmaCost ofmap_tile_dma(double bytes_per_link_cycle, std::int64_t n, std::int64_t rows,
                         std::int64_t f) const {
    const bool packed = a_.dram_ofmap_encoding != Encoding::Dense;
    const std::int64_t run = packed || rows == l_.E() ? (packed || f == l_.M ? n * f : f) : 1;
    return dma_cost(a_.dram, bytes_per_link_cycle, rows * l_.F() * 2, run, n * f);
  }
  DmaCost ofmap_dma(double bytes_per_link_cycle) const {
    DmaCost total;
    for (auto [n, cn] : sizes(l_.N, m_.n))
      for (auto [rows, cr] : sizes(l_.E(), m_.rows_per_strip_group()))
        for (auto [f, cf] : sizes(l_.M_per_group(), m_.p * m_.t))
          total += ofmap_tile_dma(bytes_per_link_cycle, n, rows, f).times(cn * cr * cf);
    return total.times(l_.groups);
  }

  std::int64_t first_tile_bytes() const {
    const std::int64_t ch =
        m_.ifmap_resident ? l_.C_per_group() : std::min(l_.C_per_group(), m_.q * m_.r);
    const std::int64_t rows = std::min(l_.E(), m_.rows_per_strip_group());
    return (std::min(l_.N, m_.n) * ch * std::min(padded_ifmap_rows(rows), l_.H) * l_.W *
                a_.data.ifmap_bits +
            std::min(l_.M_per_group(), m_.p * m_.t) * std::min(l_.C_per_group(), m_.q * m_.r) *
                l_.R * l_.S * a_.data.weight_bits) /
           8;
  }

 private:
  const ArchConfig& a_;
  const Layer& l_;
  const RsMapping& m_;
};

// Core cycles of one processing pass: the filter load through the filter GIN, then the
// compute overlapped with the ifmap, psum-in and GON streams (docs/models.md).
struct RsPassCycles {
  std::int64_t filters = 0;  // until the pass's filters are in the spads (its GLB buffer frees)
  std::int64_t total = 0;
};
RsPassCycles rs_pass_cycles(const ArchConfig& a, const Layer& l, const RsPassShape& ps);

// Core cycles of the whole layer by the controller's schedule (RowStationaryArray::run): the
// passes in loop-nest order, each after its ifmap and filter tiles are in the GLB and the psum
// tile is free; the DMA loads tiles into free buffers (the next ifmap tile ahead of its pass),
// writes finished ofmap tiles back after their last pass, and shares one DRAM channel.
double rs_pipeline_cycles(const ArchConfig& a, const Layer& l, const RsMapping& m,
                          const RsGlbPlan& plan);

// Spad / array constraints; returns why the mapping does not fit, or "". With `explain` false a
// misfit returns kRsDoesNotFit instead of its message (the search rejects millions of
// candidates and formats the reason of its last one only).
constexpr const char* kRsDoesNotFit = "does not fit";
std::string rs_check_capacity(const ArchConfig& a, const Layer& l, const RsMapping& m,
                              bool explain = true);
// GLB allocation of the mapping; why_not says what does not fit (kRsDoesNotFit unless
// `explain`).
RsGlbPlan rs_glb_plan(const ArchConfig& a, const Layer& l, const RsMapping& m, bool explain = true);

// Sums over a layer's pass shapes (RsTiling::for_each_pass_shape): what a loop nest costs
// apart from its DRAM transfers, the same for each of its GLB bufferings.
struct RsPassTotals {
  double glb_read_bits = 0, glb_write_bits = 0, noc_bits = 0, macs = 0;
  std::array<double, 3> glb_read_bytes{};             // filter, ifmap, psum
  std::array<double, 3> spad_reads{}, spad_writes{};  // filter, ifmap, psum spads
  std::int64_t pass_cycles = 0, passes = 0, active_pes = 0;
};
RsPassTotals rs_pass_totals(const ArchConfig& a, const Layer& l, const RsMapping& m);

// The parts of estimate_rs that one search's candidates share, each computed once: the pass
// totals and DMA costs of the last loop nest (its four GLB bufferings come in a row) and the
// DMA costs of every nest, keyed by the mapping fields each depends on. One memo per (layer,
// architecture). With a memo, estimate_rs reports a misfit as kRsDoesNotFit.
class RsEstimateMemo {
 public:
  const RsPassTotals& pass_totals(const ArchConfig& a, const Layer& l, const RsMapping& m);
  DmaCost ifmap_dma(const RsTiling& t, const RsMapping& m, double bytes_per_link_cycle);
  DmaCost filter_dma(const RsTiling& t, const RsMapping& m, double bytes_per_link_cycle,
                     std::int64_t buffers);
  DmaCost ofmap_dma(const RsTiling& t, const RsMapping& m, double bytes_per_link_cycle);

 private:
  using Key = std::array<std::int64_t, 7>;
  using Memo = std::unordered_map<Key, DmaCost, IntArrayHash>;
  template <typename Compute>
  static DmaCost memoized(Memo& memo, const Key& key, Compute&& compute);
  void enter_nest(const RsMapping& m);  // forgets the last nest's results when m's differs

  // The last nest: its pass totals (computed on first use) and DMA costs (ifmap by residency).
  Key nest_{};
  bool has_nest_ = false;
  std::optional<RsPassTotals> totals_;
  std::array<std::optional<DmaCost>, 2> nest_ifmap_;
  std::optional<DmaCost> nest_ofmap_;
  std::optional<std::pair<std::int64_t, DmaCost>> nest_filter_;  // by buffers
  Memo ifmap_, filter_, ofmap_;
};

}  // namespace dfsim
