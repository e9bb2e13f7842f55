// The shipped CNN workloads (workloads/*.yaml) against published per-image totals, and the
// workload loader's error messages.
//
// Reference totals: Sze et al., "Efficient Processing of Deep Neural Networks: A Tutorial and
// Survey", Proc. IEEE 2017, Table II, as copied into shared/reference/networks.md; MobileNet v1
// from Howard et al. 2017 (arXiv:1704.04861), Table 8. Weights exclude biases.
//
// Tolerance: 1% of the reference unless a comment says otherwise. The table prints two
// significant digits (sometimes one), so a few figures of the real networks cannot land
// within 1% of the printed value: e.g. AlexNet's 2,332,704 CONV weights print as "2.3M"
// (+1.4%) and a 1024 -> 1000 FC layer's 1,024,000 weights print as "1M" (+2.4%). Those few
// checks use the smallest tolerance that the rounding forces, each with its reason; the
// exact totals are pinned as well, so a shape typo cannot hide inside a loose tolerance.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "base/config/config_node.hpp"
#include "test_util.hpp"
#include "workload/layer.hpp"

namespace {

using dfsim_test::contains;

using dfsim::ConfigError;
using dfsim::LayerKind;
using dfsim::Network;

std::string workload_path(const std::string& file) {
  return std::string(DFSIM_SOURCE_DIR) + "/workloads/" + file;
}

struct Totals {
  int conv_layers = 0;
  int fc_layers = 0;
  std::int64_t conv_weights = 0;
  std::int64_t conv_macs = 0;
  std::int64_t fc_weights = 0;
  std::int64_t fc_macs = 0;
  std::int64_t total_weights() const { return conv_weights + fc_weights; }
  std::int64_t total_macs() const { return conv_macs + fc_macs; }
};

Totals totals_of(const Network& net) {
  Totals t;
  for (const auto& l : net.layers) {
    if (l.kind == LayerKind::Conv) {
      ++t.conv_layers;
      t.conv_weights += l.weights();
      t.conv_macs += l.macs_per_image();
    } else {
      ++t.fc_layers;
      t.fc_weights += l.weights();
      t.fc_macs += l.macs_per_image();
    }
  }
  return t;
}

Totals load_totals(const std::string& file) {
  return totals_of(dfsim::load_network(workload_path(file)));
}

// |actual - reference| <= tol * reference, with a readable failure message.
::testing::AssertionResult Near(const char* what, std::int64_t actual, double reference,
                                double tol) {
  const double rel = (static_cast<double>(actual) - reference) / reference;
  if (std::fabs(rel) <= tol) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << what << ": computed " << actual << ", reference " << reference << " (" << (rel * 100.0)
         << "% off, tolerance " << (tol * 100.0) << "%)";
}

constexpr double kTol = 0.01;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Totals against the references
// ---------------------------------------------------------------------------------------------

TEST(Networks, LeNet5) {
  const Totals t = load_totals("lenet5.yaml");
  // Reference: Sze et al. tutorial, Table II via shared/reference/networks.md ("LeNet-5 (Caffe
  // variant)", 28x28 input). Shapes (see workloads/lenet5.yaml): conv1 6@5x5 on 28x28 -> 24x24,
  // conv2 16@5x5 (all 6 input maps) on 13x13 -> 9x9, fc 16x5x5 -> 120, fc 120 -> 84.
  // With 6 and 16 5x5 filters on a 1-channel input the CONV weights are exactly
  // 6*25 + 16*6*25 = 2,550, which the table prints as "2.6k" (-1.9%), and the total becomes
  // 2,550 + 58,080 = 60,630 against the table's "60k" (+1.05%; the table's own 2.6k + 58k is
  // already 60.6k). No LeNet-5 shapes reach both within 1%: the total needs FC weights
  // <= 58,050, and the only real LeNet-5 FC pair near 58k is C5+F6 = 400*120 + 120*84 = 58,080
  // (C5+output = 49,200, F6+output = 10,920). So those two checks use 2% and 1.1%; the other
  // three land within 1%.
  EXPECT_EQ(t.conv_layers, 2);  // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_EQ(t.fc_layers, 2);    // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_TRUE(Near("CONV weights", t.conv_weights, 2.6e3,
                   0.02));  // Sze Table II: 2.6k (rounded, see above)
  EXPECT_TRUE(Near("CONV MACs", t.conv_macs, 283e3, kTol));   // Sze Table II: 283k
  EXPECT_TRUE(Near("FC weights", t.fc_weights, 58e3, kTol));  // Sze Table II: 58k
  EXPECT_TRUE(
      Near("total weights", t.total_weights(), 60e3, 0.011));    // Sze Table II: 60k (see above)
  EXPECT_TRUE(Near("total MACs", t.total_macs(), 341e3, kTol));  // Sze Table II: 341k
  // Exact totals of the shipped shapes.
  EXPECT_EQ(t.conv_weights, 2550);
  EXPECT_EQ(t.conv_macs, 280800);
  EXPECT_EQ(t.fc_weights, 58080);
  EXPECT_EQ(t.total_macs(), 338880);
}

TEST(Networks, AlexNet) {
  const Network net = dfsim::load_network(workload_path("alexnet.yaml"));
  const Totals t = totals_of(net);
  EXPECT_EQ(t.conv_layers, 5);  // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_EQ(t.fc_layers, 3);    // Sze et al. tutorial, Table II via shared/reference/networks.md
  // Sze Table II: 2.3M. The grouped Caffe AlexNet has exactly 34,848 + 307,200 + 884,736 +
  // 663,552 + 442,368 = 2,332,704 CONV weights, +1.42% from the two-digit "2.3M", so 1.5% here.
  EXPECT_TRUE(Near("CONV weights", t.conv_weights, 2.3e6, 0.015));
  EXPECT_TRUE(Near("CONV MACs", t.conv_macs, 666e6, kTol));           // Sze Table II: 666M
  EXPECT_TRUE(Near("FC weights", t.fc_weights, 58.6e6, kTol));        // Sze Table II: 58.6M
  EXPECT_TRUE(Near("total weights", t.total_weights(), 61e6, kTol));  // Sze Table II: 61M
  EXPECT_TRUE(Near("total MACs", t.total_macs(), 724e6, kTol));       // Sze Table II: 724M
  EXPECT_EQ(t.conv_weights, 2332704);
  EXPECT_EQ(t.conv_macs, 665784864);
  EXPECT_EQ(t.fc_weights, 58621952);

  // Layer names and the grouped layers (networks.md: CONV2, CONV4 and CONV5 use 2 groups).
  const char* names[] = {"conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"};
  ASSERT_EQ(net.layers.size(), 8u);
  for (std::size_t i = 0; i < 8; ++i) EXPECT_EQ(net.layers[i].name, names[i]);
  const std::int64_t groups[] = {1, 2, 1, 2, 2};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(net.layers[i].groups, groups[i]) << names[i];
  EXPECT_EQ(net.layers[0].E(), 55);
  EXPECT_EQ(net.layers[5].R, 6);  // fc6's filter covers the 256x6x6 pool5 output
  EXPECT_EQ(net.layers[5].E(), 1);
}

TEST(Networks, Vgg16) {
  const Totals t = load_totals("vgg16.yaml");
  EXPECT_EQ(t.conv_layers, 13);  // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_EQ(t.fc_layers, 3);     // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_TRUE(Near("CONV weights", t.conv_weights, 14.7e6, kTol));     // Sze Table II: 14.7M
  EXPECT_TRUE(Near("CONV MACs", t.conv_macs, 15.3e9, kTol));           // Sze Table II: 15.3G
  EXPECT_TRUE(Near("FC weights", t.fc_weights, 124e6, kTol));          // Sze Table II: 124M
  EXPECT_TRUE(Near("total weights", t.total_weights(), 138e6, kTol));  // Sze Table II: 138M
  EXPECT_TRUE(Near("total MACs", t.total_macs(), 15.5e9, kTol));       // Sze Table II: 15.5G
  EXPECT_EQ(t.total_weights(), 138344128);
  EXPECT_EQ(t.total_macs(), 15470264320);
}

TEST(Networks, GoogLeNet) {
  const Network net = dfsim::load_network(workload_path("googlenet.yaml"));
  const Totals t = totals_of(net);
  EXPECT_EQ(t.conv_layers, 57);  // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_EQ(t.fc_layers, 1);     // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_TRUE(Near("CONV weights", t.conv_weights, 6.0e6, kTol));  // Sze Table II: 6.0M
  // Sze Table II: 1.43G. Reached with floor-mode 3x3/2 pooling (112 -> 55 -> 27 -> 13 -> 6);
  // Caffe's ceil-mode sizes (56/28/14/7) would give 1.58G. See workloads/googlenet.yaml.
  EXPECT_TRUE(Near("CONV MACs", t.conv_macs, 1.43e9, kTol));
  // Sze Table II: 1M. One FC layer 1024 -> 1000 has exactly 1,024,000 weights, +2.4% from the
  // one-digit "1M", so 2.5% here.
  EXPECT_TRUE(Near("FC weights", t.fc_weights, 1e6, 0.025));
  EXPECT_TRUE(Near("total weights", t.total_weights(), 7e6, kTol));  // Sze Table II: 7M
  EXPECT_TRUE(Near("total MACs", t.total_macs(), 1.43e9, kTol));     // Sze Table II: 1.43G
  EXPECT_EQ(t.conv_weights, 5966272);
  EXPECT_EQ(t.conv_macs, 1430532352);
  EXPECT_EQ(t.fc_weights, 1024000);

  // Every inception module has its six CONV layers, in order.
  const char* modules[] = {"3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"};
  const char* parts[] = {"1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool_proj"};
  ASSERT_EQ(net.layers.size(), 58u);
  std::size_t i = 3;
  for (const char* m : modules)
    for (const char* p : parts)
      EXPECT_EQ(net.layers[i++].name, std::string("inception_") + m + "-" + p);
  EXPECT_EQ(net.layers.back().C, 1024);
  EXPECT_EQ(net.layers.back().M, 1000);
}

TEST(Networks, ResNet50) {
  const Network net = dfsim::load_network(workload_path("resnet50.yaml"));
  const Totals t = totals_of(net);
  EXPECT_EQ(t.conv_layers, 53);  // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_EQ(t.fc_layers, 1);     // Sze et al. tutorial, Table II via shared/reference/networks.md
  EXPECT_TRUE(Near("CONV weights", t.conv_weights, 23.5e6, kTol));  // Sze Table II: 23.5M
  EXPECT_TRUE(Near("CONV MACs", t.conv_macs, 3.86e9, kTol));        // Sze Table II: 3.86G
  // Sze Table II: 2M. fc 2048 -> 1000 has exactly 2,048,000 weights, +2.4% from the one-digit
  // "2M", so 2.5% here.
  EXPECT_TRUE(Near("FC weights", t.fc_weights, 2e6, 0.025));
  EXPECT_TRUE(Near("total weights", t.total_weights(), 25.5e6, kTol));  // Sze Table II: 25.5M
  // Sze Table II: 3.9G, which is the table's own 3.86G CONV + 2M FC rounded to two digits.
  // Total MACs within 1% of 3.9G need CONV MACs >= 3.859G, 3M above what the shapes give
  // (3.856G, itself within 0.11% of 3.86G): 3.858G is -1.08%, so 1.1% here.
  EXPECT_TRUE(Near("total MACs", t.total_macs(), 3.9e9, 0.011));
  EXPECT_EQ(t.conv_weights, 23454912);
  EXPECT_EQ(t.conv_macs, 3855925248);

  int shortcuts = 0;
  for (const auto& l : net.layers)
    if (l.name.size() > 8 && l.name.compare(l.name.size() - 8, 8, "_branch1") == 0) ++shortcuts;
  EXPECT_EQ(shortcuts, 4);  // the projection shortcuts of res2a, res3a, res4a, res5a
}

TEST(Networks, MobileNetV1) {
  const Network net = dfsim::load_network(workload_path("mobilenet_v1.yaml"));
  const Totals t = totals_of(net);
  // Not in Sze et al. Table II. Published totals: Howard et al. 2017 (arXiv:1704.04861),
  // Table 8, 1.0 MobileNet-224: 4.2M parameters, 569M mult-adds. Checked within 2% (the
  // paper's "4.2M" has two digits; the small bias/batch-norm counts are not weights here).
  constexpr double kMobileTol = 0.02;
  EXPECT_EQ(t.conv_layers, 27);  // conv1 + 13 depthwise + 13 pointwise (Howard et al. Table 1)
  EXPECT_EQ(t.fc_layers, 1);     // Howard et al. Table 1
  EXPECT_TRUE(Near("total weights", t.total_weights(), 4.2e6, kMobileTol));  // Howard Table 8: 4.2M
  EXPECT_TRUE(Near("total MACs", t.total_macs(), 569e6, kMobileTol));        // Howard Table 8: 569M
  EXPECT_EQ(t.total_weights(), 4209088);
  EXPECT_EQ(t.total_macs(), 568740352);

  int depthwise = 0;
  for (const auto& l : net.layers)
    if (l.kind == LayerKind::Conv && l.groups > 1) {
      ++depthwise;
      EXPECT_EQ(l.groups, l.C) << l.name;
      EXPECT_EQ(l.groups, l.M) << l.name;
      EXPECT_EQ(l.R, 3) << l.name;
    }
  EXPECT_EQ(depthwise, 13);
}

TEST(Networks, EveryShippedLayerIsConsistent) {
  // Beyond the loader's own checks: names unique (the loader enforces it), FC layers are 1x1
  // outputs, and each network is batch 1.
  for (const char* f : {"lenet5.yaml", "alexnet.yaml", "vgg16.yaml", "googlenet.yaml",
                        "resnet50.yaml", "mobilenet_v1.yaml"}) {
    const Network net = dfsim::load_network(workload_path(f));
    EXPECT_FALSE(net.name.empty()) << f;
    EXPECT_EQ(net.source_file, workload_path(f));
    for (const auto& l : net.layers) {
      EXPECT_EQ(l.N, 1) << f << " " << l.name;
      EXPECT_GE(l.E(), 1) << f << " " << l.name;
      if (l.kind == LayerKind::FullyConnected) {
        EXPECT_EQ(l.E(), 1) << f << " " << l.name;
        EXPECT_EQ(l.F(), 1) << f << " " << l.name;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Loader errors
// ---------------------------------------------------------------------------------------------

namespace {

// A valid one-layer network; each error test changes one line of it.
const char* kGoodLayer =
    "network: tiny\n"
    "layers:\n"
    "  - name: c1\n"
    "    type: conv\n"
    "    M: 8\n"
    "    C: 4\n"
    "    H: 10\n"
    "    W: 10\n"
    "    R: 3\n"
    "    S: 3\n"
    "    stride: 1\n"
    "    padding: 1\n"
    "    groups: 2\n"
    "    E: 10\n"
    "    F: 10\n";

std::string replace_line(const std::string& text, const std::string& from, const std::string& to) {
  std::string out = text;
  const auto pos = out.find(from);
  if (pos == std::string::npos)
    ADD_FAILURE() << "test bug: '" << from << "' not in the text";
  else
    out.replace(pos, from.size(), to);
  return out;
}

// The ConfigError message of loading `text`, or "" (with a test failure) if it loads.
std::string load_error(const std::string& text, const std::string& origin = "tiny.yaml") {
  try {
    dfsim::load_network_from_string(text, origin);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << text;
  return "";
}

}  // namespace

TEST(NetworkLoaderErrors, GoodLayerLoads) {
  const Network net = dfsim::load_network_from_string(kGoodLayer, "tiny.yaml");
  ASSERT_EQ(net.layers.size(), 1u);
  EXPECT_EQ(net.layers[0].E(), 10);
  EXPECT_EQ(net.layers[0].weights(), 8 * 2 * 3 * 3);
}

TEST(NetworkLoaderErrors, UnknownKeyNamesFilePositionAndSuggestion) {
  const std::string msg =
      load_error(replace_line(kGoodLayer, "    stride: 1\n", "    strid: 1\n"), "mynet.yaml");
  EXPECT_TRUE(contains(msg, "mynet.yaml")) << msg;
  EXPECT_TRUE(contains(msg, "mynet.yaml:11:5")) << msg;  // file:line:col of the key
  EXPECT_TRUE(contains(msg, "unknown key 'strid'")) << msg;
  EXPECT_TRUE(contains(msg, "did you mean 'stride'")) << msg;
}

TEST(NetworkLoaderErrors, UnknownTopLevelKey) {
  const std::string msg = load_error(std::string("netwrok: x\n") + kGoodLayer);
  EXPECT_TRUE(contains(msg, "tiny.yaml:1:1")) << msg;
  EXPECT_TRUE(contains(msg, "did you mean 'network'")) << msg;
}

TEST(NetworkLoaderErrors, MissingRequiredKey) {
  const std::string msg = load_error(replace_line(kGoodLayer, "    M: 8\n", ""));
  EXPECT_TRUE(contains(msg, "tiny.yaml:")) << msg;
  EXPECT_TRUE(contains(msg, "missing required key")) << msg;
  EXPECT_TRUE(contains(msg, "M'")) << msg;
}

TEST(NetworkLoaderErrors, WrongType) {
  const std::string msg = load_error(replace_line(kGoodLayer, "    C: 4\n", "    C: abc\n"));
  EXPECT_TRUE(contains(msg, "tiny.yaml:6:8")) << msg;  // position of the value
  EXPECT_TRUE(contains(msg, "expected an integer")) << msg;
  EXPECT_TRUE(contains(msg, "abc")) << msg;
}

TEST(NetworkLoaderErrors, GroupsMustDivideC) {
  const std::string msg =
      load_error(replace_line(kGoodLayer, "    groups: 2\n", "    groups: 3\n"));
  EXPECT_TRUE(contains(msg, "tiny.yaml:13:")) << msg;
  EXPECT_TRUE(contains(msg, "groups")) << msg;
  EXPECT_TRUE(contains(msg, "C (4) is not divisible")) << msg;
}

TEST(NetworkLoaderErrors, EDisagreesWithShape) {
  const std::string msg = load_error(replace_line(kGoodLayer, "    E: 10\n", "    E: 9\n"));
  EXPECT_TRUE(contains(msg, "tiny.yaml:14:")) << msg;
  EXPECT_TRUE(contains(msg, "given E = 9")) << msg;
  EXPECT_TRUE(contains(msg, "shape gives E = 10")) << msg;
}

TEST(NetworkLoaderErrors, FcRejectsFilterKeys) {
  const std::string msg = load_error(
      "network: tiny\n"
      "layers:\n"
      "  - {name: f, type: fc, C: 16, M: 10, R: 1}\n");
  EXPECT_TRUE(contains(msg, "filter covers its whole input")) << msg;
}
