// DMA requests to DRAM: how a transfer of blocks (rows of a tile, filters, ofmap rows) becomes
// DRAM requests. One rule, used by the controllers that issue the requests and by the
// estimates that count them: blocks adjacent in DRAM merge into one request of at most
// dram.max_request_bytes; a block that is not adjacent to the previous one, or would make the
// request larger, starts a new request (a block larger than the limit is one request).
// Each request occupies the DRAM link for whole bursts (Dram::b_transport).
#pragma once

#include <cstdint>
#include <vector>

#include "base/config/arch_config.hpp"

namespace dfsim {

// A block of a transfer: bytes [addr, addr + bytes) of DRAM.
struct DmaBlock {
  std::int64_t addr = 0, bytes = 0;
};

// One DRAM request: blocks [first, first + count) of the transfer, [addr, addr + bytes).
struct DmaRequest {
  std::int64_t addr = 0, bytes = 0;
  std::size_t first = 0, count = 0;
};

// The requests of a transfer, in block order.
std::vector<DmaRequest> dma_requests(const std::vector<DmaBlock>& blocks,
                                     std::int64_t max_request_bytes);

// Requests, payload bytes and DRAM link cycles of a transfer of `blocks` equal blocks of
// `block_bytes`, adjacent in runs of `run_blocks` (the last run may be shorter): the count
// dma_requests gives for such a layout, without building it.
struct DmaCost {
  std::int64_t requests = 0, bytes = 0;
  double link_cycles = 0;  // link cycles the requests occupy the DRAM channel
  DmaCost& operator+=(const DmaCost& o) {
    requests += o.requests;
    bytes += o.bytes;
    link_cycles += o.link_cycles;
    return *this;
  }
  DmaCost times(std::int64_t k) const {
    return {requests * k, bytes * k, link_cycles * static_cast<double>(k)};
  }
};
DmaCost dma_cost(const DramConfig& dram, double bytes_per_link_cycle, std::int64_t block_bytes,
                 std::int64_t run_blocks, std::int64_t blocks);

// Core cycles from issuing a DRAM request to its data, beyond the link transfer: the memory
// latency and the clock-domain crossing both ways (half a period to the next edge plus the
// synchronizer, in each domain; ClockDomainCrossing).
double dram_round_trip_core_cycles(const ArchConfig& a);
// Bytes the DRAM link moves per link cycle: the bus width, capped by the device bandwidth
// (dram.bandwidth_gbytes_per_s) when one is given.
double dram_bytes_per_link_cycle(const ArchConfig& a);

// Link cycles one request of `bytes` occupies the channel: whole bursts at the link rate.
double dma_request_link_cycles(const DramConfig& dram, double bytes_per_link_cycle,
                               std::int64_t bytes);

}  // namespace dfsim
