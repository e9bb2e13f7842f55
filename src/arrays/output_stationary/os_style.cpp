// The output-stationary array style (ShiDianNao-like; Chen et al., ISCA 2016, Section VI-B):
// parameters (glb, noc, pe, data), registration as `array: output_stationary`. The PE array
// and its closed form are in os_array.hpp; the block schedule, mapper and top level are the
// dense spatial arrays' (dense_spatial/).
#include <ostream>

#include "arrays/array_style.hpp"
#include "arrays/output_stationary/os_array.hpp"
#include "base/config/config_node.hpp"

namespace dfsim {

namespace {

void parse_os(const ConfigNode& root, ArchConfig& a) {
  auto p = std::make_shared<OsParams>();
  OsDesign& d = p->design;
  d.glb = parse_block_glb(root.at("glb"));
  const ConfigNode noc = root.at("noc");
  noc.expect_keys({"energy_pj_per_bit"});
  d.noc_energy_pj_per_bit = noc.get_double_min("energy_pj_per_bit", 0.0);
  const ConfigNode pe = root.at("pe");
  pe.expect_keys({"rf_bytes", "rf_read_energy_pj", "rf_write_energy_pj", "mac_energy_pj"});
  d.rf_entries = pe.get_int_range("rf_bytes", 2, 1 << 20) / 2;
  d.rf_read_energy_pj = pe.get_double_min("rf_read_energy_pj", 0.0);
  d.rf_write_energy_pj = pe.get_double_min("rf_write_energy_pj", 0.0);
  d.mac_energy_pj = pe.get_double_min("mac_energy_pj", 0.0);
  a.style_params = p;
  parse_block_data(root, a, "the output-stationary array models");
}

void describe_os(std::ostream& os, const ArchConfig& a) {
  const OsDesign& d = os_design(a);
  os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols
     << " PEs, one output each (steps of filter planes x pixel blocks), core " << a.clocks.core_mhz
     << " MHz, link " << a.clocks.link_mhz << " MHz\n"
     << "  DRAM: " << a.dram.bus_width_bits << "-bit bus, latency " << a.dram.latency_ns << " ns, "
     << a.dram.energy_pj_per_bit << " pJ/bit\n"
     << "  GLB: " << d.glb.banks << " banks x " << d.glb.bank_bytes << " B, "
     << d.glb.bank_width_bits << "-bit ports; register files of " << d.rf_entries
     << " entries per PE (psum and input FIFO)\n";
}

std::int64_t os_storage_bytes(const ArchConfig& a) {
  return os_design(a).glb.size_bytes() + a.num_pes() * 2 * os_design(a).rf_entries;
}

class OsMapper final : public BlockMapper {
 public:
  OsMapper(const ArchConfig& arch, Objective objective)
      : BlockMapper(arch, objective, std::make_unique<OsCost>(arch)) {}
};

class OsArray final : public BlockArray {
 public:
  OsArray(sc_core::sc_module_name name, const ArchConfig& arch, std::vector<LayerJob> jobs,
          Tracer* trace)
      : BlockArray(
            name, arch, os_design(arch).glb, std::move(jobs), trace,
            [&arch] { return std::make_unique<OsPeArray>("pe_array", arch); },
            os_energy_table(arch)) {}
};

using OsStyle = MapperStyle<OsMapper, OsArray, parse_block_tiling_with_step>;

const bool registered = register_array_style(
    OsParams::kStyle,
    std::make_unique<StyleDescriptor<OsStyle>>(std::vector<std::string>{"glb", "noc", "pe", "data"},
                                               parse_os, describe_os, os_storage_bytes));

}  // namespace

}  // namespace dfsim
