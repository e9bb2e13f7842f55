// Values stored in `bytes` (1 to 4) bytes, least significant byte first, as the modelled
// memories hold psums and operands: what memcpy of the low bytes does on a little-endian host,
// without a library call per value and on any host.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dfsim {

inline std::uint32_t load_le(const unsigned char* p, std::size_t bytes) {
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < bytes; ++k) v |= static_cast<std::uint32_t>(p[k]) << (8 * k);
  return v;
}

inline void store_le(unsigned char* p, std::uint32_t v, std::size_t bytes) {
  for (std::size_t k = 0; k < bytes; ++k) p[k] = static_cast<unsigned char>(v >> (8 * k));
}

// Loads n values, each stored in `bytes` bytes, into dst (the inverse of store_le_all).
template <typename T>
void load_le_all(T* dst, const unsigned char* src, std::size_t n, std::size_t bytes) {
  if (bytes == 2) {
    for (std::size_t i = 0; i < n; ++i)
      dst[i] = static_cast<T>(static_cast<std::uint32_t>(src[2 * i]) |
                              (static_cast<std::uint32_t>(src[2 * i + 1]) << 8));
  } else {
    for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<T>(load_le(src + bytes * i, bytes));
  }
}

// Stores n values, each in `bytes` bytes, one after another (dst holds n * bytes): the same as
// store_le per value, with the common widths as fixed-width loops the compiler vectorizes.
inline void store_le_all(unsigned char* dst, const std::uint32_t* src, std::size_t n,
                         std::size_t bytes) {
  if (bytes == 2) {
    for (std::size_t i = 0; i < n; ++i) {
      dst[2 * i] = static_cast<unsigned char>(src[i]);
      dst[2 * i + 1] = static_cast<unsigned char>(src[i] >> 8);
    }
  } else if (bytes == 4) {
    for (std::size_t i = 0; i < n; ++i) store_le(dst + 4 * i, src[i], 4);
  } else {
    for (std::size_t i = 0; i < n; ++i) store_le(dst + bytes * i, src[i], bytes);
  }
}

}  // namespace dfsim
