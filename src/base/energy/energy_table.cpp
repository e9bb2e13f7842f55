#include "base/energy/energy_table.hpp"

#include <iomanip>
#include <ostream>
#include <stdexcept>

namespace dfsim {

const char* to_string(EnergyLevel level) {
  switch (level) {
    case EnergyLevel::Dram:
      return "dram";
    case EnergyLevel::Glb:
      return "glb";
    case EnergyLevel::Noc:
      return "noc";
    case EnergyLevel::Rf:
      return "rf";
    case EnergyLevel::Mac:
      return "mac";
    case EnergyLevel::Idle:
      return "idle";
  }
  return "?";
}

const char* to_string(PartKind kind) {
  switch (kind) {
    case PartKind::Storage:
      return "storage";
    case PartKind::Multiplier:
      return "multiplier";
    case PartKind::Adder:
      return "adder";
    case PartKind::Mac:
      return "mac";
    case PartKind::Crossbar:
      return "crossbar";
  }
  return "?";
}

ActionId EnergyTable::find(const std::string& name) const {
  for (ActionId a = 0; a < actions_.size(); ++a)
    if (actions_[a].name == name) return a;
  return actions_.size();
}

void EnergyTable::add_part(HardwarePart part) {
  for (const HardwarePart& p : parts_)
    if (p.name == part.name)
      throw std::logic_error("energy table: part '" + part.name + "' listed twice");
  parts_.push_back(std::move(part));
}

const HardwarePart* EnergyTable::part_of(const PricedAction& action) const {
  if (action.part.empty()) return nullptr;
  for (const HardwarePart& p : parts_)
    if (p.name == action.part) return &p;
  throw std::logic_error("energy table: action '" + action.name + "' names no part '" +
                         action.part + "'");
}

ActionId EnergyTable::add(std::string name, std::string unit, EnergyLevel level, std::string key,
                          double pj, std::string part) {
  for (const PricedAction& a : actions_)
    if (a.name == name) throw std::logic_error("energy table: action '" + name + "' listed twice");
  if (actions_.size() == kMaxActions) throw std::logic_error("energy table: more than kMaxActions");
  actions_.push_back(
      {std::move(name), std::move(unit), level, std::move(key), pj, std::move(part)});
  update_idle();
  return actions_.size() - 1;
}

LevelEnergy price(const EnergyTable& table, const ActionCounts& counts) {
  if (counts.size() != table.size())
    throw std::logic_error("action counts do not belong to this energy table");
  LevelEnergy e{};
  for (ActionId a = 0; a < table.size(); ++a) {
    const PricedAction& p = table.actions()[a];
    e[static_cast<std::size_t>(p.level)] += counts[a] * p.pj;
  }
  return e;
}

double total_pj(const LevelEnergy& e) {
  double t = 0;
  for (double v : e) t += v;
  return t;
}

void EnergyTable::update_idle() {
  idle_pj_per_ns_ = 0;
  for (const PricedAction& a : actions_)
    if (a.level == EnergyLevel::Idle) idle_pj_per_ns_ += a.pj;
}

double sum_pj(const EnergyTable& table, const ActionCounts& counts) {
  if (counts.size() != table.size())
    throw std::logic_error("action counts do not belong to this energy table");
  double total = 0;
  for (ActionId a = 0; a < table.size(); ++a) total += counts[a] * table.actions()[a].pj;
  return total;
}

void print_energy_table(std::ostream& os, const EnergyTable& table) {
  os << std::left << std::setw(24) << "action" << std::setw(10) << "unit" << std::setw(6) << "level"
     << std::right << std::setw(12) << "pJ/unit"
     << "  key\n";
  for (const PricedAction& a : table.actions())
    os << std::left << std::setw(24) << a.name << std::setw(10) << a.unit << std::setw(6)
       << to_string(a.level) << std::right << std::setw(12) << a.pj << "  " << a.key << "\n";
}

}  // namespace dfsim
