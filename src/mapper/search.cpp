#include "mapper/search.hpp"

#include "base/config/config_node.hpp"

namespace dfsim {

Objective parse_objective(const std::string& s) {
  if (s == "energy") return Objective::Energy;
  if (s == "latency") return Objective::Latency;
  if (s == "edp") return Objective::Edp;
  throw ConfigError("--objective: '" + s + "' is not one of: energy latency edp");
}

const char* to_string(Objective o) {
  switch (o) {
    case Objective::Energy:
      return "energy";
    case Objective::Latency:
      return "latency";
    case Objective::Edp:
      return "edp";
  }
  return "?";
}

Score score_of(Objective o, const ArchConfig& arch, const EnergyTable& table, std::int64_t cycles,
               double energy_pj) {
  const double c = static_cast<double>(cycles);
  const double energy = energy_pj + table.idle_pj_per_ns() * c * arch.core_period_ns();
  switch (o) {
    case Objective::Energy:
      return {energy, c};
    case Objective::Latency:
      return {c, energy};
    case Objective::Edp:
      return {energy * c, c};
  }
  return {};
}

}  // namespace dfsim
