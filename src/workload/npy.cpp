#include "workload/npy.hpp"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "base/config/config_node.hpp"

namespace dfsim {

namespace {

[[noreturn]] void bad(const std::string& path, const std::string& why) {
  throw ConfigError(path + ": not a readable .npy array: " + why);
}

}  // namespace

NpyArray load_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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
  const std::string header = bytes.substr(offset, header_len);
  std::smatch m;
  NpyArray a;
  if (!std::regex_search(header, m, std::regex("'descr'\\s*:\\s*'([^']*)'")))
    bad(path, "header has no 'descr'");
  a.dtype = m[1];
  if (!std::regex_search(header, m, std::regex("'fortran_order'\\s*:\\s*(True|False)")))
    bad(path, "header has no 'fortran_order'");
  if (m[1] == "True") bad(path, "Fortran-ordered arrays are not supported (save with C order)");
  if (!std::regex_search(header, m, std::regex("'shape'\\s*:\\s*\\(([^)]*)\\)")))
    bad(path, "header has no 'shape'");
  {
    std::stringstream ss(m[1].str());
    for (std::string item; std::getline(ss, item, ',');) {
      const auto first = item.find_first_not_of(" \t");
      if (first == std::string::npos) continue;
      try {
        std::size_t pos = 0;
        const long long v = std::stoll(item.substr(first), &pos);
        if (v < 0) bad(path, "negative dimension in shape");
        a.shape.push_back(v);
      } catch (const std::logic_error&) {
        bad(path, "malformed shape (" + m[1].str() + ")");
      }
    }
  }
  std::int64_t count = 1;
  for (auto d : a.shape) {
    if (d > 0 && count > (std::int64_t{1} << 40) / d) bad(path, "shape too large");
    count *= d;
  }
  // Integer types only: the models compute fixed point.
  const std::string& t = a.dtype;
  if (t.size() != 3 || (t[0] != '<' && t[0] != '|') || (t[1] != 'i' && t[1] != 'u'))
    bad(path,
        "dtype '" + t + "' is not supported (little-endian integers only: i1, i2, i4, u1, u2)");
  const int width = t[2] - '0';
  if (width != 1 && width != 2 && width != 4) bad(path, "dtype '" + t + "' is not supported");
  const bool is_signed = t[1] == 'i';
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
