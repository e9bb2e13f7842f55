// The planar-tiled array's own parameters (pe, activation_ram, noc, encodings), parsed by
// parse_planar.
#pragma once

#include <cstdint>
#include <string>

#include "base/config/arch_config.hpp"

namespace dfsim {

// Planar-tiled, input-stationary array (SCNN and its dense baselines DCNN / DCNN-opt).
struct PlanarPeConfig {
  // cartesian_sparse: SCNN's PT-IS-CP-sparse PE (F non-zero weights x I non-zero activations
  // per cycle, products scattered to banked accumulators). dot_product_dense: the DCNN PE
  // (F output channels x an I-channel dot product per cycle on dense operands).
  std::string dataflow = "cartesian_sparse";
  std::int64_t multipliers_f = 4;  // F: weights per multiplier-array input vector
  std::int64_t multipliers_i = 4;  // I: activations per input vector
  std::int64_t accumulator_banks = 32;
  std::int64_t accumulator_bank_entries = 32;
  std::int64_t accumulator_buffers = 2;   // 2: post-processing overlaps the next group
  std::int64_t crossbar_queue_depth = 2;  // products a bank may hold waiting (0: none)
  std::int64_t weight_fifo_entries = 50;
  std::int64_t ppu_values_per_cycle = 4;  // post-processing (halo add, ReLU, compression)
  bool zero_gating = false;               // dense PE: a zero operand skips the multiply
  double multiply_pj = 0;                 // per product formed (16 x 16 bit)
  double add_pj = 0;                      // per product reduced (adder tree or accumulator)
  double crossbar_pj_per_product = 0;     // per product routed through the scatter crossbar
  double accumulator_access_pj = 0;       // per accumulator entry read or written
  double weight_fifo_pj_per_bit = 0;      // per bit written into or read out of the FIFO
  double ppu_pj_per_value = 0;            // per output value post-processed
  bool sparse() const { return dataflow == "cartesian_sparse"; }
};

struct ActivationRamConfig {
  std::string impl = "banked_sram";  // role "sram", both RAMs
  std::int64_t iaram_bytes = 10240;  // per PE
  std::int64_t oaram_bytes = 10240;  // per PE
  std::int64_t width_bits = 64;      // bits per access, one access per cycle
  double read_energy_pj_per_bit = 0;
  double write_energy_pj_per_bit = 0;
};

struct PlanarNocConfig {
  std::string impl = "tagged_multicast";  // the weight bus (component role "multicast_noc")
  std::int64_t weight_bus_bits = 128;     // broadcast of (compressed) weights to every PE
  std::int64_t halo_link_bits = 64;       // per PE, psums sent to the PE owning them
  double weight_bus_pj_per_bit = 0;       // per bit delivered to one PE
  double halo_pj_per_bit = 0;
};

// encodings: how weights are stored in DRAM and how activations (IARAM/OARAM) and weights (FIFO)
// are held on chip (the DRAM activation encodings are the common ArchConfig ones).
struct PlanarEncodings {
  Encoding dram_weight = Encoding::Dense;
  Encoding onchip = Encoding::Dense;
};

struct PlanarParams : StyleParams {
  static constexpr char kStyle[] = "planar_tiled";
  PlanarParams() : StyleParams(kStyle) {}
  PlanarPeConfig planar_pe;
  ActivationRamConfig activation_ram;
  PlanarNocConfig planar_noc;
  PlanarEncodings encodings;
};

inline const PlanarParams& pt_params(const ArchConfig& a) { return style_params<PlanarParams>(a); }

}  // namespace dfsim
