// Operands given with the workload as .npy files, and clear errors for bad ones.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "base/config/config_node.hpp"
#include "run/run.hpp"
#include "workload/npy.hpp"
#include "workload/tensor.hpp"

namespace {

std::string tmp(const std::string& name) { return ::testing::TempDir() + "dfsim_npy_" + name; }

void write(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string workload(const std::string& ifmap, const std::string& weights) {
  std::string s =
      "network: t\nlayers:\n  - {name: L, C: 2, M: 3, H: 5, W: 5, R: 3, S: 3, padding: 1";
  if (!ifmap.empty()) s += ", ifmap_file: " + ifmap;
  if (!weights.empty()) s += ", weights_file: " + weights;
  return s + "}\n";
}

TEST(Npy, RoundTripInt16) {
  const std::string p = tmp("rt.npy");
  dfsim::save_npy_int16(p, {2, 3}, {1, -2, 3, -32768, 32767, 0});
  const dfsim::NpyArray a = dfsim::load_npy(p);
  EXPECT_EQ(a.dtype, "<i2");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.values, (std::vector<std::int64_t>{1, -2, 3, -32768, 32767, 0}));
}

TEST(Npy, GivenOperandsDriveTheSimulation) {
  // ifmap 1x2x5x5 = 0..49, weights 3x2x3x3 with a single 1 per filter: each output is one
  // shifted input value, so the expected ofmap is known by hand.
  std::vector<std::int16_t> ifmap(50), weights(54, 0);
  for (int i = 0; i < 50; ++i) ifmap[static_cast<std::size_t>(i)] = static_cast<std::int16_t>(i);
  weights[0 * 18 + 0 * 9 + 4] = 256;  // filter 0: centre tap of channel 0
  weights[1 * 18 + 1 * 9 + 4] = 256;  // filter 1: centre tap of channel 1
  weights[2 * 18 + 0 * 9 + 0] = 512;  // filter 2: top-left tap of channel 0, times 2
  dfsim::save_npy_int16(tmp("if.npy"), {1, 2, 5, 5}, ifmap);
  dfsim::save_npy_int16(tmp("w.npy"), {3, 2, 3, 3}, weights);
  write(tmp("w.yaml"), workload(tmp("if.npy"), tmp("w.npy")));
  dfsim::RunOptions opt;
  opt.arch_file = std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml";
  opt.workload_file = tmp("w.yaml");
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_EQ(r.layers[0].output_check, "pass");
  // And the reference itself on these operands: product_shift 8 turns 256*x into x.
  const dfsim::Layer l = dfsim::load_network(tmp("w.yaml")).layers[0];
  const dfsim::LayerData d = dfsim::make_layer_data(l, 1);
  const dfsim::Tensor4 out = dfsim::reference_conv(l, d, dfsim::Arithmetic{8, 16, true, 0, 16});
  EXPECT_EQ(out.at(0, 0, 2, 3), 13);     // ifmap(0, 0, 2, 3)
  EXPECT_EQ(out.at(0, 1, 2, 3), 38);     // ifmap(0, 1, 2, 3)
  EXPECT_EQ(out.at(0, 2, 2, 3), 2 * 7);  // 2 * ifmap(0, 0, 1, 2)
  EXPECT_EQ(out.at(0, 2, 0, 0), 0);      // reads padding
}

TEST(Npy, MalformedFilesGiveClearErrors) {
  struct Case {
    std::string name, bytes, expect;
  };
  const std::string header = "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2, 5, 5), }";
  auto npy = [](const std::string& h, const std::string& payload) {
    std::string s = std::string("\x93NUMPY\x01\x00", 8);
    s += static_cast<char>(h.size() & 0xff);
    s += static_cast<char>(h.size() >> 8);
    return s + h + payload;
  };
  auto v2 = [](const std::string& h) {
    std::string s = std::string("\x93NUMPY\x02\x00", 8);
    for (int i = 0; i < 4; ++i) s += static_cast<char>((h.size() >> (8 * i)) & 0xff);
    return s + h;
  };
  const Case cases[] = {
      {"magic", "PK\x03\x04 not numpy", "magic"},
      {"float",
       npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 5, 5), }",
           std::string(200, '\0')),
       "dtype '<f4'"},
      {"fortran",
       npy("{'descr': '<i2', 'fortran_order': True, 'shape': (1, 2, 5, 5), }",
           std::string(100, '\0')),
       "Fortran"},
      {"truncated", npy(header, std::string(10, '\0')), "truncated data"},
      {"shape",
       npy("{'descr': '<i2', 'fortran_order': False, 'shape': (1, 3, 5, 5), }",
           std::string(150, '\0')),
       "has shape (1, 3, 5, 5), the layer needs (1, 2, 5, 5)"},
      {"header", npy("garbage", ""), "descr"},
      // Issue 21: a 60 KB descr string crashed the regex parser; a shape with a non-number was
      // read as valid; a 2 MB version-2 header crashed too.
      {"long_descr",
       npy("{'descr': '" + std::string(60000, 'x') +
               "', 'fortran_order': False, 'shape': (1, 2, "
               "5, 5), }",
           ""),
       "is not supported (little-endian integers only"},
      {"shape_3x",
       npy("{'descr': '<i2', 'fortran_order': False, 'shape': (1, 3x, 5, 5), }",
           std::string(150, '\0')),
       "malformed shape (1, 3x, 5, 5)"},
      {"v2_huge", v2(std::string(2 << 20, ' ')), "header of 2097152 bytes (over 1 MiB)"},
      {"order", npy("{'descr': '<i2', 'fortran_order': Maybe, 'shape': (1, 2, 5, 5), }", ""),
       "'fortran_order' is 'Maybe', not True or False"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string p = tmp(c.name + ".npy");
    write(p, c.bytes);
    write(tmp(c.name + ".yaml"), workload(p, ""));
    dfsim::RunOptions opt;
    opt.arch_file = std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml";
    opt.workload_file = tmp(c.name + ".yaml");
    try {
      (void)dfsim::make_layer_data(dfsim::load_network(opt.workload_file).layers[0], 1);
      ADD_FAILURE() << "no error";
    } catch (const dfsim::ConfigError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find(p), std::string::npos) << msg;
      EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    }
  }
}

TEST(Npy, CliExitsNonZeroWithoutStats) {
  const std::string p = tmp("cli_bad.npy");
  write(p, "definitely not numpy");
  write(tmp("cli.yaml"), workload(p, ""));
  const std::string out = tmp("cli_out");
  std::remove((out + "/stats.json").c_str());
  const std::string cmd = std::string(DFSIM_BINARY) + " run --arch " + DFSIM_SOURCE_DIR +
                          "/configs/eyeriss_v1.yaml --workload " + tmp("cli.yaml") + " --out " +
                          out + " > " + tmp("cli.log") + " 2>&1";
  const int rc = std::system(cmd.c_str());
  EXPECT_NE(rc, 0);
  std::ifstream log(tmp("cli.log"));
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("not a readable .npy array"), std::string::npos) << text;
  EXPECT_FALSE(std::ifstream(out + "/stats.json").good());
}

}  // namespace
