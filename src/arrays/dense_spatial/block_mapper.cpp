#include "arrays/dense_spatial/block_mapper.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

#include "arrays/dense_spatial/block_array.hpp"
#include "base/energy/energy_model.hpp"
#include "base/sim_error.hpp"
#include "base/util/array_hash.hpp"
#include "components/memory/dma.hpp"
#include "mapper/chunks.hpp"

namespace dfsim {

std::string details_of(const BlockMapResult& r) {
  return ", passes " + std::to_string(r.estimate.passes) + ", DRAM " +
         std::to_string(static_cast<std::int64_t>(r.estimate.dram_bytes)) + " B";
}

std::vector<std::int64_t> block_sizes(std::int64_t total, std::int64_t unit) {
  const std::int64_t units = ceil_div64(total, unit);
  std::vector<std::int64_t> counts;  // block counts, ascending, each with its smallest size
  for (std::int64_t k = 1; k <= units;) {
    counts.push_back(k);
    const std::int64_t size = ceil_div64(units, k);
    if (size == 1) break;
    k = ceil_div64(units, size - 1);  // the first block count whose size is smaller
    while (ceil_div64(units, k) >= size) ++k;
  }
  std::vector<std::int64_t> out;
  std::int64_t kept = 0;
  for (std::int64_t k : counts) {
    // Beyond kMaxBlockSizes, every count up to 8, then each at least 1.25 x the last kept.
    const bool keep =
        counts.size() <= kMaxBlockSizes || k <= 8 || 4 * k >= 5 * kept || k == counts.back();
    if (!keep) continue;
    out.push_back(std::min(total, unit * ceil_div64(units, k)));
    kept = k;
  }
  std::reverse(out.begin(), out.end());  // smallest first
  return out;
}

namespace {

// The controller's timeline in core cycles (see BlockArray::Controller).
class Timeline {
 public:
  Timeline(const ArchConfig& a, const BlockArrayCost& cost, const Layer& l, const BlockTiling& t)
      : a_(a),
        cost_(cost),
        l_(l),
        t_(t),
        core_per_link_(a.clocks.core_mhz / a.clocks.link_mhz),
        round_trip_(dram_round_trip_core_cycles(a)),
        per_link_(dram_bytes_per_link_cycle(a)),
        psum_bytes_(a.data.psum_bits / 8) {}

  // Issues pass p's loads (the controller does so before running the pass before p; with one
  // weight slot, the weight tile after it).
  void issue_loads(const BlockPass& p, bool ifmap_only = false) {
    const std::int64_t Cg = l_.C_per_group(), RS = l_.R * l_.S;
    if (p.load_ifmap) {
      ifmaps_.current ^= 1;
      const std::int64_t rows = input_rows(l_, p.e0, p.eb).rows;
      const bool whole_planes = rows == l_.H;
      const std::int64_t run = whole_planes ? (p.cb == l_.C ? p.nb * p.cb : p.cb) : 1;
      slot_load(ifmaps_, dma_cost(a_.dram, per_link_, 2 * rows * l_.W, run, p.nb * p.cb));
    }
    if (p.load_weights && !ifmap_only) {
      if (!one_weight_slot()) weights_.current ^= 1;
      slot_load(weights_, dma_cost(a_.dram, per_link_, 2 * p.cb * RS, p.cb == Cg ? p.mb : 1, p.mb));
    }
  }

  // Runs pass p on the tiles of the current slots (si, sw).
  void run(const BlockPass& p, int si, int sw) {
    double start = std::max({array_, ifmaps_.ready[si], weights_.ready[sw]});
    if (p.first_c) start = std::max(start, psum_free_);
    const double end = start + pass_cycles(p);
    ifmaps_.free[si] = array_ = end;
    weights_.free[sw] =
        one_weight_slot() ? start + static_cast<double>(cost_.weight_slot_read_cycles(l_, p)) : end;
    if (runs_++ == 0) first_start_ = start;
    last_start_ = start;
  }

  // Drains pass p's block after its last pass (the pass just run).
  void drain(const BlockPass& p) {
    if (!p.last_c) return;
    const std::int64_t bytes = p.nb * p.eb * l_.F() * p.mb * psum_bytes_;
    const double read = array_ + glb_cycles(bytes);
    psum_free_ = read;
    const bool whole = p.eb == l_.E();
    const DmaCost c = dma_cost(a_.dram, per_link_, 2 * p.eb * l_.F(),
                               whole ? (p.mb == l_.M ? p.nb * p.mb : p.mb) : 1, p.nb * p.mb);
    dma_ = std::max(read, dma_) + c.link_cycles * core_per_link_ + round_trip_;
  }

  // A pass's array cycles depend only on its sizes, its output rows and its flags: a schedule
  // has a few kinds.
  double pass_cycles(const BlockPass& p) {
    const std::array<std::int64_t, 7> key{p.nb, p.e0, p.eb, p.mb, p.cb, p.first_c, p.load_weights};
    const auto it = pass_kinds_.find(key);
    if (it != pass_kinds_.end()) return it->second;
    const double cycles = static_cast<double>(cost_.pass_cycles(l_, t_, p));
    pass_kinds_.emplace(key, cycles);
    return cycles;
  }

  bool one_weight_slot() const { return cost_.weight_slots() == 1; }

  struct Slots {
    int current = 1;
    std::array<double, 2> free{}, ready{};
  } ifmaps_, weights_;
  std::int64_t runs_ = 0;
  double first_start_ = 0, last_start_ = 0, array_ = 0, dma_ = 0, psum_free_ = 0;

 private:
  // A GLB access of `bytes` into one region: its banks work in parallel.
  double glb_cycles(std::int64_t bytes) const {
    return static_cast<double>(glb_access_cycles(cost_.glb(), bytes));
  }
  void slot_load(Slots& s, const DmaCost& c) {
    const std::size_t k = static_cast<std::size_t>(s.current);
    const double at = std::max({last_start_, dma_, s.free[k]});
    if (c.bytes == 0) {  // a tile of no input rows (windows in the padding only)
      s.ready[k] = at;
      return;
    }
    dma_ = at + c.link_cycles * core_per_link_ + round_trip_ + glb_cycles(c.bytes);
    s.ready[k] = dma_;
  }

  const ArchConfig& a_;
  const BlockArrayCost& cost_;
  const Layer& l_;
  const BlockTiling& t_;
  const double core_per_link_, round_trip_, per_link_;
  std::unordered_map<std::array<std::int64_t, 7>, double, IntArrayHash> pass_kinds_;
  const std::int64_t psum_bytes_;
};

}  // namespace

double block_timeline_cycles(const ArchConfig& a, const BlockArrayCost& cost, const Layer& l,
                             const BlockTiling& t, std::int64_t passes) {
  Timeline tl(a, cost, l, t);
  bool have = false;
  BlockPass pending;
  for_each_block_pass(l, t, [&](const BlockPass& p) {
    if (have) {
      const int si = tl.ifmaps_.current, sw = tl.weights_.current;
      tl.issue_loads(p, tl.one_weight_slot());
      tl.run(pending, si, sw);
      if (tl.one_weight_slot() && p.load_weights) {
        BlockPass weights_only = p;
        weights_only.load_ifmap = false;
        tl.issue_loads(weights_only);
      }
      tl.drain(pending);
    } else {
      tl.issue_loads(p);
    }
    pending = p;
    have = true;
    return tl.runs_ + 1 < kTimelinePasses;
  });
  tl.run(pending, tl.ifmaps_.current, tl.weights_.current);
  tl.drain(pending);
  double end = std::max(tl.array_, tl.dma_);
  if (tl.runs_ < passes)  // the rest at the walked passes' pace
    end += (tl.array_ - tl.first_start_) / static_cast<double>(tl.runs_) *
           static_cast<double>(passes - tl.runs_);
  return end;
}

BlockEstimate estimate_block(const ArchConfig& a, const BlockArrayCost& cost, const Layer& l,
                             const BlockTiling& t) {
  BlockEstimate e;
  e.why_infeasible = check_block_tiling(a, cost.glb(), l, t, cost.weight_slots());
  if (e.why_infeasible.empty()) e.why_infeasible = cost.check(l, t);
  if (!e.why_infeasible.empty()) return e;
  e.feasible = true;
  const BlockDramTraffic d = block_dram_traffic(l, t);
  const ArrayCounts ac = cost.counts(l, t);
  const EnergyTable& table = cost.energy_table();
  const double psum_bits = static_cast<double>(a.data.psum_bits);
  const double drain_bits = static_cast<double>(l.ofmap_values()) * psum_bits;
  ActionCounts n = ac.actions;
  n.add(block_action::dram_bit, 8 * (d.ifmap_bytes + d.weight_bytes + d.ofmap_bytes));
  n.add(block_action::glb_read, ac.glb_read_bits + drain_bits);
  n.add(block_action::glb_write, ac.glb_write_bits + 8 * (d.ifmap_bytes + d.weight_bytes));
  add_dram_device_estimate(n, table, a);
  e.energy_pj = sum_pj(table, n);
  e.passes = d.passes;
  e.dram_bytes = d.ifmap_bytes + d.weight_bytes + d.ofmap_bytes;
  e.cycles = static_cast<std::int64_t>(std::ceil(block_timeline_cycles(a, cost, l, t, d.passes)));
  e.traffic.dram_read = {d.weight_bytes, d.ifmap_bytes, 0, 0};
  e.traffic.dram_write = {0, 0, 0, d.ofmap_bytes};
  for (std::size_t k = 0; k < 4; ++k) e.traffic.glb_read[k] = ac.glb_read_bits_by_kind[k] / 8;
  e.traffic.glb_read[2] += drain_bits / 8;
  return e;
}

namespace {

// One search: the k best candidates offered, how many were evaluated, the first refusal.
struct BlockSearch {
  const ArchConfig& a;
  const BlockArrayCost& cost;
  Objective objective;
  const Layer& l;
  BestCandidates<BlockMapResult> found;
  std::int64_t evaluated = 0;
  std::string first_why;

  // The image and row blocks of one (order, mb, cb, step); larger row blocks need more GLB.
  void offer_blocks(const std::vector<std::int64_t>& nbs, const std::vector<std::int64_t>& ebs,
                    BlockOrder order, std::int64_t mb, std::int64_t cb, StepShape step) {
    for (std::int64_t nb : nbs)
      for (std::int64_t eb : ebs) {
        const BlockTiling t{nb, eb, mb, cb, order, false, step};
        ++evaluated;
        const BlockEstimate e = estimate_block(a, cost, l, t);
        if (!e.feasible) {
          if (first_why.empty()) first_why = e.why_infeasible;
          break;
        }
        found.offer(score_of(objective, a, cost.energy_table(), e.cycles, e.energy_pj), {t, e, 0});
      }
  }
};

}  // namespace

std::vector<BlockMapResult> BlockMapper::best(const Layer& l, std::size_t k) const {
  BlockSearch search{arch_, *cost_, objective_, l, BestCandidates<BlockMapResult>(k), 0, ""};
  const std::vector<std::int64_t> nbs = block_sizes(l.N, 1), ebs = block_sizes(l.E(), 1),
                                  cbs = block_sizes(l.C_per_group(), 1);
  for (const StepShape& step : cost_->step_shapes(l))
    for (BlockOrder order : {BlockOrder::FiltersInner, BlockOrder::FiltersOuter})
      for (std::int64_t mb : cost_->filter_blocks(l, step))
        for (std::int64_t cb : cbs) search.offer_blocks(nbs, ebs, order, mb, cb, step);
  if (search.found.empty())
    throw ConfigError("layer '" + l.name + "' does not fit the " + arch_.array + " array '" +
                      arch_.name + "': " + search.first_why);
  std::vector<BlockMapResult> ranked = search.found.ranked();
  for (BlockMapResult& r : ranked) r.candidates_evaluated = search.evaluated;
  return ranked;
}

BlockMapResult BlockMapper::evaluate_pinned(const Layer& l, BlockTiling t,
                                            const std::string& where) const {
  t.pinned = true;
  const BlockEstimate e = estimate_block(arch_, *cost_, l, t);
  if (!e.feasible)
    throw ConfigError(where + ": mapping for layer '" + l.name +
                      "' does not fit: " + e.why_infeasible);
  return {t, e, 1};
}

}  // namespace dfsim
