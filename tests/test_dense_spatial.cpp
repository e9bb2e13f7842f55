// The dense spatial arrays (no local reuse, weight stationary with broadcast, output
// stationary) and the block schedule they share: the schedule's closed-form DRAM traffic
// against its own passes (exhaustively on small layers), the simulation's counts against the
// mapper's estimate, closed-form cycles and traffic on a small array, errors with
// file:line:column, the mapping round trip and the waveform, for each style.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "arrays/dense_spatial/block_mapper.hpp"
#include "arrays/dense_spatial/block_tiling.hpp"
#include "base/config/arch_config.hpp"
#include "base/sim_error.hpp"
#include "mapper/chunks.hpp"
#include "run/run.hpp"
#include "test_util.hpp"

namespace {

using dfsim::BlockOrder;
using dfsim::BlockTiling;
using dfsim::Layer;
using dfsim_test::contains;
using dfsim_test::fresh_dir;
using dfsim_test::write_file;

TEST(BlockTiling, BlockSizesGiveEachBlockCountOnceWithItsSmallestSize) {
  EXPECT_EQ(dfsim::block_sizes(10, 1), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 10}));
  EXPECT_EQ(dfsim::block_sizes(1, 1), (std::vector<std::int64_t>{1}));
  // Multiples of 16 filter lanes (the last block smaller): 40 filters in 1, 2 or 3 blocks.
  EXPECT_EQ(dfsim::block_sizes(40, 16), (std::vector<std::int64_t>{16, 32, 40}));
  // A long loop is thinned: counts 1..8, then growing by 1.25x at least, and the finest.
  const std::vector<std::int64_t> c = dfsim::block_sizes(9216, 1);
  EXPECT_EQ(c.size(), 33u);
  EXPECT_EQ(c.front(), 1);
  EXPECT_EQ(c.back(), 9216);
  for (std::int64_t total = 1; total <= 300; ++total) {
    if (dfsim::block_sizes(total, 1).size() >= dfsim::kMaxBlockSizes) continue;  // thinned
    std::set<std::int64_t> counts;
    for (std::int64_t s : dfsim::block_sizes(total, 1)) {
      EXPECT_TRUE(counts.insert(dfsim::ceil_div64(total, s)).second) << total << " size " << s;
      if (s > 1) {
        EXPECT_GT(dfsim::ceil_div64(total, s - 1), dfsim::ceil_div64(total, s));
      }
    }
    std::set<std::int64_t> all;
    for (std::int64_t s = 1; s <= total; ++s) all.insert(dfsim::ceil_div64(total, s));
    EXPECT_EQ(counts, all) << total;
  }
}

Layer layer(std::int64_t N, std::int64_t M, std::int64_t C, std::int64_t H, std::int64_t W,
            std::int64_t R, std::int64_t S, std::int64_t stride, std::int64_t padding,
            std::int64_t groups) {
  Layer l;
  l.name = "l";
  l.N = N, l.M = M, l.C = C, l.H = H, l.W = W, l.R = R, l.S = S;
  l.set_stride(stride), l.set_padding(padding), l.groups = groups;
  return l;
}

// Every tiling of small layers (padding, stride, groups, batch): the closed form counts what
// the passes load, and the passes cover every (image, row, filter, channel) once, channel
// blocks innermost.
TEST(BlockTiling, ClosedFormTrafficIsWhatThePassesLoad) {
  const std::vector<Layer> layers = {
      layer(2, 5, 3, 7, 6, 3, 3, 1, 1, 1), layer(3, 6, 4, 9, 9, 3, 2, 2, 0, 2),
      layer(1, 4, 5, 5, 5, 5, 5, 1, 2, 1), layer(2, 3, 7, 1, 1, 1, 1, 1, 0, 1)};
  int tilings = 0;
  for (const Layer& l : layers)
    for (BlockOrder order : {BlockOrder::FiltersInner, BlockOrder::FiltersOuter})
      for (std::int64_t nb = 1; nb <= l.N; ++nb)
        for (std::int64_t eb = 1; eb <= l.E(); ++eb)
          for (std::int64_t mb = 1; mb <= l.M_per_group(); ++mb)
            for (std::int64_t cb = 1; cb <= l.C_per_group(); ++cb) {
              const BlockTiling t{nb, eb, mb, cb, order, false, {}};
              double ifmap = 0, weights = 0;
              std::int64_t if_loads = 0, w_loads = 0;
              std::map<std::vector<std::int64_t>, int> covered;
              for (const dfsim::BlockPass& p : dfsim::block_passes(l, t)) {
                const dfsim::InputRows rows = dfsim::input_rows(l, p.e0, p.eb);
                if (p.load_ifmap) ifmap += 2.0 * p.nb * p.cb * rows.rows * l.W, ++if_loads;
                if (p.load_weights) weights += 2.0 * p.mb * p.cb * l.R * l.S, ++w_loads;
                EXPECT_EQ(p.first_c, p.c0 == 0);
                EXPECT_EQ(p.last_c, p.c0 + p.cb == l.C_per_group());
                for (std::int64_t n = p.n0; n < p.n0 + p.nb; ++n)
                  for (std::int64_t e = p.e0; e < p.e0 + p.eb; ++e)
                    for (std::int64_t m = p.m0; m < p.m0 + p.mb; ++m)
                      for (std::int64_t c = p.c0; c < p.c0 + p.cb; ++c)
                        ++covered[{p.g, n, e, m, c}];
              }
              const dfsim::BlockDramTraffic d = dfsim::block_dram_traffic(l, t);
              const std::string what =
                  "layer " + std::to_string(l.M) + ", tiling " + dfsim::to_yaml(t);
              EXPECT_DOUBLE_EQ(d.ifmap_bytes, ifmap) << what;
              EXPECT_DOUBLE_EQ(d.weight_bytes, weights) << what;
              EXPECT_EQ(d.ifmap_loads, if_loads) << what;
              EXPECT_EQ(d.weight_loads, w_loads) << what;
              EXPECT_EQ(static_cast<std::int64_t>(covered.size()),
                        l.groups * l.N * l.E() * l.M_per_group() * l.C_per_group())
                  << what;
              for (const auto& [key, times] : covered) EXPECT_EQ(times, 1) << what;
              ++tilings;
            }
  EXPECT_EQ(tilings, 848);
}

// A 4 x 4 array of each style; `pe` is the style's PE section.
std::string arch_of(const std::string& array, const std::string& pe) {
  return "name: small\n"
         "array: " +
         array +
         "\n"
         "pe_array: {rows: 4, cols: 4}\n"
         "clocks: {core_mhz: 200, link_mhz: 100, cdc_sync_cycles: 2}\n"
         "dram: {bus_width_bits: 64, latency_ns: 50, burst_bytes: 64, energy_pj_per_bit: 12.5}\n"
         "glb: {banks: 16, bank_bytes: 1024, bank_width_bits: 512, read_energy_pj_per_bit: 0.375,\n"
         "      write_energy_pj_per_bit: 0.375}\n"
         "noc: {energy_pj_per_bit: 0.125}\n"
         "pe: " +
         pe + "\n";
}
const std::string kNlr = arch_of("no_local_reuse", "{mac_energy_pj: 1.0}");
const std::string kWsb = arch_of("weight_stationary_broadcast",
                                 "{rf_bytes: 64, rf_read_energy_pj: 1.0, "
                                 "rf_write_energy_pj: 1.0, mac_energy_pj: 1.0}");
const std::string kOs = arch_of("output_stationary",
                                "{rf_bytes: 64, rf_read_energy_pj: 1.0, rf_write_energy_pj: 1.0, "
                                "mac_energy_pj: 1.0}");

// Padding, stride, groups, a batch, an FC layer over a plane.
const char* kWorkload =
    "network: nlr\n"
    "batch: 2\n"
    "layers:\n"
    "  - {name: conv, type: conv, C: 6, M: 10, H: 9, W: 7, R: 3, S: 3, stride: 2, padding: 1}\n"
    "  - {name: grouped, type: conv, C: 8, M: 6, H: 6, W: 6, R: 3, S: 2, padding: 1, groups: 2}\n"
    "  - {name: fc, type: fc, C: 5, H: 3, W: 3, M: 7, relu: false}\n";

dfsim::RunOptions options(const std::string& dir, const std::string& arch,
                          const std::string& mappings = "") {
  dfsim::RunOptions opt;
  opt.arch_file = write_file(dir + "/small.yaml", arch);
  opt.workload_file = write_file(dir + "/nlr.yaml", kWorkload);
  if (!mappings.empty()) opt.mapping_file = write_file(dir + "/pinned.yaml", mappings);
  opt.out_dir = dir;
  return opt;
}

// The simulation counts what the estimate predicts, exactly: DRAM and GLB traffic by data
// type and every priced action (so the energy without idle power); cycles within 2%. Pinned
// tilings cover both orders, channel blocks, filter blocks that do not fill the lanes, and (on
// the weight-stationary array) weight tiles kept in the register files across passes.
void expect_counts_as_estimated(const std::string& arch, const std::string& mappings) {
  const std::string dir = fresh_dir("reduction_counts");
  const dfsim::RunOptions opt = options(dir, arch, mappings);
  const dfsim::Plan plan = dfsim::make_plan(opt);
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const dfsim::LayerStats& s = r.layers[i];
    const dfsim::PredictedTraffic& p = plan.layers[i].mapping->predicted_traffic();
    EXPECT_EQ(s.output_check, "pass") << s.name;
    EXPECT_TRUE(contains(s.mapping, "[pinned]")) << s.mapping;
    for (std::size_t k = 0; k < 4; ++k) {
      EXPECT_EQ(s.dram.read_bytes[k], static_cast<std::int64_t>(p.dram_read[k])) << s.name << k;
      EXPECT_EQ(s.dram.write_bytes[k], static_cast<std::int64_t>(p.dram_write[k])) << s.name << k;
      EXPECT_EQ(s.glb.read_bytes[k], static_cast<std::int64_t>(p.glb_read[k])) << s.name << k;
    }
    EXPECT_NEAR(s.total_pj() - s.idle_pj, s.estimate_energy_pj, 1e-9 * s.estimate_energy_pj)
        << s.name;
    EXPECT_NEAR(static_cast<double>(s.cycles) / static_cast<double>(s.estimate_cycles), 1.0, 0.02)
        << s.name << ": " << s.cycles << " simulated, " << s.estimate_cycles << " estimated";
  }
}

TEST(NoLocalReuse, TheSimulationCountsWhatTheEstimatePredicts) {
  expect_counts_as_estimated(kNlr,
                             "mappings:\n"
                             "  conv: {nb: 1, eb: 2, mb: 7, cb: 4, order: filters_outer}\n"
                             "  grouped: {nb: 2, eb: 3, mb: 3, cb: 1, order: filters_inner}\n"
                             "  fc: {nb: 1, eb: 1, mb: 5, cb: 2, order: filters_outer}\n");
}

TEST(WeightStationaryBroadcast, TheSimulationCountsWhatTheEstimatePredicts) {
  // conv: 10 filters in one tile of all 6 channels stay in the RFs for the 3 row blocks.
  expect_counts_as_estimated(kWsb,
                             "mappings:\n"
                             "  conv: {nb: 1, eb: 2, mb: 10, cb: 2, order: filters_outer}\n"
                             "  grouped: {nb: 1, eb: 3, mb: 3, cb: 4, order: filters_outer}\n"
                             "  fc: {nb: 2, eb: 1, mb: 7, cb: 1, order: filters_inner}\n");
}

// The weight-stationary array's register files hold a pass's weights, so its GLB stages a
// weight tile in one slot where the other arrays need two. With 8 banks of 1 KB, conv in one
// block (ifmap 2 x 6 x 9 x 7 x 2 B: 2 banks; weights 10 x 6 x 3 x 3 x 2 B: 2 banks; psums
// 2 x 5 x 4 x 10 x 2 B: 1 bank) needs 2 x 2 + 1 x 2 + 1 = 7 banks on WS and 9 with two weight
// slots; fc (a new weight tile every pass) reuses the one slot pass after pass.
TEST(WeightStationaryBroadcast, RegisterFilesAreTheWeightTilesSecondBuffer) {
  const std::string mappings =
      "mappings:\n"
      "  conv: {nb: 2, eb: 5, mb: 10, cb: 6, order: filters_inner}\n"
      "  grouped: {nb: 1, eb: 3, mb: 3, cb: 4, order: filters_outer}\n"
      "  fc: {nb: 2, eb: 1, mb: 7, cb: 1, order: filters_inner}\n";
  const auto with_8_banks = [](std::string arch) {
    arch.replace(arch.find("banks: 16"), 9, "banks: 8");
    const std::size_t rf = arch.find("rf_bytes: 64");
    if (rf != std::string::npos) arch.replace(rf, 12, "rf_bytes: 128");  // 43 weight entries
    return arch;
  };
  expect_counts_as_estimated(with_8_banks(kWsb), mappings);
  const std::string dir = fresh_dir("one_weight_slot");
  try {
    dfsim::make_plan(options(dir, with_8_banks(kNlr), mappings));
    FAIL() << "two weight slots fit 8 banks";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(),
                         "the blocks need 9 GLB banks (2 x 2 ifmap, 2 x 2 weight, 1 "
                         "psum); the GLB has 8"))
        << e.what();
  }
}

// Step shapes: 2 filters x 2 x 4 pixels (OS_B), the layer's 6 filters of one pixel (OS_C-like),
// one filter over 3 x 3 pixels (OS_A) on a stride-2 layer (no forwarding there).
TEST(OutputStationary, TheSimulationCountsWhatTheEstimatePredicts) {
  expect_counts_as_estimated(
      kOs,
      "mappings:\n"
      "  conv: {nb: 1, eb: 5, mb: 10, cb: 4, order: filters_outer, step: {filters: 1, rows: 3, "
      "cols: 3}}\n"
      "  grouped: {nb: 2, eb: 3, mb: 3, cb: 4, order: filters_inner, step: {filters: 2, rows: 2, "
      "cols: 4}}\n"
      "  fc: {nb: 1, eb: 1, mb: 7, cb: 2, order: filters_outer, step: {filters: 7, rows: 1, "
      "cols: 1}}\n");
}

// One pass on a 4 x 4 array, everything countable by hand: C = 3, M = 6, 4 x 4 ifmap, 3 x 3
// filters, padding 1 (E = F = 4). K = 27 values per window: 7 cycles of 4 reduction lanes per
// step, each reading and writing its lanes' psums in the GLB (2 cycles of the psum bank): 14
// cycles; the 6 filters are two steps (4 + 2) per output pixel: 16 x 2 x 14 = 448 cycles.
// The pass on `arch` (with `step`, an output-stationary step shape), and what every array
// does alike: each operand once from DRAM (16-bit values), every MAC once.
dfsim::LayerStats run_one_pass(const std::string& arch, const std::string& step = "") {
  const std::string dir = fresh_dir("one_pass");
  dfsim::RunOptions opt;
  opt.arch_file = write_file(dir + "/small.yaml", arch);
  opt.workload_file = write_file(
      dir + "/one.yaml",
      "network: one\nlayers:\n  - {name: one, type: conv, C: 3, M: 6, H: 4, W: 4, R: 3, S: 3, "
      "padding: 1}\n");
  opt.mapping_file = write_file(dir + "/pinned.yaml",
                                "mappings:\n  one: {nb: 1, eb: 4, mb: 6, cb: 3, order: "
                                "filters_inner" +
                                    step + "}\n");
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  EXPECT_EQ(r.layers.size(), 1u);
  const dfsim::LayerStats& s = r.layers.at(0);
  EXPECT_EQ(s.output_check, "pass");
  EXPECT_EQ(s.macs, 16 * 6 * 27);
  EXPECT_EQ(s.passes, 1);
  EXPECT_EQ(s.active_pes, 16);
  EXPECT_EQ(s.dram.read_bytes[1], 2 * 3 * 16);
  EXPECT_EQ(s.dram.read_bytes[0], 2 * 6 * 27);
  EXPECT_EQ(s.dram.write_bytes[3], 2 * 6 * 16);
  return s;
}

dfsim::LayerStats one_pass(const std::string& arch) {
  const dfsim::LayerStats s = run_one_pass(arch);
  // GLB: each window once per step, without its padding (rows inside per output row 2, 3, 3, 2
  // and the same for columns: 10 x 10 per channel). Psums: each of the 7 cycles of a step adds
  // its lanes' sums to the GLB's psums (the first only writes), and the drain reads them once.
  EXPECT_EQ(s.glb.read_bytes[1], 2 * 2 * 3 * 10 * 10);
  EXPECT_EQ(s.glb.read_bytes[2], 2 * 16 * 6 * (7 - 1) + 2 * 6 * 16);
  EXPECT_EQ(s.glb.write_bytes[2], 2 * 16 * 6 * 7);
  return s;
}

std::int64_t busy_cycles(const dfsim::LayerStats& s) {
  for (const auto& [name, cycles] : s.cycle_breakdown)
    if (name == "array_busy") return cycles;
  return -1;
}

TEST(NoLocalReuse, ClosedFormCyclesAndTrafficOfOnePass) {
  const dfsim::LayerStats s = one_pass(kNlr);
  // Before the steps, the first step's weights (4 x 27 16-bit values through a 512-bit port:
  // 4 cycles, then overlapped with the steps).
  EXPECT_EQ(busy_cycles(s), 4 + 16 * 2 * 14);
  EXPECT_EQ(s.glb.read_bytes[0], 2 * 16 * 6 * 27);  // every weight once per output pixel
  EXPECT_EQ(s.rf.read_bytes[0], 0);
}

TEST(WeightStationaryBroadcast, ClosedFormCyclesAndTrafficOfOnePass) {
  const dfsim::LayerStats s = one_pass(kWsb);
  // Before the steps, the register files load: each PE takes its ceil(6/4) x ceil(27/4) = 14
  // weights, one per cycle.
  EXPECT_EQ(busy_cycles(s), 14 + 16 * 2 * 14);
  EXPECT_EQ(s.glb.read_bytes[0], 2 * 6 * 27);  // every weight once, into the RFs
  EXPECT_EQ(s.rf.write_bytes[0], 2 * 6 * 27);
  EXPECT_EQ(s.rf.read_bytes[0], 2 * 16 * 6 * 27);  // once per MAC
  // Each input broadcast is written into the PEs of its row that use it (each filter lane) and
  // read by each MAC.
  EXPECT_EQ(s.rf.write_bytes[1], 2 * 6 * 3 * 10 * 10);
  EXPECT_EQ(s.rf.read_bytes[1], 2 * 16 * 6 * 27);
}

// The same pass as one filter plane of 4 x 4 pixels per step (OS_A): 6 steps of K = 27
// cycles. A step reads its 6 x 6 input region once (the 4 x 4 of it inside the image: 16 x 3
// values); every other input a PE uses comes from a neighbour: 3 x (16 x 9 - 36) = 324 hops per
// step, of which the 3 x 2 x 3 x 4 x 3 = 216 from below are read from the FIFO to be sent up.
// Every operand arrives in the register file and is read there by its MAC; each MAC reads and
// writes its psum there.
TEST(OutputStationary, ClosedFormCyclesAndTrafficOfOnePass) {
  const dfsim::LayerStats s = run_one_pass(kOs, ", step: {filters: 1, rows: 4, cols: 4}");
  // Before the steps, the first step's reads (the region's rows, one after another: 4); after
  // them, the last step's psum rows (4).
  EXPECT_EQ(busy_cycles(s), 4 + 6 * 27 + 4);
  EXPECT_EQ(s.glb.read_bytes[1], 2 * 6 * 16 * 3);
  EXPECT_EQ(s.glb.read_bytes[0], 2 * 6 * 27);  // each step its filter's weights
  EXPECT_EQ(s.rf.read_bytes[2], 2 * 16 * 6 * 27);
  EXPECT_EQ(s.rf.write_bytes[2], 2 * 16 * 6 * 27);
  EXPECT_EQ(s.rf.read_bytes[1], 2 * (16 * 6 * 27 + 6 * 216));
  EXPECT_EQ(s.rf.write_bytes[1], 2 * 16 * 6 * 27);
  EXPECT_EQ(s.rf.read_bytes[0], 2 * 16 * 6 * 27);
  EXPECT_EQ(s.rf.write_bytes[0], 2 * 16 * 6 * 27);
  // NoC: every MAC's weight, the region's inputs, the hops, the psums back.
  EXPECT_EQ(s.noc.write_bytes[0], 2 * 16 * 6 * 27);
  EXPECT_EQ(s.noc.write_bytes[1], 2 * 6 * (48 + 324));
  EXPECT_EQ(s.noc.read_bytes[2], 2 * 6 * 16);
}

TEST(DenseSpatialArrays, KeysAndMappingsAreCheckedWithFileLineColumn) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"glb: {banks: 4,", "small.yaml:6:14: glb.banks: must be >= 5, got 4"},
      {"noc: {hops: 1, energy_pj_per_bit: 0.125}",
       "small.yaml:8:7: noc.hops: unknown key 'hops'; the keys here: energy_pj_per_bit"},
      {"pe: {spad_bytes: 512, mac_energy_pj: 1.0}",
       "small.yaml:9:6: pe.spad_bytes: unknown key 'spad_bytes'; the keys here: mac_energy_pj"}};
  const std::vector<std::string> originals = {"glb: {banks: 16,", "noc: {energy_pj_per_bit: 0.125}",
                                              "pe: {mac_energy_pj: 1.0}"};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string text = kNlr;
    text.replace(text.find(originals[i]), originals[i].size(), cases[i].first);
    try {
      dfsim::load_arch_from_string(text, "small.yaml");
      FAIL() << "accepted " << cases[i].first;
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), cases[i].second)) << e.what();
    }
  }
  try {  // the weight register file is the weight-stationary array's, and bounded
    std::string text = kWsb;
    text.replace(text.find("rf_bytes: 64"), 12, "rf_bytes: 2");
    dfsim::load_arch_from_string(text, "small.yaml");
    FAIL() << "accepted a 1-byte register file";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "small.yaml:9:16: pe.rf_bytes: must be ")) << e.what();
  }
  const std::string dir = fresh_dir("reduction_bad_mapping");
  for (const auto& [arch, mapping, message] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {kNlr, "{nb: 1, eb: 1, mb: 11, cb: 1, order: filters_inner}",
            "pinned.yaml:2:9: mapping for layer 'conv' does not fit: mb 11 is larger than the "
            "layer's 10"},
           {kNlr, "{nb: 1, eb: 1, mb: 1, cb: 1, order: sideways}",
            "pinned.yaml:2:45: mappings.conv.order: must be filters_inner or filters_outer, not "
            "'sideways'"},
           // 10 filters x 6 channels x 9 taps on 4 x 4 lanes: 3 x 14 = 42 weights per PE > 32.
           {kWsb, "{nb: 1, eb: 1, mb: 10, cb: 6, order: filters_inner}",
            "pinned.yaml:2:9: mapping for layer 'conv' does not fit: each PE needs 43 "
            "register-file entries (weights and the input) for mb 10, cb 6; it has 32"},
           {kOs,
            "{nb: 1, eb: 1, mb: 1, cb: 1, order: filters_inner, step: {filters: 2, rows: 3, "
            "cols: 3}}",
            "pinned.yaml:2:9: mapping for layer 'conv' does not fit: a step of 2 x 3x3 outputs "
            "does not fit the 4x4 PEs"},
           {kOs, "{nb: 1, eb: 1, mb: 1, cb: 1, order: filters_inner}",
            "pinned.yaml:2:9: mappings.conv: missing required key 'step'"},
           {kNlr, "{nb: 1, eb: 1, mb: 1, cb: 1, order: filters_inner, step: {filters: 1}}",
            "pinned.yaml:2:60: mappings.conv.step: unknown key 'step'; the keys here: nb, eb, "
            "mb, cb, order"}}) {
    try {
      dfsim::make_plan(options(dir, arch, "mappings:\n  conv: " + mapping + "\n"));
      FAIL() << "accepted " << mapping;
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), message)) << e.what();
    }
  }
  // A GLB of 5 banks of 16 B holds no tiling of the first layer: an ifmap slot of one image,
  // one channel and one output row (3 input rows of 7 values) needs 3 banks.
  std::string small = kNlr;
  small.replace(small.find("banks: 16, bank_bytes: 1024"), 27, "banks: 5, bank_bytes: 16");
  try {
    dfsim::make_plan(options(dir, small));
    FAIL() << "mapped a layer no GLB tiling holds";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(),
                         "layer 'conv' does not fit the no_local_reuse array 'small': "
                         "the blocks need "))
        << e.what();
  }
}

TEST(DenseSpatialArrays, DumpedMappingsPinBackToTheSamePlan) {
  for (const std::string& arch : {kNlr, kWsb, kOs}) {
    const std::string dir = fresh_dir("reduction_round_trip");
    dfsim::RunOptions opt = options(dir, arch);
    const dfsim::Plan searched = dfsim::make_plan(opt);
    opt.mapping_file = write_file(dir + "/pinned.yaml", dfsim::mappings_yaml(searched));
    const dfsim::Plan pinned = dfsim::make_plan(opt);
    ASSERT_EQ(searched.layers.size(), pinned.layers.size());
    for (std::size_t i = 0; i < searched.layers.size(); ++i) {
      EXPECT_EQ(searched.layers[i].mapping_yaml(), pinned.layers[i].mapping_yaml());
      EXPECT_EQ(searched.layers[i].estimate_cycles(), pinned.layers[i].estimate_cycles());
      EXPECT_EQ(searched.layers[i].estimate_energy_pj(), pinned.layers[i].estimate_energy_pj());
      EXPECT_GT(searched.layers[i].candidates(), 1);
    }
  }
}

// The waveform shows the passes and the GLB's banks.
TEST(WeightStationaryBroadcast, WaveformShowsPassesAndGlbBanks) {
  const std::string dir = fresh_dir("reduction_vcd");
  dfsim::RunOptions opt = options(dir, kWsb);
  opt.vcd_file = dir + "/trace.vcd";
  dfsim::run_simulation(opt);
  const std::string vcd = dfsim_test::read_file(opt.vcd_file);
  for (const char* signal : {"pass_busy", "layer", "bank0_busy", "busy"})
    EXPECT_TRUE(contains(vcd, signal)) << signal;
}

}  // namespace
