// The "scaled" energy model: every action performed by a part the style describes (memories
// by capacity and width, multipliers, adders and MACs by width) costs what the analytical
// model of base/energy/technology.hpp gives at the architecture's technology_nm, times the
// part's calibration factor (`energy: {impl: scaled, calibration: {glb: 1.08, ...}}`, default
// 1: a design's published per-access energies at its own sizes over the model's, so that the
// design keeps them and other sizes scale from them); actions without a part (DRAM, networks,
// idle) keep the price of their own key.
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "base/energy/technology.hpp"

namespace dfsim {

double scaled_pj_per_unit(const PricedAction& action, const HardwarePart& part,
                          const Technology& tech) {
  switch (part.kind) {
    case PartKind::Storage: {
      const double access = sram_access_pj(part.capacity_bytes, part.width_bits, tech);
      if (action.unit == "bit") return access / part.width_bits;
      if (action.unit == "access") return access;
      break;
    }
    case PartKind::Mac:
      if (action.unit == "MAC" || action.unit == "8-bit MAC")
        return mac_pj(part.width_bits, part.accum_bits, tech);
      break;
    case PartKind::Multiplier:
      if (action.unit == "product") return int_multiply_pj(part.width_bits, tech);
      break;
    case PartKind::Adder:
      if (action.unit == "product") return int_add_pj(part.width_bits, tech);
      break;
    case PartKind::Crossbar: {
      // One product (or transfer) crosses the switch with all its bits.
      const double per_bit =
          crossbar_pj_per_bit(static_cast<double>(part.inputs), static_cast<double>(part.outputs),
                              part.width_bits, tech);
      if (action.unit == "product" || action.unit == "transfer") return per_bit * part.width_bits;
      if (action.unit == "bit") return per_bit;
      break;
    }
  }
  // A style pairing an action with a part that cannot perform it is a style's bug.
  throw std::logic_error("scaled energy: action '" + action.name + "' (per " + action.unit +
                         ") on " + to_string(part.kind) + " part '" + part.name + "'");
}

namespace {

class ScaledEnergy : public EnergyModel {
 public:
  ScaledEnergy(Technology tech, std::optional<ConfigNode> calibration)
      : tech_(tech), calibration_node_(std::move(calibration)) {
    if (calibration_node_)
      for (const std::string& part : calibration_node_->keys())
        calibration_[part] = calibration_node_->get_double_min(part, 0.0, false);
  }
  double pj_per_unit(const PricedAction& action, const HardwarePart* part) const override {
    if (!part) return action.pj;
    const auto c = calibration_.find(part->name);
    return scaled_pj_per_unit(action, *part, tech_) * (c == calibration_.end() ? 1.0 : c->second);
  }
  void check_parts(const EnergyTable& table) const override {
    std::vector<std::string> names;
    for (const HardwarePart& p : table.parts()) names.push_back(p.name);
    for (const auto& [part, factor] : calibration_) {
      if (std::find(names.begin(), names.end(), part) != names.end()) continue;
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
      const std::string close = closest_match(part, names);
      calibration_node_->at(part).fail("no part '" + part + "' in this array" +
                                       (close.empty() ? "" : " (did you mean '" + close + "'?)") +
                                       "; its sized parts: " + known);
    }
  }

 private:
  Technology tech_;
  std::optional<ConfigNode> calibration_node_;
  std::map<std::string, double> calibration_;
};

const bool registered = register_component(
    {"energy",
     "scaled",
     "memories and arithmetic priced by size at technology_nm (docs/energy-area.md)",
     {"calibration"},
     [](const ConfigNode& section) {
       if (auto c = section.find("calibration")) {
         if (!c->is_map()) c->fail("must be a map of part names to factors");
         for (const std::string& part : c->keys()) c->get_double_min(part, 0.0, false);
       }
     },
     EnergyModelFactory([](const ArchConfig& arch) -> std::unique_ptr<EnergyModel> {
       if (arch.technology_nm <= 0)
         arch.node->at("energy").at("impl").fail(
             "the scaled energy model needs technology_nm at the top of the architecture");
       return std::make_unique<ScaledEnergy>(Technology{arch.technology_nm, arch.vdd_v},
                                             arch.node->at("energy").find("calibration"));
     })});

}  // namespace

}  // namespace dfsim
