// Compressed layers: exact synthetic sparsity at each pruning granularity, quantization
// kinds, and the effect of RLC at the DRAM interface and of zero gating on the Eyeriss array.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "run/run.hpp"
#include "test_util.hpp"
#include "workload/tensor.hpp"

namespace {

namespace fs = std::filesystem;

// A scratch path unique to this test and process, so no run reads another's files.
std::string tmp(const std::string& name) { return dfsim_test::temp_path(name); }

// Runs the dfsim command line `cmd` writing into `out`, cleared first so that a run that writes
// no stats.json cannot pass on a stale one.
void run_into(const std::string& cmd, const std::string& out) {
  fs::remove_all(out);
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  ASSERT_TRUE(fs::exists(out + "/stats.json")) << cmd << ": wrote no " << out << "/stats.json";
}

dfsim::Layer layer_from(const std::string& fields) {
  return dfsim::load_network_from_string("network: t\nlayers:\n  - {name: L, " + fields + "}\n",
                                         "t.yaml")
      .layers.at(0);
}

std::int64_t nonzero(const dfsim::Tensor4& t) {
  std::int64_t n = 0;
  for (auto v : t.data) n += v != 0;
  return n;
}

TEST(Compression, WeightDensityIsExactAtEachGranularity) {
  // M=8, C=6, R=S=3: units per granularity and the kept count round(0.4 * units).
  struct Case {
    const char* gran;
    std::int64_t units, unit_size;
  } cases[] = {{"fine", 8 * 6 * 9, 1},
               {"vector", 8 * 6 * 3, 3},
               {"kernel", 8 * 6, 9},
               {"filter", 8, 6 * 9},
               {"channel", 6, 8 * 9}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.gran);
    const dfsim::Layer l =
        layer_from(std::string("C: 6, M: 8, H: 8, W: 8, R: 3, S: 3, weight_density: 0.4, "
                               "weight_granularity: ") +
                   c.gran);
    const dfsim::LayerData d = dfsim::make_layer_data(l, 7);
    const std::int64_t kept = std::llround(0.4 * static_cast<double>(c.units));
    EXPECT_EQ(nonzero(d.weights), kept * c.unit_size);
    // Whole units are kept or removed: e.g. for filters, each filter is all zero or all non-zero.
    if (std::string(c.gran) == "filter")
      for (std::int64_t m = 0; m < 8; ++m) {
        std::int64_t nz = 0;
        for (std::int64_t i = 0; i < 54; ++i)
          nz += d.weights.data[static_cast<std::size_t>(m * 54 + i)] != 0;
        EXPECT_TRUE(nz == 0 || nz == 54) << "filter " << m << " has " << nz;
      }
  }
}

TEST(Compression, QuantizationKinds) {
  const dfsim::Layer pot =
      layer_from("C: 4, M: 16, H: 6, W: 6, R: 3, S: 3, weight_bits: 6, quantization: power_of_two");
  for (auto v : dfsim::make_layer_data(pot, 3).weights.data) {
    const int a = std::abs(static_cast<int>(v));
    EXPECT_TRUE(a != 0 && (a & (a - 1)) == 0 && a <= 16) << v;  // +-2^k, k <= b-2
  }
  const dfsim::Layer cb = layer_from(
      "C: 4, M: 16, H: 6, W: 6, R: 3, S: 3, weight_bits: 8, quantization: codebook, codebook_size: "
      "5");
  std::set<int> distinct;
  for (auto v : dfsim::make_layer_data(cb, 3).weights.data) distinct.insert(v);
  EXPECT_LE(distinct.size(), 5u);
  EXPECT_EQ(distinct.count(0), 0u);
  const dfsim::Layer u = layer_from("C: 4, M: 16, H: 6, W: 6, R: 3, S: 3, weight_bits: 4");
  for (auto v : dfsim::make_layer_data(u, 3).weights.data)
    EXPECT_TRUE(v >= -8 && v <= 7 && v != 0) << v;
  // Accumulator width 2N + ceil(log2(C*R*S)) = 2*8 + ceil(log2(36)) = 22.
  EXPECT_EQ(u.accumulator_bits(), 2 * 8 + 6);
  EXPECT_EQ(
      layer_from("C: 4, M: 16, H: 6, W: 6, R: 3, S: 3, accumulator_bits: 24").accumulator_bits(),
      24);
}

TEST(Compression, BadCompressionKeysAreRejected) {
  for (const char* bad : {"C: 4, M: 4, H: 4, W: 4, R: 1, S: 1, weight_density: 1.5",
                          "C: 4, M: 4, H: 4, W: 4, R: 1, S: 1, weight_granularity: row",
                          "C: 4, M: 4, H: 4, W: 4, R: 1, S: 1, quantization: codebook",
                          "C: 4, M: 4, H: 4, W: 4, R: 1, S: 1, weight_bits: 17"}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(layer_from(bad), dfsim::ConfigError);
  }
}

std::string arch_with(const std::string& extra, const std::string& name) {
  std::ifstream in(std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (extra.find("zero_gating") != std::string::npos) {
    const auto at = text.find("zero_gating: true");
    text.replace(at, std::string("zero_gating: true").size(), extra);
  } else {
    text += "\n" + extra + "\n";
  }
  const std::string path = tmp(name + ".yaml");
  std::ofstream(path) << text;
  return path;
}

// Each simulation elaborates a design, so it runs in its own dfsim process; the test reads
// its stats.json (JSON is YAML) into *total.
void run(const std::string& arch, double density, const std::string& tag, YAML::Node* total) {
  std::ostringstream w;
  w << "network: t\nlayers:\n  - {name: L, C: 16, M: 32, H: 13, W: 13, R: 3, S: 3, padding: 1, "
       "input_density: "
    << density << "}\n";
  const std::string wl = tmp(tag + ".yaml"), out = tmp(tag + "_out");
  std::ofstream(wl) << w.str();
  const std::string cmd = std::string(DFSIM_BINARY) + " run --batch 2 --arch " + arch +
                          " --workload " + wl + " --out " + out + " > " + tmp(tag + ".log") +
                          " 2>&1";
  ASSERT_NO_FATAL_FAILURE(run_into(cmd, out));
  *total = YAML::LoadFile(out + "/stats.json")["total"];
}

std::int64_t i64(const YAML::Node& n) { return n.as<std::int64_t>(); }

TEST(Compression, RlcAtDramFollowsTheData) {
  const std::string rlc = arch_with("encodings:\n  dram: {ifmap: rlc, ofmap: rlc}", "rlc");
  const std::string dense = std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml";
  for (double density : {0.25, 1.0}) {
    SCOPED_TRACE(density);
    const std::string tag = std::to_string(static_cast<int>(density * 100));
    YAML::Node a, b;
    ASSERT_NO_FATAL_FAILURE(run(dense, density, "dense" + tag, &a));
    ASSERT_NO_FATAL_FAILURE(run(rlc, density, "rlc" + tag, &b));
    ASSERT_EQ(a["output_check"].as<std::string>(), "pass");
    ASSERT_EQ(b["output_check"].as<std::string>(), "pass");
    const auto by_a = a["levels"]["dram"]["by_type"], by_b = b["levels"]["dram"]["by_type"];
    const std::int64_t dense_ifmap = i64(by_a["ifmap"]["read_bytes"]),
                       rlc_ifmap = i64(by_b["ifmap"]["read_bytes"]);
    // Same weights traffic; activations as the encoded rows are: smaller when sparse, larger
    // when every value needs its own (run, level) pair.
    EXPECT_EQ(i64(by_a["weight"]["read_bytes"]), i64(by_b["weight"]["read_bytes"]));
    if (density < 0.5)
      EXPECT_LT(rlc_ifmap, dense_ifmap);
    else
      EXPECT_GT(rlc_ifmap, dense_ifmap);
    EXPECT_EQ(i64(a["macs"]), i64(b["macs"]));
  }
}

TEST(Compression, ZeroGatingSavesEnergyNotResults) {
  const std::string off = arch_with("zero_gating: false", "nogate");
  const std::string on = std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml";
  YAML::Node g, n;
  ASSERT_NO_FATAL_FAILURE(run(on, 0.3, "gate_on", &g));
  ASSERT_NO_FATAL_FAILURE(run(off, 0.3, "gate_off", &n));
  ASSERT_EQ(g["output_check"].as<std::string>(), "pass");
  ASSERT_EQ(n["output_check"].as<std::string>(), "pass");
  EXPECT_EQ(i64(n["gated_macs"]), 0);
  EXPECT_GT(i64(g["gated_macs"]), 0);
  EXPECT_EQ(i64(g["cycles"]), i64(n["cycles"]));  // gating saves energy, not time
  // MAC energy: the MAC's price (about 2 pJ, configs/eyeriss_v1.yaml) per performed MAC.
  const double mac_pj = g["actions"]["pe.mac"]["pj_per_unit"].as<double>();
  EXPECT_NEAR(mac_pj, 2.0, 0.01);
  EXPECT_NEAR(g["energy_pj"]["mac"].as<double>(),
              mac_pj * static_cast<double>(i64(g["macs"]) - i64(g["gated_macs"])),
              1e-8 * g["energy_pj"]["mac"].as<double>());  // 9 digits printed
  EXPECT_NEAR(n["energy_pj"]["mac"].as<double>(), mac_pj * static_cast<double>(i64(n["macs"])),
              1e-8 * n["energy_pj"]["mac"].as<double>());
  EXPECT_LT(g["energy_pj"]["rf"].as<double>(), n["energy_pj"]["rf"].as<double>());
}

}  // namespace

namespace {

// The TPU's mixed precision (Jouppi et al., ISCA 2017; shared/reference/tpu-v1.md): 8 x 16-bit
// operands run at half the 8 x 8 rate, 16 x 16 at a quarter. One 256 x 256 FC tile streamed
// by 1024 rows keeps the array busy 1024, 2048 and 4096 cycles.
TEST(Compression, SystolicOperandWidthsSetThroughput) {
  const char* widths[] = {"", ", weight_bits: 16", ", weight_bits: 16, input_bits: 16"};
  const std::int64_t passes[] = {1, 2, 4};
  double mac_pj[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(widths[i]);
    const std::string wl = tmp("tpu" + std::to_string(i) + ".yaml"),
                      out = tmp("tpu" + std::to_string(i));
    std::ofstream(wl) << "network: t\nlayers:\n  - {name: fc, type: fc, C: 256, M: 256" << widths[i]
                      << "}\n";
    const std::string cmd = std::string(DFSIM_BINARY) + " run --batch 1024 --arch " +
                            DFSIM_SOURCE_DIR + "/configs/tpu_v1.yaml --workload " + wl + " --out " +
                            out + " > " + out + ".log 2>&1";
    ASSERT_NO_FATAL_FAILURE(run_into(cmd, out));
    const YAML::Node t = YAML::LoadFile(out + "/stats.json")["total"];
    EXPECT_EQ(t["output_check"].as<std::string>(), "pass");
    EXPECT_EQ(t["cycle_breakdown"]["array_active"].as<std::int64_t>(), 1024 * passes[i]);
    mac_pj[i] = t["energy_pj"]["mac"].as<double>();
  }
  // Each pass of the 8-bit array costs its MAC energy again.
  EXPECT_GT(mac_pj[0], 0);
  EXPECT_NEAR(mac_pj[1], 2 * mac_pj[0], 1e-6 * mac_pj[0]);
  EXPECT_NEAR(mac_pj[2], 4 * mac_pj[0], 1e-6 * mac_pj[0]);
}

}  // namespace

namespace {

// Input sparsity produced by the previous layer (ReLU) on the actual data, pooled between.
TEST(Compression, InputsFromThePreviousLayer) {
  const std::string wl = tmp("chain.yaml"), out = tmp("chain_out");
  std::ofstream(wl)
      << "network: chain\nlayers:\n"
         "  - {name: c1, C: 3, M: 16, H: 31, W: 31, R: 3, S: 3, padding: 1}\n"
         "  - {name: c2, C: 16, M: 8, H: 15, W: 15, R: 3, S: 3, padding: 1, input_from: previous,"
         " input_pool: {kind: max, size: 3, stride: 2}}\n";
  const std::string cmd = std::string(DFSIM_BINARY) + " run --arch " + DFSIM_SOURCE_DIR +
                          "/configs/eyeriss_v1.yaml --workload " + wl + " --out " + out + " > " +
                          out + ".log 2>&1";
  ASSERT_NO_FATAL_FAILURE(run_into(cmd, out));
  const YAML::Node layers = YAML::LoadFile(out + "/stats.json")["layers"];
  EXPECT_EQ(layers[1]["output_check"].as<std::string>(), "pass");
  // ReLU zeros in c1's output reach c2 (max pooling keeps some): gating sees them.
  EXPECT_GT(layers[1]["gated_macs"].as<std::int64_t>(), 0);
  EXPECT_LT(layers[1]["nz_macs"].as<std::int64_t>(), layers[1]["macs"].as<std::int64_t>());

  // A shape that does not follow is an error naming the layer and both shapes.
  std::ofstream(wl) << "network: chain\nlayers:\n"
                       "  - {name: c1, C: 3, M: 16, H: 31, W: 31, R: 3, S: 3, padding: 1}\n"
                       "  - {name: c2, C: 16, M: 8, H: 15, W: 15, R: 3, S: 3, padding: 1, "
                       "input_from: previous}\n";
  const std::string bad = std::string(DFSIM_BINARY) + " run --arch " + DFSIM_SOURCE_DIR +
                          "/configs/eyeriss_v1.yaml --workload " + wl + " > " + out +
                          "_bad.log 2>&1";
  EXPECT_NE(std::system(bad.c_str()), 0);
  std::ifstream log(out + "_bad.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("input_from: previous gives [1][16][31][31]"), std::string::npos) << text;
}

}  // namespace

namespace {

// Every encoding at the DRAM interface moves the real data bit-exactly.
TEST(Compression, EveryDramEncodingIsBitExact) {
  for (const char* f : {"rlc", "zero_run", "csr", "csc", "bitmask"}) {
    SCOPED_TRACE(f);
    const std::string arch =
        arch_with(std::string("encodings:\n  dram: {ifmap: ") + f + ", ofmap: " + f + "}",
                  std::string("enc_") + f);
    YAML::Node t;
    ASSERT_NO_FATAL_FAILURE(run(arch, 0.4, std::string("encw_") + f, &t));
    EXPECT_EQ(t["output_check"].as<std::string>(), "pass");
    EXPECT_GT(i64(t["levels"]["dram"]["by_type"]["ifmap"]["read_bytes"]), 0);
  }
}

}  // namespace
