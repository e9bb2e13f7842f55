#include "arrays/output_stationary/os_array.hpp"

#include <algorithm>
#include <cstring>
#include <map>

#include "base/energy/energy_model.hpp"
#include "base/util/le_bytes.hpp"
#include "mapper/chunks.hpp"

namespace dfsim {

using sc_core::sc_time;

EnergyTable os_energy_table(const ArchConfig& a) {
  const OsDesign& d = os_design(a);
  EnergyTable t;
  add_block_actions(t, a, d.glb);
  t.add_part({"mac", PartKind::Mac, a.num_pes(), 0, 16, static_cast<double>(a.data.psum_bits)});
  t.add_part({"pe_rf", PartKind::Storage, a.num_pes(), static_cast<double>(2 * d.rf_entries), 16});
  t.add("noc.bit", "bit", EnergyLevel::Noc, "noc.energy_pj_per_bit", d.noc_energy_pj_per_bit);
  t.add("pe_rf.read", "access", EnergyLevel::Rf, "pe.rf_read_energy_pj", d.rf_read_energy_pj,
        "pe_rf");
  t.add("pe_rf.write", "access", EnergyLevel::Rf, "pe.rf_write_energy_pj", d.rf_write_energy_pj,
        "pe_rf");
  t.add("pe.mac", "MAC", EnergyLevel::Mac, "pe.mac_energy_pj", d.mac_energy_pj, "mac");
  add_idle(t, a);
  return priced_by_energy_model(std::move(t), a);
}

bool os_forwards(const Layer& l) {
  return l.stride_h == 1 && l.stride_w == 1 && l.dilation_h == 1 && l.dilation_w == 1;
}

namespace {

// Positions of [x0, x0 + extent) inside [0, size).
std::int64_t span_inside(std::int64_t x0, std::int64_t extent, std::int64_t size) {
  return std::max<std::int64_t>(0, std::min(size, x0 + extent) - std::max<std::int64_t>(0, x0));
}

}  // namespace

std::int64_t os_rows_inside(const Layer& l, std::int64_t e0, std::int64_t rows) {
  if (os_forwards(l)) return span_inside(e0 - l.pad_top, rows - 1 + l.R, l.H);
  return taps_inside(l.rows(), e0, rows);
}

std::int64_t os_cols_inside(const Layer& l, std::int64_t f0, std::int64_t cols) {
  if (os_forwards(l)) return span_inside(f0 - l.pad_left, cols - 1 + l.S, l.W);
  return taps_inside(l.cols(), f0, cols);
}

OsPeArray::OsPeArray(sc_core::sc_module_name name, const ArchConfig& arch)
    : BlockPeArray(name), arch_(arch), period_(arch.core_period_ns(), sc_core::SC_NS) {}

void OsPeArray::layer_stats(LayerStats& s, ActionCounts& n) const {
  add_component(s, "noc", "noc", level_of(noc));
  add_component(s, "pe_rf", "rf", level_of(rf));
  n.add(os_action::noc_bit, static_cast<double>(noc.total_bits()));
  n.add(os_action::rf_read, static_cast<double>(rf.total_reads()));
  n.add(os_action::rf_write, static_cast<double>(rf.total_writes()));
  n.add(os_action::mac, static_cast<double>(macs));
}

// The pass, one step after another; a step's reads are issued when the step before starts
// computing.
sc_time OsPeArray::run_pass(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                            const sc_time& start) {
  const BlockPass& p = op.pass;
  const StepShape& sh = op.step;
  filter_major_ = os_psums_filter_major(sh);
  StepTimes t{start, start, start};
  for (std::int64_t n = 0; n < p.nb; ++n)
    for (std::int64_t e0 = 0; e0 < p.eb; e0 += sh.rows)
      for (std::int64_t f0 = 0; f0 < l.F(); f0 += sh.cols)
        for (std::int64_t m0 = 0; m0 < p.mb; m0 += sh.filters)
          step(l, arith, op,
               {n, e0, std::min(sh.rows, p.eb - e0), f0, std::min(sh.cols, l.F() - f0), m0,
                std::min(sh.filters, p.mb - m0)},
               t);
  return std::max({t.end, t.array_free, write_back()});
}

// The step's input region ((rows - 1) U_h + D_h (R - 1) + 1) x ((cols - 1) U_w + D_w (S - 1) + 1)
// x cb into region_ ([h][w][c], zeros on padding): at stride 1 without dilation each row of it
// once (what enters the array from the GLB), else every PE's window, row by row (tap by tap
// when the filter is dilated along the row). Returns when the last read is in.
sc_time OsPeArray::read_inputs(const Layer& l, const PassOperands& op, const Step& st,
                               const sc_time& at) {
  const std::int64_t Uh = l.stride_h, Uw = l.stride_w, Dh = l.dilation_h, Dw = l.dilation_w;
  block_rows_ = (st.rows - 1) * Uh + l.rows().extent();
  block_cols_ = (st.cols - 1) * Uw + l.cols().extent();
  region_h0_ = l.rows().input(op.pass.e0 + st.e0, 0);
  region_w0_ = l.cols().input(st.f0, 0);
  region_.assign(static_cast<std::size_t>(block_rows_ * block_cols_ * op.pass.cb), Value{0});
  region_values_ = 0;
  sc_time ready = at;
  if (os_forwards(l)) {
    for (std::int64_t hh = 0; hh < block_rows_; ++hh)
      read_clipped(l, op, st, {hh, 0, block_cols_}, at, ready);
    return ready;
  }
  // A window row: its S adjacent values in one read, or one read per tap along a dilated row.
  const std::int64_t reads = Dw == 1 ? 1 : l.S, values = Dw == 1 ? l.S : 1;
  for (std::int64_t i = 0; i < st.rows; ++i)
    for (std::int64_t j = 0; j < st.cols; ++j)
      for (std::int64_t r = 0; r < l.R; ++r)
        for (std::int64_t k = 0; k < reads; ++k)
          read_clipped(l, op, st, {i * Uh + r * Dh, j * Uw + k * Dw, values}, at, ready);
  return ready;
}

// Region row hh, columns [ww, ww + extent) clipped to the image, from the GLB tile into
// region_; `ready` becomes the read's end if later.
void OsPeArray::read_clipped(const Layer& l, const PassOperands& op, const Step& st,
                             const RegionRun& run, const sc_time& at, sc_time& ready) {
  const std::int64_t h = region_h0_ + run.hh, w0 = region_w0_ + run.ww, cb = op.pass.cb;
  if (h < 0 || h >= l.H) return;
  const std::int64_t lo = std::max<std::int64_t>(0, w0), hi = std::min(l.W, w0 + run.extent);
  if (hi <= lo) return;
  const std::int64_t tile = (st.n * op.rows.rows + h - op.rows.h0) * l.W + lo;
  const std::int64_t col = run.ww + lo - w0;
  ready = std::max(
      ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, op.ifmap_addr + 2 * tile * cb,
                          &region_[static_cast<std::size_t>((run.hh * block_cols_ + col) * cb)],
                          2 * (hi - lo) * cb, DataKind::Ifmap, at));
  region_values_ += (hi - lo) * cb;
}

std::vector<std::pair<std::int64_t, std::int64_t>> OsPeArray::psum_runs(const Layer& l,
                                                                        const PassOperands& op,
                                                                        const Step& st) const {
  const BlockPass& p = op.pass;
  const std::int64_t pb = arch_.data.psum_bits / 8, F = l.F();
  std::vector<std::pair<std::int64_t, std::int64_t>> runs;
  if (filter_major_) {  // [m][n][e][f]: a plane's pixel row
    for (std::int64_t m = 0; m < st.filters; ++m)
      for (std::int64_t i = 0; i < st.rows; ++i)
        runs.emplace_back(
            op.psum_addr + ((((st.m0 + m) * p.nb + st.n) * p.eb + st.e0 + i) * F + st.f0) * pb,
            st.cols);
  } else {  // [n][e][f][m]: a pixel's filters
    for (std::int64_t i = 0; i < st.rows; ++i)
      for (std::int64_t j = 0; j < st.cols; ++j)
        runs.emplace_back(
            op.psum_addr + (((st.n * p.eb + st.e0 + i) * F + st.f0 + j) * p.mb + st.m0) * pb,
            st.filters);
  }
  return runs;
}

void OsPeArray::step(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                     const Step& st, StepTimes& t) {
  const BlockPass& p = op.pass;
  const std::int64_t K = p.cb * l.R * l.S, pb = arch_.data.psum_bits / 8;
  const std::int64_t outputs = st.filters * st.rows * st.cols;
  sc_time ready = read_inputs(l, op, st, t.issue);
  weights_.resize(static_cast<std::size_t>(st.filters * K));
  ready =
      std::max(ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, op.weight_addr + 2 * st.m0 * K,
                                   weights_.data(), 2 * st.filters * K, DataKind::Weight, t.issue));
  runs_ = psum_runs(l, op, st);
  psum_buffer_.assign(static_cast<std::size_t>(outputs * pb), 0);
  if (!p.first_c) {
    std::int64_t at = 0;
    for (const auto& [addr, count] : runs_) {
      ready = std::max(ready, timed_access(to_glb, tlm::TLM_READ_COMMAND, addr,
                                           &psum_buffer_[static_cast<std::size_t>(at * pb)],
                                           count * pb, DataKind::Psum, t.issue, 8 * pb));
      at += count;
    }
  }
  const sc_time begin = std::max(ready, t.array_free);
  if (compute_outputs) compute(l, st, p.cb, arith.product_shift);
  t.array_free = begin + period_ * static_cast<double>(K);
  // The psums go back once the next step's reads are issued (they are needed first: the GLB
  // serves requests in the order they are made).
  t.end = std::max(t.end, write_back());
  pending_ = {psum_buffer_, runs_, t.array_free};
  t.issue = begin;
  count(l, op, st);
}

// Every PE's output: its psum (in run order, psum_buffer_) plus the products of its window,
// shifted as the reference convolution shifts them.
void OsPeArray::compute(const Layer& l, const Step& st, std::int64_t cb, std::int64_t shift) {
  const std::int64_t K = cb * l.R * l.S, Uh = l.stride_h, Uw = l.stride_w;
  const std::int64_t Dh = l.dilation_h, Dw = l.dilation_w;
  const std::size_t pb = static_cast<std::size_t>(arch_.data.psum_bits / 8);
  for (std::int64_t m = 0; m < st.filters; ++m)
    for (std::int64_t i = 0; i < st.rows; ++i)
      for (std::int64_t j = 0; j < st.cols; ++j) {
        const std::int64_t pos =
            filter_major_ ? (m * st.rows + i) * st.cols + j : (i * st.cols + j) * st.filters + m;
        Psum acc = load_le(&psum_buffer_[static_cast<std::size_t>(pos) * pb], pb);
        for (std::int64_t r = 0; r < l.R; ++r)
          for (std::int64_t s = 0; s < l.S; ++s) {
            const Value* x = &region_[static_cast<std::size_t>(
                ((i * Uh + r * Dh) * block_cols_ + j * Uw + s * Dw) * cb)];
            const Value* w = &weights_[static_cast<std::size_t>(m * K + (r * l.S + s) * cb)];
            for (std::int64_t c = 0; c < cb; ++c)
              acc += static_cast<Psum>((std::int32_t{w[c]} * std::int32_t{x[c]}) >> shift);
          }
        store_le(&psum_buffer_[static_cast<std::size_t>(pos) * pb], acc, pb);
      }
}

// The step's NoC, register-file and MAC counts (see the header): weights broadcast to their
// plane, GLB inputs multicast to every plane, forwarded inputs (one hop each) and the FIFO
// entries behind the vertical ones, each MAC's psum read and write.
void OsPeArray::count(const Layer& l, const PassOperands& op, const Step& st) {
  const std::int64_t cb = op.pass.cb, K = cb * l.R * l.S, pixels = st.rows * st.cols;
  const std::int64_t psum_bits = arch_.data.psum_bits, step_macs = st.filters * pixels * K;
  macs += step_macs;
  max_active = std::max(max_active, st.filters * pixels);
  noc.writes_of(DataKind::Weight, step_macs, 16);
  noc.writes_of(DataKind::Ifmap, region_values_ * st.filters, 16);
  if (os_forwards(l)) {
    const std::int64_t hops = cb * st.filters * (pixels * l.R * l.S - block_rows_ * block_cols_);
    const std::int64_t fifo = cb * st.filters * (l.R - 1) * (st.rows - 1) * st.cols * l.S;
    noc.writes_of(DataKind::Ifmap, hops, 16);
    rf.reads_of(DataKind::Ifmap, fifo, 16);  // sent up from the FIFO
  }
  // Every operand arrives in the register file and each MAC reads it there (weight, input) as
  // the row-stationary PE reads its spads; the psum is read and written per MAC.
  for (DataKind k : {DataKind::Weight, DataKind::Ifmap}) {
    rf.writes_of(k, step_macs, 16);
    rf.reads_of(k, step_macs, 16);
  }
  rf.reads_of(DataKind::Psum, step_macs, psum_bits);
  rf.writes_of(DataKind::Psum, step_macs, psum_bits);
  if (!op.pass.first_c) noc.writes_of(DataKind::Psum, st.filters * pixels, psum_bits);
  noc.reads_of(DataKind::Psum, st.filters * pixels, psum_bits);
}

// Writes the previous step's psums (if any) to the GLB; returns when they are in.
sc_time OsPeArray::write_back() {
  if (pending_.runs.empty()) return sc_core::SC_ZERO_TIME;
  const std::int64_t pb = arch_.data.psum_bits / 8;
  sc_time done = sc_core::SC_ZERO_TIME;
  std::int64_t at = 0;
  for (const auto& [addr, count] : pending_.runs) {
    done = std::max(done, timed_access(to_glb, tlm::TLM_WRITE_COMMAND, addr,
                                       &pending_.bytes[static_cast<std::size_t>(at * pb)],
                                       count * pb, DataKind::Psum, pending_.at, 8 * pb));
    at += count;
  }
  pending_.runs.clear();
  return done;
}

// --- The closed form ---

std::string OsCost::check(const Layer& l, const BlockTiling& t) const {
  const StepShape& s = t.step;
  if (!s.set()) return "the output-stationary array needs a step shape";
  if (s.rows > arch_.pe_rows || s.cols > arch_.pe_cols ||
      s.filters * s.rows * s.cols > arch_.num_pes())
    return "a step of " + std::to_string(s.filters) + " x " + std::to_string(s.rows) + "x" +
           std::to_string(s.cols) + " outputs does not fit the " + std::to_string(arch_.pe_rows) +
           "x" + std::to_string(arch_.pe_cols) +
           " PEs (filters x rows x cols <= PEs, rows and "
           "cols within the array's)";
  if (s.filters > l.M_per_group() || s.rows > l.E() || s.cols > l.F())
    return "a step of " + std::to_string(s.filters) + " x " + std::to_string(s.rows) + "x" +
           std::to_string(s.cols) + " outputs is larger than the layer's M/G x E x F";
  // The psum (psum_bits / 16 entries), the weight and the inputs: the FIFO's last S at
  // stride 1, else the one.
  const std::int64_t need = arch_.data.psum_bits / 16 + 1 + (os_forwards(l) ? l.S : 1);
  if (need > os_design(arch_).rf_entries)
    return "a PE needs " + std::to_string(need) + " register-file entries (psum, weight and " +
           (os_forwards(l) ? "S" : "one") + " inputs); it has " +
           std::to_string(os_design(arch_).rf_entries);
  return "";
}

std::vector<StepShape> OsCost::step_shapes(const Layer& l) const {
  std::vector<StepShape> out;
  const std::int64_t pes = arch_.num_pes();
  for (std::int64_t q = 1; q <= pes; q *= 2) {
    const std::int64_t cols = std::min({l.F(), arch_.pe_cols, pes / q});
    const std::int64_t rows = std::min({l.E(), arch_.pe_rows, pes / (q * cols)});
    const std::int64_t filters = std::min(q, l.M_per_group());
    if (out.empty() || out.back().filters != filters)
      out.push_back({filters, rows, std::min({l.F(), arch_.pe_cols, pes / (filters * rows)})});
    if (q >= l.M_per_group()) break;
  }
  return out;
}

std::vector<std::int64_t> OsCost::filter_blocks(const Layer& l, const StepShape& step) const {
  return block_sizes(l.M_per_group(), step.filters);
}

// A step lasts its K cycles, or as long as its GLB accesses take: the weights (the weight
// slot's banks in parallel), its input reads (one after the other: `reads` of `read_bytes`),
// the psum runs (read and written; their layout is the step shape's, `filter_major`).
std::int64_t OsCost::step_cycles(const Layer& l, const BlockPass& p, const OsStep& st) const {
  const GlbConfig& g = os_design(arch_).glb;
  const std::int64_t K = p.cb * l.R * l.S;
  const std::int64_t runs = st.filter_major ? st.filters * st.rows : st.rows * st.cols;
  return std::max({K, glb_access_cycles(g, 2 * st.filters * K),
                   st.reads * glb_access_cycles(g, st.read_bytes), runs * (p.first_c ? 1 : 2)});
}

// The pass's steps: per row block of the step's rows, per class of column blocks (equal in
// width and in what they read inside the image), per filter group; the first step's weight
// read before them and the last step's psum write after them.
std::int64_t OsCost::pass_cycles(const Layer& l, const BlockTiling& t, const BlockPass& p) const {
  const StepShape& s = t.step;
  const bool forwards = os_forwards(l), filter_major = os_psums_filter_major(s);
  // Column blocks by (width, columns read inside the image or, without forwarding, windows
  // with any column inside; along a dilated row, the taps inside, each read alone).
  std::map<std::pair<std::int64_t, std::int64_t>, std::int64_t> col_kinds;
  for_each_chunk(l.F(), s.cols, [&](Chunk f) {
    std::int64_t inside = os_cols_inside(l, f.begin, f.size);
    if (!forwards) {
      inside = 0;
      for (std::int64_t j = f.begin; j < f.begin + f.size; ++j)
        inside += l.dilation_w > 1 ? taps_inside(l.cols(), j, 1) : taps_inside(l.cols(), j, 1) > 0;
    }
    ++col_kinds[{f.size, inside}];
  });
  std::int64_t cycles = 0;
  for_each_chunk(p.eb, s.rows, [&](Chunk e) {
    const std::int64_t e_abs = p.e0 + e.begin;
    for (const auto& kind_count : col_kinds)  // (no structured binding: a lambda uses it)
      for_each_chunk(p.mb, s.filters, [&](Chunk m) {
        OsStep st{e.size, kind_count.first.first, m.size, filter_major, 0, 0};
        if (forwards) {
          st.reads = os_rows_inside(l, e_abs, e.size);
          st.read_bytes = 2 * kind_count.first.second * p.cb;
        } else {
          st.reads = os_rows_inside(l, e_abs, e.size) * kind_count.first.second;
          st.read_bytes = 2 * (l.dilation_w > 1 ? 1 : l.S) * p.cb;
        }
        cycles += kind_count.second * step_cycles(l, p, st);
      });
  });
  const GlbConfig& g = os_design(arch_).glb;
  const std::int64_t first = glb_access_cycles(g, 2 * std::min(s.filters, p.mb) * p.cb * l.R * l.S);
  return p.nb * cycles + first + 1;
}

ArrayCounts OsCost::counts(const Layer& l, const BlockTiling& t) const {
  const StepShape& s = t.step;
  const double G = static_cast<double>(l.groups), N = static_cast<double>(l.N);
  const double Mg = static_cast<double>(l.M_per_group()), Cg = static_cast<double>(l.C_per_group());
  const double E = static_cast<double>(l.E()), F = static_cast<double>(l.F());
  const double RS = static_cast<double>(l.R * l.S),
               psum_bits = static_cast<double>(arch_.data.psum_bits);
  // Over a group's row sub-blocks (within each row block) and column sub-blocks: how many, and
  // the inputs their regions (or windows) hold inside the image.
  std::int64_t esubs = 0, rows_in = 0, fsubs = 0, cols_in = 0, msubs = 0, cblocks = 0;
  for_each_chunk(l.E(), t.eb, [&](Chunk e) {
    for_each_chunk(e.size, s.rows, [&](Chunk sub) {
      ++esubs;
      rows_in += os_rows_inside(l, e.begin + sub.begin, sub.size);
    });
  });
  for_each_chunk(l.F(), s.cols, [&](Chunk f) {
    ++fsubs;
    cols_in += os_cols_inside(l, f.begin, f.size);
  });
  for_each_chunk(l.M_per_group(), t.mb, [&](Chunk m) { msubs += ceil_div64(m.size, s.filters); });
  for_each_chunk(l.C_per_group(), t.cb, [&](Chunk) { ++cblocks; });
  const double macs = static_cast<double>(l.macs()), outputs = G * N * E * F * Mg;
  const double inputs = G * N * Cg * static_cast<double>(rows_in * cols_in);
  ArrayCounts c;
  c.actions = ActionCounts(table_);
  c.glb_read_bits_by_kind[0] = 16 * G * N * static_cast<double>(esubs * fsubs) * Mg * Cg * RS;
  c.glb_read_bits_by_kind[1] = 16 * inputs * static_cast<double>(msubs);
  c.glb_read_bits_by_kind[2] = psum_bits * outputs * static_cast<double>(cblocks - 1);
  c.glb_read_bits =
      c.glb_read_bits_by_kind[0] + c.glb_read_bits_by_kind[1] + c.glb_read_bits_by_kind[2];
  c.glb_write_bits = psum_bits * outputs * static_cast<double>(cblocks);
  double hops = 0, fifo = 0;
  if (os_forwards(l)) {
    const double ES = static_cast<double>(esubs), FS = static_cast<double>(fsubs);
    hops = G * N * Cg * Mg *
           (RS * E * F -
            (E + ES * static_cast<double>(l.R - 1)) * (F + FS * static_cast<double>(l.S - 1)));
    fifo = G * N * Cg * Mg * static_cast<double>((l.R - 1) * l.S) * (E - ES) * F;
  }
  c.actions.add(os_action::noc_bit,
                16 * (macs + inputs * Mg + hops) + c.glb_read_bits_by_kind[2] + c.glb_write_bits);
  c.actions.add(os_action::rf_read, 3 * macs + fifo);
  c.actions.add(os_action::rf_write, 3 * macs);
  c.actions.add(os_action::mac, macs);
  return c;
}

}  // namespace dfsim
