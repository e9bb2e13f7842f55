#include "arrays/dense_spatial/block_tiling.hpp"

#include <algorithm>
#include <ostream>

#include "base/config/config_node.hpp"
#include "mapper/chunks.hpp"

namespace dfsim {

const char* to_string(BlockOrder o) {
  return o == BlockOrder::FiltersInner ? "filters_inner" : "filters_outer";
}

std::ostream& operator<<(std::ostream& os, const BlockTiling& t) {
  os << "blocks n" << t.nb << " e" << t.eb << " m" << t.mb << " c" << t.cb << ", "
     << to_string(t.order);
  if (t.step.set())
    os << ", steps of " << t.step.filters << " x " << t.step.rows << "x" << t.step.cols;
  return os << (t.pinned ? " [pinned]" : "");
}

std::string to_yaml(const BlockTiling& t) {
  std::string y = "{nb: " + std::to_string(t.nb) + ", eb: " + std::to_string(t.eb) +
                  ", mb: " + std::to_string(t.mb) + ", cb: " + std::to_string(t.cb) +
                  ", order: " + to_string(t.order);
  if (t.step.set())
    y += ", step: {filters: " + std::to_string(t.step.filters) +
         ", rows: " + std::to_string(t.step.rows) + ", cols: " + std::to_string(t.step.cols) + "}";
  return y + "}";
}

namespace {

BlockTiling parse_blocks(const ConfigNode& n) {
  BlockTiling t;
  t.nb = n.get_int_min("nb", 1);
  t.eb = n.get_int_min("eb", 1);
  t.mb = n.get_int_min("mb", 1);
  t.cb = n.get_int_min("cb", 1);
  const std::string order = n.get_string("order");
  if (order == "filters_inner")
    t.order = BlockOrder::FiltersInner;
  else if (order == "filters_outer")
    t.order = BlockOrder::FiltersOuter;
  else
    n.at("order").fail("must be filters_inner or filters_outer, not '" + order + "'");
  return t;
}

}  // namespace

BlockTiling parse_block_tiling(const ConfigNode& n) {
  n.expect_keys({"nb", "eb", "mb", "cb", "order"});
  return parse_blocks(n);
}

BlockTiling parse_block_tiling_with_step(const ConfigNode& n) {
  n.expect_keys({"nb", "eb", "mb", "cb", "order", "step"});
  BlockTiling t = parse_blocks(n);
  const ConfigNode step = n.at("step");
  step.expect_keys({"filters", "rows", "cols"});
  t.step.filters = step.get_int_min("filters", 1);
  t.step.rows = step.get_int_min("rows", 1);
  t.step.cols = step.get_int_min("cols", 1);
  return t;
}

InputRows input_rows(const Layer& l, std::int64_t e0, std::int64_t eb) {
  const ConvAxis rows = l.rows();
  const std::int64_t lo = std::max<std::int64_t>(0, rows.input(e0, 0));
  const std::int64_t hi = std::min(l.H, rows.input(e0 + eb - 1, l.R - 1) + 1);
  return {lo, std::max<std::int64_t>(0, hi - lo)};
}

std::int64_t taps_inside(const ConvAxis& a, std::int64_t o0, std::int64_t count) {
  std::int64_t sum = 0;
  for (std::int64_t o = o0; o < o0 + count; ++o) {
    const std::int64_t x0 = a.input(o, 0);
    if (x0 >= a.size) continue;
    // Taps t with 0 <= x0 + t * dilation < size.
    const std::int64_t first = x0 >= 0 ? 0 : ceil_div64(-x0, a.dilation);
    const std::int64_t end = std::min(a.taps, (a.size - 1 - x0) / a.dilation + 1);
    sum += std::max<std::int64_t>(0, end - first);
  }
  return sum;
}

std::int64_t glb_access_cycles(const GlbConfig& g, std::int64_t bytes) {
  return ceil_div64(std::min(bytes, g.bank_bytes) * 8, g.bank_width_bits);
}

std::int64_t window_rows_inside(const Layer& l) { return taps_inside(l.rows(), 0, l.E()); }
std::int64_t window_cols_inside(const Layer& l) { return taps_inside(l.cols(), 0, l.F()); }

void for_each_block_pass(const Layer& l, const BlockTiling& t,
                         const std::function<bool(const BlockPass&)>& fn) {
  const std::int64_t E = l.E(), Mg = l.M_per_group(), Cg = l.C_per_group();
  const std::int64_t NB = ceil_div64(l.N, t.nb), EB = ceil_div64(E, t.eb),
                     MB = ceil_div64(Mg, t.mb);
  const bool filters_inner = t.order == BlockOrder::FiltersInner;
  BlockPass prev;
  for (std::int64_t g = 0; g < l.groups; ++g)
    for (std::int64_t i = 0; i < NB * EB * MB; ++i) {
      // Output block i of the group in loop order: (n, e, m) or (m, n, e), the last fastest.
      const std::int64_t mi = filters_inner ? i % MB : i / (NB * EB);
      const std::int64_t ne = filters_inner ? i / MB : i % (NB * EB);
      const std::int64_t n = ne / EB * t.nb, e = ne % EB * t.eb, m = mi * t.mb;
      for (std::int64_t c = 0; c < Cg; c += t.cb) {
        BlockPass p{g,
                    n,
                    std::min(t.nb, l.N - n),
                    e,
                    std::min(t.eb, E - e),
                    m,
                    std::min(t.mb, Mg - m),
                    c,
                    std::min(t.cb, Cg - c),
                    c == 0,
                    c + t.cb >= Cg};
        const bool first = g == 0 && i == 0 && c == 0;
        p.load_ifmap = first || prev.g != g || prev.n0 != n || prev.e0 != e || prev.c0 != c;
        p.load_weights = first || prev.g != g || prev.m0 != m || prev.c0 != c;
        if (!fn(p)) return;
        prev = p;
      }
    }
}

std::vector<BlockPass> block_passes(const Layer& l, const BlockTiling& t) {
  std::vector<BlockPass> out;
  for_each_block_pass(l, t, [&](const BlockPass& p) {
    out.push_back(p);
    return true;
  });
  return out;
}

BlockFootprint block_footprint(const ArchConfig& a, const GlbConfig& glb, const Layer& l,
                               const BlockTiling& t, std::int64_t weight_slots) {
  BlockFootprint f;
  f.weight_slots = weight_slots;
  std::int64_t rows = 0;  // the most input rows an e-block reads
  for_each_chunk(l.E(), t.eb,
                 [&](Chunk e) { rows = std::max(rows, input_rows(l, e.begin, e.size).rows); });
  const std::int64_t nb = std::min(t.nb, l.N), eb = std::min(t.eb, l.E());
  const std::int64_t mb = std::min(t.mb, l.M_per_group()), cb = std::min(t.cb, l.C_per_group());
  f.ifmap_bytes = nb * cb * rows * l.W * a.data.ifmap_bits / 8;
  f.weight_bytes = mb * cb * l.R * l.S * a.data.weight_bits / 8;
  f.psum_bytes = nb * eb * l.F() * mb * a.data.psum_bits / 8;
  f.ifmap_banks = ceil_div64(f.ifmap_bytes, glb.bank_bytes);
  f.weight_banks = ceil_div64(f.weight_bytes, glb.bank_bytes);
  f.psum_banks = ceil_div64(f.psum_bytes, glb.bank_bytes);
  return f;
}

std::string check_block_tiling(const ArchConfig& a, const GlbConfig& glb, const Layer& l,
                               const BlockTiling& t, std::int64_t weight_slots) {
  const std::pair<const char*, std::pair<std::int64_t, std::int64_t>> bounds[] = {
      {"nb", {t.nb, l.N}},
      {"eb", {t.eb, l.E()}},
      {"mb", {t.mb, l.M_per_group()}},
      {"cb", {t.cb, l.C_per_group()}}};
  for (const auto& [key, v] : bounds)
    if (v.first > v.second)
      return std::string(key) + " " + std::to_string(v.first) + " is larger than the layer's " +
             std::to_string(v.second);
  const BlockFootprint f = block_footprint(a, glb, l, t, weight_slots);
  if (f.banks() > glb.banks)
    return "the blocks need " + std::to_string(f.banks()) + " GLB banks (2 x " +
           std::to_string(f.ifmap_banks) + " ifmap, " + std::to_string(weight_slots) + " x " +
           std::to_string(f.weight_banks) + " weight, " + std::to_string(f.psum_banks) +
           " psum); the GLB has " + std::to_string(glb.banks);
  return "";
}

BlockDramTraffic block_dram_traffic(const Layer& l, const BlockTiling& t) {
  const std::int64_t E = l.E(), Mg = l.M_per_group(), Cg = l.C_per_group();
  const std::int64_t NB = ceil_div64(l.N, t.nb), EB = ceil_div64(E, t.eb);
  const std::int64_t MB = ceil_div64(Mg, t.mb), CB = ceil_div64(Cg, t.cb);
  std::int64_t sum_rows = 0;  // input rows over the e-blocks
  for_each_chunk(E, t.eb, [&](Chunk e) { sum_rows += input_rows(l, e.begin, e.size).rows; });
  // Every (n, e, c) ifmap tile is loaded the same number of times, and every (m, c) weight
  // tile: once when the pass before used it too, else once per pass that needs it.
  const bool inner = t.order == BlockOrder::FiltersInner;
  const std::int64_t ifmap_repeat =
      (inner && CB == 1) || (!inner && CB == 1 && NB * EB == 1) ? 1 : MB;
  const std::int64_t weight_repeat =
      (!inner && CB == 1) || (inner && CB == 1 && MB == 1) ? 1 : NB * EB;
  BlockDramTraffic d;
  d.passes = l.groups * NB * EB * MB * CB;
  d.ifmap_loads = l.groups * NB * EB * CB * ifmap_repeat;
  d.weight_loads = l.groups * MB * CB * weight_repeat;
  d.ifmap_bytes = 2.0 * static_cast<double>(l.groups * l.N * Cg * sum_rows * l.W * ifmap_repeat);
  d.weight_bytes = 2.0 * static_cast<double>(l.weights() * weight_repeat);
  d.ofmap_bytes = 2.0 * static_cast<double>(l.ofmap_values());
  return d;
}

}  // namespace dfsim
