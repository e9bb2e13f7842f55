#include "workload/npy.hpp"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "base/config/config_node.hpp"

namespace dfsim {

namespace {

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw ConfigError(path + ": not a readable .npy array: " + why);
}

// The position just after `'key'` and its colon in the header dictionary.
std::size_t value_of(const std::string& header, const std::string& key, const std::string& path) {
  const std::size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) bad(path, "header has no '" + key + "'");
  std::size_t i = header.find_first_not_of(" \t", k + key.size() + 2);
  if (i == std::string::npos || header[i] != ':') bad(path, "header's '" + key + "' has no value");
  i = header.find_first_not_of(" \t", i + 1);
  if (i == std::string::npos) bad(path, "header's '" + key + "' has no value");
  return i;
}

// 'key': 'text' -> text.
std::string quoted_after(const std::string& header, const std::string& key,
                         const std::string& path) {
  const std::size_t i = value_of(header, key, path);
  const std::size_t end = header[i] == '\'' ? header.find('\'', i + 1) : std::string::npos;
  if (end == std::string::npos) bad(path, "header's '" + key + "' is not a quoted string");
  return header.substr(i + 1, end - i - 1);
}

// 'key': Word -> Word (up to the next comma, space or brace).
std::string word_after(const std::string& header, const std::string& key, const std::string& path) {
  const std::size_t i = value_of(header, key, path);
  return header.substr(i, header.find_first_of(", \t}", i) - i);
}

// 'shape': (d0, d1, ...) -> the dimensions, each a non-negative decimal integer.
std::vector<std::int64_t> shape_after(const std::string& header, const std::string& path) {
  const std::size_t i = value_of(header, "shape", path);
  const std::size_t end = header[i] == '(' ? header.find(')', i) : std::string::npos;
  if (end == std::string::npos) bad(path, "header's 'shape' is not a tuple");
  const std::string inside = header.substr(i + 1, end - i - 1);
  std::vector<std::int64_t> shape;
  std::stringstream ss(inside);
  for (std::string item; std::getline(ss, item, ',');) {
    const auto first = item.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    const std::string dim = item.substr(first, item.find_last_not_of(" \t") - first + 1);
    std::size_t pos = 0;
    long long v = -1;
    try {
      v = std::stoll(dim, &pos);
    } catch (const std::logic_error&) {
      pos = 0;
    }
    if (pos != dim.size() || dim.empty()) bad(path, "malformed shape (" + inside + ")");
    if (v < 0) bad(path, "negative dimension in shape");
    shape.push_back(v);
  }
  return shape;
}

// The byte width of an integer dtype ('<i2' -> 2). Integer types only: the models compute
// fixed point. A dtype is a few characters; a malformed one is quoted to 16.
int integer_width(const std::string& t, const std::string& path) {
  const std::string shown = t.size() > 16 ? t.substr(0, 16) + "..." : t;
  if (t.size() != 3 || (t[0] != '<' && t[0] != '|') || (t[1] != 'i' && t[1] != 'u'))
    bad(path,
        "dtype '" + shown + "' is not supported (little-endian integers only: i1, i2, i4, u1, u2)");
  const int width = t[2] - '0';
  if (width != 1 && width != 2 && width != 4) bad(path, "dtype '" + shown + "' is not supported");
  return width;
}

}  // namespace

NpyArray load_npy(const std::string& path) {
  const std::string bytes = read_input_file(path);
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    bad(path, "missing the \\x93NUMPY magic");
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) bad(path, "truncated header");
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    bad(path, "unsupported format version " + std::to_string(major));
  }
  if (offset + header_len > bytes.size()) bad(path, "truncated header");
  // NumPy writes a few hundred bytes; a larger header is not an array's.
  if (header_len > (std::size_t{1} << 20))
    bad(path, "header of " + std::to_string(header_len) + " bytes (over 1 MiB)");
  const std::string header = bytes.substr(offset, header_len);
  NpyArray a;
  a.dtype = quoted_after(header, "descr", path);
  const std::string order = word_after(header, "fortran_order", path);
  if (order == "True") bad(path, "Fortran-ordered arrays are not supported (save with C order)");
  if (order != "False")
    bad(path, "'fortran_order' is '" + order.substr(0, 16) + "', not True or False");
  a.shape = shape_after(header, path);
  std::int64_t count = 1;
  for (auto d : a.shape) {
    if (d > 0 && count > (std::int64_t{1} << 40) / d) bad(path, "shape too large");
    count *= d;
  }
  const int width = integer_width(a.dtype, path);
  const bool is_signed = a.dtype[1] == 'i';
  const std::size_t data = offset + header_len;
  if (bytes.size() - data < static_cast<std::size_t>(count) * static_cast<std::size_t>(width))
    bad(path, "truncated data: " + std::to_string(count) + " values of " + std::to_string(width) +
                  " bytes expected, " + std::to_string(bytes.size() - data) + " bytes present");
  a.values.resize(static_cast<std::size_t>(count));
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + data);
  for (std::int64_t i = 0; i < count; ++i) {
    std::uint32_t u = 0;
    for (int b = 0; b < width; ++b) u |= static_cast<std::uint32_t>(p[i * width + b]) << (8 * b);
    std::int64_t v = u;
    if (is_signed && width < 4 && (u >> (8 * width - 1)) & 1) v -= std::int64_t{1} << (8 * width);
    if (is_signed && width == 4) v = static_cast<std::int32_t>(u);
    a.values[static_cast<std::size_t>(i)] = v;
  }
  return a;
}

void save_npy_int16(const std::string& path, const std::vector<std::int64_t>& shape,
                    const std::vector<std::int16_t>& values) {
  std::string dims;
  for (auto d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.erase(dims.size() - 2);
  std::string header = "{'descr': '<i2', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out.write("\x93NUMPY\x01\x00", 8);
  const std::uint16_t len = static_cast<std::uint16_t>(header.size());
  out.put(static_cast<char>(len & 0xff));
  out.put(static_cast<char>(len >> 8));
  out << header;
  for (std::int16_t v : values) {
    out.put(static_cast<char>(v & 0xff));
    out.put(static_cast<char>((static_cast<std::uint16_t>(v) >> 8) & 0xff));
  }
  if (!out) throw ConfigError(path + ": cannot write");
}

}  // namespace dfsim
