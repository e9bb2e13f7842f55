// Workload files (YAML): every layer's keys, shapes and limits.
#include "fuzz_common.hpp"
#include "workload/layer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".yaml");
  dfsim_fuzz::expect_only_config_errors([&] { dfsim::load_network(path); });
  return 0;
}
