// The banked on-chip global buffer. Each bank serves one access of bank_width_bits per core
// cycle; an access spanning banks is served by all of them in parallel. A bank is assigned
// one data type per layer; touching it with another type, or outside the buffer, is an
// address error.
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>

#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "config/arch_config.hpp"
#include "models/common/activity.hpp"
#include "models/common/payload.hpp"
#include "trace/tracer.hpp"

namespace dfsim {

class GlobalBuffer : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<GlobalBuffer> socket;  // controller and GON

  // `trace_scope` names the buffer's signals in a waveform (e.g. "glb", "unified_buffer").
  GlobalBuffer(sc_core::sc_module_name name, const GlbConfig& cfg, double core_period_ns,
               Tracer* trace, const std::string& trace_scope);

  std::int64_t size_bytes() const { return static_cast<std::int64_t>(store_.size()); }
  std::int64_t bank_bytes() const { return cfg_.bank_bytes; }
  // Assigns banks [first, first + count) to a data type (per layer).
  void assign_banks(std::int64_t first, std::int64_t count, DataKind kind);
  void clear_assignment();

  Activity activity;
  std::vector<BusyResource>& banks() { return banks_; }

 private:
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(int port, tlm::tlm_generic_payload& gp);

  const GlbConfig cfg_;
  sc_core::sc_time period_;
  std::vector<unsigned char> store_;
  std::vector<BusyResource> banks_;
  std::vector<int> bank_kind_;           // -1: unassigned
  std::vector<TraceSignal> trace_bank_;  // per bank
};

}  // namespace dfsim
