#include "arrays/row_stationary/rs_mapping.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ostream>
#include <sstream>

#include "arrays/row_stationary/rs_tiling.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"

namespace dfsim {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// Core cycles to move `bits` over a bus `width` bits wide.
std::int64_t bus_cycles(std::int64_t bits, std::int64_t width) { return ceil_div(bits, width); }

}  // namespace

RsPassCycles rs_pass_cycles(const ArchConfig& a, const Layer& l, const RsPassShape& ps) {
  // Filter load, then compute overlapped with the ifmap, psum-in and GON streams; each stream
  // ends with a one-position tail at its last PE.
  const std::int64_t F = l.F(), S = l.S, R = l.R, Wp = l.cols().padded();
  RsPassCycles c;
  c.filters = ps.filter_rows() * R *
              bus_cycles(ps.p * ps.q * S * a.data.weight_bits, rs_params(a).noc.filter_gin_bits);
  const std::int64_t compute = ps.n * F * ps.p * ps.q * S;
  const std::int64_t ifmap_cyc = bus_cycles(
      ps.n * ps.r * ps.ifmap_rows * ps.q * Wp * a.data.ifmap_bits, rs_params(a).noc.ifmap_gin_bits);
  const std::int64_t psum_row = ps.p * F * ps.n;
  const std::int64_t psum_in_cyc = bus_cycles(ps.psum_in_columns() * psum_row * a.data.psum_bits,
                                              rs_params(a).noc.psum_gin_bits);
  const std::int64_t gon_cyc =
      bus_cycles(ps.chain_columns() * psum_row * a.data.psum_bits, rs_params(a).noc.gon_bits);
  const std::int64_t tail = ps.p * ps.q * S + rs_params(a).pe.pipeline_stages + R * ps.r;
  const std::int64_t stream = std::max({compute, ifmap_cyc + tail, psum_in_cyc + tail, gon_cyc});
  c.total = c.filters + stream + rs_params(a).pe.pipeline_stages;
  return c;
}

namespace {

// The hardware the actions run on: the GLB (all banks behind one decoder), each PE's three
// spads (entries of the data type's width) and its MAC.
void add_rs_parts(EnergyTable& t, const ArchConfig& a) {
  const GlbConfig& glb = rs_params(a).glb;
  const PeConfig& pe = rs_params(a).pe;
  const auto bits = [](std::int64_t b) { return static_cast<double>(b); };
  const std::int64_t pes = a.num_pes();
  t.add_part({"glb", PartKind::Storage, 1, bits(glb.size_bytes()), bits(glb.bank_width_bits)});
  t.add_part({"filter_spad", PartKind::Storage, pes,
              bits(pe.filter_spad_entries * a.data.weight_bits) / 8, bits(a.data.weight_bits)});
  t.add_part({"ifmap_spad", PartKind::Storage, pes,
              bits(pe.ifmap_spad_entries * a.data.ifmap_bits) / 8, bits(a.data.ifmap_bits)});
  t.add_part({"psum_spad", PartKind::Storage, pes,
              bits(pe.psum_spad_entries * a.data.psum_bits) / 8, bits(a.data.psum_bits)});
  t.add_part({"mac", PartKind::Mac, pes, 0, bits(a.data.weight_bits), bits(a.data.psum_bits)});
}

}  // namespace

EnergyTable rs_energy_table(const ArchConfig& a) {
  EnergyTable t;
  add_rs_parts(t, a);
  add_dram_bits(t, a);
  t.add("glb.read", "bit", EnergyLevel::Glb, "glb.read_energy_pj_per_bit",
        rs_params(a).glb.read_energy_pj_per_bit, "glb");
  t.add("glb.write", "bit", EnergyLevel::Glb, "glb.write_energy_pj_per_bit",
        rs_params(a).glb.write_energy_pj_per_bit, "glb");
  // Every bit a GIN delivers to a PE, the GON carries or a psum link passes down.
  t.add("noc.bit", "bit", EnergyLevel::Noc, "noc.energy_pj_per_bit",
        rs_params(a).noc.energy_pj_per_bit);
  // One entry read or written; the three spads share the per-access keys.
  const PeConfig& pe = rs_params(a).pe;
  for (const char* spad : {"filter_spad", "ifmap_spad", "psum_spad"}) {
    const std::string s = spad;
    t.add(s + ".read", "access", EnergyLevel::Rf, "pe.spad_read_energy_pj", pe.spad_read_energy_pj,
          s);
    t.add(s + ".write", "access", EnergyLevel::Rf, "pe.spad_write_energy_pj",
          pe.spad_write_energy_pj, s);
  }
  t.add("pe.mac", "MAC", EnergyLevel::Mac, "pe.mac_energy_pj", pe.mac_energy_pj, "mac");
  add_idle(t, a);
  return priced_by_energy_model(std::move(t), a);
}

RsPassTotals rs_pass_totals(const ArchConfig& a, const Layer& l, const RsMapping& m) {
  const double ibits = static_cast<double>(a.data.ifmap_bits);
  const double wbits = static_cast<double>(a.data.weight_bits);
  const double pbits = static_cast<double>(a.data.psum_bits);
  const std::int64_t F = l.F(), S = l.S, R = l.R, Wp = l.cols().padded();
  // Zero gating skips the filter read and the MAC for zero ifmap values (padding ignored).
  const double performed = rs_params(a).pe.zero_gating ? l.input_density : 1.0;
  RsPassTotals t;
  RsTiling(a, l, m).for_each_pass_shape([&](const RsPassShape& ps, std::int64_t count) {
    const double c = static_cast<double>(count);
    const std::int64_t pes = ps.active_pes(R);
    t.active_pes = std::max(t.active_pes, pes);
    const std::int64_t psum_row = ps.p * F * ps.n;  // psums one PE column passes on
    const std::int64_t psum_out_values = ps.chain_columns() * psum_row;
    const std::int64_t psum_in_values = ps.psum_in_columns() * psum_row;
    t.pass_cycles += count * rs_pass_cycles(a, l, ps).total;
    t.passes += count;

    // Traffic. The pass reads its filter tile from the GLB (DRAM loads: filter_dma).
    const double filter_values = static_cast<double>(ps.t * ps.p * ps.r * ps.q * R * S);
    t.glb_read_bits += c * filter_values * wbits;
    t.glb_read_bytes[0] += c * filter_values * wbits / 8;
    const double ifmap_glb_values =
        static_cast<double>(ps.n * ps.r * ps.q * ps.ifmap_rows_stored * l.W);
    t.glb_read_bits += c * ifmap_glb_values * ibits;
    t.glb_read_bits += c * static_cast<double>(psum_in_values) * pbits;
    t.glb_read_bytes[1] += c * ifmap_glb_values * ibits / 8;
    t.glb_read_bytes[2] += c * static_cast<double>(psum_in_values) * pbits / 8;
    t.glb_write_bits += c * static_cast<double>(psum_out_values) * pbits;
    // NoC: bits delivered per receiving PE.
    t.noc_bits += c * static_cast<double>(pes * ps.p * ps.q * S) * wbits;
    t.noc_bits += c * static_cast<double>(pes * ps.n * ps.q * Wp) * ibits;
    // Psums: in at chain tops, one local hop per PE below the top, out through the GON.
    t.noc_bits += c * static_cast<double>(psum_in_values + pes * psum_row) * pbits;
    // Spads: per MAC an ifmap and psum read (a filter read unless gated) and a psum write;
    // loads write the filter and ifmap spads.
    const double pass_macs = static_cast<double>(ps.macs(F, S, R));
    t.macs += c * pass_macs * performed;
    t.spad_reads[0] += c * pass_macs * performed;
    t.spad_reads[1] += c * pass_macs;
    t.spad_reads[2] += c * pass_macs;
    t.spad_writes[2] += c * pass_macs;
    t.spad_writes[0] += c * static_cast<double>(pes * ps.p * ps.q * S);
    t.spad_writes[1] += c * static_cast<double>(pes * ps.n * ps.q * Wp);
    // Each PE adds the psum row passing through it: one spad read and one write per psum.
    t.spad_writes[2] += c * static_cast<double>(pes * psum_row);
    t.spad_reads[2] += c * static_cast<double>(pes * psum_row);
  });
  return t;
}

namespace {

// The estimate's priced actions: the layer's DRAM and GLB traffic and its passes' NoC, spad
// and MAC counts.
ActionCounts rs_actions(const EnergyTable& table, double dram_bits, double glb_read_bits,
                        double glb_write_bits, const RsPassTotals& pass) {
  ActionCounts actions(table);
  actions.add(rs_action::dram_bit, dram_bits);
  actions.add(rs_action::glb_read, glb_read_bits);
  actions.add(rs_action::glb_write, glb_write_bits);
  actions.add(rs_action::noc_bit, pass.noc_bits);
  actions.add(rs_action::filter_spad_read, pass.spad_reads[0]);
  actions.add(rs_action::filter_spad_write, pass.spad_writes[0]);
  actions.add(rs_action::ifmap_spad_read, pass.spad_reads[1]);
  actions.add(rs_action::ifmap_spad_write, pass.spad_writes[1]);
  actions.add(rs_action::psum_spad_read, pass.spad_reads[2]);
  actions.add(rs_action::psum_spad_write, pass.spad_writes[2]);
  actions.add(rs_action::mac, pass.macs);
  return actions;
}

}  // namespace

RsLowerBound rs_lower_bound(const EnergyTable& table, const RsPassTotals& pass) {
  return {pass.pass_cycles,
          sum_pj(table, rs_actions(table, 0, pass.glb_read_bits, pass.glb_write_bits, pass))};
}

RsEstimate estimate_rs(const ArchConfig& a, const EnergyTable& table, const Layer& l,
                       const RsMapping& m, RsEstimateDetail detail, RsEstimateMemo* memo) {
  RsEstimate est;
  auto fail = [&](const std::string& why) {
    est.feasible = false;
    est.why_infeasible = why;
    return est;
  };
  const bool explain = memo == nullptr;  // a search formats its last rejection only
  std::string why = rs_check_capacity(a, l, m, explain);
  if (!why.empty()) return fail(why);
  const RsTiling tiling(a, l, m);
  const RsGlbPlan glb = rs_glb_plan(a, l, m, explain);
  if (!glb.why_not.empty()) return fail(glb.why_not);

  const double pbits = static_cast<double>(a.data.psum_bits);
  const double core_per_link = a.clocks.core_mhz / a.clocks.link_mhz;
  const double link_bytes_per_cycle = dram_bytes_per_link_cycle(a);

  const RsPassTotals fresh = memo ? RsPassTotals() : rs_pass_totals(a, l, m);
  const RsPassTotals& pass = memo ? memo->pass_totals(a, l, m) : fresh;
  double dram_bits = 0, glb_read_bits = pass.glb_read_bits, glb_write_bits = pass.glb_write_bits;
  const std::int64_t pass_cycles_total = pass.pass_cycles;
  est.active_pes = pass.active_pes;
  est.passes = pass.passes;
  for (std::size_t k = 0; k < 3; ++k) est.traffic.glb_read[k] = pass.glb_read_bytes[k];
  // DRAM: the requests the controller issues (whole bursts each), whole layer; every loaded
  // tile is written into the GLB.
  const DmaCost ifmap_dma = memo ? memo->ifmap_dma(tiling, m, link_bytes_per_cycle)
                                 : tiling.ifmap_dma(link_bytes_per_cycle);
  const DmaCost filter_dma =
      memo ? memo->filter_dma(tiling, m, link_bytes_per_cycle, glb.filter_buffers)
           : tiling.filter_dma(link_bytes_per_cycle, glb.filter_buffers);
  const DmaCost ofmap_dma = memo ? memo->ofmap_dma(tiling, m, link_bytes_per_cycle)
                                 : tiling.ofmap_dma(link_bytes_per_cycle);
  const double ifmap_dram_bits = static_cast<double>(ifmap_dma.bytes) * 8;
  dram_bits += ifmap_dram_bits + static_cast<double>(filter_dma.bytes) * 8;
  glb_write_bits += ifmap_dram_bits + static_cast<double>(filter_dma.bytes) * 8;
  const double ofmap_values = static_cast<double>(l.ofmap_values());
  dram_bits += static_cast<double>(ofmap_dma.bytes) * 8;
  glb_read_bits += ofmap_values * pbits;
  est.traffic.glb_read[2] += ofmap_values * pbits / 8;  // the output unit reads the psums
  est.traffic.dram_read[0] = static_cast<double>(filter_dma.bytes);
  est.traffic.dram_read[1] = static_cast<double>(ifmap_dma.bytes);
  est.traffic.dram_write[3] = static_cast<double>(ofmap_dma.bytes);

  est.dram_bytes = static_cast<std::int64_t>(dram_bits / 8);
  est.dram_requests = ifmap_dma.requests + filter_dma.requests + ofmap_dma.requests;
  est.glb_bytes = static_cast<std::int64_t>((glb_read_bits + glb_write_bits) / 8);
  est.dram_cycles = static_cast<std::int64_t>(
      (ifmap_dma.link_cycles + filter_dma.link_cycles + ofmap_dma.link_cycles) * core_per_link);
  est.compute_cycles = pass_cycles_total;
  // DMA overlaps compute: filters load while the previous pass computes (their GLB buffer
  // frees once delivered); a double-buffered ifmap tile loads during the previous tile; a
  // single-buffered one only after it, so its loads add to the array's time.
  const double link_to_core = core_per_link / link_bytes_per_cycle;
  const std::int64_t first_load =
      static_cast<std::int64_t>(static_cast<double>(tiling.first_tile_bytes()) * link_to_core +
                                a.dram.latency_ns / a.core_period_ns());
  const std::int64_t exposed_ifmap =
      m.ifmap_double_buffer ? 0 : static_cast<std::int64_t>(ifmap_dma.link_cycles * core_per_link);
  est.cycles =
      detail == RsEstimateDetail::Schedule
          ? static_cast<std::int64_t>(std::ceil(rs_pipeline_cycles(a, l, m, glb)))
          : std::max(pass_cycles_total + first_load + exposed_ifmap, est.dram_cycles + first_load);
  ActionCounts actions = rs_actions(table, dram_bits, glb_read_bits, glb_write_bits, pass);
  add_dram_device_estimate(actions, table, a);
  est.energy_pj = sum_pj(table, actions);
  est.feasible = true;
  return est;
}

std::string to_yaml(const RsMapping& m) {
  std::ostringstream os;
  os << "{strip_width: " << m.strip_width << ", strips_per_pass: " << m.strips_per_pass
     << ", n: " << m.n << ", p: " << m.p << ", q: " << m.q << ", r: " << m.r << ", t: " << m.t
     << ", ifmap_resident: " << (m.ifmap_resident ? "true" : "false")
     << ", ifmap_double_buffer: " << (m.ifmap_double_buffer ? "true" : "false") << "}";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const RsMapping& m) {
  os << "strip_width=" << m.strip_width << " strips_per_pass=" << m.strips_per_pass << " n=" << m.n
     << " p=" << m.p << " q=" << m.q << " r=" << m.r << " t=" << m.t
     << " ifmap=" << (m.ifmap_resident ? "resident" : "per-block")
     << (m.ifmap_double_buffer ? "x2" : "x1") << " glb_banks(ifmap/psum)=" << m.ifmap_banks << "/"
     << m.psum_banks << (m.pinned ? " [pinned]" : "");
  return os;
}

}  // namespace dfsim
