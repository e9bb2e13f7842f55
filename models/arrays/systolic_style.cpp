// The weight-stationary systolic array style (TPU v1).
#include "mapper/ws_mapping.hpp"
#include "models/arrays/array_style.hpp"
#include "models/arrays/systolic_array.hpp"

namespace dfsim {

std::string details_of(const WsMapResult& r) {
  return ", weight tiles " + std::to_string(r.estimate.tiles) + ", weight memory " +
         std::to_string(r.estimate.dram_bytes) + " B";
}

namespace {

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

const bool registered = register_array_style(
    "weight_stationary_systolic",
    [](const ArchConfig& arch, Objective objective) -> std::unique_ptr<ArrayStyle> {
      return std::make_unique<SystolicStyle>(arch, objective);
    });

}  // namespace

}  // namespace dfsim
