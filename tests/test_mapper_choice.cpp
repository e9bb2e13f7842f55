// The mapper's choice holds up in simulation: on a set of small layers, each array's five best
// mappings by the estimate are simulated (pinned with --mapping, one process each), and the
// chosen one must be within 10% of the fastest of them. This is what catches a cost the
// estimate cannot see (tiny DRAM requests padded to whole bursts ranked like large ones made
// the row-stationary mapper pick FC mappings 10x slower than an available one).

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "arrays/array_style.hpp"
#include "arrays/planar_tiled/pt_mapping.hpp"
#include "arrays/row_stationary/row_stationary_mapper.hpp"
#include "arrays/systolic/ws_mapping.hpp"
#include "base/config/arch_config.hpp"
#include "test_util.hpp"
#include "workload/layer.hpp"

namespace {

using dfsim_test::CliResult;
using dfsim_test::describe;
using dfsim_test::dfsim;
using dfsim_test::source_path;
using dfsim_test::write_file;

// Small layers of the kinds the faults came from: FC with a batch, FC over a plane, a 3x3
// filter on a 1x1 map with padding, 1x1, strided, depthwise and plain convolutions.
const char* kLayers =
    "network: choice\nlayers:\n"
    "  - {name: fc_batch, type: fc, N: 64, C: 64, M: 256}\n"
    "  - {name: fc_plane, type: fc, C: 32, H: 7, W: 7, M: 16}\n"
    "  - {name: k3_on_1x1, C: 256, M: 24, H: 1, W: 1, R: 3, S: 3, padding: 1}\n"
    "  - {name: pointwise, C: 64, M: 32, H: 14, W: 14, R: 1, S: 1}\n"
    "  - {name: strided, C: 3, M: 16, H: 31, W: 31, R: 5, S: 5, stride: 2}\n"
    "  - {name: depthwise, C: 32, M: 32, groups: 32, H: 14, W: 14, R: 3, S: 3, padding: 1}\n"
    "  - {name: conv3x3, C: 16, M: 32, H: 14, W: 14, R: 3, S: 3, padding: 1, N: 2}\n";

// Layers of the shipped networks on which the planar estimate missed its band, each for its
// own reason: a pruned 1x1 layer whose PEs stream their IARAM while computing and whose
// accumulator-bank backlog builds across short channels (GoogLeNet-pruned
// inception_3b-5x5_reduce, 1.42), tiles of one pixel whose barrier waits for the PE with the
// most non-zeros (inception_5b-5x5, 1.31), 16 positions at density 0.501 where the PE issues
// 2.5 activation vectors on average, not 3, beside an input tile at the IARAM's capacity
// (VGG-16-pruned conv4_2, 0.75), and a declared output density (0.77) that generated weights,
// symmetric about zero, cannot give after a ReLU (conv1_2, 0.83).
const char* kPlanarLayers =
    "network: planar_faults\nlayers:\n"
    "  - {name: pruned_1x1_short, C: 256, M: 32, H: 27, W: 27, R: 1, S: 1, relu: true,"
    " weight_density: 0.382446, input_density: 0.529890}\n"
    "  - {name: one_pixel_tiles, C: 48, M: 128, H: 6, W: 6, R: 5, S: 5, padding: 2, relu: true,"
    " weight_density: 0.346413, input_density: 0.459609}\n"
    "  - {name: vector_boundary, C: 512, M: 64, H: 28, W: 28, R: 3, S: 3, padding: 1,"
    " relu: true, weight_density: 0.265933, input_density: 0.501430}\n"
    "  - {name: declared_output, C: 64, M: 32, H: 112, W: 112, R: 3, S: 3, padding: 1,"
    " relu: true, weight_density: 0.217204, input_density: 0.506188,"
    " output_density: 0.774166}\n";

// kLayers between a first and a last layer that the tests do not check: a planar array loads
// the first layer's input from DRAM and writes the last one's output back, which the per-layer
// estimate leaves out (inside a network activations stay on chip).
std::string layers_inside_a_network(const char* layers = kLayers) {
  std::string text = layers;
  text.insert(text.find("layers:\n") + 8, "  - {name: head, C: 1, M: 1, H: 2, W: 2, R: 1, S: 1}\n");
  return text + "  - {name: tail, C: 1, M: 1, H: 2, W: 2, R: 1, S: 1}\n";
}

bool unchecked(const std::string& name) { return name == "head" || name == "tail"; }

// The five best mappings of a layer, as pinned-mapping YAML, best first.
std::vector<std::string> five_best(const std::string& arch_name, const dfsim::ArchConfig& arch,
                                   const dfsim::Layer& l) {
  std::vector<std::string> out;
  const auto style = dfsim::make_array_style(arch, dfsim::Objective::Latency);
  for (const auto& m : style->best(style->estimate_view(l), 5)) out.push_back(m->yaml());
  EXPECT_FALSE(out.empty()) << arch_name << " " << l.name;
  return out;
}

void expect_choice_within_10_percent(const std::string& arch_name) {
  const std::string dir = dfsim_test::fresh_dir(arch_name);
  const std::string wl = write_file(dir + "/choice.yaml", layers_inside_a_network());
  const std::string arch_file = source_path("configs/" + arch_name + ".yaml");
  const dfsim::ArchConfig arch = dfsim::load_arch(arch_file);
  int compared = 0;
  for (const dfsim::Layer& l : dfsim::load_network(wl).layers) {
    if (unchecked(l.name)) continue;
    const std::vector<std::string> candidates = five_best(arch_name, arch, l);
    std::vector<long long> cycles;
    std::ostringstream report;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      const std::string pin =
          write_file(dir + "/pin.yaml", "mappings:\n  " + l.name + ": " + candidates[i] + "\n");
      const std::string out = dir + "/out" + std::to_string(i);
      const CliResult r =
          dfsim("run --arch '" + arch_file + "' --workload '" + wl + "' --layers head," + l.name +
                    ",tail --mapping '" + pin + "' --no-check --out '" + out + "'",
                dir);
      ASSERT_EQ(r.code, 0) << describe(r);
      const YAML::Node layer = YAML::LoadFile(out + "/stats.json")["layers"][1];
      cycles.push_back(layer["cycles"].as<long long>());
      report << "  #" << i + 1 << " " << candidates[i] << ": " << cycles.back()
             << " cycles (estimate " << layer["estimate"]["cycles"].as<long long>() << ")\n";
    }
    const long long fastest = *std::min_element(cycles.begin(), cycles.end());
    EXPECT_LE(static_cast<double>(cycles.front()), 1.10 * static_cast<double>(fastest))
        << arch_name << ", layer " << l.name << ": the chosen mapping (#1) is more than 10% "
        << "slower than the fastest of the five best:\n"
        << report.str();
    compared += cycles.size() > 1;
  }
  EXPECT_GE(compared, 3) << "most layers should have several candidates to compare";
}

// The estimate of the chosen mapping predicts the simulation within the band the mapper is
// held to on the shipped networks (0.85-1.25, bench/estimate_accuracy.py), on the same layers
// and on VGG-16's fc8 at batch 1 (it simulated 72.9 M cycles against a 7.2 M one available
// when 2-byte DRAM requests were padded to 64-byte bursts unseen by the estimate).
void expect_estimates_within_band(const std::string& arch_name, const char* layers = kLayers) {
  const std::string dir = dfsim_test::fresh_dir(arch_name);
  const std::string wl = write_file(dir + "/choice.yaml", layers_inside_a_network(layers));
  const std::string arch_file = source_path("configs/" + arch_name + ".yaml");
  for (const auto& [workload, layers] :
       {std::pair{wl, std::string()},
        std::pair{source_path("workloads/vgg16.yaml"), std::string(" --layers fc8")}}) {
    const CliResult r = dfsim("run --arch '" + arch_file + "' --workload '" + workload + "'" +
                                  layers + " --no-check --out '" + dir + "/out'",
                              dir);
    ASSERT_EQ(r.code, 0) << describe(r);
    for (const YAML::Node& l : YAML::LoadFile(dir + "/out/stats.json")["layers"]) {
      if (unchecked(l["name"].as<std::string>())) continue;
      const double ratio = l["cycles"].as<double>() / l["estimate"]["cycles"].as<double>();
      EXPECT_TRUE(ratio >= 0.85 && ratio <= 1.25)
          << arch_name << ", " << l["name"].as<std::string>() << ": simulated "
          << l["cycles"].as<long long>() << " cycles, estimated "
          << l["estimate"]["cycles"].as<long long>() << " (" << ratio << ")";
    }
  }
}

TEST(EstimateBand, RowStationary) { expect_estimates_within_band("eyeriss_v1"); }
TEST(EstimateBand, Systolic) { expect_estimates_within_band("tpu_v1"); }
TEST(EstimateBand, PlanarDense) { expect_estimates_within_band("dcnn"); }
TEST(EstimateBand, PlanarSparse) { expect_estimates_within_band("scnn"); }
TEST(EstimateBand, PlanarDenseOnPastFaults) { expect_estimates_within_band("dcnn", kPlanarLayers); }
TEST(EstimateBand, PlanarSparseOnPastFaults) {
  expect_estimates_within_band("scnn", kPlanarLayers);
}

TEST(MapperChoice, RowStationaryWithin10PercentOfItsFiveBest) {
  expect_choice_within_10_percent("eyeriss_v1");
}
TEST(MapperChoice, SystolicWithin10PercentOfItsFiveBest) {
  expect_choice_within_10_percent("tpu_v1");
}
TEST(MapperChoice, PlanarDenseWithin10PercentOfItsFiveBest) {
  expect_choice_within_10_percent("dcnn");
}
TEST(MapperChoice, PlanarSparseWithin10PercentOfItsFiveBest) {
  expect_choice_within_10_percent("scnn");
}

}  // namespace
