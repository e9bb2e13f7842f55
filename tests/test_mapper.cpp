// The row-stationary mapper without SystemC: the published Eyeriss AlexNet mapping, determinism,
// the spad constraints and the errors for layers / pinned mappings that do not fit.
//
// Reference: Chen et al., JSSC 2017 (Eyeriss), AlexNet CONV layers at batch N = 4 on the
// 12 x 14 array, as copied into /work/shared/reference/eyeriss-v1.md: active PEs 154, 135,
// 156, 156, 156 for CONV1..CONV5; per-PE spad limits p*q*S <= 224, q*S <= 12, p <= 24.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "arrays/row_stationary/row_stationary_mapper.hpp"
#include "arrays/row_stationary/rs_tiling.hpp"
#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "run/run.hpp"
#include "test_util.hpp"
#include "workload/layer.hpp"

namespace {

using dfsim_test::contains;

using dfsim::ArchConfig;
using dfsim::ConfigError;
using dfsim::Layer;
using dfsim::Network;
using dfsim::Objective;
using dfsim::RowStationaryMapper;
using dfsim::RsMapping;
using dfsim::RsMapResult;

std::string arch_path() { return std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml"; }
std::string alexnet_path() { return std::string(DFSIM_SOURCE_DIR) + "/workloads/alexnet.yaml"; }

std::vector<Layer> alexnet_conv_batch4() {
  const Network net = dfsim::select_layers(dfsim::load_network(alexnet_path()),
                                           {"conv1", "conv2", "conv3", "conv4", "conv5"});
  std::vector<Layer> out = net.layers;
  for (Layer& l : out) l.N = 4;
  return out;
}

bool same_mapping(const RsMapping& a, const RsMapping& b) {
  return a.strip_width == b.strip_width && a.strips_per_pass == b.strips_per_pass && a.n == b.n &&
         a.p == b.p && a.q == b.q && a.r == b.r && a.t == b.t &&
         a.ifmap_resident == b.ifmap_resident && a.ifmap_banks == b.ifmap_banks &&
         a.psum_banks == b.psum_banks && a.pinned == b.pinned;
}

// The published per-PE spad limits of Eyeriss v1 (eyeriss-v1.md), as literals.
void expect_spads_ok(const Layer& l, const RsMapping& m) {
  SCOPED_TRACE(l.name);
  EXPECT_LE(m.p * m.q * l.S, 224) << "filter spad: " << m;
  EXPECT_LE(m.q * l.S, 12) << "ifmap spad: " << m;
  EXPECT_LE(m.p, 24) << "psum spad: " << m;
  EXPECT_GE(m.p, 1);
  EXPECT_GE(m.q, 1);
  EXPECT_GE(m.r, 1);
  EXPECT_GE(m.t, 1);
  EXPECT_GE(m.n, 1);
  EXPECT_LE(m.n, l.N);
  EXPECT_GE(m.strip_width, 1);
  EXPECT_LE(m.strip_width, 14);
  // Stacked channel subgroups need R*r PE rows.
  EXPECT_LE(l.R * m.r, 12) << m;
}

std::string temp_file(const std::string& stem, const std::string& text) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string dir = ::testing::TempDir();
  if (!dir.empty() && dir.back() != '/') dir += '/';
  const std::string path = dir + "dfsim_mapper_" + (info ? std::string(info->name()) : "x") + "_" +
                           std::to_string(::getpid()) + "_" + stem;
  std::ofstream out(path, std::ios::binary);
  out << text;
  return path;
}

}  // namespace

// The published mappings (docs/examples/alexnet_published_mappings.yaml) use the published
// active PEs, and the mapper's latency choice is no slower by the estimate than them.
TEST(Mapper, AlexNetActivePesMatchEyeriss) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const RowStationaryMapper mapper(arch, Objective::Latency);
  const std::vector<Layer> layers = alexnet_conv_batch4();
  ASSERT_EQ(layers.size(), 5u);
  const auto pinned = dfsim::load_pinned_mappings(std::string(DFSIM_SOURCE_DIR) +
                                                  "/docs/examples/alexnet_published_mappings.yaml");
  // Chen et al., JSSC 2017 (Table V): active PEs per CONV layer.
  const std::int64_t published[5] = {154, 135, 156, 156, 156};
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const RsMapResult p = mapper.evaluate_pinned(
        layers[i], dfsim::parse_rs_mapping(pinned.at(layers[i].name)), "published");
    EXPECT_EQ(p.estimate.active_pes, published[i]) << layers[i].name << ": " << p.mapping;
    const RsMapResult r = mapper.map(layers[i]);
    EXPECT_TRUE(r.estimate.feasible) << layers[i].name;
    EXPECT_LE(r.estimate.cycles, p.estimate.cycles) << layers[i].name << ": " << r.mapping;
    EXPECT_GE(r.estimate.active_pes, published[i] * 8 / 10) << layers[i].name << ": " << r.mapping;
    EXPECT_GT(r.estimate.cycles, 0) << layers[i].name;
    EXPECT_GT(r.estimate.passes, 0) << layers[i].name;
    EXPECT_GT(r.candidates_evaluated, 1) << layers[i].name;
    EXPECT_FALSE(r.mapping.pinned);
    expect_spads_ok(layers[i], r.mapping);
  }
}

TEST(Mapper, AlexNetMacsAtBatch4) {
  // eyeriss-v1.md, published MACs at N = 4 (M): 421.66, 895.79, 598.1, 448.6, 299.0.
  const std::vector<Layer> layers = alexnet_conv_batch4();
  ASSERT_EQ(layers.size(), 5u);
  const double published_m[5] = {421.66, 895.79, 598.1, 448.6, 299.0};
  for (std::size_t i = 0; i < 5; ++i)
    EXPECT_NEAR(static_cast<double>(layers[i].macs()) / 1e6, published_m[i], 0.01 * published_m[i])
        << layers[i].name;
}

TEST(Mapper, Deterministic) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  for (Objective obj : {Objective::Latency, Objective::Energy, Objective::Edp}) {
    const RowStationaryMapper a(arch, obj), b(arch, obj);
    for (const Layer& l : alexnet_conv_batch4()) {
      const RsMapResult r1 = a.map(l);
      const RsMapResult r2 = a.map(l);  // same mapper twice
      const RsMapResult r3 = b.map(l);  // a second mapper
      EXPECT_TRUE(same_mapping(r1.mapping, r2.mapping))
          << l.name << ": " << r1.mapping << " vs " << r2.mapping;
      EXPECT_TRUE(same_mapping(r1.mapping, r3.mapping))
          << l.name << ": " << r1.mapping << " vs " << r3.mapping;
      EXPECT_EQ(r1.estimate.cycles, r2.estimate.cycles) << l.name;
      EXPECT_EQ(r1.estimate.energy_pj, r2.estimate.energy_pj) << l.name;
      EXPECT_EQ(r1.estimate.active_pes, r3.estimate.active_pes) << l.name;
      EXPECT_EQ(r1.candidates_evaluated, r3.candidates_evaluated) << l.name;
    }
  }
}

TEST(Mapper, ObjectivesRankAsAdvertised) {
  // The latency mapping is never slower (by the estimate) than the energy or EDP mapping, and
  // the energy mapping never uses more energy (estimate plus idle power) than the latency one.
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const RowStationaryMapper lat(arch, Objective::Latency), en(arch, Objective::Energy),
      edp(arch, Objective::Edp);
  auto total_energy = [&](const RsMapResult& r) {
    return r.estimate.energy_pj +
           arch.idle_power_mw * 1e-3 *
               (static_cast<double>(r.estimate.cycles) * arch.core_period_ns() * 1e-9) * 1e12;
  };
  for (const Layer& l : alexnet_conv_batch4()) {
    const RsMapResult rl = lat.map(l), re = en.map(l), rd = edp.map(l);
    EXPECT_LE(rl.estimate.cycles, re.estimate.cycles) << l.name;
    EXPECT_LE(rl.estimate.cycles, rd.estimate.cycles) << l.name;
    EXPECT_LE(total_energy(re), total_energy(rl) * (1 + 1e-12)) << l.name;
    EXPECT_LE(total_energy(re), total_energy(rd) * (1 + 1e-12)) << l.name;
    expect_spads_ok(l, re.mapping);
    expect_spads_ok(l, rd.mapping);
  }
}

TEST(Mapper, EveryShippedNetworkMapsWithinSpads) {
  // Every layer of these shipped workloads whose filter fits the array (a row-stationary PE
  // set needs R <= 12 rows, and S <= 12 ifmap spad entries) gets a mapping within the spads.
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const RowStationaryMapper mapper(arch, Objective::Latency);
  for (const char* f : {"lenet5.yaml", "alexnet.yaml", "mobilenet_v1.yaml"}) {
    const Network net = dfsim::load_network(std::string(DFSIM_SOURCE_DIR) + "/workloads/" + f);
    for (const Layer& l : net.layers) {
      if (l.R > 12 || l.S > 12) continue;
      RsMapResult r;
      try {
        r = mapper.map(l);
      } catch (const ConfigError& e) {
        ADD_FAILURE() << f << " " << l.name << ": " << e.what();
        continue;
      }
      SCOPED_TRACE(std::string(f) + " " + l.name);
      expect_spads_ok(dfsim::flatten_fc(l), r.mapping);  // the layer as the array runs it
      EXPECT_GE(r.estimate.active_pes, 1);
      EXPECT_LE(r.estimate.active_pes, 168);
    }
  }
}

TEST(Mapper, FilterTallerThanArrayThrows) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const RowStationaryMapper mapper(arch, Objective::Latency);
  const Network net = dfsim::load_network_from_string(
      "network: tall\nlayers:\n  - {name: tall, M: 4, C: 2, H: 16, W: 16, R: 13, S: 3}\n",
      "tall.yaml");
  ASSERT_EQ(net.layers.size(), 1u);
  try {
    mapper.map(net.layers[0]);
    FAIL() << "R=13 on 12 PE rows should not map";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_TRUE(contains(msg, "tall")) << msg;
    EXPECT_TRUE(contains(msg, "no row-stationary mapping fits")) << msg;
    EXPECT_TRUE(contains(msg, "R=13")) << msg;
  }
  // R = 12 exactly still maps (one band of 12 rows).
  const Network ok = dfsim::load_network_from_string(
      "network: t12\nlayers:\n  - {name: t12, M: 4, C: 2, H: 16, W: 16, R: 12, S: 3}\n",
      "t12.yaml");
  const RsMapResult r = mapper.map(ok.layers[0]);
  EXPECT_EQ(r.mapping.r, 1);
  EXPECT_EQ(r.estimate.active_pes % 12, 0);
}

TEST(Mapper, PinnedMappingViolatingFilterSpadThrows) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const RowStationaryMapper mapper(arch, Objective::Latency);
  const std::vector<Layer> layers = alexnet_conv_batch4();
  const Layer& conv3 = layers[2];  // M = 384, C = 256, 3 x 3
  RsMapping m;
  m.strip_width = 13;
  m.p = 24;  // p <= 24 fits the psum spad
  m.q = 4;   // q*S = 12 fits the ifmap spad
  // but p*q*S = 288 > 224 filter spad entries
  try {
    mapper.evaluate_pinned(conv3, m, "pins.yaml:3:5");
    FAIL() << "p*q*S = 288 should not fit the 224-entry filter spad";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_TRUE(contains(msg, "filter spad")) << msg;
    EXPECT_TRUE(contains(msg, "pins.yaml:3:5")) << msg;
    EXPECT_TRUE(contains(msg, "conv3")) << msg;
    EXPECT_TRUE(contains(msg, "288")) << msg;
  }
  // The same with p*q*S = 16*4*3 = 192 fits.
  m.p = 16;
  const RsMapResult ok = mapper.evaluate_pinned(conv3, m, "pins.yaml:3:5");
  EXPECT_TRUE(ok.estimate.feasible);
  EXPECT_TRUE(ok.mapping.pinned);
  EXPECT_EQ(ok.mapping.p, 16);
  EXPECT_EQ(ok.mapping.q, 4);
}

TEST(Mapper, PinnedMappingFileThroughMakePlan) {
  // End to end through the mapping file loader: the error names the mapping file's position.
  const std::string pins = temp_file("pins.yaml",
                                     "mappings:\n"
                                     "  conv3: {strip_width: 13, p: 24, q: 4}\n");
  dfsim::RunOptions opt;
  opt.arch_file = arch_path();
  opt.workload_file = alexnet_path();
  opt.layers = {"conv3"};
  opt.batch = 4;
  opt.mapping_file = pins;
  try {
    dfsim::make_plan(opt);
    FAIL() << "pinned p*q*S = 288 should be rejected";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_TRUE(contains(msg, pins + ":2:")) << msg;
    EXPECT_TRUE(contains(msg, "filter spad")) << msg;
  }
  // A pinned mapping for a layer that is not in the run.
  const std::string stray = temp_file("stray.yaml",
                                      "mappings:\n"
                                      "  conv9: {strip_width: 13, p: 16, q: 4}\n");
  opt.mapping_file = stray;
  try {
    dfsim::make_plan(opt);
    FAIL() << "a mapping for an unknown layer should be rejected";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "conv9")) << e.what();
  }
}

TEST(Mapper, PinnedMappingOtherViolations) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const RowStationaryMapper mapper(arch, Objective::Latency);
  const Layer conv3 = alexnet_conv_batch4()[2];
  auto why = [&](RsMapping m) -> std::string {
    try {
      mapper.evaluate_pinned(conv3, m, "here");
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  };
  RsMapping m;
  m.strip_width = 13;
  m.p = 16;
  m.q = 5;  // q*S = 15 > 12
  EXPECT_TRUE(contains(why(m), "ifmap spad")) << why(m);
  m.q = 1;
  m.p = 25;  // > 24 psums
  EXPECT_TRUE(contains(why(m), "psum spad")) << why(m);
  m.p = 16;
  m.r = 5;  // 5 stacked subgroups x R = 3 = 15 rows > 12
  EXPECT_TRUE(contains(why(m), "r=5 stacked channel subgroups need 15 PE rows, the array has 12"))
      << why(m);
  m.r = 1;
  m.strip_width = 15;  // > 14 columns (and > E = 13): the limit is min(E, 14) = 13
  EXPECT_TRUE(contains(why(m), "strip_width must be in 1..13")) << why(m);
}

TEST(Mapper, ObjectiveNames) {
  EXPECT_EQ(dfsim::parse_objective("latency"), Objective::Latency);
  EXPECT_EQ(dfsim::parse_objective("energy"), Objective::Energy);
  EXPECT_EQ(dfsim::parse_objective("edp"), Objective::Edp);
  EXPECT_THROW(dfsim::parse_objective("fast"), ConfigError);
}

// The search's memo (rs_tiling.hpp) reuses the pass totals of a loop nest across its GLB
// bufferings and the DMA costs across nests: every estimate equals the one computed afresh,
// in any order of candidates (nests revisited, bufferings interleaved).
// AlexNet CONV1-5 at batch 4 and FC7, and a grid of mappings over every field (feasible or not),
// each loop nest with its four GLB bufferings in a row.
std::vector<Layer> grid_layers() {
  std::vector<Layer> layers = alexnet_conv_batch4();
  const Network fc = dfsim::select_layers(dfsim::load_network(alexnet_path()), {"fc7"});
  layers.push_back(dfsim::flatten_fc(fc.layers[0]));
  return layers;
}
std::vector<RsMapping> mapping_grid() {
  std::vector<RsMapping> order;
  for (std::int64_t sw : {1, 4, 7, 14})
    for (std::int64_t n : {1, 2, 4})
      for (std::int64_t p : {1, 4, 16, 32})
        for (std::int64_t q : {1, 3, 4})
          for (std::int64_t rt : {1, 2, 3})
            for (int buffering = 0; buffering < 4; ++buffering) {
              RsMapping m;
              m.strip_width = sw;
              m.n = n;
              m.p = p;
              m.q = q;
              m.r = rt;
              m.t = 4 - rt;
              m.ifmap_resident = buffering < 2;
              m.ifmap_double_buffer = buffering % 2 == 0;
              order.push_back(m);
            }
  return order;
}

// The search skips a loop nest by rs_lower_bound only if no estimate of it can be below the
// bound: every feasible candidate's cycles and energy (and so each objective's score) are at
// least the bound of its pass totals.
TEST(Mapper, LowerBoundNeverExceedsTheEstimate) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const dfsim::EnergyTable table = dfsim::rs_energy_table(arch);
  std::int64_t compared = 0;
  for (const Layer& l : grid_layers()) {
    SCOPED_TRACE(l.name);
    for (const RsMapping& m : mapping_grid()) {
      const auto est = dfsim::estimate_rs(arch, table, l, m, dfsim::RsEstimateDetail::Bounds);
      if (!est.feasible) continue;
      const dfsim::RsLowerBound lb =
          dfsim::rs_lower_bound(table, dfsim::rs_pass_totals(arch, l, m));
      EXPECT_LE(lb.cycles, est.cycles) << m;
      EXPECT_LE(lb.energy_pj, est.energy_pj) << m;
      EXPECT_GT(lb.energy_pj, 0) << m;
      for (Objective o : {Objective::Energy, Objective::Latency, Objective::Edp})
        EXPECT_LE(dfsim::score_of(o, arch, table, lb.cycles, lb.energy_pj).primary,
                  dfsim::score_of(o, arch, table, est.cycles, est.energy_pj).primary)
            << m;
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

TEST(Mapper, EstimateMemoGivesTheSameEstimates) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const dfsim::EnergyTable table = dfsim::rs_energy_table(arch);
  std::int64_t compared = 0, misfits = 0;
  for (const Layer& l : grid_layers()) {
    SCOPED_TRACE(l.name);
    dfsim::RsEstimateMemo memo;
    std::vector<RsMapping> order = mapping_grid();
    // Then the same candidates again in reverse: nests come back after others were seen.
    for (std::size_t i = order.size(); i-- > 0;) order.push_back(order[i]);
    for (const RsMapping& m : order) {
      const auto fresh = dfsim::estimate_rs(arch, table, l, m, dfsim::RsEstimateDetail::Bounds);
      const auto memoized =
          dfsim::estimate_rs(arch, table, l, m, dfsim::RsEstimateDetail::Bounds, &memo);
      ASSERT_EQ(fresh.feasible, memoized.feasible) << m;
      if (!fresh.feasible) {
        EXPECT_EQ(memoized.why_infeasible, dfsim::kRsDoesNotFit);
        EXPECT_NE(fresh.why_infeasible, dfsim::kRsDoesNotFit);
        EXPECT_FALSE(fresh.why_infeasible.empty());
        ++misfits;
        continue;
      }
      ++compared;
      EXPECT_EQ(fresh.cycles, memoized.cycles) << m;
      EXPECT_EQ(fresh.compute_cycles, memoized.compute_cycles) << m;
      EXPECT_EQ(fresh.dram_cycles, memoized.dram_cycles) << m;
      EXPECT_EQ(fresh.passes, memoized.passes) << m;
      EXPECT_EQ(fresh.active_pes, memoized.active_pes) << m;
      EXPECT_EQ(fresh.dram_bytes, memoized.dram_bytes) << m;
      EXPECT_EQ(fresh.dram_requests, memoized.dram_requests) << m;
      EXPECT_EQ(fresh.glb_bytes, memoized.glb_bytes) << m;
      EXPECT_EQ(fresh.energy_pj, memoized.energy_pj) << m;  // bit for bit
      EXPECT_EQ(fresh.traffic.dram_read, memoized.traffic.dram_read) << m;
      EXPECT_EQ(fresh.traffic.dram_write, memoized.traffic.dram_write) << m;
      EXPECT_EQ(fresh.traffic.glb_read, memoized.traffic.glb_read) << m;
    }
  }
  EXPECT_GT(compared, 1000);
  EXPECT_GT(misfits, 1000);
}

// A layer no candidate fits names the reason of the last candidate rejected, formatted in
// full (the search itself formats none).
TEST(Mapper, NoFitNamesTheLastRejectionInFull) {
  const ArchConfig arch = dfsim::load_arch(arch_path());
  const RowStationaryMapper mapper(arch, Objective::Latency);
  // A 3-row strip of 60,000 16-bit values per channel (360 KB) exceeds the 108 KB GLB.
  const Network net = dfsim::load_network_from_string(
      "network: wide\nlayers:\n  - {name: wide, M: 4, C: 2, H: 3, W: 60000, R: 3, S: 3}\n",
      "wide.yaml");
  try {
    mapper.map(net.layers[0]);
    FAIL() << "a 360 KB ifmap strip should not fit the GLB";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_TRUE(contains(msg, "no row-stationary mapping fits the array")) << msg;
    EXPECT_TRUE(contains(msg, "last reason: ifmap (")) << msg;
    EXPECT_TRUE(contains(msg, "GLB banks, 25 available")) << msg;
  }
}
