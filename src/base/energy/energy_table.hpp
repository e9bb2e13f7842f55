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

// What a piece of the hardware is, for the models that derive prices and areas from sizes
// (base/energy/technology.hpp). A style lists its parts in its energy table; an action names
// the part that performs it.
enum class PartKind : std::uint8_t {
  Storage,     // SRAM or register file: capacity_bytes, width_bits per access
  Multiplier,  // integer multiplier of width_bits operands
  Adder,       // integer adder of width_bits
  Mac,         // width_bits x width_bits multiply plus an accum_bits add
  Crossbar,    // inputs x outputs switch of width_bits per port
};
const char* to_string(PartKind kind);

struct HardwarePart {
  std::string name;  // e.g. "glb", "filter_spad", "mac": unique in its table
  PartKind kind = PartKind::Storage;
  std::int64_t instances = 1;  // copies on the chip (e.g. one per PE)
  // Storage: what one access spans (all banks behind one decoder), in one instance.
  double capacity_bytes = 0;
  double width_bits = 0;  // bits per access (storage) or operand bits (arithmetic)
  double accum_bits = 0;  // Mac: the accumulator's width
  // Crossbar: ports on each side (any input reaches any output).
  std::int64_t inputs = 0, outputs = 0;
};

struct PricedAction {
  std::string name;   // e.g. "glb.read": unique in its table
  std::string unit;   // what one count is: "bit", "access", "MAC", "product", "ns", ...
  EnergyLevel level;  // the column its energy goes to
  std::string key;   // the architecture key the price comes from, e.g. "glb.read_energy_pj_per_bit"
  double pj = 0;     // per unit
  std::string part;  // the HardwarePart performing it ("" for none: DRAM, NoCs, idle, ...)
};

using ActionId = std::size_t;
// The most actions a table may list (ActionCounts are fixed-size: the mappers make one per
// candidate they estimate).
constexpr std::size_t kMaxActions = 32;

class EnergyTable {
 public:
  // Adds an action; throws std::logic_error if the name is taken or the table is full (a
  // style's bug).
  ActionId add(std::string name, std::string unit, EnergyLevel level, std::string key, double pj,
               std::string part = "");
  const std::vector<PricedAction>& actions() const { return actions_; }
  // The action named `name`, or size() if the table has none.
  ActionId find(const std::string& name) const;
  // Adds a part; throws std::logic_error if the name is taken.
  void add_part(HardwarePart part);
  const std::vector<HardwarePart>& parts() const { return parts_; }
  // The part `action` names, or nullptr; throws std::logic_error for a name not added.
  const HardwarePart* part_of(const PricedAction& action) const;
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
  std::vector<HardwarePart> parts_;
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
