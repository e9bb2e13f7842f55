#include "components/memory/jedec/jedec_dram.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/text.hpp"
#include "base/trace/tracer.hpp"

namespace dfsim::jedec {

using sc_core::SC_NS;
using sc_core::sc_time;

namespace {

// The device energy per bit of a sequential read stream, for the mappers' estimates: one ACT
// and PRE per row, a RD per burst with active standby during its data, and the refresh energy
// spread over the bytes a channel moves per tREFI at its peak rate.
double sequential_pj_per_bit(const DramSpec& spec) {
  const DramOrganization& o = spec.device.org;
  DramCommandCounts row;
  row.act = row.pre = 1;
  row.rd = o.bursts_per_row();
  BackgroundCycles bg;
  bg.active = o.bursts_per_row() * o.burst_length / 2;
  const double row_bits = static_cast<double>(o.row_bytes() * 8);
  DramCommandCounts one_ref;
  one_ref.ref = o.ranks;  // every rank refreshes
  const double bits_per_refi =
      static_cast<double>(spec.device.timing.tREFI) * static_cast<double>(o.channel_width_bits * 2);
  return dram_energy(spec.device, row, bg).total() / row_bits +
         dram_energy(spec.device, one_ref, {}).total() / bits_per_refi;
}

// The role's common figures the estimates read, from the device: a row miss's first data as
// the latency, the peak rate less refresh as the bandwidth.
void derive_common(const ConfigNode& n, DramConfig& d) {
  for (const char* key : {"latency_ns", "bandwidth_gbytes_per_s"})
    if (n.has(key))
      n.at(key).fail(
          std::string("is not used by impl jedec: the device's timing comes from its "
                      "standard (change it with timing_cycles)"));
  const DramSpec spec = parse_dram_spec(n);
  if (const std::string problem = address_mapping_problem(spec.address_mapping); !problem.empty())
    n.at("address_mapping").fail(problem);
  if (!spec.device.has_currents && d.energy_pj_per_bit == 0)
    n.at("energy_pj_per_bit")
        .fail(spec.device.name +
              " has no published IDD currents: state the device's energy per bit here, or give "
              "supply_v and currents_ma");
  const DramTiming& t = spec.device.timing;
  d.latency_ns = static_cast<double>(t.tRCD + t.tCL + spec.device.org.burst_length / 2) * t.tck_ns;
  d.bandwidth_gbytes_per_s =
      peak_bytes_per_ns(spec) * (1.0 - static_cast<double>(t.tRFC) / static_cast<double>(t.tREFI));
  d.device_energy = spec.device.has_currents;
  d.device_pj_per_bit = spec.device.has_currents ? sequential_pj_per_bit(spec) : 0;
}

std::string standards_list() {
  std::string out;
  for (const std::string& s : dram_standard_names()) out += (out.empty() ? "" : ", ") + s;
  return out;
}

const bool registered =
    register_component({"dram", "jedec",
                        "JEDEC devices (standard: " + standards_list() +
                            "): channels, ranks, banks, rows, FR-FCFS, refresh, command energy",
                        jedec_section_keys(), nullptr,
                        DramFactory([](const char* name, const ArchConfig& arch, Tracer* trace) {
                          return std::make_unique<JedecDram>(name, arch, trace);
                        }),
                        DramDerive(derive_common)});

}  // namespace

JedecDram::JedecDram(sc_core::sc_module_name name, const ArchConfig& arch, Tracer* trace)
    : DramModel(name),
      socket("socket"),
      spec_(parse_dram_spec(arch.node->at("dram"))),
      mapping_(spec_.address_mapping, spec_.device.org),
      queued_(static_cast<std::size_t>(spec_.device.org.channels)),
      tck_(spec_.device.timing.tck_ns, SC_NS) {
  const DramOrganization& o = spec_.device.org;
  const double link_bytes_per_cycle = static_cast<double>(arch.dram.bus_width_bits) / 8.0;
  link_burst_ = sc_time(arch.link_period_ns(), SC_NS) *
                (static_cast<double>(o.burst_bytes()) / link_bytes_per_cycle);
  for (std::int64_t c = 0; c < o.channels; ++c) channels_.emplace_back(spec_);
  if (trace) {
    trace_.resize(channels_.size());
    for (std::size_t c = 0; c < channels_.size(); ++c) {
      const std::string ch = "ch" + std::to_string(c);
      trace_[c].queue = TraceSignal(trace, "dram", ch + "_queue", 16);
      for (std::int64_t r = 0; r < o.ranks; ++r)
        for (std::int64_t b = 0; b < o.banks(); ++b)
          trace_[c].banks.emplace_back(
              trace, "dram", ch + "_r" + std::to_string(r) + "_b" + std::to_string(b) + "_open", 1);
      channels_[c].on_command = [this, c](const DramCommand& cmd) {
        if (cmd.kind != DramCommandKind::Act && cmd.kind != DramCommandKind::Pre) return;
        trace_[c]
            .banks[static_cast<std::size_t>(cmd.rank * spec_.device.org.banks() + cmd.bank)]
            .set(time_of(cmd.cycle), cmd.kind == DramCommandKind::Act ? 1 : 0);
      };
    }
  }
  socket.register_b_transport(this, &JedecDram::b_transport);
  socket.register_transport_dbg(this, &JedecDram::debug_access);
}

std::int64_t JedecDram::cycle_at(const sc_time& t) const {
  return static_cast<std::int64_t>(std::ceil(t / tck_ - 1e-9));
}

sc_time JedecDram::time_of(std::int64_t cycle) const { return tck_ * static_cast<double>(cycle); }

void JedecDram::split(std::int64_t addr, std::int64_t bytes, bool write, const sc_time& ready) {
  const std::int64_t bb = mapping_.burst_bytes();
  std::int64_t k = 0;
  for (std::int64_t a = addr / bb * bb; a < addr + bytes; a += bb, ++k) {
    const DramCoordinates at = mapping_.locate(a);
    // A write burst reaches the device once the link has carried it.
    const sc_time r = write ? ready + link_burst_ * static_cast<double>(k + 1) : ready;
    queued_[static_cast<std::size_t>(at.channel)].push_back({at, write, cycle_at(r), 0});
  }
}

// When the request's last byte has crossed: reads cross the link as the device delivers them;
// writes are done when the device has taken the last burst.
sc_time JedecDram::link_out(const sc_time& arrival, bool write) {
  std::vector<std::int64_t> ends;
  for (std::size_t c = 0; c < channels_.size(); ++c) {
    if (queued_[c].empty()) continue;
    channels_[c].serve(queued_[c]);
    std::int64_t last = 0;
    for (const DramBurst& b : queued_[c]) {
      ends.push_back(b.data_end);
      last = std::max(last, b.data_end);
    }
    if (!trace_.empty()) trace_queue(c, arrival, time_of(last));
  }
  if (write) return time_of(*std::max_element(ends.begin(), ends.end()));
  std::sort(ends.begin(), ends.end());
  sc_time done = arrival;
  for (std::int64_t e : ends) done = link_.book(time_of(e), link_burst_) + link_burst_;
  return done;
}

void JedecDram::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  const auto len = static_cast<std::int64_t>(gp.get_data_length());
  if (!store_.copy(gp)) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  DataTransfer& data = transfer_of(gp);
  const bool write = gp.is_write();
  if (write)
    activity.write(data.kind, len * 8);
  else
    activity.read(data.kind, len * 8);
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time arrival = now + delay;
  for (auto& q : queued_) q.clear();
  const auto addr = static_cast<std::int64_t>(gp.get_address());
  const std::int64_t bb = mapping_.burst_bytes(), bursts = (addr + len - 1) / bb - addr / bb + 1;
  // Writes cross the link first, in one stretch.
  const sc_time start =
      write ? link_.book(arrival, link_burst_ * static_cast<double>(bursts)) : arrival;
  split(addr, len, write, start);
  const sc_time done = link_out(arrival, write);
  data.started = start;
  if (write) {
    ++totals_.write_requests;
    totals_.write_bytes += len;
  } else {
    ++totals_.read_requests;
    totals_.read_bytes += len;
    const double ns = (done - arrival).to_seconds() * 1e9;
    totals_.read_latency_ns_sum += ns;
    totals_.read_latency_ns_max = std::max(totals_.read_latency_ns_max, ns);
    read_latency_ns_.push_back(ns);
  }
  delay = done - now;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

void JedecDram::trace_queue(std::size_t channel, const sc_time& arrival, const sc_time& done) {
  ChannelTrace& ct = trace_[channel];
  // Requests done by this arrival leave the queue (exact while arrivals come in time order).
  std::multiset<sc_time>& pending = ct.pending;
  while (!pending.empty() && *pending.begin() <= arrival) {
    const sc_time t = *pending.begin();
    pending.erase(pending.begin());
    ct.queue.set(t, pending.size());
  }
  pending.insert(done);
  ct.queue.set(arrival, pending.size());
}

DramDeviceStats JedecDram::device_totals() {
  DramDeviceStats d = totals_;
  d.present = true;
  const auto now = static_cast<std::int64_t>(sc_core::sc_time_stamp() / tck_);
  for (DramChannel& ch : channels_) {
    const ChannelCounters& c = ch.counters();
    const DramEnergy e = dram_energy(spec_.device, c.commands, ch.background(now));
    DramCommandStats s;
    s.bursts = c.commands.rd + c.commands.wr;
    s.act = c.commands.act;
    s.pre = c.commands.pre;
    s.rd = c.commands.rd;
    s.wr = c.commands.wr;
    s.ref = c.commands.ref;
    s.row_hits = c.row_hits;
    s.row_misses = c.row_misses;
    s.row_conflicts = c.row_conflicts;
    s.act_pj = e.act;
    s.pre_pj = e.pre;
    s.rd_pj = e.rd;
    s.wr_pj = e.wr;
    s.ref_pj = e.ref;
    s.background_pj = e.background;
    d.channels.push_back(s);
    d.all += s;
  }
  return d;
}

std::pair<double, double> JedecDram::read_latency_tail(std::int64_t first) const {
  if (first < 0 || static_cast<std::size_t>(first) >= read_latency_ns_.size()) return {-1, 0};
  std::vector<double> v(read_latency_ns_.begin() + first, read_latency_ns_.end());
  // Nearest rank: the smallest value with at least 99% of the requests at or below it.
  const auto rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(v.size()))) - 1;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank), v.end());
  const double p99 = v[rank];
  return {p99, *std::max_element(v.begin(), v.end())};
}

}  // namespace dfsim::jedec
