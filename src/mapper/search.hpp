// What every array style's mapper shares: the objective, the score that ranks candidates, the
// deterministic k-best list of one search, and the traffic an estimate predicts.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "base/config/arch_config.hpp"
#include "base/energy/energy_table.hpp"

namespace dfsim {

// Bytes an estimate predicts at the memory levels whose traffic the mapping's reuse fixes,
// per data type in the statistics' order (weight, ifmap, psum, ofmap). Dense operands (16-bit
// values unless the array's datapath says otherwise); sparse arrays use the declared densities.
struct PredictedTraffic {
  std::array<double, 4> dram_read{}, dram_write{}, glb_read{};
};

enum class Objective { Energy, Latency, Edp };
Objective parse_objective(const std::string& s);
const char* to_string(Objective o);

// How a mapper ranks candidates: the objective first, then the other figure (energy for
// latency, latency for energy and EDP) to break ties. Energy is the estimate's (without idle)
// plus the idle energy of `cycles`, priced by the style's energy table.
struct Score {
  double primary = 0, secondary = 0;
  bool operator<(const Score& o) const {
    return primary != o.primary ? primary < o.primary : secondary < o.secondary;
  }
};
Score score_of(Objective o, const ArchConfig& arch, const EnergyTable& table, std::int64_t cycles,
               double energy_pj);

// The k best candidates a search has offered, best first; among equal scores the earlier
// offer ranks first, so the result is deterministic. One mechanism for every mapper's search.
template <typename T>
class BestCandidates {
 public:
  explicit BestCandidates(std::size_t k) : k_(k < 1 ? 1 : k) {}
  void offer(const Score& s, const T& candidate) {
    auto it = std::upper_bound(items_.begin(), items_.end(), s,
                               [](const Score& a, const Item& b) { return a < b.score; });
    if (it == items_.end() && items_.size() >= k_) return;
    items_.insert(it, Item{s, candidate});
    if (items_.size() > k_) items_.pop_back();
  }
  bool empty() const { return items_.empty(); }
  bool full() const { return items_.size() >= k_; }
  // Whether every score whose primary is at least `bound`'s would be refused (the list is full
  // and its worst is strictly better): a search may skip candidates it bounds below by it.
  bool rejects_all_from(const Score& bound) const {
    return full() && items_.back().score.primary < bound.primary;
  }
  const T& best() const { return items_.front().candidate; }
  const Score& best_score() const { return items_.front().score; }
  std::vector<T> ranked() const {
    std::vector<T> out;
    for (const Item& i : items_) out.push_back(i.candidate);
    return out;
  }

 private:
  struct Item {
    Score score;
    T candidate;
  };
  std::size_t k_;
  std::vector<Item> items_;
};

}  // namespace dfsim
