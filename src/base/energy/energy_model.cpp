#include "base/energy/energy_model.hpp"

#include "base/config/component_registry.hpp"

namespace dfsim {

namespace {

// Each action costs what its own key says.
class PerActionPj : public EnergyModel {
 public:
  double pj_per_unit(const PricedAction& action, const HardwarePart*) const override {
    return action.pj;
  }
};

const bool registered =
    register_component({"energy",
                        "per_action_pj",
                        "each action costs the pJ per unit its own key gives",
                        {},
                        nullptr,
                        EnergyModelFactory([](const ArchConfig&) -> std::unique_ptr<EnergyModel> {
                          return std::make_unique<PerActionPj>();
                        })});

}  // namespace

ActionId add_dram_bits(EnergyTable& t, const ArchConfig& arch) {
  return t.add("dram.bit", "bit", EnergyLevel::Dram, "dram.energy_pj_per_bit",
               arch.dram.energy_pj_per_bit);
}

ActionId add_idle(EnergyTable& t, const ArchConfig& arch) {
  return t.add("idle", "ns", EnergyLevel::Idle, "idle_power_mw", arch.idle_power_mw);  // mW x ns
}

std::unique_ptr<EnergyModel> make_energy_model(const ArchConfig& arch) {
  return make_component<EnergyModel, const ArchConfig&>("energy", arch.energy_impl, arch);
}

EnergyTable priced_by_energy_model(EnergyTable declared, const ArchConfig& arch) {
  const std::unique_ptr<EnergyModel> model = make_energy_model(arch);
  model->check_parts(declared);
  for (ActionId a = 0; a < declared.size(); ++a)
    declared.set_pj(
        a, model->pj_per_unit(declared.actions()[a], declared.part_of(declared.actions()[a])));
  return declared;
}

}  // namespace dfsim
