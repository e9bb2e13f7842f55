// Tests of the planar-tiled arrays: SCNN (PT-IS-CP-sparse, configs/scnn.yaml) and its dense
// baselines DCNN and DCNN-opt (PT-IS-DP-dense, configs/dcnn.yaml, configs/dcnn_opt.yaml);
// arrays/planar_tiled/ (planar_tiled_array, planar_pe, pt_mapping).
//
// - Bit-exact ofmaps against the reference convolution on compressed operands, for strides 1,
//   2 and 4 with padding, grouped convolutions, 1x1 convolutions and FC layers; with halos,
//   input-channel slices, several rounds, partial output-channel groups and RAM spills.
// - Exact counts: the sparse PE multiplies exactly the pairs of non-zero operands (useful
//   products == the reference's non-zero MACs); hand-derived step, product and bank-conflict
//   counts on given operands; the dense PE's step count from the loop bounds.
// - FC layers: one activation per channel, so at most F of the F x I products of a step are
//   useful: a quarter of the multipliers (SCNN paper, shared/reference/scnn.md).
//
// SystemC elaborates one design per process: every TEST calls run_simulation once.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "config_with.hpp"
#include "run/run.hpp"
#include "test_util.hpp"
#include "workload/npy.hpp"

namespace {

using dfsim::LayerStats;
using dfsim::RunOptions;
using dfsim::RunResult;
using dfsim_test::config_with;
using dfsim_test::read_file;
using dfsim_test::source_path;
using dfsim_test::temp_path;
using dfsim_test::write_temp;

std::int64_t count(const LayerStats& st, const std::string& key) {
  for (const auto& [k, v] : st.counts)
    if (k == key) return v;
  ADD_FAILURE() << "no count '" << key << "' in layer " << st.name;
  return -1;
}

double ratio(const LayerStats& st, const std::string& key) {
  for (const auto& [k, v] : st.ratios)
    if (k == key) return v;
  ADD_FAILURE() << "no ratio '" << key << "' in layer " << st.name;
  return -1;
}

std::int64_t category(const LayerStats& st, const std::string& key) {
  for (const auto& [k, v] : st.cycle_breakdown)
    if (k == key) return v;
  ADD_FAILURE() << "no cycle category '" << key << "' in layer " << st.name;
  return -1;
}

// Every planar layer: the ofmap matches the reference, the bookkeeping adds up.
void expect_consistent(const LayerStats& st, bool sparse) {
  SCOPED_TRACE("layer " + st.name + " (" + st.mapping + ")");
  EXPECT_EQ(st.output_check, "pass") << "simulated ofmap differs from the reference";
  EXPECT_EQ(category(st, "group_compute") + category(st, "waiting") +
                category(st, "final_post_processing"),
            st.cycles);
  const std::int64_t products = count(st, "products"), useful = count(st, "useful_products");
  const std::int64_t steps = count(st, "multiplier_cycles");
  // Both PEs compute the values of exactly the non-zero operand pairs.
  EXPECT_EQ(useful, st.nz_macs);
  const std::int64_t conflicts = count(st, "bank_conflicts");
  if (sparse) {
    EXPECT_EQ(products, useful + count(st, "dropped_products"));
    EXPECT_LE(products, steps * 16);
    EXPECT_EQ(st.gated_macs, 0);
    // A conflict is an accumulated product that found its accumulator bank busy.
    EXPECT_GE(conflicts, 0);
    EXPECT_LE(conflicts, useful);
  } else {
    EXPECT_EQ(count(st, "dropped_products"), 0);
    // The dense PE has no crossbar into accumulator banks, so nothing can conflict.
    EXPECT_EQ(conflicts, 0);
  }
  EXPECT_GE(ratio(st, "barrier_idle_fraction"), 0.0);
  EXPECT_LE(ratio(st, "barrier_idle_fraction"), 1.0);
  // Utilization counts the multiplier slots the layer's work occupied: a sparse PE's
  // accumulated products, every MAC slot of the dense PE (gated ones included);
  // multiplier_utilization the accumulated products alone.
  const double slots = static_cast<double>(st.cycles) * 1024.0;
  const std::int64_t occupied = sparse ? useful : products + st.gated_macs;
  EXPECT_NEAR(st.utilization, static_cast<double>(occupied) / slots, 1e-12);
  EXPECT_NEAR(ratio(st, "multiplier_utilization"), static_cast<double>(useful) / slots, 1e-12);
  EXPECT_EQ(st.unused_macs, st.cycles * 1024 - occupied);
}

// The shapes of the functional tests: strides 1, 2 and 4 with padding, grouped, 1x1, FC.
const char* kShapes =
    "network: planar_shapes\n"
    "layers:\n"
    "  - {name: c3x3, C: 8, M: 20, H: 14, W: 14, R: 3, S: 3, padding: 1,"
    " weight_density: 0.4, input_density: 0.6}\n"
    "  - {name: s2, C: 3, M: 8, H: 19, W: 19, R: 5, S: 5, stride: 2, padding: 1,"
    " weight_density: 0.5, input_density: 0.9}\n"
    "  - {name: s4, C: 3, M: 8, H: 35, W: 35, R: 11, S: 11, stride: 4, padding: 2,"
    " weight_density: 0.7, input_density: 1.0}\n"
    "  - {name: grouped, C: 8, M: 12, H: 9, W: 9, R: 3, S: 3, padding: 1, groups: 2,"
    " weight_density: 0.4, input_density: 0.5}\n"
    "  - {name: pointwise, C: 32, M: 16, H: 10, W: 10, R: 1, S: 1,"
    " weight_density: 0.3, input_density: 0.5}\n"
    "  - {name: fc, type: fc, C: 200, M: 40, weight_density: 0.2, input_density: 0.4}\n"
    // Most input tiles and some weight blocks all zero (streams that encode to nothing).
    "  - {name: empty_tiles, C: 4, M: 8, H: 16, W: 16, R: 3, S: 3, padding: 1,"
    " weight_density: 0.05, input_density: 0.02}\n";

// MACs whose input lies inside the ifmap (not in the padding), counted from the shape: an
// input-stationary dense PE iterates over its inputs, so it never multiplies padding.
struct Shape {
  std::int64_t C, M, H, W, R, S, stride, padding, groups;
};
std::int64_t unpadded_macs(const Shape& s) {
  const std::int64_t E = (s.H + 2 * s.padding - s.R) / s.stride + 1;
  const std::int64_t F = (s.W + 2 * s.padding - s.S) / s.stride + 1;
  auto axis = [&](std::int64_t n, std::int64_t out, std::int64_t taps) {
    std::int64_t pairs = 0;
    for (std::int64_t o = 0; o < out; ++o)
      for (std::int64_t t = 0; t < taps; ++t) {
        const std::int64_t i = o * s.stride - s.padding + t;
        pairs += i >= 0 && i < n;
      }
    return pairs;
  };
  return s.M * (s.C / s.groups) * axis(s.H, E, s.R) * axis(s.W, F, s.S);
}
// kShapes, in order (FC: a 1 x 1 plane).
const std::vector<Shape> kShapeList = {
    {8, 20, 14, 14, 3, 3, 1, 1, 1},  {3, 8, 19, 19, 5, 5, 2, 1, 1},
    {3, 8, 35, 35, 11, 11, 4, 2, 1}, {8, 12, 9, 9, 3, 3, 1, 1, 2},
    {32, 16, 10, 10, 1, 1, 1, 0, 1}, {200, 40, 1, 1, 1, 1, 1, 0, 1},
    {4, 8, 16, 16, 3, 3, 1, 1, 1}};

RunResult run_shapes(const std::string& config) {
  RunOptions opt;
  opt.arch_file = source_path("configs/" + config + ".yaml");
  opt.workload_file = write_temp("shapes.yaml", kShapes);
  opt.check = true;
  const RunResult r = dfsim::run_simulation(opt);
  EXPECT_EQ(r.layers.size(), kShapeList.size());
  EXPECT_EQ(r.total.output_check, "pass");
  return r;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Bit-exact results on the shipped configurations
// ---------------------------------------------------------------------------------------------

TEST(PlanarFunctional, ScnnShapes) {
  const RunResult r = run_shapes("scnn");
  for (const LayerStats& st : r.layers) {
    expect_consistent(st, true);
    EXPECT_GT(count(st, "multiplier_cycles"), 0) << st.name;
  }
  // A 3x3 convolution tiled over PEs exchanges halos; a 1x1 convolution has none.
  EXPECT_GT(count(r.layers[0], "halo_values"), 0);
  EXPECT_EQ(count(r.layers[4], "dropped_products"), 0) << "1x1: every product lands in the tile";
}

TEST(PlanarFunctional, DcnnShapes) {
  const RunResult r = run_shapes("dcnn");
  ASSERT_EQ(r.layers.size(), kShapeList.size());
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const LayerStats& st = r.layers[i];
    expect_consistent(st, false);
    EXPECT_EQ(st.gated_macs, 0) << st.name;
    // Without gating the dense PE performs every MAC outside the padding.
    EXPECT_EQ(count(st, "products"), unpadded_macs(kShapeList[i])) << st.name;
  }
}

TEST(PlanarFunctional, DcnnOptShapes) {
  const RunResult r = run_shapes("dcnn_opt");
  ASSERT_EQ(r.layers.size(), kShapeList.size());
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const LayerStats& st = r.layers[i];
    expect_consistent(st, false);
    // Gating skips exactly the MACs (outside the padding) with a zero operand.
    EXPECT_EQ(st.gated_macs, unpadded_macs(kShapeList[i]) - st.nz_macs) << st.name;
    EXPECT_EQ(count(st, "products"), st.nz_macs) << st.name;
  }
}

// Halos, four input-channel slices reduced into slice 0, 2 x 3 rounds, groups of 5, 5 and 2
// output channels, on the shipped SCNN.
TEST(PlanarFunctional, ScnnSlicesRoundsPartialGroups) {
  RunOptions opt;
  opt.arch_file = source_path("configs/scnn.yaml");
  opt.workload_file = write_temp("w.yaml",
                                 "network: t\nlayers:\n  - {name: L, C: 16, M: 12, H: 20, W: 20,"
                                 " R: 3, S: 3, padding: 1, weight_density: 0.4,"
                                 " input_density: 0.6}\n");
  opt.mapping_file = write_temp(
      "pins.yaml", "mappings:\n  L: {px: 3, py: 2, pc: 4, rounds_x: 2, rounds_y: 3, kc: 5}\n");
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerStats& st = r.layers[0];
  EXPECT_NE(st.mapping.find("[pinned]"), std::string::npos) << st.mapping;
  expect_consistent(st, true);
  // 6 rounds x 3 groups.
  EXPECT_EQ(st.passes, 18);
  EXPECT_GT(count(st, "halo_values"), 0);
}

// 64-byte IARAMs and OARAMs: every input tile and most output streams spill to DRAM, the
// results stay exact.
TEST(PlanarFunctional, ScnnSpillsToDram) {
  RunOptions opt;
  opt.arch_text = config_with(
      "scnn", {{"activation_ram.iaram_bytes", "64"}, {"activation_ram.oaram_bytes", "64"}});
  opt.arch_file = "scnn_small_rams.yaml";
  opt.workload_file = write_temp("w.yaml",
                                 "network: t\nlayers:\n  - {name: L, C: 16, M: 24, H: 16, W: 16,"
                                 " R: 3, S: 3, padding: 1, weight_density: 0.5,"
                                 " input_density: 0.7}\n");
  // 2 x 2 inputs per PE, one round: 24 output channels x 4 outputs per PE (> 64 bytes).
  opt.mapping_file = write_temp(
      "pins.yaml", "mappings:\n  L: {px: 8, py: 8, pc: 1, rounds_x: 1, rounds_y: 1, kc: 24}\n");
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerStats& st = r.layers[0];
  expect_consistent(st, true);
  EXPECT_GT(count(st, "iaram_spill_bytes"), 0);
  EXPECT_GT(count(st, "oaram_spill_bytes"), 0);
}

// ---------------------------------------------------------------------------------------------
// Exact counts
// ---------------------------------------------------------------------------------------------

// The dense PE: per (output-channel block of F, input-channel block of I), one cycle per
// (input position, tap) pair whose output lies in the PE's accumulators. Over all PEs that is
// every valid pair of the layer: per axis 16 inputs x 3 taps minus the 2 that fall into the
// padding = 46, so 46 x 46 = 2116 pairs, times ceil(12 / 4) x ceil(8 / 4) = 6 blocks.
TEST(PlanarCounts, DcnnStepsFromLoopBounds) {
  RunOptions opt;
  opt.arch_file = source_path("configs/dcnn.yaml");
  opt.workload_file = write_temp("w.yaml",
                                 "network: t\nlayers:\n  - {name: L, C: 8, M: 12, H: 16, W: 16,"
                                 " R: 3, S: 3, padding: 1}\n");
  opt.mapping_file = write_temp(
      "pins.yaml", "mappings:\n  L: {px: 8, py: 8, pc: 1, rounds_x: 1, rounds_y: 1, kc: 12}\n");
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerStats& st = r.layers[0];
  expect_consistent(st, false);
  EXPECT_EQ(count(st, "multiplier_cycles"), 2116 * 3 * 2);
  EXPECT_EQ(st.macs, 12 * 16 * 16 * 8 * 9);
}

// The sparse PE on given operands, one PE, one group (1x1 convolution, 2 channels of a 4 x 8
// plane, 4 output channels; the 32 outputs of a channel fill the 32 accumulator banks, so the
// bank of a product is its pixel):
//   channel 0: activations at 5 pixels (0..4), weights of output channels 0, 1, 2
//     -> ceil(5/4) = 2 steps, 15 products; step 1 puts 3 products in each of banks 0..3,
//        step 2 three in bank 4: 2 + 2 + 2 + 2 + 2 = 10 conflicts
//   channel 1: activations at 4 other pixels (8..11), weights of all 4 output channels
//     -> 1 step, 16 products; 4 products in each of banks 8..11: 4 x 3 = 12 conflicts
// In total 3 steps (48 multiplier slots), 31 products, all useful, 22 bank conflicts; with a
// queue of 2 per bank no step waits.
TEST(PlanarCounts, ScnnStepsProductsConflictsByHand) {
  std::vector<std::int16_t> ifmap(2 * 4 * 8, 0), weights(4 * 2, 0);
  for (int p = 0; p < 5; ++p) ifmap[static_cast<std::size_t>(p)] = static_cast<std::int16_t>(p + 1);
  for (int p = 8; p < 12; ++p)
    ifmap[static_cast<std::size_t>(32 + p)] = static_cast<std::int16_t>(p);
  for (int k = 0; k < 3; ++k)
    weights[static_cast<std::size_t>(k * 2 + 0)] = static_cast<std::int16_t>(64 * (k + 1));
  for (int k = 0; k < 4; ++k)
    weights[static_cast<std::size_t>(k * 2 + 1)] = static_cast<std::int16_t>(-32 * (k + 1));
  const std::string in = temp_path("if.npy"), w = temp_path("w.npy");
  dfsim::save_npy_int16(in, {1, 2, 4, 8}, ifmap);
  dfsim::save_npy_int16(w, {4, 2, 1, 1}, weights);
  RunOptions opt;
  opt.arch_file = source_path("configs/scnn.yaml");
  opt.workload_file = write_temp("w.yaml",
                                 "network: t\nlayers:\n  - {name: L, C: 2, M: 4, H: 4, W: 8,"
                                 " R: 1, S: 1, ifmap_file: " +
                                     in + ", weights_file: " + w + "}\n");
  opt.mapping_file = write_temp(
      "pins.yaml", "mappings:\n  L: {px: 1, py: 1, pc: 1, rounds_x: 1, rounds_y: 1, kc: 4}\n");
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerStats& st = r.layers[0];
  expect_consistent(st, true);
  EXPECT_EQ(st.nz_macs, 31);
  EXPECT_EQ(count(st, "multiplier_cycles"), 3);
  EXPECT_EQ(count(st, "products"), 31);
  EXPECT_EQ(count(st, "useful_products"), 31);
  EXPECT_EQ(count(st, "bank_conflicts"), 22);
  EXPECT_EQ(count(st, "conflict_stall_cycles"), 0);
  EXPECT_EQ(count(st, "halo_values"), 0);
  EXPECT_NEAR(ratio(st, "intra_pe_fragmentation"), 1.0 - 31.0 / 48.0, 1e-12);
}

// FC layers: the plane is one pixel, so an activation vector holds one value and a step makes
// at most F = 4 useful products of its 16: a quarter of peak (SCNN paper: FC layers reach about
// 25% multiplier utilization). Dense operands make it exact: every step is 1 x 4.
TEST(PlanarCounts, FcUsesAQuarterOfTheMultipliers) {
  RunOptions opt;
  opt.arch_file = source_path("configs/scnn.yaml");
  opt.workload_file =
      write_temp("w.yaml", "network: t\nlayers:\n  - {name: fc, type: fc, C: 512, M: 64}\n");
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerStats& st = r.layers[0];
  expect_consistent(st, true);
  EXPECT_EQ(count(st, "useful_products"), 512 * 64);
  EXPECT_EQ(count(st, "multiplier_cycles"), 512 * 64 / 4);
  EXPECT_NEAR(ratio(st, "intra_pe_fragmentation"), 0.75, 1e-12);
  EXPECT_NEAR(ratio(st, "busy_multiplier_utilization"), 0.25, 1e-12);
}

// An FC layer over a 3 x 3 x 16 input (AlexNet's fc6 has 6 x 6 x 256) runs as 144 channels of a
// 1 x 1 plane: no product is dropped, and it is a quarter of peak again.
TEST(PlanarCounts, FcOverAPlaneIsFlattened) {
  RunOptions opt;
  opt.arch_file = source_path("configs/scnn.yaml");
  opt.workload_file = write_temp(
      "w.yaml", "network: t\nlayers:\n  - {name: fc, type: fc, C: 16, H: 3, W: 3, M: 32}\n");
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerStats& st = r.layers[0];
  expect_consistent(st, true);
  EXPECT_EQ(count(st, "useful_products"), 144 * 32);
  EXPECT_EQ(count(st, "dropped_products"), 0);
  EXPECT_EQ(count(st, "multiplier_cycles"), 144 * 32 / 4);
  EXPECT_NEAR(ratio(st, "busy_multiplier_utilization"), 0.25, 1e-12);
}

// ---------------------------------------------------------------------------------------------
// Bad configurations and mappings
// ---------------------------------------------------------------------------------------------

namespace {

std::string expect_config_error(const std::string& text, const std::string& pins = "") {
  RunOptions opt;
  opt.arch_text = text;
  opt.arch_file = "bad_scnn.yaml";
  opt.workload_file = write_temp("w.yaml",
                                 "network: t\nlayers:\n  - {name: L, C: 4, M: 4, H: 6, W: 6,"
                                 " R: 3, S: 3, padding: 1}\n");
  if (!pins.empty()) opt.mapping_file = write_temp("pins.yaml", pins);
  try {
    dfsim::run_simulation(opt);
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

int line_of(const std::string& text, const std::string& needle) {
  const std::size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

}  // namespace

TEST(PlanarErrors, UnknownDataflowNamesFileLineKey) {
  const std::string text = config_with("scnn", {{"pe.dataflow", "cartesian_dense"}});
  const std::string err = expect_config_error(text);
  EXPECT_NE(err.find("bad_scnn.yaml:" + std::to_string(line_of(text, "cartesian_dense"))),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("pe.dataflow"), std::string::npos) << err;
  EXPECT_NE(err.find("did you mean 'cartesian_sparse'"), std::string::npos) << err;
}

TEST(PlanarErrors, SparsePeNeedsCompressedData) {
  const std::string err = expect_config_error(config_with("scnn", {{"encodings.onchip", "dense"}}));
  EXPECT_NE(err.find("bad_scnn.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find("zero_run"), std::string::npos) << err;
}

TEST(PlanarErrors, PinnedMappingLargerThanTheArray) {
  const std::string err = expect_config_error(
      config_with("scnn"),
      "mappings:\n  L: {px: 6, py: 6, pc: 2, rounds_x: 1, rounds_y: 1, kc: 4}\n");
  EXPECT_NE(err.find("pins.yaml:2:"), std::string::npos) << err;
  EXPECT_NE(err.find("uses 72 PEs"), std::string::npos) << err;
}

TEST(PlanarErrors, PinnedGroupTooLargeForTheAccumulators) {
  // One PE holds the whole 6 x 6 output plane: kc = 4 needs 144 accumulator entries, more
  // than 2 banks x 32.
  const std::string err = expect_config_error(
      config_with("scnn", {{"pe.accumulator_banks", "2"}}),
      "mappings:\n  L: {px: 1, py: 1, pc: 1, rounds_x: 1, rounds_y: 1, kc: 4}\n");
  EXPECT_NE(err.find("pins.yaml:2:"), std::string::npos) << err;
  EXPECT_NE(err.find("accumulators"), std::string::npos) << err;
}

TEST(PlanarErrors, PinnedGridWiderThanTheArray) {
  // 9 x 1 x 1 = 9 PEs fit the 64, but not as 9 columns of an 8-wide array.
  const std::string err = expect_config_error(
      config_with("scnn"),
      "mappings:\n  L: {px: 9, py: 1, pc: 1, rounds_x: 1, rounds_y: 1, kc: 4}\n");
  EXPECT_NE(err.find("pins.yaml:2:"), std::string::npos) << err;
  EXPECT_NE(err.find("does not fit the 8 x 8 PE array"), std::string::npos) << err;
}

TEST(PlanarErrors, PinnedGroupLargerThanTheLayer) {
  const std::string err = expect_config_error(
      config_with("scnn"),
      "mappings:\n  L: {px: 2, py: 2, pc: 1, rounds_x: 1, rounds_y: 1, kc: 5}\n");
  EXPECT_NE(err.find("kc = 5 exceeds the layer's 4 output channels per group"), std::string::npos)
      << err;
}

// The same inputs and seed give a byte-identical stats.json (two dfsim processes).
TEST(PlanarDeterminism, SameSeedSameStats) {
  const std::string wl = write_temp("shapes.yaml", kShapes);
  std::string stats[2];
  for (int i = 0; i < 2; ++i) {
    const std::string dir = temp_path("run" + std::to_string(i));
    std::filesystem::create_directories(dir);
    const dfsim_test::CliResult r =
        dfsim_test::dfsim("run --arch '" + source_path("configs/scnn.yaml") + "' --workload '" +
                              wl + "' --seed 5 --out '" + dir + "'",
                          dir);
    ASSERT_EQ(r.code, 0) << dfsim_test::describe(r);
    stats[i] = read_file(dir + "/stats.json");
  }
  ASSERT_FALSE(stats[0].empty());
  EXPECT_EQ(stats[0], stats[1]);
}

TEST(PlanarErrors, DensityOverrideOutOfRange) {
  const std::string wl = write_temp("shapes.yaml", kShapes);
  const std::string dir = temp_path("run");
  std::filesystem::create_directories(dir);
  const dfsim_test::CliResult r =
      dfsim_test::dfsim("run --arch '" + source_path("configs/scnn.yaml") + "' --workload '" + wl +
                            "' --weight-density 1.5 --out '" + dir + "'",
                        dir);
  EXPECT_EQ(r.code, 2) << dfsim_test::describe(r);
  EXPECT_NE(r.err.find("--weight-density: must be in (0, 1]"), std::string::npos)
      << dfsim_test::describe(r);
  EXPECT_FALSE(std::filesystem::exists(dir + "/stats.json"));
}
