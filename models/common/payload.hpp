// What travels on dfsim's TLM-2.0 sockets: the generic payload plus one extension that says
// which data type it carries, its multicast tag and the PE operation it asks for.
#pragma once

#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

namespace dfsim {

enum class DataKind : std::uint8_t { Weight = 0, Ifmap = 1, Psum = 2, Ofmap = 3 };
constexpr int kNumDataKinds = 4;
const char* to_string(DataKind k);

// What a PE does with a transaction addressed to it.
enum class PeOp : std::uint8_t {
  None,
  LoadFilter,  // p*q*S weights of one filter row into the filter spad
  LoadIfmap,   // q padded ifmap rows of one image, streamed through the ifmap spad
  PsumIn,      // a psum row [p][n][F] to add to and pass down the chain (empty: start at 0)
  // Systolic array:
  ShiftWeights,    // a [rows][cols] weight tile shifted into the shadow weight registers
  StreamRows,      // [rows][K] input rows streamed through the array with the shadow tile
  AccumulateRows,  // [rows][cols] int32 results into the accumulators (add or overwrite)
  ReadRows,        // [rows][cols] int32 out of the accumulators
  // Planar-tiled array:
  LoadWeights,   // one input channel's encoded weight block of the group, into the FIFO
  ComputeGroup,  // the PE's encoded input tile: run the group's products into the accumulators
  SendHalo,      // send the psums of outputs other PEs own to them
  AddHalo,       // psum records from another PE, added into the accumulators
  Drain,         // post-process the owned outputs: ReLU, re-encode, return the stream
};

// A GIN tag: the NoC delivers to every PE whose configured (row_id, col_id) equals it.
struct NocTag {
  std::int32_t row_id = 0;
  std::int32_t col_id = 0;
  bool operator==(const NocTag& o) const { return row_id == o.row_id && col_id == o.col_id; }
  std::uint64_t key() const {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(row_id)) << 32) |
           static_cast<std::uint32_t>(col_id);
  }
};

struct DfsimExtension : tlm::tlm_extension<DfsimExtension> {
  DataKind kind = DataKind::Ifmap;
  PeOp op = PeOp::None;
  NocTag tag;
  std::int64_t values = 0;           // data values carried
  std::int64_t bits_per_value = 16;  // width each value occupies on wires and in memories
  std::int32_t image = 0;            // LoadIfmap: which of the n images
  std::int64_t glb_address = 0;      // PsumIn: where the chain bottom writes its psums;
                                     // accumulators: the first row
  std::int64_t rows = 0, cols = 0;   // systolic: matrix shape of the payload
  bool overwrite = false;            // AccumulateRows: the first K tile starts the sums
  std::int64_t stream_bits = 0;      // encoded payloads: bits of the stream
  std::int64_t index = 0;            // planar array: input channel, or destination PE
  sc_core::sc_time started;          // filled by the target: when the resource began serving
  sc_core::sc_time stream_start;     // PsumIn to the GON: when the row's first psum was ready
  sc_core::sc_time last_input;       // StreamRows: when the last input row is ready

  tlm::tlm_extension_base* clone() const override { return new DfsimExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& e) override {
    *this = static_cast<const DfsimExtension&>(e);
  }
  std::int64_t bits() const { return values * bits_per_value; }
};

// A shared resource (bus, bank, channel) in the loosely-timed model: requests are served in
// the order they are made, each starting when the resource is free.
class BusyResource {
 public:
  // Books `duration` at absolute time `earliest` or later; returns the start time.
  sc_core::sc_time book(const sc_core::sc_time& earliest, const sc_core::sc_time& duration) {
    const sc_core::sc_time start = earliest > busy_until_ ? earliest : busy_until_;
    busy_until_ = start + duration;
    busy_total_ += duration;
    return start;
  }
  const sc_core::sc_time& busy_until() const { return busy_until_; }
  const sc_core::sc_time& busy_total() const { return busy_total_; }
  void reset() { busy_until_ = sc_core::SC_ZERO_TIME; }

 private:
  sc_core::sc_time busy_until_ = sc_core::SC_ZERO_TIME;
  sc_core::sc_time busy_total_ = sc_core::SC_ZERO_TIME;
};

// A payload with its extension, owned by the initiator (blocking transport only).
class Transaction {
 public:
  Transaction() { gp_.set_extension(&ext_); }
  ~Transaction() { gp_.clear_extension(&ext_); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  tlm::tlm_generic_payload& gp() { return gp_; }
  DfsimExtension& ext() { return ext_; }
  void setup(tlm::tlm_command cmd, std::uint64_t addr, unsigned char* data, std::size_t bytes) {
    gp_.set_command(cmd);
    gp_.set_address(addr);
    gp_.set_data_ptr(data);
    gp_.set_data_length(static_cast<unsigned>(bytes));
    gp_.set_streaming_width(static_cast<unsigned>(bytes));
    gp_.set_byte_enable_ptr(nullptr);
    gp_.set_dmi_allowed(false);
    gp_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  }

 private:
  tlm::tlm_generic_payload gp_;
  DfsimExtension ext_;
};

DfsimExtension& extension_of(tlm::tlm_generic_payload& gp);

// Throws SimulationError if a target reported an error.
void check_response(tlm::tlm_generic_payload& gp, const char* what);

}  // namespace dfsim
