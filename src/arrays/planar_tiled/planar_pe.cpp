#include "arrays/planar_tiled/planar_pe.hpp"

#include <algorithm>
#include <cstring>

#include "base/sim_error.hpp"
#include "base/trace/tracer.hpp"

namespace dfsim {

using sc_core::sc_time;

namespace {
// Every counter, for the arithmetic on the whole set.
constexpr std::int64_t PlanarPeCounters::*kCounterFields[] = {&PlanarPeCounters::products,
                                                              &PlanarPeCounters::useful_products,
                                                              &PlanarPeCounters::dense_macs,
                                                              &PlanarPeCounters::gated_macs,
                                                              &PlanarPeCounters::steps,
                                                              &PlanarPeCounters::slots_filled,
                                                              &PlanarPeCounters::conflict_stalls,
                                                              &PlanarPeCounters::bank_conflicts,
                                                              &PlanarPeCounters::compute_cycles,
                                                              &PlanarPeCounters::halo_values,
                                                              &PlanarPeCounters::adds,
                                                              &PlanarPeCounters::crossbar_products};

// The bank of an accumulator index: a mask when there are 2^k banks (SCNN's 2 F I = 32), else
// the remainder. The mask (A - 1), or -1 when A is not a power of two.
std::int32_t accumulator_bank_mask(std::int32_t A) { return (A & (A - 1)) == 0 ? A - 1 : -1; }
// The bank of accumulator index idx >= 0 of A banks.
std::int32_t accumulator_bank(std::int32_t idx, std::int32_t A, std::int32_t mask) {
  return mask >= 0 ? idx & mask : idx % A;
}

}  // namespace

PlanarPeCounters& PlanarPeCounters::operator+=(const PlanarPeCounters& o) {
  for (auto f : kCounterFields) this->*f += o.*f;
  return *this;
}

PlanarPeCounters PlanarPeCounters::operator-(const PlanarPeCounters& o) const {
  PlanarPeCounters d = *this;
  for (auto f : kCounterFields) d.*f -= o.*f;
  return d;
}

PlanarPe::PlanarPe(sc_core::sc_module_name name, const ArchConfig& arch, int index, Tracer* trace)
    : sc_module(name),
      in("in"),
      to_halo("to_halo"),
      arch_(arch),
      index_(index),
      period_(arch.core_period_ns(), sc_core::SC_NS),
      bank_free_(static_cast<std::size_t>(pt_params(arch).planar_pe.accumulator_banks), 0),
      bank_count_(static_cast<std::size_t>(pt_params(arch).planar_pe.accumulator_banks), 0) {
  in.register_b_transport(this, &PlanarPe::b_transport);
  trace_busy_ = TraceSignal(trace, "pe_array", "pe" + std::to_string(index) + "_busy", 1);
}

void PlanarPe::configure_layer(const PlanarPeLayer& layer) { layer_ = layer; }

void PlanarPe::configure_tile(const PtTile& tile, std::int64_t valid_taps,
                              std::vector<std::int32_t> owner_of_extent) {
  tile_ = tile;
  valid_taps_ = valid_taps;
  owner_ = std::move(owner_of_extent);
  ext_h_ = tile.e1 - tile.e0;
  ext_w_ = tile.f1 - tile.f0;
}

void PlanarPe::begin_group(std::int64_t kc, std::int64_t c_lo, std::int64_t c_hi) {
  kc_ = kc;
  c_lo_ = c_lo;
  c_hi_ = c_hi;
  acc_.assign(static_cast<std::size_t>(kc * tile_.extent()), 0);
  fifo_.assign(static_cast<std::size_t>(std::max<std::int64_t>(0, c_hi - c_lo)), Block{});
  std::fill(bank_free_.begin(), bank_free_.end(), 0);
  halo_ready_ = sc_core::SC_ZERO_TIME;
  halo_in_ = 0;
  outgoing_.clear();
}

void PlanarPe::b_transport(int, tlm::tlm_generic_payload& gp, sc_time& delay) {
  DataTransfer& data = transfer_of(gp);
  SparseStream& op = extension_of<SparseStream>(gp);
  const sc_time at = sc_core::sc_time_stamp() + delay;
  switch (op.op) {
    case SparseOp::LoadWeights:
      load_weights(gp, op, at);
      break;
    case SparseOp::ComputeGroup:
      compute(gp, data, op, delay);
      break;
    case SparseOp::SendHalo:
      send_halo(delay);
      break;
    case SparseOp::AddHalo:
      add_halo(gp, data, at);
      break;
    case SparseOp::Drain:
      drain(gp, op, delay);
      break;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void PlanarPe::load_weights(tlm::tlm_generic_payload& gp, const SparseStream& op,
                            const sc_time& at) {
  const std::int64_t c = op.channel;
  if (c < c_lo_ || c >= c_hi_)
    throw SimulationError(std::string(name()) + ": weights of channel " + std::to_string(c) +
                          " broadcast to a PE holding channels [" + std::to_string(c_lo_) + ", " +
                          std::to_string(c_hi_) + ")");
  Block& b = fifo_[static_cast<std::size_t>(c - c_lo_)];
  const std::uint8_t* p = gp.get_data_ptr();
  b.bits.assign(p, p + gp.get_data_length());
  b.stream_bits = op.stream_bits;
  b.arrival = at;
  b.present = true;
  weight_fifo.write(DataKind::Weight, op.stream_bits);
}

// Sparse: the multiplier array issues one F x I step per cycle; products wait in their bank's
// queue, and a step whose bank queues already hold more than crossbar_queue_depth products
// waits. `t` is the first cycle the channel may issue; returns the cycle after its last step.
std::int64_t PlanarPe::sparse_channel(std::int64_t t, const std::vector<std::vector<Act>>& acts,
                                      const std::vector<std::vector<Wt>>& wts) {
  const PlanarPeConfig& pc = pt_params(arch_).planar_pe;
  const std::int64_t Fm = pc.multipliers_f, Im = pc.multipliers_i, Q = pc.crossbar_queue_depth;
  const std::uint32_t eh = static_cast<std::uint32_t>(ext_h_),
                      ew = static_cast<std::uint32_t>(ext_w_);
  const std::int32_t A = static_cast<std::int32_t>(pc.accumulator_banks);
  const std::int32_t bank_mask = accumulator_bank_mask(A);
  const std::int64_t shift = layer_.arith.product_shift;
  std::int64_t products = 0, useful = 0, steps = 0, stalls = 0, conflicts = 0, weight_reads = 0;
  for (std::size_t p = 0; p < acts.size(); ++p) {
    const std::vector<Act>& av = acts[p];
    const std::vector<Wt>& wv = wts[p];
    if (av.empty() || wv.empty()) continue;
    for (std::size_t a0 = 0; a0 < av.size(); a0 += static_cast<std::size_t>(Im)) {
      const std::size_t a1 = std::min(av.size(), a0 + static_cast<std::size_t>(Im));
      for (std::size_t w0 = 0; w0 < wv.size(); w0 += static_cast<std::size_t>(Fm)) {
        const std::size_t w1 = std::min(wv.size(), w0 + static_cast<std::size_t>(Fm));
        weight_reads += static_cast<std::int64_t>(w1 - w0);
        for (std::size_t i = a0; i < a1; ++i) {
          const Act& a = av[i];
          for (std::size_t j = w0; j < w1; ++j) {
            const Wt& w = wv[j];
            const std::uint32_t oe = static_cast<std::uint32_t>(a.ae - w.rq);
            const std::uint32_t of = static_cast<std::uint32_t>(a.af - w.sq);
            if (oe >= eh || of >= ew) continue;  // outside the tile's outputs: dropped
            const std::int32_t idx = w.base + static_cast<std::int32_t>(oe * ew + of);
            acc_[static_cast<std::size_t>(idx)] +=
                static_cast<Psum>(static_cast<std::int32_t>(w.v * a.v) >> shift);
            const std::int32_t bank = accumulator_bank(idx, A, bank_mask);
            if (bank_count_[static_cast<std::size_t>(bank)]++ == 0) touched_.push_back(bank);
            ++useful;
          }
        }
        products += static_cast<std::int64_t>((a1 - a0) * (w1 - w0));
        std::int64_t issue = t;
        for (std::int32_t b : touched_)
          issue = std::max(issue, bank_free_[static_cast<std::size_t>(b)] - Q);
        stalls += issue - t;
        for (std::int32_t b : touched_) {
          std::int64_t& free = bank_free_[static_cast<std::size_t>(b)];
          const std::int64_t n = bank_count_[static_cast<std::size_t>(b)];
          const std::int64_t start = std::max(issue, free);
          conflicts += start > issue ? n : n - 1;
          free = start + n;
          bank_count_[static_cast<std::size_t>(b)] = 0;
        }
        touched_.clear();
        ++steps;
        t = issue + 1;
      }
    }
  }
  counters.products += products;
  counters.useful_products += useful;
  counters.steps += steps;
  counters.slots_filled += products;
  counters.conflict_stalls += stalls;
  counters.bank_conflicts += conflicts;
  counters.adds += useful;
  counters.crossbar_products += useful;
  crossbar.write(DataKind::Psum, useful * arch_.data.psum_bits);
  // Accumulators: read-modify-write per product; the weight FIFO is read once per step.
  accumulators.reads_of(DataKind::Psum, useful, arch_.data.psum_bits);
  accumulators.writes_of(DataKind::Psum, useful, arch_.data.psum_bits);
  weight_fifo.read(DataKind::Weight, weight_reads * (arch_.data.weight_bits + 4));
  return t;
}

// Dense: the values of every product with both operands non-zero (a zero operand adds
// nothing, so the sums equal the dense datapath's); timing and energy are counted by the
// caller from the dense loop bounds.
namespace {

// One stride phase's activations as a dense plane over their bounding box (zeros where none
// is), with a summed-area table of its non-zeros: a weight's products then run along plane
// rows (one multiply-add per output position, zeros adding nothing) and the products of
// non-zero values it makes inside the extent are counted from the table.
struct ActPlane {
  std::int64_t ae0 = 0, af0 = 0, h = 0, w = 0;
  std::vector<std::int32_t> v;       // [h][w]
  std::vector<std::int32_t> nz_sum;  // [h + 1][w + 1]: non-zeros above and left

  static std::size_t index(std::int64_t y, std::int64_t x, std::int64_t width) {
    return static_cast<std::size_t>(y * width + x);
  }

  template <typename Act>
  void build(const std::vector<Act>& acts) {
    std::int64_t ae1 = acts.front().ae, af1 = acts.front().af;
    ae0 = ae1;
    af0 = af1;
    for (const Act& a : acts) {
      ae0 = std::min<std::int64_t>(ae0, a.ae);
      ae1 = std::max<std::int64_t>(ae1, a.ae);
      af0 = std::min<std::int64_t>(af0, a.af);
      af1 = std::max<std::int64_t>(af1, a.af);
    }
    h = ae1 - ae0 + 1;
    w = af1 - af0 + 1;
    v.assign(index(h, 0, w), 0);
    for (const Act& a : acts) v[index(a.ae - ae0, a.af - af0, w)] = a.v;
    nz_sum.assign(index(h + 1, 0, w + 1), 0);
    for (std::int64_t y = 0; y < h; ++y)
      for (std::int64_t x = 0; x < w; ++x)
        nz_sum[index(y + 1, x + 1, w + 1)] = nz_sum[index(y, x + 1, w + 1)] +
                                             nz_sum[index(y + 1, x, w + 1)] -
                                             nz_sum[index(y, x, w + 1)] + (v[index(y, x, w)] != 0);
  }
  // Non-zeros in plane rows [y0, y1) and columns [x0, x1).
  std::int64_t nonzeros(std::int64_t y0, std::int64_t y1, std::int64_t x0, std::int64_t x1) const {
    const auto at = [&](std::int64_t y, std::int64_t x) { return nz_sum[index(y, x, w + 1)]; };
    return at(y1, x1) - at(y0, x1) - at(y1, x0) + at(y0, x0);
  }
};

// acc[j] += (wv * in[j]) >> shift for a row of n outputs (the products of the reference).
__attribute__((target_clones("avx2", "default"))) void accumulate_row(Psum* acc,
                                                                      const std::int32_t* in,
                                                                      std::int32_t wv,
                                                                      std::int64_t n, int shift) {
  for (std::int64_t j = 0; j < n; ++j) acc[j] += static_cast<Psum>((wv * in[j]) >> shift);
}

}  // namespace

// Every (activation, weight) pair of a phase whose output falls in the extent: the weight at
// tap (rq, sq) adds to output (ae - rq, af - sq).
void PlanarPe::dense_channel(const std::vector<std::vector<Act>>& acts,
                             const std::vector<std::vector<Wt>>& wts) {
  const std::int64_t eh = ext_h_, ew = ext_w_;
  const int shift = static_cast<int>(layer_.arith.product_shift);
  std::int64_t useful = 0;
  ActPlane plane;
  for (std::size_t p = 0; p < acts.size(); ++p) {
    if (acts[p].empty() || wts[p].empty()) continue;
    plane.build(acts[p]);
    for (const Wt& wt : wts[p]) {
      // Outputs whose activation lies in the plane and inside the extent.
      const std::int64_t oe0 = std::max<std::int64_t>(0, plane.ae0 - wt.rq),
                         oe1 = std::min(eh, plane.ae0 + plane.h - wt.rq);
      const std::int64_t of0 = std::max<std::int64_t>(0, plane.af0 - wt.sq),
                         of1 = std::min(ew, plane.af0 + plane.w - wt.sq);
      if (oe0 >= oe1 || of0 >= of1) continue;
      const std::int64_t y0 = oe0 + wt.rq - plane.ae0, x0 = of0 + wt.sq - plane.af0;
      useful += plane.nonzeros(y0, y0 + (oe1 - oe0), x0, x0 + (of1 - of0));
      if (!layer_.compute_outputs) continue;
      for (std::int64_t oe = oe0; oe < oe1; ++oe)
        accumulate_row(&acc_[static_cast<std::size_t>(wt.base + oe * ew + of0)],
                       &plane.v[ActPlane::index(y0 + oe - oe0, x0, plane.w)], wt.v, of1 - of0,
                       shift);
    }
  }
  counters.useful_products += useful;
}

std::int64_t PlanarPe::channel_ready(std::int64_t c, const sc_time& start,
                                     const sc_time& last_input) const {
  auto to_cycles = [&](const sc_time& t) {
    return t > start ? static_cast<std::int64_t>((t - start) / period_ + 0.999999) : 0;
  };
  const std::int64_t channels = c_hi_ - c_lo_;
  const std::int64_t inputs = (to_cycles(last_input) * (c - c_lo_ + 1) + channels - 1) /
                              std::max<std::int64_t>(1, channels);
  return std::max(to_cycles(fifo_[static_cast<std::size_t>(c - c_lo_)].arrival), inputs);
}

void PlanarPe::compute(tlm::tlm_generic_payload& gp, DataTransfer& data, const SparseStream& op,
                       sc_time& delay) {
  const sc_time start = sc_core::sc_time_stamp() + delay;
  const PlanarPeConfig& pc = pt_params(arch_).planar_pe;
  const StridePhases& ph = layer_.phases;
  const std::int64_t th = tile_.h1 - tile_.h0, tw = tile_.w1 - tile_.w0;
  const std::int64_t channels = c_hi_ - c_lo_;
  // The group's channels of the input tile as the IARAM holds them: one stream over
  // [channel][row][column].
  const std::vector<std::int16_t> tile = decode_stream(
      pt_params(arch_).encodings.onchip, gp.get_data_ptr(), op.stream_bits, channels, th * tw, 16);
  const std::size_t phases = ph.count();
  std::vector<std::vector<Act>> acts(phases);
  std::vector<std::vector<Wt>> wts(phases);
  const std::int64_t extent = tile_.extent();
  // Dense PE: (input position, tap) pairs with an output in the extent, per (k, c).
  const std::int64_t taps = valid_taps_;
  std::int64_t t = 0;
  std::int64_t block_first = c_lo_;
  for (std::int64_t c = c_lo_; c < c_hi_; ++c) {
    const Block& b = fifo_[static_cast<std::size_t>(c - c_lo_)];
    if (!b.present)
      throw SimulationError(std::string(name()) + ": weights of channel " + std::to_string(c) +
                            " missing from the FIFO");
    const std::vector<std::int16_t> w =
        decode_stream(pt_params(arch_).encodings.onchip, b.bits.data(), b.stream_bits, kc_,
                      layer_.R * layer_.S, 16);
    for (auto& v : acts) v.clear();
    for (auto& v : wts) v.clear();
    const std::int16_t* plane = &tile[static_cast<std::size_t>((c - c_lo_) * th * tw)];
    for (std::int64_t y = 0; y < th; ++y)
      for (std::int64_t x = 0; x < tw; ++x) {
        const std::int16_t v = plane[y * tw + x];
        if (v == 0) continue;
        const std::int64_t h = tile_.h0 + y, w = tile_.w0 + x;
        acts[ph.input_phase(h, w)].push_back({static_cast<std::int32_t>(ph.input_row(h) - tile_.e0),
                                              static_cast<std::int32_t>(ph.input_col(w) - tile_.f0),
                                              v});
      }
    for (std::int64_t k = 0; k < kc_; ++k)
      for (std::int64_t r = 0; r < layer_.R; ++r)
        for (std::int64_t s = 0; s < layer_.S; ++s) {
          const std::int16_t v = w[static_cast<std::size_t>((k * layer_.R + r) * layer_.S + s)];
          if (v == 0) continue;
          wts[ph.tap_phase(r, s)].push_back({static_cast<std::int32_t>(k * extent),
                                             static_cast<std::int32_t>(ph.tap_row(r)),
                                             static_cast<std::int32_t>(ph.tap_col(s)), v});
        }
    if (pc.sparse()) {
      // A channel's weights are replayed for each activation vector: it starts once its
      // block has arrived.
      t = std::max(t, channel_ready(c, start, op.last_input));
      t = sparse_channel(t, acts, wts);
    } else {
      const std::int64_t before = counters.useful_products;
      dense_channel(acts, wts);
      const std::int64_t nz = counters.useful_products - before;
      const std::int64_t dense = taps * kc_;
      counters.dense_macs += dense;
      if (pc.zero_gating) counters.gated_macs += dense - nz;
      const std::int64_t performed = pc.zero_gating ? nz : dense;
      counters.products += performed;
      counters.adds += performed;
      // A block of I channels runs once all of them have arrived: taps x ceil(kc / F) cycles,
      // each reading F x I weights and updating F accumulators.
      if (c - block_first + 1 == pc.multipliers_i || c + 1 == c_hi_) {
        const std::int64_t cycles = taps * ((kc_ + pc.multipliers_f - 1) / pc.multipliers_f);
        t = std::max(t, channel_ready(c, start, op.last_input)) + cycles;
        counters.steps += cycles;
        counters.slots_filled += taps * kc_ * (c - block_first + 1);
        const std::int64_t wreads = cycles * pc.multipliers_f * (c - block_first + 1);
        weight_fifo.read(DataKind::Weight, wreads * arch_.data.weight_bits);
        const std::int64_t updates = cycles * pc.multipliers_f;
        accumulators.reads_of(DataKind::Psum, updates, arch_.data.psum_bits);
        accumulators.writes_of(DataKind::Psum, updates, arch_.data.psum_bits);
        block_first = c + 1;
      }
    }
  }
  // The last products leave the bank queues.
  for (std::int64_t f : bank_free_) t = std::max(t, f);
  counters.compute_cycles += t;
  const sc_time end = start + period_ * static_cast<double>(t);
  data.started = start;
  if (t > 0) trace_busy_.busy(start, end);
  delay = end - sc_core::sc_time_stamp();
}

// Post-processing, step 1: psums of outputs other PEs own leave through the halo network.
void PlanarPe::send_halo(sc_time& delay) {
  const std::int64_t extent = tile_.extent();
  std::vector<std::vector<HaloRecord>> by_owner;
  std::vector<std::int32_t> owners;
  for (std::int64_t i = 0; i < extent; ++i) {
    const std::int32_t o = owner_[static_cast<std::size_t>(i)];
    if (o == index_) continue;
    auto it = std::find(owners.begin(), owners.end(), o);
    std::size_t slot = static_cast<std::size_t>(it - owners.begin());
    if (it == owners.end()) {
      owners.push_back(o);
      by_owner.emplace_back();
    }
    for (std::int64_t k = 0; k < kc_; ++k)
      by_owner[slot].push_back({static_cast<std::int32_t>(tile_.e0 + i / ext_w_),
                                static_cast<std::int32_t>(tile_.f0 + i % ext_w_),
                                static_cast<std::int32_t>(k),
                                acc_[static_cast<std::size_t>(k * extent + i)]});
  }
  sc_time done = sc_core::sc_time_stamp() + delay;
  for (std::size_t j = 0; j < owners.size(); ++j) {
    std::vector<HaloRecord>& recs = by_owner[j];
    const std::int64_t n = static_cast<std::int64_t>(recs.size());
    counters.halo_values += n;
    accumulators.reads_of(DataKind::Psum, n, arch_.data.psum_bits);
    TransactionWith<SparseStream> tr;
    tr.setup(tlm::TLM_WRITE_COMMAND, 0, reinterpret_cast<unsigned char*>(recs.data()),
             recs.size() * sizeof(HaloRecord));
    tr.data().kind = DataKind::Psum;
    tr.data().values = n;
    tr.data().bits_per_value = arch_.data.psum_bits;
    tr.get<SparseStream>().op = SparseOp::AddHalo;
    tr.get<SparseStream>().destination_pe = owners[j];
    sc_time d = delay;
    to_halo->b_transport(tr.gp(), d);
    check_response(tr.gp(), to_halo.name());
    done = std::max(done, sc_core::sc_time_stamp() + d);
  }
  delay = done - sc_core::sc_time_stamp();
}

void PlanarPe::add_halo(tlm::tlm_generic_payload& gp, const DataTransfer& data, const sc_time& at) {
  const HaloRecord* recs = reinterpret_cast<const HaloRecord*>(gp.get_data_ptr());
  const std::int64_t extent = tile_.extent();
  for (std::int64_t i = 0; i < data.values; ++i) {
    const HaloRecord& r = recs[i];
    const std::int64_t e = r.e - tile_.e0, f = r.f - tile_.f0;
    if (e < 0 || e >= ext_h_ || f < 0 || f >= ext_w_ || r.k >= kc_)
      throw SimulationError(std::string(name()) + ": halo psum for output (" + std::to_string(r.e) +
                            ", " + std::to_string(r.f) + ") outside its accumulators");
    acc_[static_cast<std::size_t>(r.k * extent + e * ext_w_ + f)] += r.value;
  }
  halo_in_ += data.values;
  accumulators.reads_of(DataKind::Psum, data.values, arch_.data.psum_bits);
  accumulators.writes_of(DataKind::Psum, data.values, arch_.data.psum_bits);
  halo_ready_ = std::max(halo_ready_, at);
}

// Post-processing, step 2 (after every halo arrived): owned outputs [k][e][f] through ReLU and
// the output shift, encoded for the OARAM into the payload buffer.
void PlanarPe::drain(tlm::tlm_generic_payload& gp, SparseStream& op, sc_time& delay) {
  const sc_time start = std::max(sc_core::sc_time_stamp() + delay, halo_ready_);
  const std::int64_t oh = tile_.oe1 - tile_.oe0, ow = tile_.of1 - tile_.of0;
  std::vector<std::int16_t> out(static_cast<std::size_t>(kc_ * oh * ow));
  const std::int64_t extent = tile_.extent();
  // An owned output outside the accumulator extent has no products and no halos (its window
  // lies in the padding, or misses this PE's tile): its psum is zero.
  for (std::int64_t k = 0; k < kc_; ++k)
    for (std::int64_t e = 0; e < oh; ++e)
      for (std::int64_t f = 0; f < ow; ++f) {
        const std::int64_t ae = tile_.oe0 + e - tile_.e0, af = tile_.of0 + f - tile_.f0;
        const bool inside = ae >= 0 && ae < ext_h_ && af >= 0 && af < ext_w_;
        out[static_cast<std::size_t>((k * oh + e) * ow + f)] = layer_.arith.to_ofmap(
            inside ? acc_[static_cast<std::size_t>(k * extent + ae * ext_w_ + af)] : Psum{0});
      }
  const EncodedTensor enc = encode(pt_params(arch_).encodings.onchip, out, kc_, oh * ow, 16);
  if (static_cast<std::int64_t>(enc.bits.size()) > static_cast<std::int64_t>(gp.get_data_length()))
    throw SimulationError(std::string(name()) + ": output stream larger than the drain buffer");
  if (!enc.bits.empty())  // an all-zero tile may encode to nothing (memcpy of null is UB)
    std::memcpy(gp.get_data_ptr(), enc.bits.data(), enc.bits.size());
  op.stream_bits = enc.total_bits;
  op.stream_bytes = static_cast<std::int64_t>(enc.bits.size());
  const std::int64_t n = kc_ * oh * ow;
  accumulators.reads_of(DataKind::Psum, n, arch_.data.psum_bits);
  ppu.writes_of(DataKind::Ofmap, n, 16);
  const std::int64_t cycles = (n + halo_in_ + pt_params(arch_).planar_pe.ppu_values_per_cycle - 1) /
                              pt_params(arch_).planar_pe.ppu_values_per_cycle;
  delay = start + period_ * static_cast<double>(cycles) - sc_core::sc_time_stamp();
}

HaloNetwork::HaloNetwork(sc_core::sc_module_name name, const ArchConfig& arch)
    : sc_module(name),
      from_pe("from_pe"),
      to_pe("to_pe"),
      arch_(arch),
      period_(arch.core_period_ns(), sc_core::SC_NS),
      links_(static_cast<std::size_t>(arch.num_pes())) {
  from_pe.register_b_transport(this, &HaloNetwork::b_transport);
}

void HaloNetwork::b_transport(int port, tlm::tlm_generic_payload& gp, sc_time& delay) {
  const DataTransfer& data = transfer_of(gp);
  const std::int64_t dest = extension_of<SparseStream>(gp).destination_pe, cols = arch_.pe_cols;
  if (dest < 0 || dest >= arch_.num_pes()) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const std::int64_t hops = std::max<std::int64_t>(
      1, std::abs(dest / cols - port / cols) + std::abs(dest % cols - port % cols));
  const std::int64_t bits = data.bits();
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time dur =
      period_ * static_cast<double>((bits + pt_params(arch_).planar_noc.halo_link_bits - 1) /
                                    pt_params(arch_).planar_noc.halo_link_bits);
  const sc_time start = links_[static_cast<std::size_t>(port)].book(now + delay, dur);
  activity.write(DataKind::Psum, bits * hops);
  sc_time d = start + dur + period_ * static_cast<double>(hops) - now;
  to_pe[static_cast<int>(dest)]->b_transport(gp, d);
  delay = d;
}

}  // namespace dfsim
