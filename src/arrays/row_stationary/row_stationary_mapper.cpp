#include "arrays/row_stationary/row_stationary_mapper.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

#include "arrays/row_stationary/rs_tiling.hpp"
#include "base/config/config_node.hpp"

namespace dfsim {

namespace {

// Candidates per objective the schedule re-ranks after the closed-form bounds.
constexpr std::size_t kScheduled = 16;
constexpr Objective kObjectives[] = {Objective::Latency, Objective::Energy, Objective::Edp};

// Values of a blocking factor in 1..max worth trying: for each block count k, the smallest
// block that still needs only k blocks (larger ones waste the array without fewer passes).
// ceil(total / k) takes O(sqrt(total)) distinct values: each is visited once, from the
// largest within `max` down (the smallest k giving a block below b is ceil(total / (b - 1))).
std::vector<std::int64_t> balanced_factors(std::int64_t total, std::int64_t max) {
  std::vector<std::int64_t> out;
  if (max < 1) return out;
  for (std::int64_t k = ceil_div64(total, std::min(max, total));;) {
    const std::int64_t b = ceil_div64(total, k);
    out.push_back(b);
    if (b == 1) break;
    k = ceil_div64(total, b - 1);
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// Batch blocks worth trying: all of them when there are at most 64 (every batch up to about
// a thousand images); otherwise every one up to 32 images, then about one per 25% step (and
// the largest), so that a batch of millions of images maps in seconds.
std::vector<std::int64_t> thinned(const std::vector<std::int64_t>& ascending) {
  if (ascending.size() <= 64) return ascending;
  std::vector<std::int64_t> out;
  double next = 0;
  for (std::size_t i = 0; i < ascending.size(); ++i) {
    const std::int64_t v = ascending[i];
    const bool last = i + 1 == ascending.size();
    if (v <= 32 || last || static_cast<double>(v) >= next) {
      out.push_back(v);
      next = 1.25 * static_cast<double>(v);
    }
  }
  return out;
}

// The most images a pass can hold: each needs at least one psum row (F psums) in the GLB's
// ifmap/psum banks, so a larger n never fits (a bound, not a choice: it only skips
// candidates the capacity check would refuse).
std::int64_t max_images_per_pass(const ArchConfig& a, const Layer& l) {
  const RowStationaryParams& p = rs_params(a);
  const std::int64_t avail_bytes = (p.glb.banks - p.glb.filter_banks) * p.glb.bank_bytes;
  const std::int64_t psum_row_bytes = std::max<std::int64_t>(1, l.F() * a.data.psum_bits / 8);
  return std::clamp<std::int64_t>(avail_bytes / psum_row_bytes, 1, l.N);
}

}  // namespace

Layer RowStationaryMapper::estimate_view(const Layer& layer) {
  Layer v = shape_of(flatten_fc(layer));
  v.input_density = layer.input_density;
  return v;
}

RsMapResult RowStationaryMapper::map(const Layer& layer) const { return best(layer, 1).front(); }

namespace {

using Shortlists = std::vector<BestCandidates<RsMapResult>>;

// One enumeration of the row-stationary loop nests of a layer, each estimated by the
// closed-form bounds and offered to every objective's shortlist.
struct RsSearch {
  const ArchConfig& arch;
  const EnergyTable& table;
  const Layer& l;
  Shortlists top;
  std::int64_t evaluated = 0;
  std::optional<RsMapping> last_rejected;
  RsEstimateMemo memo;  // the parts candidates share, computed once

  // Why the last candidate was rejected (formatted once, when none fits).
  std::string last_reason() const {
    if (!last_rejected) return "no candidate";
    return estimate_rs(arch, table, l, *last_rejected, RsEstimateDetail::Bounds).why_infeasible;
  }

  // One shortlist of `shortlist` candidates per objective.
  RsSearch(const ArchConfig& a, const EnergyTable& t, const Layer& layer, std::size_t shortlist)
      : arch(a),
        table(t),
        l(layer),
        top(std::size(kObjectives), BestCandidates<RsMapResult>(shortlist)) {}

  // Whether no shortlist would take any buffering of the nest `m`: each is full and refuses
  // the nest's lower bound (rs_lower_bound), so the exact estimates cannot change the lists.
  bool bounded_out(const RsMapping& m) {
    for (const auto& list : top)
      if (!list.full()) return false;
    const RsLowerBound lb = rs_lower_bound(table, memo.pass_totals(arch, l, m));
    for (std::size_t o = 0; o < top.size(); ++o)
      if (!top[o].rejects_all_from(score_of(kObjectives[o], arch, table, lb.cycles, lb.energy_pj)))
        return false;
    return true;
  }

  // The four GLB bufferings of one loop nest (counted as evaluated when bounded out: the
  // count is of candidates ranked, by estimate or by bound).
  void offer_bufferings(RsMapping m) {
    if (bounded_out(m)) {
      evaluated += 4;
      return;
    }
    for (int buffering = 0; buffering < 4; ++buffering) {
      m.ifmap_resident = buffering < 2;
      m.ifmap_double_buffer = buffering % 2 == 0;
      RsEstimate est = estimate_rs(arch, table, l, m, RsEstimateDetail::Bounds, &memo);
      ++evaluated;
      if (!est.feasible) {
        last_rejected = m;
        continue;
      }
      const RsMapResult candidate{m, est, 0};
      for (std::size_t o = 0; o < top.size(); ++o)
        top[o].offer(score_of(kObjectives[o], arch, table, est.cycles, est.energy_pj), candidate);
    }
  }

  // The PE-set shapes (q, p, r, t) of strip width m.strip_width with ns strips and n images.
  void offer_pe_sets(RsMapping m, std::int64_t slots) {
    const PeConfig& pe = rs_params(arch).pe;
    const std::int64_t Cg = l.C_per_group(), Mg = l.M_per_group();
    const std::int64_t qmax = std::min(Cg, pe.ifmap_spad_entries / l.cols().extent());
    const std::int64_t pmax = std::min(Mg, pe.psum_spad_entries);
    for (std::int64_t q : balanced_factors(Cg, qmax))
      for (std::int64_t p : balanced_factors(Mg, pmax)) {
        if (p * q * l.S > pe.filter_spad_entries) continue;
        for (std::int64_t r : balanced_factors(ceil_div64(Cg, q), m.bands(arch, l)))
          for (std::int64_t t :
               balanced_factors(ceil_div64(Mg, p), slots / (m.strips_per_pass * r))) {
            m.p = p;
            m.q = q;
            m.r = r;
            m.t = t;
            offer_bufferings(m);
          }
      }
  }

  void run() {
    const std::int64_t E = l.E();
    const auto widths = balanced_factors(E, arch.pe_cols);
    // Widest strips first: among equal scores the contiguous PE set the paper draws wins.
    for (auto it = widths.rbegin(); it != widths.rend(); ++it) {
      RsMapping m;
      m.strip_width = *it;
      const std::int64_t slots = m.slots(arch, l);
      for (std::int64_t ns : balanced_factors(ceil_div64(E, m.strip_width), slots))
        for (std::int64_t n : thinned(balanced_factors(l.N, max_images_per_pass(arch, l)))) {
          m.strips_per_pass = ns;
          m.n = n;
          offer_pe_sets(m, slots);
        }
    }
  }
};

}  // namespace

std::vector<RsMapResult> RowStationaryMapper::best(const Layer& layer, std::size_t k) const {
  const Layer l = flatten_fc(layer);
  if (l.R > arch_.pe_rows || l.cols().extent() > rs_params(arch_).pe.ifmap_spad_entries) {
    RsMapping m;
    throw ConfigError("layer '" + l.name +
                      "': no row-stationary mapping fits: " + rs_check_capacity(arch_, l, m));
  }
  // The closed-form bounds rank every candidate by each objective; the best of them for any
  // objective are then ranked again, by this one, on the controller's schedule (the estimate
  // the run reports). Every objective re-ranks the same set, so the latency objective's choice
  // is never slower, by the estimate, than another objective's.
  const std::size_t shortlist = std::max<std::size_t>(k, kScheduled);
  RsSearch search(arch_, energy_table_, l, shortlist);
  search.run();
  if (search.top.front().empty())
    throw ConfigError("layer '" + l.name + "': no row-stationary mapping fits the array (" +
                      std::to_string(search.evaluated) +
                      " candidates; last reason: " + search.last_reason() + ")");
  BestCandidates<RsMapResult> scheduled(k);
  std::set<std::string> seen;
  for (const BestCandidates<RsMapResult>& list : search.top)
    for (RsMapResult r : list.ranked()) {
      if (!seen.insert(to_yaml(r.mapping)).second) continue;
      r.estimate = estimate_rs(arch_, energy_table_, l, r.mapping, RsEstimateDetail::Schedule);
      scheduled.offer(
          score_of(objective_, arch_, energy_table_, r.estimate.cycles, r.estimate.energy_pj), r);
    }
  std::vector<RsMapResult> ranked = scheduled.ranked();
  for (RsMapResult& r : ranked) {
    const RsGlbPlan g = rs_glb_plan(arch_, l, r.mapping);
    r.mapping.ifmap_banks = g.ifmap_banks;
    r.mapping.psum_banks = g.psum_banks;
    r.candidates_evaluated = search.evaluated;
  }
  return ranked;
}

RsMapResult RowStationaryMapper::evaluate_pinned(const Layer& layer, RsMapping m,
                                                 const std::string& where) const {
  const Layer l = flatten_fc(layer);
  RsMapResult res;
  m.pinned = true;
  res.estimate = estimate_rs(arch_, energy_table_, l, m);
  res.candidates_evaluated = 1;
  if (!res.estimate.feasible)
    throw ConfigError(where + ": mapping for layer '" + l.name +
                      "' does not fit: " + res.estimate.why_infeasible);
  const RsGlbPlan g = rs_glb_plan(arch_, l, m);
  m.ifmap_banks = g.ifmap_banks;
  m.psum_banks = g.psum_banks;
  res.mapping = m;
  return res;
}

RsMapping parse_rs_mapping(const ConfigNode& n) {
  n.expect_keys({"strip_width", "strips_per_pass", "n", "p", "q", "r", "t", "ifmap_resident",
                 "ifmap_double_buffer"});
  RsMapping m;
  m.strip_width = n.get_int_min("strip_width", 1);
  m.strips_per_pass = n.get_int_min("strips_per_pass", 1, 1);
  m.n = n.get_int_min("n", 1, 1);
  m.p = n.get_int_min("p", 1);
  m.q = n.get_int_min("q", 1);
  m.r = n.get_int_min("r", 1, 1);
  m.t = n.get_int_min("t", 1, 1);
  m.ifmap_resident = n.get_bool("ifmap_resident", false);
  m.ifmap_double_buffer = n.get_bool("ifmap_double_buffer", true);
  return m;
}

}  // namespace dfsim
