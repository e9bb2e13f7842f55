#include "components/noc/noc.hpp"

#include <cstring>

#include "base/config/component_registry.hpp"
#include "base/sim_error.hpp"
#include "base/trace/tracer.hpp"
#include "base/util/le_bytes.hpp"

namespace dfsim {

using sc_core::sc_time;

namespace {
std::int64_t cycles_for(std::int64_t bits, std::int64_t width) {
  return (bits + width - 1) / width;
}

const bool registered = register_component(
    {"multicast_noc",
     "tagged_multicast",
     "one bus occupancy delivers a payload to every PE with its tag",
     {},
     nullptr,
     MulticastNocFactory([](const char* name, std::int64_t width_bits, double core_period_ns,
                            Tracer* trace) -> std::unique_ptr<MulticastNocModel> {
       return std::make_unique<MulticastNoc>(name, width_bits, core_period_ns, trace);
     })});
}  // namespace

std::unique_ptr<MulticastNocModel> make_multicast_noc(const std::string& impl, const char* name,
                                                      std::int64_t width_bits,
                                                      double core_period_ns, Tracer* trace) {
  return make_component<MulticastNocModel, const char*, std::int64_t, double, Tracer*>(
      "multicast_noc", impl, name, width_bits, core_period_ns, trace);
}

void MulticastNocModel::set_ids(const std::vector<NocTag>& ids) {
  receivers_.clear();
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (!(ids[i] == disabled())) receivers_[ids[i].key()].push_back(static_cast<int>(i));
}

const std::vector<int>* MulticastNocModel::receivers_of(const NocTag& tag) const {
  auto it = receivers_.find(tag.key());
  return it == receivers_.end() ? nullptr : &it->second;
}

MulticastNoc::MulticastNoc(sc_core::sc_module_name name, std::int64_t width_bits,
                           double core_period_ns, Tracer* trace)
    : MulticastNocModel(name),
      in("in"),
      width_bits_(width_bits),
      period_(core_period_ns, sc_core::SC_NS) {
  in.register_b_transport(this, &MulticastNoc::b_transport);
  trace_busy_ = TraceSignal(trace, "noc", std::string(basename()) + "_busy", 1);
}

void MulticastNoc::b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
  DataTransfer& data = transfer_of(gp);
  const std::vector<int>* receivers = receivers_of(extension_of<MulticastTag>(gp).tag);
  if (!receivers) {
    // Data no PE is configured to take is a mapping bug, not something to drop silently.
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const sc_time now = sc_core::sc_time_stamp();
  const std::int64_t bits = data.bits();
  const sc_time dur = period_ * static_cast<double>(cycles_for(bits, width_bits_));
  const sc_time start = bus_.book(now + delay, dur);
  data.started = start;
  trace_busy_.busy(start, start + dur);
  // Every receiver sees the last value one cycle after the bus delivered it.
  const sc_time arrival = start + dur + period_;
  sc_time done = arrival;
  for (int pe : *receivers) {
    sc_time d = arrival - now;
    to_pe[pe]->b_transport(gp, d);
    if (!gp.is_response_ok()) return;
    if (now + d > done) done = now + d;
    activity.write(data.kind, bits);
  }
  delay = done - now;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

OutputNoc::OutputNoc(sc_core::sc_module_name name, std::int64_t width_bits, double core_period_ns,
                     Tracer* trace)
    : sc_module(name),
      from_pe("from_pe"),
      to_glb("to_glb"),
      width_bits_(width_bits),
      period_(core_period_ns, sc_core::SC_NS) {
  from_pe.register_b_transport(this, &OutputNoc::b_transport);
  trace_busy_ = TraceSignal(trace, "noc", "gon_busy", 1);
}

void OutputNoc::b_transport(int, tlm::tlm_generic_payload& gp, sc_time& delay) {
  const DataTransfer& data = transfer_of(gp);
  const GonWrite& row = extension_of<GonWrite>(gp);
  const sc_time now = sc_core::sc_time_stamp();
  const std::int64_t bits = data.bits();
  const sc_time dur = period_ * static_cast<double>(cycles_for(bits, width_bits_));
  // The psum row streams out while it is produced: the transfer may begin when the first psum
  // is ready, but not before the bus is free, and ends no earlier than the last psum.
  const sc_time ready = now + delay;
  const sc_time earliest = std::min(std::max(row.first_value_ready, now), ready);
  const sc_time start = bus_.book(earliest, dur);
  sc_time end = start + dur;
  if (end < ready + period_) end = ready + period_;
  trace_busy_.busy(start, end);
  activity.write(data.kind, bits);

  // Pack the psums to their stored width and write them to the GLB.
  const auto* psums = reinterpret_cast<const std::uint32_t*>(gp.get_data_ptr());
  const std::size_t bytes_per = static_cast<std::size_t>(data.bits_per_value / 8);
  packed_.resize(static_cast<std::size_t>(data.values) * bytes_per);
  store_le_all(packed_.data(), psums, static_cast<std::size_t>(data.values), bytes_per);
  Transaction t;
  t.setup(tlm::TLM_WRITE_COMMAND, static_cast<std::uint64_t>(row.glb_address), packed_.data(),
          packed_.size());
  t.data().kind = DataKind::Psum;
  t.data().values = data.values;
  t.data().bits_per_value = data.bits_per_value;
  sc_time d = start - now;
  to_glb->b_transport(t.gp(), d);
  check_response(t.gp(), "GON write to GLB");
  if (now + d < end + period_) d = end + period_ - now;
  delay = d;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace dfsim
