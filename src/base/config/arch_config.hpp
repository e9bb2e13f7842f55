// Architecture description: what the hardware is, separate from how it behaves (src/components,
// src/arrays).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "workload/encoding.hpp"

namespace dfsim {

class ConfigNode;

struct ClockConfig {
  double core_mhz = 200;
  double link_mhz = 90;
  // Synchronizer depth of the asynchronous FIFOs between the two domains, in cycles of the
  // receiving clock.
  std::int64_t cdc_sync_cycles = 2;
};

// The largest PE array dfsim builds: sides up to kMaxPeSide, kMaxPes PEs in all.
constexpr std::int64_t kMaxPeSide = 4096;
constexpr std::int64_t kMaxPes = std::int64_t{1} << 20;

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
  // Set by a device model that computes its own energy (impl jedec): the energy table then
  // has the action dram.device (pJ), and the mappers' estimates count device_pj_per_bit for
  // each bit of sequential traffic (energy_pj_per_bit is then the interface's alone).
  bool device_energy = false;
  double device_pj_per_bit = 0;
};

// What a dram implementation's registration may give in ComponentImpl::derive.
using DramDerive = std::function<void(const ConfigNode& section, DramConfig& dram)>;

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

struct DataConfig {
  std::int64_t weight_bits = 16;
  std::int64_t ifmap_bits = 16;
  std::int64_t psum_bits = 16;  // psums wrap modulo 2^psum_bits (see docs/models.md)
};

// The parameters an array style owns, parsed by the style (each style derives its own and
// names itself with a static constexpr char kStyle[], which it passes here: one object, so the
// accessor compares addresses).
struct StyleParams {
  explicit StyleParams(const char* style_name) : style(style_name) {}
  virtual ~StyleParams() = default;
  const char* style;
};

struct ArchConfig {
  std::string name;
  std::string source_file;
  // An architecture imported from another tool's file (a SCALE-Sim .cfg): what was mapped
  // approximately or dropped, one line each (printed by the CLI, written to stats.json).
  std::vector<std::string> import_notes;
  // The array style (base/config/array_style_registry.hpp): "row_stationary",
  // "weight_stationary_systolic", "planar_tiled", or any other registered style.
  std::string array;
  // The whole file, for styles that keep their parameters themselves.
  std::shared_ptr<const ConfigNode> node;
  std::int64_t pe_rows = 12;
  std::int64_t pe_cols = 14;
  ClockConfig clocks;
  DramConfig dram;
  // The style's own parameters (its folder's params header: rs_params, ws_params, pt_params;
  // a style may also keep them itself and read `node`).
  std::shared_ptr<const StyleParams> style_params;
  DataConfig data;
  double idle_power_mw = 0;  // leakage and clock tree, charged for every simulated second
  // The process (base/energy/technology.hpp): node in nm (0 = not stated: no areas, and the
  // `scaled` energy model refuses the architecture) and supply in V (0 = the node's nominal).
  double technology_nm = 0;
  double vdd_v = 0;
  // The design's synthesized logic area over the technology model's (part_area_mm2): 1 unless
  // the architecture measures it on a published part (configs/scnn.yaml).
  double logic_area_factor = 1;
  // What prices the style's actions (component registry, role "energy"; `energy: {impl: ...}`,
  // base/energy/energy_model.hpp). The default takes each action's pJ from its own key.
  std::string energy_impl = "per_action_pj";
  // How activations are stored in DRAM (encoded and decoded at the DRAM interface, like
  // Eyeriss's RLC); a style that stores more encoded (weights, on-chip data) keeps that in its
  // own parameters.
  Encoding dram_ifmap_encoding = Encoding::Dense;
  Encoding dram_ofmap_encoding = Encoding::Dense;

  std::int64_t num_pes() const { return pe_rows * pe_cols; }
  double core_period_ns() const { return 1000.0 / clocks.core_mhz; }
  double link_period_ns() const { return 1000.0 / clocks.link_mhz; }
};

// The style parameters of type P that `a` holds; throws std::logic_error if `a` is of another
// style (a style's bug: each style reads only its own).
[[noreturn]] void throw_no_style_params(const ArchConfig& a, const char* style);
template <class P>
inline const P& style_params(const ArchConfig& a) {
  const StyleParams* p = a.style_params.get();
  if (!p || p->style != P::kStyle) throw_no_style_params(a, P::kStyle);  // cold: out of line
  return static_cast<const P&>(*p);
}

// Bytes of on-chip storage the architecture has (buffers, spads, registers holding data).
std::int64_t onchip_storage_bytes(const ArchConfig& a);

// A dfsim YAML file, or a SCALE-Sim configuration (.cfg; base/config/scalesim_config.hpp).
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
