// Architecture description: what the hardware is, separate from how it behaves (models/).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "compress/encoding.hpp"

namespace dfsim {

class ConfigNode;

struct ClockConfig {
  double core_mhz = 200;
  double link_mhz = 90;
  // Synchronizer depth of the asynchronous FIFOs between the two domains, in cycles of the
  // receiving clock.
  std::int64_t cdc_sync_cycles = 2;
};

struct DramConfig {
  std::string impl = "bandwidth";     // the device model (component registry, role "dram")
  std::int64_t bus_width_bits = 64;   // data pins of the link, one transfer per link cycle
  double bandwidth_gbytes_per_s = 0;  // device limit; 0 = only the bus limits
  double latency_ns = 100;            // first-data latency of a burst
  std::int64_t burst_bytes = 64;      // transfer granularity
  // Largest DMA request: adjacent blocks of a transfer merge into requests up to this size
  // (one DRAM page of a x16 DDR3/DDR4 device, 2 KB).
  std::int64_t max_request_bytes = 2048;
  double energy_pj_per_bit = 28.75;  // 460 pJ per 16-bit word
};

struct GlbConfig {
  std::string impl = "banked_sram";  // the buffer model (component registry, role "sram")
  std::int64_t banks = 27;           // all banks, including the filter banks
  std::int64_t bank_bytes = 4096;
  std::int64_t bank_width_bits = 64;       // bits per bank access; one access per core cycle
  std::int64_t filter_banks = 2;           // banks reserved for filters; the rest hold ifmaps/psums
  double read_energy_pj_per_bit = 0.9375;  // 15 pJ per 16-bit word
  double write_energy_pj_per_bit = 0.9375;
  std::int64_t size_bytes() const { return banks * bank_bytes; }
};

struct NocConfig {
  std::int64_t ifmap_gin_bits = 16;  // width of the ifmap global input network
  std::int64_t filter_gin_bits = 64;
  std::int64_t psum_gin_bits = 64;
  std::int64_t gon_bits = 64;         // global output network (psums / ofmaps to the GLB)
  std::int64_t local_link_bits = 64;  // PE-to-PE vertical psum links
  double energy_pj_per_bit = 0.25;    // per bit delivered to one PE (4 pJ per 16-bit value)
};

struct PeConfig {
  std::int64_t filter_spad_entries = 224;
  std::int64_t ifmap_spad_entries = 12;
  std::int64_t psum_spad_entries = 24;
  std::int64_t macs_per_cycle = 1;
  std::int64_t pipeline_stages = 3;
  bool zero_gating = true;            // a zero ifmap value skips the filter read and the MAC
  double spad_read_energy_pj = 1.0;   // per entry read, any spad
  double spad_write_energy_pj = 1.0;  // per entry written
  double mac_energy_pj = 2.0;         // per 16-bit MAC performed
};

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
  std::int64_t weight_bus_bits = 128;  // broadcast of (compressed) weights to every PE
  std::int64_t halo_link_bits = 64;    // per PE, psums sent to the PE owning them
  double weight_bus_pj_per_bit = 0;    // per bit delivered to one PE
  double halo_pj_per_bit = 0;
};

struct DataConfig {
  std::int64_t weight_bits = 16;
  std::int64_t ifmap_bits = 16;
  std::int64_t psum_bits = 16;  // psums wrap modulo 2^psum_bits (see docs/models.md)
};

struct ArchConfig {
  std::string name;
  std::string source_file;
  // The array style (config/array_style_registry.hpp): "row_stationary",
  // "weight_stationary_systolic", "planar_tiled", or any other registered style.
  std::string array;
  // The whole file, for styles that keep their parameters themselves.
  std::shared_ptr<const ConfigNode> node;
  std::int64_t pe_rows = 12;
  std::int64_t pe_cols = 14;
  ClockConfig clocks;
  DramConfig dram;
  GlbConfig glb;
  NocConfig noc;
  PeConfig pe;
  UnifiedBufferConfig unified_buffer;
  AccumulatorConfig accumulators;
  WeightFifoConfig weight_fifo;
  SystolicPeConfig systolic_pe;
  ActivationConfig activation;
  PlanarPeConfig planar_pe;
  ActivationRamConfig activation_ram;
  PlanarNocConfig planar_noc;
  DataConfig data;
  double idle_power_mw = 0;  // leakage and clock tree, charged for every simulated second
  // What prices the style's actions (component registry, role "energy"; `energy: {impl: ...}`,
  // sim/energy/energy_model.hpp). The default takes each action's pJ from its own key.
  std::string energy_impl = "per_action_pj";
  // How activations are stored in DRAM (encoded and decoded at the DRAM interface, like
  // Eyeriss's RLC); on-chip levels and weights are dense.
  Encoding dram_ifmap_encoding = Encoding::Dense;
  Encoding dram_ofmap_encoding = Encoding::Dense;
  Encoding dram_weight_encoding = Encoding::Dense;  // planar array only
  // Planar array: how activations (IARAM/OARAM) and weights (FIFO) are held on chip.
  Encoding onchip_encoding = Encoding::Dense;

  std::int64_t num_pes() const { return pe_rows * pe_cols; }
  double core_period_ns() const { return 1000.0 / clocks.core_mhz; }
  double link_period_ns() const { return 1000.0 / clocks.link_mhz; }
};

// Bytes of on-chip storage the architecture has (buffers, spads, registers holding data).
std::int64_t onchip_storage_bytes(const ArchConfig& a);

ArchConfig load_arch(const std::string& path);
ArchConfig load_arch_from_string(const std::string& text, const std::string& origin);
ArchConfig parse_arch(const ConfigNode& root);

// The style's description of the architecture.
std::ostream& operator<<(std::ostream& os, const ArchConfig& a);

// For the styles' parsers: a node's string as an encoding (errors at the node), and the
// weight_bits / ifmap_bits of a `data` node, which the style's `model` computes at exactly
// `operand_bits`.
Encoding parse_encoding_at(const ConfigNode& n);
void parse_operand_bits(const ConfigNode& n, DataConfig& d, std::int64_t operand_bits,
                        const std::string& model);

}  // namespace dfsim
