// What a component did, by data type: accesses and the bits they moved. Components only count;
// energy is priced from these counts by the architecture's energy table
// (base/energy/energy_table.hpp), and the traffic statistics are computed from them.
#pragma once

#include <array>
#include <cstdint>

#include "components/payload.hpp"

namespace dfsim {

struct Activity {
  std::array<std::int64_t, kNumDataKinds> read_bits{};
  std::array<std::int64_t, kNumDataKinds> write_bits{};
  std::array<std::int64_t, kNumDataKinds> reads{};  // accesses (transactions or entries)
  std::array<std::int64_t, kNumDataKinds> writes{};

  // One access of `bits`.
  void read(DataKind k, std::int64_t bits) {
    read_bits[static_cast<int>(k)] += bits;
    reads[static_cast<int>(k)] += 1;
  }
  void write(DataKind k, std::int64_t bits) {
    write_bits[static_cast<int>(k)] += bits;
    writes[static_cast<int>(k)] += 1;
  }
  // `count` accesses of `bits` each (scratchpad entries).
  void reads_of(DataKind k, std::int64_t count, std::int64_t bits) {
    read_bits[static_cast<int>(k)] += count * bits;
    reads[static_cast<int>(k)] += count;
  }
  void writes_of(DataKind k, std::int64_t count, std::int64_t bits) {
    write_bits[static_cast<int>(k)] += count * bits;
    writes[static_cast<int>(k)] += count;
  }
  std::int64_t total_read_bits() const { return sum(read_bits); }
  std::int64_t total_write_bits() const { return sum(write_bits); }
  std::int64_t total_bits() const { return total_read_bits() + total_write_bits(); }
  std::int64_t total_reads() const { return sum(reads); }
  std::int64_t total_writes() const { return sum(writes); }
  Activity& operator+=(const Activity& o) {
    for (int i = 0; i < kNumDataKinds; ++i) {
      read_bits[i] += o.read_bits[i];
      write_bits[i] += o.write_bits[i];
      reads[i] += o.reads[i];
      writes[i] += o.writes[i];
    }
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
    return r;
  }

 private:
  static std::int64_t sum(const std::array<std::int64_t, kNumDataKinds>& a) {
    std::int64_t s = 0;
    for (auto v : a) s += v;
    return s;
  }
};

}  // namespace dfsim
