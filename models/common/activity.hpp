// Event counts a model accumulates; statistics and energy are computed from these only.
#pragma once

#include <array>
#include <cstdint>

#include "models/common/payload.hpp"

namespace dfsim {

struct Activity {
  std::array<std::int64_t, kNumDataKinds> read_bits{};
  std::array<std::int64_t, kNumDataKinds> write_bits{};
  std::array<std::int64_t, kNumDataKinds> reads{};  // accesses (transactions or entries)
  std::array<std::int64_t, kNumDataKinds> writes{};
  double energy_pj = 0;

  void read(DataKind k, std::int64_t bits, double pj) {
    read_bits[static_cast<int>(k)] += bits;
    reads[static_cast<int>(k)] += 1;
    energy_pj += pj;
  }
  void write(DataKind k, std::int64_t bits, double pj) {
    write_bits[static_cast<int>(k)] += bits;
    writes[static_cast<int>(k)] += 1;
    energy_pj += pj;
  }
  // `count` accesses of `bits` each (scratchpad entries).
  void reads_of(DataKind k, std::int64_t count, std::int64_t bits, double pj_each) {
    read_bits[static_cast<int>(k)] += count * bits;
    reads[static_cast<int>(k)] += count;
    energy_pj += static_cast<double>(count) * pj_each;
  }
  void writes_of(DataKind k, std::int64_t count, std::int64_t bits, double pj_each) {
    write_bits[static_cast<int>(k)] += count * bits;
    writes[static_cast<int>(k)] += count;
    energy_pj += static_cast<double>(count) * pj_each;
  }
  std::int64_t total_read_bits() const {
    std::int64_t s = 0;
    for (auto b : read_bits) s += b;
    return s;
  }
  std::int64_t total_write_bits() const {
    std::int64_t s = 0;
    for (auto b : write_bits) s += b;
    return s;
  }
  Activity& operator+=(const Activity& o) {
    for (int i = 0; i < kNumDataKinds; ++i) {
      read_bits[i] += o.read_bits[i];
      write_bits[i] += o.write_bits[i];
      reads[i] += o.reads[i];
      writes[i] += o.writes[i];
    }
    energy_pj += o.energy_pj;
    return *this;
  }
  Activity operator-(const Activity& o) const {
    Activity r = *this;
    for (int i = 0; i < kNumDataKinds; ++i) {
      r.read_bits[i] -= o.read_bits[i];
      r.write_bits[i] -= o.write_bits[i];
      r.reads[i] -= o.reads[i];
      r.writes[i] -= o.writes[i];
    }
    r.energy_pj -= o.energy_pj;
    return r;
  }
};

}  // namespace dfsim
