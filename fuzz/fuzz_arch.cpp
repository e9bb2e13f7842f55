// Architecture files: parsed, then the array style built from them (its energy table, energy
// model and calibration checks), as `dfsim run` does before mapping.
#include "arrays/array_style.hpp"
#include "base/config/arch_config.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".yaml");
  dfsim_fuzz::expect_only_config_errors([&] {
    const dfsim::ArchConfig a = dfsim::load_arch(path);
    dfsim::make_array_style(a, dfsim::Objective::Latency);
  });
  return 0;
}
