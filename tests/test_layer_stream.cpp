// The runner's layer stream (src/run/layer_stream.hpp), driven as a model drives it but with
// the reference convolution standing in for the array: operands made one layer ahead, chained
// inputs, the check as each layer ends, and at most two layers' tensors held at once.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/sim_error.hpp"
#include "run/layer_stream.hpp"
#include "run/run.hpp"
#include "test_util.hpp"
#include "workload/tensor.hpp"

namespace {

using dfsim::LayerStats;
using dfsim::LayerStream;
using dfsim::Tensor4;
using dfsim_test::source_path;

// Five layers: two chained through max pooling, one fed by its own operands, two chained again.
const char* const kChain =
    "network: chain\nlayers:\n"
    "  - {name: c1, C: 3, M: 8, H: 17, W: 17, R: 3, S: 3, padding: 1}\n"
    "  - {name: c2, C: 8, M: 8, H: 8, W: 8, R: 3, S: 3, padding: 1, input_from: previous,"
    " input_pool: {kind: max, size: 3, stride: 2}}\n"
    "  - {name: c3, C: 4, M: 8, H: 9, W: 9, R: 3, S: 3}\n"
    "  - {name: c4, C: 8, M: 16, H: 7, W: 7, R: 3, S: 3, padding: 1, input_from: previous}\n"
    "  - {name: c5, C: 16, M: 4, H: 7, W: 7, R: 1, S: 1, input_from: previous}\n";

dfsim::Plan plan_of(const std::string& arch, const std::string& workload_text) {
  dfsim::RunOptions opt;
  opt.arch_file = source_path("configs/" + arch);
  opt.workload_file = dfsim_test::write_temp("stream.yaml", workload_text);
  return dfsim::make_plan(opt);
}

// Runs the stream as a model would: operands as a layer starts, the ofmap as it ends; the
// "simulated" ofmap is the reference of the operands handed out, with one value changed in
// the layers listed in `wrong`.
std::vector<LayerStats> drive(const dfsim::Plan& plan, bool threaded,
                              const std::vector<std::size_t>& wrong, std::size_t* most_held,
                              std::vector<Tensor4>* ifmaps = nullptr) {
  LayerStream stream(plan, 7, true, threaded);
  std::vector<LayerStats> stats(plan.layers.size());
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const dfsim::Layer& l = plan.layers[i].layer;
    const dfsim::LayerData& d = stream.operands(i);
    if (ifmaps) ifmaps->push_back(d.ifmap);
    Tensor4 ofmap = dfsim::reference_conv(l, d, plan.style->arithmetic(l));
    if (std::find(wrong.begin(), wrong.end(), i) != wrong.end()) ofmap.data[3] += 1;
    stream.layer_done(i, ofmap, stats[i]);
  }
  *most_held = stream.most_layers_held();
  return stats;
}

TEST(LayerStream, ChecksEachLayerAsItEndsWithChainedInputs) {
  const dfsim::Plan plan = plan_of("eyeriss_v1.yaml", kChain);
  for (const bool threaded : {true, false}) {
    SCOPED_TRACE(threaded ? "threaded" : "inline");
    std::size_t most_held = 0;
    std::vector<Tensor4> ifmaps;
    const std::vector<LayerStats> stats = drive(plan, threaded, {1, 3}, &most_held, &ifmaps);
    ASSERT_EQ(stats.size(), 5u);
    const std::vector<std::string> expected_checks = {"pass", "fail", "pass", "fail", "pass"};
    for (std::size_t i = 0; i < stats.size(); ++i) {
      EXPECT_EQ(stats[i].output_check, expected_checks[i]) << plan.layers[i].layer.name;
      EXPECT_EQ(stats[i].weights, plan.layers[i].layer.weights());
      EXPECT_GT(stats[i].nz_macs, 0);
    }
    // A chained layer's ifmap is the previous layer's reference output, pooled: c2 takes c1's
    // [1][8][17][17] output through 3x3 max pooling at stride 2 (8 x 8), c5 takes c4's as is.
    const dfsim::LayerData c1 = dfsim::make_layer_data(plan.layers[0].layer, 7);
    const Tensor4 c1_out = dfsim::reference_conv(plan.layers[0].layer, c1,
                                                 plan.style->arithmetic(plan.layers[0].layer));
    EXPECT_TRUE(ifmaps[1] == dfsim::pool(c1_out, plan.layers[1].layer.input_pool));
    EXPECT_EQ(ifmaps[1].d2, 8);
    // c4's simulated output was wrong, yet c5 passes: its input is c4's reference output.
    EXPECT_EQ(stats[4].output_check, "pass");
    // Threaded: the layer simulated and at most the next one; inline: one layer.
    EXPECT_LE(most_held, threaded ? 2u : 1u);
    EXPECT_GE(most_held, 1u);
  }
}

TEST(LayerStream, ThreadedAndInlineAgree) {
  const dfsim::Plan plan = plan_of("tpu_v1.yaml", kChain);
  std::size_t held_a = 0, held_b = 0;
  const std::vector<LayerStats> a = drive(plan, true, {}, &held_a);
  const std::vector<LayerStats> b = drive(plan, false, {}, &held_b);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].output_check, "pass");
    EXPECT_EQ(a[i].output_check, b[i].output_check);
    EXPECT_EQ(a[i].output_density, b[i].output_density);
    EXPECT_EQ(a[i].nz_macs, b[i].nz_macs);
    EXPECT_EQ(a[i].nz_weights, b[i].nz_weights);
    EXPECT_EQ(a[i].weight_bits_by_format, b[i].weight_bits_by_format);
    EXPECT_EQ(a[i].ifmap_bits_by_format, b[i].ifmap_bits_by_format);
  }
}

// An operand the datapath cannot hold is found when its layer's operands are made: a TPU layer
// fed 16-bit outputs as 8-bit inputs. The error reaches the model at that layer, not before.
TEST(LayerStream, OperandErrorReachesTheLayerThatNeedsThem) {
  const dfsim::Plan plan = plan_of(
      "tpu_v1.yaml",
      "network: wide\nlayers:\n"
      "  - {name: w1, C: 8, M: 8, H: 6, W: 6, R: 3, S: 3, padding: 1, input_bits: 16}\n"
      "  - {name: w2, C: 8, M: 4, H: 6, W: 6, R: 3, S: 3, padding: 1, input_from: previous}\n");
  for (const bool threaded : {true, false}) {
    SCOPED_TRACE(threaded ? "threaded" : "inline");
    LayerStream stream(plan, 1, true, threaded);
    const dfsim::Layer& l = plan.layers[0].layer;
    const dfsim::LayerData& d = stream.operands(0);
    LayerStats s;
    stream.layer_done(0, dfsim::reference_conv(l, d, plan.style->arithmetic(l)), s);
    EXPECT_EQ(s.output_check, "pass");
    try {
      stream.operands(1);
      ADD_FAILURE() << "layer w2's operands were accepted";
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(dfsim_test::contains(e.what(), "layer 'w2': operand value")) << e.what();
      EXPECT_TRUE(dfsim_test::contains(e.what(), "does not fit 8 bits")) << e.what();
    }
  }
}

// The shapes of chained layers are checked before any simulation, from the shapes alone.
TEST(LayerStream, ChainedShapesCheckedUpFront) {
  const auto chain = [](const std::string& pool) {
    return "network: chain\nlayers:\n"
           "  - {name: c1, C: 3, M: 16, H: 31, W: 31, R: 3, S: 3, padding: 1}\n"
           "  - {name: c2, C: 16, M: 8, H: 15, W: 15, R: 3, S: 3, padding: 1, "
           "input_from: previous" +
           pool + "}\n";
  };
  // (31 - 3) / 2 + 1 = 15 with 3 x 3 windows at stride 2; (31 - 2) / 2 + 1 = 15 with 2 x 2.
  for (const char* pool : {", input_pool: {kind: max, size: 3, stride: 2}",
                           ", input_pool: {kind: avg, size: 2, stride: 2}"})
    EXPECT_NO_THROW(dfsim::check_chained_shapes(plan_of("eyeriss_v1.yaml", chain(pool))));
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "input_from: previous gives [1][16][31][31], the layer needs [1][16][15][15]"},
      {", input_pool: {kind: max, size: 3, stride: 3}",
       "input_from: previous gives [1][16][10][10], the layer needs [1][16][15][15]"}};
  for (const auto& [pool, message] : bad) {
    try {
      dfsim::check_chained_shapes(plan_of("eyeriss_v1.yaml", chain(pool)));
      ADD_FAILURE() << "accepted: " << pool;
    } catch (const dfsim::ConfigError& e) {
      EXPECT_TRUE(dfsim_test::contains(e.what(), message)) << e.what();
      EXPECT_TRUE(dfsim_test::contains(e.what(), "stream.yaml:4:")) << e.what();
    }
  }
}

}  // namespace
