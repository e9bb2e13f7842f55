// An "sram" implementation that lives only in the tests: every access completes when it is
// issued, whatever the banks, sizes and data types (an ideal buffer). It registers by name from
// this file alone; tests/test_component_impls.cpp checks that each shipped array style builds
// it for the buffer section that names it.
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <memory>
#include <string>
#include <vector>

#include "base/config/component_registry.hpp"
#include "components/byte_store.hpp"
#include "components/memory/global_buffer.hpp"
#include "counters.hpp"

namespace dfsim_test {

std::int64_t IdealSramCounters::built = 0;
std::int64_t IdealSramCounters::requests = 0;

namespace {

class IdealSram : public dfsim::SramModel {
 public:
  tlm_utils::multi_passthrough_target_socket<IdealSram> socket;

  IdealSram(sc_core::sc_module_name name, const dfsim::GlbConfig& cfg)
      : SramModel(name),
        socket("socket"),
        cfg_(cfg),
        store_(static_cast<std::size_t>(cfg.size_bytes())) {
    socket.register_b_transport(this, &IdealSram::b_transport);
    socket.register_transport_dbg(this, &IdealSram::transport_dbg);
    ++IdealSramCounters::built;
  }
  Socket& target() override { return socket; }
  std::int64_t size_bytes() const override { return static_cast<std::int64_t>(store_.size()); }
  void assign_banks(std::int64_t, std::int64_t, dfsim::DataKind) override {}
  void clear_assignment() override {}

 private:
  void b_transport(int, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
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
    ++IdealSramCounters::requests;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  unsigned int transport_dbg(int, tlm::tlm_generic_payload& gp) { return store_.debug_copy(gp); }

  const dfsim::GlbConfig cfg_;
  dfsim::ByteStore store_;
};

const bool registered =
    dfsim::register_component({"sram",
                               "test_ideal_sram",
                               "every access completes when issued",
                               {},
                               nullptr,
                               dfsim::SramFactory([](const char* name, const dfsim::GlbConfig& cfg,
                                                     double, dfsim::Tracer*, const std::string&) {
                                 return std::make_unique<IdealSram>(name, cfg);
                               })});

}  // namespace

}  // namespace dfsim_test
