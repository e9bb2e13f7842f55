// Energy is priced once. Components count actions (bits read and written, accesses, MACs,
// products, ns of idle power); each array style lists the actions its hardware performs in an
// EnergyTable, with the price of one unit and the architecture key the price comes from. The
// simulation's per-layer counts and the mapper's estimated counts are priced by the same
// table, so an energy model that derives prices from sizes (issue 15) replaces the prices in
// one place.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace dfsim {

// The columns of the energy breakdown an action's energy goes to.
enum class EnergyLevel : std::uint8_t { Dram = 0, Glb = 1, Noc = 2, Rf = 3, Mac = 4, Idle = 5 };
constexpr int kNumEnergyLevels = 6;
const char* to_string(EnergyLevel level);

struct PricedAction {
  std::string name;   // e.g. "glb.read": unique in its table
  std::string unit;   // what one count is: "bit", "access", "MAC", "product", "ns", ...
  EnergyLevel level;  // the column its energy goes to
  std::string key;  // the architecture key the price comes from, e.g. "glb.read_energy_pj_per_bit"
  double pj = 0;    // per unit
};

using ActionId = std::size_t;
// The most actions a table may list (ActionCounts are fixed-size: the mappers make one per
// candidate they estimate).
constexpr std::size_t kMaxActions = 32;

class EnergyTable {
 public:
  // Adds an action; throws std::logic_error if the name is taken or the table is full (a
  // style's bug).
  ActionId add(std::string name, std::string unit, EnergyLevel level, std::string key, double pj);
  const std::vector<PricedAction>& actions() const { return actions_; }
  void set_pj(ActionId a, double pj) {
    actions_.at(a).pj = pj;
    update_idle();
  }
  // The price of a nanosecond of the chip's idle power: the idle-level actions, counted in ns.
  double idle_pj_per_ns() const { return idle_pj_per_ns_; }
  std::size_t size() const { return actions_.size(); }

 private:
  void update_idle();
  std::vector<PricedAction> actions_;
  double idle_pj_per_ns_ = 0;  // kept with the prices (the mappers ask per candidate)
};

// Counts of a table's actions, indexed by ActionId. Simulated counts are whole numbers;
// estimated ones may be expectations (fractional).
class ActionCounts {
 public:
  ActionCounts() = default;
  explicit ActionCounts(const EnergyTable& table) : size_(table.size()) {}
  // Throws std::out_of_range for an id the table does not have.
  void add(ActionId a, double count) { n_[checked(a)] += count; }
  double operator[](ActionId a) const { return n_[checked(a)]; }
  std::size_t size() const { return size_; }

 private:
  std::size_t checked(ActionId a) const {
    if (a >= size_) throw std::out_of_range("action id beyond the energy table");
    return a;
  }
  std::array<double, kMaxActions> n_{};
  std::size_t size_ = 0;
};

using LevelEnergy = std::array<double, kNumEnergyLevels>;  // pJ per EnergyLevel

// Sum over the table's actions of count x pJ per unit, by level (in table order, so the same
// counts always give the same bits). Throws std::logic_error if `counts` is of another table.
LevelEnergy price(const EnergyTable& table, const ActionCounts& counts);
double total_pj(const LevelEnergy& e);
// Sum over the table's actions of count x pJ per unit, left to right in table order.
double sum_pj(const EnergyTable& table, const ActionCounts& counts);

// The table as text: one row per action with its unit, level, price and key.
void print_energy_table(std::ostream& os, const EnergyTable& table);

}  // namespace dfsim
