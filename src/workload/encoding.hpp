// Sparse tensor encodings as real packed bitstreams: every size reported here is the length of
// a bitstream that decode() turns back into the original values.
//
// Bit order (all formats)
//   Stream bit i is bit (i % 8) of byte i / 8 (LSB-first within bytes). A k-bit field written
//   at stream position p puts its least-significant bit at p and its most-significant bit at
//   p + k - 1. So a 64-bit word starting at a multiple of 64 reads as a little-endian uint64
//   whose bit j is word bit j. Values are stored as value_bits-bit two's complement.
//   `bits` holds exactly ceil(total_bits / 8) bytes; the unused high bits of the last byte are
//   zero. Those sub-byte bits are not counted anywhere (they are not part of the format);
//   padding that the format itself defines (RLC words) is counted in total_bits as metadata.
//
// Side information (not in the bitstream, like the shape of any stored tensor): encoding, rows,
// cols, value_bits, and the stream length total_bits. decode() derives everything else from
// the stream and cross-checks nonzeros / payload_bits / metadata_bits against it.
//
// Accounting: payload_bits = bits of stored non-zero values (nonzeros * value_bits); for Dense
// every value is payload (rows * cols * value_bits). Everything else -- runs, indices,
// pointers, masks, terminator bits, zero values stored only to extend a run, empty pairs and
// word padding -- is metadata_bits. Always total_bits == payload_bits + metadata_bits.
//
// The formats (n = rows * cols, b = value_bits, tensor flattened row-major unless stated):
//
//   Dense    n fields of b bits, in order. payload = n*b, metadata = 0.
//
//   Rlc      Eyeriss (Chen et al., JSSC 2017). A sequence of (run, level) pairs: run = 5-bit
//            count (0..31) of zeros preceding the b-bit level. Pairs are packed into 64-bit
//            words, P = min(3, floor(63 / (5 + b))) pairs per word -- which is 3 for every
//            b in 1..16 (3*(5+16)+1 = 64), so words are always 64 bits with 3 pairs. In a word,
//            pair k occupies bits [k(5+b), (k+1)(5+b)): run in the low 5 bits, then the level.
//            Bits 3(5+b) .. 62 are zero padding (none when b = 16) and bit 63 is the
//            terminating bit: 1 on the last word only.
//            Encoding: before each non-zero, a zero run z >= 32 emits (31, 0) -- 31 zeros and
//            a zero level, i.e. 32 zeros -- until z <= 31, then (z, value). Trailing zeros
//            t are encoded the same way: (31, 0) while t >= 32, then (t-1, 0) if t > 0. A
//            level of 0 therefore only appears as (31, 0) or as the final pair. Unused pair
//            slots in the last word are empty pairs (all-zero bits); the decoder knows n and
//            stops there. An empty tensor (n = 0) is the empty stream.
//            total = 64 * ceil(pairs / 3); payload = nonzeros * b.
//
//   ZeroRun  SCNN (Parashar et al., ISCA 2017). Two vectors of K entries each: first the values
//            vector (K fields of b bits), then the zero-count vector (K fields of 4 bits,
//            entry i = zeros before value i, 0..15). A gap of z >= 16 zeros before a non-zero
//            stores an explicit zero value with count 15 (16 positions) until z <= 15.
//            Zeros after the last non-zero are not stored: they are implied by the known
//            length n. K = total_bits / (b + 4). total = K*(b+4); payload = nonzeros * b.
//
//   Csr      rows x cols matrix. Values (nnz fields of b bits, row-major order), then column
//            indices (nnz fields of ceil(log2(cols)) bits; 0 bits when cols <= 1), then rows+1
//            row pointers (ptr[0] = 0, ptr[rows] = nnz) of max(1, ceil(log2(nnz + 1))) bits.
//            The decoder recovers nnz from total_bits (total is strictly increasing in nnz).
//   Csc      The same on the transpose: values in column-major order, row indices of
//            ceil(log2(rows)) bits, cols+1 column pointers.
//
//   Bitmask  n presence bits (1 = non-zero, row-major), then the nonzeros' values (b bits each)
//            in order. total = n + nonzeros*b.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dfsim {

enum class Encoding { Dense, Rlc, ZeroRun, Csr, Csc, Bitmask };

// "dense", "rlc", "zero_run", "csr", "csc", "bitmask"; anything else throws ConfigError
// (base/config/config_node.hpp) listing the valid names.
Encoding parse_encoding(const std::string& name);
const char* to_string(Encoding e);

struct EncodedTensor {
  Encoding encoding = Encoding::Dense;
  std::int64_t rows = 1, cols = 0;  // logical 2-D view (row-major); 1-D tensors use rows = 1
  int value_bits = 16;              // bits per stored value (1..16), two's complement
  std::vector<std::uint8_t> bits;   // the packed bitstream, LSB-first (see above)
  std::int64_t total_bits = 0;      // bits of the format in `bits` (incl. word padding)
  std::int64_t payload_bits = 0;    // bits holding non-zero values (all values for Dense)
  std::int64_t metadata_bits = 0;   // runs, indices, pointers, masks, terminators, padding
  std::int64_t nonzeros = 0;
};

// Encodes rows*cols values (row-major). Throws std::invalid_argument for value_bits outside
// 1..16, negative or oversized shapes, a null `values` with rows*cols > 0, or any value outside
// [-2^(b-1), 2^(b-1) - 1] (values are never truncated).
EncodedTensor encode(Encoding e, const std::int16_t* values, std::int64_t rows, std::int64_t cols,
                     int value_bits);
inline EncodedTensor encode(Encoding e, const std::vector<std::int16_t>& values, std::int64_t rows,
                            std::int64_t cols, int value_bits) {
  return encode(e, values.data(), rows, cols, value_bits);
}

// Decodes back to rows*cols values (row-major). A corrupt or truncated stream, or header
// fields that disagree with the stream, throw SimulationError (base/sim_error.hpp,
// a std::runtime_error). Decoding never reads outside `bits`.
std::vector<std::int16_t> decode(const EncodedTensor& t);

// Decodes a bare stream of `total_bits` (as a memory or a link carries it, without the
// header's counts): the same checks as decode() except the non-zero / payload cross-check.
std::vector<std::int16_t> decode_stream(Encoding e, const std::uint8_t* bits,
                                        std::int64_t total_bits, std::int64_t rows,
                                        std::int64_t cols, int value_bits);

// total_bits of encode(e, values, rows, cols, value_bits), counted without building the
// stream (same rules; tests check the two agree). For statistics over large tensors.
std::int64_t encoded_bits(Encoding e, const std::int16_t* values, std::int64_t rows,
                          std::int64_t cols, int value_bits);
// encoded_bits of every encoding (Dense, RLC, zero-run, CSR, CSC, bitmask, in this order) in
// one pass over the values.
constexpr std::array<Encoding, 6> kAllEncodings = {Encoding::Dense,   Encoding::Rlc,
                                                   Encoding::ZeroRun, Encoding::Csr,
                                                   Encoding::Csc,     Encoding::Bitmask};
std::array<std::int64_t, 6> encoded_bits_all(const std::int16_t* values, std::int64_t rows,
                                             std::int64_t cols, int value_bits);

// Expected bits per value of encoding a tensor whose non-zeros occur independently with
// probability `density` (the mappers' estimates; the formats above). `line_length` is the
// number of values one index addresses: a row's (cols) for CSR, a column's (rows) for CSC.
//   Dense    b
//   Bitmask  1 + d b
//   ZeroRun  (b + 4) (d + d q / (1 - q)), q = (1 - d)^16: a gap of L zeros before a non-zero
//            costs floor(L / 16) explicit zeros, and E[floor(L / 16)] = sum_k P(L >= 16 k).
//   Rlc      64 / 3 (d + d q / (1 - q)), q = (1 - d)^32 (three 21-bit pairs per 64-bit word).
//   Csr/Csc  d (b + ceil(log2(line_length))) + 16 / line_length (a pointer of about 16 bits).
// Trailing zeros, the last word's padding and rounding to bytes are left out.
double expected_bits_per_value(Encoding e, double density, int value_bits,
                               std::int64_t line_length);

// Bits the same tensor takes in Dense format: rows * cols * value_bits.
std::int64_t dense_bits(const EncodedTensor& t);

}  // namespace dfsim
