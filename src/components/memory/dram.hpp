// The "dram" component role, and its default implementation "bandwidth" (Dram).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <functional>
#include <memory>
#include <systemc>
#include <tlm>
#include <utility>
#include <vector>

#include "base/config/arch_config.hpp"
#include "base/energy/energy_table.hpp"
#include "base/stats/stats.hpp"
#include "base/trace/tracer.hpp"
#include "components/activity.hpp"
#include "components/byte_store.hpp"
#include "components/payload.hpp"

namespace dfsim {

// Off-chip memory as a TLM-2.0 target on the link side of the clock-domain crossing: it
// holds the bytes (the host lays out the operands with resize/grow and debug transport), serves
// reads and writes with its timing, and counts bits per data type in `activity`. An array
// style builds the one the architecture names (`dram.impl`) with
// make_component<DramModel>("dram", impl, name, arch, trace).
class DramModel : public sc_core::sc_module {
 public:
  // By sc_module_name (not const char*), so that the module takes its place in the hierarchy.
  explicit DramModel(sc_core::sc_module_name name) : sc_module(name) {}
  virtual tlm::tlm_target_socket<>& target() = 0;

  void resize(std::size_t bytes) { store_.assign(bytes); }
  void grow(std::size_t bytes) { store_.grow(bytes); }
  std::size_t size() const { return store_.size(); }

  Activity activity;

  // A model with devices (impl jedec) reports what they did, cumulative from the start of the
  // run to the current simulation time (DramDeviceStats::present false for the others).
  virtual DramDeviceStats device_totals() { return {}; }
  // The 99th percentile and the maximum (ns) of the read latencies of the requests issued
  // from the `first`-th read request on; {-1, 0} without a device model or requests.
  virtual std::pair<double, double> read_latency_tail(std::int64_t /*first*/) const {
    return {-1, 0};
  }

 protected:
  ByteStore store_;
  // Debug transport (no time, no energy).
  unsigned int debug_access(tlm::tlm_generic_payload& gp) { return store_.debug_copy(gp); }
};

// A layer's view of the DRAM device: made when the layer starts, `finish` puts the device's
// statistics since then into the layer's and its energy into the count of the action
// dram.device (energy_model.hpp). Nothing for a DRAM model without devices.
class DramDeviceWindow {
 public:
  explicit DramDeviceWindow(DramModel& dram) : dram_(dram), start_(dram.device_totals()) {}
  void finish(LayerStats& s, ActionCounts& n, const EnergyTable& table) const;

 private:
  DramModel& dram_;
  DramDeviceStats start_;
};

// What a "dram" implementation registers (ComponentImpl::factory), and how a style builds
// the architecture's (`dram.impl`).
using DramFactory =
    std::function<std::unique_ptr<DramModel>(const char* name, const ArchConfig&, Tracer*)>;
std::unique_ptr<DramModel> make_dram(const char* name, const ArchConfig& arch, Tracer* trace);

// The default: one channel behind a link of bus_width_bits at the link clock, bursts served
// in order, first-data latency pipelined across back-to-back requests.
class Dram : public DramModel {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const ArchConfig& arch, Tracer* trace);
  tlm::tlm_target_socket<>& target() override { return socket; }

  const BusyResource& channel() const { return channel_; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  const DramConfig cfg_;
  sc_core::sc_time link_period_;
  double bytes_per_link_cycle_;
  BusyResource channel_;
  TraceSignal trace_busy_, trace_bw_;
};

// The asynchronous FIFO between two clock domains: a transaction crossing it reaches the
// other side at the receiving clock's next edge plus the synchronizer depth, and its
// completion crosses back the same way.
class ClockDomainCrossing : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ClockDomainCrossing> from_core;
  tlm_utils::simple_initiator_socket<ClockDomainCrossing> to_link;

  ClockDomainCrossing(sc_core::sc_module_name name, const ArchConfig& arch);

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& gp);
  // Absolute time `t` moved to the next edge of a clock with `period`, plus `sync` edges.
  static sc_core::sc_time cross(const sc_core::sc_time& t, const sc_core::sc_time& period,
                                std::int64_t sync);
  sc_core::sc_time core_period_, link_period_;
  std::int64_t sync_cycles_;
};

}  // namespace dfsim
