#include "arrays/row_stationary/rs_tiling.hpp"

namespace dfsim {

std::string rs_check_capacity(const ArchConfig& a, const Layer& l, const RsMapping& m) {
  const std::int64_t Cg = l.C_per_group(), Mg = l.M_per_group(), E = l.E();
  auto s = [](std::int64_t v) { return std::to_string(v); };
  if (l.R > a.pe_rows)
    return "filter height R=" + s(l.R) + " exceeds the " + s(a.pe_rows) +
           " PE rows (a row-stationary PE set needs R rows)";
  if (l.S > rs_params(a).pe.ifmap_spad_entries)
    return "filter width S=" + s(l.S) + " exceeds the ifmap spad (" +
           s(rs_params(a).pe.ifmap_spad_entries) + " entries)";
  if (m.strip_width < 1 || m.strip_width > std::min(E, a.pe_cols))
    return "strip_width must be in 1.." + s(std::min(E, a.pe_cols));
  if (m.strips_per_pass < 1 || m.strips_per_pass > ceil_div64(E, m.strip_width))
    return "strips_per_pass must be in 1.." + s(ceil_div64(E, m.strip_width));
  if (m.n < 1 || m.n > l.N) return "n must be in 1.." + s(l.N);
  if (m.p < 1 || m.p > Mg) return "p must be in 1.." + s(Mg);
  if (m.q < 1 || m.q > Cg) return "q must be in 1.." + s(Cg);
  if (m.r < 1 || m.r > ceil_div64(Cg, m.q)) return "r must be in 1.." + s(ceil_div64(Cg, m.q));
  if (m.t < 1 || m.t > ceil_div64(Mg, m.p)) return "t must be in 1.." + s(ceil_div64(Mg, m.p));
  if (m.p > rs_params(a).pe.psum_spad_entries)
    return "p=" + s(m.p) + " psums exceed the psum spad (" + s(rs_params(a).pe.psum_spad_entries) +
           ")";
  if (m.q * l.S > rs_params(a).pe.ifmap_spad_entries)
    return "q*S=" + s(m.q * l.S) + " exceeds the ifmap spad (" +
           s(rs_params(a).pe.ifmap_spad_entries) + ")";
  if (m.p * m.q * l.S > rs_params(a).pe.filter_spad_entries)
    return "p*q*S=" + s(m.p * m.q * l.S) + " exceeds the filter spad (" +
           s(rs_params(a).pe.filter_spad_entries) + ")";
  if (m.r > m.bands(a, l))
    return "r=" + s(m.r) + " stacked channel subgroups need " + s(m.r * l.R) +
           " PE rows, the array has " + s(a.pe_rows);
  const std::int64_t chains = m.chains(a, l);
  if (m.strips_per_pass * m.t > chains)
    return "strips_per_pass*t=" + s(m.strips_per_pass * m.t) + " psum chains exceed the " +
           s(chains) + " chains of " + s(l.R * m.r) + "x" + s(m.strip_width) +
           " PEs that fit the array";
  return "";
}

RsGlbPlan rs_glb_plan(const ArchConfig& a, const Layer& l, const RsMapping& m) {
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
    g.why_not = "filter tile of " + std::to_string(g.filter_tile_bytes) +
                " B exceeds the GLB filter banks (" + std::to_string(filter_capacity) + " B)";
    return g;
  }
  g.filter_buffers = 2 * g.filter_tile_bytes <= filter_capacity ? 2 : 1;
  g.ifmap_buffers = m.ifmap_double_buffer ? 2 : 1;
  // Each ifmap buffer has banks of its own, so the DMA filling one never waits for the array
  // reading the other.
  g.ifmap_banks = g.ifmap_buffers * ceil_div64(g.ifmap_tile_bytes, rs_params(a).glb.bank_bytes);
  g.psum_banks = ceil_div64(g.psum_tile_bytes, rs_params(a).glb.bank_bytes);
  const std::int64_t avail = rs_params(a).glb.banks - rs_params(a).glb.filter_banks;
  if (g.ifmap_banks + g.psum_banks > avail)
    g.why_not = "ifmap (" + std::to_string(g.ifmap_buffers) + " x " +
                std::to_string(g.ifmap_tile_bytes) + " B) and psum (" +
                std::to_string(g.psum_tile_bytes) + " B) tiles need " +
                std::to_string(g.ifmap_banks + g.psum_banks) + " GLB banks, " +
                std::to_string(avail) + " available";
  return g;
}

}  // namespace dfsim
