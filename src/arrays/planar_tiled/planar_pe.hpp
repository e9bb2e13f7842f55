// The processing element of the planar-tiled array, in two dataflows (arch pe.dataflow):
//  - cartesian_sparse (SCNN): each cycle a vector of F non-zero weights and a vector of I
//    non-zero activations of one input channel form all F x I products; each product's output
//    coordinate comes from the operands' coordinates; a scatter crossbar routes them into A
//    banked accumulators, where products that meet in a bank queue (and stall the multipliers
//    when a bank's queue is full).
//  - dot_product_dense (DCNN): each cycle F output channels x an I-channel dot product at one
//    (input position, filter tap), over every value, zeros included (optionally gated).
// Both hold one input tile (delivered from the IARAM), a weight FIFO filled by the broadcast
// bus, kc x extent accumulators, and a post-processing unit that sends halo psums to their
// owners over the HaloNetwork and turns owned psums into encoded outputs.
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/planar_tiled/pt_mapping.hpp"
#include "arrays/planar_tiled/pt_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/trace/tracer.hpp"
#include "components/activity.hpp"
#include "components/payload.hpp"
#include "workload/encoding.hpp"
#include "workload/tensor.hpp"

namespace dfsim {

// Sparse stream protocol: what a planar PE does with a transaction from the controller, the
// weight broadcast bus or the halo network.
enum class SparseOp : std::uint8_t {
  LoadWeights,   // one input channel's encoded weight block of the group, into the FIFO
  ComputeGroup,  // the PE's encoded input tile: run the group's products into the accumulators
  SendHalo,      // send the psums of outputs other PEs own to them
  AddHalo,       // DataTransfer.values HaloRecords from another PE, added into the accumulators
  Drain,         // post-process the owned outputs: ReLU, re-encode, return the stream
};
struct SparseStream : Extension<SparseStream> {
  static constexpr const char* kName = "SparseStream";
  SparseOp op = SparseOp::ComputeGroup;
  std::int64_t stream_bits = 0;     // LoadWeights, ComputeGroup: bits of the encoded stream in
                                    // the payload; Drain: reported back for the outputs
  std::int64_t stream_bytes = 0;    // Drain: reported back, the bytes the outputs fill
  std::int64_t channel = 0;         // LoadWeights: the block's input channel in the layer
  std::int64_t destination_pe = 0;  // AddHalo: the PE owning the outputs (halo network)
  sc_core::sc_time last_input;      // ComputeGroup: when the whole input stream has arrived

  static SparseStream of(SparseOp op, std::int64_t stream_bits = 0) {
    SparseStream s;
    s.op = op;
    s.stream_bits = stream_bits;
    return s;
  }
};

// What the configuration chain sets in every PE for a layer.
struct PlanarPeLayer {
  Arithmetic arith;
  std::int64_t R = 1, S = 1;
  StridePhases phases{Layer{}};
  std::int64_t C_per_group = 1;
  bool compute_outputs = true;  // false (timing only): products counted, not summed
};

// A psum on its way to the PE owning its output.
struct HaloRecord {
  std::int32_t e, f, k;  // output row, column, channel within the group
  Psum value;
};

// Per-PE counters of the events the statistics are computed from.
struct PlanarPeCounters {
  std::int64_t products = 0;           // products formed by the multipliers
  std::int64_t useful_products = 0;    // of them, accumulated (the others fall outside the tile's
                                       // outputs and are dropped)
  std::int64_t dense_macs = 0;         // dense PE: MAC slots on real inputs (zeros included)
  std::int64_t gated_macs = 0;         // dense PE: of them, skipped by zero gating
  std::int64_t steps = 0;              // multiplier-array cycles issued
  std::int64_t slots_filled = 0;       // multiplier slots holding an operand pair in those cycles
  std::int64_t conflict_stalls = 0;    // cycles the array waited for a full accumulator bank
  std::int64_t bank_conflicts = 0;     // products that found their bank busy
  std::int64_t compute_cycles = 0;     // cycles from group start to the PE's last product
  std::int64_t halo_values = 0;        // psums sent to other PEs
  std::int64_t adds = 0;               // products reduced (accumulated or summed in the tree)
  std::int64_t crossbar_products = 0;  // products routed through the scatter crossbar

  PlanarPeCounters& operator+=(const PlanarPeCounters& o);
  PlanarPeCounters operator-(const PlanarPeCounters& o) const;
};

class PlanarPe : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<PlanarPe> in;  // weight bus, controller, halo net
  tlm_utils::simple_initiator_socket<PlanarPe> to_halo;

  PlanarPe(sc_core::sc_module_name name, const ArchConfig& arch, int index, Tracer* trace);

  void configure_layer(const PlanarPeLayer& layer);
  // The tile this PE works on in a round, its valid (input, tap) pairs (PtTile::valid_taps)
  // and the owner PE of every output of its extent.
  void configure_tile(const PtTile& tile, std::int64_t valid_taps,
                      std::vector<std::int32_t> owner_of_extent);
  // Starts an output-channel group: kc output channels, input channels [c_lo, c_hi) of the
  // PE's tile; empties the accumulators and the FIFO.
  void begin_group(std::int64_t kc, std::int64_t c_lo, std::int64_t c_hi);

  // PE-local storage (the "rf" level): the weight FIFO (bits), the accumulators (entries) and
  // the post-processing unit (values written out).
  Activity weight_fifo, accumulators, ppu;
  Activity crossbar;  // products routed to the accumulator banks
  PlanarPeCounters counters;

 private:
  struct Act {
    std::int32_t ae, af;  // output row / column offset before the tap, in the extent
    std::int32_t v;
  };
  struct Wt {
    std::int32_t base;    // k * extent
    std::int32_t rq, sq;  // tap / stride
    std::int32_t v;
  };
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void load_weights(tlm::tlm_generic_payload& gp, const SparseStream& op,
                    const sc_core::sc_time& at);
  void compute(tlm::tlm_generic_payload& gp, DataTransfer& data, const SparseStream& op,
               sc_core::sc_time& delay);
  void send_halo(sc_core::sc_time& delay);
  void add_halo(tlm::tlm_generic_payload& gp, const DataTransfer& data, const sc_core::sc_time& at);
  void drain(tlm::tlm_generic_payload& gp, SparseStream& op, sc_core::sc_time& delay);
  // One channel's products; returns the cycle after its last issue (sparse) or its cycles.
  std::int64_t sparse_channel(std::int64_t t, const std::vector<std::vector<Act>>& acts,
                              const std::vector<std::vector<Wt>>& wts);
  void dense_channel(const std::vector<std::vector<Act>>& acts,
                     const std::vector<std::vector<Wt>>& wts);
  // The first cycle (after `start`) at which channel c's weights and inputs are both there:
  // its weight block's arrival, and its share of the input stream that arrives steadily from
  // `start` to `last_input`, channel after channel (channels taken as equal in size).
  std::int64_t channel_ready(std::int64_t c, const sc_core::sc_time& start,
                             const sc_core::sc_time& last_input) const;

  const ArchConfig arch_;
  const int index_;
  const sc_core::sc_time period_;
  PlanarPeLayer layer_;
  PtTile tile_;
  std::vector<std::int32_t> owner_;
  std::int64_t valid_taps_ = 0;
  std::int64_t kc_ = 0, c_lo_ = 0, c_hi_ = 0;
  std::int64_t ext_h_ = 0, ext_w_ = 0;
  std::vector<Psum> acc_;
  // The weight FIFO: encoded blocks of the group's input channels, with arrival times.
  struct Block {
    std::vector<std::uint8_t> bits;
    std::int64_t stream_bits = 0;
    sc_core::sc_time arrival;
    bool present = false;
  };
  std::vector<Block> fifo_;
  std::vector<std::int64_t> bank_free_;  // cycle each accumulator bank's queue empties
  std::vector<std::int32_t> bank_count_, touched_;
  sc_core::sc_time halo_ready_;
  std::int64_t halo_in_ = 0;  // psums received this group
  std::vector<std::vector<HaloRecord>> outgoing_;
  TraceSignal trace_busy_;
};

// Links between PEs for halo psums: each PE sends over its own link of halo_link_bits per
// cycle; a record reaches its owner after one cycle per hop on the 2-D grid.
class HaloNetwork : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<HaloNetwork> from_pe;   // bound in PE order
  tlm_utils::multi_passthrough_initiator_socket<HaloNetwork> to_pe;  // bound in PE order

  HaloNetwork(sc_core::sc_module_name name, const ArchConfig& arch);
  Activity activity;

 private:
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  const ArchConfig arch_;
  const sc_core::sc_time period_;
  std::vector<BusyResource> links_;
};

}  // namespace dfsim
