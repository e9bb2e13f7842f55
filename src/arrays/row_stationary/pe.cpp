#include "arrays/row_stationary/pe.hpp"

#include <algorithm>
#include <cstring>

#include "base/sim_error.hpp"
#include "base/trace/tracer.hpp"
#include "components/noc/noc.hpp"

namespace dfsim {

using sc_core::sc_time;

namespace {

// One PE row's 1-D convolution: S taps dilation apart over F outputs stride apart.
struct RowConv {
  std::int64_t S, F, stride, dilation;
};

// Adds value v at column x of channel qi's ifmap row to the taps s and output positions f that
// read it (x = f * stride + s * dilation), p filters at once (acc_n is [F][p], weights
// [q][S][p]).
__attribute__((always_inline)) inline void mac_value(Psum* acc_n, const std::int32_t* weights,
                                                     std::int32_t v, std::int64_t x,
                                                     std::int64_t qi, std::int64_t p,
                                                     const RowConv& g, int shift) {
  const auto mac = [&](std::int64_t s, std::int64_t f) {
    const std::int32_t* w = weights + (qi * g.S + s) * p;
    Psum* acc = acc_n + f * p;
    for (std::int64_t i = 0; i < p; ++i) acc[i] += static_cast<Psum>((w[i] * v) >> shift);
  };
  if (g.dilation == 1) {
    // Taps s <= x with x - s a multiple of stride and f = (x - s) / stride < F.
    const std::int64_t lo = std::max<std::int64_t>(0, x - (g.F - 1) * g.stride);
    const std::int64_t hi = std::min(g.S - 1, x);
    for (std::int64_t s = lo + (x - lo) % g.stride; s <= hi; s += g.stride)
      mac(s, (x - s) / g.stride);
    return;
  }
  for (std::int64_t s = 0; s < g.S && s * g.dilation <= x; ++s) {
    const std::int64_t t = x - s * g.dilation;  // f * stride
    if (t % g.stride == 0 && t / g.stride < g.F) mac(s, t / g.stride);
  }
}

// The PE's MAC loop over one pass: each image's and channel's ifmap row [Wp] is walked once,
// and each value goes to the taps and output positions that read it (mac_value), p filters at
// once (partial is [n][F][p], ifmap [n][q][Wp]). A zero adds nothing, so it is skipped (the
// sums are exact integers: the order does not matter); with zero gating the (position, tap)
// pairs it would have fed, taps_at[x] of them, are returned as skipped. Walking values instead
// of (s, f) pairs tests each value once, not once per tap.
__attribute__((target_clones("avx2", "default"))) std::int64_t pe_mac_loop(
    Psum* partial, const std::int32_t* weights, const Value* ifmap, std::int64_t n, std::int64_t p,
    std::int64_t q, std::int64_t Wp, const RowConv& g, int shift, bool zero_gating,
    const std::int64_t* taps_at) {
  std::int64_t zeros = 0;
  for (std::int64_t ni = 0; ni < n; ++ni)
    for (std::int64_t qi = 0; qi < q; ++qi) {
      const Value* row = ifmap + (ni * q + qi) * Wp;
      Psum* acc_n = partial + ni * g.F * p;
      for (std::int64_t x = 0; x < Wp; ++x) {
        const std::int32_t v = row[x];
        if (v == 0)
          zeros += taps_at[x];
        else
          mac_value(acc_n, weights, v, x, qi, p, g, shift);
      }
    }
  return zero_gating ? zeros : 0;
}

// The (position, tap) pairs of pe_mac_loop whose ifmap value is zero, without the MACs: per
// ifmap row (rows x Wp values), each zero counts the taps that read its column (taps_at).
__attribute__((target_clones("avx2", "default"))) std::int64_t zero_taps(
    const Value* ifmap, std::int64_t rows, std::int64_t Wp, const std::int64_t* taps_at) {
  std::int64_t zeros = 0;
  for (std::int64_t r = 0; r < rows; ++r, ifmap += Wp)
    for (std::int64_t x = 0; x < Wp; ++x)
      zeros += ifmap[x] == 0 ? taps_at[x] : 0;  // branch-free: vectorizes
  return zeros;
}

}  // namespace

Pe::Pe(sc_core::sc_module_name name, const ArchConfig& arch, int index, Tracer* trace)
    : sc_module(name),
      in("in"),
      psum_down("psum_down"),
      to_gon("to_gon"),
      cfg_(rs_params(arch).pe),
      noc_(rs_params(arch).noc),
      period_(arch.core_period_ns(), sc_core::SC_NS) {
  in.register_b_transport(this, &Pe::b_transport);
  trace_busy_ = TraceSignal(trace, "pe_array", "pe" + std::to_string(index) + "_busy", 1);
}

void Pe::configure(const PeSetup& s) {
  setup_ = s;
  computed_ = false;
  filter_loaded_ = 0;
  filter_ready_ = ifmap_ready_ = compute_end_ = sc_core::SC_ZERO_TIME;
  if (!s.active) return;
  // The spads bound what one pass may ask of a PE.
  if (s.p * s.q * s.S > cfg_.filter_spad_entries)
    throw SimulationError(std::string(name()) + ": p*q*S exceeds the filter spad");
  // The sliding window spans the dilated filter row.
  if (s.q * ((s.S - 1) * s.dilation + 1) > cfg_.ifmap_spad_entries)
    throw SimulationError(std::string(name()) + ": q*S exceeds the ifmap spad");
  if (s.p > cfg_.psum_spad_entries)
    throw SimulationError(std::string(name()) + ": p exceeds the psum spad");
  // Filled whole by the loads the pass needs (compute refuses to start without them).
  ifmap_.resize(static_cast<std::size_t>(s.n * s.q * s.padded_width));
  ifmap_loaded_.assign(static_cast<std::size_t>(s.n), 0);
  out_.resize(static_cast<std::size_t>(s.n * s.p * s.F));
  if (s.compute_outputs) {
    weights_.resize(static_cast<std::size_t>(s.q * s.S * s.p));
    partial_.assign(static_cast<std::size_t>(s.n * s.F * s.p), 0);
  }
  if (const std::array<std::int64_t, 5> key{s.padded_width, s.F, s.stride, s.S, s.dilation};
      taps_key_ != key) {
    // The same for every pass of a layer: made when the geometry changes.
    taps_key_ = key;
    taps_at_.assign(static_cast<std::size_t>(s.padded_width), 0);
    for (std::int64_t f = 0; f < s.F; ++f)
      for (std::int64_t t = 0; t < s.S; ++t)
        ++taps_at_[static_cast<std::size_t>(f * s.stride + t * s.dilation)];
  }
}

void Pe::b_transport(int, tlm::tlm_generic_payload& gp, sc_time& delay) {
  const DataTransfer& data = transfer_of(gp);
  const RowStationaryOp& op = extension_of<RowStationaryOp>(gp);
  if (!setup_.active) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const sc_time at = sc_core::sc_time_stamp() + delay;
  switch (op.op) {
    case RsPeOp::LoadFilter:
      load_filter(gp, data, at);
      break;
    case RsPeOp::LoadIfmap:
      load_ifmap(gp, data, op, at);
      break;
    case RsPeOp::PsumIn:
      psum_in(gp, data, op, delay);
      return;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Pe::load_filter(tlm::tlm_generic_payload& gp, const DataTransfer& data, const sc_time& at) {
  const std::int64_t p = setup_.p, q = setup_.q, S = setup_.S;
  if (data.values != p * q * S)
    throw SimulationError(std::string(name()) + ": filter load of " + std::to_string(data.values) +
                          " weights, expected p*q*S = " + std::to_string(p * q * S));
  const auto* w = reinterpret_cast<const Value*>(gp.get_data_ptr());  // [p][q][S]
  for (std::int64_t pi = 0; pi < p && setup_.compute_outputs; ++pi)
    for (std::int64_t qi = 0; qi < q; ++qi)
      for (std::int64_t s = 0; s < S; ++s)
        weights_[(qi * S + s) * p + pi] = w[(pi * q + qi) * S + s];
  filter_loaded_ = data.values;
  rf.writes_of(DataKind::Weight, data.values, 16);
  filter_ready_ = std::max(filter_ready_, at);
}

void Pe::load_ifmap(tlm::tlm_generic_payload& gp, const DataTransfer& data,
                    const RowStationaryOp& op, const sc_time& at) {
  const std::int64_t row = setup_.q * setup_.padded_width;
  if (data.values != row || op.image < 0 || op.image >= setup_.n)
    throw SimulationError(std::string(name()) + ": unexpected ifmap row for image " +
                          std::to_string(op.image));
  std::memcpy(&ifmap_[static_cast<std::size_t>(op.image * row)], gp.get_data_ptr(),
              static_cast<std::size_t>(row) * sizeof(Value));
  ifmap_loaded_[static_cast<std::size_t>(op.image)] = 1;
  rf.writes_of(DataKind::Ifmap, row, 16);
  ifmap_ready_ = std::max(ifmap_ready_, at);
}

void Pe::compute() {
  const std::int64_t n = setup_.n, p = setup_.p, q = setup_.q, S = setup_.S, F = setup_.F;
  const std::int64_t Wp = setup_.padded_width, stride = setup_.stride, dil = setup_.dilation;
  if (filter_loaded_ != p * q * S || std::count(ifmap_loaded_.begin(), ifmap_loaded_.end(), 1) != n)
    throw SimulationError(std::string(name()) + ": psums arrived before the filter and ifmap rows");
  std::int64_t zeros = 0;
  if (setup_.compute_outputs)
    zeros = pe_mac_loop(partial_.data(), weights_.data(), ifmap_.data(), n, p, q, Wp,
                        RowConv{S, F, stride, dil}, static_cast<int>(setup_.arith.product_shift),
                        cfg_.zero_gating, taps_at_.data());
  else if (cfg_.zero_gating)
    zeros = zero_taps(ifmap_.data(), n * q, Wp, taps_at_.data());
  const std::int64_t total = n * F * p * q * S;
  const std::int64_t gated = zeros * p;
  macs += total - gated;
  gated_macs += gated;
  // Per MAC: ifmap and psum spad read, psum write; the filter read only if not gated.
  rf.reads_of(DataKind::Ifmap, total, 16);
  rf.reads_of(DataKind::Weight, total - gated, 16);
  const std::int64_t pbits = setup_.arith.psum_bits;
  rf.reads_of(DataKind::Psum, total, pbits);
  rf.writes_of(DataKind::Psum, total, pbits);

  // Timing: one MAC per cycle (gating saves energy, not time) once the filters are in; the
  // ifmap stream must also have delivered the last window, leaving p*q*S MACs after it.
  const sc_time start = filter_ready_;
  const sc_time tail = period_ * static_cast<double>(p * q * S + cfg_.pipeline_stages);
  compute_end_ = std::max(start + period_ * static_cast<double>(total + cfg_.pipeline_stages),
                          ifmap_ready_ + tail);
  busy_time += compute_end_ - start;
  trace_busy_.busy(start, compute_end_);
  computed_ = true;
}

void Pe::psum_in(tlm::tlm_generic_payload& gp, const DataTransfer& data, const RowStationaryOp& op,
                 sc_time& delay) {
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time arrived = now + delay;
  if (!computed_) compute();
  const std::int64_t n = setup_.n, p = setup_.p, F = setup_.F;
  const std::int64_t count = n * p * F;
  const Psum mask = setup_.arith.mask();
  if (data.values != 0 && data.values != count)
    throw SimulationError(std::string(name()) + ": psum row of " + std::to_string(data.values) +
                          " values, expected " + std::to_string(count));
  const auto* incoming = reinterpret_cast<const Psum*>(gp.get_data_ptr());
  for (std::int64_t pi = 0; pi < p && setup_.compute_outputs; ++pi)
    for (std::int64_t ni = 0; ni < n; ++ni)
      for (std::int64_t f = 0; f < F; ++f) {
        const std::size_t o = static_cast<std::size_t>((pi * n + ni) * F + f);
        const Psum mine = partial_[static_cast<std::size_t>((ni * F + f) * p + pi)];
        out_[o] = (data.values ? incoming[o] + mine : mine) & mask;
      }
  if (data.values) {
    rf.writes_of(DataKind::Psum, count, setup_.arith.psum_bits);
    rf.reads_of(DataKind::Psum, count, setup_.arith.psum_bits);
  }
  // The psum row streams on as positions finish: its last value leaves a pipeline's depth
  // after both this PE's last MAC and the last incoming psum.
  sc_time out_end =
      std::max(compute_end_, arrived) + period_ * static_cast<double>(cfg_.pipeline_stages);

  TransactionWith<RowStationaryOp, GonWrite> t;
  t.setup(tlm::TLM_WRITE_COMMAND, 0, reinterpret_cast<unsigned char*>(out_.data()),
          out_.size() * sizeof(Psum));
  t.get<RowStationaryOp>() = op;
  t.data().kind = DataKind::Psum;
  t.data().values = count;
  t.data().bits_per_value = setup_.arith.psum_bits;
  sc_time d;
  if (setup_.chain_bottom) {
    // Positions finish one after another, so the row starts streaming out after the first.
    t.get<GonWrite>().glb_address = op.psum_glb_address;
    t.get<GonWrite>().first_value_ready =
        filter_ready_ + period_ * static_cast<double>(p * setup_.q * setup_.S);
    d = out_end - now;
    to_gon->b_transport(t.gp(), d);
  } else {
    // Local link to the PE below: streams alongside the computation.
    const sc_time dur =
        period_ * static_cast<double>((count * setup_.arith.psum_bits + noc_.local_link_bits - 1) /
                                      noc_.local_link_bits);
    const sc_time earliest = out_end > dur ? out_end - dur : sc_core::SC_ZERO_TIME;
    const sc_time end = std::max(link_.book(earliest, dur) + dur, out_end);
    d = end - now;
    link_activity.write(DataKind::Psum, t.data().bits());
    psum_down->b_transport(t.gp(), d);
  }
  check_response(t.gp(), name());
  delay = d;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace dfsim
