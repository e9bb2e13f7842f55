// Golden statistics: every shipped architecture on a fixed set of layers (tests/golden/
// layers.yaml: dense, pruned, grouped, depthwise, FC, 16-bit) must print stats.json byte for
// byte as recorded in tests/golden/ARCH.stats.json. A change meant to alter results rewrites
// them with scripts/update_golden.sh and names the change in its commit; any other difference
// is a regression (the refactors of the array-style plug-ins keep them identical).

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "test_util.hpp"

namespace {

using dfsim_test::read_file;
using dfsim_test::source_path;

void expect_golden(const std::string& arch) {
  const std::string dir = dfsim_test::fresh_dir(arch);
  // From the source tree with relative paths, as the goldens were recorded (stats.json names
  // the files as given).
  const std::string path = dfsim_test::shipped_architectures().at(arch);
  const std::string rel = path.substr(std::string(DFSIM_SOURCE_DIR).size() + 1);
  const std::string cmd = "cd '" + std::string(DFSIM_SOURCE_DIR) + "' && '" + DFSIM_BINARY +
                          "' run --arch " + rel + " --workload tests/golden/layers.yaml --out '" +
                          dir + "' >'" + dir + "/stdout.txt' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file(dir + "/stdout.txt");
  const std::string golden = read_file(source_path("tests/golden/" + arch + ".stats.json"));
  ASSERT_FALSE(golden.empty()) << "missing tests/golden/" << arch << ".stats.json";
  EXPECT_EQ(read_file(dir + "/stats.json"), golden)
      << arch << ": stats.json differs from tests/golden/" << arch << ".stats.json (diff " << dir
      << "/stats.json against it; rewrite with scripts/update_golden.sh only for a "
      << "change meant to alter results)";
}

TEST(Golden, EyerissV1) { expect_golden("eyeriss_v1"); }
TEST(Golden, TpuV1) { expect_golden("tpu_v1"); }
TEST(Golden, Scnn) { expect_golden("scnn"); }
TEST(Golden, Dcnn) { expect_golden("dcnn"); }
TEST(Golden, DcnnOpt) { expect_golden("dcnn_opt"); }
TEST(Golden, NoLocalReuse256) { expect_golden("nlr_256"); }
TEST(Golden, WeightStationaryBroadcast256) { expect_golden("ws_256"); }
TEST(Golden, OutputStationary256) { expect_golden("os_256"); }
TEST(Golden, RowStationary256) { expect_golden("rs_256"); }
TEST(Golden, EyerissV1Jedec) { expect_golden("eyeriss_v1_jedec"); }
TEST(Golden, TpuV1Ddr3) { expect_golden("tpu_v1_ddr3"); }
TEST(Golden, ScnnLpddr4) { expect_golden("scnn_lpddr4"); }

// Every shipped architecture has its golden file (a new one needs a TEST above).
TEST(Golden, CoversEveryShippedArchitecture) {
  std::set<std::string> shipped, golden;
  for (const auto& [stem, path] : dfsim_test::shipped_architectures()) shipped.insert(stem);
  for (const auto& e : std::filesystem::directory_iterator(source_path("tests/golden"))) {
    const std::string f = e.path().filename().string();
    if (f.size() > 11 && f.compare(f.size() - 11, 11, ".stats.json") == 0)
      golden.insert(f.substr(0, f.size() - 11));
  }
  EXPECT_EQ(shipped, golden);
  EXPECT_EQ(shipped.size(), 12u);
}

}  // namespace
