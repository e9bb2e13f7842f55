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

}  // namespace dfsim
