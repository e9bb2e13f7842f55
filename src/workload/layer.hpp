// Workload types: a CNN layer in the Sze et al. tutorial's shape names, and a network of them.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace YAML {
class Emitter;
}

namespace dfsim {

enum class LayerKind { Conv, FullyConnected };

// Pruning granularity: the unit that is kept or removed as a whole.
//   fine: one weight; vector: a filter row (S weights); kernel: an R x S kernel of one
//   (filter, channel); filter: a whole filter (C/G x R x S); channel: one input channel of
//   every filter of its group (M/G x R x S).
enum class Granularity { Fine, Vector, Kernel, Filter, Channel };
// How the non-zero weights are quantized: uniform integers, signed powers of two, or a
// codebook of K shared values (Deep Compression style).
enum class Quantization { Uniform, PowerOfTwo, Codebook };

// Sizes dfsim simulates (issue 21: larger ones are refused before any work, never overflow or
// hang): every dimension up to kMaxLayerDim, each tensor up to kMaxTensorValues values and a
// layer up to kMaxLayerMacs MACs (about 13 days of simulation at 1 ns per MAC).
constexpr std::int64_t kMaxLayerDim = std::int64_t{1} << 24;
constexpr double kMaxTensorValues = 1099511627776.0;  // 2^40
constexpr double kMaxLayerMacs = 1125899906842624.0;  // 2^50

// One spatial axis of a convolution (the arithmetic of Dumoulin and Visin, "A guide to
// convolution arithmetic for deep learning", 2016, section 2): `size` input values with
// `pad_before` and `pad_after` zeros around them, a filter of `taps` taps `dilation` apart,
// moved by `stride`. Output o's tap t reads input index o * stride + t * dilation - pad_before,
// a padding zero outside [0, size).
struct ConvAxis {
  std::int64_t size = 1, taps = 1, stride = 1, dilation = 1, pad_before = 0, pad_after = 0;
  std::int64_t padded() const { return size + pad_before + pad_after; }
  // Input values one output's window spans (padding included).
  std::int64_t extent() const { return dilation * (taps - 1) + 1; }
  std::int64_t outputs() const { return (padded() - extent()) / stride + 1; }
  std::int64_t input(std::int64_t o, std::int64_t t) const {
    return o * stride + t * dilation - pad_before;
  }
  bool inside(std::int64_t i) const { return i >= 0 && i < size; }
};

// One CONV or FC layer. Shapes follow the tutorial:
//   N batch, M output channels (filters), C input channels, H x W ifmap (unpadded),
//   R x S filter, E x F ofmap, U stride, P padding, G groups.
// Stride, padding and dilation are per axis (rows: H, R, E; columns: W, S, F); a layer with
// the same stride on both axes, the same padding on all four sides and no dilation is
// `uniform` (the only kind some array styles run).
// Grouped convolution splits C and M into G independent groups (C/G and M/G each);
// depthwise convolution is G == C == M. An FC layer is a CONV whose filter covers the
// whole ifmap (R == H, S == W, no padding, stride 1), so E == F == 1.
struct Layer {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  std::int64_t N = 1;
  std::int64_t M = 1;
  std::int64_t C = 1;
  std::int64_t H = 1;
  std::int64_t W = 1;
  std::int64_t R = 1;
  std::int64_t S = 1;
  std::int64_t stride_h = 1, stride_w = 1;  // U down the rows and along them
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;  // 1: adjacent taps
  std::int64_t groups = 1;
  bool relu = true;  // applied to the ofmap
  // Fixed point: each 32-bit product w*x is shifted right (arithmetically) by product_shift
  // before it is accumulated, i.e. truncated to the psum's fraction bits.
  std::int64_t product_shift = 8;
  // Fraction of non-zero ifmap values in the generated data (exact count), e.g. the measured
  // post-ReLU sparsity of a real network's activations.
  double input_density = 1.0;
  // Compressed weights: density with its granularity (the non-zero count is exact at that
  // granularity), bit width and quantization. Input bits bound the generated activations.
  double weight_density = 1.0;
  Granularity weight_granularity = Granularity::Fine;
  std::int64_t weight_bits = 8;  // generated weights lie in [-2^(b-1), 2^(b-1)-1]
  std::int64_t input_bits = 8;   // generated activations lie in [1, 2^(b-1)-1] (post-ReLU)
  Quantization quantization = Quantization::Uniform;
  std::int64_t codebook_size = 0;  // K for the codebook quantization
  double output_density = -1;      // declared (e.g. measured on real images); -1: not given
  // Accumulator width 2N + ceil(log2(C/G*R*S)) for N-bit operands, unless given.
  std::int64_t accumulator_bits_given = 0;
  std::int64_t accumulator_bits() const;
  // Operands given with the workload (.npy, integer): ifmap [N][C][H][W], weights
  // [M][C/G][R][S]; empty: generated from the seed.
  std::string ifmap_file;
  std::string weights_file;
  std::string where;  // file:line:col of the layer's entry, for error messages
  // The ifmap is the previous layer's ofmap (ReLU applied there) run on the actual data,
  // optionally pooled on the way (pooling runs on the host: no accelerator time or energy).
  bool input_from_previous = false;
  struct Pool {
    std::string kind;  // "max" or "avg"; empty: no pooling
    std::int64_t size = 1, stride = 1, padding = 0;
  } input_pool;

  // Why the layer is too large to simulate (a tensor or its MACs beyond the limits above,
  // computed in floating point), or "". Dimensions must be within kMaxLayerDim already.
  std::string size_problem() const;

  // The uniform forms: one stride for both axes, one padding for all four sides.
  void set_stride(std::int64_t u) { stride_h = stride_w = u; }
  void set_padding(std::int64_t p) { pad_top = pad_bottom = pad_left = pad_right = p; }
  ConvAxis rows() const { return {H, R, stride_h, dilation_h, pad_top, pad_bottom}; }
  ConvAxis cols() const { return {W, S, stride_w, dilation_w, pad_left, pad_right}; }
  bool uniform() const {
    return stride_h == stride_w && dilation_h == 1 && dilation_w == 1 && pad_top == pad_bottom &&
           pad_top == pad_left && pad_top == pad_right;
  }
  // The geometry as text: "stride 2, padding 1" when uniform, each axis's otherwise.
  std::string geometry() const;
  std::int64_t E() const { return rows().outputs(); }
  std::int64_t F() const { return cols().outputs(); }
  std::int64_t C_per_group() const { return C / groups; }
  std::int64_t M_per_group() const { return M / groups; }

  // Per image (N == 1) figures, the ones the tutorial's Table II reports.
  std::int64_t weights() const { return M * C_per_group() * R * S; }
  std::int64_t macs_per_image() const { return M * E() * F() * C_per_group() * R * S; }
  // For the whole batch.
  std::int64_t macs() const { return N * macs_per_image(); }
  std::int64_t ifmap_values() const { return N * C * H * W; }
  std::int64_t ofmap_values() const { return N * M * E() * F(); }
};

// The layer as an array runs it when its filter covers the whole input: an FC layer over an
// H x W x C input (R = H, S = W, no padding, one group) becomes C*H*W input channels of a 1 x 1
// plane. Weights [M][C][R][S] and inputs [N][C][H][W] keep their row-major layout, so the same
// operand arrays serve both shapes, and every MAC is the same. Other layers are unchanged.
Layer flatten_fc(const Layer& l);

// A layer with only its identity and loop bounds (name, kind, N M C H W R S, strides, paddings,
// dilations, groups); every other field at its default. Mappers build their estimate's view from
// it.
Layer shape_of(const Layer& l);

// Every field of the layer except its name and source position, as text: two layers with the
// same key are the same problem to a mapper that reads only the layer.
std::string layer_key(const Layer& l);

struct Network {
  std::string name;
  std::string source_file;
  std::vector<Layer> layers;
};

// The network as a workload YAML that loads back to the same layers: every key of every layer
// written out (defaults included, so that the text keeps its meaning if a default changes), data
// files as absolute paths.
std::string network_yaml(const Network& net);

// The layer's stride, padding and dilation keys (workload format): one number where every
// axis has the same, else a list (stride [rows, columns], padding [top, bottom, left, right]);
// no dilation key at dilation 1.
void emit_geometry(YAML::Emitter& out, const Layer& l);

// Loads a network YAML (see docs/config-reference.md, "Workload files"), a Timeloop problem
// YAML (workload/timeloop_import.hpp) or a SCALE-Sim topology CSV (workload/scalesim_import.hpp).
// Every layer is
// validated; errors throw ConfigError naming file, line, column and key.
Network load_network(const std::string& path);
Network load_network_from_string(const std::string& text, const std::string& origin);

// Keeps only the named layers (in the given order); unknown names throw ConfigError.
Network select_layers(const Network& net, const std::vector<std::string>& names);

std::ostream& operator<<(std::ostream& os, const Layer& l);

}  // namespace dfsim
