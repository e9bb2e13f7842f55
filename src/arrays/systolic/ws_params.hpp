// The weight-stationary systolic array's own parameters (unified_buffer, accumulators,
// weight_fifo, pe, activation), parsed by parse_systolic.
#pragma once

#include <cstdint>
#include <string>

#include "base/config/arch_config.hpp"

namespace dfsim {

// Weight-stationary systolic array (TPU v1 style) parts.
struct UnifiedBufferConfig {
  std::string impl = "banked_sram";  // role "sram"
  std::int64_t banks = 24;
  std::int64_t bank_bytes = 1 << 20;
  std::int64_t bank_width_bits = 2048;  // 256 8-bit values per cycle
  double read_energy_pj_per_bit = 0;
  double write_energy_pj_per_bit = 0;
  std::int64_t size_bytes() const { return banks * bank_bytes; }
};

struct AccumulatorConfig {
  std::int64_t entries = 4096;  // rows of cols x psum_bits, split across the buffers
  std::int64_t buffers = 2;     // double buffered: the activation unit drains one
  double read_energy_pj_per_bit = 0;
  double write_energy_pj_per_bit = 0;
};

struct WeightFifoConfig {
  std::int64_t depth_tiles = 4;
  double energy_pj_per_bit = 0;  // write into and read out of the FIFO, each
};

struct SystolicPeConfig {
  double mac_energy_pj = 0;            // per 8-bit MAC
  double weight_shift_pj_per_bit = 0;  // per bit shifted one PE down while loading a tile
  double hop_pj_per_bit = 0;           // per bit an input or psum moves to the next PE
};

struct ActivationConfig {
  std::int64_t values_per_cycle = 256;
};

struct SystolicParams : StyleParams {
  static constexpr char kStyle[] = "weight_stationary_systolic";
  SystolicParams() : StyleParams(kStyle) {}
  UnifiedBufferConfig unified_buffer;
  AccumulatorConfig accumulators;
  WeightFifoConfig weight_fifo;
  SystolicPeConfig systolic_pe;
  ActivationConfig activation;
};

inline const SystolicParams& ws_params(const ArchConfig& a) {
  return style_params<SystolicParams>(a);
}

}  // namespace dfsim
