// An "energy" model that lives only in the tests: every action of every style costs the same
// `pj_per_unit`, whatever its key says. It registers by name from this file alone;
// tests/test_component_impls.cpp checks that the simulation's actions and the mappers'
// estimates are both priced by it when an architecture names it.
#include <memory>

#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"

namespace dfsim_test {

namespace {

class FlatEnergy : public dfsim::EnergyModel {
 public:
  explicit FlatEnergy(double pj) : pj_(pj) {}
  double pj_per_unit(const dfsim::PricedAction&, const dfsim::HardwarePart*) const override {
    return pj_;
  }

 private:
  double pj_;
};

const bool registered = dfsim::register_component(
    {"energy",
     "test_flat",
     "every action costs pj_per_unit",
     {"pj_per_unit"},
     [](const dfsim::ConfigNode& section) { section.get_double_min("pj_per_unit", 0.0); },
     dfsim::EnergyModelFactory(
         [](const dfsim::ArchConfig& arch) -> std::unique_ptr<dfsim::EnergyModel> {
           return std::make_unique<FlatEnergy>(arch.node->at("energy").get_double("pj_per_unit"));
         })});

}  // namespace

}  // namespace dfsim_test
