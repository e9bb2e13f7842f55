// SCALE-Sim topology files (workload/scalesim_import.hpp) as SCALE-Sim v2 writes them: the
// conv form with padded fields and trailing commas, the GEMM form, depthwise "DP" layers,
// comments, blank lines and tabs; MAC totals as SCALE-Sim counts them
// (E F R S C M with E = ceil((H - R + stride) / stride)); errors with file:line:column; and a
// run from the command line.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/config/config_node.hpp"
#include "test_util.hpp"
#include "workload/layer.hpp"
#include "workload/scalesim_import.hpp"

namespace {

using dfsim_test::contains;

// AlexNet's CONV layers as SCALE-Sim's topologies/conv_nets/alexnet.csv gives them.
const char* kAlexnet =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
    "Strides,\n"
    "Conv1     ,224         ,224        ,11           ,11          ,3       ,96        ,4      ,\n"
    "Conv2     ,27         ,27        ,5            ,5           ,96      ,256       ,1      ,\n"
    "Conv3     ,13          ,13         ,3            ,3           ,256     ,384       ,1      ,\n"
    "Conv4     ,13          ,13         ,3            ,3           ,384     ,384       ,1      ,\n"
    "Conv5     ,13          ,13         ,3            ,3           ,384     ,256       ,1      ,\n";

std::int64_t total_macs(const dfsim::Network& net) {
  std::int64_t macs = 0;
  for (const dfsim::Layer& l : net.layers) macs += l.macs();
  return macs;
}

TEST(ScaleSimImport, AlexNetConvLayersWithScaleSimsMacCounts) {
  const dfsim::Network net = dfsim::import_scalesim_topology_from_string(kAlexnet, "alexnet.csv");
  EXPECT_EQ(net.name, "alexnet");
  ASSERT_EQ(net.layers.size(), 5u);
  // SCALE-Sim's E: Conv1 ceil((224 - 11 + 4) / 4) = 55 (the imported ifmap is the 227 rows its
  // windows read); Conv2 23; Conv3-5 11 (no padding).
  const std::vector<std::int64_t> e = {55, 23, 11, 11, 11};
  // E F R S C M: 55^2 11^2 3 96, 23^2 5^2 96 256, 11^2 3^2 256 384, 11^2 3^2 384 384,
  // 11^2 3^2 384 256.
  const std::vector<std::int64_t> macs = {105415200, 325017600, 107053056, 160579584, 107053056};
  for (std::size_t i = 0; i < 5; ++i) {
    const dfsim::Layer& l = net.layers[i];
    EXPECT_EQ(l.name, "Conv" + std::to_string(i + 1));
    EXPECT_EQ(l.E(), e[i]) << l.name;
    EXPECT_EQ(l.F(), e[i]) << l.name;
    EXPECT_EQ(l.macs(), macs[i]) << l.name;
    EXPECT_EQ(l.pad_top + l.pad_bottom + l.pad_left + l.pad_right, 0);
    EXPECT_EQ(l.groups, 1);
    EXPECT_EQ(l.N, 1);
  }
  EXPECT_EQ(net.layers[0].H, 227);
  EXPECT_EQ(net.layers[0].stride_h, 4);
  EXPECT_EQ(net.layers[0].stride_w, 4);
  EXPECT_EQ(net.layers[1].H, 27);
  EXPECT_EQ(total_macs(net), 805118496);
  EXPECT_EQ(net.layers[2].where, "alexnet.csv:4:1");
}

// The GEMM form (topologies/GEMM_mnk/, rows without a trailing comma): [M][K] x [K][N] as a
// 1 x 1 conv over M pixels of K channels with N filters.
TEST(ScaleSimImport, GemmRowsAreOneByOneConvolutionsOfMnkMacs) {
  const dfsim::Network net = dfsim::import_scalesim_topology_from_string(
      "Layer,M,N,K\n1,2048,4096,32\n13,1024,36548,1632\n", "gnmt.csv");
  ASSERT_EQ(net.layers.size(), 2u);
  const dfsim::Layer& l = net.layers[0];
  EXPECT_EQ(l.name, "1");
  EXPECT_EQ(l.C, 32);
  EXPECT_EQ(l.M, 4096);
  EXPECT_EQ(l.E() * l.F(), 2048);
  EXPECT_EQ(l.R * l.S, 1);
  EXPECT_EQ(l.macs(), std::int64_t{2048} * 4096 * 32);
  EXPECT_EQ(net.layers[1].macs(), std::int64_t{1024} * 36548 * 1632);
}

// MobileNet as SCALE-Sim's files write it: tabs, blank lines, "#dw" after the last comma, a row
// without the trailing comma, both stride columns; a "DP" layer is SCALE-Sim's per-channel
// expansion (C layers of Num Filter filters of one channel): groups = C.
TEST(ScaleSimImport, FormattingVariantsAndDepthwiseLayers) {
  const dfsim::Network net = dfsim::import_scalesim_topology_from_string(
      "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,"
      "Stride height,Stride width,\n"
      "\n"
      "Conv1, 224, 224, 3, 3, 3, 32, 2, 2,\n"
      "Conv2_DP, 112, 112, 3, 3, 32, 1, 1, 1,#dw\n"
      "\tConv3,112,112,1,1,32,64,1,1\r\n"
      "# a comment row\n"
      "#Conv4, 56, 56, 1, 1, 64, 128, 1, 1,\n",
      "mobilenet.csv");
  ASSERT_EQ(net.layers.size(), 3u);
  const dfsim::Layer& dw = net.layers[1];
  EXPECT_EQ(dw.groups, 32);
  EXPECT_EQ(dw.M, 32);
  EXPECT_EQ(dw.C, 32);
  EXPECT_EQ(dw.macs(), 110 * 110 * 9 * 32);  // E = 112 - 3 + 1
  EXPECT_EQ(net.layers[0].E(), 112);         // ceil((224 - 3 + 2) / 2)
  EXPECT_EQ(net.layers[0].H, 225);
  EXPECT_EQ(net.layers[2].name, "Conv3");
  EXPECT_EQ(net.layers[2].macs(), 112 * 112 * 32 * 64);
}

// A stride per axis (the 9-column header SCALE-Sim writes). SCALE-Sim's E = ceil((8 - 3) / 2) + 1
// = 4 counts a last window reaching past the image, so the imported H is the 3 x 2 + 3 = 9 rows
// the windows read; F = (8 - 3) / 1 + 1 = 6.
TEST(ScaleSimImport, StridePerAxis) {
  const std::string dir = dfsim_test::fresh_dir("scalesim_axes");
  const dfsim::Network net = dfsim::load_network(dfsim_test::write_file(
      dir + "/t.csv",
      "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,"
      "Stride height,Stride width,\nc1, 8, 8, 3, 3, 4, 8, 2, 1,\n"));
  const dfsim::Layer& l = net.layers[0];
  EXPECT_EQ(l.stride_h, 2);
  EXPECT_EQ(l.stride_w, 1);
  EXPECT_EQ(l.H, 9);
  EXPECT_EQ(l.W, 8);
  EXPECT_EQ(l.E(), 4);
  EXPECT_EQ(l.F(), 6);
}

TEST(ScaleSimImport, ErrorsNameFileLineAndColumn) {
  const std::string header =
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\n";
  const std::string header9 =
      "Layer name,IFMAP height,IFMAP width,Filter height,Filter width,Channels,Num filter,"
      "Stride height,Stride width,\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "t.csv:1:1: the file is empty"},
      {header, "t.csv:1:1: no layer rows after the header"},
      {"name,a,b\nx,1,2\n", "t.csv:1:1: not a SCALE-Sim topology header"},
      {header + "c1, 8, 8, 3, 3, x4, 8, 1,\n",
       "t.csv:2:17: column 'Channels': 'x4' is not an integer from 1 to 16777216"},
      {header + "c1, 8, 8, 3, 3, 4, 0, 1,\n",
       "t.csv:2:20: column 'Num Filter': '0' is not an integer"},
      {header + "c1, 8, 8, 9, 3, 4, 8, 1,\n",
       "t.csv:2:11: column 'Filter Height': 9 exceeds the IFMAP Height 8"},
      {header9 + "c1, 8, 8, 3, 3, 4, 8, 2, 0,\n",
       "t.csv:2:26: column 'Stride width': '0' is not an integer from 1"},
      {header + "c1, 8, 8, 3, 3, 4, 8,\n",
       "t.csv:2:20: expected 8 values, one per header column, got 7"},
      {header + "c1, 8, 8, 3, 3, 4, 8, 2, 1,\n", "t.csv:2:26: expected 8 values"},
      {header + "c1, 8, 12abc, 3, 3, 4, 8, 1,\n",
       "t.csv:2:8: column 'IFMAP Width': '12abc' is not an integer"},
      {header + "c1, -8, 8, 3, 3, 4, 8, 1,\n",
       "t.csv:2:5: column 'IFMAP Height': '-8' is not an integer"},
      {header + "c1, 8, 8, 3, 3, 4, 16777217, 1,\n",
       "t.csv:2:20: column 'Num Filter': '16777217' is not an integer from 1 to 16777216"},
      {header + "c1, 8, 8, 3, 3, 4, 8, 99999999999999999999,\n",
       "column 'Strides': '99999999999999999999' is not an integer"},
      {header + "c1_DP, 8, 8, 3, 3, 65536, 65536, 1,\n",
       "t.csv:2:27: column 'Num Filter': the depthwise layer's Channels x Num Filter is "
       "4294967296"},
      {header + "c1, 16777216, 1, 1, 1, 1, 1, 8388609,\n",
       "column 'Strides': the windows of stride 8388609 read 16777219 rows or columns"},
      {header + "c1, 16777216, 16777216, 1, 1, 8, 1, 1,\n",
       "t.csv:2:1: layer 'c1': the ifmap (N x C x H x W) would hold"},
      {"Layer name, IFMAP Width, IFMAP Height, Filter Height, Filter Width, Channels, Num Filter, "
       "Strides,\nc1, 8, 8, 3, 3, 4, 8, 1,\n",
       "t.csv:1:1: not a SCALE-Sim topology header"},
      {header + "c1, 8, 8, 3, 3, 4, 8, 1,\nc1, 8, 8, 3, 3, 4, 8, 1,\n",
       "t.csv:3:1: duplicate layer name 'c1'"},
      {"Layer,M,N,K\ng, 4, 4\n", "t.csv:2:7: expected 4 values (Layer, M, N, K), got 3"},
      {"Layer,M,N,K\n , 4, 4, 4\n", "t.csv:2:1: column 'Layer' is empty"}};
  for (const auto& [text, message] : cases) {
    try {
      dfsim::import_scalesim_topology_from_string(text, "t.csv");
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), message)) << e.what() << "\nwanted: " << message;
    }
  }
}

// From the command line: a .csv workload runs (outputs checked against the reference), --batch
// applies, and --layers picks SCALE-Sim's layer names.
TEST(ScaleSimImport, RunsFromTheCommandLine) {
  const std::string dir = dfsim_test::fresh_dir("scalesim_cli");
  const std::string csv = dfsim_test::write_file(
      dir + "/small.csv",
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\n"
      "Small1, 15, 15, 3, 3, 4, 8, 2,\n"
      "Gemm-like_DP, 9, 9, 3, 3, 4, 2, 1,\n");
  const dfsim_test::CliResult r = dfsim_test::dfsim(
      "run --arch '" + dfsim_test::source_path("configs/eyeriss_v1.yaml") + "' --workload '" + csv +
          "' --batch 2 --layers Small1,Gemm-like_DP --out '" + dir + "/out'",
      dir);
  ASSERT_EQ(r.code, 0) << dfsim_test::describe(r);
  EXPECT_TRUE(contains(r.out, "running small (batch 2")) << r.out;
  const YAML::Node layers = YAML::LoadFile(dir + "/out/stats.json")["layers"];
  ASSERT_EQ(layers.size(), 2u);
  // Small1: E = ceil((15 - 3 + 2) / 2) = 7: 2 x 7 x 7 x 3 x 3 x 4 x 8 MACs; the depthwise
  // layer: 4 channels of 2 filters, 2 x 7 x 7 x 3 x 3 x 1 x 8.
  EXPECT_EQ(layers[0]["name"].as<std::string>(), "Small1");
  EXPECT_EQ(layers[0]["macs"].as<std::int64_t>(), 2 * 7 * 7 * 9 * 4 * 8);
  EXPECT_EQ(layers[1]["macs"].as<std::int64_t>(), 2 * 7 * 7 * 9 * 8);
  for (const YAML::Node& l : layers) EXPECT_EQ(l["output_check"].as<std::string>(), "pass");
  const dfsim_test::CliResult m =
      dfsim_test::dfsim("map --arch '" + dfsim_test::source_path("configs/eyeriss_v1.yaml") +
                            "' --workload '" + csv + "' --batch 2",
                        dir);
  ASSERT_EQ(m.code, 0) << dfsim_test::describe(m);
  EXPECT_TRUE(contains(m.out, "Small1 [conv] N=2 M=8 C=4 H=15 W=15 R=3 S=3 E=7 F=7 stride=2"))
      << m.out;
  EXPECT_TRUE(contains(m.out,
                       "Gemm-like_DP [conv] N=2 M=8 C=4 H=9 W=9 R=3 S=3 E=7 F=7 stride=1 "
                       "pad=0 groups=4"))
      << m.out;
}

}  // namespace
