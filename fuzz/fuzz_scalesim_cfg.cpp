// SCALE-Sim architecture files (.cfg, INI): sections, keys, values, limits, and the
// architecture built from them.
#include "base/config/arch_config.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".cfg");
  dfsim_fuzz::expect_only_config_errors([&] { dfsim::load_arch(path); });
  return 0;
}
