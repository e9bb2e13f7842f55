// A row-stationary processing element: filter, ifmap and psum scratchpads, one 16-bit MAC
// per cycle with zero gating, and a psum link to the PE below (or to the GON at a chain's
// bottom).
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <array>
#include <cstdint>
#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/row_stationary/rs_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/trace/tracer.hpp"
#include "components/activity.hpp"
#include "components/payload.hpp"
#include "workload/tensor.hpp"

namespace dfsim {

// Row-stationary PE protocol: what a PE does with a transaction a GIN or the PE above it
// delivers (DataTransfer says how many values).
enum class RsPeOp : std::uint8_t {
  LoadFilter,  // p*q*S weights of one filter row into the filter spad
  LoadIfmap,   // q padded ifmap rows of one image, streamed through the ifmap spad
  PsumIn,      // a psum row [p][n][F] to add to and pass down the chain (empty: start at 0)
};
struct RowStationaryOp : Extension<RowStationaryOp> {
  static constexpr const char* kName = "RowStationaryOp";
  RsPeOp op = RsPeOp::LoadFilter;
  std::int32_t image = 0;             // LoadIfmap: which of the n images
  std::int64_t psum_glb_address = 0;  // PsumIn: where the chain bottom writes the row (bytes)

  static RowStationaryOp of(RsPeOp op, std::int32_t image = 0, std::int64_t psum_glb_address = 0) {
    RowStationaryOp o;
    o.op = op;
    o.image = image;
    o.psum_glb_address = psum_glb_address;
    return o;
  }
};

// What the configuration scan chain sets in a PE for one processing pass.
struct PeSetup {
  bool active = false;
  std::int64_t n = 1;  // images
  std::int64_t p = 1;  // filters
  std::int64_t q = 1;  // channels
  std::int64_t S = 1;  // filter row length
  std::int64_t F = 1;  // ofmap row length
  std::int64_t stride = 1;
  std::int64_t dilation = 1;      // filter taps this many ifmap values apart
  std::int64_t padded_width = 1;  // Wp: ifmap row length including padding
  bool chain_bottom = false;      // send psums to the GON instead of the PE below
  Arithmetic arith;
  bool compute_outputs = true;  // false: count the MACs (and gated ones), compute no psums
};

class Pe : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Pe> in;  // GINs and the PE above
  tlm_utils::simple_initiator_socket<Pe> psum_down;   // local link to the PE below
  tlm_utils::simple_initiator_socket<Pe> to_gon;

  Pe(sc_core::sc_module_name name, const ArchConfig& arch, int index, Tracer* trace);

  // Starts a pass: spads are (re)filled by the transactions that follow.
  void configure(const PeSetup& setup);

  Activity rf;                  // spad accesses, by data type
  Activity link_activity;       // psums sent down the local link (NoC level)
  std::int64_t macs = 0;        // MACs performed (not gated)
  std::int64_t gated_macs = 0;  // MACs skipped by zero gating
  sc_core::sc_time busy_time;   // time spent computing

 private:
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  void load_filter(tlm::tlm_generic_payload& gp, const DataTransfer& data,
                   const sc_core::sc_time& at);
  void load_ifmap(tlm::tlm_generic_payload& gp, const DataTransfer& data, const RowStationaryOp& op,
                  const sc_core::sc_time& at);
  void psum_in(tlm::tlm_generic_payload& gp, const DataTransfer& data, const RowStationaryOp& op,
               sc_core::sc_time& delay);
  void compute();

  const PeConfig cfg_;
  const NocConfig noc_;
  sc_core::sc_time period_;
  PeSetup setup_;
  std::vector<std::int32_t> weights_;  // filter spad, stored [q][S][p] for the MAC loop
  std::vector<Value> ifmap_;           // ifmap stream [n][q][Wp] (the spad holds a q*S window)
  std::vector<Psum> partial_;          // this PE's products, [n][F][p]
  std::vector<Psum> out_;              // psums passed on, [p][n][F]
  // Per column of a padded ifmap row, the (f, s) taps reading it (made once per geometry).
  std::vector<std::int64_t> taps_at_;
  std::array<std::int64_t, 5> taps_key_{};  // the (Wp, F, stride, S, dilation) of taps_at_
  std::int64_t filter_loaded_ = 0;
  std::vector<std::int64_t> ifmap_loaded_;  // per image
  bool computed_ = false;
  sc_core::sc_time filter_ready_, ifmap_ready_, compute_end_;
  BusyResource link_;
  TraceSignal trace_busy_;
};

}  // namespace dfsim
