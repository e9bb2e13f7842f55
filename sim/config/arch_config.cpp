#include "config/arch_config.hpp"

#include <ostream>

#include "config/config_node.hpp"

namespace dfsim {

namespace {

void parse_clocks(const ConfigNode& n, ClockConfig& c) {
  n.expect_keys({"core_mhz", "link_mhz", "cdc_sync_cycles"});
  c.core_mhz = n.get_double_min("core_mhz", 0.0, false);
  c.link_mhz = n.get_double_min("link_mhz", 0.0, false);
  c.cdc_sync_cycles = n.get_int_min("cdc_sync_cycles", 0, c.cdc_sync_cycles);
}

void parse_dram(const ConfigNode& n, DramConfig& d) {
  n.expect_keys({"bus_width_bits", "bandwidth_gbytes_per_s", "latency_ns", "burst_bytes",
                 "energy_pj_per_bit"});
  d.bus_width_bits = n.get_int_min("bus_width_bits", 8);
  if (d.bus_width_bits % 8 != 0) n.at("bus_width_bits").fail("must be a multiple of 8");
  d.bandwidth_gbytes_per_s = n.get_double_min("bandwidth_gbytes_per_s", 0.0, 0.0);
  d.latency_ns = n.get_double_min("latency_ns", 0.0, d.latency_ns);
  d.burst_bytes = n.get_int_min("burst_bytes", 1, d.burst_bytes);
  d.energy_pj_per_bit = n.get_double_min("energy_pj_per_bit", 0.0);
}

void parse_glb(const ConfigNode& n, GlbConfig& g) {
  n.expect_keys({"banks", "bank_bytes", "bank_width_bits", "filter_banks",
                 "read_energy_pj_per_bit", "write_energy_pj_per_bit"});
  g.banks = n.get_int_min("banks", 2);
  g.bank_bytes = n.get_int_min("bank_bytes", 8);
  g.bank_width_bits = n.get_int_min("bank_width_bits", 8);
  if (g.bank_width_bits % 8 != 0) n.at("bank_width_bits").fail("must be a multiple of 8");
  g.filter_banks = n.get_int_min("filter_banks", 1, g.filter_banks);
  if (g.filter_banks >= g.banks)
    n.at("filter_banks").fail("must leave at least one bank for ifmaps and psums (banks = " +
                              std::to_string(g.banks) + ")");
  g.read_energy_pj_per_bit = n.get_double_min("read_energy_pj_per_bit", 0.0);
  g.write_energy_pj_per_bit = n.get_double_min("write_energy_pj_per_bit", 0.0);
}

void parse_noc(const ConfigNode& n, NocConfig& c) {
  n.expect_keys({"ifmap_gin_bits", "filter_gin_bits", "psum_gin_bits", "gon_bits",
                 "local_link_bits", "energy_pj_per_bit"});
  c.ifmap_gin_bits = n.get_int_min("ifmap_gin_bits", 16);
  c.filter_gin_bits = n.get_int_min("filter_gin_bits", 16);
  c.psum_gin_bits = n.get_int_min("psum_gin_bits", 32);
  c.gon_bits = n.get_int_min("gon_bits", 32);
  c.local_link_bits = n.get_int_min("local_link_bits", 32);
  c.energy_pj_per_bit = n.get_double_min("energy_pj_per_bit", 0.0);
}

void parse_pe(const ConfigNode& n, PeConfig& p) {
  n.expect_keys({"filter_spad_entries", "ifmap_spad_entries", "psum_spad_entries",
                 "macs_per_cycle", "pipeline_stages", "zero_gating", "spad_read_energy_pj",
                 "spad_write_energy_pj", "mac_energy_pj"});
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

void parse_data(const ConfigNode& n, DataConfig& d) {
  n.expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
  d.weight_bits = n.get_int_min("weight_bits", 16, 16);
  d.ifmap_bits = n.get_int_min("ifmap_bits", 16, 16);
  d.psum_bits = n.get_int_min("psum_bits", 16, 16);
  // The functional model computes 16-bit operands and 16- or 32-bit wrap-around psums;
  // other widths would make the reported traffic disagree with the values actually moved.
  if (d.weight_bits != 16) n.at("weight_bits").fail("only 16-bit weights are modeled");
  if (d.ifmap_bits != 16) n.at("ifmap_bits").fail("only 16-bit ifmaps are modeled");
  if (d.psum_bits != 16 && d.psum_bits != 32) n.at("psum_bits").fail("must be 16 or 32");
}

}  // namespace

ArchConfig parse_arch(const ConfigNode& root) {
  root.expect_keys({"name", "description", "array", "pe_array", "clocks", "dram", "glb", "noc",
                    "pe", "data", "idle_power_mw"});
  ArchConfig a;
  a.source_file = root.file();
  a.name = root.get_string("name");
  a.array = root.get_choice("array", {"row_stationary"});
  ConfigNode pa = root.at("pe_array");
  pa.expect_keys({"rows", "cols"});
  a.pe_rows = pa.get_int_min("rows", 1);
  a.pe_cols = pa.get_int_min("cols", 1);
  parse_clocks(root.at("clocks"), a.clocks);
  parse_dram(root.at("dram"), a.dram);
  parse_glb(root.at("glb"), a.glb);
  parse_noc(root.at("noc"), a.noc);
  parse_pe(root.at("pe"), a.pe);
  if (auto d = root.find("data")) parse_data(*d, a.data);
  a.idle_power_mw = root.get_double_min("idle_power_mw", 0.0, 0.0);
  return a;
}

ArchConfig load_arch(const std::string& path) { return parse_arch(ConfigNode::load_file(path)); }

ArchConfig load_arch_from_string(const std::string& text, const std::string& origin) {
  return parse_arch(ConfigNode::load_string(text, origin));
}

std::ostream& operator<<(std::ostream& os, const ArchConfig& a) {
  os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols
     << " PEs, core " << a.clocks.core_mhz << " MHz, link " << a.clocks.link_mhz << " MHz\n"
     << "  DRAM: " << a.dram.bus_width_bits << "-bit bus, latency " << a.dram.latency_ns
     << " ns, " << a.dram.energy_pj_per_bit << " pJ/bit\n"
     << "  GLB: " << a.glb.banks << " banks x " << a.glb.bank_bytes << " B ("
     << a.glb.filter_banks << " for filters), " << a.glb.bank_width_bits << "-bit ports\n"
     << "  NoC: ifmap GIN " << a.noc.ifmap_gin_bits << " b, filter GIN " << a.noc.filter_gin_bits
     << " b, psum GIN " << a.noc.psum_gin_bits << " b, GON " << a.noc.gon_bits << " b\n"
     << "  PE: spads filter " << a.pe.filter_spad_entries << ", ifmap " << a.pe.ifmap_spad_entries
     << ", psum " << a.pe.psum_spad_entries << " entries; zero gating "
     << (a.pe.zero_gating ? "on" : "off") << "\n";
  return os;
}

}  // namespace dfsim
