// Component implementations chosen by name, with some that live only in the tests
// (tests/component_impls/): a DRAM ("test_fixed_latency"), an on-chip buffer
// ("test_ideal_sram"), a NoC without multicast ("test_unicast") and an energy model
// ("test_flat"). Every shipped array style builds them when an architecture names them
// (`dram: {impl: ...}`, `glb:` / `unified_buffer:` / `activation_ram: {impl: ...}`,
// `noc: {impl: ...}`, here over the shipped files with `extends:`), the runs stay bit-exact,
// and their own keys and misspelt names are refused at their position. No shared file knows
// these implementations.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "arrays/array_style.hpp"
#include "arrays/planar_tiled/pt_params.hpp"
#include "arrays/row_stationary/rs_params.hpp"
#include "arrays/systolic/ws_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/config/component_registry.hpp"
#include "component_impls/counters.hpp"
#include "run/run.hpp"
#include "test_util.hpp"
#include "workload/layer.hpp"

namespace {

using dfsim_test::contains;
using dfsim_test::FixedLatencyCounters;
using dfsim_test::fresh_dir;
using dfsim_test::IdealSramCounters;
using dfsim_test::source_path;
using dfsim_test::UnicastNocCounters;
using dfsim_test::write_file;

const char* kWorkload =
    "network: dram_impl\n"
    "layers:\n"
    "  - {name: conv, C: 8, M: 16, H: 12, W: 12, R: 3, S: 3, padding: 1, weight_density: 0.5,"
    " input_density: 0.6}\n"
    "  - {name: fc, type: fc, C: 64, M: 10, relu: false}\n";

std::string extending(const std::string& config, const std::string& section,
                      const std::string& value) {
  return "extends: " + source_path("configs/" + config + ".yaml") + "\nname: " + config +
         "_test_impl\n" + section + ": " + value + "\n";
}

dfsim::RunResult run_tiny(const std::string& dir, const std::string& arch_text) {
  dfsim::RunOptions opt;
  opt.arch_file = write_file(dir + "/arch.yaml", arch_text);
  opt.workload_file = write_file(dir + "/wl.yaml", kWorkload);
  opt.out_dir = dir;
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  for (const dfsim::LayerStats& s : r.layers) EXPECT_EQ(s.output_check, "pass") << s.name;
  return r;
}

// One run per process (SystemC): each shipped style builds the named implementation, moves
// every DRAM byte through it, and stays bit-exact.
void expect_runs_on_fixed_latency_dram(const std::string& config) {
  const std::string dir = fresh_dir(config);
  const dfsim::RunResult r =
      run_tiny(dir, extending(config, "dram", "{impl: test_fixed_latency, fixed_latency_ns: 40}"));
  EXPECT_EQ(FixedLatencyCounters::built, 1);
  EXPECT_GT(FixedLatencyCounters::requests, 0);
  const std::int64_t bytes = r.total.dram.total_read_bytes() + r.total.dram.total_write_bytes();
  EXPECT_GT(bytes, 0);
  // Priced by the role's common energy key, bit by bit.
  EXPECT_NEAR(
      r.total.dram.energy_pj,
      static_cast<double>(bytes) * 8 * dfsim::load_arch(dir + "/arch.yaml").dram.energy_pj_per_bit,
      1e-6 * r.total.dram.energy_pj);
}

// The buffer section each style has; the planar style builds two (IARAM and OARAM).
void expect_runs_on_ideal_sram(const std::string& config, const std::string& section,
                               std::int64_t buffers) {
  const std::string dir = fresh_dir(config);
  const dfsim::RunResult r = run_tiny(dir, extending(config, section, "{impl: test_ideal_sram}"));
  EXPECT_EQ(IdealSramCounters::built, buffers);
  EXPECT_GT(IdealSramCounters::requests, 0);
  EXPECT_GT(r.total.glb.total_read_bytes(), 0);
}

TEST(DramImpl, RowStationaryBuildsTheNamedDram) { expect_runs_on_fixed_latency_dram("eyeriss_v1"); }
TEST(DramImpl, SystolicBuildsTheNamedDram) { expect_runs_on_fixed_latency_dram("tpu_v1"); }
TEST(DramImpl, PlanarBuildsTheNamedDram) { expect_runs_on_fixed_latency_dram("scnn"); }

TEST(SramImpl, RowStationaryGlb) { expect_runs_on_ideal_sram("eyeriss_v1", "glb", 1); }
TEST(SramImpl, SystolicUnifiedBuffer) { expect_runs_on_ideal_sram("tpu_v1", "unified_buffer", 1); }
TEST(SramImpl, PlanarActivationRams) { expect_runs_on_ideal_sram("scnn", "activation_ram", 2); }

TEST(DramImpl, NamesKeysAndErrors) {
  const std::vector<std::string> names = dfsim::component_names("dram");
  EXPECT_NE(std::find(names.begin(), names.end(), "bandwidth"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "test_fixed_latency"), names.end());
  // The default without `impl`, and the shipped files unchanged.
  EXPECT_EQ(dfsim::load_arch(source_path("configs/eyeriss_v1.yaml")).dram.impl, "bandwidth");
  const std::string dir = fresh_dir("errors");
  auto error_of = [&](const std::string& dram) {
    const std::string path = write_file(dir + "/arch.yaml", extending("eyeriss_v1", "dram", dram));
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
                       "'bandwdith' (did you mean 'bandwidth'?); registered: bandwidth, jedec, "
                       "test_fixed_latency"))
      << err;
  // An implementation's own key is not the default's, and is checked by its implementation.
  err = error_of("{fixed_latency_ns: 40}");
  EXPECT_TRUE(contains(err, "dram.fixed_latency_ns: unknown key 'fixed_latency_ns'")) << err;
  err = error_of("{impl: test_fixed_latency, fixed_latency_ns: -1}");
  EXPECT_TRUE(contains(err, "arch.yaml:3:"));
  EXPECT_TRUE(contains(err, "dram.fixed_latency_ns: must be >= 0")) << err;
  err = error_of("{impl: test_fixed_latency}");
  EXPECT_TRUE(contains(err, "missing required key 'fixed_latency_ns'")) << err;
}

TEST(SramImpl, MisspeltNameIsRefusedWithTheRegisteredOnes) {
  const std::string dir = fresh_dir("sram_errors");
  const std::string path =
      write_file(dir + "/arch.yaml", extending("eyeriss_v1", "glb", "{impl: banked_sarm}"));
  try {
    dfsim::load_arch(path);
    FAIL() << "accepted glb.impl: banked_sarm";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "arch.yaml:3:"));
    EXPECT_TRUE(contains(e.what(),
                         "glb.impl: unknown sram implementation 'banked_sarm' (did you mean "
                         "'banked_sram'?); registered: banked_sram, test_ideal_sram"))
        << e.what();
  }
  EXPECT_EQ(
      dfsim::ws_params(dfsim::load_arch(source_path("configs/tpu_v1.yaml"))).unified_buffer.impl,
      "banked_sram");
}

// The NoC section of the styles with tagged networks: the row-stationary array's three GINs
// and the planar array's weight bus are built as the named implementation, which delivers one
// copy per receiving PE in turn; the networks' statistics are the bits it counted, and the runs
// stay bit-exact.
void expect_runs_on_unicast_noc(const std::string& config, std::vector<std::string> networks) {
  const std::string dir = fresh_dir("unicast_" + config);
  const dfsim::RunResult r = run_tiny(dir, extending(config, "noc", "{impl: test_unicast}"));
  EXPECT_EQ(UnicastNocCounters::built, static_cast<std::int64_t>(networks.size()));
  EXPECT_GT(UnicastNocCounters::copies, 0);
  // The networks' statistics are what the named implementation counted.
  std::int64_t bits = 0;
  for (const dfsim::LayerStats& s : r.layers)
    for (const dfsim::ComponentStats& c : s.components)
      if (std::find(networks.begin(), networks.end(), c.name) != networks.end())
        bits += (c.traffic.total_read_bytes() + c.traffic.total_write_bytes()) * 8;
  EXPECT_EQ(bits, UnicastNocCounters::bits);
  // The controllers wait for the copies: the conv layer (8 input channels, 16 filters,
  // multicast to many PEs) takes more than twice the mapper's estimate, which assumes multicast
  // (eyeriss_v1: 18,658 vs 4,570 cycles; scnn: 2,039 vs 631).
  ASSERT_FALSE(r.layers.empty());
  EXPECT_GT(r.layers[0].cycles, 2 * r.layers[0].estimate_cycles);
}

TEST(NocImpl, RowStationaryGinsAreTheNamedNoc) {
  expect_runs_on_unicast_noc("eyeriss_v1", {"filter_gin", "ifmap_gin", "psum_gin"});
}
TEST(NocImpl, PlanarWeightBusIsTheNamedNoc) { expect_runs_on_unicast_noc("scnn", {"weight_bus"}); }

TEST(NocImpl, MisspeltNameIsRefusedWithTheRegisteredOnes) {
  const std::string dir = fresh_dir("noc_errors");
  const std::string path =
      write_file(dir + "/arch.yaml", extending("eyeriss_v1", "noc", "{impl: tagged_multicat}"));
  try {
    dfsim::load_arch(path);
    FAIL() << "accepted noc.impl: tagged_multicat";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "arch.yaml:3:"));
    EXPECT_TRUE(contains(e.what(),
                         "noc.impl: unknown multicast_noc implementation 'tagged_multicat' (did "
                         "you mean 'tagged_multicast'?); registered: tagged_multicast, "
                         "test_unicast"))
        << e.what();
  }
  // Without impl, the shipped files' networks are the default.
  EXPECT_EQ(dfsim::rs_params(dfsim::load_arch(source_path("configs/eyeriss_v1.yaml"))).noc.impl,
            "tagged_multicast");
  EXPECT_EQ(dfsim::pt_params(dfsim::load_arch(source_path("configs/scnn.yaml"))).planar_noc.impl,
            "tagged_multicast");
}

// The energy model an architecture names prices every action of the simulation: on each style
// with `energy: {impl: test_flat, pj_per_unit: 0.5}`, every action costs 0.5 pJ per unit.
void expect_priced_flat(const std::string& config) {
  const std::string dir = fresh_dir("flat_" + config);
  const dfsim::RunResult r = run_tiny(
      dir, extending(config, "energy", "{impl: test_flat, pj_per_unit: 0.5, calibration: ~}"));
  ASSERT_FALSE(r.total.actions.empty());
  double counts = 0;
  for (const dfsim::ActionStat& a : r.total.actions) {
    EXPECT_EQ(a.pj_per_unit, 0.5) << a.name;
    EXPECT_DOUBLE_EQ(a.energy_pj, 0.5 * a.count) << a.name;
    counts += a.count;
  }
  EXPECT_NEAR(r.total.total_pj(), 0.5 * counts, 1e-9 * counts);
}

TEST(EnergyImpl, RowStationaryActionsPricedByTheNamedModel) { expect_priced_flat("eyeriss_v1"); }
TEST(EnergyImpl, SystolicActionsPricedByTheNamedModel) { expect_priced_flat("tpu_v1"); }
TEST(EnergyImpl, PlanarActionsPricedByTheNamedModel) { expect_priced_flat("scnn"); }

// The mappers price their estimates with the same model: for the same mapping (objective
// latency), doubling the flat price doubles every style's estimated energy, and the flat
// model's estimate is not the per-key one.
TEST(EnergyImpl, EstimatesArePricedByTheNamedModel) {
  const dfsim::Layer layer = [] {
    dfsim::Layer l;
    l.name = "conv";
    l.C = 8, l.M = 16, l.H = 12, l.W = 12, l.R = 3, l.S = 3, l.set_padding(1);
    return l;
  }();
  const std::string dir = fresh_dir("flat_estimates");
  for (const std::string config : {"eyeriss_v1", "tpu_v1", "scnn"}) {
    auto estimate = [&](const std::string& energy) {
      const dfsim::ArchConfig arch = dfsim::load_arch(write_file(
          dir + "/" + config + ".yaml", energy.empty() ? extending(config, "description", "per key")
                                                       : extending(config, "energy", energy)));
      const auto style = dfsim::make_array_style(arch, dfsim::Objective::Latency);
      return style->best(style->estimate_view(layer), 1).at(0)->estimate_energy_pj();
    };
    const double half = estimate("{impl: test_flat, pj_per_unit: 0.5, calibration: ~}");
    const double one = estimate("{impl: test_flat, pj_per_unit: 1, calibration: ~}");
    const double per_key = estimate("");
    EXPECT_GT(half, 0) << config;
    EXPECT_NEAR(one, 2 * half, 1e-12 * one) << config;
    EXPECT_NE(per_key, half) << config;
    EXPECT_NE(per_key, one) << config;
  }
}

TEST(EnergyImpl, DefaultAndMisspeltNames) {
  EXPECT_EQ(dfsim::ArchConfig{}.energy_impl, "per_action_pj");  // without an energy section
  EXPECT_EQ(dfsim::load_arch(source_path("configs/scnn.yaml")).energy_impl, "scaled");
  const std::string dir = fresh_dir("energy_errors");
  const std::string path = write_file(
      dir + "/arch.yaml", extending("eyeriss_v1", "energy", "{impl: per_action, calibration: ~}"));
  try {
    dfsim::load_arch(path);
    FAIL() << "accepted energy.impl: per_action";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "arch.yaml:3:")) << e.what();
    EXPECT_TRUE(contains(e.what(), "energy.impl: unknown energy implementation 'per_action'"))
        << e.what();
    EXPECT_TRUE(contains(e.what(), "registered: accelergy, per_action_pj, scaled, test_flat"))
        << e.what();
  }
}

}  // namespace
