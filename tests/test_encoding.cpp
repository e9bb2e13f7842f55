// Sparse encodings (workload/encoding.hpp): every format round-trips, and every reported
// size equals an independently counted bitstream length.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/config/config_node.hpp"
#include "workload/encoding.hpp"

namespace {

using dfsim::EncodedTensor;
using dfsim::Encoding;
using Values = std::vector<std::int16_t>;
using Shape = std::pair<std::int64_t, std::int64_t>;

const Encoding kAll[] = {Encoding::Dense, Encoding::Rlc, Encoding::ZeroRun,
                         Encoding::Csr,   Encoding::Csc, Encoding::Bitmask};

// Deterministic generator (std distributions differ between standard libraries).
struct Rng {
  std::mt19937_64 g;
  explicit Rng(std::uint64_t seed) : g(seed) {}
  std::uint64_t below(std::uint64_t n) { return g() % n; }
  // A uniformly chosen non-zero value of `bits`-bit two's complement.
  std::int16_t nonzero(int bits) {
    const std::int64_t lo = -(std::int64_t{1} << (bits - 1));
    const std::int64_t hi = (std::int64_t{1} << (bits - 1)) - 1;
    const std::int64_t span = hi - lo;  // values lo..hi without 0
    std::int64_t v = lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(span)));
    if (v >= 0) ++v;
    return static_cast<std::int16_t>(v);
  }
};

// Exactly round(density * n) non-zeros at uniformly random positions.
Values random_tensor(std::int64_t n, double density, int bits, std::uint64_t seed) {
  Rng rng(seed);
  Values v(static_cast<std::size_t>(n), 0);
  const auto nnz = static_cast<std::int64_t>(std::llround(density * static_cast<double>(n)));
  for (std::int64_t i = 0; i < nnz; ++i) v[static_cast<std::size_t>(i)] = rng.nonzero(bits);
  for (std::int64_t i = n - 1; i > 0; --i)  // Fisher-Yates
    std::swap(v[static_cast<std::size_t>(i)], v[rng.below(static_cast<std::uint64_t>(i + 1))]);
  return v;
}

std::int64_t count_nonzeros(const Values& v) {
  std::int64_t k = 0;
  for (auto x : v) k += x != 0;
  return k;
}

// Smallest k with 2^k >= x.
int clog2(std::int64_t x) {
  int k = 0;
  while ((std::int64_t{1} << k) < x) ++k;
  return k;
}

// RLC pairs counted directly from the data: each non-zero after z zeros takes z/32 (31,0)
// pairs plus its own; t trailing zeros take t/32 pairs plus one more if t % 32 != 0.
std::int64_t rlc_pairs(const Values& v) {
  std::int64_t pairs = 0, run = 0;
  for (auto x : v) {
    if (x == 0) {
      ++run;
    } else {
      pairs += run / 32 + 1;
      run = 0;
    }
  }
  return pairs + run / 32 + (run % 32 != 0);
}

// ZeroRun entries: each non-zero after z zeros takes z/16 explicit zeros plus itself.
std::int64_t zero_run_entries(const Values& v) {
  std::int64_t entries = 0, run = 0;
  for (auto x : v) {
    if (x == 0) {
      ++run;
    } else {
      entries += run / 16 + 1;
      run = 0;
    }
  }
  return entries;
}

// The size model of each format, written independently of the encoder.
std::int64_t expected_bits(Encoding e, const Values& v, std::int64_t rows, std::int64_t cols,
                           int b) {
  const std::int64_t n = rows * cols, nnz = count_nonzeros(v);
  switch (e) {
    case Encoding::Dense:
      return n * b;
    case Encoding::Rlc:
      return 64 * ((rlc_pairs(v) + 2) / 3);
    case Encoding::ZeroRun:
      return zero_run_entries(v) * (b + 4);
    case Encoding::Csr:
      return nnz * (b + clog2(cols)) + (rows + 1) * std::max(1, clog2(nnz + 1));
    case Encoding::Csc:
      return nnz * (b + clog2(rows)) + (cols + 1) * std::max(1, clog2(nnz + 1));
    case Encoding::Bitmask:
      return n + nnz * b;
  }
  return -1;
}

// Metadata of each format, summed from its parts (encoding.hpp) rather than as total - payload.
std::int64_t expected_metadata_bits(Encoding e, const Values& v, std::int64_t rows,
                                    std::int64_t cols, int b) {
  const std::int64_t n = rows * cols, nnz = count_nonzeros(v);
  switch (e) {
    case Encoding::Dense:  // every value is payload
      return 0;
    case Encoding::Rlc: {
      // 5-bit runs of every pair, the b-bit zero levels of (31, 0) and final pairs, the
      // empty pair slots of the last word, and per word the padding and terminator bits
      // above its 3 pairs.
      const std::int64_t pairs = rlc_pairs(v), words = (pairs + 2) / 3;
      return pairs * 5 + (pairs - nnz) * b + (3 * words - pairs) * (5 + b) +
             words * (64 - 3 * (5 + b));
    }
    case Encoding::ZeroRun:  // a 4-bit run per entry and the values of the explicit zeros
      return zero_run_entries(v) * 4 + (zero_run_entries(v) - nnz) * b;
    case Encoding::Csr:  // column indices and rows + 1 pointers
      return nnz * clog2(cols) + (rows + 1) * std::max(1, clog2(nnz + 1));
    case Encoding::Csc:  // row indices and cols + 1 pointers
      return nnz * clog2(rows) + (cols + 1) * std::max(1, clog2(nnz + 1));
    case Encoding::Bitmask:  // one mask bit per value
      return n;
  }
  return -1;
}

// Encodes, checks every size field against the model, decodes and compares.
EncodedTensor round_trip(Encoding e, const Values& v, std::int64_t rows, std::int64_t cols, int b) {
  SCOPED_TRACE(std::string(dfsim::to_string(e)) + " " + std::to_string(rows) + "x" +
               std::to_string(cols) + " b=" + std::to_string(b));
  const EncodedTensor t = dfsim::encode(e, v, rows, cols, b);
  const std::int64_t nnz = count_nonzeros(v);
  EXPECT_EQ(t.encoding, e);
  EXPECT_EQ(t.rows, rows);
  EXPECT_EQ(t.cols, cols);
  EXPECT_EQ(t.value_bits, b);
  EXPECT_EQ(t.nonzeros, nnz);
  EXPECT_EQ(t.total_bits, t.payload_bits + t.metadata_bits);
  EXPECT_EQ(t.payload_bits, e == Encoding::Dense ? rows * cols * b : nnz * b);
  EXPECT_EQ(t.metadata_bits, expected_metadata_bits(e, v, rows, cols, b));
  EXPECT_EQ(static_cast<std::int64_t>(t.bits.size()), (t.total_bits + 7) / 8);
  EXPECT_EQ(t.total_bits, expected_bits(e, v, rows, cols, b));
  EXPECT_EQ(dfsim::dense_bits(t), rows * cols * b);
  EXPECT_EQ(dfsim::decode(t), v);
  return t;
}

void round_trip_all(const Values& v, std::int64_t rows, std::int64_t cols, int b) {
  for (Encoding e : kAll) round_trip(e, v, rows, cols, b);
}

// Reads a field of the LSB-first stream (test-side reader, to check layouts by hand).
std::uint64_t field(const EncodedTensor& t, std::int64_t pos, int width) {
  std::uint64_t v = 0;
  for (int i = 0; i < width; ++i, ++pos)
    v |= static_cast<std::uint64_t>((t.bits.at(static_cast<std::size_t>(pos / 8)) >> (pos % 8)) & 1)
         << i;
  return v;
}
std::int64_t sfield(const EncodedTensor& t, std::int64_t pos, int width) {
  const std::uint64_t u = field(t, pos, width);
  return (u >> (width - 1)) & 1 ? static_cast<std::int64_t>(u) - (std::int64_t{1} << width)
                                : static_cast<std::int64_t>(u);
}
std::uint64_t word64(const EncodedTensor& t, std::int64_t w) { return field(t, 64 * w, 64); }

Values with_run(int leading, int run, std::int16_t v, int trailing) {
  Values x(static_cast<std::size_t>(leading), 3);
  x.insert(x.end(), static_cast<std::size_t>(run), 0);
  x.push_back(v);
  x.insert(x.end(), static_cast<std::size_t>(trailing), 0);
  return x;
}

// ---- names ---------------------------------------------------------------------------------

TEST(Encoding, ParseAndNames) {
  const char* names[] = {"dense", "rlc", "zero_run", "csr", "csc", "bitmask"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(dfsim::parse_encoding(names[i]), kAll[i]);
    EXPECT_STREQ(dfsim::to_string(kAll[i]), names[i]);
  }
  try {
    dfsim::parse_encoding("rle");
    FAIL() << "no exception";
  } catch (const dfsim::ConfigError& err) {
    const std::string msg = err.what();
    EXPECT_NE(msg.find("'rle'"), std::string::npos) << msg;
    for (const char* n : names) EXPECT_NE(msg.find(n), std::string::npos) << msg;
  }
}

// ---- round trips ---------------------------------------------------------------------------

TEST(Encoding, RoundTripAllZerosAndAllNonZero) {
  for (int b : {1, 4, 8, 16})
    for (std::int64_t n : {1, 2, 15, 16, 17, 31, 32, 33, 64, 95, 96, 97, 1000}) {
      round_trip_all(Values(static_cast<std::size_t>(n), 0), 1, n, b);
      round_trip_all(random_tensor(n, 1.0, b, static_cast<std::uint64_t>(n * 17 + b)), 1, n, b);
    }
}

TEST(Encoding, RoundTripRandomDensities) {
  std::uint64_t seed = 1;
  for (int b : {1, 4, 8, 16})
    for (double d = 0.05; d < 0.96; d += 0.1)
      for (const Shape& shape : {Shape{1, 1500}, Shape{1500, 1}, Shape{7, 13}, Shape{40, 37}}) {
        const auto [r, c] = shape;
        round_trip_all(random_tensor(r * c, d, b, seed++), r, c, b);
      }
}

TEST(Encoding, RoundTripRunBoundaries) {
  for (int b : {4, 16})
    for (int run : {0, 1, 14, 15, 16, 17, 30, 31, 32, 33, 47, 48, 63, 64, 65, 95, 96, 97, 200})
      for (int trailing : {0, 1, 15, 16, 17, 31, 32, 33, 64, 65}) {
        round_trip_all(with_run(0, run, 5, trailing), 1, run + 1 + trailing, b);
        round_trip_all(with_run(2, run, -1, trailing), 1, 2 + run + 1 + trailing, b);
        // Only zeros after a leading value / before nothing.
        Values z(static_cast<std::size_t>(run + trailing + 1), 0);
        z[0] = 7;
        round_trip_all(z, 1, static_cast<std::int64_t>(z.size()), b);
      }
}

TEST(Encoding, RoundTripShapesAndSingleElement) {
  for (int b : {1, 4, 8, 16}) {
    round_trip_all({0}, 1, 1, b);
    round_trip_all({-1}, 1, 1, b);
    round_trip_all({}, 1, 0, b);  // empty tensors
    round_trip_all({}, 0, 5, b);
    for (const Shape& shape : {Shape{1, 50}, Shape{50, 1}, Shape{7, 13}, Shape{13, 7}, Shape{2, 2},
                               Shape{1, 2}, Shape{2, 1}}) {
      const auto [r, c] = shape;
      for (double d : {0.0, 0.2, 0.6, 1.0})
        round_trip_all(random_tensor(r * c, d, b, static_cast<std::uint64_t>(r * 131 + c + b)), r,
                       c, b);
    }
  }
}

TEST(Encoding, RoundTripExtremeValues) {
  for (int b : {1, 2, 4, 8, 12, 16}) {
    const auto lo = static_cast<std::int16_t>(-(1 << (b - 1)));
    const auto hi = static_cast<std::int16_t>((1 << (b - 1)) - 1);
    Values v;
    for (int i = 0; i < 300; ++i) {
      v.push_back(i % 3 == 0 ? lo : (i % 3 == 1 ? hi : std::int16_t{0}));
      v.insert(v.end(), static_cast<std::size_t>(i % 40), 0);
    }
    round_trip_all(v, 1, static_cast<std::int64_t>(v.size()), b);
    round_trip_all({lo, hi, lo, hi, 0, 0}, 2, 3, b);
    round_trip_all({lo, hi, lo, hi, 0, 0}, 3, 2, b);
  }
}

TEST(Encoding, RejectsValuesOutsideTheRange) {
  for (Encoding e : kAll) {
    EXPECT_THROW(dfsim::encode(e, Values{0, 8}, 1, 2, 4), std::invalid_argument);
    EXPECT_THROW(dfsim::encode(e, Values{-9, 0}, 1, 2, 4), std::invalid_argument);
    EXPECT_THROW(dfsim::encode(e, Values{1}, 1, 1, 1), std::invalid_argument);  // 1 bit: -1..0
    EXPECT_THROW(dfsim::encode(e, Values{128}, 1, 1, 8), std::invalid_argument);
    EXPECT_THROW(dfsim::encode(e, Values{0}, 1, 1, 0), std::invalid_argument);
    EXPECT_THROW(dfsim::encode(e, Values{0}, 1, 1, 17), std::invalid_argument);
    EXPECT_THROW(dfsim::encode(e, nullptr, 2, 2, 8), std::invalid_argument);
    EXPECT_THROW(dfsim::encode(e, nullptr, -1, 2, 8), std::invalid_argument);
    EXPECT_NO_THROW(dfsim::encode(e, Values{-32768, 32767}, 1, 2, 16));
    EXPECT_NO_THROW(dfsim::encode(e, Values{-8, 7}, 2, 1, 4));
  }
}

// ---- exact sizes and layouts, by hand ------------------------------------------------------

TEST(Encoding, RlcHandExamples) {
  // [0,0,5,0,0,0]: pairs (2,5) and, for the 3 trailing zeros, (2,0): 2 pairs, one 64-bit word.
  auto t = dfsim::encode(Encoding::Rlc, Values{0, 0, 5, 0, 0, 0}, 1, 6, 16);
  EXPECT_EQ(t.total_bits, 64);
  EXPECT_EQ(t.payload_bits, 16);
  EXPECT_EQ(t.metadata_bits, 48);  // 2 runs (10) + zero level (16) + empty pair (21) + term (1)
  ASSERT_EQ(t.bits.size(), 8u);
  EXPECT_EQ(word64(t, 0), 2u | (5u << 5) | (2u << 21) | (std::uint64_t{1} << 63));

  // 100 zeros then 7: 100 = 3*32 + 4 -> (31,0) (31,0) (31,0) (4,7): 4 pairs, 2 words.
  t = dfsim::encode(Encoding::Rlc, with_run(0, 100, 7, 0), 1, 101, 16);
  EXPECT_EQ(t.total_bits, 128);
  EXPECT_EQ(t.payload_bits, 16);
  EXPECT_EQ(word64(t, 0), 31u | (31u << 21) | (std::uint64_t{31} << 42));  // terminator 0
  EXPECT_EQ(word64(t, 1), 4u | (7u << 5) | (std::uint64_t{1} << 63));

  // Runs of exactly 31 / 32 / 33 zeros before a value: 1 / 2 / 2 pairs.
  EXPECT_EQ(word64(dfsim::encode(Encoding::Rlc, with_run(0, 31, 1, 0), 1, 32, 16), 0),
            31u | (1u << 5) | (std::uint64_t{1} << 63));
  EXPECT_EQ(word64(dfsim::encode(Encoding::Rlc, with_run(0, 32, 1, 0), 1, 33, 16), 0),
            31u | (0u << 21) | (1u << 26) | (std::uint64_t{1} << 63));
  EXPECT_EQ(word64(dfsim::encode(Encoding::Rlc, with_run(0, 33, 1, 0), 1, 34, 16), 0),
            31u | (1u << 21) | (1u << 26) | (std::uint64_t{1} << 63));
  EXPECT_EQ(rlc_pairs(with_run(0, 31, 1, 0)), 1);
  EXPECT_EQ(rlc_pairs(with_run(0, 32, 1, 0)), 2);
  EXPECT_EQ(rlc_pairs(with_run(0, 33, 1, 0)), 2);

  // Trailing zeros: [3] + 40 zeros -> (0,3) (31,0) (7,0): 3 pairs, still one word.
  t = dfsim::encode(Encoding::Rlc, with_run(0, 0, 3, 40), 1, 41, 16);
  EXPECT_EQ(t.total_bits, 64);
  EXPECT_EQ(word64(t, 0),
            (3u << 5) | (31u << 21) | (std::uint64_t{7} << 42) | (std::uint64_t{1} << 63));

  // 7 non-zeros, no zeros: 7 pairs -> 3 words; 2 empty pairs in the last.
  t = dfsim::encode(Encoding::Rlc, Values{1, 2, 3, 4, 5, 6, 7}, 1, 7, 16);
  EXPECT_EQ(t.total_bits, 192);
  EXPECT_EQ(t.payload_bits, 112);
  EXPECT_EQ(t.metadata_bits, 80);  // 7 runs (35) + 2 empty pairs (42) + 3 terminators
  EXPECT_EQ(word64(t, 2), 7u << 5 | (std::uint64_t{1} << 63));

  // value_bits 4: pairs are 9 bits, still 3 per 64-bit word; bits 27..62 are padding.
  t = dfsim::encode(Encoding::Rlc, Values{0, 0, 5, -1, 0}, 1, 5, 4);
  EXPECT_EQ(t.total_bits, 64);
  EXPECT_EQ(t.payload_bits, 8);
  EXPECT_EQ(t.metadata_bits, 56);
  EXPECT_EQ(word64(t, 0), 2u | (5u << 5) | (0u << 9) | (0xFu << 14) | (0u << 18) | (0u << 23) |
                              (std::uint64_t{1} << 63));
  // ... and a 4th pair opens a second word.
  EXPECT_EQ(dfsim::encode(Encoding::Rlc, Values{1, 2, 3, 4}, 1, 4, 4).total_bits, 128);

  // Empty tensor: empty stream.
  EXPECT_EQ(dfsim::encode(Encoding::Rlc, Values{}, 1, 0, 16).total_bits, 0);
}

TEST(Encoding, ZeroRunHandExamples) {
  // [0,0,5,0,0,0]: one entry (count 2, value 5); trailing zeros implied -> 16 + 4 bits.
  auto t = dfsim::encode(Encoding::ZeroRun, Values{0, 0, 5, 0, 0, 0}, 1, 6, 16);
  EXPECT_EQ(t.total_bits, 20);
  EXPECT_EQ(t.payload_bits, 16);
  EXPECT_EQ(t.metadata_bits, 4);
  EXPECT_EQ(t.bits, (std::vector<std::uint8_t>{0x05, 0x00, 0x02}));

  // 15 / 16 / 17 zeros before a value: 1 / 2 / 2 entries.
  t = dfsim::encode(Encoding::ZeroRun, with_run(0, 15, 9, 0), 1, 16, 16);
  EXPECT_EQ(t.total_bits, 20);
  EXPECT_EQ(field(t, 16, 4), 15u);
  t = dfsim::encode(Encoding::ZeroRun, with_run(0, 16, 9, 0), 1, 17, 16);
  EXPECT_EQ(t.total_bits, 40);
  EXPECT_EQ(t.payload_bits, 16);
  EXPECT_EQ(t.metadata_bits, 24);  // the explicit zero (16) + two counts (8)
  EXPECT_EQ(sfield(t, 0, 16), 0);
  EXPECT_EQ(sfield(t, 16, 16), 9);
  EXPECT_EQ(field(t, 32, 4), 15u);
  EXPECT_EQ(field(t, 36, 4), 0u);
  t = dfsim::encode(Encoding::ZeroRun, with_run(0, 17, 9, 0), 1, 18, 16);
  EXPECT_EQ(t.total_bits, 40);
  EXPECT_EQ(field(t, 36, 4), 1u);

  // 33 zeros then -1 at 8 bits: 33 = 16 + 16 + 1 -> 3 entries of 12 bits.
  t = dfsim::encode(Encoding::ZeroRun, with_run(0, 33, -1, 100), 1, 134, 8);
  EXPECT_EQ(t.total_bits, 36);
  EXPECT_EQ(sfield(t, 16, 8), -1);
  EXPECT_EQ(field(t, 24, 4), 15u);
  EXPECT_EQ(field(t, 28, 4), 15u);
  EXPECT_EQ(field(t, 32, 4), 1u);

  // All zeros: nothing stored at all.
  EXPECT_EQ(dfsim::encode(Encoding::ZeroRun, Values(50, 0), 5, 10, 16).total_bits, 0);
}

TEST(Encoding, CsrCscHandExamples) {
  // [[0,5,0,0],[0,0,0,0],[7,0,0,-3]] at 8 bits: nnz 3, column index 2 bits (4 columns),
  // pointer width ceil(log2(3+1)) = 2 bits, 4 row pointers [0,1,1,3].
  const Values m = {0, 5, 0, 0, 0, 0, 0, 0, 7, 0, 0, -3};
  auto t = dfsim::encode(Encoding::Csr, m, 3, 4, 8);
  EXPECT_EQ(t.total_bits, 3 * 8 + 3 * 2 + 4 * 2);
  EXPECT_EQ(t.payload_bits, 24);
  EXPECT_EQ(t.metadata_bits, 14);
  const std::int64_t vals[] = {5, 7, -3}, cols[] = {1, 0, 3}, rptr[] = {0, 1, 1, 3};
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(sfield(t, 8 * j, 8), vals[j]);
    EXPECT_EQ(static_cast<std::int64_t>(field(t, 24 + 2 * j, 2)), cols[j]);
  }
  for (int r = 0; r < 4; ++r)
    EXPECT_EQ(static_cast<std::int64_t>(field(t, 30 + 2 * r, 2)), rptr[r]);

  // CSC: values in column order [7,5,-3], row index 2 bits (3 rows), 5 pointers [0,1,2,2,3].
  t = dfsim::encode(Encoding::Csc, m, 3, 4, 8);
  EXPECT_EQ(t.total_bits, 3 * 8 + 3 * 2 + 5 * 2);
  const std::int64_t cvals[] = {7, 5, -3}, rows[] = {2, 0, 2}, cptr[] = {0, 1, 2, 2, 3};
  for (int j = 0; j < 3; ++j) {
    EXPECT_EQ(sfield(t, 8 * j, 8), cvals[j]);
    EXPECT_EQ(static_cast<std::int64_t>(field(t, 24 + 2 * j, 2)), rows[j]);
  }
  for (int c = 0; c < 5; ++c)
    EXPECT_EQ(static_cast<std::int64_t>(field(t, 30 + 2 * c, 2)), cptr[c]);

  // Pointer widths: nnz 0 -> 1 bit (minimum), 1 -> 1, 3 -> 2, 4 -> 3, 7 -> 3, 8 -> 4.
  const std::pair<int, int> widths[] = {{0, 1}, {1, 1}, {3, 2}, {4, 3}, {7, 3}, {8, 4}};
  for (auto [nnz, pw] : widths) {
    Values v(16, 0);
    for (int i = 0; i < nnz; ++i) v[static_cast<std::size_t>(i)] = 1;
    // 2 x 8: column index 3 bits, 3 row pointers.
    EXPECT_EQ(dfsim::encode(Encoding::Csr, v, 2, 8, 16).total_bits, nnz * (16 + 3) + 3 * pw) << nnz;
  }
  // N x 1 CSR needs no column-index bits; 1 x N CSC needs no row-index bits.
  EXPECT_EQ(dfsim::encode(Encoding::Csr, Values{0, 4, 0, 0, 2}, 5, 1, 16).total_bits,
            2 * 16 + 6 * 2);
  EXPECT_EQ(dfsim::encode(Encoding::Csc, Values{0, 4, 0, 0, 2}, 1, 5, 16).total_bits,
            2 * 16 + 6 * 2);
}

TEST(Encoding, BitmaskAndDenseHandExamples) {
  // [0,3,0,0,-1] at 4 bits: mask 01001 (bits 0..4), values 3 and -1 (0xF): 13 bits.
  auto t = dfsim::encode(Encoding::Bitmask, Values{0, 3, 0, 0, -1}, 1, 5, 4);
  EXPECT_EQ(t.total_bits, 13);
  EXPECT_EQ(t.payload_bits, 8);
  EXPECT_EQ(t.metadata_bits, 5);
  EXPECT_EQ(t.bits, (std::vector<std::uint8_t>{0x72, 0x1E}));

  t = dfsim::encode(Encoding::Dense, Values{1, -1, 0}, 1, 3, 4);
  EXPECT_EQ(t.total_bits, 12);
  EXPECT_EQ(t.payload_bits, 12);
  EXPECT_EQ(t.metadata_bits, 0);
  EXPECT_EQ(t.bits, (std::vector<std::uint8_t>{0xF1, 0x00}));
}

// ---- compression ratios ----------------------------------------------------------------------

// RLC at 16 bits costs 64/3 bits per pair. For non-zeros at random positions with density d
// (q = 1 - d), the zero run before a non-zero is about geometric, P(run >= k) = q^k, so each
// non-zero needs E[floor(run/32)] = q^32 / (1 - q^32) extra (31,0) pairs:
//   RLC bits / dense bits = (64/3) * d * (1 + q^32/(1-q^32)) / 16 = (4/3) d (1 + q^32/(1-q^32)).
// At d = 0.3 that is 0.4 (the correction is 1e-5).
TEST(Encoding, RlcRatioAtDensity0_3) {
  const std::int64_t n = 30000;
  const Values v = random_tensor(n, 0.3, 16, 2017);
  const auto t = round_trip(Encoding::Rlc, v, 1, n, 16);
  const std::int64_t pairs = rlc_pairs(v);
  EXPECT_EQ(t.total_bits, 64 * ((pairs + 2) / 3));
  EXPECT_GE(pairs, 9000);
  EXPECT_LE(pairs, 9002);
  const double q = 0.7, formula = 4.0 / 3.0 * 0.3 * (1 + std::pow(q, 32) / (1 - std::pow(q, 32)));
  const double ratio = static_cast<double>(t.total_bits) / static_cast<double>(n * 16);
  EXPECT_NEAR(ratio, formula, 0.001);
}

// Measured size / dense size for a 128 x 256 tensor of 16-bit values with exactly d*n non-zeros
// at random positions, checked against each format's formula and printed.
TEST(Encoding, RatioTable) {
  const std::int64_t rows = 128, cols = 256, n = rows * cols;
  std::printf("size / dense, %lld x %lld, 16-bit values (measured, formula in brackets)\n",
              static_cast<long long>(rows), static_cast<long long>(cols));
  std::printf("%-8s", "density");
  for (Encoding e : kAll) std::printf(" %17s", dfsim::to_string(e));
  std::printf("\n");
  for (double d : {0.1, 0.3, 0.5, 0.7, 0.9}) {
    const Values v = random_tensor(n, d, 16, static_cast<std::uint64_t>(d * 100));
    const double q = 1 - d, nnz = static_cast<double>(count_nonzeros(v));
    const double dn = nnz / static_cast<double>(n);
    const auto pw = static_cast<double>(std::max(1, clog2(count_nonzeros(v) + 1)));
    const double formula[] = {
        1.0,
        4.0 / 3.0 * dn * (1 + std::pow(q, 32) / (1 - std::pow(q, 32))),
        20.0 / 16.0 * dn * (1 + std::pow(q, 16) / (1 - std::pow(q, 16))),
        (nnz * (16 + 8) + (rows + 1) * pw) / (16.0 * n),
        (nnz * (16 + 7) + (cols + 1) * pw) / (16.0 * n),
        1.0 / 16 + dn,
    };
    std::printf("%-8.1f", d);
    for (int i = 0; i < 6; ++i) {
      const auto t = round_trip(kAll[i], v, rows, cols, 16);
      const double ratio = static_cast<double>(t.total_bits) / static_cast<double>(n * 16);
      EXPECT_NEAR(ratio, formula[i], 0.02 * formula[i]) << dfsim::to_string(kAll[i]) << " d=" << d;
      std::printf("  %6.4f [%6.4f]", ratio, formula[i]);
    }
    std::printf("\n");
  }
}

// ---- corrupt streams -------------------------------------------------------------------------

std::vector<EncodedTensor> corruption_samples() {
  std::vector<EncodedTensor> out;
  std::uint64_t seed = 99;
  for (Encoding e : kAll)
    for (int b : {4, 16})
      for (double d : {0.05, 0.3, 0.9})
        out.push_back(dfsim::encode(e, random_tensor(7 * 37, d, b, seed++), 7, 37, b));
  return out;
}

TEST(Encoding, TruncatedStreamsThrow) {
  for (const auto& good : corruption_samples()) {
    SCOPED_TRACE(dfsim::to_string(good.encoding));
    ASSERT_FALSE(good.bits.empty());
    // Bytes missing from the bit vector.
    for (std::size_t keep : {std::size_t{0}, good.bits.size() / 2, good.bits.size() - 1}) {
      EncodedTensor t = good;
      t.bits.resize(keep);
      EXPECT_THROW(dfsim::decode(t), std::runtime_error) << keep;
    }
    // A shorter stream whose header is made consistent with it.
    for (std::int64_t cut : {1, 8, 20, 64}) {
      if (cut > good.total_bits) continue;
      EncodedTensor t = good;
      t.total_bits -= cut;
      t.metadata_bits = std::max<std::int64_t>(0, t.metadata_bits - cut);
      t.payload_bits = t.total_bits - t.metadata_bits;
      t.bits.resize(static_cast<std::size_t>((t.total_bits + 7) / 8));
      if (t.total_bits % 8)
        t.bits.back() &= static_cast<std::uint8_t>((1u << (t.total_bits % 8)) - 1);
      EXPECT_THROW(dfsim::decode(t), std::runtime_error) << cut;
    }
    // Header fields that disagree with the stream.
    EncodedTensor t = good;
    t.nonzeros += 1;
    EXPECT_THROW(dfsim::decode(t), std::runtime_error);
    t = good;
    t.metadata_bits += 1;
    EXPECT_THROW(dfsim::decode(t), std::runtime_error);
    t = good;
    t.bits.push_back(0);
    EXPECT_THROW(dfsim::decode(t), std::runtime_error);
  }
}

// Random bit flips and truncations never crash: decode either throws or returns n values.
TEST(Encoding, DamagedStreamsNeverCrash) {
  Rng rng(7);
  int thrown = 0, decoded = 0;
  for (const auto& good : corruption_samples()) {
    const auto n = static_cast<std::size_t>(good.rows * good.cols);
    for (int trial = 0; trial < 150; ++trial) {
      EncodedTensor t = good;
      const int flips = 1 + static_cast<int>(rng.below(3));
      for (int f = 0; f < flips; ++f) {
        const auto bit = rng.below(static_cast<std::uint64_t>(t.total_bits));
        t.bits[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      }
      if (trial % 3 == 0) {  // also cut the stream and fix up the header
        t.total_bits =
            static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(t.total_bits)));
        t.bits.resize(static_cast<std::size_t>((t.total_bits + 7) / 8));
        if (t.total_bits % 8)
          t.bits.back() &= static_cast<std::uint8_t>((1u << (t.total_bits % 8)) - 1);
        t.payload_bits = std::min(t.payload_bits, t.total_bits);
        t.metadata_bits = t.total_bits - t.payload_bits;
      }
      try {
        EXPECT_EQ(dfsim::decode(t).size(), n);
        ++decoded;
      } catch (const std::runtime_error&) {
        ++thrown;
      }
    }
  }
  EXPECT_GT(thrown, 0);
  std::printf("damaged streams: %d rejected, %d decoded\n", thrown, decoded);
}

}  // namespace

// The counting shortcut used for statistics agrees with the real bitstreams.
TEST(Encoding, EncodedBitsMatchesTheStream) {
  std::uint64_t state = 99;
  for (int trial = 0; trial < 200; ++trial) {
    const std::int64_t rows = 1 + static_cast<std::int64_t>(state % 7),
                       cols = 1 + static_cast<std::int64_t>((state >> 8) % 90);
    const double density = static_cast<double>(trial % 11) / 10.0;
    const int bits = 1 + trial % 16;
    std::vector<std::int16_t> v(static_cast<std::size_t>(rows * cols));
    for (auto& x : v) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const bool nz = static_cast<double>((state >> 11) % 1000) / 1000.0 < density;
      x = nz ? static_cast<std::int16_t>(
                   bits == 1 ? -1
                             : 1 + static_cast<int>((state >> 33) % ((1u << (bits - 1)) - 1 > 0
                                                                         ? (1u << (bits - 1)) - 1
                                                                         : 1)))
             : 0;
    }
    const auto all = dfsim::encoded_bits_all(v.data(), rows, cols, bits);
    for (std::size_t k = 0; k < dfsim::kAllEncodings.size(); ++k) {
      const dfsim::Encoding e = dfsim::kAllEncodings[k];
      const std::int64_t stream = dfsim::encode(e, v, rows, cols, bits).total_bits;
      EXPECT_EQ(dfsim::encoded_bits(e, v.data(), rows, cols, bits), stream)
          << dfsim::to_string(e) << " trial " << trial;
      EXPECT_EQ(all[k], stream) << dfsim::to_string(e) << " trial " << trial;
    }
  }
}

// The mappers' expected size per value (expected_bits_per_value) against real encodings of
// shuffled tensors of that density: within 3% (1% for the exact formats) over densities
// 0.02-1; CSR/CSC, whose pointer width the formula takes as 16 bits, within 10% from density
// 0.05 (64-value rows for CSR; 64-value rows of 64 columns for CSC: the column is the line).
TEST(Encoding, ExpectedBitsPerValueMatchesRealStreams) {
  const std::int64_t rows = 64, cols = 4096;
  std::uint64_t seed = 77;
  for (Encoding e : kAll)
    for (double d : {0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 0.9, 1.0}) {
      const std::int64_t rl = (e == Encoding::Csr || e == Encoding::Csc) ? 64 : cols;
      const std::int64_t r = rows * cols / rl;
      const Values v = random_tensor(r * rl, d, 16, seed++);
      const double real = static_cast<double>(dfsim::encode(e, v, r, rl, 16).total_bits) /
                          static_cast<double>(r * rl);
      if ((e == Encoding::Csr || e == Encoding::Csc) && d < 0.05) continue;
      const double expected = dfsim::expected_bits_per_value(e, d, 16, e == Encoding::Csc ? r : rl);
      const double band = (e == Encoding::Csr || e == Encoding::Csc)         ? 0.10
                          : (e == Encoding::Dense || e == Encoding::Bitmask) ? 0.01
                                                                             : 0.03;
      EXPECT_NEAR(expected / real, 1.0, band) << dfsim::to_string(e) << " density " << d
                                              << ": expected " << expected << " real " << real;
    }
}
