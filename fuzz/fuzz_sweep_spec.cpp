// Sweep specs as `dfsim sweep` reads them before running anything: parsed, and for specs of at
// most 64 points every point resolved (its architecture and workload validated); resolving the
// up to millions of points a spec may have would make one input a "hang". Relative paths
// resolve against the input file's folder (/dev/shm), so the seeds name the shipped files as
// {root}/configs/... .
#include "fuzz_common.hpp"
#include "sweep/sweep_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".yaml");
  dfsim_fuzz::expect_only_config_errors([&] {
    const dfsim::SweepSpec spec = dfsim::load_sweep_spec(path, false);
    double points = static_cast<double>(spec.workloads.size());
    for (const auto& g : spec.groups) points *= static_cast<double>(g.values.size());
    if (spec.sample_count > 0) points = static_cast<double>(spec.sample_count);
    if (points <= 64) dfsim::load_sweep_spec(path, true);
  });
  return 0;
}
