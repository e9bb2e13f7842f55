// Differential test of every shipped architecture against the reference convolution on a
// few hundred generated small layers: each layer must be bit-exact, or refused before the
// simulation with a message naming its file:line:column (--skip-unmappable lists it).
//
// The generator is seeded and deterministic (splitmix64, no <random> distributions, whose
// output differs between standard libraries). It covers, by construction, every corner the
// faults of this kind came from: padding 0..R+1 (windows entirely in the padding), stride
// 1..R+2 (inputs no window reads), grouped and depthwise layers, 1x1 filters on a 1x1 map,
// H != W, R != S, batch 1-3, FC layers (over a plane and 1x1), odd sizes, pruned weights at
// every granularity, sparse inputs, 8- to 16-bit operands; and (layers x<i>) strides per axis,
// paddings per side and dilations, bit-exact where the array runs them. DFSIM_DIFF_LAYERS and
// DFSIM_DIFF_SEED widen the search on demand (scripts/differential.sh).

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using dfsim_test::CliResult;
using dfsim_test::describe;
using dfsim_test::dfsim;
using dfsim_test::source_path;
using dfsim_test::write_file;

struct SplitMix64 {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  std::int64_t in(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
  }
  template <typename T>
  T pick(const std::vector<T>& v) {
    return v[static_cast<std::size_t>(next() % v.size())];
  }
};

std::int64_t env_or(const char* name, std::int64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoll(v, nullptr, 10) : fallback;
}

// The reproducers: outputs whose window lies entirely in the padding.
const char* kReproducers =
    "  - {name: k1_pad1, type: conv, C: 1, M: 1, H: 2, W: 2, R: 1, S: 1, stride: 1, padding: 1}\n"
    "  - {name: k1_pad2, type: conv, C: 8, M: 8, H: 4, W: 4, R: 1, S: 1, padding: 2}\n"
    "  - {name: k3s2_pad3, type: conv, C: 4, M: 4, H: 5, W: 5, R: 3, S: 3, stride: 2, "
    "padding: 3}\n"
    // A valid layer the row-stationary array cannot run (R = 13 > 12 PE rows): refused there
    // with a message, bit-exact elsewhere.
    "  - {name: r13, C: 2, M: 3, H: 13, W: 5, R: 13, S: 3}\n";

// One generated layer as a YAML flow map; kind cycles so every category appears.
std::string generate_layer(SplitMix64& g, int i) {
  std::ostringstream os;
  const int kind = i % 6;
  os << "  - {name: g" << i;
  std::int64_t C, M, H, W, R = 1, S = 1, pad = 0, stride = 1, groups = 1;
  const std::int64_t N = g.in(1, 3);
  if (kind == 4) {  // FC: over a plane, or over 1x1
    C = g.in(1, 12);
    M = g.in(1, 12);
    H = g.pick<std::int64_t>({1, 1, 2, 3, 4});
    W = g.in(1, 4);
    os << ", type: fc, N: " << N << ", C: " << C << ", M: " << M << ", H: " << H << ", W: " << W;
  } else {
    if (kind == 3) {  // 1x1 filters on a 1x1 map, padded or not
      H = W = 1;
      pad = g.in(0, 2);
    } else {
      R = g.in(1, 5);
      S = g.pick<std::int64_t>({R, R, g.in(1, 5)});
      H = g.in(1, 12);
      W = g.pick<std::int64_t>({H, g.in(1, 12)});
      pad = g.in(0, R + 1);
      stride = g.in(1, R + 2);
      // A filter must fit the padded input.
      H = std::max(H, R - 2 * pad);
      W = std::max(W, S - 2 * pad);
    }
    if (kind == 1) {  // grouped
      groups = g.in(2, 4);
      C = groups * g.in(1, 4);
      M = groups * g.in(1, 4);
    } else if (kind == 2) {  // depthwise
      groups = C = M = g.in(1, 12);
    } else {
      C = g.in(1, 12);
      M = g.in(1, 12);
    }
    os << ", N: " << N << ", C: " << C << ", M: " << M << ", H: " << H << ", W: " << W
       << ", R: " << R << ", S: " << S << ", stride: " << stride << ", padding: " << pad;
    if (groups > 1) os << ", groups: " << groups;
  }
  // Compression: pruned weights at some granularity, sparse inputs, wider operands.
  if (g.in(0, 2) == 0) {
    os << ", weight_density: " << g.pick<std::string>({"0.5", "0.3", "0.1"})
       << ", weight_granularity: "
       << g.pick<std::string>({"fine", "vector", "kernel", "filter", "channel"});
  }
  if (g.in(0, 2) == 0) os << ", input_density: " << g.pick<std::string>({"0.6", "0.3", "0.05"});
  if (g.in(0, 5) == 0) os << ", weight_bits: " << g.pick<std::string>({"4", "12", "16"});
  if (g.in(0, 5) == 0) os << ", input_bits: " << g.pick<std::string>({"12", "16"});
  if (g.in(0, 4) == 0) os << ", relu: false";
  os << "}\n";
  return os.str();
}

// What a geometry layer (x<i>) has beyond a uniform one (Layer::uniform).
struct Geometry {
  bool per_axis = false, dilated = false;
};

// A conv layer with a stride per axis, a padding per side and dilations (each drawn apart, so
// some layers have one of them, some all, some none).
std::string generate_geometry_layer(SplitMix64& g, int i, Geometry& kind) {
  const std::int64_t R = g.in(1, 4), S = g.in(1, 4);
  const std::int64_t dh = g.pick<std::int64_t>({1, 1, 2, 3}), dw = g.pick<std::int64_t>({1, 2});
  const std::int64_t uh = g.in(1, 3), uw = g.pick<std::int64_t>({uh, g.in(1, 3)});
  std::int64_t pad[4];
  for (std::int64_t& p : pad) p = g.in(0, 3);
  if (g.in(0, 2) == 0) pad[1] = pad[2] = pad[3] = pad[0];
  // The dilated filter must fit the padded input.
  const std::int64_t H = std::max(g.in(1, 12), dh * (R - 1) + 1 - pad[0] - pad[1]);
  const std::int64_t W = std::max(g.in(1, 12), dw * (S - 1) + 1 - pad[2] - pad[3]);
  const std::int64_t groups = g.pick<std::int64_t>({1, 1, 2});
  kind.per_axis = uh != uw || pad[0] != pad[1] || pad[0] != pad[2] || pad[0] != pad[3];
  kind.dilated = dh != 1 || dw != 1;
  std::ostringstream os;
  os << "  - {name: x" << i << ", N: " << g.in(1, 2) << ", C: " << groups * g.in(1, 4)
     << ", M: " << groups * g.in(1, 4) << ", H: " << H << ", W: " << W << ", R: " << R
     << ", S: " << S << ", stride: [" << uh << ", " << uw << "], padding: [" << pad[0] << ", "
     << pad[1] << ", " << pad[2] << ", " << pad[3] << "], dilation: [" << dh << ", " << dw
     << "], groups: " << groups;
  if (g.in(0, 2) == 0) os << ", input_density: 0.4";
  if (g.in(0, 2) == 0) os << ", weight_density: 0.5";
  os << "}\n";
  return os.str();
}

std::string generated_workload(std::uint64_t seed, int count, std::vector<std::string>& names,
                               std::map<std::string, Geometry>& geometry) {
  SplitMix64 g{seed};
  std::string text = "network: differential\nlayers:\n";
  text += kReproducers;
  names = {"k1_pad1", "k1_pad2", "k3s2_pad3", "r13"};
  for (int i = 0; i < count; ++i) {
    text += generate_layer(g, i);
    names.push_back("g" + std::to_string(i));
  }
  SplitMix64 gx{seed ^ 0x5eed};  // its own stream: the layers above stay as they were
  for (int i = 0; i < count / 5; ++i) {
    const std::string name = "x" + std::to_string(i);
    text += generate_geometry_layer(gx, i, geometry[name]);
    names.push_back(name);
  }
  return text;
}

// Runs the architecture on the generated layers; every layer passes or is refused clearly.
void expect_bit_exact_or_refused(const std::string& arch) {
  const std::uint64_t seed = static_cast<std::uint64_t>(env_or("DFSIM_DIFF_SEED", 20261129));
  const int count = static_cast<int>(env_or("DFSIM_DIFF_LAYERS", 400));
  std::vector<std::string> names;
  std::map<std::string, Geometry> geometry;
  const std::string dir = dfsim_test::fresh_dir(arch);
  const std::string wl =
      write_file(dir + "/differential.yaml", generated_workload(seed, count, names, geometry));
  const CliResult r = dfsim("run --arch '" + dfsim_test::shipped_architectures().at(arch) +
                                "' --workload '" + wl + "' --skip-unmappable --out '" + dir + "'",
                            dir);
  // Exit 3 (an output differs) is reported per layer below.
  ASSERT_TRUE(r.code == 0 || r.code == 3) << describe(r);
  const YAML::Node stats = YAML::LoadFile(dir + "/stats.json");
  std::map<std::string, std::string> verdict;
  for (const YAML::Node& l : stats["layers"])
    verdict[l["name"].as<std::string>()] = l["output_check"].as<std::string>();
  std::size_t refused = 0;
  for (const YAML::Node& s : stats["skipped_layers"]) {
    const std::string name = s["name"].as<std::string>(), why = s["reason"].as<std::string>();
    verdict[name] = "refused";
    ++refused;
    // A clear refusal names the layer's entry (file:line:col) and the reason.
    EXPECT_TRUE(dfsim_test::contains(why, "differential.yaml:") &&
                dfsim_test::contains(why, "layer '"))
        << name << ": " << why;
  }
  std::ostringstream bad;
  for (const std::string& n : names) {
    auto it = verdict.find(n);
    if (it == verdict.end())
      bad << "  " << n << ": neither simulated nor refused\n";
    else if (it->second != "pass" && it->second != "refused")
      bad << "  " << n << ": " << it->second << "\n";
  }
  EXPECT_TRUE(bad.str().empty()) << arch << ", seed " << seed << " (layers in " << wl << "):\n"
                                 << bad.str();
  // Refusals are the exception: r13 on Eyeriss's row-stationary array only (also with its JEDEC
  // DRAM); every other generated layer, the geometry layers included, runs on every shipped
  // array (a new refusal must be a deliberate, documented limit).
  const bool eyeriss = arch == "eyeriss_v1" || arch == "eyeriss_v1_jedec";
  const std::size_t expected_refusals = eyeriss ? 1 : 0;
  std::size_t per_axis = 0, dilated = 0;
  for (const auto& [name, kind] : geometry) {
    EXPECT_EQ(verdict[name], "pass") << name;
    per_axis += kind.per_axis;
    dilated += kind.dilated;
  }
  // The generator covers both kinds (and their mix).
  EXPECT_GT(per_axis, 0u);
  EXPECT_GT(dilated, 0u);
  EXPECT_EQ(refused, expected_refusals) << arch << " refused " << refused << " of " << names.size();
  if (eyeriss) {
    EXPECT_EQ(verdict["r13"], "refused");
  } else {
    EXPECT_EQ(verdict["r13"], "pass");
  }
  for (const char* reproducer : {"k1_pad1", "k1_pad2", "k3s2_pad3"})
    EXPECT_EQ(verdict[reproducer], "pass") << reproducer;
  // Reproducer: 12 of the 16 outputs lie entirely in the padding and must be 0.
  for (const YAML::Node& l : stats["layers"]) {
    if (l["name"].as<std::string>() == "k1_pad1") {
      EXPECT_LE(l["output_density"].as<double>(), 4.0 / 16 + 1e-9);
    }
  }
}

TEST(Differential, EyerissV1) { expect_bit_exact_or_refused("eyeriss_v1"); }
TEST(Differential, TpuV1) { expect_bit_exact_or_refused("tpu_v1"); }
TEST(Differential, Scnn) { expect_bit_exact_or_refused("scnn"); }
TEST(Differential, Dcnn) { expect_bit_exact_or_refused("dcnn"); }
TEST(Differential, DcnnOpt) { expect_bit_exact_or_refused("dcnn_opt"); }
TEST(Differential, NoLocalReuse256) { expect_bit_exact_or_refused("nlr_256"); }
TEST(Differential, WeightStationaryBroadcast256) { expect_bit_exact_or_refused("ws_256"); }
TEST(Differential, OutputStationary256) { expect_bit_exact_or_refused("os_256"); }
TEST(Differential, RowStationary256) { expect_bit_exact_or_refused("rs_256"); }
TEST(Differential, EyerissV1Jedec) { expect_bit_exact_or_refused("eyeriss_v1_jedec"); }
TEST(Differential, TpuV1Ddr3) { expect_bit_exact_or_refused("tpu_v1_ddr3"); }
TEST(Differential, ScnnLpddr4) { expect_bit_exact_or_refused("scnn_lpddr4"); }

// Every shipped architecture is covered: a new file in configs/ needs its TEST above.
TEST(Differential, CoversEveryShippedArchitecture) {
  std::set<std::string> shipped;
  for (const auto& [stem, path] : dfsim_test::shipped_architectures()) shipped.insert(stem);
  EXPECT_EQ(shipped, (std::set<std::string>{"dcnn", "dcnn_opt", "eyeriss_v1", "eyeriss_v1_jedec",
                                            "nlr_256", "os_256", "rs_256", "scnn", "scnn_lpddr4",
                                            "tpu_v1", "tpu_v1_ddr3", "ws_256"}));
}

}  // namespace
