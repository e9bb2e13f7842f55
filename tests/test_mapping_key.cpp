// A layer's mapping and estimate depend on the layer alone, never on which other layers share
// the run. Layers with the same mapper view (estimate_view + layer_key) share one search; the
// view holds everything the mapper reads, so mapping a layer alone or inside its network must
// give the same result. Checked for every layer of every shipped workload on every shipped
// architecture, and on the two reproducers that found the fault (operand widths on the
// systolic array, input density on the row-stationary one).

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "run/run.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::source_path;
using dfsim_test::write_temp;

std::vector<std::string> shipped_workloads() {
  std::set<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(source_path("workloads")))
    if (e.path().extension() == ".yaml") files.insert(e.path().string());
  return {files.begin(), files.end()};
}

// What a plan says about one layer: mapping, estimated cycles and energy.
std::string summary(const dfsim::LayerPlan& lp) {
  std::ostringstream os;
  os.precision(17);
  os << lp.mapping_text() << " | " << lp.estimate_cycles() << " cycles | "
     << lp.estimate_energy_pj() << " pJ";
  return os.str();
}

void expect_alone_equals_in_network(const std::string& arch) {
  int layers = 0;
  for (const std::string& wl : shipped_workloads()) {
    dfsim::RunOptions opt;
    opt.arch_file = source_path("configs/" + arch + ".yaml");
    opt.workload_file = wl;
    const dfsim::Plan whole = dfsim::make_plan(opt);
    for (const dfsim::LayerPlan& lp : whole.layers) {
      dfsim::RunOptions one = opt;
      one.layers = {lp.layer.name};
      const dfsim::Plan alone = dfsim::make_plan(one);
      ASSERT_EQ(alone.layers.size(), 1u);
      EXPECT_EQ(summary(alone.layers[0]), summary(lp))
          << arch << ", " << wl << ", layer " << lp.layer.name
          << ": mapped alone (left) and inside its network (right)";
      ++layers;
    }
  }
  EXPECT_GE(layers, 250) << "the shipped workloads give 252 layers";
}

TEST(MappingKey, EyerissV1AloneEqualsInNetwork) { expect_alone_equals_in_network("eyeriss_v1"); }
TEST(MappingKey, TpuV1AloneEqualsInNetwork) { expect_alone_equals_in_network("tpu_v1"); }
TEST(MappingKey, ScnnAloneEqualsInNetwork) { expect_alone_equals_in_network("scnn"); }
TEST(MappingKey, DcnnAloneEqualsInNetwork) { expect_alone_equals_in_network("dcnn"); }
TEST(MappingKey, DcnnOptAloneEqualsInNetwork) { expect_alone_equals_in_network("dcnn_opt"); }

// The reproducer: on the TPU a 16-bit layer after an 8-bit twin of the same shape inherited
// the twin's row_chunk (262 instead of 196) and simulated 2.1x its estimate.
TEST(MappingKey, SystolicOperandWidthsAreInTheKey) {
  const std::string wl = write_temp(
      "twins.yaml",
      "network: twins\nlayers:\n"
      "  - {name: a8, C: 64, M: 64, H: 28, W: 28, R: 3, S: 3, padding: 1}\n"
      "  - {name: b16, C: 64, M: 64, H: 28, W: 28, R: 3, S: 3, padding: 1, weight_bits: 16, "
      "input_bits: 16}\n");
  dfsim::RunOptions opt;
  opt.arch_file = source_path("configs/tpu_v1.yaml");
  opt.workload_file = wl;
  const dfsim::Plan both = dfsim::make_plan(opt);
  opt.layers = {"b16"};
  const dfsim::Plan alone = dfsim::make_plan(opt);
  EXPECT_EQ(summary(both.layers[1]), summary(alone.layers[0]));
  EXPECT_NE(summary(both.layers[0]), summary(both.layers[1]))
      << "16-bit operands take four passes: the estimate must differ from the 8-bit twin's";
}

// The reproducer on the row-stationary array: pruned VGG-16 conv5_1/2/3 have one shape but
// different input densities (zero gating), so different estimates (4415.52, 4329.06 and
// 4294.66 uJ when each is mapped alone); inside the network all three got 4415.52.
TEST(MappingKey, RowStationaryInputDensityIsInTheKey) {
  dfsim::RunOptions opt;
  opt.arch_file = source_path("configs/eyeriss_v1.yaml");
  opt.workload_file = source_path("workloads/vgg16_pruned.yaml");
  opt.layers = {"conv5_1", "conv5_2", "conv5_3"};
  const dfsim::Plan three = dfsim::make_plan(opt);
  ASSERT_EQ(three.layers.size(), 3u);
  std::set<double> energies;
  for (const dfsim::LayerPlan& lp : three.layers) {
    energies.insert(lp.estimate_energy_pj());
    dfsim::RunOptions one = opt;
    one.layers = {lp.layer.name};
    EXPECT_EQ(summary(dfsim::make_plan(one).layers[0]), summary(lp)) << lp.layer.name;
  }
  EXPECT_EQ(energies.size(), 3u) << "three input densities, three estimates";
}

}  // namespace
