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
  n.expect_keys({"banks", "bank_bytes", "bank_width_bits", "filter_banks", "read_energy_pj_per_bit",
                 "write_energy_pj_per_bit"});
  g.banks = n.get_int_min("banks", 2);
  g.bank_bytes = n.get_int_min("bank_bytes", 8);
  g.bank_width_bits = n.get_int_min("bank_width_bits", 8);
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
  n.expect_keys({"ifmap_gin_bits", "filter_gin_bits", "psum_gin_bits", "gon_bits",
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

void parse_data(const ConfigNode& n, DataConfig& d, bool systolic) {
  n.expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
  const std::int64_t operand = systolic ? 8 : 16;
  d.weight_bits = n.get_int_min("weight_bits", 1, operand);
  d.ifmap_bits = n.get_int_min("ifmap_bits", 1, operand);
  d.psum_bits = n.get_int_min("psum_bits", 16, systolic ? 32 : 16);
  // The functional models compute these widths exactly; other widths would make the
  // reported traffic disagree with the values actually moved.
  const std::string which = systolic ? "the systolic array models" : "the row-stationary PE models";
  if (d.weight_bits != operand)
    n.at("weight_bits").fail(which + " " + std::to_string(operand) + "-bit weights only");
  if (d.ifmap_bits != operand)
    n.at("ifmap_bits").fail(which + " " + std::to_string(operand) + "-bit ifmaps only");
  if (systolic ? d.psum_bits != 32 : (d.psum_bits != 16 && d.psum_bits != 32))
    n.at("psum_bits").fail(systolic ? "must be 32 (int32 accumulators)" : "must be 16 or 32");
}

void parse_unified_buffer(const ConfigNode& n, UnifiedBufferConfig& u) {
  n.expect_keys({"banks", "bank_bytes", "bank_width_bits", "read_energy_pj_per_bit",
                 "write_energy_pj_per_bit"});
  u.banks = n.get_int_min("banks", 2);
  u.bank_bytes = n.get_int_min("bank_bytes", 64);
  u.bank_width_bits = n.get_int_min("bank_width_bits", 8);
  if (u.bank_width_bits % 8 != 0) n.at("bank_width_bits").fail("must be a multiple of 8");
  u.read_energy_pj_per_bit = n.get_double_min("read_energy_pj_per_bit", 0.0);
  u.write_energy_pj_per_bit = n.get_double_min("write_energy_pj_per_bit", 0.0);
}

void parse_accumulators(const ConfigNode& n, AccumulatorConfig& c) {
  n.expect_keys({"entries", "buffers", "read_energy_pj_per_bit", "write_energy_pj_per_bit"});
  c.entries = n.get_int_min("entries", 2);
  c.buffers = n.get_int_min("buffers", 1, 2);
  if (c.buffers > 2) n.at("buffers").fail("must be 1 or 2");
  if (c.entries % c.buffers != 0) n.at("entries").fail("must be divisible by buffers");
  c.read_energy_pj_per_bit = n.get_double_min("read_energy_pj_per_bit", 0.0);
  c.write_energy_pj_per_bit = n.get_double_min("write_energy_pj_per_bit", 0.0);
}

void parse_weight_fifo(const ConfigNode& n, WeightFifoConfig& w) {
  n.expect_keys({"depth_tiles", "energy_pj_per_bit"});
  w.depth_tiles = n.get_int_min("depth_tiles", 1);
  w.energy_pj_per_bit = n.get_double_min("energy_pj_per_bit", 0.0);
}

void parse_systolic_pe(const ConfigNode& n, SystolicPeConfig& p) {
  n.expect_keys({"mac_energy_pj", "weight_shift_pj_per_bit", "hop_pj_per_bit"});
  p.mac_energy_pj = n.get_double_min("mac_energy_pj", 0.0);
  p.weight_shift_pj_per_bit = n.get_double_min("weight_shift_pj_per_bit", 0.0);
  p.hop_pj_per_bit = n.get_double_min("hop_pj_per_bit", 0.0);
}

}  // namespace

ArchConfig parse_arch(const ConfigNode& root) {
  ArchConfig a;
  a.source_file = root.file();
  root.expect_map();
  a.array = root.get_choice("array", {"row_stationary", "weight_stationary_systolic"});
  if (a.is_systolic())
    root.expect_keys({"name", "description", "array", "pe_array", "clocks", "dram",
                      "unified_buffer", "accumulators", "weight_fifo", "pe", "activation", "data",
                      "idle_power_mw"});
  else
    root.expect_keys({"name", "description", "array", "pe_array", "clocks", "dram", "glb", "noc",
                      "pe", "data", "idle_power_mw", "encodings"});
  a.name = root.get_string("name");
  ConfigNode pa = root.at("pe_array");
  pa.expect_keys({"rows", "cols"});
  a.pe_rows = pa.get_int_min("rows", 1);
  a.pe_cols = pa.get_int_min("cols", 1);
  parse_clocks(root.at("clocks"), a.clocks);
  parse_dram(root.at("dram"), a.dram);
  if (a.is_systolic()) {
    parse_unified_buffer(root.at("unified_buffer"), a.unified_buffer);
    parse_accumulators(root.at("accumulators"), a.accumulators);
    parse_weight_fifo(root.at("weight_fifo"), a.weight_fifo);
    parse_systolic_pe(root.at("pe"), a.systolic_pe);
    if (auto act = root.find("activation")) {
      act->expect_keys({"values_per_cycle"});
      a.activation.values_per_cycle = act->get_int_min("values_per_cycle", 1);
    }
    a.data = DataConfig{8, 8, 32};
  } else {
    parse_glb(root.at("glb"), a.glb);
    parse_noc(root.at("noc"), a.noc);
    parse_pe(root.at("pe"), a.pe);
  }
  if (auto d = root.find("data")) parse_data(*d, a.data, a.is_systolic());
  if (auto enc = root.find("encodings")) {
    // encodings: {level: {data type: format}}; the models encode activations at DRAM only.
    enc->expect_keys({"dram", "glb"});
    auto format = [](const ConfigNode& n) {
      try {
        return parse_encoding(n.as_string());
      } catch (const ConfigError& e) {
        n.fail(e.what());
      }
    };
    if (auto dram = enc->find("dram")) {
      dram->expect_keys({"ifmap", "ofmap", "weight"});
      if (auto n = dram->find("ifmap")) a.dram_ifmap_encoding = format(*n);
      if (auto n = dram->find("ofmap")) a.dram_ofmap_encoding = format(*n);
      if (auto n = dram->find("weight"); n && format(*n) != Encoding::Dense)
        n->fail("weights are stored dense (as Eyeriss does); only 'dense' is modeled");
    }
    if (auto glb = enc->find("glb")) {
      glb->expect_keys({"ifmap", "psum", "weight"});
      for (const std::string& k : glb->keys())
        if (format(glb->at(k)) != Encoding::Dense)
          glb->at(k).fail("the on-chip buffer holds dense data in this model; only 'dense'");
    }
  }
  a.idle_power_mw = root.get_double_min("idle_power_mw", 0.0, 0.0);
  return a;
}

std::int64_t onchip_storage_bytes(const ArchConfig& a) {
  if (a.is_systolic()) {
    // Unified buffer, accumulators, weight FIFO, and the active + shadow weight registers.
    return a.unified_buffer.size_bytes() +
           a.accumulators.entries * a.pe_cols * a.data.psum_bits / 8 +
           (a.weight_fifo.depth_tiles + 2) * a.pe_rows * a.pe_cols * a.data.weight_bits / 8;
  }
  const std::int64_t spads = a.pe.filter_spad_entries * a.data.weight_bits / 8 +
                             a.pe.ifmap_spad_entries * a.data.ifmap_bits / 8 +
                             a.pe.psum_spad_entries * a.data.psum_bits / 8;
  return a.glb.size_bytes() + a.num_pes() * spads;
}

ArchConfig load_arch(const std::string& path) { return parse_arch(ConfigNode::load_file(path)); }

ArchConfig load_arch_from_string(const std::string& text, const std::string& origin) {
  return parse_arch(ConfigNode::load_string(text, origin));
}

std::ostream& operator<<(std::ostream& os, const ArchConfig& a) {
  if (a.is_systolic()) {
    os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols
       << " MACs, core " << a.clocks.core_mhz << " MHz\n"
       << "  weight memory: " << a.dram.bus_width_bits << "-bit link at " << a.clocks.link_mhz
       << " MHz, cap " << a.dram.bandwidth_gbytes_per_s << " GB/s\n"
       << "  unified buffer: " << a.unified_buffer.banks << " banks x "
       << a.unified_buffer.bank_bytes << " B, " << a.unified_buffer.bank_width_bits
       << "-bit ports\n"
       << "  accumulators: " << a.accumulators.entries << " x " << a.pe_cols << " x "
       << a.data.psum_bits << " bit, " << a.accumulators.buffers << " buffers; weight FIFO "
       << a.weight_fifo.depth_tiles << " tiles\n";
    return os;
  }
  os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols
     << " PEs, core " << a.clocks.core_mhz << " MHz, link " << a.clocks.link_mhz << " MHz\n"
     << "  DRAM: " << a.dram.bus_width_bits << "-bit bus, latency " << a.dram.latency_ns << " ns, "
     << a.dram.energy_pj_per_bit << " pJ/bit\n"
     << "  GLB: " << a.glb.banks << " banks x " << a.glb.bank_bytes << " B (" << a.glb.filter_banks
     << " for filters), " << a.glb.bank_width_bits << "-bit ports\n"
     << "  NoC: ifmap GIN " << a.noc.ifmap_gin_bits << " b, filter GIN " << a.noc.filter_gin_bits
     << " b, psum GIN " << a.noc.psum_gin_bits << " b, GON " << a.noc.gon_bits << " b\n"
     << "  PE: spads filter " << a.pe.filter_spad_entries << ", ifmap " << a.pe.ifmap_spad_entries
     << ", psum " << a.pe.psum_spad_entries << " entries; zero gating "
     << (a.pe.zero_gating ? "on" : "off") << "\n";
  return os;
}

}  // namespace dfsim
