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
                 "max_request_bytes", "energy_pj_per_bit"});
  d.bus_width_bits = n.get_int_min("bus_width_bits", 8);
  if (d.bus_width_bits % 8 != 0) n.at("bus_width_bits").fail("must be a multiple of 8");
  d.bandwidth_gbytes_per_s = n.get_double_min("bandwidth_gbytes_per_s", 0.0, 0.0);
  d.latency_ns = n.get_double_min("latency_ns", 0.0, d.latency_ns);
  d.burst_bytes = n.get_int_min("burst_bytes", 1, d.burst_bytes);
  d.max_request_bytes = n.get_int_min("max_request_bytes", 1, d.max_request_bytes);
  if (d.max_request_bytes < d.burst_bytes)
    n.at(n.has("max_request_bytes") ? "max_request_bytes" : "burst_bytes")
        .fail("max_request_bytes (" + std::to_string(d.max_request_bytes) +
              ") must be at least burst_bytes (" + std::to_string(d.burst_bytes) + ")");
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

void parse_planar_pe(const ConfigNode& n, PlanarPeConfig& p) {
  n.expect_keys({"dataflow", "multipliers_f", "multipliers_i", "accumulator_banks",
                 "accumulator_bank_entries", "accumulator_buffers", "crossbar_queue_depth",
                 "weight_fifo_entries", "ppu_values_per_cycle", "zero_gating", "multiply_pj",
                 "add_pj", "crossbar_pj_per_product", "accumulator_access_pj",
                 "weight_fifo_pj_per_bit", "ppu_pj_per_value"});
  p.dataflow = n.get_choice("dataflow", {"cartesian_sparse", "dot_product_dense"});
  p.multipliers_f = n.get_int_min("multipliers_f", 1);
  p.multipliers_i = n.get_int_min("multipliers_i", 1);
  p.accumulator_banks = n.get_int_min("accumulator_banks", 1);
  p.accumulator_bank_entries = n.get_int_min("accumulator_bank_entries", 1);
  p.accumulator_buffers = n.get_int_min("accumulator_buffers", 1, p.accumulator_buffers);
  if (p.accumulator_buffers > 2) n.at("accumulator_buffers").fail("must be 1 or 2");
  p.crossbar_queue_depth = n.get_int_min("crossbar_queue_depth", 0, p.crossbar_queue_depth);
  p.weight_fifo_entries = n.get_int_min("weight_fifo_entries", 1, p.weight_fifo_entries);
  p.ppu_values_per_cycle = n.get_int_min("ppu_values_per_cycle", 1, p.ppu_values_per_cycle);
  p.zero_gating = n.get_bool("zero_gating", p.zero_gating);
  if (p.zero_gating && p.sparse())
    n.at("zero_gating")
        .fail(
            "the cartesian_sparse PE never sees zero operands; gating is for "
            "dot_product_dense");
  p.multiply_pj = n.get_double_min("multiply_pj", 0.0);
  p.add_pj = n.get_double_min("add_pj", 0.0);
  p.crossbar_pj_per_product = n.get_double_min("crossbar_pj_per_product", 0.0, 0.0);
  p.accumulator_access_pj = n.get_double_min("accumulator_access_pj", 0.0);
  p.weight_fifo_pj_per_bit = n.get_double_min("weight_fifo_pj_per_bit", 0.0);
  p.ppu_pj_per_value = n.get_double_min("ppu_pj_per_value", 0.0, 0.0);
}

void parse_activation_ram(const ConfigNode& n, ActivationRamConfig& r) {
  n.expect_keys({"iaram_bytes", "oaram_bytes", "width_bits", "read_energy_pj_per_bit",
                 "write_energy_pj_per_bit"});
  r.iaram_bytes = n.get_int_min("iaram_bytes", 64);
  r.oaram_bytes = n.get_int_min("oaram_bytes", 64);
  r.width_bits = n.get_int_min("width_bits", 8, r.width_bits);
  if (r.width_bits % 8 != 0) n.at("width_bits").fail("must be a multiple of 8");
  r.read_energy_pj_per_bit = n.get_double_min("read_energy_pj_per_bit", 0.0);
  r.write_energy_pj_per_bit = n.get_double_min("write_energy_pj_per_bit", 0.0);
}

void parse_planar_noc(const ConfigNode& n, PlanarNocConfig& c) {
  n.expect_keys({"weight_bus_bits", "halo_link_bits", "weight_bus_pj_per_bit", "halo_pj_per_bit"});
  c.weight_bus_bits = n.get_int_min("weight_bus_bits", 16);
  c.halo_link_bits = n.get_int_min("halo_link_bits", 16);
  c.weight_bus_pj_per_bit = n.get_double_min("weight_bus_pj_per_bit", 0.0);
  c.halo_pj_per_bit = n.get_double_min("halo_pj_per_bit", 0.0);
}

}  // namespace

ArchConfig parse_arch(const ConfigNode& root) {
  ArchConfig a;
  a.source_file = root.file();
  root.expect_map();
  a.array =
      root.get_choice("array", {"row_stationary", "weight_stationary_systolic", "planar_tiled"});
  if (a.is_planar())
    root.expect_keys({"name", "description", "array", "pe_array", "clocks", "dram", "pe",
                      "activation_ram", "noc", "data", "idle_power_mw", "encodings"});
  else if (a.is_systolic())
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
  if (a.is_planar()) {
    parse_planar_pe(root.at("pe"), a.planar_pe);
    parse_activation_ram(root.at("activation_ram"), a.activation_ram);
    parse_planar_noc(root.at("noc"), a.planar_noc);
    a.data = DataConfig{16, 16, 24};
  } else if (a.is_systolic()) {
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
  if (auto d = root.find("data")) {
    if (a.is_planar()) {
      // 16-bit operands; accumulators of psum_bits wrap (SCNN: 24-bit accumulators).
      d->expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
      if (d->get_int_min("weight_bits", 1, 16) != 16)
        d->at("weight_bits").fail("the planar PE models 16-bit weights only");
      if (d->get_int_min("ifmap_bits", 1, 16) != 16)
        d->at("ifmap_bits").fail("the planar PE models 16-bit ifmaps only");
      a.data.psum_bits = d->get_int_min("psum_bits", 16, 24);
      if (a.data.psum_bits > 32) d->at("psum_bits").fail("must be 16 to 32");
    } else {
      parse_data(*d, a.data, a.is_systolic());
    }
  }
  if (auto enc = root.find("encodings")) {
    // encodings: {level: {data type: format}}; the models encode activations at DRAM only.
    if (!a.is_planar()) enc->expect_keys({"dram", "glb"});
    auto format = [](const ConfigNode& n) {
      try {
        return parse_encoding(n.as_string());
      } catch (const ConfigError& e) {
        n.fail(e.what());
      }
    };
    if (a.is_planar()) {
      // The planar array's DRAM interface and buffers hold dense or SCNN zero-run streams.
      auto planar_format = [&](const ConfigNode& n) {
        const Encoding e = format(n);
        if (e != Encoding::Dense && e != Encoding::ZeroRun)
          n.fail("the planar array stores 'dense' or 'zero_run' (SCNN) data");
        return e;
      };
      enc->expect_keys({"dram", "onchip"});
      if (auto dram = enc->find("dram")) {
        dram->expect_keys({"ifmap", "ofmap", "weight"});
        if (auto n = dram->find("ifmap")) a.dram_ifmap_encoding = planar_format(*n);
        if (auto n = dram->find("ofmap")) a.dram_ofmap_encoding = planar_format(*n);
        if (auto n = dram->find("weight")) a.dram_weight_encoding = planar_format(*n);
      }
      if (auto n = enc->find("onchip")) a.onchip_encoding = planar_format(*n);
    }
    if (auto dram = a.is_planar() ? std::nullopt : enc->find("dram")) {
      dram->expect_keys({"ifmap", "ofmap", "weight"});
      if (auto n = dram->find("ifmap")) a.dram_ifmap_encoding = format(*n);
      if (auto n = dram->find("ofmap")) a.dram_ofmap_encoding = format(*n);
      if (auto n = dram->find("weight"); n && format(*n) != Encoding::Dense)
        n->fail("weights are stored dense (as Eyeriss does); only 'dense' is modeled");
    }
    if (auto glb = a.is_planar() ? std::nullopt : enc->find("glb")) {
      glb->expect_keys({"ifmap", "psum", "weight"});
      for (const std::string& k : glb->keys())
        if (format(glb->at(k)) != Encoding::Dense)
          glb->at(k).fail("the on-chip buffer holds dense data in this model; only 'dense'");
    }
  }
  if (a.is_planar()) {
    // The sparse PE works on non-zero coordinates, the dense one on every value.
    const bool sparse = a.planar_pe.sparse();
    if (sparse != (a.onchip_encoding == Encoding::ZeroRun) ||
        (sparse && a.dram_weight_encoding != Encoding::ZeroRun)) {
      const std::string why =
          sparse ? "the cartesian_sparse PE needs zero_run weights (DRAM) and zero_run on-chip "
                   "data (set encodings.onchip and encodings.dram.weight to zero_run)"
                 : "the dot_product_dense PE needs dense on-chip data (encodings.onchip: dense)";
      if (auto enc = root.find("encodings")) enc->fail(why);
      root.at("pe").at("dataflow").fail(why);
    }
  }
  a.idle_power_mw = root.get_double_min("idle_power_mw", 0.0, 0.0);
  return a;
}

std::int64_t onchip_storage_bytes(const ArchConfig& a) {
  if (a.is_planar()) {
    // Activation RAMs, accumulators and the weight FIFO (entries of F weights with their
    // 4-bit zero counts) of every PE.
    const PlanarPeConfig& p = a.planar_pe;
    const std::int64_t per_pe =
        a.activation_ram.iaram_bytes + a.activation_ram.oaram_bytes +
        p.accumulator_buffers * p.accumulator_banks * p.accumulator_bank_entries *
            a.data.psum_bits / 8 +
        p.weight_fifo_entries * p.multipliers_f * (a.data.weight_bits + 4) / 8;
    return a.num_pes() * per_pe;
  }
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
  if (a.is_planar()) {
    const PlanarPeConfig& p = a.planar_pe;
    os << "arch " << a.name << " (" << a.array << ", " << p.dataflow << "): " << a.pe_rows << "x"
       << a.pe_cols << " PEs of " << p.multipliers_f << "x" << p.multipliers_i
       << " multipliers, core " << a.clocks.core_mhz << " MHz\n"
       << "  accumulators: " << p.accumulator_buffers << " x " << p.accumulator_banks << " banks x "
       << p.accumulator_bank_entries << " entries x " << a.data.psum_bits << " bit; crossbar queue "
       << p.crossbar_queue_depth << "; weight FIFO " << p.weight_fifo_entries << " entries\n"
       << "  IARAM " << a.activation_ram.iaram_bytes << " B, OARAM " << a.activation_ram.oaram_bytes
       << " B per PE; on-chip encoding " << to_string(a.onchip_encoding) << "; zero gating "
       << (p.zero_gating ? "on" : "off") << "\n"
       << "  DRAM: " << a.dram.bus_width_bits << "-bit link at " << a.clocks.link_mhz
       << " MHz, ifmap " << to_string(a.dram_ifmap_encoding) << ", ofmap "
       << to_string(a.dram_ofmap_encoding) << ", weights " << to_string(a.dram_weight_encoding)
       << "\n";
    return os;
  }
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
