#include "arrays/row_stationary/rs_tiling.hpp"

namespace dfsim {

namespace {

// " (N dilated)" when the filter row spans more ifmap values than S, else "".
std::string dilated_width(const Layer& l) {
  const std::int64_t window = l.cols().extent();
  return window > l.S ? " (" + std::to_string(window) + " dilated)" : "";
}

}  // namespace

std::string rs_check_capacity(const ArchConfig& a, const Layer& l, const RsMapping& m,
                              bool explain) {
  const std::int64_t Cg = l.C_per_group(), Mg = l.M_per_group(), E = l.E();
  auto s = [](std::int64_t v) { return std::to_string(v); };
  const auto why = [explain](auto&& message) -> std::string {
    return explain ? message() : std::string(kRsDoesNotFit);
  };
  if (l.R > a.pe_rows)
    return why([&] {
      return "filter height R=" + s(l.R) + " exceeds the " + s(a.pe_rows) +
             " PE rows (a row-stationary PE set needs R rows)";
    });
  // A PE's ifmap spad holds the sliding window of each of its q channels: the dilated filter
  // row's extent (S at dilation 1).
  const std::int64_t window = l.cols().extent();
  if (window > rs_params(a).pe.ifmap_spad_entries)
    return why([&] {
      return "filter width S=" + s(l.S) + dilated_width(l) + " exceeds the ifmap spad (" +
             s(rs_params(a).pe.ifmap_spad_entries) + " entries)";
    });
  if (m.strip_width < 1 || m.strip_width > std::min(E, a.pe_cols))
    return why([&] { return "strip_width must be in 1.." + s(std::min(E, a.pe_cols)); });
  if (m.strips_per_pass < 1 || m.strips_per_pass > ceil_div64(E, m.strip_width))
    return why([&] { return "strips_per_pass must be in 1.." + s(ceil_div64(E, m.strip_width)); });
  if (m.n < 1 || m.n > l.N) return why([&] { return "n must be in 1.." + s(l.N); });
  if (m.p < 1 || m.p > Mg) return why([&] { return "p must be in 1.." + s(Mg); });
  if (m.q < 1 || m.q > Cg) return why([&] { return "q must be in 1.." + s(Cg); });
  if (m.r < 1 || m.r > ceil_div64(Cg, m.q))
    return why([&] { return "r must be in 1.." + s(ceil_div64(Cg, m.q)); });
  if (m.t < 1 || m.t > ceil_div64(Mg, m.p))
    return why([&] { return "t must be in 1.." + s(ceil_div64(Mg, m.p)); });
  if (m.p > rs_params(a).pe.psum_spad_entries)
    return why([&] {
      return "p=" + s(m.p) + " psums exceed the psum spad (" +
             s(rs_params(a).pe.psum_spad_entries) + ")";
    });
  if (m.q * window > rs_params(a).pe.ifmap_spad_entries)
    return why([&] {
      return "q*S=" + s(m.q * window) + " exceeds the ifmap spad (" +
             s(rs_params(a).pe.ifmap_spad_entries) + ")";
    });
  if (m.p * m.q * l.S > rs_params(a).pe.filter_spad_entries)
    return why([&] {
      return "p*q*S=" + s(m.p * m.q * l.S) + " exceeds the filter spad (" +
             s(rs_params(a).pe.filter_spad_entries) + ")";
    });
  if (m.r > m.bands(a, l))
    return why([&] {
      return "r=" + s(m.r) + " stacked channel subgroups need " + s(m.r * l.R) +
             " PE rows, the array has " + s(a.pe_rows);
    });
  const std::int64_t chains = m.chains(a, l);
  if (m.strips_per_pass * m.t > chains)
    return why([&] {
      return "strips_per_pass*t=" + s(m.strips_per_pass * m.t) + " psum chains exceed the " +
             s(chains) + " chains of " + s(l.R * m.r) + "x" + s(m.strip_width) +
             " PEs that fit the array";
    });
  return "";
}

void RsEstimateMemo::enter_nest(const RsMapping& m) {
  const Key nest{m.strip_width, m.strips_per_pass, m.n, m.p, m.q, m.r, m.t};
  if (has_nest_ && nest == nest_) return;
  nest_ = nest;
  has_nest_ = true;
  totals_.reset();
  nest_ifmap_ = {};
  nest_ofmap_.reset();
  nest_filter_.reset();
}

const RsPassTotals& RsEstimateMemo::pass_totals(const ArchConfig& a, const Layer& l,
                                                const RsMapping& m) {
  enter_nest(m);
  if (!totals_) totals_ = rs_pass_totals(a, l, m);
  return *totals_;
}

template <typename Compute>
DmaCost RsEstimateMemo::memoized(Memo& memo, const Key& key, Compute&& compute) {
  const auto it = memo.find(key);
  if (it != memo.end()) return it->second;
  return memo.emplace(key, compute()).first->second;
}

// The ifmap transfers depend on the strip group, the image block and the buffering, and when
// the tile is a channel block, on the channel and filter blocks.
DmaCost RsEstimateMemo::ifmap_dma(const RsTiling& t, const RsMapping& m, double bytes_per_cycle) {
  enter_nest(m);
  std::optional<DmaCost>& last = nest_ifmap_[m.ifmap_resident ? 1 : 0];
  if (last) return *last;
  const bool resident = m.ifmap_resident;
  const Key key{m.rows_per_strip_group(),
                m.n,
                resident ? 1 : 0,
                resident ? 0 : m.q * m.r,
                resident ? 0 : m.p * m.t,
                0,
                0};
  last = memoized(ifmap_, key, [&] { return t.ifmap_dma(bytes_per_cycle); });
  return *last;
}

DmaCost RsEstimateMemo::filter_dma(const RsTiling& t, const RsMapping& m, double bytes_per_cycle,
                                   std::int64_t buffers) {
  enter_nest(m);
  if (nest_filter_ && nest_filter_->first == buffers) return nest_filter_->second;
  const Key key{m.rows_per_strip_group(), m.n, m.q * m.r, m.p * m.t, buffers, 0, 0};
  nest_filter_.emplace(
      buffers, memoized(filter_, key, [&] { return t.filter_dma(bytes_per_cycle, buffers); }));
  return nest_filter_->second;
}

DmaCost RsEstimateMemo::ofmap_dma(const RsTiling& t, const RsMapping& m, double bytes_per_cycle) {
  enter_nest(m);
  if (nest_ofmap_) return *nest_ofmap_;
  const Key key{m.rows_per_strip_group(), m.n, m.p * m.t, 0, 0, 0, 0};
  nest_ofmap_ = memoized(ofmap_, key, [&] { return t.ofmap_dma(bytes_per_cycle); });
  return *nest_ofmap_;
}

RsGlbPlan rs_glb_plan(const ArchConfig& a, const Layer& l, const RsMapping& m, bool explain) {
  RsGlbPlan g;
  RsTiling tiling(a, l, m);
  const std::int64_t rows = std::min(l.E(), m.rows_per_strip_group());
  const std::int64_t ch = m.ifmap_resident ? l.C_per_group() : std::min(l.C_per_group(), m.q * m.r);
  const std::int64_t n = std::min(l.N, m.n);
  g.ifmap_tile_bytes =
      n * ch * std::min(tiling.padded_ifmap_rows(rows), l.H) * l.W * a.data.ifmap_bits / 8;
  g.psum_tile_bytes =
      n * std::min(l.M_per_group(), m.p * m.t) * rows * l.F() * a.data.psum_bits / 8;
  g.filter_tile_bytes = std::min(l.M_per_group(), m.p * m.t) *
                        std::min(l.C_per_group(), m.q * m.r) * l.R * l.S * a.data.weight_bits / 8;
  const std::int64_t filter_capacity = rs_params(a).glb.filter_banks * rs_params(a).glb.bank_bytes;
  if (g.filter_tile_bytes > filter_capacity) {
    g.why_not = !explain ? kRsDoesNotFit
                         : "filter tile of " + std::to_string(g.filter_tile_bytes) +
                               " B exceeds the GLB filter banks (" +
                               std::to_string(filter_capacity) + " B)";
    return g;
  }
  g.filter_buffers = 2 * g.filter_tile_bytes <= filter_capacity ? 2 : 1;
  g.ifmap_buffers = m.ifmap_double_buffer ? 2 : 1;
  // Each ifmap buffer has banks of its own, so the DMA filling one never waits for the array
  // reading the other.
  g.ifmap_banks = g.ifmap_buffers * ceil_div64(g.ifmap_tile_bytes, rs_params(a).glb.bank_bytes);
  g.psum_banks = ceil_div64(g.psum_tile_bytes, rs_params(a).glb.bank_bytes);
  const std::int64_t avail = rs_params(a).glb.banks - rs_params(a).glb.filter_banks;
  if (g.ifmap_banks + g.psum_banks <= avail) return g;
  g.why_not = !explain ? kRsDoesNotFit
                       : "ifmap (" + std::to_string(g.ifmap_buffers) + " x " +
                             std::to_string(g.ifmap_tile_bytes) + " B) and psum (" +
                             std::to_string(g.psum_tile_bytes) + " B) tiles need " +
                             std::to_string(g.ifmap_banks + g.psum_banks) + " GLB banks, " +
                             std::to_string(avail) + " available";
  return g;
}

}  // namespace dfsim
