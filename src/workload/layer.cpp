#include "workload/layer.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <tuple>

#include "base/config/config_node.hpp"
#include "workload/scalesim_import.hpp"
#include "workload/timeloop_import.hpp"

namespace dfsim {

namespace {

// A dimension of a layer: at least `min`, at most kMaxLayerDim; required unless it has a default.
std::int64_t layer_dim(const ConfigNode& n, std::int64_t min) {
  const std::int64_t v = n.as_int();
  if (v < min) n.fail("must be >= " + std::to_string(min) + ", got " + std::to_string(v));
  if (v > ConfigNode::kMaxConfigInt)  // as every count or size of a configuration
    n.fail("must be <= " + std::to_string(ConfigNode::kMaxConfigInt) +
           " (2^31 - 1, the largest count or size dfsim takes), got " + std::to_string(v));
  if (v > kMaxLayerDim)
    n.fail("must be <= " + std::to_string(kMaxLayerDim) + " (2^24), got " + std::to_string(v));
  return v;
}

// A per-axis key: one number for every axis, or a list of `count` (e.g. stride [rows, columns],
// padding [top, bottom, left, right]); `dflt` when absent.
std::vector<std::int64_t> per_axis(const ConfigNode& n, const char* key, std::size_t count,
                                   const char* order, std::int64_t min, std::int64_t dflt) {
  const auto v = n.find(key);
  if (!v) return std::vector<std::int64_t>(count, dflt);
  if (!v->is_sequence()) return std::vector<std::int64_t>(count, layer_dim(*v, min));
  const std::vector<ConfigNode> items = v->items();
  if (items.size() != count)
    v->fail("give one number or " + std::to_string(count) + " (" + order + "), got " +
            std::to_string(items.size()));
  std::vector<std::int64_t> out;
  for (const ConfigNode& i : items) out.push_back(layer_dim(i, min));
  return out;
}

// Stride, padding and dilation of a conv layer (per axis, Layer).
void parse_geometry(const ConfigNode& n, Layer& l) {
  const auto stride = per_axis(n, "stride", 2, "rows, columns", 1, 1);
  const auto dilation = per_axis(n, "dilation", 2, "rows, columns", 1, 1);
  const auto pad = per_axis(n, "padding", 4, "top, bottom, left, right", 0, 0);
  l.stride_h = stride[0];
  l.stride_w = stride[1];
  l.dilation_h = dilation[0];
  l.dilation_w = dilation[1];
  l.pad_top = pad[0];
  l.pad_bottom = pad[1];
  l.pad_left = pad[2];
  l.pad_right = pad[3];
}

// The shape (N M C H W R S, strides, paddings, dilations, groups), each dimension within
// kMaxLayerDim, consistent (groups divide C and M, the dilated filter fits the padded ifmap, E
// and F as given) and within the size limits (Layer::size_problem).
void parse_shape(const ConfigNode& n, std::int64_t default_batch, Layer& l) {
  const auto dim = [&n](const char* key, std::int64_t min,
                        std::optional<std::int64_t> dflt = std::nullopt) {
    if (dflt && !n.has(key)) return *dflt;
    return layer_dim(n.at(key), min);
  };
  l.N = dim("N", 1, default_batch);
  l.M = dim("M", 1);
  l.C = dim("C", 1);
  l.H = dim("H", 1, 1);
  l.W = dim("W", 1, 1);
  if (l.kind == LayerKind::FullyConnected) {
    for (const char* k : {"R", "S", "stride", "padding", "dilation", "groups"})
      if (n.has(k))
        n.at(k).fail(std::string("an fc layer's filter covers its whole input; do not set '") + k +
                     "'");
    l.R = l.H;
    l.S = l.W;
  } else {
    l.R = dim("R", 1);
    l.S = dim("S", 1);
    parse_geometry(n, l);
    l.groups = dim("groups", 1, 1);
  }
  if (l.C % l.groups != 0)
    n.at("groups").fail("C (" + std::to_string(l.C) + ") is not divisible by groups");
  if (l.M % l.groups != 0)
    n.at("groups").fail("M (" + std::to_string(l.M) + ") is not divisible by groups");
  for (const auto& [axis, key, what] :
       {std::tuple{l.rows(), "R", "height"}, std::tuple{l.cols(), "S", "width"}})
    if (axis.extent() > axis.padded())
      n.at(key).fail(std::string("filter ") + what +
                     (axis.dilation > 1 ? " with dilation " + std::to_string(axis.dilation) + " (" +
                                              std::to_string(axis.extent()) + " inputs)"
                                        : std::string()) +
                     " exceeds the padded ifmap " + what + " (" + std::to_string(axis.padded()) +
                     ")");
  if (const std::string too_large = l.size_problem(); !too_large.empty()) n.fail(too_large);
  if (auto e = n.find("E"); e && e->as_int() != l.E())
    e->fail("given E = " + std::to_string(e->as_int()) +
            " but the shape gives E = " + std::to_string(l.E()));
  if (auto f = n.find("F"); f && f->as_int() != l.F())
    f->fail("given F = " + std::to_string(f->as_int()) +
            " but the shape gives F = " + std::to_string(l.F()));
}

// `input_pool` of a layer fed by the previous one.
void parse_input_pool(const ConfigNode& n, Layer& l) {
  const auto p = n.find("input_pool");
  if (!p) return;
  if (!l.input_from_previous) p->fail("input_pool needs input_from: previous");
  p->expect_keys({"kind", "size", "stride", "padding"});
  l.input_pool.kind = p->get_choice("kind", {"max", "avg"}, std::string("max"));
  l.input_pool.size = p->get_int_range("size", 1, kMaxLayerDim);
  l.input_pool.stride = p->get_int_range("stride", 1, kMaxLayerDim, l.input_pool.size);
  l.input_pool.padding = p->get_int_range("padding", 0, kMaxLayerDim, 0);
}

Layer parse_layer(const ConfigNode& n, std::int64_t default_batch) {
  n.expect_keys({"name",
                 "type",
                 "N",
                 "M",
                 "C",
                 "H",
                 "W",
                 "R",
                 "S",
                 "E",
                 "F",
                 "stride",
                 "padding",
                 "dilation",
                 "groups",
                 "relu",
                 "product_shift",
                 "input_density",
                 "ifmap_file",
                 "weights_file",
                 "weight_density",
                 "weight_granularity",
                 "weight_bits",
                 "input_bits",
                 "quantization",
                 "codebook_size",
                 "output_density",
                 "accumulator_bits",
                 "input_from",
                 "input_pool"});
  Layer l;
  l.name = n.get_string("name");
  const std::string type = n.get_choice("type", {"conv", "fc"}, std::string("conv"));
  l.kind = type == "fc" ? LayerKind::FullyConnected : LayerKind::Conv;
  parse_shape(n, default_batch, l);
  l.relu = n.get_bool("relu", l.kind == LayerKind::Conv);
  l.product_shift = n.get_int_min("product_shift", 0, 8);
  if (l.product_shift > 31) n.at("product_shift").fail("must be <= 31");
  l.where = n.where();
  // Data files are relative to the workload file.
  auto data_path = [&](const char* key) {
    const auto f = n.find(key);
    return f ? f->as_path() : std::string();
  };
  l.ifmap_file = data_path("ifmap_file");
  l.weights_file = data_path("weights_file");
  // As the CLI's --weight-density and --input-density: a layer of no non-zeros is no layer.
  l.input_density = n.get_double("input_density", 1.0);
  if (!(l.input_density > 0 && l.input_density <= 1))
    n.at("input_density").fail("must be in (0, 1]");
  l.weight_density = n.get_double("weight_density", 1.0);
  if (!(l.weight_density > 0 && l.weight_density <= 1))
    n.at("weight_density").fail("must be in (0, 1]");
  const std::string gran = n.get_choice(
      "weight_granularity", {"fine", "vector", "kernel", "filter", "channel"}, std::string("fine"));
  l.weight_granularity = gran == "fine"     ? Granularity::Fine
                         : gran == "vector" ? Granularity::Vector
                         : gran == "kernel" ? Granularity::Kernel
                         : gran == "filter" ? Granularity::Filter
                                            : Granularity::Channel;
  l.weight_bits = n.get_int_min("weight_bits", 1, 8);
  if (l.weight_bits > 16) n.at("weight_bits").fail("must be <= 16");
  l.input_bits = n.get_int_min("input_bits", 2, 8);
  if (l.input_bits > 16) n.at("input_bits").fail("must be <= 16");
  const std::string q =
      n.get_choice("quantization", {"uniform", "power_of_two", "codebook"}, std::string("uniform"));
  l.quantization = q == "uniform"        ? Quantization::Uniform
                   : q == "power_of_two" ? Quantization::PowerOfTwo
                                         : Quantization::Codebook;
  if (l.quantization == Quantization::Codebook) {
    l.codebook_size = n.get_int_min("codebook_size", 1);
    if (l.codebook_size > (std::int64_t{1} << l.weight_bits) - 1)
      n.at("codebook_size")
          .fail("more shared values than " + std::to_string(l.weight_bits) +
                "-bit weights can hold");
  } else if (n.has("codebook_size")) {
    n.at("codebook_size").fail("only with quantization: codebook");
  }
  if (n.has("output_density")) {
    l.output_density = n.get_double("output_density");
    if (l.output_density < 0 || l.output_density > 1)
      n.at("output_density").fail("must be between 0 and 1");
  }
  l.accumulator_bits_given = n.get_int_min("accumulator_bits", 1, 0);
  if (n.has("input_from")) {
    n.get_choice("input_from", {"previous"});
    l.input_from_previous = true;
    for (const char* k : {"ifmap_file", "input_density"})
      if (n.has(k)) n.at(k).fail(std::string("'") + k + "' conflicts with input_from: previous");
  }
  parse_input_pool(n, l);
  return l;
}

Network parse_network(const ConfigNode& root) {
  root.expect_keys({"network", "batch", "layers", "description", "source"});
  Network net;
  net.name = root.get_string("network");
  net.source_file = root.file();
  const std::int64_t batch = root.get_int_min("batch", 1, 1);
  if (batch > kMaxLayerDim)
    root.at("batch").fail("must be <= " + std::to_string(kMaxLayerDim) + " (2^24), got " +
                          std::to_string(batch));
  std::set<std::string> names;
  for (const ConfigNode& item : root.at("layers").items()) {
    item.expect_map();
    Layer l = parse_layer(item, batch);
    if (l.input_from_previous && net.layers.empty())
      item.at("input_from").fail("the first layer has no previous layer");
    if (!names.insert(l.name).second) item.at("name").fail("duplicate layer name '" + l.name + "'");
    net.layers.push_back(l);
  }
  if (net.layers.empty()) root.at("layers").fail("a network needs at least one layer");
  return net;
}

}  // namespace

Network load_network(const std::string& path) {
  if (is_scalesim_topology(path)) return import_scalesim_topology(path);
  const ConfigNode root = ConfigNode::load_file(path);
  return is_timeloop_problem(root) ? import_timeloop_problem(root) : parse_network(root);
}

Network load_network_from_string(const std::string& text, const std::string& origin) {
  const ConfigNode root = ConfigNode::load_string(text, origin);
  return is_timeloop_problem(root) ? import_timeloop_problem(root) : parse_network(root);
}

Network select_layers(const Network& net, const std::vector<std::string>& names) {
  Network out = net;
  out.layers.clear();
  for (const auto& name : names) {
    const Layer* found = nullptr;
    std::vector<std::string> all;
    for (const auto& l : net.layers) {
      all.push_back(l.name);
      if (l.name == name) found = &l;
    }
    if (!found) {
      std::string msg = "--layers: no layer named '" + name + "' in " + net.source_file;
      std::string s = closest_match(name, all);
      if (!s.empty()) msg += " (did you mean '" + s + "'?)";
      throw ConfigError(msg);
    }
    out.layers.push_back(*found);
  }
  return out;
}

std::string Layer::size_problem() const {
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  const auto outputs = [&d](const ConvAxis& a) {
    const double extent = d(a.dilation) * (d(a.taps) - 1) + 1;
    return std::max(
        0.0, std::floor((d(a.size) + d(a.pad_before) + d(a.pad_after) - extent) / d(a.stride)) + 1);
  };
  const double e = outputs(rows()), f = outputs(cols());
  const double cg = d(C) / d(groups);
  const struct {
    const char* what;
    double values;
  } tensors[] = {{"ifmap (N x C x H x W)", d(N) * d(C) * d(H) * d(W)},
                 {"weights (M x C/G x R x S)", d(M) * cg * d(R) * d(S)},
                 {"ofmap (N x M x E x F)", d(N) * d(M) * e * f}};
  const auto sci = [](double v) {
    std::ostringstream os;
    os.precision(3);
    os << v;
    return os.str();
  };
  for (const auto& t : tensors)
    if (t.values > kMaxTensorValues)
      return std::string("layer '") + name + "': the " + t.what + " would hold " + sci(t.values) +
             " values, more than dfsim simulates (2^40)";
  const double macs = d(N) * d(M) * e * f * cg * d(R) * d(S);
  if (macs > kMaxLayerMacs)
    return "layer '" + name + "': " + sci(macs) +
           " MACs, more than dfsim simulates (2^50, about 13 days at 1 ns per MAC)";
  return "";
}

std::string Layer::geometry() const {
  std::ostringstream os;
  if (uniform()) {
    os << "stride=" << stride_h << " pad=" << pad_top;
    return os.str();
  }
  os << "stride=" << stride_h << ',' << stride_w << " pad=" << pad_top << ',' << pad_bottom << ','
     << pad_left << ',' << pad_right << " dilation=" << dilation_h << ',' << dilation_w;
  return os.str();
}

std::int64_t Layer::accumulator_bits() const {
  if (accumulator_bits_given) return accumulator_bits_given;
  std::int64_t log2 = 0;
  while ((std::int64_t{1} << log2) < C_per_group() * R * S) ++log2;
  return 2 * std::max(weight_bits, input_bits) + log2;
}

Layer flatten_fc(const Layer& l) {
  const bool covers = l.R == l.H && l.S == l.W && l.dilation_h == 1 && l.dilation_w == 1 &&
                      l.pad_top + l.pad_bottom + l.pad_left + l.pad_right == 0;
  if (l.groups != 1 || !covers || (l.R == 1 && l.S == 1)) return l;
  Layer f = l;
  f.C = l.C * l.R * l.S;
  f.H = f.W = f.R = f.S = f.stride_h = f.stride_w = 1;
  return f;
}

Layer shape_of(const Layer& l) {
  Layer v;
  v.name = l.name;
  v.kind = l.kind;
  v.N = l.N;
  v.M = l.M;
  v.C = l.C;
  v.H = l.H;
  v.W = l.W;
  v.R = l.R;
  v.S = l.S;
  v.stride_h = l.stride_h;
  v.stride_w = l.stride_w;
  v.pad_top = l.pad_top;
  v.pad_bottom = l.pad_bottom;
  v.pad_left = l.pad_left;
  v.pad_right = l.pad_right;
  v.dilation_h = l.dilation_h;
  v.dilation_w = l.dilation_w;
  v.groups = l.groups;
  return v;
}

std::string layer_key(const Layer& l) {
  std::ostringstream os;
  os << std::hexfloat << static_cast<int>(l.kind) << ' ' << l.N << ' ' << l.M << ' ' << l.C << ' '
     << l.H << ' ' << l.W << ' ' << l.R << ' ' << l.S << ' ' << l.geometry() << ' ' << l.groups
     << ' ' << l.relu << ' ' << l.product_shift << ' ' << l.input_density << ' ' << l.weight_density
     << ' ' << static_cast<int>(l.weight_granularity) << ' ' << l.weight_bits << ' ' << l.input_bits
     << ' ' << static_cast<int>(l.quantization) << ' ' << l.codebook_size << ' ' << l.output_density
     << ' ' << l.accumulator_bits_given << " [" << l.ifmap_file << "] [" << l.weights_file << "] "
     << l.input_from_previous << ' ' << l.input_pool.kind << ' ' << l.input_pool.size << ' '
     << l.input_pool.stride << ' ' << l.input_pool.padding;
  return os.str();
}

namespace {

const char* granularity_name(Granularity g) {
  switch (g) {
    case Granularity::Fine:
      return "fine";
    case Granularity::Vector:
      return "vector";
    case Granularity::Kernel:
      return "kernel";
    case Granularity::Filter:
      return "filter";
    case Granularity::Channel:
      return "channel";
  }
  return "fine";
}

const char* quantization_name(Quantization q) {
  switch (q) {
    case Quantization::Uniform:
      return "uniform";
    case Quantization::PowerOfTwo:
      return "power_of_two";
    case Quantization::Codebook:
      return "codebook";
  }
  return "uniform";
}

// The shape, stride and padding keys of one layer (an fc layer: its R, S are H, W).
void emit_shape(YAML::Emitter& out, const Layer& l) {
  out << YAML::Key << "type" << YAML::Value
      << (l.kind == LayerKind::FullyConnected ? "fc" : "conv");
  for (const auto& [key, v] : {std::pair<const char*, std::int64_t>{"N", l.N},
                               {"M", l.M},
                               {"C", l.C},
                               {"H", l.H},
                               {"W", l.W}})
    out << YAML::Key << key << YAML::Value << v;
  if (l.kind == LayerKind::FullyConnected) return;
  out << YAML::Key << "R" << YAML::Value << l.R << YAML::Key << "S" << YAML::Value << l.S;
  emit_geometry(out, l);
  out << YAML::Key << "groups" << YAML::Value << l.groups;
}

// The data keys: densities, bits, quantization, given operands and the input chain.
void emit_data(YAML::Emitter& out, const Layer& l) {
  out << YAML::Key << "relu" << YAML::Value << l.relu;
  out << YAML::Key << "product_shift" << YAML::Value << l.product_shift;
  if (!l.input_from_previous && l.ifmap_file.empty())
    out << YAML::Key << "input_density" << YAML::Value << l.input_density;
  out << YAML::Key << "weight_density" << YAML::Value << l.weight_density;
  out << YAML::Key << "weight_granularity" << YAML::Value << granularity_name(l.weight_granularity);
  out << YAML::Key << "weight_bits" << YAML::Value << l.weight_bits;
  out << YAML::Key << "input_bits" << YAML::Value << l.input_bits;
  out << YAML::Key << "quantization" << YAML::Value << quantization_name(l.quantization);
  if (l.quantization == Quantization::Codebook)
    out << YAML::Key << "codebook_size" << YAML::Value << l.codebook_size;
  if (l.output_density >= 0)
    out << YAML::Key << "output_density" << YAML::Value << l.output_density;
  if (l.accumulator_bits_given > 0)
    out << YAML::Key << "accumulator_bits" << YAML::Value << l.accumulator_bits_given;
  const auto absolute = [](const std::string& f) {
    return std::filesystem::absolute(f).lexically_normal().string();
  };
  if (!l.ifmap_file.empty())
    out << YAML::Key << "ifmap_file" << YAML::Value << YAML::DoubleQuoted << absolute(l.ifmap_file);
  if (!l.weights_file.empty())
    out << YAML::Key << "weights_file" << YAML::Value << YAML::DoubleQuoted
        << absolute(l.weights_file);
  if (!l.input_from_previous) return;
  out << YAML::Key << "input_from" << YAML::Value << "previous";
  if (l.input_pool.kind.empty()) return;
  out << YAML::Key << "input_pool" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "kind" << YAML::Value << l.input_pool.kind;
  out << YAML::Key << "size" << YAML::Value << l.input_pool.size;
  out << YAML::Key << "stride" << YAML::Value << l.input_pool.stride;
  out << YAML::Key << "padding" << YAML::Value << l.input_pool.padding << YAML::EndMap;
}

}  // namespace

void emit_geometry(YAML::Emitter& out, const Layer& l) {
  // One number where every axis has it (the only form before per-axis geometry).
  const auto emit = [&out](const char* key, std::vector<std::int64_t> v) {
    out << YAML::Key << key << YAML::Value;
    if (std::all_of(v.begin(), v.end(), [&v](std::int64_t x) { return x == v[0]; }))
      out << v[0];
    else
      out << YAML::Flow << v;
  };
  emit("stride", {l.stride_h, l.stride_w});
  emit("padding", {l.pad_top, l.pad_bottom, l.pad_left, l.pad_right});
  if (l.dilation_h != 1 || l.dilation_w != 1) emit("dilation", {l.dilation_h, l.dilation_w});
}

std::string network_yaml(const Network& net) {
  YAML::Emitter out;
  out.SetDoublePrecision(17);  // densities round-trip exactly
  out << YAML::BeginMap << YAML::Key << "network" << YAML::Value << YAML::DoubleQuoted << net.name;
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const Layer& l : net.layers) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << YAML::DoubleQuoted << l.name;
    emit_shape(out, l);
    emit_data(out, l);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::ostream& operator<<(std::ostream& os, const Layer& l) {
  os << l.name << " [" << (l.kind == LayerKind::Conv ? "conv" : "fc") << "] N=" << l.N
     << " M=" << l.M << " C=" << l.C << " H=" << l.H << " W=" << l.W << " R=" << l.R << " S=" << l.S
     << " E=" << l.E() << " F=" << l.F() << ' ' << l.geometry() << " groups=" << l.groups;
  return os;
}

}  // namespace dfsim
