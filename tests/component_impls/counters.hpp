// What the test-only component implementations saw (tests/component_impls/): the
// "test_fixed_latency" DRAM, the "test_ideal_sram" buffer and the "test_unicast" NoC.
#pragma once

#include <cstdint>

namespace dfsim_test {

struct FixedLatencyCounters {
  static std::int64_t built;     // instances constructed
  static std::int64_t requests;  // b_transport calls
};

struct IdealSramCounters {
  static std::int64_t built;     // instances constructed
  static std::int64_t requests;  // b_transport calls
};

struct UnicastNocCounters {
  static std::int64_t built;   // instances constructed
  static std::int64_t copies;  // payload copies delivered to PEs
  static std::int64_t bits;    // bits of those copies
};

}  // namespace dfsim_test
