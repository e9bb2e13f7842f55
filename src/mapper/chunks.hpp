// Loop bounds split into chunks, as every style's tiling and estimate walks them.
#pragma once

#include <algorithm>
#include <cstdint>

namespace dfsim {

inline std::int64_t ceil_div64(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// A contiguous chunk [begin, begin + size) of one loop dimension.
struct Chunk {
  std::int64_t begin = 0;
  std::int64_t size = 0;
};

// Calls fn(Chunk) for [0, total) in chunks of `step` (the last one may be shorter).
template <typename Fn>
void for_each_chunk(std::int64_t total, std::int64_t step, Fn&& fn) {
  for (std::int64_t b = 0; b < total; b += step) fn(Chunk{b, std::min(step, total - b)});
}

}  // namespace dfsim
