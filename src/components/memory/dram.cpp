#include "components/memory/dram.hpp"

#include <cmath>
#include <functional>
#include <memory>
#include <tuple>

#include "base/config/component_registry.hpp"
#include "base/energy/energy_model.hpp"
#include "base/trace/tracer.hpp"

namespace dfsim {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

const bool registered = register_component(
    {"dram",
     "bandwidth",
     "one channel: a bandwidth and a fixed first-data latency per burst, bursts in order",
     {},
     nullptr,
     DramFactory([](const char* name, const ArchConfig& arch, Tracer* trace) {
       return std::make_unique<Dram>(name, arch, trace);
     })});

}  // namespace

void DramDeviceWindow::finish(LayerStats& s, ActionCounts& n, const EnergyTable& table) const {
  if (!start_.present) return;
  DramDeviceStats d = dram_.device_totals().since(start_);
  std::tie(d.read_latency_ns_p99, d.read_latency_ns_max) =
      dram_.read_latency_tail(start_.read_requests);
  // A device without published currents (HBM2) has no dram.device action: its energy is per bit.
  if (const ActionId device = table.find(kDramDeviceAction); device < table.size())
    n.add(device, d.all.energy_pj());
  s.dram_device = std::move(d);
}

std::unique_ptr<DramModel> make_dram(const char* name, const ArchConfig& arch, Tracer* trace) {
  return make_component<DramModel, const char*, const ArchConfig&, Tracer*>("dram", arch.dram.impl,
                                                                            name, arch, trace);
}

Dram::Dram(sc_core::sc_module_name name, const ArchConfig& arch, Tracer* trace)
    : DramModel(name),
      socket("socket"),
      cfg_(arch.dram),
      link_period_(arch.link_period_ns(), SC_NS),
      bytes_per_link_cycle_(static_cast<double>(arch.dram.bus_width_bits) / 8.0),
      trace_busy_(trace, "dram", "busy", 1),
      trace_bw_(trace, "dram", "bandwidth_mbytes_per_s", 32) {
  if (cfg_.bandwidth_gbytes_per_s > 0)
    bytes_per_link_cycle_ =
        std::min(bytes_per_link_cycle_, cfg_.bandwidth_gbytes_per_s * 1e3 / arch.clocks.link_mhz);
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_transport_dbg(this, &Dram::debug_access);
}

void Dram::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const std::size_t len = gp.get_data_length();
  if (!store_.copy(gp)) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  DataTransfer& data = transfer_of(gp);
  // Whole bursts cross the link; the payload's bytes are what the bursts carry.
  const std::int64_t bursts =
      (static_cast<std::int64_t>(len) + cfg_.burst_bytes - 1) / cfg_.burst_bytes;
  const double cycles =
      std::ceil(static_cast<double>(bursts * cfg_.burst_bytes) / bytes_per_link_cycle_);
  const sc_time transfer = link_period_ * cycles;
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time start = channel_.book(now + delay, transfer);
  data.started = start;
  const sc_time done = start + transfer + sc_time(cfg_.latency_ns, SC_NS);
  const std::int64_t bits = static_cast<std::int64_t>(len) * 8;
  if (gp.is_read())
    activity.read(data.kind, bits);
  else
    activity.write(data.kind, bits);
  trace_busy_.busy(start, start + transfer);
  // Bandwidth in use while this transfer owns the channel.
  trace_bw_.set(start, transfer > sc_core::SC_ZERO_TIME
                           ? static_cast<std::uint64_t>(static_cast<double>(len) /
                                                        transfer.to_seconds() / 1e6)
                           : 0);
  trace_bw_.set(start + transfer, 0);
  delay = done - now;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

ClockDomainCrossing::ClockDomainCrossing(sc_core::sc_module_name name, const ArchConfig& arch)
    : sc_module(name),
      from_core("from_core"),
      to_link("to_link"),
      core_period_(arch.core_period_ns(), SC_NS),
      link_period_(arch.link_period_ns(), SC_NS),
      sync_cycles_(arch.clocks.cdc_sync_cycles) {
  from_core.register_b_transport(this, &ClockDomainCrossing::b_transport);
  from_core.register_transport_dbg(this, &ClockDomainCrossing::transport_dbg);
}

sc_time ClockDomainCrossing::cross(const sc_time& t, const sc_time& period, std::int64_t sync) {
  const double edges = std::ceil(t / period);
  return period * (edges + static_cast<double>(sync));
}

void ClockDomainCrossing::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const sc_time now = sc_core::sc_time_stamp();
  // Request: core -> link domain.
  delay = cross(now + delay, link_period_, sync_cycles_) - now;
  to_link->b_transport(gp, delay);
  // Response (read data or write acknowledge): link -> core domain.
  delay = cross(now + delay, core_period_, sync_cycles_) - now;
}

unsigned int ClockDomainCrossing::transport_dbg(tlm::tlm_generic_payload& gp) {
  return to_link->transport_dbg(gp);
}

}  // namespace dfsim
