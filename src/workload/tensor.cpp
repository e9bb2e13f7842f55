#include "workload/tensor.hpp"

#include <cmath>
#include <utility>

#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "base/text.hpp"
#include "workload/npy.hpp"

namespace dfsim {

namespace {

// Picks `keep` of `count` indices (exact), by a seeded partial shuffle; returns a mask.
std::vector<char> choose(std::size_t count, std::size_t keep, std::uint64_t& state) {
  if (keep == count) {
    // Every index: the shuffle would only advance the generator, one step per index, and a
    // splitmix64 step adds its constant to the state; so the state advances the same.
    state += static_cast<std::uint64_t>(keep) * kSplitmix64Gamma;
    return std::vector<char>(count, 1);
  }
  std::vector<char> mask(count, 0);
  std::vector<std::uint32_t> order(count);
  for (std::size_t i = 0; i < count; ++i) order[i] = static_cast<std::uint32_t>(i);
  for (std::size_t i = 0; i < keep; ++i) {
    const std::size_t j = i + splitmix64(state) % (count - i);
    std::swap(order[i], order[j]);
    mask[order[i]] = 1;
  }
  return mask;
}

// Weights [M][C/G][R][S] with the layer's density (exact at its granularity), bit width and
// quantization. Every kept weight is non-zero.
void generate_weights(const Layer& l, std::uint64_t& state, Tensor4& w) {
  const std::int64_t M = w.d0, Cg = w.d1, R = w.d2, S = w.d3;
  const std::int64_t lo = -(std::int64_t{1} << (l.weight_bits - 1)),
                     hi = (std::int64_t{1} << (l.weight_bits - 1)) - 1;
  // The unit index of each weight under the granularity.
  auto unit_of = [&](std::int64_t m, std::int64_t c, std::int64_t r,
                     std::int64_t s) -> std::int64_t {
    switch (l.weight_granularity) {
      case Granularity::Fine:
        return ((m * Cg + c) * R + r) * S + s;
      case Granularity::Vector:
        return (m * Cg + c) * R + r;
      case Granularity::Kernel:
        return m * Cg + c;
      case Granularity::Filter:
        return m;
      case Granularity::Channel:
        return (m / l.M_per_group()) * Cg + c;  // per group
    }
    return 0;
  };
  const std::int64_t units = l.weight_granularity == Granularity::Fine     ? M * Cg * R * S
                             : l.weight_granularity == Granularity::Vector ? M * Cg * R
                             : l.weight_granularity == Granularity::Kernel ? M * Cg
                             : l.weight_granularity == Granularity::Filter ? M
                                                                           : l.groups * Cg;
  const auto kept =
      static_cast<std::size_t>(std::llround(l.weight_density * static_cast<double>(units)));
  const std::vector<char> keep = choose(static_cast<std::size_t>(units), kept, state);
  // A non-zero value of the quantization.
  std::vector<Value> codebook;
  if (l.quantization == Quantization::Codebook) {
    std::vector<Value> all;
    for (std::int64_t v = lo; v <= hi; ++v)
      if (v) all.push_back(static_cast<Value>(v));
    const std::vector<char> pick =
        choose(all.size(), static_cast<std::size_t>(l.codebook_size), state);
    for (std::size_t i = 0; i < all.size(); ++i)
      if (pick[i]) codebook.push_back(all[i]);
  }
  auto value = [&]() -> Value {
    switch (l.quantization) {
      case Quantization::Uniform: {
        const auto span = static_cast<std::uint64_t>(hi - lo);  // non-zero values: span of them
        std::int64_t v = lo + static_cast<std::int64_t>(splitmix64(state) % span);
        if (v >= 0) ++v;  // skip zero
        return static_cast<Value>(v);
      }
      case Quantization::PowerOfTwo: {
        const std::int64_t exps = std::max<std::int64_t>(1, l.weight_bits - 1);
        const std::uint64_t r = splitmix64(state);
        const std::int64_t mag =
            std::int64_t{1} << (static_cast<std::int64_t>(r % static_cast<std::uint64_t>(exps)));
        return static_cast<Value>(((r >> 32) & 1) || mag > hi ? -mag : mag);
      }
      case Quantization::Codebook:
        return codebook[static_cast<std::size_t>(splitmix64(state) % codebook.size())];
    }
    return 1;
  };
  for (std::int64_t m = 0; m < M; ++m)
    for (std::int64_t c = 0; c < Cg; ++c)
      for (std::int64_t r = 0; r < R; ++r)
        for (std::int64_t s = 0; s < S; ++s)
          w.at(m, c, r, s) =
              keep[static_cast<std::size_t>(unit_of(m, c, r, s))] ? value() : Value{0};
}

// A .npy operand, checked against the shape the layer needs and the 16-bit datapath.
void load_operand(const Layer& l, const std::string& path, const char* what, Tensor4& t) {
  NpyArray a;
  try {
    a = load_npy(path);
  } catch (const ConfigError& e) {  // say which layer and key named the file
    throw ConfigError(l.where + ": layer '" + l.name + "': " + what + ": " + e.what());
  }
  const std::vector<std::int64_t> want = {t.d0, t.d1, t.d2, t.d3};
  if (a.shape != want) {
    auto str = [](const std::vector<std::int64_t>& s) {
      std::string o = "(";
      for (std::size_t i = 0; i < s.size(); ++i) o += (i ? ", " : "") + std::to_string(s[i]);
      return o + ")";
    };
    throw ConfigError(l.where + ": layer '" + l.name + "': " + what + " " + path + " has shape " +
                      str(a.shape) + ", the layer needs " + str(want));
  }
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    if (a.values[i] < -32768 || a.values[i] > 32767)
      throw ConfigError(l.where + ": layer '" + l.name + "': " + what + ": " + path + ": value " +
                        std::to_string(a.values[i]) + " at flat index " + std::to_string(i) +
                        " does not fit the 16-bit datapath");
    t.data[i] = static_cast<Value>(a.values[i]);
  }
}

}  // namespace

LayerData make_layer_data(const Layer& l, std::uint64_t seed) {
  LayerData d{Tensor4(l.N, l.C, l.H, l.W), Tensor4(l.M, l.C_per_group(), l.R, l.S)};
  if (!l.ifmap_file.empty() || !l.weights_file.empty()) {
    // Generate first so a layer with only one file gets the other from the seed.
    LayerData generated = make_layer_data(
        [&] {
          Layer g = l;
          g.ifmap_file.clear();
          g.weights_file.clear();
          return g;
        }(),
        seed);
    d = std::move(generated);
    if (!l.ifmap_file.empty()) load_operand(l, l.ifmap_file, "ifmap_file", d.ifmap);
    if (!l.weights_file.empty()) load_operand(l, l.weights_file, "weights_file", d.weights);
    return d;
  }
  std::uint64_t state = seed ^ fnv1a64(l.name);
  // Exactly round(density * count) non-zero ifmap values in [1, 2^(input_bits-1) - 1], at
  // positions drawn by a seeded partial Fisher-Yates shuffle.
  const std::uint64_t in_max = (std::uint64_t{1} << (l.input_bits - 1)) - 1;
  const std::size_t count = d.ifmap.data.size();
  const auto nonzeros =
      static_cast<std::size_t>(std::llround(l.input_density * static_cast<double>(count)));
  if (nonzeros == count) {
    for (auto& v : d.ifmap.data) v = static_cast<Value>(1 + splitmix64(state) % in_max);
  } else {
    std::vector<std::uint32_t> order(count);
    for (std::size_t i = 0; i < count; ++i) order[i] = static_cast<std::uint32_t>(i);
    for (std::size_t i = 0; i < nonzeros; ++i) {
      const std::size_t j = i + splitmix64(state) % (count - i);
      std::swap(order[i], order[j]);
      d.ifmap.data[order[i]] = static_cast<Value>(1 + splitmix64(state) % in_max);
    }
  }
  generate_weights(l, state, d.weights);
  return d;
}

__attribute__((target_clones("avx2", "default"))) void mac_row(Psum* out, const Value* in,
                                                               std::int64_t stride, Value w,
                                                               std::int64_t shift,
                                                               std::int64_t count) {
  const std::int32_t wv = w;
  const int sh = static_cast<int>(shift);
  if (stride == 1) {
    for (std::int64_t f = 0; f < count; ++f)
      out[f] += static_cast<Psum>((wv * static_cast<std::int32_t>(in[f])) >> sh);
  } else {
    for (std::int64_t f = 0; f < count; ++f)
      out[f] += static_cast<Psum>((wv * static_cast<std::int32_t>(in[f * stride])) >> sh);
  }
}

Tensor4 pool(const Tensor4& in, const Layer::Pool& p) {
  if (p.kind.empty()) return in;
  const std::int64_t Ho = (in.d2 + 2 * p.padding - p.size) / p.stride + 1;
  const std::int64_t Wo = (in.d3 + 2 * p.padding - p.size) / p.stride + 1;
  Tensor4 out(in.d0, in.d1, std::max<std::int64_t>(0, Ho), std::max<std::int64_t>(0, Wo));
  for (std::int64_t n = 0; n < in.d0; ++n)
    for (std::int64_t c = 0; c < in.d1; ++c)
      for (std::int64_t y = 0; y < out.d2; ++y)
        for (std::int64_t x = 0; x < out.d3; ++x) {
          std::int64_t best = -32768, sum = 0, count = 0;
          for (std::int64_t i = 0; i < p.size; ++i)
            for (std::int64_t j = 0; j < p.size; ++j) {
              const std::int64_t h = y * p.stride + i - p.padding, w = x * p.stride + j - p.padding;
              if (h < 0 || h >= in.d2 || w < 0 || w >= in.d3) continue;
              const std::int64_t v = in.at(n, c, h, w);
              best = std::max(best, v);
              sum += v;
              ++count;
            }
          // Average rounds toward negative infinity, so it is the same on every platform.
          out.at(n, c, y, x) =
              static_cast<Value>(p.kind == "max" ? best
                                 : count ? (sum >= 0 ? sum / count : -((-sum + count - 1) / count))
                                         : 0);
        }
  return out;
}

NonZeroCounts count_nonzeros(const Layer& l, const LayerData& d) {
  NonZeroCounts nz;
  for (Value v : d.weights.data) nz.weights += v != 0;
  // For each (channel, r, s): how many output positions read a non-zero input through it.
  const std::int64_t E = l.E(), F = l.F(), Cg = l.C_per_group(), Mg = l.M_per_group();
  std::vector<std::int64_t> reach(static_cast<std::size_t>(l.C * l.R * l.S), 0);
  for (std::int64_t n = 0; n < l.N; ++n)
    for (std::int64_t c = 0; c < l.C; ++c)
      for (std::int64_t r = 0; r < l.R; ++r)
        for (std::int64_t e = 0; e < E; ++e) {
          const std::int64_t h = e * l.stride + r - l.padding;
          if (h < 0 || h >= l.H) continue;
          for (std::int64_t s = 0; s < l.S; ++s) {
            std::int64_t cnt = 0;
            for (std::int64_t f = 0; f < F; ++f) {
              const std::int64_t w = f * l.stride + s - l.padding;
              cnt += w >= 0 && w < l.W && d.ifmap.at(n, c, h, w) != 0;
            }
            reach[static_cast<std::size_t>((c * l.R + r) * l.S + s)] += cnt;
          }
        }
  for (std::int64_t m = 0; m < l.M; ++m)
    for (std::int64_t c = 0; c < Cg; ++c)
      for (std::int64_t r = 0; r < l.R; ++r)
        for (std::int64_t s = 0; s < l.S; ++s)
          if (d.weights.at(m, c, r, s) != 0)
            nz.macs += reach[static_cast<std::size_t>((((m / Mg) * Cg + c) * l.R + r) * l.S + s)];
  return nz;
}

namespace {

// The padded input of image n, [C][Hp][Wp].
void pad_image(const Layer& l, const Tensor4& ifmap, std::int64_t n, std::vector<Value>& padded) {
  const std::int64_t Hp = l.H + 2 * l.padding, Wp = l.W + 2 * l.padding;
  std::fill(padded.begin(), padded.end(), 0);
  for (std::int64_t c = 0; c < l.C; ++c)
    for (std::int64_t h = 0; h < l.H; ++h)
      for (std::int64_t w = 0; w < l.W; ++w)
        padded[static_cast<std::size_t>((c * Hp + h + l.padding) * Wp + w + l.padding)] =
            ifmap.at(n, c, h, w);
}

// The inputs filter tap (r, s) of a plane meets at every output position, [E][F] (one row of
// im2col): every filter of the group multiplies the same row.
void tap_row(const Layer& l, const Value* plane, std::int64_t r, std::int64_t s, Value* row) {
  const std::int64_t E = l.E(), F = l.F(), Wp = l.W + 2 * l.padding;
  for (std::int64_t e = 0; e < E; ++e) {
    const Value* in = plane + (e * l.stride + r) * Wp + s;
    for (std::int64_t f = 0; f < F; ++f) row[e * F + f] = in[f * l.stride];
  }
}

}  // namespace

// Per group and input tap (c, r, s), the tap's im2col row is built once and every filter of the
// group accumulates weight x row into its [E][F] psums (mac_row over E x F contiguous values);
// a zero weight adds nothing and is skipped. Sums are the same as the definition's: each product
// is shifted before it is added, and the unsigned 32-bit sums wrap identically in any order.
Tensor4 reference_conv(const Layer& l, const LayerData& d, const Arithmetic& arith) {
  const std::int64_t E = l.E(), F = l.F(), Cg = l.C_per_group(), Mg = l.M_per_group();
  const std::int64_t Hp = l.H + 2 * l.padding, Wp = l.W + 2 * l.padding, EF = E * F;
  Tensor4 out(l.N, l.M, E, F);
  std::vector<Value> padded(static_cast<std::size_t>(l.C * Hp * Wp));
  std::vector<Value> row(static_cast<std::size_t>(EF));
  std::vector<Psum> acc(static_cast<std::size_t>(Mg * EF));
  for (std::int64_t n = 0; n < l.N; ++n) {
    pad_image(l, d.ifmap, n, padded);
    for (std::int64_t g = 0; g < l.groups; ++g) {
      std::fill(acc.begin(), acc.end(), 0);
      for (std::int64_t c = 0; c < Cg; ++c)
        for (std::int64_t r = 0; r < l.R; ++r)
          for (std::int64_t s = 0; s < l.S; ++s) {
            tap_row(l, &padded[static_cast<std::size_t>((g * Cg + c) * Hp * Wp)], r, s, row.data());
            for (std::int64_t m = 0; m < Mg; ++m) {
              const Value wv = d.weights.at(g * Mg + m, c, r, s);
              if (wv != 0)
                mac_row(&acc[static_cast<std::size_t>(m * EF)], row.data(), 1, wv,
                        arith.product_shift, EF);
            }
          }
      for (std::int64_t m = 0; m < Mg; ++m)
        for (std::int64_t i = 0; i < EF; ++i)
          out.data[static_cast<std::size_t>(((n * l.M + g * Mg + m) * EF) + i)] =
              arith.to_ofmap(acc[static_cast<std::size_t>(m * EF + i)]);
    }
  }
  return out;
}

}  // namespace dfsim
