// Networks on chip.
//  - The "multicast_noc" component role (MulticastNocModel): a global input network (GIN) for
//    one data type that delivers a payload to every PE whose configured (row ID, col ID) equals
//    its tag (Eyeriss: row and column multicast controllers; the planar array's weight bus).
//    Implementation "tagged_multicast" (MulticastNoc: one bus occupancy reaches them all).
//  - OutputNoc: the global output network (GON) carrying psum rows from chain bottoms to the
//    GLB.
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <functional>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <unordered_map>
#include <vector>

#include "base/trace/tracer.hpp"
#include "components/activity.hpp"
#include "components/payload.hpp"

namespace dfsim {

// A GIN tag: the NoC delivers to every PE whose configured (row_id, col_id) equals it.
struct NocTag {
  std::int32_t row_id = 0;
  std::int32_t col_id = 0;
  bool operator==(const NocTag& o) const { return row_id == o.row_id && col_id == o.col_id; }
  std::uint64_t key() const {
    return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(row_id)) << 32) |
           static_cast<std::uint32_t>(col_id);
  }
};

// Tagged multicast protocol (MulticastNoc): which PEs take the payload.
struct MulticastTag : Extension<MulticastTag> {
  static constexpr const char* kName = "MulticastTag";
  NocTag tag;
};

// GON write protocol (OutputNoc): a row of `values` psums (DataTransfer) held as uint32 in the
// payload, packed to `bits_per_value` and written at `glb_address`. It may start streaming
// when its first value is ready.
struct GonWrite : Extension<GonWrite> {
  static constexpr const char* kName = "GonWrite";
  std::int64_t glb_address = 0;  // bytes
  sc_core::sc_time first_value_ready;
};

// A tagged network: the sender binds target(), the PEs bind to_pe in PE order; the controller
// configures the tags with set_ids. Counts, in `activity`, the bits delivered to each PE. A
// payload no PE takes fails with TLM_ADDRESS_ERROR_RESPONSE (a mapping bug).
class MulticastNocModel : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_initiator_socket<MulticastNocModel> to_pe;  // bound in PE order

  explicit MulticastNocModel(sc_core::sc_module_name name) : sc_module(name), to_pe("to_pe") {}
  virtual tlm::tlm_target_socket<>& target() = 0;

  // Configures each PE's (row ID, col ID); PEs given `disabled` never match.
  void set_ids(const std::vector<NocTag>& ids);
  static NocTag disabled() { return {-1, -1}; }

  Activity activity;

 protected:
  // The PEs configured with `tag`, in PE order, or nullptr if none.
  const std::vector<int>* receivers_of(const NocTag& tag) const;

 private:
  std::unordered_map<std::uint64_t, std::vector<int>> receivers_;  // tag -> PE indices
};

// What a "multicast_noc" implementation registers (ComponentImpl::factory), and how a style
// builds the one its architecture names: a network `width_bits` wide, clocked at the core.
using MulticastNocFactory = std::function<std::unique_ptr<MulticastNocModel>(
    const char* name, std::int64_t width_bits, double core_period_ns, Tracer* trace)>;
std::unique_ptr<MulticastNocModel> make_multicast_noc(const std::string& impl, const char* name,
                                                      std::int64_t width_bits,
                                                      double core_period_ns, Tracer* trace);

// "tagged_multicast": one bus of width_bits; a payload occupies it for ceil(bits / width)
// cycles and every receiver sees its last value one cycle later.
class MulticastNoc : public MulticastNocModel {
 public:
  tlm_utils::simple_target_socket<MulticastNoc> in;

  MulticastNoc(sc_core::sc_module_name name, std::int64_t width_bits, double core_period_ns,
               Tracer* trace);
  tlm::tlm_target_socket<>& target() override { return in; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  std::int64_t width_bits_;
  sc_core::sc_time period_;
  BusyResource bus_;
  TraceSignal trace_busy_;
};

class OutputNoc : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<OutputNoc> from_pe;
  tlm_utils::simple_initiator_socket<OutputNoc> to_glb;

  OutputNoc(sc_core::sc_module_name name, std::int64_t width_bits, double core_period_ns,
            Tracer* trace);

  Activity activity;

 private:
  void b_transport(int port, tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  std::int64_t width_bits_;
  sc_core::sc_time period_;
  BusyResource bus_;
  std::vector<unsigned char> packed_;
  TraceSignal trace_busy_;
};

}  // namespace dfsim
