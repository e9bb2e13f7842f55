// The row-stationary array's own parameters (sections glb, noc, pe), parsed by parse_rs.
#pragma once

#include <cstdint>
#include <string>

#include "base/config/arch_config.hpp"

namespace dfsim {

struct NocConfig {
  std::string impl = "tagged_multicast";  // the three GINs (component role "multicast_noc")
  std::int64_t ifmap_gin_bits = 16;       // width of the ifmap global input network
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

struct RowStationaryParams : StyleParams {
  static constexpr char kStyle[] = "row_stationary";
  RowStationaryParams() : StyleParams(kStyle) {}
  GlbConfig glb;
  NocConfig noc;
  PeConfig pe;
};

inline const RowStationaryParams& rs_params(const ArchConfig& a) {
  return style_params<RowStationaryParams>(a);
}

}  // namespace dfsim
