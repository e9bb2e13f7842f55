// The planar-tiled array style (SCNN's PT-IS dataflow and its dense baselines).
#include <ostream>

#include "arrays/array_style.hpp"
#include "arrays/planar_tiled/planar_tiled_array.hpp"
#include "arrays/planar_tiled/pt_mapping.hpp"
#include "arrays/planar_tiled/pt_params.hpp"
#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"

namespace dfsim {

std::string details_of(const PtMapResult& r) {
  return ", PEs " + std::to_string(r.estimate.pes) + ", groups " +
         std::to_string(r.estimate.groups) + ", DRAM " + std::to_string(r.estimate.dram_bytes) +
         " B (expected)";
}

// The first layer loads its input from DRAM and the last writes its output back (PtEstimate).
std::int64_t place_cycles_of(const PtMapResult& r, bool first, bool last) {
  return (first ? r.estimate.input_load_cycles : 0) + (last ? r.estimate.output_store_cycles : 0);
}

namespace {

// --- Parameters (pe, activation_ram, noc, data, encodings) ---

void parse_planar_pe(const ConfigNode& n, PlanarPeConfig& p) {
  n.expect_keys({"dataflow", "multipliers_f", "multipliers_i", "accumulator_banks",
                 "accumulator_bank_entries", "accumulator_buffers", "crossbar_queue_depth",
                 "weight_fifo_entries", "ppu_values_per_cycle", "zero_gating", "multiply_pj",
                 "add_pj", "crossbar_pj_per_product", "accumulator_access_pj",
                 "weight_fifo_pj_per_bit", "ppu_pj_per_value"});
  p.dataflow = n.get_choice("dataflow", {"cartesian_sparse", "dot_product_dense"});
  // Bounds a PE can hold (their products stay far from overflow): 64 x 64 multipliers, 4096
  // accumulator banks of 2^20 entries, a 2^20-entry weight FIFO.
  p.multipliers_f = n.get_int_range("multipliers_f", 1, 64);
  p.multipliers_i = n.get_int_range("multipliers_i", 1, 64);
  p.accumulator_banks = n.get_int_range("accumulator_banks", 1, 4096);
  p.accumulator_bank_entries = n.get_int_range("accumulator_bank_entries", 1, 1 << 20);
  p.accumulator_buffers = n.get_int_min("accumulator_buffers", 1, p.accumulator_buffers);
  if (p.accumulator_buffers > 2) n.at("accumulator_buffers").fail("must be 1 or 2");
  p.crossbar_queue_depth = n.get_int_min("crossbar_queue_depth", 0, p.crossbar_queue_depth);
  p.weight_fifo_entries = n.get_int_range("weight_fifo_entries", 1, 1 << 20, p.weight_fifo_entries);
  p.ppu_values_per_cycle = n.get_int_range("ppu_values_per_cycle", 1, 4096, p.ppu_values_per_cycle);
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
  r.impl = parse_role_section(n, "sram", r.impl,
                              {"iaram_bytes", "oaram_bytes", "width_bits", "read_energy_pj_per_bit",
                               "write_energy_pj_per_bit"});
  r.iaram_bytes = n.get_int_min("iaram_bytes", 64);
  r.oaram_bytes = n.get_int_min("oaram_bytes", 64);
  r.width_bits = n.get_int_min("width_bits", 8, r.width_bits);
  if (r.width_bits % 8 != 0) n.at("width_bits").fail("must be a multiple of 8");
  r.read_energy_pj_per_bit = n.get_double_min("read_energy_pj_per_bit", 0.0);
  r.write_energy_pj_per_bit = n.get_double_min("write_energy_pj_per_bit", 0.0);
}

void parse_planar_noc(const ConfigNode& n, PlanarNocConfig& c) {
  c.impl = parse_role_section(
      n, "multicast_noc", c.impl,
      {"weight_bus_bits", "halo_link_bits", "weight_bus_pj_per_bit", "halo_pj_per_bit"});
  c.weight_bus_bits = n.get_int_min("weight_bus_bits", 16);
  c.halo_link_bits = n.get_int_min("halo_link_bits", 16);
  c.weight_bus_pj_per_bit = n.get_double_min("weight_bus_pj_per_bit", 0.0);
  c.halo_pj_per_bit = n.get_double_min("halo_pj_per_bit", 0.0);
}

void parse_planar_data(const ConfigNode& d, DataConfig& data) {
  // 16-bit operands; accumulators of psum_bits wrap (SCNN: 24-bit accumulators).
  d.expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
  parse_operand_bits(d, data, 16, "the planar PE models");
  data.psum_bits = d.get_int_min("psum_bits", 16, 24);
  if (data.psum_bits > 32) d.at("psum_bits").fail("must be 16 to 32");
}

// encodings: {dram: {ifmap, ofmap, weight}, onchip}: the DRAM interface and the buffers hold
// dense or SCNN zero-run streams.
void parse_planar_encodings(const ConfigNode& enc, ArchConfig& a, PlanarEncodings& own) {
  auto format = [](const ConfigNode& n) {
    const Encoding e = parse_encoding_at(n);
    if (e != Encoding::Dense && e != Encoding::ZeroRun)
      n.fail("the planar array stores 'dense' or 'zero_run' (SCNN) data");
    return e;
  };
  enc.expect_keys({"dram", "onchip"});
  if (auto dram = enc.find("dram")) {
    dram->expect_keys({"ifmap", "ofmap", "weight"});
    if (auto n = dram->find("ifmap")) a.dram_ifmap_encoding = format(*n);
    if (auto n = dram->find("ofmap")) a.dram_ofmap_encoding = format(*n);
    if (auto n = dram->find("weight")) own.dram_weight = format(*n);
  }
  if (auto n = enc.find("onchip")) own.onchip = format(*n);
}

void parse_planar(const ConfigNode& root, ArchConfig& a) {
  auto p = std::make_shared<PlanarParams>();
  parse_planar_pe(root.at("pe"), p->planar_pe);
  parse_activation_ram(root.at("activation_ram"), p->activation_ram);
  parse_planar_noc(root.at("noc"), p->planar_noc);
  a.data = DataConfig{16, 16, 24};
  if (auto d = root.find("data")) parse_planar_data(*d, a.data);
  if (auto enc = root.find("encodings")) parse_planar_encodings(*enc, a, p->encodings);
  a.style_params = p;
  // The sparse PE works on non-zero coordinates, the dense one on every value.
  const bool sparse = pt_params(a).planar_pe.sparse();
  if (sparse != (p->encodings.onchip == Encoding::ZeroRun) ||
      (sparse && p->encodings.dram_weight != Encoding::ZeroRun)) {
    const std::string why =
        sparse ? "the cartesian_sparse PE needs zero_run weights (DRAM) and zero_run on-chip "
                 "data (set encodings.onchip and encodings.dram.weight to zero_run)"
               : "the dot_product_dense PE needs dense on-chip data (encodings.onchip: dense)";
    if (auto enc = root.find("encodings")) enc->fail(why);
    root.at("pe").at("dataflow").fail(why);
  }
}

void describe_planar(std::ostream& os, const ArchConfig& a) {
  const PlanarPeConfig& p = pt_params(a).planar_pe;
  os << "arch " << a.name << " (" << a.array << ", " << p.dataflow << "): " << a.pe_rows << "x"
     << a.pe_cols << " PEs of " << p.multipliers_f << "x" << p.multipliers_i
     << " multipliers, core " << a.clocks.core_mhz << " MHz\n"
     << "  accumulators: " << p.accumulator_buffers << " x " << p.accumulator_banks << " banks x "
     << p.accumulator_bank_entries << " entries x " << a.data.psum_bits << " bit; crossbar queue "
     << p.crossbar_queue_depth << "; weight FIFO " << p.weight_fifo_entries << " entries\n"
     << "  IARAM " << pt_params(a).activation_ram.iaram_bytes << " B, OARAM "
     << pt_params(a).activation_ram.oaram_bytes << " B per PE; on-chip encoding "
     << to_string(pt_params(a).encodings.onchip) << "; zero gating "
     << (p.zero_gating ? "on" : "off") << "\n"
     << "  DRAM: " << a.dram.bus_width_bits << "-bit link at " << a.clocks.link_mhz
     << " MHz, ifmap " << to_string(a.dram_ifmap_encoding) << ", ofmap "
     << to_string(a.dram_ofmap_encoding) << ", weights "
     << to_string(pt_params(a).encodings.dram_weight) << "\n";
}

// Activation RAMs, accumulators and the weight FIFO (entries of F weights with their 4-bit
// zero counts) of every PE.
std::int64_t planar_storage_bytes(const ArchConfig& a) {
  const PlanarPeConfig& p = pt_params(a).planar_pe;
  const std::int64_t per_pe =
      pt_params(a).activation_ram.iaram_bytes + pt_params(a).activation_ram.oaram_bytes +
      p.accumulator_buffers * p.accumulator_banks * p.accumulator_bank_entries * a.data.psum_bits /
          8 +
      p.weight_fifo_entries * p.multipliers_f * (a.data.weight_bits + 4) / 8;
  return a.num_pes() * per_pe;
}

using PlanarTiledStyle = MapperStyle<PlanarTiledMapper, PlanarTiledArray, parse_pt_mapping>;

const bool registered = register_array_style(
    "planar_tiled",
    std::make_unique<StyleDescriptor<PlanarTiledStyle>>(
        std::vector<std::string>{"pe", "activation_ram", "noc", "data", "encodings"}, parse_planar,
        describe_planar, planar_storage_bytes));

}  // namespace

}  // namespace dfsim
