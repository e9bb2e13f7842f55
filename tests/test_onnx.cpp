// ONNX import: models are built here with the onnx:: protobuf classes, written to temp files and
// imported; the layers' shapes, ReLU flags and quantized weights are checked, and one imported
// network runs through the simulator. Malformed files must throw ConfigError naming the file.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "base/config/config_node.hpp"
#include "run/run.hpp"
#include "workload/layer.hpp"
#include "workload/npy.hpp"
#include "workload/onnx_import.hpp"

namespace {

namespace fs = std::filesystem;
using dfsim::ConfigError;
using dfsim::Layer;
using dfsim::LayerKind;
using dfsim::Network;
using dfsim::OnnxImportOptions;

// A fresh folder per test.
std::string tmp_dir(const std::string& name) {
  const fs::path d = fs::path(::testing::TempDir()) / ("dfsim_onnx_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// A small model under construction.
class Model {
 public:
  explicit Model(const std::vector<std::int64_t>& input_shape, bool symbolic_batch = false) {
    m_.set_ir_version(8);
    m_.set_producer_name("dfsim-test");
    auto* opset = m_.add_opset_import();
    opset->set_domain("");
    opset->set_version(13);
    g_ = m_.mutable_graph();
    g_->set_name("test");
    auto* in = g_->add_input();
    in->set_name("x");
    auto* tt = in->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    auto* shape = tt->mutable_shape();
    for (std::size_t i = 0; i < input_shape.size(); ++i) {
      auto* d = shape->add_dim();
      if (i == 0 && symbolic_batch)
        d->set_dim_param("batch");
      else
        d->set_dim_value(input_shape[i]);
    }
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& in,
                        const std::vector<std::string>& out, const std::string& name = "") {
    auto* n = g_->add_node();
    n->set_op_type(op);
    if (!name.empty()) n->set_name(name);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return *n;
  }

  // A float32 initializer, stored in raw_data or in float_data.
  void weights(const std::string& name, const std::vector<std::int64_t>& dims,
               const std::vector<float>& values, bool raw = true) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (auto d : dims) t->add_dims(d);
    if (raw)
      t->set_raw_data(
          std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    else
      for (float v : values) t->add_float_data(v);
  }

  void int64s(const std::string& name, const std::vector<std::int64_t>& values) {
    auto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto_DataType_INT64);
    t->add_dims(static_cast<std::int64_t>(values.size()));
    for (auto v : values) t->add_int64_data(v);
  }

  void output(const std::string& name) { g_->add_output()->set_name(name); }

  std::string bytes() const {
    std::string s;
    m_.SerializeToString(&s);
    return s;
  }
  std::string write(const std::string& path) const {
    write_bytes(path, bytes());
    return path;
  }
  onnx::ModelProto& proto() { return m_; }

 private:
  onnx::ModelProto m_;
  onnx::GraphProto* g_;
};

void set_int(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INT);
  a->set_i(v);
}

void set_ints(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_INTS);
  for (auto x : v) a->add_ints(x);
}

void set_string(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto_AttributeType_STRING);
  a->set_s(v);
}

std::int64_t product(const std::vector<std::int64_t>& dims) {
  std::int64_t p = 1;
  for (auto d : dims) p *= d;
  return p;
}

// Deterministic weights in [-1, 1] with no value near zero; every `zero_every`-th is exactly 0.
std::vector<float> make_weights(std::int64_t count, int zero_every = 0, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> mag(0.05f, 1.0f);
  std::vector<float> w(static_cast<std::size_t>(count));
  for (std::size_t i = 0; i < w.size(); ++i) {
    w[i] = mag(rng) * ((rng() & 1) ? 1.0f : -1.0f);
    if (zero_every && i % static_cast<std::size_t>(zero_every) == 0) w[i] = 0.0f;
  }
  return w;
}

// x(1|N,3,16,16) -> conv1 8x3x3x3 pad 1 -> Relu -> MaxPool 2/2 -> conv2 16x8x3x3 stride 2 pad 1
// -> Flatten -> fc (Gemm, transB) 10 -> Softmax.
Model lenet_like(bool symbolic_batch) {
  Model m({1, 3, 16, 16}, symbolic_batch);
  m.weights("w1", {8, 3, 3, 3}, make_weights(8 * 27, 0, 1));
  m.weights("b1", {8}, std::vector<float>(8, 0.5f));
  m.weights("w2", {16, 8, 3, 3}, make_weights(16 * 72, 0, 2), /*raw=*/false);
  m.weights("w3", {10, 256}, make_weights(2560, 0, 3));
  auto& c1 = m.node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv1");
  set_ints(c1, "kernel_shape", {3, 3});
  set_ints(c1, "pads", {1, 1, 1, 1});
  m.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto& p1 = m.node("MaxPool", {"r1"}, {"p1"}, "pool1");
  set_ints(p1, "kernel_shape", {2, 2});
  set_ints(p1, "strides", {2, 2});
  auto& c2 = m.node("Conv", {"p1", "w2"}, {"c2"}, "conv2");
  set_ints(c2, "strides", {2, 2});
  set_ints(c2, "pads", {1, 1, 1, 1});
  m.node("Flatten", {"c2"}, {"f"}, "flatten");
  auto& fc = m.node("Gemm", {"f", "w3"}, {"y"}, "fc");
  set_int(fc, "transB", 1);
  m.node("Softmax", {"y"}, {"prob"});
  m.output("prob");
  return m;
}

void expect_layer(const Layer& l, const std::string& name, LayerKind kind,
                  std::vector<std::int64_t> nmchw, std::vector<std::int64_t> rs_u_p_g,
                  std::int64_t E, std::int64_t F, bool relu) {
  SCOPED_TRACE(name);
  EXPECT_EQ(l.name, name);
  EXPECT_EQ(l.kind, kind);
  EXPECT_EQ((std::vector<std::int64_t>{l.N, l.M, l.C, l.H, l.W}), nmchw);
  EXPECT_TRUE(l.uniform()) << l.geometry();
  EXPECT_EQ((std::vector<std::int64_t>{l.R, l.S, l.stride_h, l.pad_top, l.groups}), rs_u_p_g);
  EXPECT_EQ(l.E(), E);
  EXPECT_EQ(l.F(), F);
  EXPECT_EQ(l.relu, relu);
}

std::int64_t nonzeros(const std::vector<std::int64_t>& v) {
  std::int64_t n = 0;
  for (auto x : v) n += x != 0;
  return n;
}

// Runs `f`, expecting a ConfigError whose message contains `path` (and `also`, if given).
void expect_config_error(const std::string& path, const std::function<void()>& f,
                         const std::string& also = "") {
  try {
    f();
    ADD_FAILURE() << "no ConfigError for " << path;
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    if (!also.empty()) {
      EXPECT_NE(msg.find(also), std::string::npos) << msg;
    }
  }
}

TEST(Onnx, LayerShapesAndRelu) {
  const std::string dir = tmp_dir("shapes");
  const std::string path = lenet_like(/*symbolic_batch=*/true).write(dir + "/lenet.onnx");
  OnnxImportOptions opt;
  opt.batch = 2;  // the graph's batch is symbolic
  const dfsim::OnnxImportResult r = dfsim::import_onnx_with_notes(path, opt);
  const Network& net = r.network;
  ASSERT_EQ(net.layers.size(), 3u);
  EXPECT_EQ(net.name, "lenet");
  //                                  N  M   C  H   W        R  S  U  P  G   E   F  relu
  expect_layer(net.layers[0], "conv1", LayerKind::Conv, {2, 8, 3, 16, 16}, {3, 3, 1, 1, 1}, 16, 16,
               true);
  expect_layer(net.layers[1], "conv2", LayerKind::Conv, {2, 16, 8, 8, 8}, {3, 3, 2, 1, 1}, 4, 4,
               false);
  // The Gemm after Flatten of (16, 4, 4): an fc layer whose filter covers the 16x4x4 map.
  expect_layer(net.layers[2], "fc", LayerKind::FullyConnected, {2, 10, 16, 4, 4}, {4, 4, 1, 0, 1},
               1, 1, false);
  for (const Layer& l : net.layers) {
    EXPECT_EQ(l.product_shift, 15);
    EXPECT_NE(l.where.find(path), std::string::npos) << l.where;
    EXPECT_TRUE(fs::exists(l.weights_file)) << l.weights_file;
    // The default data folder: <model stem>.dfsim next to the model.
    EXPECT_EQ(fs::path(l.weights_file).parent_path(), fs::absolute(fs::path(dir) / "lenet.dfsim"));
  }
  const dfsim::NpyArray fc = dfsim::load_npy(net.layers[2].weights_file);
  EXPECT_EQ(fc.shape, (std::vector<std::int64_t>{10, 16, 4, 4}));
  // Gemm (transB) weights [M][K], K = c*16 + h*4 + w, land at [m][c][h][w] unchanged; the
  // per-tensor scale maps the largest |w| to 32767.
  const std::vector<float> w3 = make_weights(2560, 0, 3);
  float maxabs = 0;
  for (float v : w3) maxabs = std::max(maxabs, std::fabs(v));
  for (std::size_t i :
       {std::size_t{0}, std::size_t{17}, std::size_t{255}, std::size_t{1000}, std::size_t{2559}})
    EXPECT_EQ(fc.values[i], std::lround(static_cast<double>(w3[i]) / (maxabs / 32767.0))) << i;
  // The bias is ignored with a note.
  bool bias_note = false;
  for (const auto& n : r.notes)
    bias_note = bias_note || n.find("bias 'b1' ignored") != std::string::npos;
  EXPECT_TRUE(bias_note);
}

TEST(Onnx, FixedBatchIsKept) {
  const std::string dir = tmp_dir("fixed_batch");
  Model m({3, 2, 6, 6});
  m.weights("w", {4, 2, 3, 3}, make_weights(72));
  m.node("Conv", {"x", "w"}, {"y"});  // unnamed: op_type + node index
  m.output("y");
  OnnxImportOptions opt;
  opt.batch = 5;  // only for a symbolic batch
  opt.data_dir = dir + "/data";
  const Network net = dfsim::import_onnx(m.write(dir + "/m.onnx"), opt);
  ASSERT_EQ(net.layers.size(), 1u);
  expect_layer(net.layers[0], "Conv_0", LayerKind::Conv, {3, 4, 2, 6, 6}, {3, 3, 1, 0, 1}, 4, 4,
               false);
  EXPECT_EQ(fs::path(net.layers[0].weights_file).parent_path(), fs::absolute(dir + "/data"));
}

TEST(Onnx, GroupedAndDepthwiseConv) {
  const std::string dir = tmp_dir("grouped");
  Model m({1, 8, 10, 10});
  m.weights("wg", {12, 2, 3, 3}, make_weights(12 * 18));
  m.weights("wd", {12, 1, 3, 3}, make_weights(12 * 9));
  auto& g = m.node("Conv", {"x", "wg"}, {"a"}, "grouped");
  set_int(g, "group", 4);
  auto& d = m.node("Conv", {"a", "wd"}, {"b"}, "depthwise");
  set_int(d, "group", 12);
  set_ints(d, "pads", {1, 1, 1, 1});
  set_ints(d, "strides", {2, 2});
  m.node("Relu", {"b"}, {"y"});
  m.output("y");
  OnnxImportOptions opt;
  opt.data_dir = dir + "/data";
  const Network net = dfsim::import_onnx(m.write(dir + "/g.onnx"), opt);
  ASSERT_EQ(net.layers.size(), 2u);
  expect_layer(net.layers[0], "grouped", LayerKind::Conv, {1, 12, 8, 10, 10}, {3, 3, 1, 0, 4}, 8, 8,
               false);
  expect_layer(net.layers[1], "depthwise", LayerKind::Conv, {1, 12, 12, 8, 8}, {3, 3, 2, 1, 12}, 4,
               4, true);
  EXPECT_EQ(dfsim::load_npy(net.layers[0].weights_file).shape,
            (std::vector<std::int64_t>{12, 2, 3, 3}));
  EXPECT_EQ(dfsim::load_npy(net.layers[1].weights_file).shape,
            (std::vector<std::int64_t>{12, 1, 3, 3}));
}

// Two branches concatenated along channels, a residual Add, BatchNorm and GlobalAveragePool,
// then a MatMul and a Gemm without transB (both weights stored [K][M]: the importer transposes).
TEST(Onnx, BranchesAndMatMul) {
  const std::string dir = tmp_dir("branches");
  Model m({1, 4, 8, 8});
  m.weights("wa", {6, 4, 1, 1}, make_weights(24));
  m.weights("wb", {10, 4, 3, 3}, make_weights(360));
  m.weights("wc", {16, 16, 3, 3}, make_weights(16 * 144));
  for (const char* s : {"scale", "bias", "mean", "var"})
    m.weights(s, {16}, std::vector<float>(16, 1.0f));
  m.weights("wm", {16, 5}, make_weights(80, 0, 11));
  m.weights("wg", {5, 3}, make_weights(15, 0, 12));
  m.node("Conv", {"x", "wa"}, {"a"}, "branch_a");
  auto& b = m.node("Conv", {"x", "wb"}, {"b"}, "branch_b");
  set_ints(b, "pads", {1, 1, 1, 1});
  auto& cat = m.node("Concat", {"a", "b"}, {"ab"}, "cat");
  set_int(cat, "axis", 1);
  m.node("Relu", {"ab"}, {"abr"});  // both branches get relu
  auto& c = m.node("Conv", {"abr", "wc"}, {"c"}, "conv_c");
  set_ints(c, "pads", {1, 1, 1, 1});
  m.node("BatchNormalization", {"c", "scale", "bias", "mean", "var"}, {"cb"});
  m.node("Add", {"cb", "abr"}, {"sum"});
  m.node("Relu", {"sum"}, {"sumr"});  // after a residual Add: no layer's relu
  m.node("GlobalAveragePool", {"sumr"}, {"gap"});
  m.int64s("shape", {0, -1});
  m.node("Reshape", {"gap", "shape"}, {"flat"});
  m.node("MatMul", {"flat", "wm"}, {"mm"}, "matmul");
  m.node("Relu", {"mm"}, {"mmr"});
  m.node("Gemm", {"mmr", "wg"}, {"g"}, "gemm");
  m.node("Dropout", {"g"}, {"gd"});
  m.node("Identity", {"gd"}, {"out"});
  m.output("out");
  OnnxImportOptions opt;
  opt.data_dir = dir + "/data";
  const dfsim::OnnxImportResult r = dfsim::import_onnx_with_notes(m.write(dir + "/b.onnx"), opt);
  const Network& net = r.network;
  ASSERT_EQ(net.layers.size(), 5u);
  expect_layer(net.layers[0], "branch_a", LayerKind::Conv, {1, 6, 4, 8, 8}, {1, 1, 1, 0, 1}, 8, 8,
               true);
  expect_layer(net.layers[1], "branch_b", LayerKind::Conv, {1, 10, 4, 8, 8}, {3, 3, 1, 1, 1}, 8, 8,
               true);
  // Concat along channels: 6 + 10 = 16 input channels.
  expect_layer(net.layers[2], "conv_c", LayerKind::Conv, {1, 16, 16, 8, 8}, {3, 3, 1, 1, 1}, 8, 8,
               false);
  expect_layer(net.layers[3], "matmul", LayerKind::FullyConnected, {1, 5, 16, 1, 1},
               {1, 1, 1, 0, 1}, 1, 1, true);
  expect_layer(net.layers[4], "gemm", LayerKind::FullyConnected, {1, 3, 5, 1, 1}, {1, 1, 1, 0, 1},
               1, 1, false);
  bool add_note = false;
  for (const auto& n : r.notes)
    add_note = add_note || n.find("no layer's relu set") != std::string::npos;
  EXPECT_TRUE(add_note);
  // [K][M] weights become [M][K][1][1].
  for (const auto& [idx, seed, K, M] : {std::tuple<std::size_t, unsigned, int, int>{3, 11, 16, 5},
                                        std::tuple<std::size_t, unsigned, int, int>{4, 12, 5, 3}}) {
    const std::vector<float> w = make_weights(K * M, 0, seed);
    float maxabs = 0;
    for (float v : w) maxabs = std::max(maxabs, std::fabs(v));
    const dfsim::NpyArray a = dfsim::load_npy(net.layers[idx].weights_file);
    ASSERT_EQ(a.shape, (std::vector<std::int64_t>{M, K, 1, 1}));
    for (int mm = 0; mm < M; ++mm)
      for (int k = 0; k < K; ++k)
        EXPECT_EQ(a.values[static_cast<std::size_t>(mm * K + k)],
                  std::lround(static_cast<double>(w[static_cast<std::size_t>(k * M + mm)]) /
                              (maxabs / 32767.0)))
            << "layer " << idx << " m " << mm << " k " << k;
  }
}

// What exporters emit: auto_pad SAME, LRN, a ceil-mode pool, the Reshape's shape from a
// Constant node, and weights in an external data file.
TEST(Onnx, ExporterIdioms) {
  const std::string dir = tmp_dir("idioms");
  Model m({1, 3, 16, 16});
  const std::vector<float> w = make_weights(4 * 27, 2, 31);
  write_bytes(dir + "/weights.bin",
              std::string(16, 'x') +  // at an offset
                  std::string(reinterpret_cast<const char*>(w.data()), w.size() * 4));
  auto* ext = m.proto().mutable_graph()->add_initializer();
  ext->set_name("w");
  ext->set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (std::int64_t d : {4, 3, 3, 3}) ext->add_dims(d);
  ext->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  for (const auto& [k, v] : {std::pair<std::string, std::string>{"location", "weights.bin"},
                             {"offset", "16"},
                             {"length", std::to_string(w.size() * 4)}}) {
    auto* e = ext->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  m.weights("wf", {6, 256}, make_weights(6 * 256, 0, 32));
  auto& c = m.node("Conv", {"x", "w"}, {"c"}, "conv");
  auto* ap = c.add_attribute();
  ap->set_name("auto_pad");
  ap->set_type(onnx::AttributeProto_AttributeType_STRING);
  ap->set_s("SAME_UPPER");
  m.node("Relu", {"c"}, {"cr"});
  auto& lrn = m.node("LRN", {"cr"}, {"n"});
  set_int(lrn, "size", 3);
  auto& pool = m.node("AveragePool", {"n"}, {"p"});
  set_ints(pool, "kernel_shape", {3, 3});
  set_ints(pool, "strides", {2, 2});
  set_int(pool, "ceil_mode", 1);  // (16 - 3) / 2 rounded up + 1 = 8 (7 when floored)
  auto& k = m.node("Constant", {}, {"shape"});
  auto* v = k.add_attribute();
  v->set_name("value");
  v->set_type(onnx::AttributeProto_AttributeType_TENSOR);
  v->mutable_t()->set_data_type(onnx::TensorProto_DataType_INT64);
  v->mutable_t()->add_dims(2);
  v->mutable_t()->add_int64_data(1);
  v->mutable_t()->add_int64_data(-1);
  m.node("Reshape", {"p", "shape"}, {"flat"});
  auto& fc = m.node("Gemm", {"flat", "wf"}, {"y"}, "fc");
  set_int(fc, "transB", 1);
  m.output("y");
  OnnxImportOptions opt;
  opt.data_dir = dir + "/data";
  const Network net = dfsim::import_onnx(m.write(dir + "/e.onnx"), opt);
  ASSERT_EQ(net.layers.size(), 2u);
  expect_layer(net.layers[0], "conv", LayerKind::Conv, {1, 4, 3, 16, 16}, {3, 3, 1, 1, 1}, 16, 16,
               true);
  expect_layer(net.layers[1], "fc", LayerKind::FullyConnected, {1, 6, 4, 8, 8}, {8, 8, 1, 0, 1}, 1,
               1, false);
  const dfsim::NpyArray a = dfsim::load_npy(net.layers[0].weights_file);
  std::int64_t nz = 0;
  for (float x : w) nz += x != 0.0f;
  EXPECT_EQ(nonzeros(a.values), nz);
}

// Pruned weights: exact zeros stay zero and no non-zero weight is lost, at 16 and 8 bits.
TEST(Onnx, PrunedWeightsKeepTheirZeros) {
  const std::string dir = tmp_dir("pruned");
  Model m({1, 16, 6, 6});
  const std::vector<std::int64_t> d1 = {32, 16, 3, 3}, d2 = {8, 32, 3, 3};
  const std::vector<float> w1 = make_weights(product(d1), 3, 21);  // 1/3 zeros
  std::vector<float> w2 = make_weights(product(d2), 0, 22);
  for (std::size_t i = 0; i < w2.size(); ++i)
    if (i % 10 < 7) w2[i] = 0.0f;  // 70% zeros
  m.weights("w1", d1, w1);
  m.weights("w2", d2, w2, /*raw=*/false);
  auto& c1 = m.node("Conv", {"x", "w1"}, {"a"}, "c1");
  set_ints(c1, "pads", {1, 1, 1, 1});
  m.node("Conv", {"a", "w2"}, {"y"}, "c2");
  m.output("y");
  const std::string path = m.write(dir + "/p.onnx");
  auto count = [](const std::vector<float>& w) {
    std::int64_t n = 0;
    for (float v : w) n += v != 0.0f;
    return n;
  };
  for (int bits : {16, 8}) {
    SCOPED_TRACE(bits);
    OnnxImportOptions opt;
    opt.weight_bits = bits;
    opt.data_dir = dir + "/data" + std::to_string(bits);
    const Network net = dfsim::import_onnx(path, opt);
    ASSERT_EQ(net.layers.size(), 2u);
    const std::int64_t qmax = (1 << (bits - 1)) - 1;
    for (std::size_t i = 0; i < 2; ++i) {
      const std::vector<float>& w = i == 0 ? w1 : w2;
      const dfsim::NpyArray a = dfsim::load_npy(net.layers[i].weights_file);
      EXPECT_EQ(a.shape, i == 0 ? d1 : d2);
      EXPECT_EQ(nonzeros(a.values), count(w));
      std::int64_t maxq = 0;
      for (std::size_t k = 0; k < w.size(); ++k) {
        EXPECT_EQ(a.values[k] == 0, w[k] == 0.0f) << k;
        maxq = std::max<std::int64_t>(maxq, std::llabs(a.values[k]));
      }
      EXPECT_EQ(maxq, qmax);
      EXPECT_EQ(net.layers[i].product_shift, bits - 1);
    }
  }
}

// The imported network runs through the simulator with its own weights, and its workload YAML
// loads back to the same layers.
TEST(Onnx, ImportedNetworkSimulates) {
  const std::string dir = tmp_dir("simulate");
  const std::string path = lenet_like(false).write(dir + "/net.onnx");
  const Network net = dfsim::import_onnx(path);
  const std::string yaml = dir + "/net.dfsim/workload.yaml";
  const Network loaded = dfsim::load_network(yaml);
  ASSERT_EQ(loaded.layers.size(), net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer &a = net.layers[i], &b = loaded.layers[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ((std::vector<std::int64_t>{a.N, a.M, a.C, a.H, a.W, a.R, a.S, a.stride_h, a.stride_w,
                                         a.pad_top, a.pad_bottom, a.pad_left, a.pad_right,
                                         a.dilation_h, a.dilation_w, a.groups, a.product_shift}),
              (std::vector<std::int64_t>{b.N, b.M, b.C, b.H, b.W, b.R, b.S, b.stride_h, b.stride_w,
                                         b.pad_top, b.pad_bottom, b.pad_left, b.pad_right,
                                         b.dilation_h, b.dilation_w, b.groups, b.product_shift}));
    EXPECT_EQ(a.relu, b.relu);
    EXPECT_EQ(fs::canonical(a.weights_file), fs::canonical(b.weights_file));
  }
  dfsim::RunOptions opt;
  opt.arch_file = std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml";
  opt.workload_file = yaml;
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 3u);
  for (const auto& s : r.layers) EXPECT_EQ(s.output_check, "pass");
}

// ---- malformed input: always a ConfigError naming the file, never a crash ----------------------

TEST(Onnx, NotAnOnnxFile) {
  const std::string dir = tmp_dir("garbage");
  expect_config_error(
      dir + "/missing.onnx", [&] { dfsim::import_onnx(dir + "/missing.onnx"); }, "cannot open");
  write_bytes(dir + "/empty.onnx", "");
  expect_config_error(dir + "/empty.onnx", [&] { dfsim::import_onnx(dir + "/empty.onnx"); });
  std::mt19937 rng(5);
  for (int k = 0; k < 20; ++k) {
    std::string bytes(64 + rng() % 2000, '\0');
    for (auto& c : bytes) c = static_cast<char>(rng());
    const std::string p = dir + "/random" + std::to_string(k) + ".onnx";
    write_bytes(p, bytes);
    expect_config_error(p, [&] { dfsim::import_onnx(p); });
  }
  EXPECT_FALSE(fs::exists(dir + "/random0.dfsim"));  // nothing written for a bad model
}

TEST(Onnx, TruncatedFile) {
  const std::string dir = tmp_dir("truncated");
  Model m = lenet_like(false);
  const std::string bytes = m.bytes();
  // The bytes up to the end of the graph (opset_import follows it): cutting anywhere in there
  // must fail.
  onnx::ModelProto head = m.proto();
  head.clear_opset_import();
  std::string head_bytes;
  head.SerializeToString(&head_bytes);
  ASSERT_EQ(bytes.compare(0, head_bytes.size(), head_bytes), 0);
  const std::string p = dir + "/t.onnx";
  for (std::size_t cut = 1; cut < head_bytes.size(); cut += 1 + head_bytes.size() / 60) {
    SCOPED_TRACE(cut);
    write_bytes(p, bytes.substr(0, cut));
    expect_config_error(p, [&] { dfsim::import_onnx(p); });
  }
}

TEST(Onnx, UnsupportedOperator) {
  const std::string dir = tmp_dir("lstm");
  Model m({1, 3, 8, 8});
  m.weights("w", {4, 3, 3, 3}, make_weights(108));
  m.node("Conv", {"x", "w"}, {"a"}, "conv");
  m.node("LSTM", {"a"}, {"y"}, "lstm0");
  m.output("y");
  const std::string p = m.write(dir + "/l.onnx");
  expect_config_error(
      p, [&] { dfsim::import_onnx(p); }, "node 'lstm0' (LSTM)");
}

TEST(Onnx, MissingInitializer) {
  const std::string dir = tmp_dir("missing_init");
  Model m({1, 3, 8, 8});
  m.node("Conv", {"x", "w_missing"}, {"y"}, "conv");
  m.output("y");
  const std::string p = m.write(dir + "/m.onnx");
  expect_config_error(
      p, [&] { dfsim::import_onnx(p); }, "w_missing");
}

// Conv geometry per axis: ONNX pads are [top, left, bottom, right]; SAME_UPPER puts an odd
// padding's extra row or column at the end, SAME_LOWER at the beginning (for 8 inputs at stride
// 2, a 3-tap window needs (4 - 1) x 2 + 3 - 8 = 1 padding: 0 before and 1 after, or 1 and 0).
TEST(Onnx, ConvPaddingsStridesAndDilationsPerAxis) {
  const std::string dir = tmp_dir("conv_axes");
  struct Case {
    const char* name;
    std::vector<std::int64_t> pads, strides, dilations;
    const char* auto_pad;
    std::vector<std::int64_t> want;  // top, bottom, left, right, U_h, U_w, D_h, D_w, E, F
  };
  const std::vector<Case> cases = {
      {"pads", {0, 1, 2, 3}, {1, 1}, {1, 1}, "", {0, 2, 1, 3, 1, 1, 1, 1, 8, 10}},
      {"strides", {1, 1, 1, 1}, {2, 1}, {1, 1}, "", {1, 1, 1, 1, 2, 1, 1, 1, 4, 8}},
      {"dilations", {2, 2, 2, 2}, {1, 1}, {2, 2}, "", {2, 2, 2, 2, 1, 1, 2, 2, 8, 8}},
      {"same_upper", {}, {2, 2}, {1, 1}, "SAME_UPPER", {0, 1, 0, 1, 2, 2, 1, 1, 4, 4}},
      {"same_lower", {}, {2, 2}, {1, 1}, "SAME_LOWER", {1, 0, 1, 0, 2, 2, 1, 1, 4, 4}},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    Model m({1, 3, 8, 8});
    m.weights("w", {4, 3, 3, 3}, make_weights(108));
    auto& c = m.node("Conv", {"x", "w"}, {"y"}, "conv");
    if (!k.pads.empty()) set_ints(c, "pads", k.pads);
    set_ints(c, "strides", k.strides);
    set_ints(c, "dilations", k.dilations);
    if (*k.auto_pad) set_string(c, "auto_pad", k.auto_pad);
    m.output("y");
    const Layer l = dfsim::import_onnx(m.write(dir + "/" + k.name + ".onnx")).layers.at(0);
    EXPECT_EQ(
        (std::vector<std::int64_t>{l.pad_top, l.pad_bottom, l.pad_left, l.pad_right, l.stride_h,
                                   l.stride_w, l.dilation_h, l.dilation_w, l.E(), l.F()}),
        k.want);
  }
}

TEST(Onnx, UnsupportedShapesAndAttributes) {
  const std::string dir = tmp_dir("attrs");
  {  // a dilated filter wider than the padded input (extent 2 x 4 + 1 = 9 > 8)
    Model m({1, 3, 8, 8});
    m.weights("w", {4, 3, 3, 3}, make_weights(108));
    auto& c = m.node("Conv", {"x", "w"}, {"y"}, "conv");
    set_ints(c, "dilations", {4, 4});
    m.output("y");
    const std::string p = m.write(dir + "/dil.onnx");
    expect_config_error(
        p, [&] { dfsim::import_onnx(p); }, "9 inputs wide with its dilation");
  }
  {  // a 2-D graph input
    Model m({1, 64});
    m.weights("w", {64, 10}, make_weights(640));
    m.node("MatMul", {"x", "w"}, {"y"});
    m.output("y");
    const std::string p = m.write(dir + "/2d.onnx");
    expect_config_error(
        p, [&] { dfsim::import_onnx(p); }, "4-D");
  }
  {  // weights that do not match the input channels
    Model m({1, 3, 8, 8});
    m.weights("w", {4, 2, 3, 3}, make_weights(72));
    m.node("Conv", {"x", "w"}, {"y"}, "conv");
    m.output("y");
    const std::string p = m.write(dir + "/chan.onnx");
    expect_config_error(
        p, [&] { dfsim::import_onnx(p); }, "input channels");
  }
  {  // raw data shorter than the shape
    Model m({1, 3, 8, 8});
    m.weights("w", {4, 3, 3, 3}, make_weights(100));
    m.node("Conv", {"x", "w"}, {"y"}, "conv");
    m.output("y");
    const std::string p = m.write(dir + "/short.onnx");
    expect_config_error(
        p, [&] { dfsim::import_onnx(p); }, "raw data");
  }
  {  // bad option
    const std::string p = lenet_like(false).write(dir + "/ok.onnx");
    OnnxImportOptions opt;
    opt.weight_bits = 17;
    expect_config_error(
        p, [&] { dfsim::import_onnx(p, opt); }, "weight_bits");
  }
}

}  // namespace
