#include "base/energy/energy_model.hpp"

#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/text.hpp"

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

namespace {

// A price below 1e-6 pJ (or mW) that is not 0 was written in the wrong unit (28.75e-12 is
// joules): refused at the key it comes from.
void refuse_implausible_price(const PricedAction& a, const ArchConfig& arch) {
  if (!(a.pj > 0 && a.pj < 1e-6) || !arch.node) return;
  price_key_node(arch, a.key)
      .fail(json_number(a.pj) + " is implausibly small (energies are in pJ, idle power in mW; " +
            "was it written in joules or watts?)");
}

}  // namespace

ConfigNode price_key_node(const ArchConfig& arch, const std::string& key) {
  const std::size_t dot = key.find('.');
  return dot == std::string::npos ? arch.node->at(key)
                                  : arch.node->at(key.substr(0, dot)).at(key.substr(dot + 1));
}

void add_dram_device_estimate(ActionCounts& n, const EnergyTable& t, const ArchConfig& arch) {
  const ActionId device = t.find(kDramDeviceAction);
  if (device == t.size()) return;
  n.add(device, n[t.find("dram.bit")] * arch.dram.device_pj_per_bit);
}

EnergyTable priced_by_energy_model(EnergyTable declared, const ArchConfig& arch) {
  if (arch.dram.device_energy)  // pJ the device model computed: 1 pJ per unit
    declared.add(kDramDeviceAction, "pJ", EnergyLevel::Dram, "dram.impl", 1.0);
  for (const PricedAction& a : declared.actions()) refuse_implausible_price(a, arch);
  const std::unique_ptr<EnergyModel> model = make_energy_model(arch);
  model->check_parts(declared);
  for (ActionId a = 0; a < declared.size(); ++a)
    declared.set_pj(
        a, model->pj_per_unit(declared.actions()[a], declared.part_of(declared.actions()[a])));
  return declared;
}

}  // namespace dfsim
