// The no-local-reuse array style and the block schedule the dense spatial arrays share: the
// schedule's closed-form DRAM traffic against its own passes (exhaustively on small layers),
// the simulation's counts against the mapper's estimate, closed-form cycles and traffic on a
// small array, errors with file:line:column, the mapping round trip and the waveform.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
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
  EXPECT_EQ(dfsim::block_sizes(10), (std::vector<std::int64_t>{1, 2, 3, 4, 5, 10}));
  EXPECT_EQ(dfsim::block_sizes(1), (std::vector<std::int64_t>{1}));
  for (std::int64_t total = 1; total <= 300; ++total) {
    std::set<std::int64_t> counts;
    for (std::int64_t s : dfsim::block_sizes(total)) {
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
  l.stride = stride, l.padding = padding, l.groups = groups;
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
              const BlockTiling t{nb, eb, mb, cb, order, false};
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
              const dfsim::ArchConfig a =
                  dfsim::load_arch(dfsim_test::source_path("configs/dataflows/nlr_256.yaml"));
              const dfsim::BlockDramTraffic d = dfsim::block_dram_traffic(a, l, t);
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

const char* kArch =
    "name: nlr_small\n"
    "array: no_local_reuse\n"
    "pe_array: {rows: 4, cols: 4}\n"
    "clocks: {core_mhz: 200, link_mhz: 100, cdc_sync_cycles: 2}\n"
    "dram: {bus_width_bits: 64, latency_ns: 50, burst_bytes: 64, energy_pj_per_bit: 12.5}\n"
    "glb: {banks: 16, bank_bytes: 1024, bank_width_bits: 512, read_energy_pj_per_bit: 0.375,\n"
    "      write_energy_pj_per_bit: 0.375}\n"
    "noc: {energy_pj_per_bit: 0.125}\n"
    "pe: {mac_energy_pj: 1.0}\n";

// Padding, stride, groups, a batch, an FC layer over a plane.
const char* kWorkload =
    "network: nlr\n"
    "batch: 2\n"
    "layers:\n"
    "  - {name: conv, type: conv, C: 6, M: 10, H: 9, W: 7, R: 3, S: 3, stride: 2, padding: 1}\n"
    "  - {name: grouped, type: conv, C: 8, M: 6, H: 6, W: 6, R: 3, S: 2, padding: 1, groups: 2}\n"
    "  - {name: fc, type: fc, C: 5, H: 3, W: 3, M: 7, relu: false}\n";

dfsim::RunOptions options(const std::string& dir, const std::string& mappings = "") {
  dfsim::RunOptions opt;
  opt.arch_file = write_file(dir + "/nlr_small.yaml", kArch);
  opt.workload_file = write_file(dir + "/nlr.yaml", kWorkload);
  if (!mappings.empty()) opt.mapping_file = write_file(dir + "/pinned.yaml", mappings);
  opt.out_dir = dir;
  return opt;
}

// The simulation counts what the estimate predicts, exactly: DRAM and GLB traffic by data
// type and every priced action (so the energy without idle power); cycles within 2%. Pinned
// tilings cover both orders, channel blocks, and filter blocks that do not fill the rows.
TEST(NoLocalReuse, TheSimulationCountsWhatTheEstimatePredicts) {
  const std::string dir = fresh_dir("nlr_counts");
  const dfsim::RunOptions opt =
      options(dir,
              "mappings:\n"
              "  conv: {nb: 1, eb: 2, mb: 7, cb: 4, order: filters_outer}\n"
              "  grouped: {nb: 2, eb: 3, mb: 3, cb: 1, order: filters_inner}\n"
              "  fc: {nb: 1, eb: 1, mb: 5, cb: 2, order: filters_outer}\n");
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

// One pass on a 4 x 4 array, everything countable by hand: C = 3, M = 6, 4 x 4 ifmap, 3 x 3
// filters, padding 1 (E = F = 4). K = 27 values per window: 7 cycles per step; the 6 filters
// are two steps (4 + 2) per output pixel: 16 x 2 x 7 = 224 cycles, plus the first step's reads
// (4 x 27 weights of 16 bits through a 512-bit port: 4 cycles) and the last step's write (1).
TEST(NoLocalReuse, ClosedFormCyclesAndTrafficOfOnePass) {
  const std::string dir = fresh_dir("nlr_one_pass");
  dfsim::RunOptions opt;
  opt.arch_file = write_file(dir + "/nlr_small.yaml", kArch);
  opt.workload_file = write_file(
      dir + "/one.yaml",
      "network: one\nlayers:\n  - {name: one, type: conv, C: 3, M: 6, H: 4, W: 4, R: 3, S: 3, "
      "padding: 1}\n");
  opt.mapping_file = write_file(dir + "/pinned.yaml",
                                "mappings:\n  one: {nb: 1, eb: 4, mb: 6, cb: 3, order: "
                                "filters_inner}\n");
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const dfsim::LayerStats& s = r.layers[0];
  EXPECT_EQ(s.output_check, "pass");
  EXPECT_EQ(s.macs, 16 * 6 * 27);
  EXPECT_EQ(s.passes, 1);
  std::map<std::string, std::int64_t> split(s.cycle_breakdown.begin(), s.cycle_breakdown.end());
  EXPECT_EQ(split["array_busy"], 4 + 16 * 2 * 7 + 1);
  EXPECT_EQ(s.active_pes, 16);
  // DRAM: each operand once; 16-bit values.
  EXPECT_EQ(s.dram.read_bytes[1], 2 * 3 * 16);
  EXPECT_EQ(s.dram.read_bytes[0], 2 * 6 * 27);
  EXPECT_EQ(s.dram.write_bytes[3], 2 * 6 * 16);
  // GLB: every weight once per output pixel; each window once per step, without its padding
  // (rows inside per output row 2, 3, 3, 2 and the same for columns: 10 x 10 per channel);
  // the psums read once as they drain.
  EXPECT_EQ(s.glb.read_bytes[0], 2 * 16 * 6 * 27);
  EXPECT_EQ(s.glb.read_bytes[1], 2 * 2 * 3 * 10 * 10);
  EXPECT_EQ(s.glb.read_bytes[2], 2 * 6 * 16);
  EXPECT_EQ(s.glb.write_bytes[2], 2 * 6 * 16);
}

TEST(NoLocalReuse, KeysAndMappingsAreCheckedWithFileLineColumn) {
  const std::string good = kArch;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"glb: {banks: 4,", "nlr_small.yaml:6:14: glb.banks: must be >= 5, got 4"},
      {"noc: {energy_pj_per_bit: 0.125}",
       "nlr_small.yaml:8:7: noc.hops: unknown key 'hops'; the keys here: energy_pj_per_bit"},
      {"pe: {mac_energy_pj: 1.0}",
       "nlr_small.yaml:9:6: pe.spad_bytes: unknown key 'spad_bytes'; the keys here: "
       "mac_energy_pj"}};
  const std::vector<std::string> replacement = {"glb: {banks: 4,",
                                                "noc: {hops: 1, energy_pj_per_bit: 0.125}",
                                                "pe: {spad_bytes: 512, mac_energy_pj: 1.0}"};
  for (std::size_t i = 0; i < cases.size(); ++i) {
    std::string text = good;
    const std::string from = i == 0 ? "glb: {banks: 16," : cases[i].first;
    text.replace(text.find(from), from.size(), replacement[i]);
    try {
      dfsim::load_arch_from_string(text, "nlr_small.yaml");
      FAIL() << "accepted " << replacement[i];
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), cases[i].second)) << e.what();
    }
  }
  const std::string dir = fresh_dir("nlr_bad_mapping");
  for (const auto& [mapping, message] : std::vector<std::pair<std::string, std::string>>{
           {"{nb: 1, eb: 1, mb: 11, cb: 1, order: filters_inner}",
            "pinned.yaml:2:9: mapping for layer 'conv' does not fit: mb 11 is larger than the "
            "layer's 10"},
           {"{nb: 1, eb: 1, mb: 1, cb: 1, order: sideways}",
            "pinned.yaml:2:45: mappings.conv.order: must be filters_inner or filters_outer, not "
            "'sideways'"}}) {
    const dfsim::RunOptions opt = options(dir, "mappings:\n  conv: " + mapping + "\n");
    try {
      dfsim::make_plan(opt);
      FAIL() << "accepted " << mapping;
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), message)) << e.what();
    }
  }
  // A GLB of 5 banks of 16 B holds no tiling of the first layer: an ifmap slot of one image,
  // one channel and one output row (3 input rows of 7 values) needs 3 banks.
  std::string small = kArch;
  small.replace(small.find("banks: 16, bank_bytes: 1024"), 27, "banks: 5, bank_bytes: 16");
  dfsim::RunOptions opt = options(dir);
  opt.arch_file = write_file(dir + "/tiny_glb.yaml", small);
  try {
    dfsim::make_plan(opt);
    FAIL() << "mapped a layer no GLB tiling holds";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(),
                         "layer 'conv' does not fit the no_local_reuse array 'nlr_small': "
                         "the blocks need "))
        << e.what();
  }
}

TEST(NoLocalReuse, DumpedMappingsPinBackToTheSamePlan) {
  const std::string dir = fresh_dir("nlr_round_trip");
  dfsim::RunOptions opt = options(dir);
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

// The waveform shows the passes and the GLB's banks.
TEST(NoLocalReuse, WaveformShowsPassesAndGlbBanks) {
  const std::string dir = fresh_dir("nlr_vcd");
  dfsim::RunOptions opt = options(dir);
  opt.vcd_file = dir + "/trace.vcd";
  dfsim::run_simulation(opt);
  const std::string vcd = dfsim_test::read_file(opt.vcd_file);
  for (const char* signal : {"pass_busy", "layer", "bank0_busy", "busy"})
    EXPECT_TRUE(contains(vcd, signal)) << signal;
}

}  // namespace
