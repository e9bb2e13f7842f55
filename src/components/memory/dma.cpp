#include "components/memory/dma.hpp"

#include <algorithm>
#include <cmath>

namespace dfsim {

std::vector<DmaRequest> dma_requests(const std::vector<DmaBlock>& blocks,
                                     std::int64_t max_request_bytes) {
  std::vector<DmaRequest> out;
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const DmaBlock& b = blocks[i];
    if (b.bytes == 0) continue;
    if (!out.empty()) {
      DmaRequest& r = out.back();
      if (r.addr + r.bytes == b.addr && r.bytes + b.bytes <= max_request_bytes) {
        r.bytes += b.bytes;
        r.count = i + 1 - r.first;
        continue;
      }
    }
    out.push_back({b.addr, b.bytes, i, 1});
  }
  return out;
}

double dram_round_trip_core_cycles(const ArchConfig& a) {
  const double sync = static_cast<double>(a.clocks.cdc_sync_cycles) + 0.5;
  return a.dram.latency_ns * a.clocks.core_mhz / 1000.0 +
         sync * (1.0 + a.clocks.core_mhz / a.clocks.link_mhz);
}

double dma_request_link_cycles(const DramConfig& dram, double bytes_per_link_cycle,
                               std::int64_t bytes) {
  const std::int64_t bursts = (bytes + dram.burst_bytes - 1) / dram.burst_bytes;
  return std::ceil(static_cast<double>(bursts * dram.burst_bytes) / bytes_per_link_cycle);
}

DmaCost dma_cost(const DramConfig& dram, double bytes_per_link_cycle, std::int64_t block_bytes,
                 std::int64_t run_blocks, std::int64_t blocks) {
  DmaCost c;
  if (block_bytes <= 0 || blocks <= 0) return c;
  run_blocks = std::max<std::int64_t>(1, std::min(run_blocks, blocks));
  // Blocks per request inside a run.
  const std::int64_t per_request = std::max<std::int64_t>(1, dram.max_request_bytes / block_bytes);
  auto run = [&](std::int64_t length) {
    DmaCost r;
    const std::int64_t full = length / per_request, rest = length % per_request;
    r.requests = full + (rest > 0);
    r.bytes = length * block_bytes;
    r.link_cycles =
        static_cast<double>(full) *
            dma_request_link_cycles(dram, bytes_per_link_cycle, per_request * block_bytes) +
        (rest > 0 ? dma_request_link_cycles(dram, bytes_per_link_cycle, rest * block_bytes) : 0);
    return r;
  };
  c += run(run_blocks).times(blocks / run_blocks);
  if (blocks % run_blocks) c += run(blocks % run_blocks);
  return c;
}

double dram_bytes_per_link_cycle(const ArchConfig& a) {
  double bus = static_cast<double>(a.dram.bus_width_bits) / 8.0;
  if (a.dram.bandwidth_gbytes_per_s > 0) {
    const double dev = a.dram.bandwidth_gbytes_per_s * 1e3 / a.clocks.link_mhz;  // B per cycle
    bus = std::min(bus, dev);
  }
  return bus;
}

}  // namespace dfsim
