// The no-local-reuse array style (DianNao-like; Chen et al., ISCA 2016, Section VI-B): its
// parameters (glb, noc, pe, data), mapper and SystemC top level, registered as
// `array: no_local_reuse`.
#include <ostream>

#include "arrays/array_style.hpp"
#include "arrays/dense_spatial/block_array.hpp"
#include "arrays/dense_spatial/block_mapper.hpp"
#include "arrays/no_local_reuse/nlr_pe_array.hpp"
#include "base/config/config_node.hpp"

namespace dfsim {

namespace {

void parse_nlr(const ConfigNode& root, ArchConfig& a) {
  auto p = std::make_shared<NlrParams>();
  p->glb = parse_block_glb(root.at("glb"));
  const ConfigNode noc = root.at("noc");
  noc.expect_keys({"energy_pj_per_bit"});
  p->noc_energy_pj_per_bit = noc.get_double_min("energy_pj_per_bit", 0.0);
  const ConfigNode pe = root.at("pe");
  pe.expect_keys({"mac_energy_pj"});
  p->mac_energy_pj = pe.get_double_min("mac_energy_pj", 0.0);
  a.style_params = p;
  if (auto d = root.find("data")) {
    d->expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
    parse_operand_bits(*d, a.data, 16, "the no-local-reuse array models");
    a.data.psum_bits = d->get_int_min("psum_bits", 16, 16);
    if (a.data.psum_bits != 16 && a.data.psum_bits != 32)
      d->at("psum_bits").fail("must be 16 or 32");
  }
}

void describe_nlr(std::ostream& os, const ArchConfig& a) {
  const GlbConfig& g = nlr_params(a).glb;
  os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols
     << " multipliers (rows: filters, columns: reduction lanes, an adder tree per row), core "
     << a.clocks.core_mhz << " MHz, link " << a.clocks.link_mhz << " MHz\n"
     << "  DRAM: " << a.dram.bus_width_bits << "-bit bus, latency " << a.dram.latency_ns << " ns, "
     << a.dram.energy_pj_per_bit << " pJ/bit\n"
     << "  GLB: " << g.banks << " banks x " << g.bank_bytes << " B, " << g.bank_width_bits
     << "-bit ports; no register files\n";
}

std::int64_t nlr_storage_bytes(const ArchConfig& a) { return nlr_params(a).glb.size_bytes(); }

class NlrMapper final : public BlockMapper {
 public:
  NlrMapper(const ArchConfig& arch, Objective objective)
      : BlockMapper(arch, objective, std::make_unique<NlrCost>(arch)) {}
};

class NlrArray final : public BlockArray {
 public:
  NlrArray(sc_core::sc_module_name name, const ArchConfig& arch, std::vector<LayerJob> jobs,
           Tracer* trace)
      : BlockArray(
            name, arch, nlr_params(arch).glb, std::move(jobs), trace,
            [&arch] { return std::make_unique<NlrPeArray>("pe_array", arch); },
            nlr_energy_table(arch)) {}
};

using NlrStyle = MapperStyle<NlrMapper, NlrArray, parse_block_tiling>;

const bool registered =
    register_array_style("no_local_reuse", std::make_unique<StyleDescriptor<NlrStyle>>(
                                               std::vector<std::string>{"glb", "noc", "pe", "data"},
                                               parse_nlr, describe_nlr, nlr_storage_bytes));

}  // namespace

}  // namespace dfsim
