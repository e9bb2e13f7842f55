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

std::pair<std::int64_t, std::int64_t> pooled_size(std::int64_t h, std::int64_t w,
                                                  const Layer::Pool& p) {
  if (p.kind.empty()) return {h, w};
  const auto side = [&](std::int64_t n) {
    return std::max<std::int64_t>(0, (n + 2 * p.padding - p.size) / p.stride + 1);
  };
  return {side(h), side(w)};
}

Tensor4 pool(const Tensor4& in, const Layer::Pool& p) {
  if (p.kind.empty()) return in;
  const auto [Ho, Wo] = pooled_size(in.d2, in.d3, p);
  Tensor4 out(in.d0, in.d1, Ho, Wo);
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

namespace {

// Per input row h of one (image, channel) plane: for each filter column s, the output columns f
// whose tap s reads a non-zero value of the row (row_count[h * S + s]).
void count_row_taps(const Layer& l, const Value* plane, std::vector<std::int64_t>& row_count) {
  const ConvAxis cols = l.cols();
  const std::int64_t F = l.F();
  for (std::int64_t h = 0; h < l.H; ++h) {
    const Value* row = plane + h * l.W;
    for (std::int64_t s = 0; s < l.S; ++s) {
      std::int64_t cnt = 0;
      for (std::int64_t f = 0; f < F; ++f) {
        const std::int64_t w = cols.input(f, s);
        cnt += cols.inside(w) && row[w] != 0;
      }
      row_count[static_cast<std::size_t>(h * l.S + s)] = cnt;
    }
  }
}

}  // namespace

NonZeroCounts count_nonzeros(const Layer& l, const LayerData& d) {
  NonZeroCounts nz;
  for (Value v : d.weights.data) nz.weights += v != 0;
  // For each (channel, r, s): how many output positions read a non-zero input through it.
  // An input row h serves every (r, e) with rows.input(e, r) = h: its count per s (the output
  // columns f whose tap s reads a non-zero) is made once per row.
  const ConvAxis rows = l.rows();
  const std::int64_t E = l.E(), Cg = l.C_per_group(), Mg = l.M_per_group();
  std::vector<std::int64_t> reach(static_cast<std::size_t>(l.C * l.R * l.S), 0);
  std::vector<std::int64_t> row_count(static_cast<std::size_t>(l.H * l.S));
  for (std::int64_t n = 0; n < l.N; ++n)
    for (std::int64_t c = 0; c < l.C; ++c) {
      count_row_taps(l, &d.ifmap.data[static_cast<std::size_t>(d.ifmap.index(n, c, 0, 0))],
                     row_count);
      for (std::int64_t r = 0; r < l.R; ++r)
        for (std::int64_t e = 0; e < E; ++e) {
          const std::int64_t h = rows.input(e, r);
          if (!rows.inside(h)) continue;
          for (std::int64_t s = 0; s < l.S; ++s)
            reach[static_cast<std::size_t>((c * l.R + r) * l.S + s)] +=
                row_count[static_cast<std::size_t>(h * l.S + s)];
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

// The reference is an im2col + blocked integer GEMM, independent of the models' datapaths:
// the columns are the output positions of the whole batch, p = (n, e, f), taken a block at a
// time (block_positions); for one block, col[k][p] holds the input tap k = (c, r, s) of the group
// meets at p (zero in the padding), and kRows filters at a time accumulate W[m][k] x col[k][.] into
// a block of psums each, which stay in the L1 cache while the taps stream by.
constexpr int kRows = 4;  // filters accumulated together (one col load each)
// Output positions per block: 256, more for few taps (a depthwise layer's 9) so that a block's
// fixed costs are spread over more MACs; col stays within about 32 K operands.
std::int64_t block_positions(std::int64_t taps) {
  std::int64_t b = 256;
  while (b < 4096 && 2 * b * taps <= 32768) b *= 2;
  return b;
}

// acc[j][p] += (w[j] * col[p]) >> shift for the first `rows` filters, p in [0, count): each
// product is shifted before it is added, as the definition's; unsigned sums wrap identically
// in any order.
__attribute__((target_clones("avx2", "default"))) void mac_rows(Psum* __restrict acc,
                                                                const Value* __restrict col,
                                                                const std::int32_t* w, int rows,
                                                                int shift, std::int64_t count,
                                                                std::int64_t block) {
  for (int j = 0; j < rows; ++j) {
    const std::int32_t wv = w[j];
    if (wv == 0) continue;  // adds nothing
    Psum* __restrict a = acc + j * block;
    for (std::int64_t p = 0; p < count; ++p)
      a[p] += static_cast<Psum>((wv * static_cast<std::int32_t>(col[p])) >> shift);
  }
}

// out[x] = the input column cols.input(f + x, s) of `row` for x < run, zero in the padding:
// zeros, a strided copy, zeros.
void copy_taps(const Value* row, const ConvAxis& cols, std::int64_t s, std::int64_t f,
               std::int64_t run, Value* out) {
  const std::int64_t st = cols.stride, off = cols.input(0, s);  // w = (f + x) * st + off
  // The first x with w >= 0 and the first with w >= W, both within [0, run].
  const auto first_at = [&](std::int64_t bound) {
    const std::int64_t need = bound - off - f * st;  // x * st >= need
    const std::int64_t x = need <= 0 ? 0 : (need + st - 1) / st;
    return std::min(x, run);
  };
  const std::int64_t lo = first_at(0), hi = std::max(lo, first_at(cols.size));
  std::fill(out, out + lo, Value{0});
  if (hi > lo) {
    const Value* in = row + (f + lo) * st + off;
    if (st == 1)
      std::copy(in, in + (hi - lo), out + lo);
    else
      for (std::int64_t x = lo; x < hi; ++x) out[x] = in[(x - lo) * st];
  }
  std::fill(out + hi, out + run, Value{0});
}

// col[k][i] for the block's positions p0 + i (i < count) and every tap k of group g, one output
// row (n, e) at a time.
void im2col_block(const Layer& l, const Tensor4& ifmap, std::int64_t g, std::int64_t p0,
                  std::int64_t count, std::int64_t block, std::vector<Value>& col) {
  const std::int64_t E = l.E(), F = l.F(), Cg = l.C_per_group();
  const ConvAxis rows = l.rows(), cols = l.cols();
  std::int64_t k = 0;
  for (std::int64_t c = 0; c < Cg; ++c)
    for (std::int64_t r = 0; r < l.R; ++r)
      for (std::int64_t s = 0; s < l.S; ++s, ++k) {
        Value* out = &col[static_cast<std::size_t>(k * block)];
        std::int64_t n = p0 / (E * F), e = (p0 / F) % E, f = p0 % F;
        for (std::int64_t i = 0; i < count;) {
          const std::int64_t run = std::min(F - f, count - i);  // positions left in the row
          const std::int64_t h = rows.input(e, r);
          if (!rows.inside(h)) {
            std::fill(out + i, out + i + run, Value{0});
          } else {
            const Value* row =
                &ifmap.data[static_cast<std::size_t>(ifmap.index(n, g * Cg + c, h, 0))];
            copy_taps(row, cols, s, f, run, out + i);
          }
          i += run;
          f = 0;
          if (++e == E) e = 0, ++n;
        }
      }
}

// The block's psums of filters m0 .. m0 + rows - 1 of group g, to the ofmap.
void write_block(const Layer& l, const Arithmetic& arith, std::int64_t g, std::int64_t m0, int rows,
                 std::int64_t p0, std::int64_t count, std::int64_t block,
                 const std::vector<Psum>& acc, Tensor4& out) {
  const std::int64_t EF = l.E() * l.F(), Mg = l.M_per_group();
  for (int j = 0; j < rows; ++j) {
    std::int64_t n = p0 / EF, q = p0 % EF;
    for (std::int64_t i = 0; i < count; ++i) {
      out.data[static_cast<std::size_t>((n * l.M + g * Mg + m0 + j) * EF + q)] =
          arith.to_ofmap(acc[static_cast<std::size_t>(j * block + i)]);
      if (++q == EF) q = 0, ++n;
    }
  }
}

}  // namespace

Tensor4 reference_conv(const Layer& l, const LayerData& d, const Arithmetic& arith) {
  const std::int64_t Mg = l.M_per_group(), K = l.C_per_group() * l.R * l.S;
  const std::int64_t positions = l.N * l.E() * l.F();
  const std::int64_t block = block_positions(K);
  Tensor4 out(l.N, l.M, l.E(), l.F());
  std::vector<Value> col(static_cast<std::size_t>(K * block));
  std::vector<Psum> acc(static_cast<std::size_t>(kRows * block));
  std::vector<std::int32_t> w(static_cast<std::size_t>(K * kRows));
  const int shift = static_cast<int>(arith.product_shift);
  for (std::int64_t g = 0; g < l.groups; ++g)
    for (std::int64_t p0 = 0; p0 < positions; p0 += block) {
      const std::int64_t count = std::min(block, positions - p0);
      im2col_block(l, d.ifmap, g, p0, count, block, col);
      for (std::int64_t m0 = 0; m0 < Mg; m0 += kRows) {
        const int rows = static_cast<int>(std::min<std::int64_t>(kRows, Mg - m0));
        // The weights [M][C/G][R][S] of the rows, k-major: w[k][j].
        for (int j = 0; j < rows; ++j)
          for (std::int64_t k = 0; k < K; ++k)
            w[static_cast<std::size_t>(k * kRows + j)] =
                d.weights.data[static_cast<std::size_t>((g * Mg + m0 + j) * K + k)];
        std::fill(acc.begin(), acc.begin() + rows * block, 0);
        for (std::int64_t k = 0; k < K; ++k)
          mac_rows(acc.data(), &col[static_cast<std::size_t>(k * block)],
                   &w[static_cast<std::size_t>(k * kRows)], rows, shift, count, block);
        write_block(l, arith, g, m0, rows, p0, count, block, acc, out);
      }
    }
  return out;
}

}  // namespace dfsim
