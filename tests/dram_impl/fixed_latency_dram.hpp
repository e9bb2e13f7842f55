// What the test-only "test_fixed_latency" DRAM saw (tests/dram_impl/fixed_latency_dram.cpp).
#pragma once

#include <cstdint>

namespace dfsim_test {

struct FixedLatencyCounters {
  static std::int64_t built;     // instances constructed
  static std::int64_t requests;  // b_transport calls
};

}  // namespace dfsim_test
