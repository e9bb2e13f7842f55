// A "multicast_noc" implementation that lives only in the tests: a NoC without multicast, where
// each receiving PE's copy occupies the bus in turn (ceil(bits / width) cycles each) and reaches
// its PE one cycle after its own copy (`started` is the first copy's start). It registers by
// name from this file alone; tests/test_component_impls.cpp checks that the row-stationary GINs
// and the planar weight bus are built as it when an architecture names it
// (`noc: {impl: test_unicast}`), that the runs wait for its copies and stay bit-exact. It
// traces nothing.
#include <tlm_utils/simple_target_socket.h>

#include <memory>
#include <vector>

#include "base/config/component_registry.hpp"
#include "components/noc/noc.hpp"
#include "counters.hpp"

namespace dfsim_test {

std::int64_t UnicastNocCounters::built = 0;
std::int64_t UnicastNocCounters::copies = 0;
std::int64_t UnicastNocCounters::bits = 0;

namespace {

using sc_core::sc_time;

class UnicastNoc : public dfsim::MulticastNocModel {
 public:
  tlm_utils::simple_target_socket<UnicastNoc> in;

  UnicastNoc(sc_core::sc_module_name name, std::int64_t width_bits, double core_period_ns)
      : MulticastNocModel(name),
        in("in"),
        width_bits_(width_bits),
        period_(core_period_ns, sc_core::SC_NS) {
    in.register_b_transport(this, &UnicastNoc::b_transport);
    ++UnicastNocCounters::built;
  }
  tlm::tlm_target_socket<>& target() override { return in; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    dfsim::DataTransfer& data = dfsim::transfer_of(gp);
    const std::vector<int>* receivers =
        receivers_of(dfsim::extension_of<dfsim::MulticastTag>(gp).tag);
    if (!receivers) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    const sc_time now = sc_core::sc_time_stamp();
    const sc_time dur =
        period_ * static_cast<double>((data.bits() + width_bits_ - 1) / width_bits_);
    sc_time done = now;
    for (std::size_t i = 0; i < receivers->size(); ++i) {
      const sc_time start = bus_.book(now + delay, dur);
      if (i == 0) data.started = start;
      sc_time d = start + dur + period_ - now;
      to_pe[(*receivers)[i]]->b_transport(gp, d);
      if (!gp.is_response_ok()) return;
      if (now + d > done) done = now + d;
      activity.write(data.kind, data.bits());
      ++UnicastNocCounters::copies;
      UnicastNocCounters::bits += data.bits();
    }
    delay = done - now;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  std::int64_t width_bits_;
  sc_time period_;
  dfsim::BusyResource bus_;
};

const bool registered = dfsim::register_component(
    {"multicast_noc",
     "test_unicast",
     "test only: a copy per receiving PE, one after another on the bus",
     {},
     nullptr,
     dfsim::MulticastNocFactory([](const char* name, std::int64_t width_bits, double core_period_ns,
                                   dfsim::Tracer*) -> std::unique_ptr<dfsim::MulticastNocModel> {
       return std::make_unique<UnicastNoc>(name, width_bits, core_period_ns);
     })});

}  // namespace
}  // namespace dfsim_test
