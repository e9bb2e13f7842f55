// The "sram" component role (a banked on-chip buffer: the row-stationary GLB, the systolic
// unified buffer, the planar activation RAMs), and its implementation "banked_sram"
// (GlobalBuffer).
#pragma once

#include <tlm_utils/multi_passthrough_target_socket.h>

#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "base/config/arch_config.hpp"
#include "base/trace/tracer.hpp"
#include "components/activity.hpp"
#include "components/byte_store.hpp"
#include "components/payload.hpp"

namespace dfsim {

// A banked on-chip buffer as a TLM-2.0 target (bound by any number of initiators: the
// controller, the GON): banks assigned one data type per layer, reads and writes with the
// implementation's timing, bits per data type counted in `activity`, host access (preload,
// read-back) by debug transport. A style builds the one its section names (`impl`) with
// make_sram.
class SramModel : public sc_core::sc_module {
 public:
  using Socket = tlm::tlm_target_socket<32, tlm::tlm_base_protocol_types, 0>;
  // By sc_module_name (not const char*), so that the module takes its place in the hierarchy.
  explicit SramModel(sc_core::sc_module_name name) : sc_module(name) {}
  virtual Socket& target() = 0;
  virtual std::int64_t size_bytes() const = 0;
  // Assigns banks [first, first + count) to a data type (per layer).
  virtual void assign_banks(std::int64_t first, std::int64_t count, DataKind kind) = 0;
  virtual void clear_assignment() = 0;

  Activity activity;
};

// What an "sram" implementation registers; `trace_scope` names its signals in a waveform
// (e.g. "glb", "unified_buffer").
using SramFactory = std::function<std::unique_ptr<SramModel>(
    const char* name, const GlbConfig&, double core_period_ns, Tracer*, const std::string&)>;
std::unique_ptr<SramModel> make_sram(const char* name, const GlbConfig& cfg, double core_period_ns,
                                     Tracer* trace, const std::string& trace_scope);

// The default: each bank serves one access of bank_width_bits per core cycle; an access
// spanning banks is served by all of them in parallel. Touching a bank assigned another data
// type, or outside the buffer, is an address error.
class GlobalBuffer : public SramModel {
 public:
  tlm_utils::multi_passthrough_target_socket<GlobalBuffer> socket;  // controller and GON

  GlobalBuffer(sc_core::sc_module_name name, const GlbConfig& cfg, double core_period_ns,
               Tracer* trace, const std::string& trace_scope);
  Socket& target() override { return socket; }

  std::int64_t size_bytes() const override { return static_cast<std::int64_t>(store_.size()); }
  void assign_banks(std::int64_t first, std::int64_t count, DataKind kind) override;
  void clear_assignment() override;

 private:
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(int port, tlm::tlm_generic_payload& gp);

  const GlbConfig cfg_;
  sc_core::sc_time period_;
  ByteStore store_;
  std::vector<BusyResource> banks_;
  std::vector<int> bank_kind_;           // -1: unassigned
  std::vector<TraceSignal> trace_bank_;  // per bank
};

}  // namespace dfsim
