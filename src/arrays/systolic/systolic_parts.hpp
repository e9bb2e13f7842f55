// The parts of a TPU v1-style weight-stationary systolic array (Jouppi et al., ISCA 2017):
// the weight FIFO, the matrix unit and the accumulators. They talk over TLM-2.0 sockets
// with the array controller; timing is annotated (loosely timed).
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <deque>
#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/systolic/ws_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/trace/tracer.hpp"
#include "components/activity.hpp"
#include "components/payload.hpp"

namespace dfsim {

// Systolic stream protocol: operations on the matrix unit and the accumulators. DataTransfer
// gives the operand width (bits_per_value) and count; the payload holds rows x cols values.
enum class SystolicOp : std::uint8_t {
  ShiftWeights,    // a [rows][cols] weight tile shifted into the shadow weight registers
  StreamRows,      // [rows][cols = K] input rows streamed through the array with the shadow tile
  AccumulateRows,  // [rows][cols] int32 results into the accumulators (add or overwrite)
  ReadRows,        // [rows][cols] int32 out of the accumulators
};
struct SystolicStream : Extension<SystolicStream> {
  static constexpr const char* kName = "SystolicStream";
  SystolicOp op = SystolicOp::ShiftWeights;
  std::int64_t rows = 0, cols = 0;   // matrix shape of the payload
  std::int64_t accumulator_row = 0;  // StreamRows, AccumulateRows, ReadRows: the first row
  bool overwrite = false;            // StreamRows, AccumulateRows: the first K tile starts sums
  sc_core::sc_time last_input;       // StreamRows: when the last input row is ready; reported
                                     // back: when it entered the array (+1 cycle)

  static SystolicStream of(SystolicOp op, std::int64_t rows, std::int64_t cols,
                           std::int64_t accumulator_row = 0, bool overwrite = false) {
    SystolicStream s;
    s.op = op;
    s.rows = rows;
    s.cols = cols;
    s.accumulator_row = accumulator_row;
    s.overwrite = overwrite;
    return s;
  }
};

// A FIFO of weight tiles between the weight memory and the matrix unit, depth_tiles deep.
// Writes push a tile (at its arrival time); reads pop the oldest. Overflow and underflow are
// errors: the controller must respect the depth.
class WeightFifo : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<WeightFifo> socket;
  WeightFifo(sc_core::sc_module_name name, const ArchConfig& arch);
  Activity activity;
  std::size_t occupancy() const { return tiles_.size(); }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  struct Tile {
    std::vector<unsigned char> bytes;
    sc_core::sc_time ready;
  };
  std::deque<Tile> tiles_;
  std::int64_t depth_;
};

// rows x cols 8-bit MACs. ShiftWeights loads the shadow tile (rows cycles, once the shadow is
// free: when the previous tile became active); StreamRows activates the shadow tile and
// streams B input rows: row b enters array row k at t0 + b + k, moves right one PE per cycle,
// and its psum for column m leaves the bottom at t0 + b + (rows - 1) + m + 1. Results go to
// the accumulators as they leave.
class MatrixUnit : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<MatrixUnit> socket;
  tlm_utils::simple_initiator_socket<MatrixUnit> to_acc;
  MatrixUnit(sc_core::sc_module_name name, const ArchConfig& arch, Tracer* trace);

  Activity hops;                // inputs and psums moving to the next PE (bits x PEs passed)
  Activity weight_shift;        // weight tiles shifting down into the shadow registers
  std::int64_t macs = 0;        // useful MACs
  std::int64_t mac_passes = 0;  // 8-bit MAC operations: MACs x passes (16-bit operands: 2 or 4)
  bool compute_outputs = true;  // false (timing only): MACs counted, no products summed
  sc_core::sc_time shadow_free() const { return shadow_free_; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void shift_weights(tlm::tlm_generic_payload& gp, DataTransfer& data, const SystolicStream& op,
                     sc_core::sc_time& delay);
  void stream_rows(tlm::tlm_generic_payload& gp, DataTransfer& data, SystolicStream& op,
                   sc_core::sc_time& delay);

  const ArchConfig& arch_;
  sc_core::sc_time period_;
  std::vector<std::int16_t> shadow_, active_;
  std::int64_t shadow_k_ = 0, shadow_m_ = 0, active_k_ = 0, active_m_ = 0;
  std::int64_t shadow_bits_ = 8;    // weight width of the shadow tile
  std::vector<std::int16_t> wide_;  // 16-bit inputs
  bool shadow_loaded_ = false;
  sc_core::sc_time shadow_free_, shadow_ready_, stream_end_;
  std::vector<std::int32_t> results_;
  TraceSignal trace_active_, trace_shift_;
};

// entries x cols int32 accumulators in `buffers` equal banks; one row read or written per
// cycle per bank.
class AccumulatorBuffer : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<AccumulatorBuffer> socket;  // matrix unit, controller
  AccumulatorBuffer(sc_core::sc_module_name name, const ArchConfig& arch, Tracer* trace);
  Activity activity;

 private:
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  const AccumulatorConfig cfg_;
  std::int64_t cols_;
  sc_core::sc_time period_;
  std::vector<std::uint32_t> store_;
  std::vector<BusyResource> banks_;
  std::vector<TraceSignal> trace_bank_;  // per buffer
};

}  // namespace dfsim
