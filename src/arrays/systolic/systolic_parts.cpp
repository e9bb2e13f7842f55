#include "arrays/systolic/systolic_parts.hpp"

#include <algorithm>
#include <cstring>

#include "base/sim_error.hpp"
#include "base/trace/tracer.hpp"

namespace dfsim {

using sc_core::sc_time;

WeightFifo::WeightFifo(sc_core::sc_module_name name, const ArchConfig& arch)
    : sc_module(name), socket("socket"), depth_(ws_params(arch).weight_fifo.depth_tiles) {
  socket.register_b_transport(this, &WeightFifo::b_transport);
}

void WeightFifo::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const sc_time at = sc_core::sc_time_stamp() + delay;
  const std::size_t len = gp.get_data_length();
  const std::int64_t bits = static_cast<std::int64_t>(len) * 8;
  if (gp.is_write()) {
    if (static_cast<std::int64_t>(tiles_.size()) >= depth_)
      throw SimulationError(std::string(name()) + ": weight FIFO overflow");
    tiles_.push_back({{gp.get_data_ptr(), gp.get_data_ptr() + len}, at});
    activity.write(DataKind::Weight, bits);
  } else {
    if (tiles_.empty() || tiles_.front().bytes.size() != len)
      throw SimulationError(std::string(name()) + ": weight FIFO underflow or tile size mismatch");
    std::memcpy(gp.get_data_ptr(), tiles_.front().bytes.data(), len);
    if (tiles_.front().ready > at) delay = tiles_.front().ready - sc_core::sc_time_stamp();
    tiles_.pop_front();
    activity.read(DataKind::Weight, bits);
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

MatrixUnit::MatrixUnit(sc_core::sc_module_name name, const ArchConfig& arch, Tracer* trace)
    : sc_module(name),
      socket("socket"),
      to_acc("to_acc"),
      arch_(arch),
      period_(arch.core_period_ns(), sc_core::SC_NS) {
  socket.register_b_transport(this, &MatrixUnit::b_transport);
  trace_active_ = TraceSignal(trace, "matrix_unit", "streaming", 1);
  trace_shift_ = TraceSignal(trace, "matrix_unit", "weight_shift", 1);
}

void MatrixUnit::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  DataTransfer& data = transfer_of(gp);
  SystolicStream& op = extension_of<SystolicStream>(gp);
  switch (op.op) {
    case SystolicOp::ShiftWeights:
      shift_weights(gp, data, op, delay);
      break;
    case SystolicOp::StreamRows:
      stream_rows(gp, data, op, delay);
      break;
    default:
      gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
      return;
  }
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void MatrixUnit::shift_weights(tlm::tlm_generic_payload& gp, DataTransfer& data,
                               const SystolicStream& op, sc_time& delay) {
  const std::int64_t K = op.rows, M = op.cols, wb = data.bits_per_value / 8;
  if (K > arch_.pe_rows || M > arch_.pe_cols ||
      K * M * wb != static_cast<std::int64_t>(gp.get_data_length()))
    throw SimulationError(std::string(name()) + ": weight tile larger than the array");
  if (shadow_loaded_) throw SimulationError(std::string(name()) + ": shadow tile still unused");
  const sc_time now = sc_core::sc_time_stamp();
  // The tile shifts down from the top, one row per cycle, through all array rows.
  const sc_time start = std::max(now + delay, shadow_free_);
  const sc_time end = start + period_ * static_cast<double>(arch_.pe_rows);
  const unsigned char* w = gp.get_data_ptr();
  shadow_.resize(static_cast<std::size_t>(K * M));
  for (std::int64_t i = 0; i < K * M; ++i)
    shadow_[static_cast<std::size_t>(i)] =
        wb == 1 ? static_cast<std::int8_t>(w[i])
                : static_cast<std::int16_t>(w[2 * i] | (w[2 * i + 1] << 8));
  shadow_bits_ = 8 * wb;
  shadow_k_ = K;
  shadow_m_ = M;
  shadow_loaded_ = true;
  shadow_ready_ = end;
  // Weight for array row k passes k + 1 PEs on its way down.
  const std::int64_t bit_hops = (K * (K + 1) / 2) * M * shadow_bits_;
  weight_shift.write(DataKind::Weight, bit_hops);
  trace_shift_.busy(start, end);
  data.started = start;
  delay = end - now;
}

namespace {

// out[b][m] += x[b][k] * w[k][m]; int8 operands, exact int32 sums. Products of two int8
// values fit in 16 bits, which lets the loop use 16-bit multiplies.
__attribute__((target_clones("avx2", "default"))) void systolic_gemm(std::int32_t* out,
                                                                     const std::int8_t* x,
                                                                     const std::int16_t* w,
                                                                     std::int64_t B, std::int64_t K,
                                                                     std::int64_t M) {
  for (std::int64_t b = 0; b < B; ++b) {
    std::int32_t* o = out + b * M;
    const std::int8_t* xr = x + b * K;
    for (std::int64_t k = 0; k < K; ++k) {
      const std::int16_t xv = xr[k];
      if (xv == 0) continue;  // adds nothing; skipping saves host time only
      const std::int16_t* wr = w + k * M;
      for (std::int64_t m = 0; m < M; ++m) o[m] += static_cast<std::int16_t>(xv * wr[m]);
    }
  }
}

// The same with 16-bit operands (int32 products), for layers that run in several passes.
__attribute__((target_clones("avx2", "default"))) void systolic_gemm_wide(
    std::int32_t* out, const std::int16_t* x, const std::int16_t* w, std::int64_t B, std::int64_t K,
    std::int64_t M) {
  for (std::int64_t b = 0; b < B; ++b) {
    std::int32_t* o = out + b * M;
    const std::int16_t* xr = x + b * K;
    for (std::int64_t k = 0; k < K; ++k) {
      const std::int32_t xv = xr[k];
      if (xv == 0) continue;
      const std::int16_t* wr = w + k * M;
      for (std::int64_t m = 0; m < M; ++m)
        o[m] = static_cast<std::int32_t>(static_cast<std::uint32_t>(o[m]) +
                                         static_cast<std::uint32_t>(xv * wr[m]));
    }
  }
}

}  // namespace

void MatrixUnit::stream_rows(tlm::tlm_generic_payload& gp, DataTransfer& data, SystolicStream& op,
                             sc_time& delay) {
  if (!shadow_loaded_)
    throw SimulationError(std::string(name()) + ": stream without a weight tile");
  const std::int64_t B = op.rows, K = op.cols, ib = data.bits_per_value / 8;
  if (K != shadow_k_ || B * K * ib != static_cast<std::int64_t>(gp.get_data_length()))
    throw SimulationError(std::string(name()) + ": input rows do not match the weight tile");
  // 16-bit operands take two passes of the 8-bit array each (TPU: 8x16 at half, 16x16 at a
  // quarter of the 8x8 rate).
  const std::int64_t passes = ib * (shadow_bits_ / 8);
  const sc_time now = sc_core::sc_time_stamp();
  // The shadow tile becomes active as the first row enters; the next tile may then shift in.
  // Rows enter one per cycle, or as the setup unit delivers them (the last at last_input).
  const sc_time start = std::max({now + delay, shadow_ready_, stream_end_});
  active_.swap(shadow_);
  active_k_ = shadow_k_;
  active_m_ = shadow_m_;
  shadow_loaded_ = false;
  shadow_free_ = start;
  stream_end_ =
      std::max(start + period_ * static_cast<double>(B * passes), op.last_input + period_);
  const std::int64_t M = active_m_, R = arch_.pe_rows;

  results_.assign(static_cast<std::size_t>(B * M), 0);
  if (!compute_outputs) {
    // Timing only: the stream's timing and counts do not depend on the sums.
  } else if (passes == 1) {
    systolic_gemm(results_.data(), reinterpret_cast<const std::int8_t*>(gp.get_data_ptr()),
                  active_.data(), B, K, M);
  } else {
    wide_.resize(static_cast<std::size_t>(B * K));
    const unsigned char* p = gp.get_data_ptr();
    for (std::int64_t i = 0; i < B * K; ++i)
      wide_[static_cast<std::size_t>(i)] =
          ib == 1 ? static_cast<std::int8_t>(p[i])
                  : static_cast<std::int16_t>(p[2 * i] | (p[2 * i + 1] << 8));
    systolic_gemm_wide(results_.data(), wide_.data(), active_.data(), B, K, M);
  }
  macs += B * K * M;
  mac_passes += B * K * M * passes;
  // Inputs move right through the M active columns; psums move down through all R rows.
  const std::int64_t in_bits = B * K * M * data.bits_per_value;
  const std::int64_t psum_bits = B * M * R * arch_.data.psum_bits;
  hops.write(DataKind::Ifmap, in_bits);
  hops.write(DataKind::Psum, psum_bits);

  // Results reach the accumulators one row per cycle from t0 + R (row 0, column 0); the last
  // (row B-1, column M-1, entering at stream_end - 1) at stream_end + R + M - 2.
  const sc_time last = stream_end_ + period_ * static_cast<double>(R + M - 2);
  TransactionWith<SystolicStream> t;
  t.setup(tlm::TLM_WRITE_COMMAND, 0, reinterpret_cast<unsigned char*>(results_.data()),
          results_.size() * sizeof(std::int32_t));
  t.get<SystolicStream>() =
      SystolicStream::of(SystolicOp::AccumulateRows, B, M, op.accumulator_row, op.overwrite);
  t.data().kind = DataKind::Psum;
  t.data().values = B * M;
  t.data().bits_per_value = arch_.data.psum_bits;
  sc_time d = start + period_ * static_cast<double>(R) - now;
  to_acc->b_transport(t.gp(), d);
  check_response(t.gp(), "accumulator write");
  const sc_time done = std::max(last, now + d);
  trace_active_.busy(start, stream_end_);
  data.started = start;
  op.last_input = stream_end_;  // reported back: when the last row entered (+1 cycle)
  delay = done - now;
}

AccumulatorBuffer::AccumulatorBuffer(sc_core::sc_module_name name, const ArchConfig& arch,
                                     Tracer* trace)
    : sc_module(name),
      socket("socket"),
      cfg_(ws_params(arch).accumulators),
      cols_(arch.pe_cols),
      period_(arch.core_period_ns(), sc_core::SC_NS),
      store_(static_cast<std::size_t>(ws_params(arch).accumulators.entries * arch.pe_cols), 0),
      banks_(static_cast<std::size_t>(ws_params(arch).accumulators.buffers)) {
  socket.register_b_transport(this, &AccumulatorBuffer::b_transport);
  for (std::int64_t b = 0; b < cfg_.buffers; ++b)
    trace_bank_.emplace_back(trace, "accumulators", "buffer" + std::to_string(b) + "_busy", 1);
}

void AccumulatorBuffer::b_transport(int, tlm::tlm_generic_payload& gp, sc_time& delay) {
  DataTransfer& transfer = transfer_of(gp);
  const SystolicStream& op = extension_of<SystolicStream>(gp);
  const std::int64_t row0 = op.accumulator_row, B = op.rows, M = op.cols;
  const std::int64_t per_bank = cfg_.entries / cfg_.buffers;
  if (row0 < 0 || row0 + B > cfg_.entries || M > cols_ ||
      (row0 / per_bank) != ((row0 + B - 1) / per_bank) ||
      static_cast<std::int64_t>(gp.get_data_length()) != B * M * 4) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const sc_time now = sc_core::sc_time_stamp();
  const std::size_t bank = static_cast<std::size_t>(row0 / per_bank);
  const sc_time dur = period_ * static_cast<double>(B);  // one row per cycle
  const sc_time start = banks_[bank].book(now + delay, dur);
  auto* data = reinterpret_cast<std::uint32_t*>(gp.get_data_ptr());
  const std::int64_t bits = B * M * 32;
  if (op.op == SystolicOp::AccumulateRows) {
    for (std::int64_t b = 0; b < B; ++b) {
      std::uint32_t* row = &store_[static_cast<std::size_t>((row0 + b) * cols_)];
      const std::uint32_t* in = data + b * M;
      if (op.overwrite)
        std::memcpy(row, in, static_cast<std::size_t>(M) * 4);
      else
        for (std::int64_t m = 0; m < M; ++m) row[m] += in[m];
    }
    // Accumulating reads the old sum first; the first K tile only writes.
    if (!op.overwrite) activity.read(DataKind::Psum, bits);
    activity.write(DataKind::Psum, bits);
  } else if (op.op == SystolicOp::ReadRows) {
    for (std::int64_t b = 0; b < B; ++b)
      std::memcpy(data + b * M, &store_[static_cast<std::size_t>((row0 + b) * cols_)],
                  static_cast<std::size_t>(M) * 4);
    activity.read(DataKind::Psum, bits);
  } else {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return;
  }
  trace_bank_[bank].busy(start, start + dur);
  transfer.started = start;
  delay = start + dur - now;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace dfsim
