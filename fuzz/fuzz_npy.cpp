// .npy operand files: magic, version, header (dtype, order, shape) and data.
#include "fuzz_common.hpp"
#include "workload/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".npy");
  dfsim_fuzz::expect_only_config_errors([&] { dfsim::load_npy(path); });
  return 0;
}
