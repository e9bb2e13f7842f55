// Component implementations chosen by name: a DRAM implementation that lives only in the tests
// (tests/dram_impl/, "test_fixed_latency") is built by every shipped array style when an
// architecture names it (`dram: {impl: test_fixed_latency, ...}`, here over the shipped files
// with `extends:`), the run stays bit-exact with the same traffic, and its own keys and a
// misspelt name are refused at their position. No shared file knows the implementation.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "config/arch_config.hpp"
#include "config/component_registry.hpp"
#include "core/run.hpp"
#include "dram_impl/fixed_latency_dram.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::contains;
using dfsim_test::FixedLatencyCounters;
using dfsim_test::fresh_dir;
using dfsim_test::source_path;
using dfsim_test::write_file;

const char* kWorkload =
    "network: dram_impl\n"
    "layers:\n"
    "  - {name: conv, C: 8, M: 16, H: 12, W: 12, R: 3, S: 3, padding: 1, weight_density: 0.5,"
    " input_density: 0.6}\n"
    "  - {name: fc, type: fc, C: 64, M: 10, relu: false}\n";

std::string extending(const std::string& config, const std::string& dram) {
  return "extends: " + source_path("configs/" + config + ".yaml") + "\nname: " + config +
         "_test_dram\ndram: " + dram + "\n";
}

// One run per process (SystemC): each shipped style builds the named implementation, moves
// every DRAM byte through it, and stays bit-exact.
void expect_runs_on_fixed_latency_dram(const std::string& config) {
  const std::string dir = fresh_dir(config);
  dfsim::RunOptions opt;
  opt.arch_file = write_file(dir + "/arch.yaml",
                             extending(config, "{impl: test_fixed_latency, fixed_latency_ns: 40}"));
  opt.workload_file = write_file(dir + "/wl.yaml", kWorkload);
  opt.out_dir = dir;
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  EXPECT_EQ(FixedLatencyCounters::built, 1);
  EXPECT_GT(FixedLatencyCounters::requests, 0);
  std::int64_t bytes = 0;
  for (const dfsim::LayerStats& s : r.layers) {
    EXPECT_EQ(s.output_check, "pass") << config << " " << s.name;
    bytes += s.dram.total_read_bytes() + s.dram.total_write_bytes();
  }
  EXPECT_GT(bytes, 0);
  // Priced by the role's common energy key, bit by bit.
  EXPECT_NEAR(
      r.total.dram.energy_pj,
      static_cast<double>(r.total.dram.total_read_bytes() + r.total.dram.total_write_bytes()) * 8 *
          dfsim::load_arch(opt.arch_file).dram.energy_pj_per_bit,
      1e-6 * r.total.dram.energy_pj);
}

TEST(DramImpl, RowStationaryBuildsTheNamedDram) { expect_runs_on_fixed_latency_dram("eyeriss_v1"); }
TEST(DramImpl, SystolicBuildsTheNamedDram) { expect_runs_on_fixed_latency_dram("tpu_v1"); }
TEST(DramImpl, PlanarBuildsTheNamedDram) { expect_runs_on_fixed_latency_dram("scnn"); }

TEST(DramImpl, NamesKeysAndErrors) {
  const std::vector<std::string> names = dfsim::component_names("dram");
  EXPECT_NE(std::find(names.begin(), names.end(), "bandwidth"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "test_fixed_latency"), names.end());
  // The default without `impl`, and the shipped files unchanged.
  EXPECT_EQ(dfsim::load_arch(source_path("configs/eyeriss_v1.yaml")).dram.impl, "bandwidth");
  const std::string dir = fresh_dir("errors");
  auto error_of = [&](const std::string& dram) {
    const std::string path = write_file(dir + "/arch.yaml", extending("eyeriss_v1", dram));
    try {
      dfsim::load_arch(path);
    } catch (const dfsim::ConfigError& e) {
      return std::string(e.what());
    }
    ADD_FAILURE() << "accepted dram: " << dram;
    return std::string();
  };
  std::string err = error_of("{impl: bandwdith}");
  EXPECT_TRUE(contains(err,
                       "arch.yaml:3:14: dram.impl: unknown dram implementation "
                       "'bandwdith' (did you mean 'bandwidth'?); registered: bandwidth, "
                       "test_fixed_latency"))
      << err;
  // An implementation's own key is not the default's, and is checked by its implementation.
  err = error_of("{fixed_latency_ns: 40}");
  EXPECT_TRUE(contains(err, "dram.fixed_latency_ns: unknown key 'fixed_latency_ns'")) << err;
  err = error_of("{impl: test_fixed_latency, fixed_latency_ns: -1}");
  EXPECT_TRUE(contains(err, "arch.yaml:3:"));
  EXPECT_TRUE(contains(err, "fixed_latency_ns")) << err;
  err = error_of("{impl: test_fixed_latency}");
  EXPECT_TRUE(contains(err, "missing required key 'fixed_latency_ns'")) << err;
}

}  // namespace
