// The statistics under the planar sparse estimate (arrays/planar_tiled/pt_mapping.hpp),
// against sampling with the project's fixed generator (splitmix64), without SystemC:
// - vector_moments: the sparse PE issues one step per I activations x F weights, so a channel
//   of n values of density d takes ceil(nnz / V) vectors of an operand. Its ceiling of the mean
//   predecessor jumped a whole vector where n d crossed a multiple of V (VGG-16 pruned conv4_2:
//   16 positions at density 0.501 counted 3 vectors where the PE issues 2.5 on average, and the
//   layer simulated 0.75x its estimate).
// - expected_slowest: a group's barrier waits for its slowest PE; with tiles of one pixel the
//   PEs' non-zero counts differ by more than their means do (GoogLeNet-pruned inception_5b-5x5
//   on 6 x 6 PEs simulated 1.31x an estimate that took the largest mean).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <vector>

#include "arrays/planar_tiled/pt_mapping.hpp"
#include "base/text.hpp"

namespace {

using dfsim::expected_slowest;
using dfsim::PeCycles;
using dfsim::splitmix64;
using dfsim::vector_moments;

double uniform(std::uint64_t& state) {
  return static_cast<double>(splitmix64(state) >> 11) * 0x1p-53;
}

// Box-Muller.
double normal(std::uint64_t& state) {
  const double u1 = std::max(uniform(state), 1e-300), u2 = uniform(state);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

TEST(PlanarEstimate, VectorMomentsMatchSampling) {
  struct Case {
    double n, d;
    std::int64_t V;
  };
  // Tile positions and filter taps of the layers named above, a one-pixel tile, and a
  // fractional count (a 3x3 tile shared by 4 stride phases).
  for (const Case c :
       {Case{16, 0.50143, 4}, Case{252, 0.265933, 4}, Case{1, 0.459609, 4}, Case{9, 0.3, 4},
        Case{2.25, 0.5, 4}, Case{1000, 0.346413, 4}, Case{20, 1.0, 4}}) {
    std::uint64_t state = 7;
    constexpr int kDraws = 200000;
    double sum = 0, sum_sq = 0;
    const auto lo = static_cast<std::int64_t>(std::floor(c.n));
    for (int i = 0; i < kDraws; ++i) {
      const std::int64_t n = lo + (uniform(state) < c.n - static_cast<double>(lo) ? 1 : 0);
      std::int64_t nnz = 0;
      for (std::int64_t k = 0; k < n; ++k) nnz += uniform(state) < c.d;
      const auto v = static_cast<double>((nnz + c.V - 1) / c.V);
      sum += v;
      sum_sq += v * v;
    }
    const double mean = sum / kDraws, var = sum_sq / kDraws - mean * mean;
    const dfsim::VectorMoments m = vector_moments(c.n, c.d, c.V);
    EXPECT_NEAR(m.mean, mean, 0.005 * mean) << "n " << c.n << " d " << c.d;
    EXPECT_NEAR(m.var, var, 0.03 * var + 1e-9) << "n " << c.n << " d " << c.d;
  }
  // Exact where the math is: all non-zero, or none.
  EXPECT_DOUBLE_EQ(vector_moments(20, 1.0, 4).mean, 5.0);
  EXPECT_DOUBLE_EQ(vector_moments(20, 1.0, 4).var, 0.0);
  EXPECT_DOUBLE_EQ(vector_moments(20, 0.0, 4).mean, 0.0);
  // Not the ceiling of the mean (3 for 16 positions at density 0.50143).
  EXPECT_LT(vector_moments(16, 0.50143, 4).mean, 2.6);
}

TEST(PlanarEstimate, ExpectedSlowestMatchesSampling) {
  const std::vector<std::map<PeCycles, int>> cases = {
      {{PeCycles{1000, 100}, 36}},
      {{PeCycles{1000, 100}, 20}, {PeCycles{1100, 20}, 5}, {PeCycles{900, 0}, 3}},
      {{PeCycles{26000, 210}, 64}},
      {{PeCycles{500, 0}, 4}, {PeCycles{200, 50}, 60}},
  };
  for (const auto& pes : cases) {
    std::uint64_t state = 11;
    constexpr int kDraws = 100000;
    double sum = 0;
    for (int i = 0; i < kDraws; ++i) {
      double slowest = 0;
      for (const auto& [c, n] : pes)
        for (int k = 0; k < n; ++k) slowest = std::max(slowest, c.mean + c.sd * normal(state));
      sum += slowest;
    }
    const double sampled = sum / kDraws;
    EXPECT_NEAR(expected_slowest(pes), sampled, 0.002 * sampled) << pes.begin()->first.mean;
  }
  // Without spread, the largest mean exactly.
  EXPECT_DOUBLE_EQ(expected_slowest({{PeCycles{300, 0}, 2}, {PeCycles{700, 0}, 1}}), 700.0);
  EXPECT_DOUBLE_EQ(expected_slowest({}), 0.0);
}

}  // namespace
