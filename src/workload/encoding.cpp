// Sparse tensor encoders and decoders on packed bitstreams (layouts in encoding.hpp).
#include "workload/encoding.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "base/config/config_node.hpp"
#include "base/sim_error.hpp"

namespace dfsim {
namespace {

constexpr std::int64_t kMaxElements = std::int64_t{1} << 48;  // keeps every bit count in range

constexpr int kRlcRunBits = 5;
constexpr int kRlcMaxRun = (1 << kRlcRunBits) - 1;  // 31
constexpr int kRlcWordBits = 64;
constexpr int kZrCountBits = 4;
constexpr int kZrMaxCount = (1 << kZrCountBits) - 1;  // 15

[[noreturn]] void corrupt(Encoding e, const std::string& why) {
  throw SimulationError(std::string("corrupt ") + to_string(e) + " stream: " + why);
}

// Bits needed to write any of 0..max_value (0 for max_value == 0).
int bit_width(std::int64_t max_value) {
  int w = 0;
  while (w < 63 && (std::int64_t{1} << w) <= max_value) ++w;
  return w;
}
// ceil(log2(dim)): width of an index into a dimension of `dim` entries (0 when dim <= 1).
int index_width(std::int64_t dim) { return dim <= 1 ? 0 : bit_width(dim - 1); }
// ceil(log2(nnz + 1)), at least 1: width of a pointer holding 0..nnz.
int pointer_width(std::int64_t nnz) { return std::max(1, bit_width(nnz)); }

int rlc_pairs_per_word(int value_bits) {
  return std::min(3, (kRlcWordBits - 1) / (kRlcRunBits + value_bits));
}

class BitWriter {
 public:
  // Appends the low `width` bits of `value`, least significant first (bit i of the stream is
  // bit i % 8 of byte i / 8); a byte at a time rather than a bit at a time.
  void put(std::uint64_t value, int width) {
    if (width == 0) return;
    if (width > 56) {  // a field and the bit offset must fit one 64-bit word
      put(value & 0xffffffffu, 32);
      put(value >> 32, width - 32);
      return;
    }
    const std::int64_t end = pos_ + width;
    if (static_cast<std::int64_t>(bytes_.size()) * 8 < end)
      bytes_.resize(static_cast<std::size_t>((end + 7) / 8), 0);
    const int shift = static_cast<int>(pos_ & 7);
    std::uint64_t bits = (value & ((std::uint64_t{1} << width) - 1)) << shift;
    for (std::size_t b = static_cast<std::size_t>(pos_ >> 3); bits != 0; ++b, bits >>= 8)
      bytes_[b] |= static_cast<std::uint8_t>(bits & 0xffu);
    pos_ = end;
  }
  // n 16-bit values at a byte boundary: what put_signed(v[i], 16) writes, a byte at a time.
  void put_le16(const std::int16_t* v, std::int64_t n) {
    const std::size_t at = static_cast<std::size_t>(pos_ >> 3);
    bytes_.resize(at + 2 * static_cast<std::size_t>(n), 0);
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      const auto u = static_cast<std::uint16_t>(v[i]);
      bytes_[at + 2 * i] = static_cast<std::uint8_t>(u & 0xffu);
      bytes_[at + 2 * i + 1] = static_cast<std::uint8_t>(u >> 8);
    }
    pos_ += 16 * n;
  }
  void put_signed(std::int64_t value, int width) {
    put(static_cast<std::uint64_t>(value) & ((std::uint64_t{1} << width) - 1), width);
  }
  void pad_to(std::int64_t pos) {
    while (pos_ < pos) put(0, static_cast<int>(std::min<std::int64_t>(32, pos - pos_)));
  }
  std::int64_t pos() const { return pos_; }
  std::vector<std::uint8_t> take() {
    bytes_.resize(static_cast<std::size_t>((pos_ + 7) / 8), 0);
    return std::move(bytes_);
  }

 private:
  std::vector<std::uint8_t> bytes_;
  std::int64_t pos_ = 0;
};

// Reads fields from [0, limit) of a byte vector; reading past `limit` is a corrupt stream.
class BitReader {
 public:
  BitReader(const std::vector<std::uint8_t>& bytes, std::int64_t limit, Encoding e)
      : bytes_(bytes),
        limit_(std::min(limit, static_cast<std::int64_t>(bytes.size()) * 8)),
        enc_(e) {}
  void seek(std::int64_t pos) { pos_ = pos; }
  std::int64_t pos() const { return pos_; }
  std::uint64_t get(int width) {
    if (width == 0) return 0;
    if (pos_ < 0 || pos_ + width > limit_) corrupt(enc_, "truncated (read past the end)");
    if (width > 56) {  // a field and the bit offset must fit one 64-bit word
      const std::uint64_t low = get(32);
      return low | get(width - 32) << 32;
    }
    // The bytes holding bits [pos, pos + width), least significant first.
    const int shift = static_cast<int>(pos_ & 7);
    const std::size_t first = static_cast<std::size_t>(pos_ >> 3);
    const int nbytes = (shift + width + 7) / 8;
    std::uint64_t v = 0;
    for (int k = 0; k < nbytes; ++k)
      v |= static_cast<std::uint64_t>(bytes_[first + static_cast<std::size_t>(k)]) << (8 * k);
    pos_ += width;
    return (v >> shift) & ((std::uint64_t{1} << width) - 1);
  }
  std::int16_t get_signed(int width) {
    const std::uint64_t u = get(width);
    const std::int64_t sign = std::int64_t{1} << (width - 1);
    const std::int64_t v =
        static_cast<std::int64_t>(u) - ((u & static_cast<std::uint64_t>(sign)) ? 2 * sign : 0);
    return static_cast<std::int16_t>(v);
  }

 private:
  const std::vector<std::uint8_t>& bytes_;
  std::int64_t limit_;
  Encoding enc_;
  std::int64_t pos_ = 0;
};

std::int64_t checked_elements(std::int64_t rows, std::int64_t cols) {
  if (rows < 0 || cols < 0)
    throw std::invalid_argument("encoding: negative shape " + std::to_string(rows) + "x" +
                                std::to_string(cols));
  if (rows != 0 && cols > kMaxElements / rows)
    throw std::invalid_argument("encoding: tensor " + std::to_string(rows) + "x" +
                                std::to_string(cols) + " is too large");
  return rows * cols;
}

void check_value_bits(int value_bits) {
  if (value_bits < 1 || value_bits > 16)
    throw std::invalid_argument("encoding: value_bits must be in 1..16, got " +
                                std::to_string(value_bits));
}

// ---- encoders ----------------------------------------------------------------------------

void encode_dense(EncodedTensor& t, const std::int16_t* v, std::int64_t n, BitWriter& w) {
  if (t.value_bits == 16 && w.pos() == 0) {
    w.put_le16(v, n);  // the same bits, two whole bytes per value
  } else {
    for (std::int64_t i = 0; i < n; ++i) w.put_signed(v[i], t.value_bits);
  }
  t.payload_bits = n * t.value_bits;
}

void encode_rlc(EncodedTensor& t, const std::int16_t* v, std::int64_t n, BitWriter& w) {
  const int b = t.value_bits;
  const int per_word = rlc_pairs_per_word(b);
  std::int64_t pairs = 0;
  auto emit = [&](int run, std::int16_t level) {
    const int slot = static_cast<int>(pairs % per_word);
    if (slot == 0 && pairs > 0) {  // close the previous (not last) word: terminator 0
      w.pad_to(w.pos() - (w.pos() % kRlcWordBits) + kRlcWordBits);
    }
    w.put(static_cast<std::uint64_t>(run), kRlcRunBits);
    w.put_signed(level, b);
    ++pairs;
  };
  std::int64_t run = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (v[i] == 0) {
      ++run;
      continue;
    }
    for (; run > kRlcMaxRun; run -= kRlcMaxRun + 1) emit(kRlcMaxRun, 0);
    emit(static_cast<int>(run), v[i]);
    run = 0;
  }
  for (; run > kRlcMaxRun; run -= kRlcMaxRun + 1) emit(kRlcMaxRun, 0);
  if (run > 0) emit(static_cast<int>(run - 1), 0);
  if (pairs > 0) {  // empty pairs and padding, then the terminating bit of the last word
    const std::int64_t word_start = (pairs - 1) / per_word * kRlcWordBits;
    w.pad_to(word_start + kRlcWordBits - 1);
    w.put(1, 1);
  }
  t.payload_bits = t.nonzeros * b;
}

void encode_zero_run(EncodedTensor& t, const std::int16_t* v, std::int64_t n, BitWriter& w) {
  std::vector<std::int16_t> values;
  std::vector<int> counts;
  std::int64_t run = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (v[i] == 0) {
      ++run;
      continue;
    }
    for (; run > kZrMaxCount; run -= kZrMaxCount + 1) {
      values.push_back(0);
      counts.push_back(kZrMaxCount);
    }
    values.push_back(v[i]);
    counts.push_back(static_cast<int>(run));
    run = 0;
  }
  for (std::int16_t x : values) w.put_signed(x, t.value_bits);
  for (int c : counts) w.put(static_cast<std::uint64_t>(c), kZrCountBits);
  t.payload_bits = t.nonzeros * t.value_bits;
}

// CSR (row_major = true) or CSC on a rows x cols row-major array.
void encode_compressed(EncodedTensor& t, const std::int16_t* v, bool row_major, BitWriter& w) {
  const std::int64_t outer = row_major ? t.rows : t.cols;
  const std::int64_t inner = row_major ? t.cols : t.rows;
  auto at = [&](std::int64_t o, std::int64_t i) {
    return row_major ? v[o * t.cols + i] : v[i * t.cols + o];
  };
  const int iw = index_width(inner);
  const int pw = pointer_width(t.nonzeros);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i)
      if (at(o, i) != 0) w.put_signed(at(o, i), t.value_bits);
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i)
      if (at(o, i) != 0) w.put(static_cast<std::uint64_t>(i), iw);
  std::int64_t ptr = 0;
  w.put(0, pw);
  for (std::int64_t o = 0; o < outer; ++o) {
    for (std::int64_t i = 0; i < inner; ++i) ptr += at(o, i) != 0;
    w.put(static_cast<std::uint64_t>(ptr), pw);
  }
  t.payload_bits = t.nonzeros * t.value_bits;
}

void encode_bitmask(EncodedTensor& t, const std::int16_t* v, std::int64_t n, BitWriter& w) {
  for (std::int64_t i = 0; i < n; ++i) w.put(v[i] != 0 ? 1 : 0, 1);
  for (std::int64_t i = 0; i < n; ++i)
    if (v[i] != 0) w.put_signed(v[i], t.value_bits);
  t.payload_bits = t.nonzeros * t.value_bits;
}

// ---- decoders ----------------------------------------------------------------------------

void decode_dense(const EncodedTensor& t, std::vector<std::int16_t>& out) {
  const std::int64_t n = static_cast<std::int64_t>(out.size());
  if (t.total_bits != n * t.value_bits)
    corrupt(t.encoding, "length " + std::to_string(t.total_bits) + " bits, expected " +
                            std::to_string(n * t.value_bits));
  if (t.value_bits == 16) {  // two whole bytes per value, least significant first
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<std::int16_t>(t.bits[2 * i] | (t.bits[2 * i + 1] << 8));
    return;
  }
  BitReader r(t.bits, t.total_bits, t.encoding);
  for (auto& x : out) x = r.get_signed(t.value_bits);
}

void decode_rlc(const EncodedTensor& t, std::vector<std::int16_t>& out) {
  const Encoding e = t.encoding;
  const std::int64_t n = static_cast<std::int64_t>(out.size());
  const int b = t.value_bits;
  const int per_word = rlc_pairs_per_word(b);
  const int used = per_word * (kRlcRunBits + b);
  if (t.total_bits % kRlcWordBits != 0) corrupt(e, "length is not a whole number of words");
  if (n == 0) {
    if (t.total_bits != 0) corrupt(e, "non-empty stream for an empty tensor");
    return;
  }
  BitReader r(t.bits, t.total_bits, e);
  std::int64_t pos = 0;  // values produced
  for (std::int64_t word = 0;; ++word) {
    const std::int64_t base = word * kRlcWordBits;
    if (base >= t.total_bits) corrupt(e, "truncated: no word with the terminating bit");
    r.seek(base);
    for (int k = 0; k < per_word; ++k) {
      const int run = static_cast<int>(r.get(kRlcRunBits));
      const std::int16_t level = r.get_signed(b);
      if (pos == n) {
        if (run != 0 || level != 0) corrupt(e, "non-empty pair after the last value");
        continue;
      }
      if (run + 1 > n - pos) corrupt(e, "pair runs past the end of the tensor");
      pos += run;  // out[] is zero-initialised
      out[static_cast<std::size_t>(pos++)] = level;
      if (level == 0 && run != kRlcMaxRun && pos != n)
        corrupt(e, "zero level with run " + std::to_string(run) + " before the end");
    }
    if (r.get(kRlcWordBits - 1 - used) != 0) corrupt(e, "non-zero word padding");
    const bool last = r.get(1) != 0;
    if (last) {
      if (pos != n) corrupt(e, "terminating bit before the end of the tensor");
      if (base + kRlcWordBits != t.total_bits) corrupt(e, "words after the terminating word");
      return;
    }
    if (pos == n) corrupt(e, "tensor complete but terminating bit missing");
  }
}

void decode_zero_run(const EncodedTensor& t, std::vector<std::int16_t>& out) {
  const Encoding e = t.encoding;
  const std::int64_t n = static_cast<std::int64_t>(out.size());
  const int b = t.value_bits;
  const int entry = b + kZrCountBits;
  if (t.total_bits % entry != 0)
    corrupt(e, "length is not a whole number of " + std::to_string(entry) + "-bit entries");
  const std::int64_t k = t.total_bits / entry;
  BitReader values(t.bits, k * b, e);
  BitReader counts(t.bits, t.total_bits, e);
  counts.seek(k * b);
  std::int64_t pos = 0;
  for (std::int64_t i = 0; i < k; ++i) {
    const std::int16_t v = values.get_signed(b);
    const int c = static_cast<int>(counts.get(kZrCountBits));
    if (c >= n - pos) corrupt(e, "entry past the end of the tensor");
    pos += c;
    out[static_cast<std::size_t>(pos++)] = v;
    if (v == 0 && (c != kZrMaxCount || i == k - 1))
      corrupt(e, "stored zero that does not extend a run");
  }
}

void decode_compressed(const EncodedTensor& t, std::vector<std::int16_t>& out, bool row_major) {
  const Encoding e = t.encoding;
  const std::int64_t outer = row_major ? t.rows : t.cols;
  const std::int64_t inner = row_major ? t.cols : t.rows;
  const int b = t.value_bits;
  const int iw = index_width(inner);
  const std::int64_t n = static_cast<std::int64_t>(out.size());
  // total = nnz * (b + iw) + (outer + 1) * pointer_width(nnz) is strictly increasing in nnz,
  // so at most one nnz matches the stream length.
  std::int64_t nnz = -1;
  for (int pw = 1; pw < 63; ++pw) {
    const std::int64_t rest = t.total_bits - (outer + 1) * pw;
    if (rest < 0) break;
    if (rest % (b + iw) == 0 && pointer_width(rest / (b + iw)) == pw) {
      nnz = rest / (b + iw);
      break;
    }
  }
  if (nnz < 0) corrupt(e, "length " + std::to_string(t.total_bits) + " fits no non-zero count");
  if (nnz > n) corrupt(e, "more non-zeros than elements");
  const int pw = pointer_width(nnz);
  BitReader vals(t.bits, nnz * b, e);
  BitReader idx(t.bits, nnz * (b + iw), e);
  idx.seek(nnz * b);
  BitReader ptrs(t.bits, t.total_bits, e);
  ptrs.seek(nnz * (b + iw));
  std::int64_t prev = static_cast<std::int64_t>(ptrs.get(pw));
  if (prev != 0) corrupt(e, "first pointer is not 0");
  for (std::int64_t o = 0; o < outer; ++o) {
    const std::int64_t next = static_cast<std::int64_t>(ptrs.get(pw));
    if (next < prev || next > nnz) corrupt(e, "pointers out of order");
    std::int64_t last_i = -1;
    for (std::int64_t j = prev; j < next; ++j) {
      const std::int64_t i = static_cast<std::int64_t>(idx.get(iw));
      if (i >= inner || i <= last_i) corrupt(e, "index out of range or out of order");
      last_i = i;
      const std::int16_t v = vals.get_signed(b);
      if (v == 0) corrupt(e, "stored value is zero");
      out[static_cast<std::size_t>(row_major ? o * t.cols + i : i * t.cols + o)] = v;
    }
    prev = next;
  }
  if (prev != nnz) corrupt(e, "last pointer is not the non-zero count");
}

void decode_bitmask(const EncodedTensor& t, std::vector<std::int16_t>& out) {
  const Encoding e = t.encoding;
  const std::int64_t n = static_cast<std::int64_t>(out.size());
  if (t.total_bits < n) corrupt(e, "truncated mask");
  BitReader mask(t.bits, n, e);
  BitReader vals(t.bits, t.total_bits, e);
  vals.seek(n);
  for (auto& x : out) {
    if (mask.get(1) == 0) continue;
    x = vals.get_signed(t.value_bits);
    if (x == 0) corrupt(e, "stored value is zero");
  }
  if (vals.pos() != t.total_bits) corrupt(e, "length does not match the mask");
}

}  // namespace

Encoding parse_encoding(const std::string& name) {
  for (Encoding e : {Encoding::Dense, Encoding::Rlc, Encoding::ZeroRun, Encoding::Csr,
                     Encoding::Csc, Encoding::Bitmask})
    if (name == to_string(e)) return e;
  throw ConfigError("unknown encoding '" + name +
                    "'; valid encodings: dense, rlc, zero_run, csr, csc, bitmask");
}

const char* to_string(Encoding e) {
  switch (e) {
    case Encoding::Dense:
      return "dense";
    case Encoding::Rlc:
      return "rlc";
    case Encoding::ZeroRun:
      return "zero_run";
    case Encoding::Csr:
      return "csr";
    case Encoding::Csc:
      return "csc";
    case Encoding::Bitmask:
      return "bitmask";
  }
  return "?";
}

namespace {

// What the sizes of all encodings follow from: the non-zeros and, for the run-length formats,
// the entries (one per non-zero plus the fillers long zero runs need, and for RLC the runs of
// trailing zeros).
struct RunCounts {
  std::int64_t nnz = 0, rlc_entries = 0, zero_run_entries = 0;
};

RunCounts run_counts(const std::int16_t* v, std::int64_t n) {
  constexpr std::int64_t rlc_span = kRlcMaxRun + 1, zr_span = kZrMaxCount + 1;
  RunCounts c;
  std::int64_t run = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    if (v[i] == 0) {
      ++run;
      continue;
    }
    ++c.nnz;
    c.rlc_entries += 1 + run / rlc_span;
    c.zero_run_entries += 1 + run / zr_span;
    run = 0;
  }
  c.rlc_entries += run / rlc_span + (run % rlc_span > 0 ? 1 : 0);  // zero-run: trailing implied
  return c;
}

std::int64_t bits_of(Encoding e, const RunCounts& c, std::int64_t rows, std::int64_t cols, int b) {
  const std::int64_t n = rows * cols, nnz = c.nnz;
  switch (e) {
    case Encoding::Dense:
      return n * b;
    case Encoding::Bitmask:
      return n + nnz * b;
    case Encoding::Csr:
      return nnz * (b + index_width(cols)) + (rows + 1) * pointer_width(nnz);
    case Encoding::Csc:
      return nnz * (b + index_width(rows)) + (cols + 1) * pointer_width(nnz);
    case Encoding::ZeroRun:
      return c.zero_run_entries * (b + kZrCountBits);
    case Encoding::Rlc: {
      const int per_word = rlc_pairs_per_word(b);
      return (c.rlc_entries + per_word - 1) / per_word * kRlcWordBits;
    }
  }
  return 0;
}

}  // namespace

std::int64_t encoded_bits(Encoding e, const std::int16_t* v, std::int64_t rows, std::int64_t cols,
                          int b) {
  return bits_of(e, run_counts(v, rows * cols), rows, cols, b);
}

std::array<std::int64_t, 6> encoded_bits_all(const std::int16_t* v, std::int64_t rows,
                                             std::int64_t cols, int b) {
  const RunCounts c = run_counts(v, rows * cols);
  std::array<std::int64_t, 6> out{};
  for (std::size_t i = 0; i < kAllEncodings.size(); ++i)
    out[i] = bits_of(kAllEncodings[i], c, rows, cols, b);
  return out;
}

std::int64_t dense_bits(const EncodedTensor& t) { return t.rows * t.cols * t.value_bits; }

EncodedTensor encode(Encoding e, const std::int16_t* values, std::int64_t rows, std::int64_t cols,
                     int value_bits) {
  check_value_bits(value_bits);
  const std::int64_t n = checked_elements(rows, cols);
  if (n > 0 && values == nullptr) throw std::invalid_argument("encoding: null values");
  const std::int64_t lo = -(std::int64_t{1} << (value_bits - 1));
  const std::int64_t hi = (std::int64_t{1} << (value_bits - 1)) - 1;
  EncodedTensor t;
  t.encoding = e;
  t.rows = rows;
  t.cols = cols;
  t.value_bits = value_bits;
  for (std::int64_t i = 0; i < n; ++i) {
    if (values[i] < lo || values[i] > hi)
      throw std::invalid_argument("encoding: value " + std::to_string(values[i]) + " at index " +
                                  std::to_string(i) + " does not fit " +
                                  std::to_string(value_bits) + "-bit two's complement [" +
                                  std::to_string(lo) + ", " + std::to_string(hi) + "]");
    t.nonzeros += values[i] != 0;
  }
  BitWriter w;
  switch (e) {
    case Encoding::Dense:
      encode_dense(t, values, n, w);
      break;
    case Encoding::Rlc:
      encode_rlc(t, values, n, w);
      break;
    case Encoding::ZeroRun:
      encode_zero_run(t, values, n, w);
      break;
    case Encoding::Csr:
      encode_compressed(t, values, true, w);
      break;
    case Encoding::Csc:
      encode_compressed(t, values, false, w);
      break;
    case Encoding::Bitmask:
      encode_bitmask(t, values, n, w);
      break;
    default:
      throw std::invalid_argument("encoding: unknown Encoding value");
  }
  t.total_bits = w.pos();
  t.metadata_bits = t.total_bits - t.payload_bits;
  t.bits = w.take();
  return t;
}

namespace {

// Decodes the stream; the header's non-zero and payload counts are checked by the caller.
std::vector<std::int16_t> decode_values(const EncodedTensor& t) {
  const Encoding e = t.encoding;
  if (t.value_bits < 1 || t.value_bits > 16) corrupt(e, "value_bits outside 1..16");
  if (t.rows < 0 || t.cols < 0 || (t.rows != 0 && t.cols > kMaxElements / t.rows))
    corrupt(e, "bad shape");
  if (t.total_bits < 0 || t.payload_bits < 0 || t.metadata_bits < 0 ||
      t.total_bits != t.payload_bits + t.metadata_bits)
    corrupt(e, "total_bits != payload_bits + metadata_bits");
  if (static_cast<std::int64_t>(t.bits.size()) != (t.total_bits + 7) / 8)
    corrupt(e, "truncated: " + std::to_string(t.bits.size()) + " bytes for " +
                   std::to_string(t.total_bits) + " bits");
  if (t.total_bits % 8 != 0 && (t.bits.back() >> (t.total_bits % 8)) != 0)
    corrupt(e, "non-zero bits after the end of the stream");
  const std::int64_t n = t.rows * t.cols;
  // Cheap bounds before allocating n values (every format but ZeroRun and CSR/CSC spends at
  // least one bit per element; RLC covers at most 32 elements per pair).
  if ((e == Encoding::Dense || e == Encoding::Bitmask) && n > t.total_bits)
    corrupt(e, "truncated: stream shorter than the tensor");
  if (e == Encoding::Rlc && n > t.total_bits / kRlcWordBits * 3 * (kRlcMaxRun + 1))
    corrupt(e, "truncated: too few words for the tensor");
  std::vector<std::int16_t> out(static_cast<std::size_t>(n), 0);
  switch (e) {
    case Encoding::Dense:
      decode_dense(t, out);
      break;
    case Encoding::Rlc:
      decode_rlc(t, out);
      break;
    case Encoding::ZeroRun:
      decode_zero_run(t, out);
      break;
    case Encoding::Csr:
      decode_compressed(t, out, true);
      break;
    case Encoding::Csc:
      decode_compressed(t, out, false);
      break;
    case Encoding::Bitmask:
      decode_bitmask(t, out);
      break;
    default:
      corrupt(e, "unknown encoding");
  }
  return out;
}

}  // namespace

std::vector<std::int16_t> decode_stream(Encoding e, const std::uint8_t* bits,
                                        std::int64_t total_bits, std::int64_t rows,
                                        std::int64_t cols, int value_bits) {
  EncodedTensor t;
  t.encoding = e;
  t.rows = rows;
  t.cols = cols;
  t.value_bits = value_bits;
  t.bits.assign(bits, bits + (total_bits + 7) / 8);
  t.total_bits = total_bits;
  t.payload_bits = total_bits;  // not known without decoding; not cross-checked here
  return decode_values(t);
}

std::vector<std::int16_t> decode(const EncodedTensor& t) {
  const Encoding e = t.encoding;
  std::vector<std::int16_t> out = decode_values(t);
  const std::int64_t n = t.rows * t.cols;
  std::int64_t nnz = 0;
  for (std::int16_t x : out) nnz += x != 0;
  const std::int64_t payload = e == Encoding::Dense ? n * t.value_bits : nnz * t.value_bits;
  if (nnz != t.nonzeros || payload != t.payload_bits)
    corrupt(e, "header says " + std::to_string(t.nonzeros) + " non-zeros / " +
                   std::to_string(t.payload_bits) + " payload bits, stream has " +
                   std::to_string(nnz) + " / " + std::to_string(payload));
  return out;
}

double expected_bits_per_value(Encoding e, double density, int value_bits,
                               std::int64_t line_length) {
  const double d = std::clamp(density, 0.0, 1.0), b = value_bits;
  // Stored entries per value for a format whose run field counts up to max_run zeros.
  auto entries = [d](int max_run) {
    if (d <= 0) return 1.0 / (max_run + 1);  // only the explicit zeros that extend the runs
    const double q = std::pow(1 - d, max_run + 1);
    return d + d * q / (1 - q);
  };
  switch (e) {
    case Encoding::Dense:
      return b;
    case Encoding::Bitmask:
      return 1 + d * b;
    case Encoding::ZeroRun:
      return (b + kZrCountBits) * entries(kZrMaxCount);
    case Encoding::Rlc:
      return static_cast<double>(kRlcWordBits) / 3 * entries(kRlcMaxRun);
    case Encoding::Csr:
    case Encoding::Csc: {
      const double n = static_cast<double>(std::max<std::int64_t>(1, line_length));
      return d * (b + std::ceil(std::log2(n))) + 16 / n;
    }
  }
  return b;
}

}  // namespace dfsim
