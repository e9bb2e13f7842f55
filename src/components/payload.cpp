#include "components/payload.hpp"

#include "base/sim_error.hpp"

namespace dfsim {

const char* to_string(DataKind k) {
  switch (k) {
    case DataKind::Weight:
      return "weight";
    case DataKind::Ifmap:
      return "ifmap";
    case DataKind::Psum:
      return "psum";
    case DataKind::Ofmap:
      return "ofmap";
  }
  return "?";
}

void check_response(tlm::tlm_generic_payload& gp, const char* what) {
  if (gp.is_response_ok()) return;
  throw SimulationError(std::string(what) + ": " + gp.get_response_string() + " at address " +
                        std::to_string(gp.get_address()) + " (" +
                        std::to_string(gp.get_data_length()) + " bytes)");
}

}  // namespace dfsim
