#include "workload/timeloop_import.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dfsim {

namespace {

const std::vector<std::string> kDimensions = {"C", "M", "R", "S", "N", "P", "Q"};
const std::vector<std::string> kCoefficients = {"Wstride", "Hstride", "Wdilation", "Hdilation"};

// The shape must be Timeloop's cnn-layer: by name (a string, or a map's `name`) and, when
// listed, by its dimensions.
void check_shape(const ConfigNode& shape) {
  std::string name = shape.is_map() ? shape.get_string("name", "cnn-layer") : shape.as_string();
  std::transform(name.begin(), name.end(), name.begin(), [](char c) {
    return c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  if (name != "cnn-layer")
    (shape.is_map() ? shape.at("name") : shape)
        .fail("only Timeloop's cnn-layer problem shape is imported, got '" + name + "'");
  if (!shape.is_map() || !shape.has("dimensions")) return;
  std::vector<std::string> dims;
  for (const ConfigNode& d : shape.at("dimensions").items()) dims.push_back(d.as_string());
  std::vector<std::string> want = kDimensions;
  std::sort(dims.begin(), dims.end());
  std::sort(want.begin(), want.end());
  if (dims != want)
    shape.at("dimensions").fail("expected the cnn-layer dimensions [C, M, R, S, N, P, Q]");
}

// A density of `densities`: a number, or {density: x[, distribution: ...]} with one of
// Timeloop's distributions, in (0, 1].
double density_of(const ConfigNode& n) {
  const ConfigNode d = n.is_map() ? n.at("density") : n;
  if (n.is_map()) {
    n.expect_keys({"density", "distribution"});
    if (n.has("distribution"))
      n.get_choice("distribution", {"fixed", "fixed-structured", "hypergeometric"});
  }
  const double v = d.as_double();
  if (!(v > 0 && v <= 1)) d.fail("must be in (0, 1]");
  return v;
}

// The instance's operand keys: densities, commonDensity, bitwidths.
void apply_operand_keys(const ConfigNode& in, Layer& l) {
  if (in.has("commonDensity"))
    l.weight_density = l.input_density = density_of(in.at("commonDensity"));
  if (in.has("densities")) {
    const ConfigNode d = in.at("densities");
    d.expect_keys({"Weights", "Inputs", "Outputs"});
    if (d.has("Weights")) l.weight_density = density_of(d.at("Weights"));
    if (d.has("Inputs")) l.input_density = density_of(d.at("Inputs"));
    if (d.has("Outputs")) l.output_density = density_of(d.at("Outputs"));  // declared
  }
  if (in.has("bitwidths")) {  // generated operands' widths; the output's is the array's
    const ConfigNode b = in.at("bitwidths");
    b.expect_keys({"Weights", "Inputs"});
    if (b.has("Weights")) l.weight_bits = b.get_int_range("Weights", 1, 16);
    if (b.has("Inputs")) l.input_bits = b.get_int_range("Inputs", 2, 16);
  }
}

// The layer of an instance map (`filters` names the filter count's key: M, or K in the flat
// form).
Layer layer_of(const ConfigNode& in, const std::string& filters, const std::string& name) {
  const auto dim = [&in](const std::string& key, std::optional<std::int64_t> dflt = std::nullopt) {
    const std::int64_t v = dflt ? in.get_int_min(key, 1, *dflt) : in.get_int_min(key, 1);
    if (v > kMaxLayerDim)
      in.at(key).fail("must be <= " + std::to_string(kMaxLayerDim) + " (2^24), got " +
                      std::to_string(v));
    return v;
  };
  Layer l;
  l.name = name;
  l.where = in.where();
  l.C = dim("C");
  l.M = dim(filters);
  l.N = dim("N", 1);
  const std::int64_t width = dim("R"), height = dim("S"), P = dim("P"), Q = dim("Q");
  l.R = height;
  l.S = width;
  l.stride_h = dim("Hstride", 1);
  l.stride_w = dim("Wstride", 1);
  l.dilation_h = dim("Hdilation", 1);
  l.dilation_w = dim("Wdilation", 1);
  // The inputs the Q x P output windows read, no padding.
  l.H = l.stride_h * (Q - 1) + l.dilation_h * (height - 1) + 1;
  l.W = l.stride_w * (P - 1) + l.dilation_w * (width - 1) + 1;
  if (std::max(l.H, l.W) > kMaxLayerDim)
    in.fail("the input these P, Q, R, S and strides read is " + std::to_string(l.H) + " x " +
            std::to_string(l.W) + ", more than " + std::to_string(kMaxLayerDim) + " on a side");
  apply_operand_keys(in, l);
  if (const std::string too_large = l.size_problem(); !too_large.empty()) in.fail(too_large);
  return l;
}

}  // namespace

bool is_timeloop_problem(const ConfigNode& root) { return root.is_map() && root.has("problem"); }

Network import_timeloop_problem(const ConfigNode& root) {
  root.expect_keys({"problem"});
  const ConfigNode p = root.at("problem");
  p.expect_map();
  Network net;
  net.name = std::filesystem::path(root.file()).stem().string();
  net.source_file = root.file();
  std::vector<std::string> keys = kDimensions;
  keys.insert(keys.end(), kCoefficients.begin(), kCoefficients.end());
  for (const char* k : {"densities", "commonDensity", "bitwidths"}) keys.push_back(k);
  if (p.has("instance")) {  // v0.3/v0.4: shape and instance
    p.expect_keys({"version", "shape", "instance"});
    if (p.has("shape")) check_shape(p.at("shape"));
    const ConfigNode in = p.at("instance");
    in.expect_map();
    in.expect_keys(keys);
    net.layers.push_back(layer_of(in, "M", net.name));
  } else {  // the flat form: the instance's keys and the shape in `problem`
    for (const char* k : {"K", "shape", "version"}) keys.push_back(k);
    p.expect_keys(keys);
    if (p.has("shape")) check_shape(p.at("shape"));  // Timeloop assumes cnn-layer without
    if (p.has("K") == p.has("M")) p.fail("give the filter count once, as K (or M)");
    net.layers.push_back(layer_of(p, p.has("K") ? "K" : "M", net.name));
  }
  return net;
}

}  // namespace dfsim
