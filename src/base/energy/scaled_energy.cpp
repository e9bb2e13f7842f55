// The "scaled" energy model: every action performed by a part the style describes (memories
// by capacity and width, multipliers, adders and MACs by width) costs what the analytical
// model of base/energy/technology.hpp gives at the architecture's technology_nm; actions
// without a part (DRAM, networks, idle) keep the price of their own key.
#include <memory>
#include <stdexcept>

#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "base/energy/technology.hpp"

namespace dfsim {

namespace {

class ScaledEnergy : public EnergyModel {
 public:
  explicit ScaledEnergy(Technology tech) : tech_(tech) {}
  double pj_per_unit(const PricedAction& action, const HardwarePart* part) const override {
    if (!part) return action.pj;
    switch (part->kind) {
      case PartKind::Storage: {
        const double access = sram_access_pj(part->capacity_bytes, part->width_bits, tech_);
        if (action.unit == "bit") return access / part->width_bits;
        if (action.unit == "access") return access;
        break;
      }
      case PartKind::Mac:
        if (action.unit == "MAC" || action.unit == "8-bit MAC")
          return mac_pj(part->width_bits, part->accum_bits, tech_);
        break;
      case PartKind::Multiplier:
        if (action.unit == "product") return int_multiply_pj(part->width_bits, tech_);
        break;
      case PartKind::Adder:
        if (action.unit == "product") return int_add_pj(part->width_bits, tech_);
        break;
    }
    // A style pairing an action with a part that cannot perform it is a style's bug.
    throw std::logic_error("scaled energy: action '" + action.name + "' (per " + action.unit +
                           ") on " + to_string(part->kind) + " part '" + part->name + "'");
  }

 private:
  Technology tech_;
};

const bool registered = register_component(
    {"energy",
     "scaled",
     "memories and arithmetic priced by size at technology_nm (docs/energy-area.md)",
     {},
     nullptr,
     EnergyModelFactory([](const ArchConfig& arch) -> std::unique_ptr<EnergyModel> {
       if (arch.technology_nm <= 0)
         arch.node->at("energy").at("impl").fail(
             "the scaled energy model needs technology_nm at the top of the architecture");
       return std::make_unique<ScaledEnergy>(Technology{arch.technology_nm, arch.vdd_v});
     })});

}  // namespace

}  // namespace dfsim
