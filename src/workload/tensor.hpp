// Dense tensors of the functional model and the plain reference convolution they are checked
// against.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "workload/layer.hpp"

namespace dfsim {

using Value = std::int16_t;  // 16-bit fixed-point operand (weights, ifmaps, ofmaps)
using Psum = std::uint32_t;  // exact 32-bit accumulator; unsigned so wrap-around is defined

// A row-major 4-D tensor [d0][d1][d2][d3].
struct Tensor4 {
  std::int64_t d0 = 0, d1 = 0, d2 = 0, d3 = 0;
  std::vector<Value> data;

  Tensor4() = default;
  Tensor4(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d)
      : d0(a), d1(b), d2(c), d3(d), data(static_cast<std::size_t>(a * b * c * d), 0) {}
  std::int64_t index(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d) const {
    return ((a * d1 + b) * d2 + c) * d3 + d;
  }
  Value& at(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d) {
    return data[static_cast<std::size_t>(index(a, b, c, d))];
  }
  Value at(std::int64_t a, std::int64_t b, std::int64_t c, std::int64_t d) const {
    return data[static_cast<std::size_t>(index(a, b, c, d))];
  }
  bool operator==(const Tensor4& o) const {
    return d0 == o.d0 && d1 == o.d1 && d2 == o.d2 && d3 == o.d3 && data == o.data;
  }
};

// The operands of one layer: ifmap [N][C][H][W], weights [M][C/G][R][S].
struct LayerData {
  Tensor4 ifmap;
  Tensor4 weights;
};

// Deterministic operands from a seed: ifmaps non-negative (post-ReLU activations) with
// exactly the layer's input_density of non-zeros in [1, 127], weights in [-128, 127]. The same
// (layer, seed) gives the same values on every platform.
LayerData make_layer_data(const Layer& layer, std::uint64_t seed);

// Fixed-point arithmetic shared by the models and the reference (docs/models.md):
//   product = (w * x) >> product_shift        (32-bit, arithmetic shift)
//   psum    = sum of products mod 2^psum_bits (wrap-around, so any accumulation order gives
//                                              the same bits)
//   ofmap   = saturate to ofmap_bits (sign-extended psum >> output_shift), then ReLU
// The row-stationary datapath drops bits per product (product_shift = the layer's shift,
// output_shift = 0); the systolic one keeps exact int32 sums and drops them at the
// activation unit (product_shift = 0, output_shift = the layer's shift, 8-bit ofmaps).
struct Arithmetic {
  std::int64_t product_shift = 8;
  std::int64_t psum_bits = 16;
  bool relu = true;
  std::int64_t output_shift = 0;
  std::int64_t ofmap_bits = 16;
  Psum mask() const { return psum_bits >= 32 ? ~Psum{0} : ((Psum{1} << psum_bits) - 1); }
  Value to_ofmap(Psum acc) const {
    std::int32_t v;
    if (psum_bits >= 32) {
      v = static_cast<std::int32_t>(acc);
    } else {
      const std::uint32_t sign = std::uint32_t{1} << (psum_bits - 1);
      v = static_cast<std::int32_t>(((acc & mask()) ^ sign) - sign);
    }
    v >>= output_shift;
    const std::int32_t hi = (1 << (ofmap_bits - 1)) - 1, lo = -(1 << (ofmap_bits - 1));
    if (v > hi) v = hi;
    if (v < lo) v = lo;
    if (relu && v < 0) v = 0;
    return static_cast<Value>(v);
  }
};

// The tutorial's Table IV metrics, counted on the actual operands: non-zero weights, and
// MACs whose weight and ifmap value are both non-zero (padding counts as zero).
struct NonZeroCounts {
  std::int64_t weights = 0;
  std::int64_t macs = 0;
};
NonZeroCounts count_nonzeros(const Layer& layer, const LayerData& data);

// Pooling of an ofmap on its way to the next layer (host side): [N][C][H][W] windows of
// size x size at `stride`, padding counted as absent (max) or as zeros excluded (avg).
Tensor4 pool(const Tensor4& in, const Layer::Pool& p);
// The pooled plane's height and width for an h x w input (no pooling: h x w).
std::pair<std::int64_t, std::int64_t> pooled_size(std::int64_t h, std::int64_t w,
                                                  const Layer::Pool& p);

// The convolution by its definition (grouped, strided, padded) with the same arithmetic,
// computed as an im2col + blocked integer GEMM over the whole batch (independent of the
// models' datapaths); returns the ofmap [N][M][E][F]. Memory beyond the output: about 32 K
// operands of im2col (at least C/G x R x S x 256) and 4 x 256 to 4 x 4096 psums.
Tensor4 reference_conv(const Layer& layer, const LayerData& data, const Arithmetic& arith);

// out[f] += (w * in[f * stride]) >> shift for f in [0, count): a PE model's row of MACs in the
// arithmetic above (the single-PE example style of tests/single_pe_style uses it).
void mac_row(Psum* out, const Value* in, std::int64_t stride, Value w, std::int64_t shift,
             std::int64_t count);

}  // namespace dfsim
