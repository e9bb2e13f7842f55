#include "components/memory/jedec/dram_channel.hpp"

#include <algorithm>
#include <iomanip>
#include <limits>
#include <ostream>

namespace dfsim::jedec {

namespace {

// A time long before any command: constraints from "the last X" hold trivially at the start.
constexpr std::int64_t kLongAgo = std::numeric_limits<std::int64_t>::min() / 4;

using Interval = std::pair<std::int64_t, std::int64_t>;

// Sorted, merged copy of `v`.
std::vector<Interval> merged(std::vector<Interval> v) {
  std::sort(v.begin(), v.end());
  std::vector<Interval> out;
  for (const Interval& iv : v) {
    if (iv.second <= iv.first) continue;
    if (!out.empty() && iv.first <= out.back().second)
      out.back().second = std::max(out.back().second, iv.second);
    else
      out.push_back(iv);
  }
  return out;
}

// Power-down cycles of an idle gap: what exceeds the entry threshold (0: never).
std::int64_t powerdown_of(std::int64_t gap, std::int64_t pd_after) {
  return pd_after > 0 && gap > pd_after ? gap - pd_after : 0;
}

}  // namespace

void RankActivity::open(std::int64_t bank, std::int64_t at) {
  open_since_[static_cast<std::size_t>(bank)] = at;
  latest_start_ = std::max(latest_start_, at);
}

void RankActivity::close(std::int64_t bank, std::int64_t at) {
  std::int64_t& since = open_since_[static_cast<std::size_t>(bank)];
  closed_.emplace_back(since, at);
  latest_end_ = std::max(latest_end_, at);
  since = -1;
}

void RankActivity::add(std::int64_t start, std::int64_t end) {
  closed_.emplace_back(start, end);
  latest_start_ = std::max(latest_start_, start);
  latest_end_ = std::max(latest_end_, end);
}

std::int64_t RankActivity::idle_since() const {
  for (std::int64_t s : open_since_)
    if (s >= 0) return -1;
  return latest_end_;
}

void RankActivity::measure(std::int64_t now, std::int64_t pd_after, std::int64_t& active,
                           std::int64_t& powerdown) {
  // Before `frontier` no interval can still start or end: fold that part into the totals.
  std::int64_t frontier = std::min(latest_start_, now);
  for (std::int64_t s : open_since_)
    if (s >= 0) frontier = std::min(frontier, s);
  std::vector<Interval> rest;
  std::int64_t prev_end = folded_gap_end_;
  for (const Interval& iv : merged(closed_)) {
    const std::int64_t s = std::max(iv.first, folded_until_);
    if (s >= frontier || iv.second <= s) {
      if (iv.second > s) rest.emplace_back(s, iv.second);
      continue;
    }
    const std::int64_t e = std::min(iv.second, frontier);
    folded_active_ += e - s;
    folded_powerdown_ += powerdown_of(s - prev_end, pd_after);
    prev_end = e;
    if (iv.second > frontier) rest.emplace_back(frontier, iv.second);
  }
  closed_ = std::move(rest);
  folded_until_ = std::max(folded_until_, frontier);
  folded_gap_end_ = prev_end;
  // The unfolded part, up to `now`.
  std::vector<Interval> live = closed_;
  for (std::int64_t s : open_since_)
    if (s >= 0) live.emplace_back(s, now);
  active = folded_active_;
  powerdown = folded_powerdown_;
  for (const Interval& iv : merged(std::move(live))) {
    if (iv.first >= now) break;
    active += std::min(iv.second, now) - iv.first;
    powerdown += powerdown_of(iv.first - prev_end, pd_after);
    prev_end = std::min(iv.second, now);
  }
  powerdown += powerdown_of(now - prev_end, pd_after);
}

DramChannel::DramChannel(const DramSpec& spec)
    : spec_(spec), org_(spec.device.org), t_(spec.device.timing) {
  for (std::int64_t r = 0; r < org_.ranks; ++r) {
    Rank rk(org_.banks(), org_.bank_groups);
    rk.next_refresh = t_.tREFI;
    ranks_.push_back(std::move(rk));
  }
  last_col_bg_.assign(static_cast<std::size_t>(org_.ranks * org_.bank_groups), kLongAgo);
  last_write_end_bg_ = last_col_bg_;
  last_col_ = last_read_ = last_write_end_ = last_data_end_ = kLongAgo;
}

DramChannel::Rank::Rank(std::int64_t banks_per_rank, std::int64_t bank_groups)
    : banks(static_cast<std::size_t>(banks_per_rank)),
      last_act_bg(static_cast<std::size_t>(bank_groups), kLongAgo),
      recent_acts{kLongAgo, kLongAgo, kLongAgo, kLongAgo},
      last_act(kLongAgo),
      activity(banks_per_rank) {}

std::vector<DramChannel::RowQueue> DramChannel::queue_by_row(
    const std::vector<DramBurst>& bursts) const {
  std::vector<RowQueue> queues;
  std::size_t last = 0;  // bursts to one row are mostly adjacent: try the last queue first
  for (std::size_t i = 0; i < bursts.size(); ++i) {
    const DramCoordinates& at = bursts[i].at;
    const std::int64_t bank = at.bank_in_rank(org_);
    auto same = [&](const RowQueue& q) {
      return q.rank == at.rank && q.bank == bank && q.row == at.row;
    };
    if (queues.empty() || !same(queues[last])) {
      last = static_cast<std::size_t>(std::find_if(queues.begin(), queues.end(), same) -
                                      queues.begin());
      if (last == queues.size()) queues.push_back({at.rank, bank, at.row, {}});
    }
    queues[last].bursts.push_back(i);
  }
  return queues;
}

// The earliest cycle burst `b`'s column command could issue from the current state (refresh
// aside): at once on a row hit, after PRE (on a conflict) and ACT otherwise.
std::int64_t DramChannel::first_column(const DramBurst& b) const {
  const Rank& rk = ranks_[static_cast<std::size_t>(b.at.rank)];
  const Bank& bk = rk.banks[static_cast<std::size_t>(b.at.bank_in_rank(org_))];
  if (bk.open_row == b.at.row) return column_cycle(b.at, b.write, std::max(b.ready, bk.next_col));
  const std::int64_t after_pre =
      bk.open_row >= 0 ? std::max(b.ready, bk.next_pre) + t_.tRP : b.ready;
  return column_cycle(b.at, b.write, act_cycle(rk, bk, b.at.bank_group, after_pre) + t_.tRCD);
}

// FR-FCFS: the queue whose oldest burst's column command can issue first; the oldest on a tie.
std::size_t DramChannel::pick(const std::vector<RowQueue>& queues,
                              const std::vector<DramBurst>& bursts) const {
  std::size_t best = queues.size();
  std::int64_t best_cycle = 0;
  for (std::size_t q = 0; q < queues.size(); ++q) {
    if (queues[q].empty()) continue;
    const std::size_t head = queues[q].bursts[queues[q].next];
    const std::int64_t cycle = first_column(bursts[head]);
    if (best == queues.size() || cycle < best_cycle ||
        (cycle == best_cycle && head < queues[best].bursts[queues[best].next])) {
      best = q;
      best_cycle = cycle;
    }
  }
  return best;
}

void DramChannel::serve(std::vector<DramBurst>& bursts) {
  std::vector<RowQueue> queues = queue_by_row(bursts);
  for (std::size_t k = 0; k < bursts.size(); ++k) {
    RowQueue& q = queues[pick(queues, bursts)];
    const std::size_t i = q.bursts[q.next++];
    serve_burst(bursts[i], q.empty());
  }
}

// A command at `start` to a rank in power-down (idle, every bank closed, for longer than the
// threshold: the gap RankActivity::measure charges at IDD2P) waits tXP.
std::int64_t DramChannel::wake(const Rank& rk, std::int64_t start) const {
  if (spec_.powerdown_idle_cycles == 0) return start;
  const std::int64_t idle = rk.activity.idle_since();
  return idle >= 0 && start - idle > spec_.powerdown_idle_cycles ? start + t_.tXP : start;
}

void DramChannel::serve_burst(DramBurst& b, bool last_of_row) {
  const DramCoordinates& at = b.at;
  Rank& rk = ranks_[static_cast<std::size_t>(at.rank)];
  const std::int64_t bank = at.bank_in_rank(org_);
  Bank& bk = rk.banks[static_cast<std::size_t>(bank)];
  refresh_before(rk, std::max(b.ready, last_col_ + 1));
  const std::int64_t start = wake(rk, b.ready);
  if (bk.open_row == at.row) {
    ++counters_.row_hits;
  } else {
    if (bk.open_row >= 0) {
      ++counters_.row_conflicts;
      precharge(rk, bank, start);
    } else {
      ++counters_.row_misses;
    }
    open_row(rk, bank, at, start);
  }
  const std::int64_t col = column_cycle(at, b.write, std::max(start, bk.next_col));
  issue_column(bk, at, b.write, col);
  b.data_end = col + (b.write ? t_.tCWL : t_.tCL) + org_.burst_length / 2;
  if (spec_.page_policy == PagePolicy::Closed && last_of_row) precharge(rk, bank, bk.next_pre);
}

void DramChannel::open_row(Rank& rk, std::int64_t bank, const DramCoordinates& at,
                           std::int64_t earliest) {
  Bank& bk = rk.banks[static_cast<std::size_t>(bank)];
  const auto bg = static_cast<std::size_t>(at.bank_group);
  const std::int64_t t = act_cycle(rk, bk, at.bank_group, earliest);
  rk.recent_acts[static_cast<std::size_t>(rk.acts % 4)] = t;
  ++rk.acts;
  rk.last_act = t;
  rk.last_act_bg[bg] = t;
  bk.open_row = at.row;
  bk.next_col = t + t_.tRCD;
  bk.next_pre = std::max(bk.next_pre, t + t_.tRAS);
  bk.next_act = t + t_.tRC;
  ++counters_.commands.act;
  rk.activity.open(bank, t);
  if (on_command) on_command({DramCommandKind::Act, t, at.rank, bank, at.bank_group, at.row});
}

std::int64_t DramChannel::act_cycle(const Rank& rk, const Bank& bk, std::int64_t bank_group,
                                    std::int64_t earliest) const {
  const std::int64_t t =
      std::max({earliest, bk.next_act, rk.last_act + t_.tRRD_S,
                rk.last_act_bg[static_cast<std::size_t>(bank_group)] + t_.tRRD_L});
  // tFAW: at most four ACTs in any window; the ring's next slot holds the fourth-last.
  return std::max(t, rk.recent_acts[static_cast<std::size_t>(rk.acts % 4)] + t_.tFAW);
}

std::int64_t DramChannel::column_cycle(const DramCoordinates& at, bool write,
                                       std::int64_t earliest) const {
  const auto g = static_cast<std::size_t>(at.rank * org_.bank_groups + at.bank_group);
  std::int64_t t = std::max({earliest, last_col_ + t_.tCCD_S, last_col_bg_[g] + t_.tCCD_L});
  // Another rank's data follows tRTRS after the last data on the bus.
  if (at.rank != last_col_rank_)
    t = std::max(t, last_data_end_ + t_.tRTRS - (write ? t_.tCWL : t_.tCL));
  if (write) return std::max(t, last_read_ + t_.tRTW);
  return std::max({t, last_write_end_ + t_.tWTR_S, last_write_end_bg_[g] + t_.tWTR_L});
}

void DramChannel::issue_column(Bank& bk, const DramCoordinates& at, bool write,
                               std::int64_t at_cycle) {
  const auto g = static_cast<std::size_t>(at.rank * org_.bank_groups + at.bank_group);
  last_col_ = at_cycle;
  last_col_bg_[g] = at_cycle;
  last_col_rank_ = at.rank;
  last_data_end_ = at_cycle + (write ? t_.tCWL : t_.tCL) + org_.burst_length / 2;
  if (on_command)
    on_command({write ? DramCommandKind::Wr : DramCommandKind::Rd, at_cycle, at.rank,
                at.bank_in_rank(org_), at.bank_group, at.row});
  if (write) {
    ++counters_.commands.wr;
    const std::int64_t end = at_cycle + t_.tCWL + org_.burst_length / 2;
    last_write_end_ = end;
    last_write_end_bg_[g] = end;
    bk.next_pre = std::max(bk.next_pre, end + t_.tWR);
  } else {
    ++counters_.commands.rd;
    last_read_ = at_cycle;
    bk.next_pre = std::max(bk.next_pre, at_cycle + t_.tRTP);
  }
}

void DramChannel::precharge(Rank& rk, std::int64_t bank, std::int64_t at_cycle) {
  Bank& bk = rk.banks[static_cast<std::size_t>(bank)];
  const std::int64_t t = std::max(at_cycle, bk.next_pre);
  ++counters_.commands.pre;
  bk.open_row = -1;
  bk.next_act = std::max(bk.next_act, t + t_.tRP);
  rk.activity.close(bank, t);
  if (on_command)
    on_command({DramCommandKind::Pre, t, &rk - ranks_.data(), bank, bank / org_.banks_per_group});
}

// Every refresh due by `cycle`: at its due time or once the open banks may be precharged
// (precharge all), then REF; no bank activates for tRFC.
void DramChannel::refresh_before(Rank& rk, std::int64_t cycle) {
  while (rk.next_refresh <= cycle) {
    std::int64_t t = wake(rk, rk.next_refresh);
    for (const Bank& b : rk.banks)
      if (b.open_row >= 0) t = std::max(t, b.next_pre);
    std::int64_t ref = t;
    for (std::size_t b = 0; b < rk.banks.size(); ++b) {
      if (rk.banks[b].open_row >= 0) precharge(rk, static_cast<std::int64_t>(b), t);
      ref = std::max(ref, rk.banks[b].next_act);
    }
    ++counters_.commands.ref;
    if (on_command) on_command({DramCommandKind::Ref, ref, &rk - ranks_.data()});
    rk.activity.add(ref, ref + t_.tRFC);
    for (Bank& b : rk.banks) b.next_act = std::max(b.next_act, ref + t_.tRFC);
    rk.next_refresh += t_.tREFI;
  }
}

BackgroundCycles DramChannel::background(std::int64_t now) {
  BackgroundCycles bg;
  for (Rank& rk : ranks_) {
    refresh_before(rk, now);
    std::int64_t active = 0, pd = 0;
    rk.activity.measure(now, spec_.powerdown_idle_cycles, active, pd);
    bg.active += active;
    bg.powerdown += pd;
    bg.precharged += std::max<std::int64_t>(0, now - active - pd);
  }
  return bg;
}

DramEnergy dram_energy(const DramStandard& device, const DramCommandCounts& c,
                       const BackgroundCycles& bg) {
  const DramTiming& t = device.timing;
  const auto half_bl = static_cast<double>(device.org.burst_length / 2);
  const auto devices = static_cast<double>(device.org.devices_per_rank());
  const auto n = [](std::int64_t x) { return static_cast<double>(x); };
  DramEnergy e;
  for (const DramSupply& s : device.supplies) {
    const double k = s.v * t.tck_ns * devices;  // pJ per (mA x cycle)
    e.act += k * n(c.act) * n(t.tRAS) * (s.idd0 - s.idd3n);
    e.pre += k * n(c.pre) * n(t.tRC - t.tRAS) * (s.idd0 - s.idd2n);
    e.rd += k * n(c.rd) * half_bl * (s.idd4r - s.idd3n);
    e.wr += k * n(c.wr) * half_bl * (s.idd4w - s.idd3n);
    e.ref += k * n(c.ref) * n(t.tRFC) * (s.idd5 - s.idd3n);
    e.background +=
        k * (n(bg.active) * s.idd3n + n(bg.precharged) * s.idd2n + n(bg.powerdown) * s.idd2p);
  }
  return e;
}

namespace {

void print_timing_table(std::ostream& os) {
  os << "| standard | tCK ns | MT/s | channel bits x BL | bank groups x banks | rows | row B "
        "| tCL tCWL tRCD tRP | tRAS tRC | tRRD_S/L tFAW | tCCD_S/L | tWR tWTR_S/L tRTP | tRFC "
        "tREFI "
        "| tXP | GB/s per channel "
        "|\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& name : dram_standard_names()) {
    const DramStandard& s = *find_dram_standard(name);
    const DramOrganization& o = s.org;
    const DramTiming& t = s.timing;
    os << "| " << name << " | " << t.tck_ns << " | " << 2000 / t.tck_ns << " | "
       << o.channel_width_bits << " x " << o.burst_length << " | " << o.bank_groups << " x "
       << o.banks_per_group << " | " << o.rows << " | " << o.row_bytes() << " | " << t.tCL << " "
       << t.tCWL << " " << t.tRCD << " " << t.tRP << " | " << t.tRAS << " " << t.tRC << " | "
       << t.tRRD_S << "/" << t.tRRD_L << " " << t.tFAW << " | " << t.tCCD_S << "/" << t.tCCD_L
       << " | " << t.tWR << " " << t.tWTR_S << "/" << t.tWTR_L << " " << t.tRTP << " | " << t.tRFC
       << " " << t.tREFI << " | " << t.tXP << " | "
       << static_cast<double>(o.channel_width_bits / 8) * 2 / t.tck_ns << " |\n";
  }
}

void print_energy_table(std::ostream& os) {
  os << "\n| standard | supplies (V) | pJ per ACT | per PRE | per RD burst | per WR burst | per "
        "REF "
        "| mW active standby | precharged standby | power-down |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n";
  for (const std::string& name : dram_standard_names()) {
    const DramStandard& s = *find_dram_standard(name);
    if (!s.has_currents) {
      os << "| " << name << " | no published currents | | | | | | | | |\n";
      continue;
    }
    const auto one = [&](std::int64_t DramCommandCounts::*f) {
      DramCommandCounts c;
      c.*f = 1;
      return dram_energy(s, c, {}).total();
    };
    // A background state's power: the energy of 1000 cycles over their time (pJ/ns = mW).
    const auto mw = [&](std::int64_t BackgroundCycles::*f) {
      BackgroundCycles bg;
      bg.*f = 1000;
      return dram_energy(s, {}, bg).total() / (1000 * s.timing.tck_ns);
    };
    os << "| " << name << " | " << s.supplies[0].v;
    if (s.supplies[1].v > 0) os << " and " << s.supplies[1].v;
    os << " | " << one(&DramCommandCounts::act) << " | " << one(&DramCommandCounts::pre) << " | "
       << one(&DramCommandCounts::rd) << " | " << one(&DramCommandCounts::wr) << " | "
       << one(&DramCommandCounts::ref) << " | " << mw(&BackgroundCycles::active) << " | "
       << mw(&BackgroundCycles::precharged) << " | " << mw(&BackgroundCycles::powerdown) << " |\n";
  }
}

}  // namespace

void print_dram_standards(std::ostream& os) {
  os << "JEDEC DRAM presets of dram.impl jedec (timing in cycles of tCK; one channel; energies "
        "of one rank, all its devices, DRAMPower's formulas):\n\n";
  print_timing_table(os);
  print_energy_table(os);
  os << "\nSources:\n";
  for (const std::string& name : dram_standard_names())
    os << "- " << name << ": " << find_dram_standard(name)->source << "\n";
}

}  // namespace dfsim::jedec
