// A "dram" implementation that lives only in the tests: every request completes a fixed
// `fixed_latency_ns` after it is issued, whatever its size and whatever else is in flight (no
// bandwidth limit). It registers by name from this file alone; tests/test_component_impls.cpp
// checks that each shipped array style builds it when an architecture names it.
#include <memory>

#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "components/memory/dram.hpp"
#include "counters.hpp"

namespace dfsim_test {

std::int64_t FixedLatencyCounters::built = 0;
std::int64_t FixedLatencyCounters::requests = 0;

namespace {

class FixedLatencyDram : public dfsim::DramModel {
 public:
  tlm_utils::simple_target_socket<FixedLatencyDram> socket;

  FixedLatencyDram(sc_core::sc_module_name name, const dfsim::ArchConfig& arch)
      : DramModel(name),
        socket("socket"),
        latency_(arch.node->at("dram").get_double("fixed_latency_ns"), sc_core::SC_NS) {
    socket.register_b_transport(this, &FixedLatencyDram::b_transport);
    socket.register_transport_dbg(this, &FixedLatencyDram::debug_access);
    ++FixedLatencyCounters::built;
  }
  tlm::tlm_target_socket<>& target() override { return socket; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
    if (!store_.copy(gp)) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    dfsim::DataTransfer& data = dfsim::transfer_of(gp);
    const auto bits = static_cast<std::int64_t>(gp.get_data_length()) * 8;
    if (gp.is_read())
      activity.read(data.kind, bits);
    else
      activity.write(data.kind, bits);
    data.started = sc_core::sc_time_stamp() + delay;
    delay += latency_;
    ++FixedLatencyCounters::requests;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  const sc_core::sc_time latency_;
};

const bool registered = dfsim::register_component(
    {"dram",
     "test_fixed_latency",
     "every request takes fixed_latency_ns, any size",
     {"fixed_latency_ns"},
     [](const dfsim::ConfigNode& section) { section.get_double_min("fixed_latency_ns", 0.0); },
     dfsim::DramFactory([](const char* name, const dfsim::ArchConfig& arch, dfsim::Tracer*) {
       return std::make_unique<FixedLatencyDram>(name, arch);
     })});

}  // namespace

}  // namespace dfsim_test
