// The plug-in interface, proven by a style that lives only in the tests
// (tests/single_pe_style/): it joins the registry by name, parses its own YAML, maps, runs
// bit-exact through the product's own run path, and round-trips its mappings, without any
// shared file knowing it.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>

#include "base/config/arch_config.hpp"
#include "base/config/array_style_registry.hpp"
#include "base/config/config_node.hpp"
#include "run/run.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::contains;
using dfsim_test::fresh_dir;
using dfsim_test::write_file;

std::string arch_yaml(const std::string& single_pe) {
  return "name: one_pe\n"
         "array: single_pe\n"
         "pe_array: {rows: 1, cols: 1}\n"
         "clocks: {core_mhz: 500, link_mhz: 250}\n"
         "dram: {bus_width_bits: 64, latency_ns: 50, burst_bytes: 64, energy_pj_per_bit: 10}\n"
         "single_pe: " +
         single_pe + "\n";
}
const char* kSinglePe = "{buffer_bytes: 65536, macs_per_cycle: 4, mac_energy_pj: 1.5}";

// Padding, stride, groups and a batch: the arithmetic and indexing a style must get right.
const char* kWorkload =
    "network: plugin\n"
    "layers:\n"
    "  - {name: conv, type: conv, N: 2, C: 6, M: 8, H: 9, W: 7, R: 3, S: 3, stride: 2, "
    "padding: 1, groups: 2, weight_density: 0.6}\n"
    "  - {name: fc, type: fc, C: 40, M: 10, relu: false}\n";

dfsim::RunOptions options(const std::string& dir) {
  dfsim::RunOptions opt;
  opt.arch_file = write_file(dir + "/one_pe.yaml", arch_yaml(kSinglePe));
  opt.workload_file = write_file(dir + "/plugin.yaml", kWorkload);
  return opt;
}

TEST(SinglePeStyle, JoinsTheRegistryByName) {
  const std::vector<std::string> names = dfsim::array_style_names();
  for (const char* n :
       {"single_pe", "row_stationary", "weight_stationary_systolic", "planar_tiled"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  const dfsim::ArchConfig a = dfsim::load_arch_from_string(arch_yaml(kSinglePe), "one_pe.yaml");
  std::ostringstream os;
  os << a;
  EXPECT_EQ(os.str(),
            "arch one_pe (single_pe): 1 PE, 4 MACs per cycle, buffer 65536 B, core 500 MHz\n");
  EXPECT_EQ(dfsim::onchip_storage_bytes(a), 65536);
}

TEST(SinglePeStyle, ItsOwnKeysAreCheckedWithFileLineColumn) {
  try {
    dfsim::load_arch_from_string(
        arch_yaml("{buffer_byte: 65536, macs_per_cycle: 4, mac_energy_pj: 1}"), "one_pe.yaml");
    FAIL() << "accepted a misspelt key";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "one_pe.yaml:6:")) << e.what();
    EXPECT_TRUE(contains(e.what(), "buffer_byte")) << e.what();
  }
  try {
    dfsim::load_arch_from_string(arch_yaml(kSinglePe) + "glb: {banks: 2}\n", "one_pe.yaml");
    FAIL() << "accepted another style's key";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "one_pe.yaml:7:")) << e.what();
    EXPECT_TRUE(contains(e.what(), "glb")) << e.what();
  }
}

// The product's run path (make_plan, the style's model, the reference check, stats) on the
// plug-in: outputs bit-exact, DRAM traffic exactly what its dataflow moves (16-bit values:
// each image once, the filters once per image, each output once).
TEST(SinglePeStyle, RunsBitExactWithExactTraffic) {
  const std::string dir = fresh_dir("single_pe_run");
  dfsim::RunOptions opt = options(dir);
  opt.out_dir = dir;
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 2u);
  const std::int64_t conv_in = 2 * 6 * 9 * 7, conv_w = 8 * 3 * 3 * 3, conv_out = 2 * 8 * 5 * 4;
  const std::int64_t fc_in = 40, fc_w = 40 * 10, fc_out = 10;
  const std::int64_t in[2] = {conv_in, fc_in}, w[2] = {2 * conv_w, fc_w},
                     out[2] = {conv_out, fc_out};
  for (std::size_t i = 0; i < 2; ++i) {
    const dfsim::LayerStats& s = r.layers[i];
    EXPECT_EQ(s.output_check, "pass") << s.name;
    EXPECT_EQ(s.dram.read_bytes[1], 2 * in[i]) << s.name;
    EXPECT_EQ(s.dram.read_bytes[0], 2 * w[i]) << s.name;
    EXPECT_EQ(s.dram.write_bytes[3], 2 * out[i]) << s.name;
    // The shared Dram prices every bit it moves (10 pJ/bit in arch_yaml).
    EXPECT_DOUBLE_EQ(s.dram.energy_pj, 10.0 * 8 * 2 * static_cast<double>(in[i] + w[i] + out[i]))
        << s.name;
    // The estimate replays the model's schedule: the filter prefetch overlaps the compute.
    EXPECT_NEAR(static_cast<double>(s.cycles) / static_cast<double>(s.estimate_cycles), 1.0, 0.02)
        << s.name << ": " << s.cycles << " simulated, " << s.estimate_cycles << " estimated";
    EXPECT_EQ(s.unused_macs, s.cycles * 4 - s.macs) << s.name;
  }
  EXPECT_TRUE(contains(dfsim_test::read_file(dir + "/stats.json"), "\"single PE, "));
}

TEST(SinglePeStyle, DumpedMappingsPinBackToTheSamePlan) {
  const std::string dir = fresh_dir("single_pe_map");
  dfsim::RunOptions opt = options(dir);
  const dfsim::Plan searched = dfsim::make_plan(opt);
  opt.mapping_file = write_file(dir + "/pinned.yaml", dfsim::mappings_yaml(searched));
  const dfsim::Plan pinned = dfsim::make_plan(opt);
  ASSERT_EQ(searched.layers.size(), pinned.layers.size());
  for (std::size_t i = 0; i < searched.layers.size(); ++i) {
    EXPECT_EQ(searched.layers[i].mapping_yaml(), pinned.layers[i].mapping_yaml());
    EXPECT_EQ(searched.layers[i].estimate_cycles(), pinned.layers[i].estimate_cycles());
    EXPECT_TRUE(contains(pinned.layers[i].mapping_text(), "[pinned]"));
  }
  opt.mapping_file = write_file(dir + "/bad.yaml", "mappings:\n  conv: {m_block: 9}\n");
  try {
    dfsim::make_plan(opt);
    FAIL() << "accepted 9 filters per block of a layer with 4 per group";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "bad.yaml:2:")) << e.what();
  }
}

// A style declares the geometry its datapath runs (GeometrySupport); the single-PE example runs
// uniform layers only, so a dilated or per-axis layer is refused before mapping, naming the
// layer's entry, its geometry and what the array runs.
TEST(SinglePeStyle, RefusesGeometryItsDatapathLacks) {
  const std::string dir = fresh_dir("single_pe_geometry");
  dfsim::RunOptions opt = options(dir);
  opt.workload_file = write_file(
      dir + "/geometry.yaml",
      "network: geometry\n"
      "layers:\n"
      "  - {name: dil, C: 2, M: 2, H: 8, W: 8, R: 3, S: 3, padding: 2, dilation: 2}\n"
      "  - {name: same, C: 2, M: 2, H: 8, W: 8, R: 3, S: 3, stride: 2, padding: [0, 1, 0, 1]}\n"
      "  - {name: plain, C: 2, M: 2, H: 8, W: 8, R: 3, S: 3, padding: 1}\n");
  try {
    dfsim::make_plan(opt);
    FAIL() << "a dilated layer was accepted";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir +
                  "/geometry.yaml:3:5: layer 'dil' (stride=1,1 pad=2,2,2,2 dilation=2,2): the "
                  "'single_pe' array runs layers with one stride and the same padding on all "
                  "four sides, without dilation");
  }
  opt.skip_unmappable = true;
  const dfsim::Plan plan = dfsim::make_plan(opt);
  ASSERT_EQ(plan.layers.size(), 1u);
  EXPECT_EQ(plan.layers[0].layer.name, "plain");
  ASSERT_EQ(plan.skipped.size(), 2u);
  EXPECT_TRUE(
      contains(plan.skipped[1].reason, "layer 'same' (stride=2,2 pad=0,1,0,1 dilation=1,1)"))
      << plan.skipped[1].reason;
}

}  // namespace
