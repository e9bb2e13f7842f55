#include "energy/energy_model.hpp"

#include "config/component_registry.hpp"

namespace dfsim {

namespace {

// Each action costs what its own key says.
class PerActionPj : public EnergyModel {
 public:
  double pj_per_unit(const PricedAction& action) const override { return action.pj; }
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

EnergyTable priced_by_energy_model(EnergyTable declared, const ArchConfig& arch) {
  const std::unique_ptr<EnergyModel> model =
      make_component<EnergyModel, const ArchConfig&>("energy", arch.energy_impl, arch);
  for (ActionId a = 0; a < declared.size(); ++a)
    declared.set_pj(a, model->pj_per_unit(declared.actions()[a]));
  return declared;
}

}  // namespace dfsim
