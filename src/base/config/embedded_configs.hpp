// Shipped architecture files compiled into the program (CMakeLists.txt lists them), for the
// importers that start from one wherever the program runs (base/config/scalesim_config.hpp).
#pragma once

#include <string>

namespace dfsim {

// The text of the shipped file `path` (relative to the source tree, e.g. "configs/tpu_v1.yaml");
// throws std::logic_error for a file that is not compiled in.
const std::string& embedded_config(const std::string& path);

}  // namespace dfsim
