// SCALE-Sim topology files (CSV, conv and GEMM forms): rows, fields, limits.
#include "fuzz_common.hpp"
#include "workload/layer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".csv");
  dfsim_fuzz::expect_only_config_errors([&] { dfsim::load_network(path); });
  return 0;
}
