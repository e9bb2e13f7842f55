// The weight-stationary systolic array style (TPU v1).
#include <ostream>

#include "arrays/array_style.hpp"
#include "arrays/systolic/systolic_array.hpp"
#include "arrays/systolic/ws_mapping.hpp"
#include "arrays/systolic/ws_params.hpp"
#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"

namespace dfsim {

std::string details_of(const WsMapResult& r) {
  return ", weight tiles " + std::to_string(r.estimate.tiles) + ", weight memory " +
         std::to_string(r.estimate.dram_bytes) + " B";
}

namespace {

// --- Parameters (unified_buffer, accumulators, weight_fifo, pe, activation, data) ---

void parse_unified_buffer(const ConfigNode& n, UnifiedBufferConfig& u) {
  u.impl = parse_role_section(n, "sram", u.impl,
                              {"banks", "bank_bytes", "bank_width_bits", "read_energy_pj_per_bit",
                               "write_energy_pj_per_bit"});
  u.banks = n.get_int_min("banks", 2);
  u.bank_bytes = n.get_int_min("bank_bytes", 64);
  u.bank_width_bits = n.get_int_min("bank_width_bits", 8);
  if (static_cast<double>(u.banks) * static_cast<double>(u.bank_bytes) > 4294967296.0)
    n.at("bank_bytes").fail("banks x bank_bytes is above 4 GiB, more than an on-chip buffer holds");
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

void parse_systolic(const ConfigNode& root, ArchConfig& a) {
  auto p = std::make_shared<SystolicParams>();
  parse_unified_buffer(root.at("unified_buffer"), p->unified_buffer);
  parse_accumulators(root.at("accumulators"), p->accumulators);
  parse_weight_fifo(root.at("weight_fifo"), p->weight_fifo);
  parse_systolic_pe(root.at("pe"), p->systolic_pe);
  if (auto act = root.find("activation")) {
    act->expect_keys({"values_per_cycle"});
    p->activation.values_per_cycle = act->get_int_min("values_per_cycle", 1);
  }
  a.style_params = p;
  a.data = DataConfig{8, 8, 32};
  if (auto d = root.find("data")) {
    d->expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
    parse_operand_bits(*d, a.data, 8, "the systolic array models");
    a.data.psum_bits = d->get_int_min("psum_bits", 16, 32);
    if (a.data.psum_bits != 32) d->at("psum_bits").fail("must be 32 (int32 accumulators)");
  }
}

void describe_systolic(std::ostream& os, const ArchConfig& a) {
  os << "arch " << a.name << " (" << a.array << "): " << a.pe_rows << "x" << a.pe_cols
     << " MACs, core " << a.clocks.core_mhz << " MHz\n"
     << "  weight memory: " << a.dram.bus_width_bits << "-bit link at " << a.clocks.link_mhz
     << " MHz, cap " << a.dram.bandwidth_gbytes_per_s << " GB/s\n"
     << "  unified buffer: " << ws_params(a).unified_buffer.banks << " banks x "
     << ws_params(a).unified_buffer.bank_bytes << " B, "
     << ws_params(a).unified_buffer.bank_width_bits << "-bit ports\n"
     << "  accumulators: " << ws_params(a).accumulators.entries << " x " << a.pe_cols << " x "
     << a.data.psum_bits << " bit, " << ws_params(a).accumulators.buffers
     << " buffers; weight FIFO " << ws_params(a).weight_fifo.depth_tiles << " tiles\n";
}

// Unified buffer, accumulators, weight FIFO, and the active + shadow weight registers.
std::int64_t systolic_storage_bytes(const ArchConfig& a) {
  return ws_params(a).unified_buffer.size_bytes() +
         ws_params(a).accumulators.entries * a.pe_cols * a.data.psum_bits / 8 +
         (ws_params(a).weight_fifo.depth_tiles + 2) * a.pe_rows * a.pe_cols * a.data.weight_bits /
             8;
}

class SystolicStyle final
    : public MapperStyle<WeightStationaryMapper, WeightStationaryArray, parse_ws_mapping> {
 public:
  using MapperStyle::MapperStyle;
  // Exact int32 sums; the product shift is applied once, when the activation unit narrows the
  // sum to the output width (8 bits when the layer's inputs fit the datapath, else 16).
  Arithmetic arithmetic(const Layer& l) const override {
    Arithmetic a;
    a.psum_bits = arch_.data.psum_bits;
    a.relu = l.relu;
    a.product_shift = 0;
    a.output_shift = l.product_shift;
    a.ofmap_bits = l.input_bits <= arch_.data.ifmap_bits ? arch_.data.ifmap_bits : 16;
    return a;
  }
  int import_weight_bits() const override { return static_cast<int>(arch_.data.weight_bits); }
  // The datapath multiplies 8-bit operands, or 16-bit ones in several passes.
  void check_operands(const Layer& l, const LayerData& data) const override {
    const WsOperandModes modes = ws_modes(arch_, l);
    for (auto [t, bytes] : {std::pair{&data.ifmap, modes.input_bytes},
                            std::pair{&data.weights, modes.weight_bytes}}) {
      const std::int32_t hi = bytes == 1 ? 127 : 32767, lo = -hi - 1;
      for (Value v : t->data)
        if (v < lo || v > hi)
          throw ConfigError(l.where + ": layer '" + l.name + "': operand value " +
                            std::to_string(v) + " does not fit " + std::to_string(8 * bytes) +
                            " bits (set weight_bits / input_bits)");
    }
  }
};

const bool registered =
    register_array_style("weight_stationary_systolic",
                         std::make_unique<StyleDescriptor<SystolicStyle>>(
                             std::vector<std::string>{"unified_buffer", "accumulators",
                                                      "weight_fifo", "pe", "activation", "data"},
                             parse_systolic, describe_systolic, systolic_storage_bytes));

}  // namespace

}  // namespace dfsim
