// Traffic bounds per array, per operand and per memory level: what the simulation moves lies
// between the analytical minimum (each operand read once) and what the mapping's documented
// reuse predicts (the estimate's PredictedTraffic, from the loop nest in the mapping headers).
// On dense data the prediction is exact. The layers include the kinds whose traffic was once
// inflated: depthwise and grouped layers (the planar arrays read every channel of a tile for
// each group), 1x1, strided, padded, FC and batched ones.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arrays/planar_tiled/pt_mapping.hpp"
#include "run/run.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::CliResult;
using dfsim_test::describe;
using dfsim_test::dfsim;
using dfsim_test::source_path;
using dfsim_test::write_file;

const char* kLayers =
    "network: traffic\nlayers:\n"
    "  - {name: depthwise, C: 32, M: 32, groups: 32, H: 14, W: 14, R: 3, S: 3, padding: 1}\n"
    // The reproducer: dcnn read 1,605,632 B of ifmap from the activation RAMs.
    "  - {name: dw64, C: 64, M: 64, groups: 64, H: 14, W: 14, R: 3, S: 3, padding: 1}\n"
    "  - {name: grouped, C: 16, M: 24, groups: 4, H: 9, W: 11, R: 3, S: 3, padding: 1}\n"
    "  - {name: pointwise, C: 48, M: 16, H: 12, W: 12, R: 1, S: 1}\n"
    "  - {name: strided, C: 3, M: 8, H: 23, W: 23, R: 5, S: 5, stride: 4, padding: 2}\n"
    "  - {name: gappy, C: 4, M: 4, H: 13, W: 13, R: 2, S: 2, stride: 3}\n"
    "  - {name: fc, type: fc, N: 3, C: 8, H: 5, W: 5, M: 20}\n"
    "  - {name: batched, N: 2, C: 8, M: 16, H: 10, W: 10, R: 3, S: 3, padding: 1}\n";

const char* kKinds[4] = {"weight", "ifmap", "psum", "ofmap"};

struct Sim {
  YAML::Node layer;
  double read(const char* level, int kind) const {
    return layer["levels"][level]["by_type"][kKinds[kind]]["read_bytes"].as<double>();
  }
  double write(const char* level, int kind) const {
    return layer["levels"][level]["by_type"][kKinds[kind]]["write_bytes"].as<double>();
  }
};

// Input values some window reads (stride > R skips rows and columns), once.
double used_input_bytes(const dfsim::Layer& l) {
  auto used = [&](std::int64_t size, std::int64_t taps, std::int64_t outs) {
    std::int64_t n = 0;
    for (std::int64_t i = 0; i < size; ++i) {
      bool hit = false;
      for (std::int64_t o = 0; o < outs && !hit; ++o) {
        const std::int64_t r = i + l.pad_top - o * l.stride_h;  // uniform layers
        hit = r >= 0 && r < taps;
      }
      n += hit;
    }
    return n;
  };
  return 2.0 * static_cast<double>(l.N * l.C * used(l.H, l.R, l.E()) * used(l.W, l.S, l.F()));
}

// Runs `arch` on the layers, each alone (its input comes from DRAM: a planar array keeps a
// layer's output on chip for the next one); returns the plan (mappings and estimates) and the
// statistics.
std::pair<dfsim::Plan, std::map<std::string, Sim>> run(const std::string& arch) {
  const std::string dir = dfsim_test::fresh_dir(arch);
  dfsim::RunOptions opt;
  opt.arch_file = source_path("configs/" + arch + ".yaml");
  opt.workload_file = write_file(dir + "/traffic.yaml", kLayers);
  dfsim::Plan plan = dfsim::make_plan(opt);
  std::map<std::string, Sim> sims;
  for (const dfsim::LayerPlan& lp : plan.layers) {
    const std::string out = dir + "/" + lp.layer.name;
    const CliResult r =
        dfsim("run --arch '" + opt.arch_file + "' --workload '" + opt.workload_file +
                  "' --layers " + lp.layer.name + " --out '" + out + "'",
              dir);
    EXPECT_EQ(r.code, 0) << describe(r);
    if (r.code != 0) continue;
    const YAML::Node l = YAML::LoadFile(out + "/stats.json")["layers"][0];
    EXPECT_EQ(l["output_check"].as<std::string>(), "pass");
    sims[l["name"].as<std::string>()] = Sim{l};
  }
  return {std::move(plan), sims};
}

// min <= simulated <= predicted (exactly equal when `exact`).
void expect_bounded(const std::string& what, double simulated, double minimum, double predicted,
                    bool exact) {
  EXPECT_GE(simulated, minimum) << what << ": below the minimum (each value read once)";
  if (exact)
    EXPECT_NEAR(simulated, predicted, 1e-6 * predicted) << what << ": the mapping predicts";
  else
    EXPECT_LE(simulated, predicted * (1 + 1e-9)) << what << ": above what the mapping predicts";
}

TEST(Traffic, RowStationaryWithinBoundsAtEveryLevel) {
  const auto [plan, sims] = run("eyeriss_v1");
  ASSERT_EQ(sims.size(), plan.layers.size());
  for (const dfsim::LayerPlan& lp : plan.layers) {
    SCOPED_TRACE(lp.layer.name + ": " + lp.mapping_text());
    const Sim& s = sims.at(lp.layer.name);
    const dfsim::PredictedTraffic& p = lp.mapping->predicted_traffic();
    const dfsim::Layer& l = lp.layer;
    const double weights = 2.0 * static_cast<double>(l.weights());
    const double ofmap = 2.0 * static_cast<double>(l.ofmap_values());
    expect_bounded("DRAM weight reads", s.read("dram", 0), weights, p.dram_read[0], true);
    expect_bounded("DRAM ifmap reads", s.read("dram", 1), used_input_bytes(l), p.dram_read[1],
                   true);
    expect_bounded("DRAM ofmap writes", s.write("dram", 3), ofmap, p.dram_write[3], true);
    // GLB: filter tiles read once per pass, ifmap rows once per pass and channel subgroup,
    // psums read back per channel block and once by the output unit.
    expect_bounded("GLB weight reads", s.read("glb", 0), weights, p.glb_read[0], true);
    expect_bounded("GLB ifmap reads", s.read("glb", 1), used_input_bytes(l), p.glb_read[1], false);
    expect_bounded("GLB psum reads", s.read("glb", 2), ofmap, p.glb_read[2], true);
  }
}

TEST(Traffic, SystolicWeightMemoryWithinBounds) {
  const auto [plan, sims] = run("tpu_v1");
  ASSERT_EQ(sims.size(), plan.layers.size());
  for (const dfsim::LayerPlan& lp : plan.layers) {
    SCOPED_TRACE(lp.layer.name + ": " + lp.mapping_text());
    const Sim& s = sims.at(lp.layer.name);
    // 8-bit weights: one byte each, streamed once per row chunk.
    expect_bounded("weight memory reads", s.read("dram", 0),
                   static_cast<double>(lp.layer.weights()),
                   lp.mapping->predicted_traffic().dram_read[0], true);
  }
}

// The planar arrays: DRAM weights once per (image, round); inputs once per round; the IARAM
// holds a tile's conv groups as separate streams and each output-channel group pass reads its
// own group's once (ceil(M/G / kc) reads of every written byte).
void expect_planar_bounds(const std::string& arch, bool dense) {
  const auto [plan, sims] = run(arch);
  ASSERT_EQ(sims.size(), plan.layers.size());
  for (const dfsim::LayerPlan& lp : plan.layers) {
    SCOPED_TRACE(lp.layer.name + ": " + lp.mapping_text());
    const Sim& s = sims.at(lp.layer.name);
    const dfsim::PredictedTraffic& p = lp.mapping->predicted_traffic();
    const dfsim::Layer& l = lp.layer;
    const dfsim::PtMapping& m = dfsim::result_of<dfsim::PtMapResult>(*lp.mapping).mapping;
    const double passes_per_group = static_cast<double>((l.M_per_group() + m.kc - 1) / m.kc);
    const double written = s.write("glb", 1), read = s.read("glb", 1);
    EXPECT_GT(written, 0);
    EXPECT_DOUBLE_EQ(read, passes_per_group * written)
        << "IARAM input reads: each conv group's stream once per output-channel group";
    if (dense) {
      const double rounds = static_cast<double>(m.rounds());
      expect_bounded("DRAM weight reads", s.read("dram", 0), 2.0 * static_cast<double>(l.weights()),
                     p.dram_read[0], true);
      EXPECT_DOUBLE_EQ(s.read("dram", 0), 2.0 * static_cast<double>(l.N * l.weights()) * rounds);
      expect_bounded("DRAM input reads", s.read("dram", 1), used_input_bytes(l), p.dram_read[1],
                     true);
      expect_bounded("IARAM input reads", read, used_input_bytes(l), p.glb_read[1], true);
    } else {
      // Zero-run streams: 20 bits per stored entry; at least one per non-zero, at most one per
      // value, plus the byte rounding of each (group, channel) block.
      const YAML::Node& st = s.layer;
      const double rounds = static_cast<double>(m.rounds() * l.N);
      const double nz = st["nz_weights"].as<double>() / static_cast<double>(l.N);
      const double blocks = static_cast<double>(l.C_per_group() * l.M / m.kc + l.C);
      EXPECT_GE(s.read("dram", 0), rounds * nz * 20 / 8);
      EXPECT_LE(s.read("dram", 0), rounds * (static_cast<double>(l.weights()) * 20 / 8 + blocks));
    }
  }
}

TEST(Traffic, PlanarDenseWithinBounds) { expect_planar_bounds("dcnn", true); }

// The reproducer's figure: the input once, 64 x 14 x 14 x 2 B, from DRAM and from the IARAM.
TEST(Traffic, PlanarDepthwiseReadsItsInputOnce) {
  const auto [plan, sims] = run("dcnn");
  const Sim& s = sims.at("dw64");
  EXPECT_EQ(s.read("glb", 1), 25088);
  EXPECT_EQ(s.read("dram", 1), 25088);
}
TEST(Traffic, PlanarSparseWithinBounds) { expect_planar_bounds("scnn", false); }

}  // namespace
