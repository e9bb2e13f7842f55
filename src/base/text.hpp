// Small shared helpers: JSON text, deterministic hashing and random numbers.
#pragma once

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dfsim {

// A JSON string literal.
inline std::string json_quote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (c == '\n') {
      o += "\\n";
      continue;
    }
    if (static_cast<unsigned char>(c) < 0x20) {  // other control characters: \u00XX
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      o += buf;
      continue;
    }
    o += c;
  }
  return o + "\"";
}

// A number with up to `digits` significant digits, the same text on every platform.
inline std::string json_number(double v, int digits = 9) {
  if (!std::isfinite(v)) return "null";  // JSON has no infinity or NaN
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// FNV-1a, 64 bit. The default basis has one digit fewer than the published offset basis
// (kFnv1a64Basis); kept because the generated operands of every layer are seeded with it.
constexpr std::uint64_t kFnv1a64Basis = 14695981039346656037ULL;
inline std::uint64_t fnv1a64(const std::string& s, std::uint64_t h = 1469598103934665603ULL) {
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

// The text in ASCII lower case.
inline std::string lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// splitmix64: a fixed, portable generator (std::uniform_int_distribution is not portable).
constexpr std::uint64_t kSplitmix64Gamma = 0x9E3779B97F4A7C15ULL;  // the state's step
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += kSplitmix64Gamma);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace dfsim
