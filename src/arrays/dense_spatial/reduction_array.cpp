#include "arrays/dense_spatial/reduction_array.hpp"

#include <algorithm>
#include <cstring>
#include <ostream>

#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "base/util/le_bytes.hpp"
#include "mapper/chunks.hpp"

namespace dfsim {

using sc_core::sc_time;

EnergyTable reduction_energy_table(const ArchConfig& a, const ReductionDesign& d,
                                   ReductionActions* ids) {
  EnergyTable t;
  add_block_actions(t, a, d.glb);
  t.add_part({"mac", PartKind::Mac, a.num_pes(), 0, 16, static_cast<double>(a.data.psum_bits)});
  ReductionActions r;
  r.noc_bit =
      t.add("noc.bit", "bit", EnergyLevel::Noc, "noc.energy_pj_per_bit", d.noc_energy_pj_per_bit);
  if (d.weights_in_rf()) {
    t.add_part(
        {"pe_rf", PartKind::Storage, a.num_pes(), static_cast<double>(2 * d.rf_entries), 16});
    r.rf_read = t.add("pe_rf.read", "access", EnergyLevel::Rf, "pe.rf_read_energy_pj",
                      d.rf_read_energy_pj, "pe_rf");
    r.rf_write = t.add("pe_rf.write", "access", EnergyLevel::Rf, "pe.rf_write_energy_pj",
                       d.rf_write_energy_pj, "pe_rf");
  }
  r.mac = t.add("pe.mac", "MAC", EnergyLevel::Mac, "pe.mac_energy_pj", d.mac_energy_pj, "mac");
  add_idle(t, a);
  if (ids) *ids = r;
  return priced_by_energy_model(std::move(t), a);
}

ReductionDesign parse_reduction_design(const ConfigNode& root, ArchConfig& a, bool with_rf,
                                       bool filters_on_rows) {
  ReductionDesign d;
  d.filter_lanes = filters_on_rows ? a.pe_rows : a.pe_cols;
  d.reduction_lanes = filters_on_rows ? a.pe_cols : a.pe_rows;
  d.glb = parse_block_glb(root.at("glb"));
  const ConfigNode noc = root.at("noc");
  noc.expect_keys({"energy_pj_per_bit"});
  d.noc_energy_pj_per_bit = noc.get_double_min("energy_pj_per_bit", 0.0);
  const ConfigNode pe = root.at("pe");
  if (with_rf) {
    pe.expect_keys({"rf_bytes", "rf_read_energy_pj", "rf_write_energy_pj", "mac_energy_pj"});
    d.rf_entries = pe.get_int_range("rf_bytes", 4, 1 << 20) / 2;
    d.rf_read_energy_pj = pe.get_double_min("rf_read_energy_pj", 0.0);
    d.rf_write_energy_pj = pe.get_double_min("rf_write_energy_pj", 0.0);
  } else {
    pe.expect_keys({"mac_energy_pj"});
  }
  d.mac_energy_pj = pe.get_double_min("mac_energy_pj", 0.0);
  parse_block_data(root, a, "the " + a.array + " array models");
  return d;
}

void describe_reduction(std::ostream& os, const ArchConfig& a, const ReductionDesign& d) {
  os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols << " PEs ("
     << d.filter_lanes << " filter lanes x " << d.reduction_lanes << " reduction lanes), core "
     << a.clocks.core_mhz << " MHz, link " << a.clocks.link_mhz << " MHz\n"
     << "  DRAM: " << a.dram.bus_width_bits << "-bit bus, latency " << a.dram.latency_ns << " ns, "
     << a.dram.energy_pj_per_bit << " pJ/bit\n"
     << "  GLB: " << d.glb.banks << " banks x " << d.glb.bank_bytes << " B, "
     << d.glb.bank_width_bits << "-bit ports; ";
  if (d.weights_in_rf())
    os << "register files of " << d.rf_entries << " entries per PE (weights, input)\n";
  else
    os << "no register files\n";
}

std::int64_t weight_entries_per_pe(const ReductionDesign& d, std::int64_t mb, std::int64_t K) {
  return ceil_div64(mb, d.filter_lanes) * ceil_div64(K, d.reduction_lanes);
}

ReductionPeArray::ReductionPeArray(sc_core::sc_module_name name, const ArchConfig& arch,
                                   ReductionDesign design)
    : BlockPeArray(name),
      arch_(arch),
      d_(std::move(design)),
      period_(arch.core_period_ns(), sc_core::SC_NS) {
  reduction_energy_table(arch_, d_, &ids_);
}

void ReductionPeArray::layer_stats(LayerStats& s, ActionCounts& n) const {
  add_component(s, "noc", "noc", level_of(noc));
  n.add(ids_.noc_bit, static_cast<double>(noc.total_bits()));
  if (d_.weights_in_rf()) {
    add_component(s, "pe_rf", "rf", level_of(rf));
    n.add(ids_.rf_read, static_cast<double>(rf.total_reads()));
    n.add(ids_.rf_write, static_cast<double>(rf.total_writes()));
  }
  n.add(ids_.mac, static_cast<double>(macs));
}

// Reads the input window of output pixel (n, e, f) of the pass, filter row by filter row (the
// S positions x cb channels of a row are adjacent in the tile; a filter dilated along the row
// reads tap by tap), into window_ (k = (r, s, c)); positions on padding are zeros that are not
// read. Returns when the last row is in.
sc_time ReductionPeArray::read_window(const Layer& l, const PassOperands& op, std::int64_t n,
                                      std::int64_t e, std::int64_t f, const sc_time& at) {
  const std::int64_t cb = op.pass.cb, S = l.S;
  const ConvAxis rows = l.rows(), cols = l.cols();
  sc_time ready = at;
  window_values_ = 0;
  // Taps [s0, s1) of filter row r, adjacent in the tile.
  const auto read = [&](std::int64_t r, std::int64_t h, std::int64_t s0, std::int64_t s1) {
    const std::int64_t row = (n * op.rows.rows + h - op.rows.h0) * l.W + cols.input(f, s0);
    const std::int64_t values = (s1 - s0) * cb;
    ready =
        std::max(ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, op.ifmap_addr + 2 * row * cb,
                                     &window_[static_cast<std::size_t>((r * S + s0) * cb)],
                                     2 * values, DataKind::Ifmap, at));
    window_values_ += values;
  };
  const std::int64_t w0 = cols.input(f, 0);
  const std::int64_t s_lo = std::max<std::int64_t>(0, -w0), s_hi = std::min(S, l.W - w0);
  for (std::int64_t r = 0; r < l.R; ++r) {
    const std::int64_t h = rows.input(op.pass.e0 + e, r);
    if (!rows.inside(h)) continue;
    if (cols.dilation == 1) {
      if (s_hi > s_lo) read(r, h, s_lo, s_hi);
      continue;
    }
    for (std::int64_t s = 0; s < S; ++s)
      if (cols.inside(cols.input(f, s))) read(r, h, s, s + 1);
  }
  return ready;
}

// The pass's weights from the GLB into the register files (each PE its filter lane's values at
// its reduction lane), unicast; returns when every PE has its entries.
sc_time ReductionPeArray::load_weights(const PassOperands& op, std::int64_t K, const sc_time& at) {
  const std::int64_t values = op.pass.mb * K;
  weights_.resize(static_cast<std::size_t>(values));
  const sc_time read = timed_access(to_glb, tlm::TLM_READ_COMMAND, op.weight_addr, weights_.data(),
                                    2 * values, DataKind::Weight, at);
  noc.writes_of(DataKind::Weight, values, 16);
  rf.writes_of(DataKind::Weight, values, 16);
  const std::int64_t entries = weight_entries_per_pe(d_, op.pass.mb, K);
  return std::max(read, at + period_ * static_cast<double>(entries));
}

// The pass, one step (output pixel, up to filter_lanes filters) after another; a step's reads
// are issued when the step before starts computing.
sc_time ReductionPeArray::run_pass(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                                   const sc_time& start) {
  const BlockPass& p = op.pass;
  const std::int64_t K = p.cb * l.R * l.S, lanes = d_.filter_lanes;
  const std::int64_t pb = arch_.data.psum_bits / 8;
  window_.resize(static_cast<std::size_t>(K));
  psum_buffer_.resize(static_cast<std::size_t>(std::min(lanes, p.mb) * pb));
  StepTimes t{start, start, start};
  if (d_.weights_in_rf() && p.load_weights) t.array_free = load_weights(op, K, start);
  weight_slot_read_by = t.array_free;
  if (!d_.weights_in_rf()) weights_.resize(static_cast<std::size_t>(std::min(lanes, p.mb) * K));
  for (std::int64_t n = 0; n < p.nb; ++n)
    for (std::int64_t e = 0; e < p.eb; ++e)
      for (std::int64_t f = 0; f < l.F(); ++f)
        for (std::int64_t m0 = 0; m0 < p.mb; m0 += lanes) step(l, arith, op, {n, e, f, m0}, t);
  return std::max(t.end, t.array_free);
}

// One step: output pixel (n, e, f) of the pass for filters m0 .. m0 + filter_lanes.
void ReductionPeArray::step(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                            const StepIndex& at, StepTimes& t) {
  const BlockPass& p = op.pass;
  const std::int64_t K = p.cb * l.R * l.S;
  const std::int64_t m_act = std::min(d_.filter_lanes, p.mb - at.m0);
  std::fill(window_.begin(), window_.end(), Value{0});
  sc_time ready = read_window(l, op, at.n, at.e, at.f, t.issue);
  const Value* w = weights_.data();
  if (d_.weights_in_rf()) {
    w += at.m0 * K;
    rf.reads_of(DataKind::Weight, m_act * K, 16);
    // Each input delivered is written into the PE's input entry; each MAC reads it there.
    rf.writes_of(DataKind::Ifmap, window_values_ * m_act, 16);
    rf.reads_of(DataKind::Ifmap, m_act * K, 16);
  } else {
    ready =
        std::max(ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, op.weight_addr + 2 * at.m0 * K,
                                     weights_.data(), 2 * m_act * K, DataKind::Weight, t.issue));
    noc.writes_of(DataKind::Weight, m_act * K, 16);
  }
  const sc_time begin = std::max(ready, t.array_free);
  const std::int64_t psum_at =
      op.psum_addr +
      (((at.n * p.eb + at.e) * l.F() + at.f) * p.mb + at.m0) * (arch_.data.psum_bits / 8);
  t.array_free = accumulate(w, K, m_act, arith.product_shift, psum_at, p.first_c, begin);
  t.end = std::max(t.end, t.array_free);
  t.issue = begin;
  macs += m_act * K;
  max_active = std::max(max_active, m_act * std::min(K, d_.reduction_lanes));
  noc.writes_of(DataKind::Ifmap, window_values_ * m_act, 16);
  // Each product but the first of a cycle's lane moves one hop to be reduced.
  noc.writes_of(DataKind::Psum, (K - ceil_div64(K, d_.reduction_lanes)) * m_act,
                arch_.data.psum_bits);
}

// The step's reduction, one cycle's reduction_lanes products per filter lane at a time: each
// lane's sum is added to its psum in the GLB (read, add, write: psums accumulate spatially and
// through the GLB), except that a block's very first sum is written without a read. The
// products are shifted as the reference convolution shifts them. Returns when the last psum is
// written.
sc_time ReductionPeArray::accumulate(const Value* weights, std::int64_t K, std::int64_t m_act,
                                     std::int64_t shift, std::int64_t psum_at, bool first_c,
                                     const sc_time& begin) {
  const std::int64_t pb = arch_.data.psum_bits / 8, lanes = d_.reduction_lanes;
  const std::size_t bytes = static_cast<std::size_t>(pb);
  psum_buffer_.resize(static_cast<std::size_t>(m_act * pb));
  sc_time at = begin;
  for (std::int64_t k0 = 0, cycle = 1; k0 < K; k0 += lanes, ++cycle) {
    const std::int64_t k1 = std::min(K, k0 + lanes);
    std::fill(psum_buffer_.begin(), psum_buffer_.end(), 0);
    if (!first_c || k0 > 0) {
      at = timed_access(to_glb, tlm::TLM_READ_COMMAND, psum_at, psum_buffer_.data(), m_act * pb,
                        DataKind::Psum, at, 8 * pb);
      noc.writes_of(DataKind::Psum, m_act, 8 * pb);
    }
    for (std::int64_t m = 0; m < m_act && compute_outputs; ++m) {
      Psum acc = load_le(&psum_buffer_[static_cast<std::size_t>(m) * bytes], bytes);
      const Value* w = weights + m * K;
      for (std::int64_t k = k0; k < k1; ++k)
        acc += static_cast<Psum>((std::int32_t{w[k]} * std::int32_t{window_[k]}) >> shift);
      store_le(&psum_buffer_[static_cast<std::size_t>(m) * bytes], acc, bytes);
    }
    // The lane's sum is ready at the end of its cycle.
    at = timed_access(to_glb, tlm::TLM_WRITE_COMMAND, psum_at, psum_buffer_.data(), m_act * pb,
                      DataKind::Psum, std::max(at, begin + period_ * static_cast<double>(cycle)),
                      8 * pb);
    noc.reads_of(DataKind::Psum, m_act, 8 * pb);
  }
  return at;
}

ReductionCost::ReductionCost(const ArchConfig& a, ReductionDesign design)
    : arch_(a), d_(std::move(design)), table_(reduction_energy_table(a, d_, &ids_)) {}

std::string ReductionCost::check(const Layer& l, const BlockTiling& t) const {
  if (!d_.weights_in_rf()) return "";
  const std::int64_t mb = std::min(t.mb, l.M_per_group()), cb = std::min(t.cb, l.C_per_group());
  const std::int64_t entries = weight_entries_per_pe(d_, mb, cb * l.R * l.S) + 1;
  if (entries <= d_.rf_entries) return "";
  return "each PE needs " + std::to_string(entries) +
         " register-file entries (weights and the "
         "input) for mb " +
         std::to_string(mb) + ", cb " + std::to_string(cb) + "; it has " +
         std::to_string(d_.rf_entries);
}

// Core cycles of a GLB access of `bytes` in one region.
std::int64_t ReductionCost::glb_cycles(std::int64_t bytes) const {
  return glb_access_cycles(d_.glb, bytes);
}

// A step of K reduction values for m_act filter lanes, at an output row whose window has
// `rows` filter rows inside the image: its ceil(K / reduction_lanes) cycles each read and write
// the lanes' psums in the GLB, one after the other; the next step's reads (its window rows, on
// the ifmap slot's bank when they share it, and with weights from the GLB its weights) overlap.
std::int64_t ReductionCost::step_cycles(std::int64_t K, std::int64_t m_act, std::int64_t rows,
                                        std::int64_t row_bytes, std::int64_t pitch_bytes) const {
  const std::int64_t psums =
      2 * ceil_div64(K, d_.reduction_lanes) * glb_cycles(m_act * arch_.data.psum_bits / 8);
  const std::int64_t window =
      (pitch_bytes >= d_.glb.bank_bytes ? std::min<std::int64_t>(rows, 1) : rows) *
      glb_cycles(row_bytes);
  const std::int64_t reads =
      d_.weights_in_rf() ? window : std::max(window, glb_cycles(2 * m_act * K));
  return std::max(psums, reads);
}

std::int64_t ReductionCost::rf_load_cycles(std::int64_t mb, std::int64_t K) const {
  return std::max(glb_cycles(2 * mb * K), weight_entries_per_pe(d_, mb, K));
}

// The steps, output row by output row; before them the register-file load (when the tile is
// new) or the first step's weight read.
std::int64_t ReductionCost::pass_cycles(const Layer& l, const BlockTiling&,
                                        const BlockPass& p) const {
  const std::int64_t K = p.cb * l.R * l.S, lanes = d_.filter_lanes;
  // A window row is one read of S x cb values, or S reads of cb along a dilated row (the
  // estimate takes every tap inside).
  const bool dilated = l.dilation_w > 1;
  const std::int64_t row_bytes = 2 * (dilated ? 1 : l.S) * p.cb, pitch = 2 * l.W * p.cb;
  std::int64_t steps = 0;
  for (std::int64_t e = p.e0; e < p.e0 + p.eb; ++e) {
    const std::int64_t rows = taps_inside(l.rows(), e, 1) * (dilated ? l.S : 1);
    for (std::int64_t m0 = 0; m0 < p.mb; m0 += lanes)
      steps += step_cycles(K, std::min(lanes, p.mb - m0), rows, row_bytes, pitch);
  }
  std::int64_t first = 1;  // a window row
  if (d_.weights_in_rf() && p.load_weights) first = std::max(first, rf_load_cycles(p.mb, K));
  if (!d_.weights_in_rf()) first = std::max(first, glb_cycles(2 * std::min(lanes, p.mb) * K));
  return p.nb * l.F() * steps + first;
}

std::int64_t ReductionCost::weight_slot_read_cycles(const Layer& l, const BlockPass& p) const {
  return d_.weights_in_rf() && p.load_weights ? rf_load_cycles(p.mb, p.cb * l.R * l.S) : 0;
}

std::vector<std::int64_t> ReductionCost::filter_blocks(const Layer& l, const StepShape&) const {
  return block_sizes(l.M_per_group(), d_.filter_lanes);
}

ArrayCounts ReductionCost::counts(const Layer& l, const BlockTiling& t) const {
  const double G = static_cast<double>(l.groups), N = static_cast<double>(l.N);
  const double Mg = static_cast<double>(l.M_per_group()), Cg = static_cast<double>(l.C_per_group());
  const double pixels = N * static_cast<double>(l.E() * l.F());
  const double psum_bits = static_cast<double>(arch_.data.psum_bits);
  const std::int64_t RS = l.R * l.S;
  // Over the m- and c-blocks of a group: filter-lane steps, reduction hops.
  std::int64_t msubs = 0, hops = 0;
  for_each_chunk(l.M_per_group(), t.mb,
                 [&](Chunk m) { msubs += ceil_div64(m.size, d_.filter_lanes); });
  std::int64_t sums = 0;  // a psum's additions through the GLB over its channel blocks
  for_each_chunk(l.C_per_group(), t.cb, [&](Chunk c) {
    sums += ceil_div64(c.size * RS, d_.reduction_lanes);
    hops += c.size * RS - ceil_div64(c.size * RS, d_.reduction_lanes);
  });
  const double inside = N * Cg * static_cast<double>(window_rows_inside(l) * window_cols_inside(l));
  const double macs = static_cast<double>(l.macs());
  // Weight values leaving the GLB: once per MAC, or once per tile load into the RFs.
  const double weights = d_.weights_in_rf() ? block_dram_traffic(l, t).weight_bytes / 2 : macs;
  ArrayCounts c;
  c.actions = ActionCounts(table_);
  c.glb_read_bits_by_kind[0] = 16 * weights;
  c.glb_read_bits_by_kind[1] = 16 * G * inside * static_cast<double>(msubs);
  c.glb_read_bits_by_kind[2] = psum_bits * G * pixels * Mg * static_cast<double>(sums - 1);
  c.glb_read_bits =
      c.glb_read_bits_by_kind[0] + c.glb_read_bits_by_kind[1] + c.glb_read_bits_by_kind[2];
  c.glb_write_bits = psum_bits * G * pixels * Mg * static_cast<double>(sums);
  c.actions.add(ids_.noc_bit, 16 * G * inside * Mg + 16 * weights + c.glb_read_bits_by_kind[2] +
                                  c.glb_write_bits +
                                  psum_bits * G * pixels * Mg * static_cast<double>(hops));
  if (d_.weights_in_rf()) {  // weights: loaded, read per MAC; inputs: delivered, read per MAC
    c.actions.add(ids_.rf_write, weights + G * inside * Mg);
    c.actions.add(ids_.rf_read, 2 * macs);
  }
  c.actions.add(ids_.mac, macs);
  return c;
}

}  // namespace dfsim
