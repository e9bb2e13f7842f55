#include "workload/onnx_import.hpp"

#include <onnx/onnx_pb.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cmath>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "base/config/config_node.hpp"
#include "workload/npy.hpp"

namespace dfsim {

namespace {

namespace fs = std::filesystem;
using Shape = std::vector<std::int64_t>;

constexpr std::int64_t kMaxElements = std::int64_t{1} << 40;
// Bound on any single dimension or spatial attribute, so shape arithmetic cannot overflow.
constexpr std::int64_t kMaxDim = std::int64_t{1} << 24;

std::string shape_str(const Shape& s) {
  std::string o = "(";
  for (std::size_t i = 0; i < s.size(); ++i) o += (i ? ", " : "") + std::to_string(s[i]);
  return o + ")";
}

std::string ints_str(const std::vector<std::int64_t>& v) {
  std::string o = "[";
  for (std::size_t i = 0; i < v.size(); ++i) o += (i ? ", " : "") + std::to_string(v[i]);
  return o + "]";
}

// What the importer knows about a tensor of the graph.
struct TensorInfo {
  Shape shape;
  // Layers whose ofmap reaches this tensor through shape-only nodes (pooling, batch norm,
  // flatten, concat, ...): a Relu here is those layers' activation.
  std::set<std::size_t> sources;
  // For a 2-D [N][K] tensor: K as a flattened (C, H, W), when it came from one.
  std::optional<std::array<std::int64_t, 3>> chw;
  // The tensor is its single source layer's ofmap, at most pooled once in a way dfsim's host
  // pooling reproduces: the next layer can take it as input_from: previous (real activations).
  bool chainable = false;
  Layer::Pool pool;
};

// A layer waiting for its weights to be written.
struct PendingWeights {
  std::vector<std::int64_t> shape;
  std::vector<std::int16_t> values;
};

float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31)
    v = mant ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

std::string sanitize(const std::string& name) {
  std::string s;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    s += ok ? c : '_';
  }
  while (!s.empty() && (s.front() == '_' || s.front() == '.')) s.erase(s.begin());
  if (s.size() > 80) s.resize(80);
  return s.empty() ? "layer" : s;
}

class Importer {
 public:
  Importer(std::string path, OnnxImportOptions opt)
      : path_(std::move(path)), opt_(std::move(opt)) {}

  OnnxImportResult run() {
    if (opt_.weight_bits < 2 || opt_.weight_bits > 16)
      fail("weight_bits must be between 2 and 16 (the datapath is 16-bit), got " +
           std::to_string(opt_.weight_bits));
    if (opt_.batch < 1) fail("batch must be >= 1, got " + std::to_string(opt_.batch));
    parse_model();
    const onnx::GraphProto& g = model_.graph();
    for (const auto& init : g.initializer()) {
      if (init.name().empty()) fail("an initializer has no name");
      consts_[init.name()] = &init;
    }
    read_graph_inputs(g);
    for (int i = 0; i < g.node_size(); ++i) import_node(g.node(i), i);
    for (const auto& out : g.output())
      if (!tensors_.count(out.name()) && !consts_.count(out.name()))
        fail("graph output '" + out.name() +
             "' is not produced by any node (truncated or incomplete model?)");
    if (result_.network.layers.empty())
      fail("the model has no Conv, Gemm or MatMul node: nothing to simulate");
    write_outputs();
    return std::move(result_);
  }

 private:
  // ---- errors ---------------------------------------------------------------------------

  [[noreturn]] void fail(const std::string& msg) const { throw ConfigError(path_ + ": " + msg); }

  std::string node_name(const onnx::NodeProto& n) const {
    return n.name().empty() ? n.op_type() + "_" + std::to_string(node_index_) : n.name();
  }
  std::string node_where(const onnx::NodeProto& n) const {
    return path_ + ": node '" + node_name(n) + "' (" + n.op_type() + ")";
  }
  [[noreturn]] void fail_node(const onnx::NodeProto& n, const std::string& msg) const {
    throw ConfigError(node_where(n) + ": " + msg);
  }

  // ---- reading ----------------------------------------------------------------------------

  void parse_model() {
    const std::string bytes = read_input_file(path_);
    if (bytes.empty()) fail("empty file, not an ONNX model");
    if (bytes.size() > static_cast<std::size_t>(INT_MAX))
      fail("larger than 2 GB; save the model with external data for its weights");
    if (!model_.ParseFromString(bytes))
      fail("not a valid ONNX model (protobuf parsing failed: not an ONNX file, or truncated)");
    if (!model_.has_graph() || model_.graph().node_size() == 0)
      fail("not a valid ONNX model (no graph or an empty graph)");
  }

  void read_graph_inputs(const onnx::GraphProto& g) {
    bool first = true;
    for (const auto& in : g.input()) {
      if (consts_.count(in.name())) continue;  // IR < 4 lists initializers as inputs too
      TensorInfo info;
      bool known = in.type().has_tensor_type() && in.type().tensor_type().has_shape();
      std::string why = known ? "" : "no shape";
      if (known) {
        const auto& shape = in.type().tensor_type().shape();
        for (int d = 0; d < shape.dim_size(); ++d) {
          const auto& dim = shape.dim(d);
          if (dim.has_dim_value() && dim.dim_value() > kMaxDim) {
            fail("graph input '" + in.name() + "' has an unreasonably large dimension " +
                 std::to_string(dim.dim_value()));
          } else if (dim.has_dim_value() && dim.dim_value() > 0) {
            info.shape.push_back(dim.dim_value());
          } else if (d == 0) {
            info.shape.push_back(opt_.batch);  // symbolic or 0 batch
          } else {
            known = false;
            why = "dimension " + std::to_string(d) + " is symbolic" +
                  (dim.has_dim_param() ? " ('" + dim.dim_param() + "')" : std::string());
            break;
          }
        }
      }
      if (first) {
        if (!known)
          fail("graph input '" + in.name() + "' has no fixed shape (" + why +
               "); dfsim needs a 4-D (N, C, H, W) input with fixed C, H, W");
        if (info.shape.size() != 4)
          fail("graph input '" + in.name() + "' has shape " + shape_str(info.shape) +
               "; dfsim needs a 4-D (N, C, H, W) input");
        first = false;
      }
      if (known) {
        element_count(info.shape, "graph input '" + in.name() + "'");
        tensors_[in.name()] = info;
      }
    }
    if (first) fail("the graph has no data input (every input is an initializer)");
  }

  std::int64_t element_count(const Shape& dims, const std::string& what) const {
    std::int64_t count = 1;
    for (auto d : dims) {
      if (d < 0) fail(what + " has a negative dimension " + shape_str(dims));
      if (d > 0 && count > kMaxElements / d) fail(what + " is too large " + shape_str(dims));
      count *= d;
    }
    return count;
  }

  static Shape dims_of(const onnx::TensorProto& t) {
    return Shape(t.dims().begin(), t.dims().end());
  }

  // The tensor's raw little-endian bytes, from raw_data or an external data file; nullptr if it
  // stores its values in the typed fields.
  const std::string* raw_bytes(const onnx::TensorProto& t, const std::string& what,
                               std::string& storage) const {
    if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL) {
      std::string location;
      std::int64_t offset = 0, length = -1;
      for (const auto& kv : t.external_data()) {
        try {
          if (kv.key() == "location") location = kv.value();
          if (kv.key() == "offset") offset = std::stoll(kv.value());
          if (kv.key() == "length") length = std::stoll(kv.value());
        } catch (const std::logic_error&) {
          fail(what + ": malformed external data entry '" + kv.key() + "'");
        }
      }
      if (location.empty()) fail(what + ": external data without a location");
      const fs::path file = fs::path(path_).parent_path() / location;
      std::ifstream in(file, std::ios::binary);
      if (!in) fail(what + ": cannot open its external data file " + file.string());
      in.seekg(0, std::ios::end);
      const std::int64_t size = static_cast<std::int64_t>(in.tellg());
      if (offset < 0 || offset > size)
        fail(what + ": external data offset beyond " + file.string());
      if (length < 0) length = size - offset;
      if (offset + length > size) fail(what + ": external data truncated in " + file.string());
      storage.resize(static_cast<std::size_t>(length));
      in.seekg(offset);
      in.read(storage.data(), length);
      if (!in) fail(what + ": cannot read its external data from " + file.string());
      return &storage;
    }
    if (t.has_raw_data()) return &t.raw_data();
    return nullptr;
  }

  // Numeric values of an initializer (weights); `integral` tells whether they are integers.
  std::vector<double> numeric_values(const onnx::TensorProto& t, const std::string& what,
                                     bool& integral) const {
    const std::int64_t count = element_count(dims_of(t), what);
    const auto n = static_cast<std::size_t>(count);
    std::string storage;
    const std::string* raw = raw_bytes(t, what, storage);
    int width = 0;
    switch (t.data_type()) {
      case onnx::TensorProto_DataType_FLOAT:
        width = 4;
        integral = false;
        break;
      case onnx::TensorProto_DataType_DOUBLE:
        width = 8;
        integral = false;
        break;
      case onnx::TensorProto_DataType_FLOAT16:
        width = 2;
        integral = false;
        break;
      case onnx::TensorProto_DataType_INT8:
        width = 1;
        integral = true;
        break;
      case onnx::TensorProto_DataType_UINT8:
        width = 1;
        integral = true;
        break;
      case onnx::TensorProto_DataType_INT16:
        width = 2;
        integral = true;
        break;
      case onnx::TensorProto_DataType_INT32:
        width = 4;
        integral = true;
        break;
      case onnx::TensorProto_DataType_INT64:
        width = 8;
        integral = true;
        break;
      default:
        fail(what + ": data type " +
             onnx::TensorProto_DataType_Name(
                 static_cast<onnx::TensorProto_DataType>(t.data_type())) +
             " is not supported (float32/float16/float64 or int8/uint8/int16/int32/int64)");
    }
    const int type = t.data_type();
    // The stored values must match the shape before anything is allocated for them.
    std::size_t have = 0;
    if (raw) {
      if (raw->size() != n * static_cast<std::size_t>(width))
        fail(what + ": raw data has " + std::to_string(raw->size()) + " bytes, its shape " +
             shape_str(dims_of(t)) + " needs " +
             std::to_string(n * static_cast<std::size_t>(width)));
    } else {
      switch (type) {
        case onnx::TensorProto_DataType_FLOAT:
          have = static_cast<std::size_t>(t.float_data_size());
          break;
        case onnx::TensorProto_DataType_DOUBLE:
          have = static_cast<std::size_t>(t.double_data_size());
          break;
        case onnx::TensorProto_DataType_INT64:
          have = static_cast<std::size_t>(t.int64_data_size());
          break;
        default:
          have = static_cast<std::size_t>(t.int32_data_size());
          break;
      }
      if (have != n)
        fail(what + ": has " + std::to_string(have) + " values, its shape " +
             shape_str(dims_of(t)) + " needs " + std::to_string(n));
    }
    std::vector<double> v(n);
    if (raw) {
      const auto* p = reinterpret_cast<const unsigned char*>(raw->data());
      for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t u = 0;
        for (int b = 0; b < width; ++b)
          u |= static_cast<std::uint64_t>(p[i * width + b]) << (8 * b);
        switch (type) {
          case onnx::TensorProto_DataType_FLOAT: {
            const auto u32 = static_cast<std::uint32_t>(u);
            float f;
            std::memcpy(&f, &u32, 4);
            v[i] = f;
            break;
          }
          case onnx::TensorProto_DataType_DOUBLE: {
            double d;
            std::memcpy(&d, &u, 8);
            v[i] = d;
            break;
          }
          case onnx::TensorProto_DataType_FLOAT16:
            v[i] = half_to_float(static_cast<std::uint16_t>(u));
            break;
          case onnx::TensorProto_DataType_INT8:
            v[i] = static_cast<std::int8_t>(u);
            break;
          case onnx::TensorProto_DataType_UINT8:
            v[i] = static_cast<double>(u);
            break;
          case onnx::TensorProto_DataType_INT16:
            v[i] = static_cast<std::int16_t>(u);
            break;
          case onnx::TensorProto_DataType_INT32:
            v[i] = static_cast<std::int32_t>(u);
            break;
          default:
            v[i] = static_cast<double>(static_cast<std::int64_t>(u));
            break;
        }
      }
      return v;
    }
    switch (type) {
      case onnx::TensorProto_DataType_FLOAT:
        for (std::size_t i = 0; i < n; ++i) v[i] = t.float_data(static_cast<int>(i));
        break;
      case onnx::TensorProto_DataType_DOUBLE:
        for (std::size_t i = 0; i < n; ++i) v[i] = t.double_data(static_cast<int>(i));
        break;
      case onnx::TensorProto_DataType_INT64:
        for (std::size_t i = 0; i < n; ++i)
          v[i] = static_cast<double>(t.int64_data(static_cast<int>(i)));
        break;
      case onnx::TensorProto_DataType_FLOAT16:
        for (std::size_t i = 0; i < n; ++i)
          v[i] = half_to_float(static_cast<std::uint16_t>(t.int32_data(static_cast<int>(i))));
        break;
      default:  // the small integer types live in int32_data
        for (std::size_t i = 0; i < n; ++i) v[i] = t.int32_data(static_cast<int>(i));
        break;
    }
    return v;
  }

  // Integer values of a small constant (a Reshape's shape).
  std::vector<std::int64_t> int_values(const onnx::TensorProto& t, const std::string& what) const {
    if (t.data_type() != onnx::TensorProto_DataType_INT64 &&
        t.data_type() != onnx::TensorProto_DataType_INT32)
      fail(what + ": expected an int64 tensor");
    bool integral = true;
    const std::vector<double> v = numeric_values(t, what, integral);
    std::vector<std::int64_t> out;
    for (double d : v) out.push_back(static_cast<std::int64_t>(d));
    if (t.data_type() == onnx::TensorProto_DataType_INT64 && !t.has_raw_data() &&
        t.int64_data_size() == static_cast<int>(out.size()))
      for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = t.int64_data(static_cast<int>(i));  // exact
    return out;
  }

  // ---- node inputs, outputs and attributes --------------------------------------------------

  bool has_input(const onnx::NodeProto& n, int k) const {
    return k < n.input_size() && !n.input(k).empty();
  }

  TensorInfo input(const onnx::NodeProto& n, int k) const {
    if (!has_input(n, k)) fail_node(n, "missing input #" + std::to_string(k));
    const std::string& name = n.input(k);
    if (auto it = tensors_.find(name); it != tensors_.end()) return it->second;
    if (auto it = consts_.find(name); it != consts_.end()) {
      TensorInfo info;
      info.shape = dims_of(*it->second);
      element_count(info.shape, "initializer '" + name + "'");
      return info;
    }
    fail_node(n, "input '" + name +
                     "' is not an initializer, a graph input or the output of an earlier node "
                     "(missing initializer?)");
  }

  const onnx::TensorProto& initializer(const onnx::NodeProto& n, int k,
                                       const std::string& role) const {
    if (!has_input(n, k)) fail_node(n, "missing " + role + " input");
    const std::string& name = n.input(k);
    if (auto it = consts_.find(name); it != consts_.end()) return *it->second;
    if (tensors_.count(name))
      fail_node(n, "the " + role + " '" + name +
                       "' are computed by the graph; dfsim needs them as an initializer");
    fail_node(n, "missing initializer '" + name + "' for the " + role);
  }

  void set_output(const onnx::NodeProto& n, int k, TensorInfo info) {
    if (k < n.output_size() && !n.output(k).empty()) tensors_[n.output(k)] = std::move(info);
  }

  const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name,
                                   onnx::AttributeProto_AttributeType type) const {
    for (const auto& a : n.attribute())
      if (a.name() == name) {
        if (a.type() != type && a.type() != onnx::AttributeProto_AttributeType_UNDEFINED)
          fail_node(n, "attribute '" + name + "' has type " +
                           onnx::AttributeProto_AttributeType_Name(a.type()) + ", expected " +
                           onnx::AttributeProto_AttributeType_Name(type));
        return &a;
      }
    return nullptr;
  }
  std::int64_t attr_int(const onnx::NodeProto& n, const std::string& name,
                        std::int64_t dflt) const {
    const auto* a = attr(n, name, onnx::AttributeProto_AttributeType_INT);
    return a ? a->i() : dflt;
  }
  float attr_float(const onnx::NodeProto& n, const std::string& name, float dflt) const {
    const auto* a = attr(n, name, onnx::AttributeProto_AttributeType_FLOAT);
    return a ? a->f() : dflt;
  }
  std::string attr_string(const onnx::NodeProto& n, const std::string& name,
                          const std::string& dflt) const {
    const auto* a = attr(n, name, onnx::AttributeProto_AttributeType_STRING);
    return a ? a->s() : dflt;
  }
  std::vector<std::int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name,
                                      std::vector<std::int64_t> dflt) const {
    const auto* a = attr(n, name, onnx::AttributeProto_AttributeType_INTS);
    return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : dflt;
  }
  // A spatial attribute (strides, dilations, kernel_shape) of a 2-D op: exactly two values.
  std::vector<std::int64_t> attr_pair(const onnx::NodeProto& n, const std::string& name,
                                      std::int64_t dflt, std::int64_t min) const {
    auto v = attr_ints(n, name, {dflt, dflt});
    if (v.size() != 2) fail_node(n, "'" + name + "' must have 2 values, got " + ints_str(v));
    for (auto x : v)
      if (x < min || x > kMaxDim)
        fail_node(n, "'" + name + "' values must be between " + std::to_string(min) + " and " +
                         std::to_string(kMaxDim) + ", got " + ints_str(v));
    return v;
  }

  std::int64_t norm_axis(const onnx::NodeProto& n, std::int64_t axis, std::size_t rank,
                         bool inclusive) const {
    const auto r = static_cast<std::int64_t>(rank);
    const std::int64_t a = axis < 0 ? axis + r : axis;
    if (a < 0 || a > r || (!inclusive && a == r))
      fail_node(n,
                "axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(r));
    return a;
  }

  TensorInfo need_4d(const onnx::NodeProto& n, int k) const {
    TensorInfo x = input(n, k);
    if (x.shape.size() != 4)
      fail_node(n, "input '" + n.input(k) + "' has shape " + shape_str(x.shape) + "; " +
                       n.op_type() + " needs a 4-D (N, C, H, W) tensor");
    return x;
  }

  // ---- quantization and layers ----------------------------------------------------------------

  std::vector<std::int16_t> quantize(const onnx::NodeProto& n, const std::vector<double>& w,
                                     bool integral, const std::string& layer) {
    const double qmax = static_cast<double>((1 << (opt_.weight_bits - 1)) - 1);
    double maxabs = 0;
    for (double v : w) {
      if (!std::isfinite(v)) fail_node(n, "the weights contain NaN or infinity");
      maxabs = std::max(maxabs, std::fabs(v));
    }
    const double scale = (integral && maxabs <= qmax) ? 1.0 : maxabs / qmax;
    std::vector<std::int16_t> q(w.size(), 0);
    std::int64_t nonzero = 0, flushed = 0;
    if (maxabs > 0)
      for (std::size_t i = 0; i < w.size(); ++i) {
        double r = std::round(w[i] / scale);
        r = std::clamp(r, -qmax, qmax);
        q[i] = static_cast<std::int16_t>(r);
        if (w[i] != 0) {
          if (q[i] == 0)
            ++flushed;
          else
            ++nonzero;
        }
      }
    std::ostringstream os;
    os << "layer '" << layer << "': " << nonzero << " of " << w.size() << " weights non-zero ("
       << (w.empty() ? 0.0 : 100.0 * static_cast<double>(nonzero) / static_cast<double>(w.size()))
       << "%), " << opt_.weight_bits << "-bit scale " << scale;
    result_.notes.push_back(os.str());
    if (flushed)
      result_.notes.push_back("layer '" + layer + "': " + std::to_string(flushed) +
                              " non-zero weights are below half a quantization step and became 0");
    return q;
  }

  std::string unique_layer_name(const onnx::NodeProto& n) {
    std::string base = node_name(n), name = base;
    for (int k = 2; !layer_names_.insert(name).second; ++k) name = base + "_" + std::to_string(k);
    return name;
  }

  // Adds a layer; its weights [M][C/G][R][S] (row-major, as the model gives them) are written
  // at the end. Returns the layer's index.
  // A layer fed directly by the previous one (through ReLU, one reproducible pooling, dropout
  // or flatten) takes that layer's actual output as its ifmap.
  void chain_input(const TensorInfo& x, Layer& l) const {
    if (!x.chainable || x.sources.size() != 1) return;
    if (*x.sources.begin() + 1 != result_.network.layers.size()) return;
    l.input_from_previous = true;
    l.input_pool = x.pool;
  }

  std::size_t add_layer(const onnx::NodeProto& n, Layer l, const std::vector<double>& w,
                        bool integral) {
    l.name = unique_layer_name(n);
    l.where = node_where(n);
    if (const std::string too_large = l.size_problem(); !too_large.empty())
      throw ConfigError(l.where + ": " + too_large);
    l.relu = false;
    l.product_shift = opt_.weight_bits - 1;
    if (!l.input_from_previous) l.input_density = 1.0;
    PendingWeights p;
    p.shape = {l.M, l.C_per_group(), l.R, l.S};
    p.values = quantize(n, w, integral, l.name);
    result_.network.layers.push_back(l);
    weights_.push_back(std::move(p));
    return result_.network.layers.size() - 1;
  }

  void conv(const onnx::NodeProto& n) {
    const TensorInfo x = need_4d(n, 0);
    const onnx::TensorProto& wt = initializer(n, 1, "weights");
    const Shape ws = dims_of(wt);
    if (ws.size() != 4)
      fail_node(n, "weights '" + n.input(1) + "' have shape " + shape_str(ws) +
                       ", expected 4-D [M][C/G][R][S]");
    for (auto d : ws)
      if (d < 1 || d > kMaxDim)
        fail_node(n, "weights '" + n.input(1) + "' have an invalid shape " + shape_str(ws));
    const std::int64_t group = attr_int(n, "group", 1);
    const std::int64_t C = x.shape[1], H = x.shape[2], W = x.shape[3];
    if (group < 1 || group > C)
      fail_node(n, "group " + std::to_string(group) + " must be between 1 and C (" +
                       std::to_string(C) + ")");
    if (C % group != 0 || ws[1] != C / group)
      fail_node(n, "weights " + shape_str(ws) + " with group " + std::to_string(group) + " need " +
                       std::to_string(ws[1] * group) + " input channels, the input has " +
                       std::to_string(C));
    if (ws[0] < 1 || ws[0] % group != 0)
      fail_node(n, "M (" + std::to_string(ws[0]) + ") is not a positive multiple of group (" +
                       std::to_string(group) + ")");
    const auto kernel = attr_ints(n, "kernel_shape", {ws[2], ws[3]});
    if (kernel != std::vector<std::int64_t>{ws[2], ws[3]})
      fail_node(
          n, "kernel_shape " + ints_str(kernel) + " does not match the weights " + shape_str(ws));
    const auto strides = attr_pair(n, "strides", 1, 1);
    const auto dil = attr_pair(n, "dilations", 1, 1);
    for (auto v : {strides[0], strides[1], dil[0], dil[1]})
      if (v < 1 || v > kMaxDim)
        fail_node(n, "invalid strides " + ints_str(strides) + " or dilations " + ints_str(dil));
    Layer l;
    l.kind = LayerKind::Conv;
    l.N = x.shape[0];
    l.M = ws[0];
    l.C = C;
    l.H = H;
    l.W = W;
    l.R = ws[2];
    l.S = ws[3];
    l.stride_h = strides[0];
    l.stride_w = strides[1];
    l.dilation_h = dil[0];
    l.dilation_w = dil[1];
    conv_padding(n, l);
    l.groups = group;
    for (const ConvAxis& a : {l.rows(), l.cols()})
      if (a.extent() > a.padded())
        fail_node(n, "the " + std::to_string(l.R) + "x" + std::to_string(l.S) + " filter (" +
                         std::to_string(a.extent()) +
                         " inputs wide with its dilation) exceeds the " +
                         std::to_string(a.padded()) + " inputs of the padded input");
    if (has_input(n, 2)) {
      input(n, 2);  // must exist
      result_.notes.push_back(node_where(n) + ": bias '" + n.input(2) + "' ignored");
    }
    bool integral = false;
    const auto w =
        numeric_values(wt, "weights '" + n.input(1) + "' of node '" + node_name(n) + "'", integral);
    chain_input(x, l);
    const std::size_t idx = add_layer(n, l, w, integral);
    TensorInfo y;
    y.shape = {l.N, l.M, l.E(), l.F()};
    y.sources = {idx};
    y.chainable = true;
    set_output(n, 0, y);
  }

  // The layer's four paddings, from pads ([top, left, bottom, right]) or auto_pad (SAME_UPPER
  // puts an odd extra padding at the end, SAME_LOWER at the beginning).
  void conv_padding(const onnx::NodeProto& n, Layer& l) const {
    const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
    if (auto_pad == "VALID") return;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      // (before, after) of one axis: out = ceil(size / stride) outputs.
      const auto same = [&auto_pad](const ConvAxis& a) {
        const std::int64_t out = (a.size + a.stride - 1) / a.stride;
        const std::int64_t total =
            std::max<std::int64_t>(0, (out - 1) * a.stride + a.extent() - a.size);
        const std::int64_t before = auto_pad == "SAME_UPPER" ? total / 2 : (total + 1) / 2;
        return std::pair{before, total - before};
      };
      std::tie(l.pad_top, l.pad_bottom) = same(l.rows());
      std::tie(l.pad_left, l.pad_right) = same(l.cols());
      return;
    }
    if (auto_pad != "NOTSET" && !auto_pad.empty())
      fail_node(n, "unknown auto_pad '" + auto_pad + "'");
    const auto pads = attr_ints(n, "pads", {0, 0, 0, 0});
    if (pads.size() != 4) fail_node(n, "'pads' must have 4 values, got " + ints_str(pads));
    for (auto p : pads)
      if (p < 0 || p > kMaxDim) fail_node(n, "invalid pads " + ints_str(pads));
    l.pad_top = pads[0], l.pad_left = pads[1], l.pad_bottom = pads[2], l.pad_right = pads[3];
  }

  // An fc layer on a 2-D [N][K] input with weights w [M][K] (K in the input's C, H, W order).
  void fc(const onnx::NodeProto& n, const TensorInfo& a, std::int64_t M,
          const std::vector<double>& w, bool integral) {
    Layer l;
    l.kind = LayerKind::FullyConnected;
    l.N = a.shape[0];
    l.M = M;
    const std::int64_t K = a.shape[1];
    const auto chw = a.chw.value_or(std::array<std::int64_t, 3>{K, 1, 1});
    l.C = chw[0];
    l.H = chw[1];
    l.W = chw[2];
    l.R = l.H;
    l.S = l.W;
    chain_input(a, l);
    const std::size_t idx = add_layer(n, l, w, integral);
    TensorInfo y;
    y.shape = {l.N, M};
    y.sources = {idx};
    y.chainable = true;
    set_output(n, 0, y);
  }

  TensorInfo need_2d(const onnx::NodeProto& n) const {
    TensorInfo a = input(n, 0);
    if (a.shape.size() != 2)
      fail_node(n, "input '" + n.input(0) + "' has shape " + shape_str(a.shape) +
                       "; dfsim imports " + n.op_type() + " on a 2-D [N][K] input (Flatten first)");
    return a;
  }

  void gemm(const onnx::NodeProto& n) {
    const TensorInfo a = need_2d(n);
    if (attr_int(n, "transA", 0) != 0) fail_node(n, "transA = 1 is not supported");
    const std::int64_t transB = attr_int(n, "transB", 0);
    const onnx::TensorProto& bt = initializer(n, 1, "weights");
    const Shape bs = dims_of(bt);
    if (bs.size() != 2)
      fail_node(n, "weights '" + n.input(1) + "' have shape " + shape_str(bs) + ", expected 2-D");
    const std::int64_t K = transB ? bs[1] : bs[0], M = transB ? bs[0] : bs[1];
    if (K != a.shape[1])
      fail_node(n, "weights " + shape_str(bs) + (transB ? " (transB)" : "") + " need K = " +
                       std::to_string(K) + " inputs, the input has " + std::to_string(a.shape[1]));
    if (M < 1) fail_node(n, "weights " + shape_str(bs) + " have no outputs");
    bool integral = false;
    auto w =
        numeric_values(bt, "weights '" + n.input(1) + "' of node '" + node_name(n) + "'", integral);
    if (!transB) w = transpose(w, K, M);
    const float alpha = attr_float(n, "alpha", 1.0f);
    if (alpha != 1.0f) {
      for (double& v : w) v *= alpha;
      integral = false;
      result_.notes.push_back(node_where(n) + ": alpha " + std::to_string(alpha) +
                              " folded into the weights");
    }
    if (has_input(n, 2)) {
      input(n, 2);
      result_.notes.push_back(node_where(n) + ": bias '" + n.input(2) + "' (and beta) ignored");
    }
    fc(n, a, M, w, integral);
  }

  void matmul(const onnx::NodeProto& n) {
    const TensorInfo a = need_2d(n);
    if (!has_input(n, 1) || !consts_.count(n.input(1)))
      fail_node(n, "dfsim imports MatMul only with a 2-D initializer as its second input");
    const onnx::TensorProto& bt = initializer(n, 1, "weights");
    const Shape bs = dims_of(bt);
    if (bs.size() != 2)
      fail_node(
          n, "weights '" + n.input(1) + "' have shape " + shape_str(bs) + ", expected 2-D [K][M]");
    if (bs[0] != a.shape[1])
      fail_node(n, "weights " + shape_str(bs) + " need K = " + std::to_string(bs[0]) +
                       " inputs, the input has " + std::to_string(a.shape[1]));
    if (bs[1] < 1) fail_node(n, "weights " + shape_str(bs) + " have no outputs");
    bool integral = false;
    const auto w =
        numeric_values(bt, "weights '" + n.input(1) + "' of node '" + node_name(n) + "'", integral);
    fc(n, a, bs[1], transpose(w, bs[0], bs[1]), integral);
  }

  static std::vector<double> transpose(const std::vector<double>& w, std::int64_t rows,
                                       std::int64_t cols) {
    std::vector<double> t(w.size());
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c)
        t[static_cast<std::size_t>(c * rows + r)] = w[static_cast<std::size_t>(r * cols + c)];
    return t;
  }

  // ---- shape-only nodes -----------------------------------------------------------------------

  void pool(const onnx::NodeProto& n) {
    TensorInfo x = need_4d(n, 0);
    const auto k = attr_ints(n, "kernel_shape", {});
    if (k.size() != 2) fail_node(n, "kernel_shape must have 2 values, got " + ints_str(k));
    for (auto v : k)
      if (v < 1 || v > kMaxDim) fail_node(n, "invalid kernel_shape " + ints_str(k));
    const auto s = attr_pair(n, "strides", 1, 1);
    const auto d = attr_pair(n, "dilations", 1, 1);
    const bool ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
    const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
    auto pads = attr_ints(n, "pads", {0, 0, 0, 0});
    if (pads.size() != 4) fail_node(n, "'pads' must have 4 values, got " + ints_str(pads));
    for (auto p : pads)
      if (p < 0 || p > kMaxDim) fail_node(n, "invalid pads " + ints_str(pads));
    TensorInfo y = x;
    y.chw.reset();
    for (int a = 0; a < 2; ++a) {
      const std::int64_t in = x.shape[2 + a], dk = (k[a] - 1) * d[a] + 1;
      std::int64_t out;
      if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        out = (in + s[a] - 1) / s[a];
      } else if (auto_pad == "VALID") {
        out = in >= dk ? (in - dk) / s[a] + 1 : 0;
      } else if (auto_pad == "NOTSET" || auto_pad.empty()) {
        const std::int64_t num = in + pads[a] + pads[a + 2] - dk;
        if (num < 0) {
          out = 0;
        } else {
          out = (ceil_mode ? (num + s[a] - 1) / s[a] : num / s[a]) + 1;
          if (ceil_mode && (out - 1) * s[a] >= in + pads[a])
            --out;  // last window must start inside
        }
      } else {
        fail_node(n, "unknown auto_pad '" + auto_pad + "'");
      }
      if (out < 1)
        fail_node(n, "the pooling window does not fit the " + std::to_string(x.shape[2]) + "x" +
                         std::to_string(x.shape[3]) + " input");
      y.shape[2 + a] = out;
    }
    // dfsim's host pooling: square window, equal strides, symmetric pads, floor rounding.
    y.chainable = x.chainable && x.pool.kind.empty() && k[0] == k[1] && s[0] == s[1] && d[0] == 1 &&
                  d[1] == 1 && !ceil_mode && (auto_pad == "NOTSET" || auto_pad.empty()) &&
                  pads[0] == pads[1] && pads[0] == pads[2] && pads[0] == pads[3] && pads[0] < k[0];
    if (y.chainable) y.pool = {n.op_type() == "MaxPool" ? "max" : "avg", k[0], s[0], pads[0]};
    set_output(n, 0, y);
    TensorInfo indices;
    indices.shape = y.shape;
    set_output(n, 1, indices);  // MaxPool's optional Indices
  }

  void global_pool(const onnx::NodeProto& n) {
    TensorInfo x = input(n, 0);
    if (x.shape.size() < 3)
      fail_node(n, "input has shape " + shape_str(x.shape) + ", needs (N, C, spatial...)");
    const bool square = x.shape.size() == 4 && x.shape[2] == x.shape[3];
    if (x.chainable && x.pool.kind.empty() && square)
      x.pool = {"avg", x.shape[2], x.shape[2], 0};  // global average = one full-size window
    else
      x.chainable = false;
    for (std::size_t i = 2; i < x.shape.size(); ++i) x.shape[i] = 1;
    x.chw.reset();
    set_output(n, 0, x);
  }

  void flatten(const onnx::NodeProto& n) {
    const TensorInfo x = input(n, 0);
    const std::int64_t axis = norm_axis(n, attr_int(n, "axis", 1), x.shape.size(), true);
    std::int64_t outer = 1, inner = 1;
    for (std::size_t i = 0; i < x.shape.size(); ++i)
      (static_cast<std::int64_t>(i) < axis ? outer : inner) *= x.shape[i];
    TensorInfo y;
    y.shape = {outer, inner};
    y.sources = x.sources;
    y.chainable = x.chainable && axis == 1;  // same values, C,H,W order
    y.pool = x.pool;
    if (x.shape.size() == 4 && axis == 1)
      y.chw = std::array<std::int64_t, 3>{x.shape[1], x.shape[2], x.shape[3]};
    if (x.shape.size() == 2 && axis == 1) y.chw = x.chw;
    set_output(n, 0, y);
  }

  void reshape(const onnx::NodeProto& n) {
    const TensorInfo x = input(n, 0);
    std::vector<std::int64_t> target;
    if (has_input(n, 1)) {
      const onnx::TensorProto& st = initializer(n, 1, "target shape");
      target = int_values(st, "shape '" + n.input(1) + "' of node '" + node_name(n) + "'");
    } else {
      target = attr_ints(n, "shape", {});  // opset 1
      if (target.empty()) fail_node(n, "no target shape");
    }
    const bool allowzero = attr_int(n, "allowzero", 0) != 0;
    const std::int64_t total = element_count(x.shape, "input of node '" + node_name(n) + "'");
    Shape out;
    std::int64_t known = 1;
    int infer = -1;
    for (std::size_t i = 0; i < target.size(); ++i) {
      std::int64_t v = target[i];
      if (v == 0 && !allowzero) {
        if (i >= x.shape.size())
          fail_node(n, "shape " + ints_str(target) + " copies a dimension the input lacks");
        v = x.shape[i];
      }
      if (v == -1) {
        if (infer >= 0) fail_node(n, "shape " + ints_str(target) + " has more than one -1");
        infer = static_cast<int>(i);
        out.push_back(1);
        continue;
      }
      if (v < 0 || (v > 0 && known > kMaxElements / v))
        fail_node(n, "invalid shape " + ints_str(target));
      out.push_back(v);
      known *= v;
    }
    if (infer >= 0) {
      if (known == 0 || total % known != 0)
        fail_node(n, "cannot reshape " + shape_str(x.shape) + " to " + ints_str(target));
      out[static_cast<std::size_t>(infer)] = total / known;
    } else if (known != total) {
      fail_node(n, "cannot reshape " + shape_str(x.shape) + " to " + ints_str(target));
    }
    TensorInfo y;
    y.shape = out;
    y.sources = x.sources;
    if (out.size() == 2 && x.shape.size() == 4 && out[0] == x.shape[0])
      y.chw = std::array<std::int64_t, 3>{x.shape[1], x.shape[2], x.shape[3]};
    if (out.size() == 2 && x.shape == out) y.chw = x.chw;
    set_output(n, 0, y);
  }

  void same_shape(const onnx::NodeProto& n, bool keep_sources) {
    TensorInfo x = input(n, 0);
    if (!keep_sources) x.sources.clear();
    if (n.op_type() != "Identity") x.chainable = false;  // LRN, Softmax change the values
    set_output(n, 0, x);
  }

  void batch_norm(const onnx::NodeProto& n) {
    TensorInfo x = input(n, 0);
    if (x.shape.size() < 2)
      fail_node(n, "input has shape " + shape_str(x.shape) + ", needs (N, C, ...)");
    for (int k = 1; k < n.input_size(); ++k) input(n, k);  // scale, bias, mean, var must exist
    x.chainable = false;                                   // normalization changes the values
    set_output(n, 0, x);
    TensorInfo stat;
    stat.shape = {x.shape[1]};
    for (int k = 1; k < n.output_size(); ++k) set_output(n, k, stat);  // training-mode outputs
  }

  void dropout(const onnx::NodeProto& n) {
    TensorInfo x = input(n, 0);
    set_output(n, 0, x);
    TensorInfo mask;
    mask.shape = x.shape;
    set_output(n, 1, mask);
  }

  void relu(const onnx::NodeProto& n) {
    TensorInfo x = input(n, 0);
    for (std::size_t s : x.sources) result_.network.layers[s].relu = true;
    if (x.sources.empty())
      result_.notes.push_back(node_where(n) +
                              ": not after a conv/fc layer (e.g. after Add); no layer's relu set");
    set_output(n, 0, x);
  }

  void add(const onnx::NodeProto& n) {
    if (n.input_size() != 2) fail_node(n, "expects 2 inputs");
    const TensorInfo a = input(n, 0), b = input(n, 1);
    // Numpy broadcasting.
    const std::size_t rank = std::max(a.shape.size(), b.shape.size());
    Shape out(rank);
    for (std::size_t i = 0; i < rank; ++i) {
      const std::int64_t da = i < rank - a.shape.size() ? 1 : a.shape[i - (rank - a.shape.size())];
      const std::int64_t db = i < rank - b.shape.size() ? 1 : b.shape[i - (rank - b.shape.size())];
      if (da != db && da != 1 && db != 1)
        fail_node(n, "cannot broadcast " + shape_str(a.shape) + " with " + shape_str(b.shape));
      out[i] = da == 1 ? db : da;
    }
    TensorInfo y;
    y.shape = out;
    // Adding a constant (a bias) keeps the layer's output a layer's output; adding two
    // computed tensors (a residual) does not.
    const bool a_const = consts_.count(n.input(0)) > 0, b_const = consts_.count(n.input(1)) > 0;
    if (a_const != b_const) {
      const TensorInfo& x = a_const ? b : a;
      if (x.shape == out) {
        y.sources = x.sources;
        y.chw = x.chw;
      }
    }
    set_output(n, 0, y);
  }

  void concat(const onnx::NodeProto& n) {
    if (n.input_size() < 1) fail_node(n, "no inputs");
    if (!attr(n, "axis", onnx::AttributeProto_AttributeType_INT))
      fail_node(n, "missing attribute 'axis'");
    TensorInfo y = input(n, 0);
    y.chainable = false;  // several sources
    const std::int64_t axis = norm_axis(n, attr_int(n, "axis", 1), y.shape.size(), false);
    y.chw.reset();
    for (int k = 1; k < n.input_size(); ++k) {
      if (n.input(k).empty()) continue;
      const TensorInfo x = input(n, k);
      bool ok = x.shape.size() == y.shape.size();
      for (std::size_t i = 0; ok && i < x.shape.size(); ++i)
        ok = static_cast<std::int64_t>(i) == axis || x.shape[i] == y.shape[i];
      if (!ok)
        fail_node(n, "cannot concatenate " + shape_str(x.shape) + " to " + shape_str(y.shape) +
                         " along axis " + std::to_string(axis));
      y.shape[static_cast<std::size_t>(axis)] += x.shape[static_cast<std::size_t>(axis)];
      element_count(y.shape, "output of node '" + node_name(n) + "'");
      y.sources.insert(x.sources.begin(), x.sources.end());
    }
    set_output(n, 0, y);
  }

  void constant(const onnx::NodeProto& n) {
    if (n.output_size() < 1 || n.output(0).empty()) fail_node(n, "no output");
    if (n.attribute_size() != 1) fail_node(n, "expects exactly one value attribute");
    const onnx::AttributeProto& a = n.attribute(0);
    if (a.name() == "value") {
      if (!a.has_t()) fail_node(n, "attribute 'value' holds no tensor");
      consts_[n.output(0)] = &a.t();
      return;
    }
    onnx::TensorProto& t = owned_.emplace_back();
    if (a.name() == "value_int") {
      t.set_data_type(onnx::TensorProto_DataType_INT64);
      t.add_int64_data(a.i());
    } else if (a.name() == "value_ints") {
      t.set_data_type(onnx::TensorProto_DataType_INT64);
      t.add_dims(a.ints_size());
      for (auto v : a.ints()) t.add_int64_data(v);
    } else if (a.name() == "value_float") {
      t.set_data_type(onnx::TensorProto_DataType_FLOAT);
      t.add_float_data(a.f());
    } else if (a.name() == "value_floats") {
      t.set_data_type(onnx::TensorProto_DataType_FLOAT);
      t.add_dims(a.floats_size());
      for (auto v : a.floats()) t.add_float_data(v);
    } else {
      fail_node(n, "attribute '" + a.name() + "' is not supported");
    }
    consts_[n.output(0)] = &t;
  }

  void import_node(const onnx::NodeProto& n, int index) {
    node_index_ = index;
    const std::string& op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail_node(n, "operator domain '" + n.domain() +
                       "' is not supported (only the default ONNX domain)");
    static const std::set<std::string> supported = {"Conv",
                                                    "Gemm",
                                                    "MatMul",
                                                    "Relu",
                                                    "MaxPool",
                                                    "AveragePool",
                                                    "GlobalAveragePool",
                                                    "Flatten",
                                                    "Reshape",
                                                    "BatchNormalization",
                                                    "Dropout",
                                                    "Identity",
                                                    "LRN",
                                                    "Softmax",
                                                    "Add",
                                                    "Concat",
                                                    "Constant"};
    if (!supported.count(op))
      fail_node(
          n,
          "unsupported operator '" + op +
              "' (supported: Conv, Gemm, MatMul, Relu, MaxPool, AveragePool, GlobalAveragePool, "
              "Flatten, Reshape, BatchNormalization, Dropout, Identity, Add, Concat, Softmax, LRN, "
              "Constant)");
    if (op != "Constant") {
      if (n.output_size() < 1 || n.output(0).empty()) fail_node(n, "has no output");
      for (int k = 0; k < n.input_size(); ++k)
        if (!n.input(k).empty())
          input(n, k);  // every input must be known: a missing initializer fails here
    }
    if (op == "Conv")
      conv(n);
    else if (op == "Gemm")
      gemm(n);
    else if (op == "MatMul")
      matmul(n);
    else if (op == "Relu")
      relu(n);
    else if (op == "MaxPool" || op == "AveragePool")
      pool(n);
    else if (op == "GlobalAveragePool")
      global_pool(n);
    else if (op == "Flatten")
      flatten(n);
    else if (op == "Reshape")
      reshape(n);
    else if (op == "BatchNormalization")
      batch_norm(n);
    else if (op == "Dropout")
      dropout(n);
    else if (op == "Identity" || op == "LRN")
      same_shape(n, true);
    else if (op == "Softmax")
      same_shape(n, false);
    else if (op == "Add")
      add(n);
    else if (op == "Concat")
      concat(n);
    else
      constant(n);
  }

  // ---- output -------------------------------------------------------------------------------

  void write_outputs() {
    const fs::path model(path_);
    fs::path dir = opt_.data_dir.empty() ? model.parent_path() / (model.stem().string() + ".dfsim")
                                         : fs::path(opt_.data_dir);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail("cannot create the data folder " + dir.string() + ": " + ec.message());
    dir = fs::absolute(dir, ec).lexically_normal();
    Network& net = result_.network;
    net.name = model.stem().string();
    net.source_file = path_;
    for (std::size_t i = 0; i < net.layers.size(); ++i) {
      std::string prefix = std::to_string(i);
      prefix = std::string(prefix.size() < 3 ? 3 - prefix.size() : 0, '0') + prefix + "_";
      const fs::path file = dir / (prefix + sanitize(net.layers[i].name) + ".npy");
      try {
        save_npy_int16(file.string(), weights_[i].shape, weights_[i].values);
      } catch (const ConfigError& e) {
        fail(std::string("writing weights: ") + e.what());
      }
      net.layers[i].weights_file = file.string();
    }
    try {
      write_network_yaml(net, (dir / "workload.yaml").string());
    } catch (const ConfigError& e) {
      fail(std::string("writing the workload: ") + e.what());
    }
    result_.notes.push_back("weights and workload.yaml written to " + dir.string());
  }

  std::string path_;
  OnnxImportOptions opt_;
  onnx::ModelProto model_;
  std::map<std::string, const onnx::TensorProto*> consts_;
  std::deque<onnx::TensorProto> owned_;  // constants made from Constant attributes
  std::map<std::string, TensorInfo> tensors_;
  std::set<std::string> layer_names_;
  std::vector<PendingWeights> weights_;
  OnnxImportResult result_;
  int node_index_ = 0;
};

}  // namespace

OnnxImportResult import_onnx_with_notes(const std::string& path, const OnnxImportOptions& opt) {
  try {
    return Importer(path, opt).run();
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {  // e.g. bad_alloc on absurd shapes, filesystem errors
    throw ConfigError(path + ": cannot import the ONNX model: " + e.what());
  }
}

Network import_onnx(const std::string& path, const OnnxImportOptions& opt) {
  return import_onnx_with_notes(path, opt).network;
}

void write_network_yaml(const Network& net, const std::string& yaml_path) {
  std::error_code ec;
  const fs::path dir = fs::absolute(fs::path(yaml_path), ec).parent_path().lexically_normal();
  auto data_path = [&](const std::string& file) {
    const fs::path abs = fs::absolute(fs::path(file), ec).lexically_normal();
    const fs::path rel = abs.lexically_relative(dir);
    if (!rel.empty() && *rel.begin() != "..") return rel.string();
    return abs.string();
  };
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "network" << YAML::Value << YAML::DoubleQuoted << net.name;
  if (!net.source_file.empty())
    out << YAML::Key << "source" << YAML::Value << YAML::DoubleQuoted << net.source_file;
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const Layer& l : net.layers) {
    const bool fc = l.kind == LayerKind::FullyConnected;
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << l.name;
    out << YAML::Key << "type" << YAML::Value << (fc ? "fc" : "conv");
    out << YAML::Key << "N" << YAML::Value << l.N << YAML::Key << "M" << YAML::Value << l.M;
    out << YAML::Key << "C" << YAML::Value << l.C << YAML::Key << "H" << YAML::Value << l.H;
    out << YAML::Key << "W" << YAML::Value << l.W;
    if (!fc) {
      out << YAML::Key << "R" << YAML::Value << l.R << YAML::Key << "S" << YAML::Value << l.S;
      emit_geometry(out, l);
      out << YAML::Key << "groups" << YAML::Value << l.groups;
      out << YAML::Key << "E" << YAML::Value << l.E() << YAML::Key << "F" << YAML::Value << l.F();
    }
    out << YAML::Key << "relu" << YAML::Value << l.relu;
    out << YAML::Key << "product_shift" << YAML::Value << l.product_shift;
    if (l.input_density != 1.0 && !l.input_from_previous)
      out << YAML::Key << "input_density" << YAML::Value << l.input_density;
    if (l.input_from_previous) {
      out << YAML::Key << "input_from" << YAML::Value << "previous";
      if (!l.input_pool.kind.empty())
        out << YAML::Key << "input_pool" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
            << "kind" << YAML::Value << l.input_pool.kind << YAML::Key << "size" << YAML::Value
            << l.input_pool.size << YAML::Key << "stride" << YAML::Value << l.input_pool.stride
            << YAML::Key << "padding" << YAML::Value << l.input_pool.padding << YAML::EndMap;
    }
    if (!l.ifmap_file.empty())
      out << YAML::Key << "ifmap_file" << YAML::Value << YAML::DoubleQuoted
          << data_path(l.ifmap_file);
    if (!l.weights_file.empty())
      out << YAML::Key << "weights_file" << YAML::Value << YAML::DoubleQuoted
          << data_path(l.weights_file);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  if (!out.good()) throw ConfigError(yaml_path + ": cannot write YAML: " + out.GetLastError());
  std::ofstream f(yaml_path);
  f << "# Written by dfsim's ONNX importer.\n" << out.c_str() << "\n";
  f.close();
  if (!f) throw ConfigError(yaml_path + ": cannot write");
}

}  // namespace dfsim
