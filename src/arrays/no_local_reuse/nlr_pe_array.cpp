#include "arrays/no_local_reuse/nlr_pe_array.hpp"

#include <algorithm>
#include <cstring>

#include "base/energy/energy_model.hpp"
#include "mapper/chunks.hpp"

namespace dfsim {

using sc_core::sc_time;

EnergyTable nlr_energy_table(const ArchConfig& a) {
  const NlrParams& p = nlr_params(a);
  EnergyTable t;
  add_block_actions(t, a, p.glb);
  t.add_part({"mac", PartKind::Mac, a.num_pes(), 0, static_cast<double>(a.data.weight_bits),
              static_cast<double>(a.data.psum_bits)});
  t.add("noc.bit", "bit", EnergyLevel::Noc, "noc.energy_pj_per_bit", p.noc_energy_pj_per_bit);
  t.add("pe.mac", "MAC", EnergyLevel::Mac, "pe.mac_energy_pj", p.mac_energy_pj, "mac");
  add_idle(t, a);
  return priced_by_energy_model(std::move(t), a);
}

NlrPeArray::NlrPeArray(sc_core::sc_module_name name, const ArchConfig& arch)
    : BlockPeArray(name), arch_(arch), period_(arch.core_period_ns(), sc_core::SC_NS) {}

void NlrPeArray::begin_layer() {
  noc_ = Activity{};
  macs = 0;
  max_active = 0;
}

void NlrPeArray::layer_stats(LayerStats& s, ActionCounts& n) const {
  add_component(s, "noc", "noc", level_of(noc_));
  n.add(nlr_action::noc_bit, static_cast<double>(noc_.total_bits()));
  n.add(nlr_action::mac, static_cast<double>(macs));
}

// Reads the input window of output pixel (n, e, f) of the pass, filter row by filter row (the
// S positions x cb channels of a row are adjacent in the tile), into window_ (k = (r, s, c));
// positions on padding are zeros that are not read. Returns when the last row is in.
sc_time NlrPeArray::read_window(const Layer& l, const PassOperands& op, std::int64_t n,
                                std::int64_t e, std::int64_t f, const sc_time& at) {
  const std::int64_t cb = op.pass.cb, S = l.S;
  const std::int64_t h_first = (op.pass.e0 + e) * l.stride - l.padding,
                     w0 = f * l.stride - l.padding;
  const std::int64_t s_lo = std::max<std::int64_t>(0, -w0), s_hi = std::min(S, l.W - w0);
  sc_time ready = at;
  window_values_ = 0;
  if (s_hi <= s_lo) return ready;
  for (std::int64_t r = 0; r < l.R; ++r) {
    const std::int64_t h = h_first + r;
    if (h < 0 || h >= l.H) continue;
    const std::int64_t row = (n * op.rows.rows + h - op.rows.h0) * l.W + w0 + s_lo;
    const std::int64_t values = (s_hi - s_lo) * cb;
    ready =
        std::max(ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, op.ifmap_addr + 2 * row * cb,
                                     &window_[static_cast<std::size_t>((r * S + s_lo) * cb)],
                                     2 * values, DataKind::Ifmap, at));
    window_values_ += values;
  }
  return ready;
}

// The pass, one step (output pixel, group of pe_rows filters) after another; a step's reads
// are issued when the step before starts computing.
sc_time NlrPeArray::run_pass(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                             const sc_time& start) {
  const BlockPass& p = op.pass;
  const std::int64_t K = p.cb * l.R * l.S, rows = arch_.pe_rows, pb = arch_.data.psum_bits / 8;
  window_.resize(static_cast<std::size_t>(K));
  weights_.resize(static_cast<std::size_t>(std::min(rows, p.mb) * K));
  psum_bytes_.resize(static_cast<std::size_t>(std::min(rows, p.mb) * pb));
  StepTimes t{start, start, start};
  for (std::int64_t n = 0; n < p.nb; ++n)
    for (std::int64_t e = 0; e < p.eb; ++e)
      for (std::int64_t f = 0; f < l.F(); ++f)
        for (std::int64_t m0 = 0; m0 < p.mb; m0 += rows) step(l, arith, op, {n, e, f, m0}, t);
  return std::max({t.end, t.array_free, write_back()});
}

// One step: output pixel (n, e, f) of the pass for filters m0 .. m0 + pe_rows.
void NlrPeArray::step(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                      const StepIndex& at, StepTimes& t) {
  const BlockPass& p = op.pass;
  const std::int64_t K = p.cb * l.R * l.S, pb = arch_.data.psum_bits / 8;
  const std::int64_t m_act = std::min(arch_.pe_rows, p.mb - at.m0);
  std::fill(window_.begin(), window_.end(), Value{0});
  sc_time ready = read_window(l, op, at.n, at.e, at.f, t.issue);
  ready =
      std::max(ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, op.weight_addr + 2 * at.m0 * K,
                                   weights_.data(), 2 * m_act * K, DataKind::Weight, t.issue));
  const std::int64_t psum_at =
      op.psum_addr + (((at.n * p.eb + at.e) * l.F() + at.f) * p.mb + at.m0) * pb;
  std::fill(psum_bytes_.begin(), psum_bytes_.end(), 0);
  if (!p.first_c)
    ready = std::max(ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, psum_at, psum_bytes_.data(),
                                         m_act * pb, DataKind::Psum, t.issue, 8 * pb));
  const sc_time begin = std::max(ready, t.array_free);
  multiply_accumulate(K, m_act, arith.product_shift);
  t.array_free = begin + period_ * static_cast<double>(ceil_div64(K, arch_.pe_cols));
  // The accumulators go back once the next step's reads are booked (they are needed first:
  // the GLB serves requests in the order they are made).
  t.end = std::max(t.end, write_back());
  pending_.assign(psum_bytes_.begin(), psum_bytes_.begin() + m_act * pb);
  pending_addr_ = psum_at;
  pending_at_ = t.array_free;
  t.issue = begin;
  macs += m_act * K;
  max_active = std::max(max_active, m_act * std::min(K, arch_.pe_cols));
  noc_.writes_of(DataKind::Ifmap, window_values_ * m_act, 16);
  noc_.writes_of(DataKind::Weight, m_act * K, 16);
  if (!p.first_c) noc_.writes_of(DataKind::Psum, m_act, 8 * pb);
  noc_.reads_of(DataKind::Psum, m_act, 8 * pb);
}

// Each row's products of the window (shifted as the reference's mac_row shifts them), summed by
// its adder tree into the accumulator loaded from psum_bytes_, which gets the result.
void NlrPeArray::multiply_accumulate(std::int64_t K, std::int64_t m_act, std::int64_t shift) {
  const std::size_t pb = static_cast<std::size_t>(arch_.data.psum_bits / 8);
  for (std::int64_t m = 0; m < m_act; ++m) {
    Psum acc = 0;
    std::memcpy(&acc, &psum_bytes_[static_cast<std::size_t>(m) * pb], pb);
    const Value* w = &weights_[static_cast<std::size_t>(m * K)];
    for (std::int64_t k = 0; k < K; ++k)
      acc += static_cast<Psum>((std::int32_t{w[k]} * std::int32_t{window_[k]}) >> shift);
    std::memcpy(&psum_bytes_[static_cast<std::size_t>(m) * pb], &acc, pb);
  }
}

// Writes the accumulators of the step before (if any) to the GLB; returns when they are in.
sc_time NlrPeArray::write_back() {
  if (pending_.empty()) return sc_core::SC_ZERO_TIME;
  const std::int64_t bytes = static_cast<std::int64_t>(pending_.size());
  const std::int64_t pb = arch_.data.psum_bits / 8;
  const sc_time done = timed_access(to_glb, tlm::TLM_WRITE_COMMAND, pending_addr_, pending_.data(),
                                    bytes, DataKind::Psum, pending_at_, 8 * pb);
  pending_.clear();
  return done;
}

// Core cycles of a GLB access of `bytes` in one region (its banks work in parallel).
std::int64_t NlrCost::glb_cycles(std::int64_t bytes) const {
  const GlbConfig& g = nlr_params(arch_).glb;
  return ceil_div64(std::min(bytes, g.bank_bytes) * 8, g.bank_width_bits);
}

// A step computes for ceil(cb R S / cols) cycles, or as long as its weights take to read.
std::int64_t NlrCost::step_cycles(std::int64_t K, std::int64_t m_act) const {
  return std::max(ceil_div64(K, arch_.pe_cols), glb_cycles(2 * m_act * K));
}

// The steps, the first step's reads before them and the last step's write after them.
std::int64_t NlrCost::pass_cycles(const Layer& l, const BlockPass& p) const {
  const std::int64_t K = p.cb * l.R * l.S, rows = arch_.pe_rows, pb = arch_.data.psum_bits / 8;
  std::int64_t per_pixel = 0;
  for (std::int64_t m0 = 0; m0 < p.mb; m0 += rows)
    per_pixel += step_cycles(K, std::min(rows, p.mb - m0));
  const std::int64_t last = std::min(rows, p.mb - (p.mb - 1) / rows * rows);
  return p.nb * p.eb * l.F() * per_pixel + glb_cycles(2 * std::min(rows, p.mb) * K) +
         glb_cycles(last * pb);
}

std::vector<std::int64_t> NlrCost::filter_blocks(const Layer& l) const {
  std::vector<std::int64_t> out;
  const std::int64_t Mg = l.M_per_group();
  for (std::int64_t mb = arch_.pe_rows; mb < Mg; mb += arch_.pe_rows) out.push_back(mb);
  out.push_back(Mg);
  return out;
}

ArrayCounts NlrCost::counts(const Layer& l, const BlockTiling& t) const {
  const double G = static_cast<double>(l.groups), N = static_cast<double>(l.N);
  const double Mg = static_cast<double>(l.M_per_group()), Cg = static_cast<double>(l.C_per_group());
  const double pixels = N * static_cast<double>(l.E() * l.F());
  const double psum_bits = static_cast<double>(arch_.data.psum_bits);
  std::int64_t msubs = 0, cblocks = 0, busy = 0;  // over the m- and c-blocks of a group
  for_each_chunk(l.M_per_group(), t.mb, [&](Chunk m) {
    msubs += ceil_div64(m.size, arch_.pe_rows);
    for_each_chunk(l.C_per_group(), t.cb, [&](Chunk c) {
      for_each_chunk(m.size, arch_.pe_rows,
                     [&](Chunk s) { busy += step_cycles(c.size * l.R * l.S, s.size); });
    });
  });
  for_each_chunk(l.C_per_group(), t.cb, [&](Chunk) { ++cblocks; });
  const double inside = N * Cg * static_cast<double>(window_rows_inside(l) * window_cols_inside(l));
  const double macs = static_cast<double>(l.macs());
  ArrayCounts c;
  c.actions = ActionCounts(table_);
  c.busy_cycles = l.groups * l.N * l.E() * l.F() * busy;
  c.glb_read_bits_by_kind[1] = 16 * G * inside * static_cast<double>(msubs);
  c.glb_read_bits_by_kind[0] = 16 * macs;
  c.glb_read_bits_by_kind[2] = psum_bits * G * pixels * Mg * static_cast<double>(cblocks - 1);
  c.glb_read_bits =
      c.glb_read_bits_by_kind[0] + c.glb_read_bits_by_kind[1] + c.glb_read_bits_by_kind[2];
  c.glb_write_bits = psum_bits * G * pixels * Mg * static_cast<double>(cblocks);
  c.actions.add(nlr_action::noc_bit,
                16 * G * inside * Mg + 16 * macs + c.glb_read_bits_by_kind[2] + c.glb_write_bits);
  c.actions.add(nlr_action::mac, macs);
  return c;
}

}  // namespace dfsim
