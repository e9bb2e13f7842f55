// The row-stationary array style (Eyeriss).
#include <ostream>

#include "arrays/array_style.hpp"
#include "arrays/row_stationary/row_stationary_array.hpp"
#include "arrays/row_stationary/row_stationary_mapper.hpp"
#include "arrays/row_stationary/rs_params.hpp"
#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"

namespace dfsim {

std::string details_of(const RsMapResult& r) {
  return ", active PEs " + std::to_string(r.estimate.active_pes) + ", passes " +
         std::to_string(r.estimate.passes) + ", DRAM " + std::to_string(r.estimate.dram_bytes) +
         " B";
}

namespace {

// --- Parameters (the architecture file's glb, noc, pe, data and encodings) ---

void parse_glb(const ConfigNode& n, GlbConfig& g) {
  g.impl = parse_role_section(n, "sram", g.impl,
                              {"banks", "bank_bytes", "bank_width_bits", "filter_banks",
                               "read_energy_pj_per_bit", "write_energy_pj_per_bit"});
  g.banks = n.get_int_min("banks", 2);
  g.bank_bytes = n.get_int_min("bank_bytes", 8);
  g.bank_width_bits = n.get_int_min("bank_width_bits", 8);
  if (static_cast<double>(g.banks) * static_cast<double>(g.bank_bytes) > 4294967296.0)
    n.at("bank_bytes").fail("banks x bank_bytes is above 4 GiB, more than an on-chip buffer holds");
  if (g.bank_width_bits % 8 != 0) n.at("bank_width_bits").fail("must be a multiple of 8");
  g.filter_banks = n.get_int_min("filter_banks", 1, g.filter_banks);
  if (g.filter_banks >= g.banks)
    n.at("filter_banks")
        .fail("must leave at least one bank for ifmaps and psums (banks = " +
              std::to_string(g.banks) + ")");
  g.read_energy_pj_per_bit = n.get_double_min("read_energy_pj_per_bit", 0.0);
  g.write_energy_pj_per_bit = n.get_double_min("write_energy_pj_per_bit", 0.0);
}

void parse_noc(const ConfigNode& n, NocConfig& c) {
  c.impl = parse_role_section(n, "multicast_noc", c.impl,
                              {"ifmap_gin_bits", "filter_gin_bits", "psum_gin_bits", "gon_bits",
                               "local_link_bits", "energy_pj_per_bit"});
  c.ifmap_gin_bits = n.get_int_min("ifmap_gin_bits", 16);
  c.filter_gin_bits = n.get_int_min("filter_gin_bits", 16);
  c.psum_gin_bits = n.get_int_min("psum_gin_bits", 16);
  c.gon_bits = n.get_int_min("gon_bits", 16);
  c.local_link_bits = n.get_int_min("local_link_bits", 16);
  c.energy_pj_per_bit = n.get_double_min("energy_pj_per_bit", 0.0);
}

void parse_pe(const ConfigNode& n, PeConfig& p) {
  n.expect_keys({"filter_spad_entries", "ifmap_spad_entries", "psum_spad_entries", "macs_per_cycle",
                 "pipeline_stages", "zero_gating", "spad_read_energy_pj", "spad_write_energy_pj",
                 "mac_energy_pj"});
  p.filter_spad_entries = n.get_int_min("filter_spad_entries", 1);
  p.ifmap_spad_entries = n.get_int_min("ifmap_spad_entries", 1);
  p.psum_spad_entries = n.get_int_min("psum_spad_entries", 1);
  p.macs_per_cycle = n.get_int_min("macs_per_cycle", 1, 1);
  if (p.macs_per_cycle != 1)
    n.at("macs_per_cycle").fail("the row-stationary PE model performs one MAC per cycle");
  p.pipeline_stages = n.get_int_min("pipeline_stages", 1, p.pipeline_stages);
  p.zero_gating = n.get_bool("zero_gating", p.zero_gating);
  p.spad_read_energy_pj = n.get_double_min("spad_read_energy_pj", 0.0);
  p.spad_write_energy_pj = n.get_double_min("spad_write_energy_pj", 0.0);
  p.mac_energy_pj = n.get_double_min("mac_energy_pj", 0.0);
}

void parse_rs_data(const ConfigNode& n, DataConfig& d) {
  n.expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
  parse_operand_bits(n, d, 16, "the row-stationary PE models");
  d.psum_bits = n.get_int_min("psum_bits", 16, 16);
  if (d.psum_bits != 16 && d.psum_bits != 32) n.at("psum_bits").fail("must be 16 or 32");
}

// encodings: {dram: {ifmap, ofmap, weight}, glb: {...}}: activations are encoded at the DRAM
// interface only (as Eyeriss's RLC); weights and the GLB hold dense data.
void parse_rs_encodings(const ConfigNode& enc, ArchConfig& a) {
  enc.expect_keys({"dram", "glb"});
  if (auto dram = enc.find("dram")) {
    dram->expect_keys({"ifmap", "ofmap", "weight"});
    if (auto n = dram->find("ifmap")) a.dram_ifmap_encoding = parse_encoding_at(*n);
    if (auto n = dram->find("ofmap")) a.dram_ofmap_encoding = parse_encoding_at(*n);
    if (auto n = dram->find("weight"); n && parse_encoding_at(*n) != Encoding::Dense)
      n->fail("weights are stored dense (as Eyeriss does); only 'dense' is modeled");
  }
  if (auto glb = enc.find("glb")) {
    glb->expect_keys({"ifmap", "psum", "weight"});
    for (const std::string& k : glb->keys())
      if (parse_encoding_at(glb->at(k)) != Encoding::Dense)
        glb->at(k).fail("the on-chip buffer holds dense data in this model; only 'dense'");
  }
}

void parse_rs(const ConfigNode& root, ArchConfig& a) {
  auto p = std::make_shared<RowStationaryParams>();
  parse_glb(root.at("glb"), p->glb);
  parse_noc(root.at("noc"), p->noc);
  parse_pe(root.at("pe"), p->pe);
  a.style_params = p;
  if (auto d = root.find("data")) parse_rs_data(*d, a.data);
  if (auto enc = root.find("encodings")) parse_rs_encodings(*enc, a);
}

void describe_rs(std::ostream& os, const ArchConfig& a) {
  os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols
     << " PEs, core " << a.clocks.core_mhz << " MHz, link " << a.clocks.link_mhz << " MHz\n"
     << "  DRAM: " << a.dram.bus_width_bits << "-bit bus, latency " << a.dram.latency_ns << " ns, "
     << a.dram.energy_pj_per_bit << " pJ/bit\n"
     << "  GLB: " << rs_params(a).glb.banks << " banks x " << rs_params(a).glb.bank_bytes << " B ("
     << rs_params(a).glb.filter_banks << " for filters), " << rs_params(a).glb.bank_width_bits
     << "-bit ports\n"
     << "  NoC: ifmap GIN " << rs_params(a).noc.ifmap_gin_bits << " b, filter GIN "
     << rs_params(a).noc.filter_gin_bits << " b, psum GIN " << rs_params(a).noc.psum_gin_bits
     << " b, GON " << rs_params(a).noc.gon_bits << " b\n"
     << "  PE: spads filter " << rs_params(a).pe.filter_spad_entries << ", ifmap "
     << rs_params(a).pe.ifmap_spad_entries << ", psum " << rs_params(a).pe.psum_spad_entries
     << " entries; zero gating " << (rs_params(a).pe.zero_gating ? "on" : "off") << "\n";
}

// The GLB and every PE's spads.
std::int64_t rs_storage_bytes(const ArchConfig& a) {
  const std::int64_t spads = rs_params(a).pe.filter_spad_entries * a.data.weight_bits / 8 +
                             rs_params(a).pe.ifmap_spad_entries * a.data.ifmap_bits / 8 +
                             rs_params(a).pe.psum_spad_entries * a.data.psum_bits / 8;
  return rs_params(a).glb.size_bytes() + a.num_pes() * spads;
}

using RowStationaryStyle = MapperStyle<RowStationaryMapper, RowStationaryArray, parse_rs_mapping>;

const bool registered = register_array_style(
    "row_stationary", std::make_unique<StyleDescriptor<RowStationaryStyle>>(
                          std::vector<std::string>{"glb", "noc", "pe", "data", "encodings"},
                          parse_rs, describe_rs, rs_storage_bytes));

}  // namespace

}  // namespace dfsim
