// Sweep specs, with every point resolved (its architecture and workload validated), as
// `dfsim sweep` does before running anything. Relative paths resolve against the input file's
// folder (/dev/shm), so the seeds name the shipped files as {root}/configs/... .
#include "fuzz_common.hpp"
#include "sweep/sweep_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".yaml");
  dfsim_fuzz::expect_only_config_errors([&] { dfsim::load_sweep_spec(path); });
  return 0;
}
