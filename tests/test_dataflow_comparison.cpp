// The dataflow comparison of Chen et al., "Eyeriss: A Spatial Architecture for Energy-Efficient
// Dataflow for Convolutional Neural Networks", ISCA 2016 (repeated in Sze et al., "Efficient
// Processing of Deep Neural Networks: A Tutorial and Survey", Proc. IEEE 2017): 256 PEs and the
// same storage area for row stationary (RS), weight stationary (WS), output stationary (OS)
// and no local reuse (NLR), AlexNet at batch 16, the paper's normalized energy costs
// (configs/dataflows/, docs/dataflows.md). One test: each architecture runs the whole network
// once (about a minute on two cores), mapped for energy.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arrays/array_style.hpp"
#include "base/config/arch_config.hpp"
#include "base/energy/technology.hpp"
#include "run/run.hpp"
#include "test_util.hpp"

namespace {

const std::vector<std::string> kConv = {"conv1", "conv2", "conv3", "conv4", "conv5"};
const std::vector<std::string> kFc = {"fc6", "fc7", "fc8"};
const std::array<std::string, 4> kArchs = {"rs_256", "ws_256", "os_256", "nlr_256"};

// Every architecture's stats.json, run once.
const std::map<std::string, YAML::Node>& comparison() {
  static const std::map<std::string, YAML::Node> stats = [] {
    const std::string dir = dfsim_test::fresh_dir("dataflow_comparison");
    std::string cmd;
    for (const std::string& a : kArchs)  // two at a time: the machine's cores
      cmd += "'" + std::string(DFSIM_BINARY) + "' run --arch '" +
             dfsim_test::shipped_architectures().at(a) + "' --workload '" +
             dfsim_test::source_path("workloads/alexnet.yaml") +
             "' --batch 16 --objective energy --no-check --out '" + dir + "/" + a + "' >'" + dir +
             "/" + a + ".txt' 2>&1 " + (a == "ws_256" || a == "nlr_256" ? "; " : "& ");
    EXPECT_EQ(std::system(("(" + cmd + "wait)").c_str()), 0) << cmd;
    std::map<std::string, YAML::Node> out;
    for (const std::string& a : kArchs) out[a] = YAML::LoadFile(dir + "/" + a + "/stats.json");
    return out;
  }();
  return stats;
}

YAML::Node layer(const std::string& arch, const std::string& name) {
  for (const YAML::Node& l : comparison().at(arch)["layers"])
    if (l["name"].as<std::string>() == name) return l;
  ADD_FAILURE() << arch << " has no layer " << name;
  return {};
}

// Energy of `layers` at one level ("total", "dram", ...), or of one data type (split of each
// level's energy by the type's share of its bytes: every level prices its bits uniformly).
double energy(const std::string& arch, const std::vector<std::string>& layers,
              const std::string& level) {
  double e = 0;
  for (const std::string& name : layers) e += layer(arch, name)["energy_pj"][level].as<double>();
  return e;
}

double type_energy(const std::string& arch, const std::vector<std::string>& layers,
                   const std::string& type) {
  double e = 0;
  for (const std::string& name : layers) {
    const YAML::Node l = layer(arch, name);
    for (const char* level : {"dram", "glb", "noc", "rf"}) {
      const YAML::Node lv = l["levels"][level];
      const double all = lv["read_bytes"].as<double>() + lv["write_bytes"].as<double>();
      const YAML::Node t = lv["by_type"][type];
      if (all > 0)
        e += lv["energy_pj"].as<double>() *
             (t["read_bytes"].as<double>() + t["write_bytes"].as<double>()) / all;
    }
  }
  return e;
}

// "RS is 1.4x to 2.5x more energy efficient than the other dataflows in the CONV layers".
void expect_rs_least_on_conv() {
  const double rs = energy("rs_256", kConv, "total");
  for (const char* a : {"ws_256", "os_256", "nlr_256"}) {
    const double ratio = energy(a, kConv, "total") / rs;
    EXPECT_GE(ratio, 1.4) << a;
    EXPECT_LE(ratio, 2.5) << a;
  }
  // The CONV layers take about 80% of RS's total energy.
  const double share = rs / (rs + energy("rs_256", kFc, "total"));
  EXPECT_NEAR(share, 0.8, 0.05);
}

// On the FC layers RS still uses the least energy (the paper: by at least 1.3x at batch 16;
// dfsim's WS comes within 1.2x, docs/dataflows.md explains why).
void expect_rs_least_on_fc() {
  const double rs = energy("rs_256", kFc, "total");
  for (const char* a : {"ws_256", "os_256", "nlr_256"})
    EXPECT_GT(energy(a, kFc, "total") / rs, 1.1) << a;
}

// WS has the lowest weight energy, OS the lowest psum energy, NLR the lowest DRAM energy but
// the highest GLB energy (the CONV layers).
void expect_savings_where_data_stays() {
  for (const char* a : {"rs_256", "ws_256", "nlr_256"})
    EXPECT_LT(type_energy("os_256", kConv, "psum"), type_energy(a, kConv, "psum")) << a;
  for (const char* a : {"rs_256", "ws_256", "os_256"}) {
    EXPECT_LT(energy("nlr_256", kConv, "dram"), energy(a, kConv, "dram")) << a;
    EXPECT_GT(energy("nlr_256", kConv, "glb"), energy(a, kConv, "glb")) << a;
  }
  const double ws = type_energy("ws_256", kConv, "weight");
  EXPECT_LT(ws, type_energy("rs_256", kConv, "weight"));
  for (const char* a : {"os_256", "nlr_256"})  // far below those that read weights per step
    EXPECT_GT(type_energy(a, kConv, "weight"), 1.5 * ws) << a;
}

// RS's energy per layer in units of 10^9 MAC energies (the paper's normalized ALU, DRAM and RF
// energy of RS on AlexNet at batch 16), each within 30%.
void expect_rs_layers_as_published() {
  const std::map<std::string, std::array<double, 3>> paper = {
      {"conv1", {1.69, 2.46, 6.75}}, {"conv2", {3.58, 2.27, 14.33}}, {"conv3", {2.39, 2.02, 9.57}},
      {"conv4", {1.79, 1.57, 7.18}}, {"conv5", {1.20, 1.05, 4.78}},  {"fc6", {0.60, 7.78, 2.42}},
      {"fc7", {0.27, 3.39, 1.07}},   {"fc8", {0.07, 0.84, 0.26}}};
  for (const auto& [name, e] : paper) {
    const YAML::Node l = layer("rs_256", name)["energy_pj"];
    const double alu = l["mac"].as<double>() / 1e9, dram = l["dram"].as<double>() / 1e9,
                 rf = l["rf"].as<double>() / 1e9;
    EXPECT_NEAR(alu / e[0], 1.0, 0.3) << name << " ALU " << alu;
    EXPECT_NEAR(dram / e[1], 1.0, 0.3) << name << " DRAM " << dram;
    EXPECT_NEAR(rf / e[2], 1.0, 0.3) << name << " RF " << rf;
  }
}

// Area of an architecture's memories (its sized storage parts) in mm^2, by the technology model
// at the file's technology_nm.
double storage_mm2(const dfsim::ArchConfig& arch) {
  const std::unique_ptr<dfsim::ArrayStyle> style =
      dfsim::make_array_style(arch, dfsim::Objective::Energy);
  double mm2 = 0;
  for (const dfsim::PartArea& p : dfsim::area_report(arch, style->energy_table()).parts)
    if (p.kind == "storage") mm2 += p.mm2;
  return mm2;
}

// The paper's storage budget: 256 PEs x Area(512 B RF) + Area(256 x 512 B GLB), in dfsim's
// SRAM area model at 65 nm. WS and OS have exactly that storage; NLR has no RF and a GLB of
// the same total area; RS splits each PE's 512 B into its three spads (by the model's
// periphery, three small memories take more area than one; docs/dataflows.md, section 1).
TEST(DataflowStorage, EqualAreaOfThePapersBaseline) {
  const double baseline = 256 * dfsim::sram_mm2(512, 65) + dfsim::sram_mm2(128 * 1024, 65);
  std::map<std::string, dfsim::ArchConfig> arch;
  for (const std::string& a : kArchs) {
    arch.emplace(a, dfsim::load_arch(dfsim_test::shipped_architectures().at(a)));
    EXPECT_EQ(arch.at(a).technology_nm, 65) << a;
    EXPECT_EQ(arch.at(a).pe_rows * arch.at(a).pe_cols, 256) << a;
  }
  for (const char* a : {"ws_256", "os_256"})
    EXPECT_NEAR(storage_mm2(arch.at(a)) / baseline, 1.0, 1e-9) << a;
  EXPECT_NEAR(storage_mm2(arch.at("nlr_256")) / baseline, 1.0, 0.02);
  // RS: the baseline's bytes (a 128 KB GLB, 512 B of spads per PE), in four memories.
  const dfsim::ArchConfig& rs = arch.at("rs_256");
  double glb_bytes = 0, spad_bytes_per_pe = 0;
  const std::unique_ptr<dfsim::ArrayStyle> style =
      dfsim::make_array_style(rs, dfsim::Objective::Energy);
  for (const dfsim::HardwarePart& p : style->energy_table().parts()) {
    if (p.kind != dfsim::PartKind::Storage) continue;
    (p.name == "glb" ? glb_bytes : spad_bytes_per_pe) += p.capacity_bytes;
    EXPECT_EQ(p.instances, p.name == "glb" ? 1 : 256) << p.name;
  }
  EXPECT_EQ(glb_bytes, 128 * 1024);
  EXPECT_EQ(spad_bytes_per_pe, 512);
  EXPECT_GT(storage_mm2(rs), baseline);
}

TEST(DataflowComparison, AlexNetBatch16OnTheFourDataflows) {
  {
    SCOPED_TRACE("CONV totals");
    expect_rs_least_on_conv();
  }
  {
    SCOPED_TRACE("FC totals");
    expect_rs_least_on_fc();
  }
  {
    SCOPED_TRACE("energy by level and data type");
    expect_savings_where_data_stays();
  }
  {
    SCOPED_TRACE("RS per layer");
    expect_rs_layers_as_published();
  }
}

}  // namespace
