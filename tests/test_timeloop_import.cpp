// Timeloop problem files (workload/timeloop_import.hpp) as Timeloop and the tools around it
// write them: the v0.4 form (shape and instance) and the flat cnn-layer form with K; Timeloop's
// R/S and P/Q (width/height) turned into Sze et al.'s names; MACs as Timeloop counts them
// (C M R S N P Q); densities; errors with file:line:column and key; a run from the command line.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/config/config_node.hpp"
#include "test_util.hpp"
#include "workload/layer.hpp"

namespace {

using dfsim_test::contains;

dfsim::Network load(const std::string& stem, const std::string& text) {
  const std::string dir = dfsim_test::fresh_dir("timeloop_" + stem);
  return dfsim::load_network(dfsim_test::write_file(dir + "/" + stem + ".yaml", text));
}

std::string vgg_layer(std::int64_t C, std::int64_t M, std::int64_t PQ) {
  return "problem:\n"
         "  version: 0.4\n"
         "  shape:\n"
         "    name: CNN-Layer\n"
         "    dimensions: [ C, M, R, S, N, P, Q ]\n"
         "  instance:\n"
         "    C: " +
         std::to_string(C) + "\n    M: " + std::to_string(M) +
         "\n    R: 3\n    S: 3\n    N: 1\n    P: " + std::to_string(PQ) +
         "\n    Q: " + std::to_string(PQ) +
         "\n    Wstride: 1\n    Hstride: 1\n    Wdilation: 1\n    Hdilation: 1\n";
}

// VGG-16's CONV layers as Timeloop layer files (3 x 3 filters, stride 1; Timeloop's input is
// the padded one): the same MACs, outputs and filters as dfsim's own workloads/vgg16.yaml,
// whose layers pad by 1. conv1_2: 64 x 64 x 3 x 3 x 224 x 224 = 1,849,688,064 MACs.
TEST(TimeloopImport, VggLayersHaveTheirMacCounts) {
  const dfsim::Network vgg = dfsim::load_network(dfsim_test::source_path("workloads/vgg16.yaml"));
  struct Case {
    std::string name;
    std::int64_t C, M, PQ;
  };
  const std::vector<Case> cases = {{"conv1_2", 64, 64, 224},
                                   {"conv2_1", 64, 128, 112},
                                   {"conv3_2", 256, 256, 56},
                                   {"conv4_1", 256, 512, 28},
                                   {"conv5_3", 512, 512, 14}};
  for (const Case& c : cases) {
    const dfsim::Network net = load(c.name, vgg_layer(c.C, c.M, c.PQ));
    ASSERT_EQ(net.layers.size(), 1u);
    const dfsim::Layer& l = net.layers[0];
    const dfsim::Layer ours =
        dfsim::select_layers(vgg, {c.name}).layers[0];  // a copy: the network is a temporary
    EXPECT_EQ(l.name, c.name);
    EXPECT_EQ(l.macs(), c.C * c.M * 9 * c.PQ * c.PQ) << c.name;
    EXPECT_EQ(l.macs(), ours.macs()) << c.name;
    EXPECT_EQ(l.E(), ours.E());
    EXPECT_EQ(l.F(), ours.F());
    EXPECT_EQ(l.H, c.PQ + 2);  // the padded input Timeloop's P x Q windows read
    EXPECT_EQ(l.pad_top + l.pad_bottom + l.pad_left + l.pad_right, 0);
  }
  EXPECT_EQ(load("conv1_2", vgg_layer(64, 64, 224)).layers[0].macs(), 1849688064);
}

// The flat form (K filters, `shape: cnn-layer`) with a filter 7 wide (R) and 5 high (S),
// stride 2: dfsim's R is the height, S the width; H = 2 (Q - 1) + 5, W = 2 (P - 1) + 7.
TEST(TimeloopImport, FlatFormAndTimeloopsWidthAndHeight) {
  const dfsim::Network net = load("flat",
                                  "problem:\n"
                                  "  C: 3\n  Hdilation: 1\n  Hstride: 2\n  K: 64\n  N: 2\n"
                                  "  P: 112\n  Q: 56\n  R: 7\n  S: 5\n  Wdilation: 1\n"
                                  "  Wstride: 2\n  shape: cnn-layer\n");
  const dfsim::Layer& l = net.layers[0];
  EXPECT_EQ(l.R, 5);
  EXPECT_EQ(l.S, 7);
  EXPECT_EQ(l.E(), 56);
  EXPECT_EQ(l.F(), 112);
  EXPECT_EQ(l.H, 2 * 55 + 5);
  EXPECT_EQ(l.W, 2 * 111 + 7);
  EXPECT_EQ(l.M, 64);
  EXPECT_EQ(l.N, 2);
  EXPECT_EQ(l.macs(), std::int64_t{3} * 64 * 7 * 5 * 2 * 112 * 56);
}

TEST(TimeloopImport, DensitiesAndBitWidths) {
  std::string text = vgg_layer(8, 16, 10);
  text +=
      "    densities:\n      Weights: 0.25\n"
      "      Inputs: {distribution: fixed-structured, density: 0.5}\n"
      "      Outputs: 0.75\n"
      "    bitwidths: {Weights: 4, Inputs: 6}\n";
  const dfsim::Layer l = load("sparse", text).layers[0];
  EXPECT_DOUBLE_EQ(l.weight_density, 0.25);
  EXPECT_DOUBLE_EQ(l.input_density, 0.5);
  EXPECT_DOUBLE_EQ(l.output_density, 0.75);
  EXPECT_EQ(l.weight_bits, 4);
  EXPECT_EQ(l.input_bits, 6);
  const dfsim::Layer c =
      load("common", vgg_layer(8, 16, 10) + "    commonDensity: 0.4\n").layers[0];
  EXPECT_DOUBLE_EQ(c.weight_density, 0.4);
  EXPECT_DOUBLE_EQ(c.input_density, 0.4);
}

// The flat form without a shape (Timeloop then assumes cnn-layer), with a version, N and the
// strides at their defaults.
TEST(TimeloopImport, FlatFormWithoutShapeTakesTheDefaults) {
  const dfsim::Layer l =
      load("bare", "problem:\n  version: 0.4\n  C: 2\n  M: 3\n  R: 3\n  S: 1\n  P: 5\n  Q: 4\n")
          .layers[0];
  EXPECT_EQ(l.N, 1);
  EXPECT_EQ(l.stride_h, 1);
  EXPECT_EQ(l.stride_w, 1);
  EXPECT_EQ(l.R, 1);
  EXPECT_EQ(l.S, 3);
  EXPECT_EQ(l.H, 4);
  EXPECT_EQ(l.W, 7);
  EXPECT_EQ(l.macs(), 2 * 3 * 3 * 1 * 5 * 4);
}

// Strides and dilations per axis: Timeloop's W axis is dfsim's columns (S, F), its H axis the
// rows (R, E). Input W = Wstride (P - 1) + Wdilation (R - 1) + 1 = 1 x 9 + 3 x 2 + 1 = 16, H =
// Hstride (Q - 1) + Hdilation (S - 1) + 1 = 2 x 9 + 2 x 2 + 1 = 23; E = Q, F = P.
TEST(TimeloopImport, StridesAndDilationsPerAxis) {
  std::string text = vgg_layer(8, 16, 10);
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"Hstride: 1", "Hstride: 2"},
                                 {"Wdilation: 1", "Wdilation: 3"},
                                 {"Hdilation: 1", "Hdilation: 2"}})
    text.replace(text.find(from), from.size(), to);
  const dfsim::Layer l = load("axes", text).layers[0];
  EXPECT_EQ((std::vector<std::int64_t>{l.stride_h, l.stride_w, l.dilation_h, l.dilation_w}),
            (std::vector<std::int64_t>{2, 1, 2, 3}));
  EXPECT_EQ(l.W, 16);
  EXPECT_EQ(l.H, 23);
  EXPECT_EQ(l.E(), 10);
  EXPECT_EQ(l.F(), 10);
  EXPECT_EQ(l.macs(), 8 * 16 * 9 * 10 * 10);
}

TEST(TimeloopImport, ErrorsNameFileLineColumnAndKey) {
  const std::string base = vgg_layer(8, 16, 10);
  const auto with = [&base](const std::string& from, const std::string& to) {
    std::string t = base;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {with("Wdilation: 1", "Wdilation: 0"),
       "bad.yaml:16:16: problem.instance.Wdilation: must be >= 1, got 0"},
      {with("    N: 1\n", "    N: 1\n    Padding: 1\n"), "unknown key 'Padding'"},
      {with("name: CNN-Layer", "name: GEMM"),
       "problem.shape.name: only Timeloop's cnn-layer problem shape is imported, got 'gemm'"},
      {with("[ C, M, R, S, N, P, Q ]", "[ M, N, K ]"),
       "problem.shape.dimensions: expected the cnn-layer dimensions"},
      {with("    P: 10\n", ""), "bad.yaml:7:5: problem.instance: missing required key 'P'"},
      {with("    C: 8\n", "    C: 0\n"), "problem.instance.C: must be >= 1, got 0"},
      {base + "    densities: {Weights: 1.5}\n",
       "problem.instance.densities.Weights: must be in (0, 1]"},
      {base + "    densities: {Inputs: {density: 0.5, distribution: bogus}}\n",
       "problem.instance.densities.Inputs.distribution"},
      {base + "    bitwidths: {Weights: 17}\n", "problem.instance.bitwidths.Weights"},
      {with("    C: 8\n", "    C: eight\n"),
       "bad.yaml:7:8: problem.instance.C: expected an integer"},
      {"problem:\n  C: 3\n  K: 4\n  M: 4\n  R: 1\n  S: 1\n  P: 2\n  Q: 2\n  shape: cnn-layer\n",
       ".yaml:2:3: problem: give the filter count once, as K (or M)"}};
  for (const auto& [text, message] : cases) {
    try {
      load("bad", text);
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(contains(e.what(), message)) << e.what() << "\nwanted: " << message;
    }
  }
}

// From the command line: a Timeloop file runs as a one-layer network, outputs checked.
TEST(TimeloopImport, RunsFromTheCommandLine) {
  const std::string dir = dfsim_test::fresh_dir("timeloop_cli");
  const std::string file = dfsim_test::write_file(dir + "/layer.yaml", vgg_layer(4, 8, 6));
  const dfsim_test::CliResult r =
      dfsim_test::dfsim("run --arch '" + dfsim_test::source_path("configs/eyeriss_v1.yaml") +
                            "' --workload '" + file + "' --batch 2 --out '" + dir + "/out'",
                        dir);
  ASSERT_EQ(r.code, 0) << dfsim_test::describe(r);
  const YAML::Node layers = YAML::LoadFile(dir + "/out/stats.json")["layers"];
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0]["name"].as<std::string>(), "layer");
  EXPECT_EQ(layers[0]["macs"].as<std::int64_t>(), 2 * 4 * 8 * 9 * 6 * 6);
  EXPECT_EQ(layers[0]["output_check"].as<std::string>(), "pass");
}

}  // namespace
