// What prices a style's actions: the component role "energy". An architecture names its model
// with `energy: {impl: NAME, ...}` (default `per_action_pj`: every action costs the pJ its own
// key gives, e.g. `glb.read_energy_pj_per_bit`). A model that derives prices from sizes
// registers under the role from its own file (register_component with an EnergyModelFactory)
// and replaces every price at once, for the simulation and the mappers' estimates alike.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_table.hpp"

namespace dfsim {

class EnergyModel {
 public:
  virtual ~EnergyModel() = default;
  // pJ per unit of `action`; action.pj is the price its style read from action.key, `part`
  // what performs it (nullptr if the style names none).
  virtual double pj_per_unit(const PricedAction& action, const HardwarePart* part) const = 0;
  // Called once with the style's table: a model whose settings name parts checks them here
  // (throws ConfigError at the setting's position).
  virtual void check_parts(const EnergyTable& /*table*/) const {}
  // mm^2 of all of `part`'s instances if this model knows it (an imported area table), or
  // nullopt (the technology model then sizes it, when the architecture states technology_nm).
  virtual std::optional<double> area_mm2(const HardwarePart& /*part*/) const {
    return std::nullopt;
  }
};

using EnergyModelFactory = std::function<std::unique_ptr<EnergyModel>(const ArchConfig&)>;

// The actions every array has, with the same name, unit, level and key in every table: the
// DRAM's bits (first in a table) and the chip's idle power in ns (last).
ActionId add_dram_bits(EnergyTable& t, const ArchConfig& arch);
ActionId add_idle(EnergyTable& t, const ArchConfig& arch);

// The DRAM device's own energy in pJ, for a dram model that computes it (DramConfig::
// device_energy): priced_by_energy_model adds it last to such an architecture's table, the
// simulation counts what the device model computed, and the estimates count
// DramConfig::device_pj_per_bit for each bit of their dram.bit count (add_dram_device_estimate).
inline constexpr const char* kDramDeviceAction = "dram.device";
void add_dram_device_estimate(ActionCounts& n, const EnergyTable& t, const ArchConfig& arch);

// The node of the architecture file a price key names ("glb.read_energy_pj_per_bit",
// "idle_power_mw"); throws ConfigError if the file has none.
ConfigNode price_key_node(const ArchConfig& arch, const std::string& key);

// The energy model the architecture names (`energy.impl`).
std::unique_ptr<EnergyModel> make_energy_model(const ArchConfig& arch);

// `declared` (a style's actions with the prices its keys give) priced by the architecture's
// energy model. Every style's table builder returns through this.
EnergyTable priced_by_energy_model(EnergyTable declared, const ArchConfig& arch);

}  // namespace dfsim
