// Timing-only runs (--timing-only): the full run's cycles, traffic, energy and every count, on
// every shipped architecture, with or without the datapath's output values. Only the output
// check, the ofmap densities, the provenance hash (it records the mode) and the mode's own key
// may differ.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <sstream>
#include <string>

#include "config_with.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::contains;
using dfsim_test::read_file;
using dfsim_test::source_path;

// stats.json without the lines a timing-only run may report differently.
std::string counts_of(const std::string& json) {
  std::istringstream in(json);
  std::string line, out;
  while (std::getline(in, line)) {
    if (contains(line, "\"output_check\"") || contains(line, "\"timing_only\"") ||
        contains(line, "\"provenance\": {\"hash\"") ||
        (contains(line, "\"output_density\"") && !contains(line, "declared_output_density")))
      continue;
    out += line + "\n";
  }
  return out;
}

// "" when equal, else the first line that differs in each (a failure stays readable).
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream ia(a), ib(b);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool more_a = static_cast<bool>(std::getline(ia, la));
    const bool more_b = static_cast<bool>(std::getline(ib, lb));
    if (!more_a && !more_b) return "";
    if (!more_a || !more_b || la != lb)
      return "line " + std::to_string(line) + ":\n  timing-only: " + (more_a ? la : "<end>") +
             "\n  full:        " + (more_b ? lb : "<end>");
  }
}

struct RunOut {
  std::string stats;
  YAML::Node json;
};

// dfsim run from the source tree (relative paths, as the goldens were recorded).
RunOut run(const std::string& arch_rel, const std::string& workload, const std::string& extra,
           const std::string& stem) {
  const std::string dir = dfsim_test::fresh_dir(stem);
  const std::string cmd = "cd '" + std::string(DFSIM_SOURCE_DIR) + "' && '" + DFSIM_BINARY +
                          "' run --arch " + arch_rel + " --workload " + workload + " --out '" +
                          dir + "' " + extra + " >'" + dir + "/log.txt' 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << read_file(dir + "/log.txt");
  RunOut r{read_file(dir + "/stats.json"), {}};
  if (!r.stats.empty()) r.json = YAML::Load(r.stats);
  return r;
}

std::string relative(const std::string& path) {
  return path.substr(std::string(DFSIM_SOURCE_DIR).size() + 1);
}

// A timing-only run checks nothing, says so, and reports an ofmap density only when its
// datapath computed the outputs (then it is the full run's).
void expect_timing_only_marks(const RunOut& timing, const RunOut& full, const std::string& what) {
  ASSERT_TRUE(timing.json["timing_only"] && timing.json["timing_only"].as<bool>()) << what;
  const YAML::Node t = timing.json["layers"], f = full.json["layers"];
  ASSERT_EQ(t.size(), f.size()) << what;
  for (std::size_t i = 0; i < t.size(); ++i) {
    EXPECT_EQ(t[i]["output_check"].as<std::string>(), "skipped") << what;
    if (!t[i]["output_density"].IsNull())
      EXPECT_EQ(t[i]["output_density"].as<double>(), f[i]["output_density"].as<double>()) << what;
  }
}

// The golden layers (dense, pruned, grouped, depthwise, FC, 16-bit) against the golden files.
TEST(TimingOnly, GoldenLayersGiveTheGoldenCountsOnEveryShippedArchitecture) {
  const auto archs = dfsim_test::shipped_architectures();
  ASSERT_GE(archs.size(), 12u);
  for (const auto& [stem, path] : archs) {
    const RunOut timing = run(relative(path), "tests/golden/layers.yaml", "--timing-only", stem);
    const std::string golden = read_file(source_path("tests/golden/" + stem + ".stats.json"));
    ASSERT_FALSE(golden.empty()) << stem;
    EXPECT_EQ(first_difference(counts_of(timing.stats), counts_of(golden)), "") << stem;
    RunOut full{golden, YAML::Load(golden)};
    expect_timing_only_marks(timing, full, stem);
    // The fast path is taken exactly where the timing does not need the outputs: SCNN (sparse
    // PEs) and DCNN-opt (zero-run ofmap in DRAM) compute them, every other shipped one not.
    const bool computed = stem == "scnn" || stem == "scnn_lpddr4" || stem == "dcnn_opt";
    for (const auto& l : timing.json["layers"])
      EXPECT_EQ(l["output_density"].IsNull(), !computed) << stem << " " << l["name"];
  }
}

// Chained layers: the next layer's input is the previous layer's output, which a timing-only
// run still takes from the reference convolution (its zeros drive gating and sparse PEs).
TEST(TimingOnly, ChainedLayersGiveTheFullRunsCounts) {
  const std::string wl = dfsim_test::write_temp(
      "chain.yaml",
      "network: chain\nlayers:\n"
      "  - {name: c1, N: 2, C: 3, M: 16, H: 17, W: 17, R: 3, S: 3, padding: 1, relu: true}\n"
      "  - {name: c2, N: 2, C: 16, M: 8, H: 8, W: 8, R: 3, S: 3, padding: 1, input_from: "
      "previous, input_pool: {kind: max, size: 3, stride: 2}, relu: true}\n"
      "  - {name: c3, N: 2, C: 8, M: 8, H: 8, W: 8, R: 1, S: 1, input_from: previous}\n");
  for (const auto& [stem, path] : dfsim_test::shipped_architectures()) {
    const RunOut full = run(relative(path), wl, "", stem + "_full");
    const RunOut timing = run(relative(path), wl, "--timing-only", stem + "_timing");
    ASSERT_FALSE(full.stats.empty()) << stem;
    EXPECT_EQ(first_difference(counts_of(timing.stats), counts_of(full.stats)), "") << stem;
    expect_timing_only_marks(timing, full, stem);
  }
}

// An ofmap stored in DRAM by its values (RLC) makes the row-stationary array's timing depend on
// the outputs: the timing-only run computes them and reports their density.
TEST(TimingOnly, EncodedOfmapIsComputed) {
  const std::string arch = dfsim_test::write_temp(
      "rlc.yaml", dfsim_test::config_with("eyeriss_v1", {{"encodings", "{dram: {ofmap: rlc}}"}}));
  const RunOut full = run(arch, "tests/golden/layers.yaml", "", "rlc_full");
  const RunOut timing = run(arch, "tests/golden/layers.yaml", "--timing-only", "rlc_timing");
  EXPECT_EQ(first_difference(counts_of(timing.stats), counts_of(full.stats)), "");
  for (const auto& l : timing.json["layers"]) EXPECT_FALSE(l["output_density"].IsNull());
  // Dense: the outputs are not computed, so their density is unknown.
  const RunOut dense =
      run("configs/eyeriss_v1.yaml", "tests/golden/layers.yaml", "--timing-only", "dense_timing");
  for (const auto& l : dense.json["layers"]) EXPECT_TRUE(l["output_density"].IsNull());
}

TEST(TimingOnly, IsAnOptionOfRunNotMap) {
  const std::string dir = dfsim_test::fresh_dir("map");
  const auto r =
      dfsim_test::dfsim("map --arch " + source_path("configs/eyeriss_v1.yaml") + " --workload " +
                            source_path("tests/golden/layers.yaml") + " --timing-only",
                        dir);
  EXPECT_NE(r.code, 0);
  EXPECT_TRUE(contains(r.err, "--timing-only is an option of 'run', not of 'map'"))
      << dfsim_test::describe(r);
}

}  // namespace
