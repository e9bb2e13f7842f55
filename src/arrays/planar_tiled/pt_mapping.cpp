#include "arrays/planar_tiled/pt_mapping.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <ostream>
#include <sstream>
#include <tuple>
#include <utility>

#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "base/text.hpp"
#include "components/memory/dma.hpp"

namespace dfsim {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}
std::int64_t ceil_div_signed(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

// (input index, tap) pairs along one axis whose output index lies in [o0, o1).
std::int64_t axis_taps(const ConvAxis& a, std::int64_t i0, std::int64_t i1, std::int64_t o0,
                       std::int64_t o1) {
  std::int64_t n = 0;
  for (std::int64_t i = i0; i < i1; ++i)
    for (std::int64_t r = 0; r < a.taps; ++r) {
      const std::int64_t v = i + a.pad_before - r * a.dilation;
      if (v % a.stride != 0) continue;
      const std::int64_t o = v / a.stride;
      n += v >= 0 && o >= o0 && o < o1;
    }
  return n;
}

// The mean and variance of ceil(X / V) for X ~ Binomial(n, d): the V-wide vectors the
// non-zeros of n values take when each is non-zero with probability d. Summed over the
// binomial's mass within 10 standard deviations of its mean (the rest is below 1e-20); the
// ceiling of the mean instead would jump a whole vector where n d crosses a multiple of V.
VectorMoments binomial_vectors(std::int64_t n, double d, std::int64_t V) {
  if (n <= 0 || d <= 0) return {};
  if (d >= 1) return {static_cast<double>((n + V - 1) / V), 0};
  const double nn = static_cast<double>(n), mean = nn * d, sd = std::sqrt(nn * d * (1 - d));
  const auto lo = static_cast<std::int64_t>(std::max(0.0, std::floor(mean - 10 * sd - 1)));
  const auto hi = static_cast<std::int64_t>(std::min(nn, std::ceil(mean + 10 * sd + 1)));
  const double log_d = std::log(d), log_1d = std::log1p(-d), log_n = std::lgamma(nn + 1);
  double sum = 0, sum_sq = 0;
  for (std::int64_t k = lo; k <= hi; ++k) {
    const double kk = static_cast<double>(k);
    const double p = std::exp(log_n - std::lgamma(kk + 1) - std::lgamma(nn - kk + 1) + kk * log_d +
                              (nn - kk) * log_1d);
    const double v = static_cast<double>((k + V - 1) / V);
    sum += p * v;
    sum_sq += p * v * v;
  }
  return {sum, std::max(0.0, sum_sq - sum * sum)};
}

}  // namespace

// The same for a fractional n (a tile's positions shared among stride phases), interpolated
// between the neighbouring counts; memoized per thread, as the search asks for few distinct
// values many times.
VectorMoments vector_moments(double n, double d, std::int64_t V) {
  if (n <= 0 || d <= 0) return {};
  const auto key = std::make_tuple(n, d, V);
  thread_local std::map<std::tuple<double, double, std::int64_t>, VectorMoments> memo;
  if (const auto it = memo.find(key); it != memo.end()) return it->second;
  if (memo.size() > 4096) memo.clear();
  const double lo = std::floor(n), f = n - lo;
  const auto n0 = static_cast<std::int64_t>(lo);
  const VectorMoments a = binomial_vectors(n0, d, V),
                      b = f > 0 ? binomial_vectors(n0 + 1, d, V) : VectorMoments{};
  // The mixture of the two counts (weights 1 - f and f): its mean and variance.
  const double mean = (1 - f) * a.mean + f * b.mean;
  const double second = (1 - f) * (a.var + a.mean * a.mean) + f * (b.var + b.mean * b.mean);
  const VectorMoments v{mean, std::max(0.0, second - mean * mean)};
  memo.emplace(key, v);
  return v;
}

// The expected slowest of PEs whose cycles are independent and about normal (mean, sd), each
// given with how many PEs share it: E[max] = lo + integral over [lo, hi] of 1 - prod F_i(x),
// with [lo, hi] spanning every PE's mean +- 8 sd. A group's barrier waits for its slowest PE,
// and with small tiles the non-zero counts of different PEs differ more than their means.
double expected_slowest(const std::map<PeCycles, int>& pes) {
  double lo = 0, hi = 0, widest = 0;
  for (const auto& [c, n] : pes) {
    hi = std::max(hi, c.mean + 8 * c.sd);
    lo = std::max(lo, c.mean - 8 * c.sd);  // the slowest is at least each PE's low end
    widest = std::max(widest, c.sd);
  }
  if (pes.empty()) return 0;
  if (widest <= 0) return pes.rbegin()->first.mean;
  constexpr int kSteps = 256;
  const double dx = (hi - lo) / kSteps;
  double integral = 0;
  for (int i = 0; i < kSteps; ++i) {
    const double x = lo + (i + 0.5) * dx;
    double all_below = 1;
    for (const auto& [c, n] : pes) {
      if (c.mean + 8 * c.sd <= lo) continue;  // below lo: always under x
      const double below =
          c.sd > 0 ? 0.5 * std::erfc((c.mean - x) / (c.sd * std::sqrt(2.0))) : x >= c.mean;
      all_below *= std::pow(below, n);
    }
    integral += (1 - all_below) * dx;
  }
  return lo + integral;
}

namespace {

// Accumulator bank conflicts of the sparse PE: cycles per multiplier step of its bank queues
// (PlanarPe::sparse_channel: per stride phase, activation vectors outer, weight vectors
// inner; a step of F weights x I activations waits while a bank it hits holds more than
// crossbar_queue_depth products; a bank takes one per cycle), replayed on the tile's first
// channels with non-zeros drawn at the declared densities. The queues' backlog carries from
// one channel to the next, so short channels (a 1x1 layer's few steps each) are replayed
// several in a row. 1x1 filters put a vector's weights on consecutive output channels,
// k * extent apart, which an extent that is a multiple of A / 2 folds onto the same banks.
class BankReplay {
 public:
  BankReplay(const Layer& l, const PtTile& t, std::int64_t kc, const PlanarPeConfig& pe)
      : l_(l),
        t_(t),
        kc_(kc),
        ph_(l),
        phases_(ph_.count()),
        Im_(static_cast<std::size_t>(pe.multipliers_i)),
        Fm_(static_cast<std::size_t>(pe.multipliers_f)),
        Q_(pe.crossbar_queue_depth),
        bank_free_(static_cast<std::size_t>(pe.accumulator_banks), 0),
        count_(static_cast<std::size_t>(pe.accumulator_banks), 0),
        acts_(phases_),
        wts_(phases_) {}

  // Cycles per step over the first `channels` channels, or fewer once kReplaySteps are done.
  double cycles_per_step(std::int64_t channels) {
    if (t_.extent() == 0 || t_.area() == 0) return 1;
    for (std::int64_t ch = 0; ch < channels && steps_ < kReplaySteps; ++ch) {
      draw_channel(ch);
      for (std::size_t p = 0; p < phases_; ++p)
        for (std::size_t a0 = 0; a0 < acts_[p].size(); a0 += Im_)
          for (std::size_t w0 = 0; w0 < wts_[p].size(); w0 += Fm_) step(p, a0, w0);
    }
    return steps_ > 0 ? std::max(1.0, static_cast<double>(now_) / static_cast<double>(steps_))
                      : 1.0;
  }

 private:
  // Vectors of each operand per phase and channel: long enough for the queues to reach their
  // backlog on a large channel; kReplaySteps bounds the replay over several small ones.
  static constexpr std::size_t kReplayVectors = 48;
  static constexpr std::int64_t kReplaySteps = 48 * 48;
  struct Item {
    std::int64_t a, b;  // output row / column offsets (before the tap); weights: k * extent
    std::int64_t base = 0;
  };

  // Non-zero positions drawn (deterministically) at the declared density: evenly spaced ones
  // would alias with the bank interleaving (every second weight of a 1x1 filter on one bank).
  static bool nonzero(std::int64_t ch, std::int64_t i, std::uint64_t salt, double density) {
    std::uint64_t state =
        (static_cast<std::uint64_t>(ch) << 40 | static_cast<std::uint64_t>(i)) * 2 + salt;
    return static_cast<double>(splitmix64(state) >> 11) * 0x1p-53 < density;
  }

  void draw_channel(std::int64_t ch) {
    const std::int64_t tw = t_.w1 - t_.w0;
    for (auto& v : acts_) v.clear();
    for (auto& v : wts_) v.clear();
    for (std::int64_t a = 0; a < t_.area(); ++a) {
      if (!nonzero(ch, a, 0, l_.input_density)) continue;
      const std::int64_t h = t_.h0 + a / tw, w = t_.w0 + a % tw;
      auto& v = acts_[ph_.input_phase(h, w)];
      if (v.size() < kReplayVectors * Im_)
        v.push_back({ph_.input_row(h) - t_.e0, ph_.input_col(w) - t_.f0});
    }
    for (std::int64_t w = 0; w < kc_ * l_.R * l_.S; ++w) {
      if (!nonzero(ch, w, 1, l_.weight_density)) continue;
      const std::int64_t k = w / (l_.R * l_.S), r = (w / l_.S) % l_.R, s = w % l_.S;
      auto& v = wts_[ph_.tap_phase(r, s)];
      if (v.size() < kReplayVectors * Fm_)
        v.push_back({ph_.tap_row(r), ph_.tap_col(s), k * t_.extent()});
    }
  }

  // One F x I step: its products counted per bank, issued once the banks it hits have room.
  void step(std::size_t p, std::size_t a0, std::size_t w0) {
    const std::int64_t ext_w = t_.f1 - t_.f0, ext_h = t_.e1 - t_.e0;
    const auto A = static_cast<std::int64_t>(bank_free_.size());
    std::fill(count_.begin(), count_.end(), 0);
    for (std::size_t i = a0; i < std::min(acts_[p].size(), a0 + Im_); ++i)
      for (std::size_t j = w0; j < std::min(wts_[p].size(), w0 + Fm_); ++j) {
        const Item &x = acts_[p][i], &w = wts_[p][j];
        const std::int64_t oe = x.a - w.a, of = x.b - w.b;
        if (oe < 0 || oe >= ext_h || of < 0 || of >= ext_w) continue;
        ++count_[static_cast<std::size_t>((w.base + oe * ext_w + of) % A)];
      }
    std::int64_t issue = now_;
    for (std::size_t b = 0; b < count_.size(); ++b)
      if (count_[b] > 0) issue = std::max(issue, bank_free_[b] - Q_);
    for (std::size_t b = 0; b < count_.size(); ++b)
      if (count_[b] > 0) bank_free_[b] = std::max(issue, bank_free_[b]) + count_[b];
    now_ = issue + 1;
    ++steps_;
  }

  const Layer& l_;
  const PtTile& t_;
  const std::int64_t kc_;
  const StridePhases ph_;
  const std::size_t phases_, Im_, Fm_;
  const std::int64_t Q_;
  std::vector<std::int64_t> bank_free_, count_;
  std::vector<std::vector<Item>> acts_, wts_;
  std::int64_t now_ = 0, steps_ = 0;
};

double bank_load(const Layer& l, const PtTile& t, std::int64_t kc, const PlanarPeConfig& pe) {
  const std::int64_t channels = std::min(t.c1 - t.c0, l.C_per_group());
  // The replay sees a tile only through its shape and its offset to its first output: the
  // tiles of a grid share a few, and the search asks again for every candidate.
  const auto key = std::make_tuple(
      std::array<std::int64_t, 18>{t.h1 - t.h0, t.w1 - t.w0, t.h0 + l.pad_top - l.stride_h * t.e0,
                                   t.w0 + l.pad_left - l.stride_w * t.f0, t.e1 - t.e0, t.f1 - t.f0,
                                   kc, channels, l.R, l.S, l.stride_h, l.stride_w, l.dilation_h,
                                   l.dilation_w, pe.accumulator_banks, pe.crossbar_queue_depth,
                                   pe.multipliers_i, pe.multipliers_f},
      l.input_density, l.weight_density);
  thread_local std::map<decltype(key), double> memo;
  if (const auto it = memo.find(key); it != memo.end()) return it->second;
  if (memo.size() > 65536) memo.clear();
  const double load = BankReplay(l, t, kc, pe).cycles_per_step(channels);
  memo.emplace(key, load);
  return load;
}

}  // namespace

std::int64_t PtTile::valid_taps(const Layer& l) const {
  if (empty() || extent() == 0) return 0;
  return axis_taps(l.rows(), h0, h1, e0, e1) * axis_taps(l.cols(), w0, w1, f0, f1);
}

namespace {

// Round (ry, rx)'s output block and the input region it needs (empty when every window of the
// block lies in the padding).
PtRound round_block(const Layer& l, const PtMapping& m, std::int64_t ry, std::int64_t rx) {
  const std::int64_t E = l.E(), F = l.F();
  const ConvAxis rows = l.rows(), cols = l.cols();
  PtRound rd;
  rd.e0 = E * ry / m.rounds_y;
  rd.e1 = E * (ry + 1) / m.rounds_y;
  rd.f0 = F * rx / m.rounds_x;
  rd.f1 = F * (rx + 1) / m.rounds_x;
  rd.h0 = std::max<std::int64_t>(0, rows.input(rd.e0, 0));
  rd.h1 = std::max(rd.h0, std::min(l.H, rows.input(rd.e1 - 1, l.R - 1) + 1));
  rd.w0 = std::max<std::int64_t>(0, cols.input(rd.f0, 0));
  rd.w1 = std::max(rd.w0, std::min(l.W, cols.input(rd.f1 - 1, l.S - 1) + 1));
  return rd;
}

// Tile (ix, iy, ic) of round rd: its share of the input region and channels, and the outputs
// its inputs reach (the accumulator extent).
PtTile round_tile(const Layer& l, const PtMapping& m, std::int64_t cols, const PtRound& rd,
                  std::int64_t ix, std::int64_t iy, std::int64_t ic) {
  const ConvAxis ax_h = l.rows(), ax_w = l.cols();
  const std::int64_t hn = rd.h1 - rd.h0, wn = rd.w1 - rd.w0;
  PtTile t;
  t.pe = m.pc == 1 ? iy * cols + ix : (ic * m.py + iy) * m.px + ix;
  t.ix = ix;
  t.iy = iy;
  t.ic = ic;
  t.h0 = rd.h0 + hn * iy / m.py;
  t.h1 = rd.h0 + hn * (iy + 1) / m.py;
  t.w0 = rd.w0 + wn * ix / m.px;
  t.w1 = rd.w0 + wn * (ix + 1) / m.px;
  t.c0 = l.C * ic / m.pc;
  t.c1 = l.C * (ic + 1) / m.pc;
  // Outputs whose window (input(o, 0) .. input(o, taps - 1)) reaches into the tile.
  const auto first = [](const ConvAxis& a, std::int64_t i0) {
    return ceil_div_signed(i0 + a.pad_before - (a.extent() - 1), a.stride);
  };
  const auto end = [](const ConvAxis& a, std::int64_t i1) {
    return floor_div(i1 - 1 + a.pad_before, a.stride) + 1;
  };
  t.e0 = std::max(rd.e0, first(ax_h, t.h0));
  t.e1 = std::min(rd.e1, end(ax_h, t.h1));
  t.f0 = std::max(rd.f0, first(ax_w, t.w0));
  t.f1 = std::min(rd.f1, end(ax_w, t.w1));
  if (t.area() == 0 || t.e1 <= t.e0 || t.f1 <= t.f0) t.e1 = t.e0, t.f1 = t.f0;
  return t;
}

// The part (of `parts` equal splits of input [lo, hi)) owning output o: the one holding its
// window's centre tap, clamped into the region. An output whose window lies entirely in the
// padding has no contributions; its owner drains a zero psum.
std::int64_t owner_part(const ConvAxis& a, std::int64_t o, std::int64_t lo, std::int64_t hi,
                        std::int64_t parts) {
  if (hi <= lo) return 0;
  const std::int64_t c = std::clamp(a.input(o, (a.taps - 1) / 2), lo, hi - 1);
  for (std::int64_t p = 0; p < parts; ++p)
    if (c < lo + (hi - lo) * (p + 1) / parts) return p;
  return parts - 1;
}

// The contiguous range [o0, o1) of outputs in [first, first + owners.size()) owned by `part`
// (empty: o0 == o1 == 0).
std::pair<std::int64_t, std::int64_t> owned_range(const std::vector<std::int64_t>& owners,
                                                  std::int64_t first, std::int64_t part) {
  std::int64_t o0 = 0, o1 = 0;
  bool any = false;
  for (std::size_t i = 0; i < owners.size(); ++i)
    if (owners[i] == part) {
      if (!any) o0 = first + static_cast<std::int64_t>(i);
      o1 = first + static_cast<std::int64_t>(i) + 1;
      any = true;
    }
  return {o0, o1};
}

// Who owns each output of the round: a contiguous block per tile of channel slice 0.
void assign_owners(const Layer& l, const PtMapping& m, PtRound& rd) {
  for (std::int64_t e = rd.e0; e < rd.e1; ++e)
    rd.owner_iy.push_back(owner_part(l.rows(), e, rd.h0, rd.h1, m.py));
  for (std::int64_t f = rd.f0; f < rd.f1; ++f)
    rd.owner_ix.push_back(owner_part(l.cols(), f, rd.w0, rd.w1, m.px));
  for (PtTile& t : rd.tiles) {
    if (t.ic != 0) continue;
    std::tie(t.oe0, t.oe1) = owned_range(rd.owner_iy, rd.e0, t.iy);
    std::tie(t.of0, t.of1) = owned_range(rd.owner_ix, rd.f0, t.ix);
    if (t.oe1 == t.oe0 || t.of1 == t.of0) t.oe1 = t.oe0, t.of1 = t.of0;
  }
}

}  // namespace

std::vector<PtRound> pt_rounds(const Layer& l, const PtMapping& m, std::int64_t cols) {
  std::vector<PtRound> rounds;
  for (std::int64_t ry = 0; ry < m.rounds_y; ++ry)
    for (std::int64_t rx = 0; rx < m.rounds_x; ++rx) {
      PtRound rd = round_block(l, m, ry, rx);
      if (rd.e1 <= rd.e0 || rd.f1 <= rd.f0) continue;
      rd.pe_row_stride = m.pc == 1 ? cols : m.px;
      for (std::int64_t ic = 0; ic < m.pc; ++ic)
        for (std::int64_t iy = 0; iy < m.py; ++iy)
          for (std::int64_t ix = 0; ix < m.px; ++ix)
            rd.tiles.push_back(round_tile(l, m, cols, rd, ix, iy, ic));
      assign_owners(l, m, rd);
      rounds.push_back(std::move(rd));
    }
  return rounds;
}

std::int64_t pt_max_extent(const std::vector<PtRound>& rounds) {
  std::int64_t m = 0;
  for (const PtRound& r : rounds)
    for (const PtTile& t : r.tiles) m = std::max(m, t.extent());
  return m;
}

namespace {

// The hardware of each PE the actions run on: the two activation RAMs, the weight FIFO
// (entries of F weights with their 4-bit zero counts), the accumulator banks (an access spans
// one bank), the F x I multipliers and the adders: one per accumulator bank behind the scatter
// crossbar (sparse PE), an F x I adder tree (dense PE), and the sparse PE's scatter crossbar.
// The PPU and the networks are not sized (their keys' prices stay).
void add_pt_parts(EnergyTable& t, const ArchConfig& a) {
  const PlanarPeConfig& pe = pt_params(a).planar_pe;
  const ActivationRamConfig& ram = pt_params(a).activation_ram;
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  const std::int64_t pes = a.num_pes(), lanes = pe.multipliers_f * pe.multipliers_i;
  const std::int64_t fifo_entry_bits = pe.multipliers_f * (a.data.weight_bits + 4);
  t.add_part({"iaram", PartKind::Storage, pes, d(ram.iaram_bytes), d(ram.width_bits)});
  t.add_part({"oaram", PartKind::Storage, pes, d(ram.oaram_bytes), d(ram.width_bits)});
  t.add_part({"weight_fifo", PartKind::Storage, pes,
              d(pe.weight_fifo_entries * fifo_entry_bits) / 8, d(fifo_entry_bits)});
  t.add_part({"accumulators", PartKind::Storage,
              pes * pe.accumulator_banks * pe.accumulator_buffers,
              d(pe.accumulator_bank_entries * a.data.psum_bits) / 8, d(a.data.psum_bits)});
  t.add_part({"multipliers", PartKind::Multiplier, pes * lanes, 0, d(a.data.weight_bits)});
  const std::int64_t adders = pe.sparse() ? pe.accumulator_banks : lanes;
  t.add_part({"adders", PartKind::Adder, pes * adders, 0, d(a.data.psum_bits)});
  if (!pe.sparse()) return;
  // The scatter crossbar: F x I products to the accumulator banks, each with its entry index.
  const double entry_bits = std::ceil(std::log2(d(pe.accumulator_bank_entries)));
  HardwarePart crossbar{"crossbar", PartKind::Crossbar, pes, 0, d(a.data.psum_bits) + entry_bits};
  crossbar.inputs = lanes;
  crossbar.outputs = pe.accumulator_banks;
  t.add_part(crossbar);
}

}  // namespace

EnergyTable pt_energy_table(const ArchConfig& a) {
  const PlanarPeConfig& pe = pt_params(a).planar_pe;
  EnergyTable t;
  add_pt_parts(t, a);
  add_dram_bits(t, a);
  for (const char* ram : {"iaram", "oaram"}) {
    const std::string r = ram;
    t.add(r + ".read", "bit", EnergyLevel::Glb, "activation_ram.read_energy_pj_per_bit",
          pt_params(a).activation_ram.read_energy_pj_per_bit, r);
    t.add(r + ".write", "bit", EnergyLevel::Glb, "activation_ram.write_energy_pj_per_bit",
          pt_params(a).activation_ram.write_energy_pj_per_bit, r);
  }
  t.add("weight_bus.bit", "bit", EnergyLevel::Noc, "noc.weight_bus_pj_per_bit",
        pt_params(a).planar_noc.weight_bus_pj_per_bit);  // per bit delivered to one PE
  t.add("halo.bit", "bit-hop", EnergyLevel::Noc, "noc.halo_pj_per_bit",
        pt_params(a).planar_noc.halo_pj_per_bit);
  t.add("crossbar.product", "product", EnergyLevel::Noc, "pe.crossbar_pj_per_product",
        pe.crossbar_pj_per_product, pe.sparse() ? "crossbar" : "");
  t.add("weight_fifo.bit", "bit", EnergyLevel::Rf, "pe.weight_fifo_pj_per_bit",
        pe.weight_fifo_pj_per_bit, "weight_fifo");
  t.add("accumulator.access", "access", EnergyLevel::Rf, "pe.accumulator_access_pj",
        pe.accumulator_access_pj, "accumulators");
  t.add("ppu.value", "value", EnergyLevel::Rf, "pe.ppu_pj_per_value", pe.ppu_pj_per_value);
  t.add("pe.multiply", "product", EnergyLevel::Mac, "pe.multiply_pj", pe.multiply_pj,
        "multipliers");
  t.add("pe.add", "product", EnergyLevel::Mac, "pe.add_pj", pe.add_pj, "adders");
  add_idle(t, a);
  return priced_by_energy_model(std::move(t), a);
}

PtEstimate estimate_pt(const ArchConfig& a, const EnergyTable& table, const Layer& l,
                       const PtMapping& m) {
  return estimate_pt(a, table, l, m, pt_rounds(l, m, a.pe_cols));
}

namespace {

// Why a mapping cannot run at all (its tiles' outputs overflow the accumulators), or "".
std::string pt_infeasibility(const ArchConfig& a, const Layer& l, const PtMapping& m,
                             std::int64_t max_ext) {
  const std::int64_t acc =
      pt_params(a).planar_pe.accumulator_banks * pt_params(a).planar_pe.accumulator_bank_entries;
  // max_ext == 0: every output's window lies in the padding; the PEs only drain zeros.
  if (max_ext > acc)
    return "a tile's " + std::to_string(max_ext) + " outputs exceed the accumulators (" +
           std::to_string(acc) + ")";
  if (m.kc > l.M_per_group())
    return "kc = " + std::to_string(m.kc) + " exceeds the layer's " +
           std::to_string(l.M_per_group()) + " output channels per group";
  if (m.kc < 1 || m.kc * std::max<std::int64_t>(1, max_ext) > acc)
    return "kc = " + std::to_string(m.kc) + " does not fit the accumulators";
  return "";
}

// The probability that tile t's input (all of its channels) overflows its IARAM; the array
// then reads it from DRAM for every group (PlanarTiledArray). The stream holds n values, each
// non-zero with probability d (the declared input density): its size is about normal, with
// mean n * bits_per_value(d) and standard deviation bits_per_value'(d) * sqrt(n d (1 - d))
// (each non-zero adds the slope's bits). A tile whose expected size is at the capacity spills
// about half the time, as real tiles of that size do.
double input_spill_probability(const ArchConfig& a, const PtTile& t, double density, double in_bits,
                               double in_bits_slope) {
  const double n = static_cast<double>(t.area() * (t.c1 - t.c0));
  const double capacity_bits = static_cast<double>(pt_params(a).activation_ram.iaram_bytes) * 8;
  const double mean = n * in_bits;
  const double sd = std::abs(in_bits_slope) * std::sqrt(n * density * (1 - density));
  if (sd <= 0) return mean > capacity_bits ? 1.0 : 0.0;
  return 0.5 * std::erfc((capacity_bits - mean) / (sd * std::sqrt(2.0)));
}

// Expected bits per value of each stream, in the encoding it is stored in (a row of an
// activation stream is a tile's plane, of a weight stream a filter's taps).
struct StreamBits {
  double in = 0, in_slope = 0, in_dram = 0, out = 0, out_dram = 0, weight_dram = 0, weight_bus = 0;
  StreamBits(const ArchConfig& a, const Layer& l, const PtMapping& m) {
    const std::int64_t plane =
        std::max<std::int64_t>(1, l.H * l.W / std::max<std::int64_t>(1, m.px * m.py));
    const int ib = static_cast<int>(a.data.ifmap_bits), wb = static_cast<int>(a.data.weight_bits);
    // Without a declared density: half of a ReLU's outputs are zero, none of a linear layer's.
    const double out_density = l.output_density >= 0 ? l.output_density : l.relu ? 0.5 : 1.0;
    const PlanarEncodings& enc = pt_params(a).encodings;
    in = expected_bits_per_value(enc.onchip, l.input_density, ib, plane);
    // d in / d density, by a central difference inside [0, 1].
    const double lo = std::max(0.0, l.input_density - 0.01),
                 hi = std::min(1.0, l.input_density + 0.01);
    in_slope = (expected_bits_per_value(enc.onchip, hi, ib, plane) -
                expected_bits_per_value(enc.onchip, lo, ib, plane)) /
               (hi - lo);
    in_dram = expected_bits_per_value(a.dram_ifmap_encoding, l.input_density, ib, plane);
    out = expected_bits_per_value(enc.onchip, out_density, ib, plane);
    out_dram = expected_bits_per_value(a.dram_ofmap_encoding, out_density, ib, plane);
    weight_dram = expected_bits_per_value(enc.dram_weight, l.weight_density, wb, l.R * l.S);
    weight_bus = expected_bits_per_value(enc.onchip, l.weight_density, wb, l.R * l.S);
  }
};

// The controller's group pipeline (PlanarTiledArray), replayed on a timeline in core cycles:
// a group starts after the previous barrier once an accumulator buffer is free; its weights
// are fetched when the previous group starts and its products run once they have arrived;
// post-processing (halos, PPU) frees the buffer. The DRAM link serves requests one at a time
// in the order the controller issues them (weights, spilled inputs, spilled outputs).
class PtPipeline {
 public:
  PtPipeline(const ArchConfig& a, const Layer& l, const PtMapping& m, std::size_t rounds)
      : a_(a),
        l_(l),
        m_(m),
        pe_(pt_params(a).planar_pe),
        bits_(a, l, m),
        several_rounds_(rounds > 1),
        acc_free_(static_cast<std::size_t>(
                      std::max<std::int64_t>(1, pt_params(a).planar_pe.accumulator_buffers)),
                  0) {
    const double bytes_per_ns =
        std::min(a.dram.bus_width_bits / 8.0 * a.clocks.link_mhz / 1000.0,
                 a.dram.bandwidth_gbytes_per_s > 0 ? a.dram.bandwidth_gbytes_per_s : 1e30);
    bytes_per_cycle_ = bytes_per_ns * 1000.0 / a.clocks.core_mhz;
    to_core_ = a.clocks.core_mhz / 1000.0 / bytes_per_ns;
    latency_ = dram_round_trip_core_cycles(a);
  }

  void run_round(const PtRound& r, PtEstimate& est);
  double cycles() const { return std::max(end_, barrier_); }
  double products() const { return products_; }
  double accumulator_accesses() const { return accumulator_accesses_; }
  double weight_fifo_read_bits() const { return weight_fifo_bits_; }
  double dram_bits() const { return dram_bits_; }
  const StreamBits& bits() const { return bits_; }

 private:
  // A round's per-tile constants.
  struct RoundTiles {
    std::vector<std::int64_t> taps;
    std::vector<double> conflicts;      // per tile, for a full group of kc
    std::vector<double> input_spill_p;  // the probability that the tile's input spills
    std::vector<double> oaram_used;
    double ppu_per_k = 0, halo_per_k = 0;
  };
  RoundTiles round_tiles(const PtRound& r) const;
  // The slowest PE's cycles for group (g, kc); adds the spills and the products.
  double group_compute(const PtRound& r, RoundTiles& rt, std::int64_t g, std::int64_t kc,
                       double& spill_in, double& spill_out);
  // One PE's cycles for its cpe channels of a group of kc: mean and spread.
  PeCycles tile_compute(const PtTile& t, const RoundTiles& rt, std::size_t i, std::int64_t cpe,
                        std::int64_t kc);
  void run_group(std::int64_t kc, double compute, double spill_in, double spill_out,
                 double round_start, const RoundTiles& rt, double& ppu_end);

  const ArchConfig& a_;
  const Layer& l_;
  const PtMapping& m_;
  const PlanarPeConfig& pe_;
  const StreamBits bits_;
  const bool several_rounds_;
  double bytes_per_cycle_ = 0, to_core_ = 0, latency_ = 0;  // to_core_: core cycles per byte
  std::vector<double> acc_free_;
  std::map<std::map<PeCycles, int>, double> slowest_;  // group_compute's expected_slowest
  double barrier_ = 0, end_ = 0, prev_start_ = 0, link_free_ = 0;
  double products_ = 0, accumulator_accesses_ = 0, weight_fifo_bits_ = 0, dram_bits_ = 0,
         round_spill_bytes_ = 0, spill_reads_ = 0;
  std::size_t gi_ = 0;
};

PtPipeline::RoundTiles PtPipeline::round_tiles(const PtRound& r) const {
  RoundTiles rt;
  const std::size_t n = r.tiles.size();
  rt.taps.resize(n);
  rt.conflicts.assign(n, 1.0);
  rt.input_spill_p.assign(n, 0.0);
  rt.oaram_used.assign(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    const PtTile& t = r.tiles[i];
    rt.taps[i] = t.valid_taps(l_);
    if (pe_.sparse()) rt.conflicts[i] = bank_load(l_, t, std::min(m_.kc, l_.M_per_group()), pe_);
    // A tile whose input overflows its IARAM is read from DRAM by every group.
    rt.input_spill_p[i] =
        input_spill_probability(a_, t, l_.input_density, bits_.in, bits_.in_slope);
  }
  // Post-processing per output channel: an owner's PPU handles its outputs plus every psum
  // other PEs send it (halos, other channel slices); a sender's halo link carries its
  // non-owned psums.
  std::vector<std::int64_t> ppu_in(static_cast<std::size_t>(a_.num_pes()), 0);
  std::int64_t max_sent = 0;
  for (const PtTile& t : r.tiles) {
    std::int64_t sent = 0;
    for (std::int64_t e = t.e0; e < t.e1; ++e)
      for (std::int64_t f = t.f0; f < t.f1; ++f) {
        const std::int64_t o = r.owner_pe(e, f);
        ++ppu_in[static_cast<std::size_t>(o)];
        sent += o != t.pe;
      }
    max_sent = std::max(max_sent, sent);
  }
  rt.ppu_per_k = static_cast<double>(*std::max_element(ppu_in.begin(), ppu_in.end())) /
                 static_cast<double>(pe_.ppu_values_per_cycle);
  rt.halo_per_k = static_cast<double>(max_sent * a_.data.psum_bits) /
                  static_cast<double>(pt_params(a_).planar_noc.halo_link_bits);
  return rt;
}

double PtPipeline::group_compute(const PtRound& r, RoundTiles& rt, std::int64_t g, std::int64_t kc,
                                 double& spill_in, double& spill_out) {
  const std::int64_t Cg = l_.C_per_group();
  std::map<PeCycles, int> pes;
  for (std::size_t i = 0; i < r.tiles.size(); ++i) {
    const PtTile& t = r.tiles[i];
    // An owner's group outputs that no longer fit its OARAM go to DRAM.
    const double out_bytes = static_cast<double>(t.owned() * kc) * bits_.out / 8;
    if (rt.oaram_used[i] + out_bytes <=
        static_cast<double>(pt_params(a_).activation_ram.oaram_bytes))
      rt.oaram_used[i] += out_bytes;
    else
      spill_out += out_bytes;
    const std::int64_t cpe =
        std::max<std::int64_t>(0, std::min(t.c1, (g + 1) * Cg) - std::max(t.c0, g * Cg));
    if (cpe == 0 || t.extent() == 0) continue;
    spill_in += rt.input_spill_p[i] * static_cast<double>(t.area() * cpe) * bits_.in / 8;
    ++pes[tile_compute(t, rt, i, cpe, kc)];
  }
  // The groups of a round repeat one distribution (all but the last of kc, and the conv
  // groups), so each is integrated once.
  const auto [it, added] = slowest_.try_emplace(std::move(pes), 0.0);
  if (added) it->second = expected_slowest(it->first);
  return it->second;
}

PeCycles PtPipeline::tile_compute(const PtTile& t, const RoundTiles& rt, std::size_t i,
                                  std::int64_t cpe, std::int64_t kc) {
  const std::int64_t phases = l_.stride_h * l_.stride_w, Fm = pe_.multipliers_f,
                     Im = pe_.multipliers_i;
  const double dw = l_.weight_density, da = l_.input_density;
  PeCycles c;
  if (pe_.sparse()) {
    // Per channel and stride phase: activation vectors x weight vectors steps. The weights are
    // the same on every PE; the activations' non-zeros, and so the cycles, differ per PE.
    const double na = static_cast<double>(t.area()) / static_cast<double>(phases);
    const double nw = static_cast<double>(kc * l_.R * l_.S) / static_cast<double>(phases);
    const VectorMoments va = vector_moments(na, da, Im);
    const double vw = vector_moments(nw, dw, Fm).mean, runs = static_cast<double>(cpe * phases);
    c.mean = runs * va.mean * vw * rt.conflicts[i];
    c.sd = std::sqrt(runs * va.var) * vw * rt.conflicts[i];
    const double products = static_cast<double>(rt.taps[i] * kc * cpe) * da * dw;
    products_ += products;
    accumulator_accesses_ += 2 * products;  // read-modify-write per product
    // Each activation vector replays the phase's non-zero weights (with their 4-bit run).
    weight_fifo_bits_ += runs * va.mean * nw * dw * static_cast<double>(a_.data.weight_bits + 4);
  } else {
    const std::int64_t blocks = (cpe + Im - 1) / Im, rows = (kc + Fm - 1) / Fm;
    c.mean = static_cast<double>(rt.taps[i] * rows * blocks);
    // Zero gating skips the products with a zero operand; the adder trees update F
    // accumulators per cycle (a read and a write each), PlanarPe::compute.
    products_ += static_cast<double>(rt.taps[i] * kc * cpe) * (pe_.zero_gating ? da * dw : 1.0);
    accumulator_accesses_ += 2 * c.mean * static_cast<double>(Fm);
    // Each cycle reads F weights of every channel of its block of I.
    weight_fifo_bits_ += static_cast<double>(rt.taps[i] * rows * Fm * cpe * a_.data.weight_bits);
  }
  // The PE computes on its IARAM stream as it arrives, one word per cycle, channel after
  // channel (PlanarPe::channel_ready): its first channel (the dense PE: its first block of I)
  // must arrive before any product, and a long stream bounds the group plus the last channel's
  // (block's) share of the products, whose spread is all that is left of the PE's.
  if (rt.input_spill_p[i] < 0.5) {
    const double stream = std::ceil(static_cast<double>(t.area() * cpe) * bits_.in /
                                    static_cast<double>(pt_params(a_).activation_ram.width_bits));
    const std::int64_t first = pe_.sparse() ? 1 : std::min(Im, cpe);
    const double blocks =
        pe_.sparse() ? static_cast<double>(cpe) : static_cast<double>((cpe + Im - 1) / Im);
    const double head = stream * static_cast<double>(first) / static_cast<double>(cpe);
    const double tail = stream + c.mean / blocks;
    if (tail > head + c.mean) c.sd /= std::sqrt(blocks);
    c.mean = std::max(head + c.mean, tail);
  }
  return c;
}

void PtPipeline::run_group(std::int64_t kc, double compute, double spill_in, double spill_out,
                           double round_start, const RoundTiles& rt, double& ppu_end) {
  // The weight bus delivers the group's blocks of every channel at its width; the weights
  // stream from DRAM in requests of max_request_bytes: the first request's arrival starts the
  // group's products and the last one bounds its end.
  const double group_weights = static_cast<double>(kc * l_.R * l_.S * l_.C_per_group());
  const double bus = group_weights * bits_.weight_bus /
                     static_cast<double>(pt_params(a_).planar_noc.weight_bus_bits);
  const double group_bytes = group_weights * bits_.weight_dram / 8;
  const double w0 = std::max(prev_start_, link_free_);
  const double first =
      w0 + latency_ +
      std::min(group_bytes, static_cast<double>(a_.dram.max_request_bytes)) / bytes_per_cycle_;
  link_free_ = w0 + group_bytes / bytes_per_cycle_;
  const double last = link_free_ + latency_;
  double& acc_free = acc_free_[gi_ % acc_free_.size()];
  const double start = std::max({barrier_, round_start, acc_free});
  double inputs = start;  // spilled inputs are requested at the group's start
  if (spill_in > 0) {
    link_free_ = std::max(start, link_free_) + spill_in / bytes_per_cycle_;
    inputs = link_free_ + latency_;
  }
  barrier_ = std::max(std::max({start, first, inputs}) + std::max(compute, bus), last);
  double post_end = barrier_ + static_cast<double>(kc) * (rt.halo_per_k + rt.ppu_per_k);
  if (spill_out > 0) {
    link_free_ = std::max(barrier_, link_free_) + spill_out / bytes_per_cycle_;
    post_end = std::max(post_end, link_free_ + latency_);
  }
  round_spill_bytes_ += spill_in + spill_out;
  spill_reads_ += spill_in;
  acc_free = post_end;
  ppu_end = std::max(ppu_end, post_end);
  prev_start_ = start;
  ++gi_;
}

void PtPipeline::run_round(const PtRound& r, PtEstimate& est) {
  // With several rounds, each round's input comes from DRAM before it starts and its outputs
  // go back after it.
  const double in_bits_round =
      several_rounds_ ? static_cast<double>((r.h1 - r.h0) * (r.w1 - r.w0) * l_.C) * bits_.in_dram
                      : 0;
  const double out_bits_round =
      several_rounds_ ? static_cast<double>((r.e1 - r.e0) * (r.f1 - r.f0) * l_.M) * bits_.out_dram
                      : 0;
  dram_bits_ += in_bits_round + out_bits_round;
  const double round_start = std::max({barrier_, end_, link_free_}) + in_bits_round / 8 * to_core_;
  link_free_ = round_start;
  double ppu_end = round_start;
  RoundTiles rt = round_tiles(r);
  round_spill_bytes_ = 0;
  spill_reads_ = 0;
  const std::int64_t Mg = l_.M_per_group();
  for (std::int64_t g = 0; g < l_.groups; ++g)
    for (std::int64_t k0 = 0; k0 < Mg; k0 += m_.kc) {
      const std::int64_t kc = std::min(m_.kc, Mg - k0);
      double spill_in = 0, spill_out = 0;
      const double compute = group_compute(r, rt, g, kc, spill_in, spill_out);
      run_group(kc, compute, spill_in, spill_out, round_start, rt, ppu_end);
    }
  const double wbits = static_cast<double>(l_.weights()) * bits_.weight_dram;
  dram_bits_ += wbits + round_spill_bytes_ * 8;
  // The tiles the array loads: those whose inputs reach an output.
  double region_values = 0;
  for (const PtTile& t : r.tiles)
    if (!t.empty() && t.extent() > 0)
      region_values += static_cast<double>(t.area() * (t.c1 - t.c0));
  const double region_in_bits = region_values * bits_.in_dram;
  if (!several_rounds_) {
    const double n = static_cast<double>(l_.N);
    est.input_load_cycles =
        static_cast<std::int64_t>(std::ceil(latency_ + region_in_bits / 8 * to_core_) * n);
    est.output_store_cycles =
        static_cast<std::int64_t>(std::ceil(latency_ + static_cast<double>(l_.E() * l_.F() * l_.M) *
                                                           bits_.out_dram / 8 * to_core_) *
                                  n);
  }
  est.traffic.dram_read[0] += wbits / 8;
  est.traffic.dram_read[1] += region_in_bits / 8 + spill_reads_;
  est.traffic.glb_read[1] +=
      region_values * bits_.in / 8 * static_cast<double>((Mg + m_.kc - 1) / m_.kc);
  end_ = std::max({end_, ppu_end, link_free_}) + out_bits_round / 8 * to_core_;
  link_free_ = end_;
}

}  // namespace

PtEstimate estimate_pt(const ArchConfig& a, const EnergyTable& table, const Layer& l,
                       const PtMapping& m, const std::vector<PtRound>& rounds) {
  PtEstimate est;
  est.why_infeasible = pt_infeasibility(a, l, m, pt_max_extent(rounds));
  if (!est.why_infeasible.empty()) return est;
  PtPipeline pipeline(a, l, m, rounds.size());
  const StreamBits& bits = pipeline.bits();
  for (const PtRound& r : rounds)
    for (const PtTile& t : r.tiles) {
      if (est.spills.empty() &&
          input_spill_probability(a, t, l.input_density, bits.in, bits.in_slope) >= 0.5)
        est.spills = "an input tile does not fit the IARAM";
      if (est.spills.empty() && static_cast<double>(t.owned() * l.M) * bits.out / 8 >
                                    static_cast<double>(pt_params(a).activation_ram.oaram_bytes))
        est.spills = "an output tile does not fit the OARAM";
    }
  for (const PtRound& r : rounds) pipeline.run_round(r, est);
  est.feasible = true;
  est.cycles = static_cast<std::int64_t>(std::ceil(pipeline.cycles())) * l.N;
  for (const PtRound& r : rounds) {
    std::int64_t busy = 0;
    for (const PtTile& t : r.tiles) busy += !t.empty() && t.extent() > 0;
    est.pes = std::max(est.pes, busy);
  }
  est.groups =
      static_cast<std::int64_t>(rounds.size()) * l.groups * ((l.M_per_group() + m.kc - 1) / m.kc);
  est.dram_bytes = static_cast<std::int64_t>(std::ceil(pipeline.dram_bits() / 8)) * l.N;
  for (auto* level : {&est.traffic.dram_read, &est.traffic.glb_read})
    for (double& v : *level) v *= static_cast<double>(l.N);
  // The estimate counts the products (each multiplied, added and routed through the crossbar of
  // a sparse PE), the accumulator reads and writes and weight FIFO reads of the computation and
  // the DRAM bits; the activation RAMs, the weight bus and FIFO writes, the halos and the
  // post-processing are left out.
  ActionCounts actions(table);
  const double n = static_cast<double>(l.N), products = n * pipeline.products();
  actions.add(pt_action::dram_bit, n * pipeline.dram_bits());
  if (pt_params(a).planar_pe.sparse()) actions.add(pt_action::crossbar_product, products);
  actions.add(pt_action::accumulator_access, n * pipeline.accumulator_accesses());
  actions.add(pt_action::weight_fifo_bit, n * pipeline.weight_fifo_read_bits());
  actions.add(pt_action::multiply, products);
  actions.add(pt_action::add, products);
  add_dram_device_estimate(actions, table, a);
  est.energy_pj = sum_pj(table, actions);
  return est;
}

Layer PlanarTiledMapper::estimate_view(const Layer& layer) {
  Layer v = shape_of(flatten_fc(layer));
  v.input_density = layer.input_density;
  v.weight_density = layer.weight_density;
  // A declared output density is measured on a real network. Generated weights (uniform or
  // power-of-two quantized) are symmetric about zero (workload/tensor.cpp), so after a ReLU
  // about half of the simulated outputs are non-zero: the estimate sizes their streams at no
  // more than that. A codebook's few values need not be symmetric.
  v.output_density = layer.output_density;
  if (layer.relu && layer.weights_file.empty() && layer.quantization != Quantization::Codebook &&
      v.output_density > 0.5)
    v.output_density = 0.5;
  v.relu = layer.relu;
  return v;
}

PtMapResult PlanarTiledMapper::map(const Layer& layer) const { return best(layer, 1).front(); }

namespace {

// One enumeration of the planar tilings of a layer, each estimated and offered.
struct PtSearch {
  const ArchConfig& arch;
  const EnergyTable& table;
  Objective objective;
  const Layer& l;
  BestCandidates<PtMapResult> candidates;
  std::int64_t evaluated = 0;
  std::string last_why;

  PtSearch(const ArchConfig& a, const EnergyTable& t, Objective o, const Layer& layer,
           std::size_t k_best)
      : arch(a), table(t), objective(o), l(layer), candidates(k_best) {}

  // The PE grid px x py x pc worth trying: SCNN's dataflow tiles the plane only; input
  // channels are split across PEs (pc > 1) only when the plane cannot occupy half the array
  // (FC layers, tiny planes); at least half the array, unless the plane is too small for that.
  bool worth_trying(std::int64_t px, std::int64_t py, std::int64_t pc) const {
    const std::int64_t P = arch.num_pes();
    const std::int64_t max_px = std::min(arch.pe_cols, l.W), max_py = std::min(arch.pe_rows, l.H);
    if (px * py * pc > P) return false;
    if (pc > 1 && 2 * max_px * max_py >= P) return false;
    return 2 * px * py * pc >= P || (px == max_px && py == max_py);
  }

  // Rounds grow (k = 1, 2, ...) until nothing spills; spilling tilings compete by their
  // estimate, which prices the RAM spills.
  void offer_rounds(std::int64_t px, std::int64_t py, std::int64_t pc) {
    const PlanarPeConfig& pe = pt_params(arch).planar_pe;
    const std::int64_t acc = pe.accumulator_banks * pe.accumulator_bank_entries;
    for (std::int64_t k = 1; k <= 64; ++k) {
      PtMapping m;
      m.px = px;
      m.py = py;
      m.pc = pc;
      m.rounds_y = (k + 1) / 2;
      m.rounds_x = k / 2 + 1;
      if (m.rounds_y > l.E() || m.rounds_x > l.F()) break;
      const std::vector<PtRound> rounds = pt_rounds(l, m, arch.pe_cols);
      const std::int64_t ext = pt_max_extent(rounds);
      if (ext > acc) continue;
      // The tiles do not depend on kc. ext == 0: no input reaches an output.
      m.kc = std::min(l.M_per_group(), acc / std::max<std::int64_t>(1, ext));
      const PtEstimate e = estimate_pt(arch, table, l, m, rounds);
      ++evaluated;
      if (!e.feasible) {
        last_why = e.why_infeasible;
        continue;
      }
      candidates.offer(score_of(objective, arch, table, e.cycles, e.energy_pj),
                       PtMapResult{m, e, 0});
      if (e.spills.empty()) break;
    }
  }

  void run() {
    const std::int64_t max_px = std::min(arch.pe_cols, l.W), max_py = std::min(arch.pe_rows, l.H);
    for (std::int64_t pc = 1; pc <= std::min(arch.num_pes(), l.C); pc *= 2)
      for (std::int64_t py = 1; py <= max_py; ++py)
        for (std::int64_t px = 1; px <= max_px; ++px)
          if (worth_trying(px, py, pc)) offer_rounds(px, py, pc);
  }
};

}  // namespace

std::vector<PtMapResult> PlanarTiledMapper::best(const Layer& layer, std::size_t k_best) const {
  const Layer l = flatten_fc(layer);
  PtSearch search(arch_, energy_table_, objective_, l, k_best);
  search.run();
  if (search.candidates.empty())
    throw ConfigError("layer '" + l.name + "': no planar tiling fits the accumulators" +
                      (search.last_why.empty() ? "" : " (" + search.last_why + ")"));
  std::vector<PtMapResult> ranked = search.candidates.ranked();
  for (PtMapResult& r : ranked) r.candidates_evaluated = search.evaluated;
  return ranked;
}

PtMapResult PlanarTiledMapper::evaluate_pinned(const Layer& layer, PtMapping m,
                                               const std::string& where) const {
  const Layer l = flatten_fc(layer);
  m.pinned = true;
  PtMapResult r;
  r.mapping = m;
  r.candidates_evaluated = 1;
  if (m.pes_used() > arch_.num_pes())
    throw ConfigError(where + ": mapping for layer '" + l.name + "' uses " +
                      std::to_string(m.pes_used()) + " PEs, the array has " +
                      std::to_string(arch_.num_pes()));
  if (m.px > arch_.pe_cols || m.py > arch_.pe_rows)
    throw ConfigError(where + ": mapping for layer '" + l.name + "': a " + std::to_string(m.px) +
                      " x " + std::to_string(m.py) + " grid of tiles does not fit the " +
                      std::to_string(arch_.pe_cols) + " x " + std::to_string(arch_.pe_rows) +
                      " PE array (px <= cols, py <= rows)");
  if (m.px > l.W || m.py > l.H || m.pc > l.C || m.rounds_x > l.F() || m.rounds_y > l.E())
    throw ConfigError(where + ": mapping for layer '" + l.name +
                      "' splits the plane or the channels finer than the layer (W " +
                      std::to_string(l.W) + ", H " + std::to_string(l.H) + ", C " +
                      std::to_string(l.C) + ", F " + std::to_string(l.F()) + ", E " +
                      std::to_string(l.E()) + ")");
  r.estimate = estimate_pt(arch_, energy_table_, l, m);
  if (!r.estimate.feasible)
    throw ConfigError(where + ": mapping for layer '" + l.name +
                      "' does not fit: " + r.estimate.why_infeasible);
  return r;
}

PtMapping parse_pt_mapping(const ConfigNode& n) {
  n.expect_keys({"px", "py", "pc", "rounds_x", "rounds_y", "kc"});
  PtMapping m;
  m.px = n.get_int_min("px", 1);
  m.py = n.get_int_min("py", 1);
  m.pc = n.get_int_min("pc", 1);
  m.rounds_x = n.get_int_min("rounds_x", 1);
  m.rounds_y = n.get_int_min("rounds_y", 1);
  m.kc = n.get_int_min("kc", 1);
  return m;
}

std::string to_yaml(const PtMapping& m) {
  std::ostringstream os;
  os << "{px: " << m.px << ", py: " << m.py << ", pc: " << m.pc << ", rounds_x: " << m.rounds_x
     << ", rounds_y: " << m.rounds_y << ", kc: " << m.kc << "}";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const PtMapping& m) {
  return os << "planar " << m.px << "x" << m.py << " PEs x " << m.pc << " channel slices, rounds "
            << m.rounds_x << "x" << m.rounds_y << ", kc " << m.kc << (m.pinned ? " [pinned]" : "");
}

}  // namespace dfsim
