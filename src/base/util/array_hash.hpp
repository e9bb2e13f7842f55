// A hash of a fixed-size array of integers (FNV-1a over the values, then a final mix), for
// memo tables keyed by a few sizes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace dfsim {

struct IntArrayHash {
  template <std::size_t N>
  std::size_t operator()(const std::array<std::int64_t, N>& key) const {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (std::int64_t v : key) h = (h ^ static_cast<std::uint64_t>(v)) * 0x100000001b3ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

}  // namespace dfsim
