// Pinned-mapping files, applied as `dfsim map --mapping FILE` does to the first two layers of
// LeNet-5 on Eyeriss v1, and on the no-local-reuse and output-stationary arrays (the block
// tilings, with and without a step shape): parsing, the layer names and each pinned mapping's
// capacity checks.
#include "fuzz_common.hpp"
#include "run/run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".yaml");
  for (const char* arch : {DFSIM_SOURCE_DIR "/configs/eyeriss_v1.yaml",
                           DFSIM_SOURCE_DIR "/configs/dataflows/nlr_256.yaml",
                           DFSIM_SOURCE_DIR "/configs/dataflows/os_256.yaml"})
    dfsim_fuzz::expect_only_config_errors([&] {
      dfsim::RunOptions opt;
      opt.arch_file = arch;
      opt.workload_file = DFSIM_SOURCE_DIR "/workloads/lenet5.yaml";
      opt.layers = {"conv1", "conv2"};
      opt.mapping_file = path;
      dfsim::make_plan(opt);
    });
  return 0;
}
