// Pinned-mapping files, applied as `dfsim map --mapping FILE` does to the first two layers of
// LeNet-5 on Eyeriss v1: parsing, the layer names and each pinned mapping's capacity checks.
#include "fuzz_common.hpp"
#include "run/run.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".yaml");
  dfsim_fuzz::expect_only_config_errors([&] {
    dfsim::RunOptions opt;
    opt.arch_file = DFSIM_SOURCE_DIR "/configs/eyeriss_v1.yaml";
    opt.workload_file = DFSIM_SOURCE_DIR "/workloads/lenet5.yaml";
    opt.layers = {"conv1", "conv2"};
    opt.mapping_file = path;
    dfsim::make_plan(opt);
  });
  return 0;
}
