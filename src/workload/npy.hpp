// Reads NumPy .npy arrays of integers (format versions 1-3, C order, little endian).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace dfsim {

struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> values;  // row-major
  std::string dtype;                 // as in the header, e.g. "<i2"
};

// Throws ConfigError naming the file for anything it cannot read: bad magic, unsupported
// version or dtype (integers only), Fortran order, a malformed header, truncated data.
NpyArray load_npy(const std::string& path);

// Writes a little-endian int16 array (used by tests and examples).
void save_npy_int16(const std::string& path, const std::vector<std::int64_t>& shape,
                    const std::vector<std::int16_t>& values);

}  // namespace dfsim
