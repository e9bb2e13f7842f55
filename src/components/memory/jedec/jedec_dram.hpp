// The dram implementation "jedec": JEDEC devices behind the chip's DRAM link, in the same run.
// A request is split into the device's bursts, each located by the address mapping; each
// channel's controller (DramChannel) schedules their commands against the banks' state and the
// timing, refresh included; the bursts then cross the chip's link (dram.bus_width_bits at the
// link clock) in the order their data is ready (writes: the link first, then the device). The
// request completes when its last byte has crossed. Energy: the devices' commands and
// background (dram_energy), plus dram.energy_pj_per_bit for each bit crossing the link (the
// interface: PHY and termination; 0 to count the devices alone).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <memory>
#include <set>
#include <vector>

#include "components/memory/dram.hpp"
#include "components/memory/jedec/address_mapping.hpp"
#include "components/memory/jedec/dram_channel.hpp"
#include "components/memory/jedec/dram_standard.hpp"

namespace dfsim::jedec {

class JedecDram : public DramModel {
 public:
  tlm_utils::simple_target_socket<JedecDram> socket;

  // Reads the spec from arch.node's dram section (parse_dram_spec).
  JedecDram(sc_core::sc_module_name name, const ArchConfig& arch, Tracer* trace);
  tlm::tlm_target_socket<>& target() override { return socket; }

  DramDeviceStats device_totals() override;
  std::pair<double, double> read_latency_tail(std::int64_t first) const override;
  const DramSpec& spec() const { return spec_; }

 private:
  struct ChannelTrace {
    std::vector<TraceSignal> banks;           // per rank x bank: 1 while a row is open
    TraceSignal queue;                        // requests queued or in service
    std::multiset<sc_core::sc_time> pending;  // completion times
  };
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);
  // The request's bursts per channel, ready from `ready` (reads) or as the link delivers them.
  void split(std::int64_t addr, std::int64_t bytes, bool write, const sc_core::sc_time& ready);
  sc_core::sc_time link_out(const sc_core::sc_time& arrival, bool write);
  void trace_queue(std::size_t channel, const sc_core::sc_time& arrival,
                   const sc_core::sc_time& done);
  std::int64_t cycle_at(const sc_core::sc_time& t) const;
  sc_core::sc_time time_of(std::int64_t cycle) const;

  const DramSpec spec_;
  const AddressMapping mapping_;
  std::vector<DramChannel> channels_;
  std::vector<std::vector<DramBurst>> queued_;  // per channel, this request's bursts
  const sc_core::sc_time tck_;
  sc_core::sc_time link_burst_;  // one device burst across the chip's link
  BusyResource link_;
  DramDeviceStats totals_;
  std::vector<double> read_latency_ns_;  // per read request, in issue order
  std::vector<ChannelTrace> trace_;
};

}  // namespace dfsim::jedec
