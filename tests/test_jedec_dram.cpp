// The jedec DRAM model against closed forms: each timing rule on micro-traffic gives the cycle
// the JEDEC parameters compute, the sequential rate is the peak less refresh, random reads run
// at the tRRD/tFAW rate, refresh blocks tRFC every tREFI, and command and background energies
// equal the DRAMPower formulas worked by hand. Presets, overrides and bad parameters through the
// architecture loader; the TLM module through SystemC (one design per process).
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>
#include <systemc>
#include <vector>

#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "components/memory/jedec/address_mapping.hpp"
#include "components/memory/jedec/dram_channel.hpp"
#include "components/memory/jedec/dram_standard.hpp"
#include "components/memory/jedec/jedec_dram.hpp"
#include "components/payload.hpp"
#include "test_util.hpp"

namespace {

using dfsim::jedec::DramBurst;
using dfsim::jedec::DramChannel;
using dfsim::jedec::DramCoordinates;
using dfsim::jedec::DramSpec;

DramSpec preset(const std::string& name) {
  DramSpec s;
  s.device = *dfsim::jedec::find_dram_standard(name);
  return s;
}

// One read burst to (bank group, bank, row), column 0, ready at `ready`; returns its data end.
std::int64_t read(DramChannel& ch, std::int64_t bank, std::int64_t row, std::int64_t ready,
                  std::int64_t bank_group = 0) {
  std::vector<DramBurst> b(1);
  b[0].at.bank_group = bank_group;
  b[0].at.bank = bank;
  b[0].at.row = row;
  b[0].ready = ready;
  ch.serve(b);
  return b[0].data_end;
}

// DDR3-1600 (dram_standard.cpp): tCL = tRCD = tRP = 10, tRAS 28, tRC 38, BL8 (4 cycles of data).
TEST(JedecChannel, MissHitAndConflictLatencies) {
  DramChannel ch(preset("DDR3-1600"));
  EXPECT_EQ(read(ch, 0, 5, 100) - 100, 10 + 10 + 4);         // closed bank: tRCD + tCL + BL/2
  EXPECT_EQ(read(ch, 0, 5, 1000) - 1000, 10 + 4);            // row hit: tCL + BL/2
  EXPECT_EQ(read(ch, 0, 9, 2000) - 2000, 10 + 10 + 10 + 4);  // row miss: tRP + tRCD + tCL + BL/2
  // A conflict right after: PRE waits tRAS after that ACT (at 2010), the ACT tRC after it
  // (2048), then tRCD + tCL + BL/2.
  EXPECT_EQ(read(ch, 0, 3, 2000), 2010 + 38 + 10 + 10 + 4);
  EXPECT_EQ(ch.counters().row_misses, 1);
  EXPECT_EQ(ch.counters().row_hits, 1);
  EXPECT_EQ(ch.counters().row_conflicts, 2);
  EXPECT_EQ(ch.counters().commands.act, 3);
  EXPECT_EQ(ch.counters().commands.pre, 2);
}

// A long sequential read stream (all of it queued at cycle 0, in 2 KB requests) moves one burst
// per BL/2 cycles except while refreshing: the rate is the peak times (1 - tRFC/tREFI), within
// 3% (the rest: the precharge before and the activate after each REF).
TEST(JedecChannel, SequentialStreamReachesPeakLessRefresh) {
  for (const char* name : {"DDR3-1600", "DDR4-2400", "LPDDR4-3200"}) {
    const DramSpec spec = preset(name);
    const dfsim::jedec::AddressMapping map(spec.address_mapping, spec.device.org);
    DramChannel ch(spec);
    const std::int64_t bb = spec.device.org.burst_bytes(), per_request = 2048 / bb;
    const std::int64_t bursts = 200000;
    std::int64_t last = 0;
    for (std::int64_t first = 0; first < bursts; first += per_request) {
      std::vector<DramBurst> req(static_cast<std::size_t>(per_request));
      for (std::int64_t i = 0; i < per_request; ++i)
        req[static_cast<std::size_t>(i)].at = map.locate((first + i) * bb);
      ch.serve(req);
      for (const DramBurst& b : req) last = std::max(last, b.data_end);
    }
    const auto& t = spec.device.timing;
    const double achieved =
        static_cast<double>(bursts * spec.device.org.burst_length / 2) / static_cast<double>(last);
    const double expected = 1.0 - static_cast<double>(t.tRFC) / static_cast<double>(t.tREFI);
    EXPECT_NEAR(achieved / expected, 1.0, 0.03) << name;
    EXPECT_LT(achieved, expected) << name;
    EXPECT_EQ(ch.counters().commands.ref, last / t.tREFI) << name;
    EXPECT_EQ(ch.counters().row_misses + ch.counters().row_conflicts, ch.counters().commands.act);
  }
}

// Reads to a new row of the next bank each time: ACTs are spaced by tRRD, at most four per
// tFAW. DDR3-1600: tRRD 6, tFAW 32 -> four reads per 32 cycles (6, 6, 6, 14); tFAW 0 -> 24.
TEST(JedecChannel, RandomReadsRunAtTheActivateRate) {
  for (const auto& [faw, four] : {std::pair<std::int64_t, std::int64_t>{32, 32}, {0, 24}}) {
    DramSpec spec = preset("DDR3-1600");
    spec.device.timing.tFAW = faw;
    DramChannel ch(spec);
    std::vector<std::int64_t> ends;
    for (std::int64_t i = 0; i < 400; ++i) ends.push_back(read(ch, i % 8, i / 8 + 1, 0));
    for (std::size_t i = 100; i + 4 < ends.size(); ++i)
      ASSERT_EQ(ends[i + 4] - ends[i], four) << "tFAW " << faw << ", read " << i;
  }
  // DDR4-2400 with bank groups visited in turn: tRRD_S 4 apart, but four ACTs per tFAW = 26.
  DramChannel ch(preset("DDR4-2400"));
  std::vector<std::int64_t> ends;
  for (std::int64_t i = 0; i < 400; ++i)
    ends.push_back(read(ch, (i / 4) % 4, i / 16 + 1, 0, i % 4));
  for (std::size_t i = 100; i + 4 < ends.size(); i += 4) ASSERT_EQ(ends[i + 4] - ends[i], 26) << i;
}

// A REF is due every tREFI; it precharges the open rows and blocks activates for tRFC.
TEST(JedecChannel, RefreshBlocksForRfcEveryRefi) {
  DramChannel ch(preset("DDR3-1600"));
  const std::int64_t refi = 6240, rfc = 128;
  EXPECT_EQ(read(ch, 0, 7, 100), 100 + 24);
  // At the due time the open row is precharged (tRAS and tRTP long past), REF follows tRP
  // later, and the read's ACT waits tRFC: the row it had open is a miss now.
  EXPECT_EQ(read(ch, 0, 7, refi), refi + 10 + rfc + 10 + 10 + 4);
  EXPECT_EQ(ch.counters().commands.ref, 1);
  EXPECT_EQ(ch.counters().row_misses, 2);
  EXPECT_EQ(ch.counters().row_hits, 0);
  // Nine more fall due by 10 tREFI (banks precharged by the one before: REF on time).
  EXPECT_EQ(read(ch, 3, 1, 10 * refi + 5), 10 * refi + rfc + 10 + 10 + 4);
  EXPECT_EQ(ch.counters().commands.ref, 10);
}

// An independent protocol checker: replays a channel's command log in time order and checks
// every JEDEC rule the controller must obey (bank state, tRCD, tRP, tRAS, tRC, tRRD_S/L, tFAW,
// tCCD_S/L, tWTR_S/L, tRTW, tRTP, tWR, data-bus overlap, tRTRS between ranks, refresh with
// banks closed, tRFC, REFs not early and at most 8 behind). Returns "" or the first violation.
class ProtocolChecker {
 public:
  explicit ProtocolChecker(const DramSpec& spec) : o_(spec.device.org), t_(spec.device.timing) {
    const auto banks = static_cast<std::size_t>(o_.ranks * o_.banks());
    bank_.assign(banks, BankState{});
    rank_.assign(static_cast<std::size_t>(o_.ranks), RankState{});
    for (RankState& r : rank_) r.act_bg.assign(static_cast<std::size_t>(o_.bank_groups), kNever);
    col_bg_.assign(static_cast<std::size_t>(o_.ranks * o_.bank_groups), kNever);
    wr_end_bg_ = col_bg_;
  }

  std::string check(std::vector<dfsim::jedec::DramCommand> log) {
    std::stable_sort(log.begin(), log.end(),
                     [](const auto& a, const auto& b) { return a.cycle < b.cycle; });
    for (const auto& c : log) {
      const std::string problem = step(c);
      if (!problem.empty()) return "cycle " + std::to_string(c.cycle) + ": " + problem;
    }
    return "";
  }

 private:
  static constexpr std::int64_t kNever = -(std::int64_t{1} << 40);
  struct BankState {
    std::int64_t row = -1, act = kNever, pre = kNever, rd = kNever, wr_end = kNever;
  };
  struct RankState {
    std::vector<std::int64_t> acts, act_bg;
    std::int64_t ref = kNever, refs = 0;
  };

  std::string step(const dfsim::jedec::DramCommand& c) {
    using K = dfsim::jedec::DramCommandKind;
    RankState& r = rank_[static_cast<std::size_t>(c.rank)];
    // Refresh may be postponed by at most 8 tREFI (JESD79).
    if (c.cycle / t_.tREFI - r.refs > 9) return "refresh more than 8 tREFI behind";
    if (c.kind == K::Ref) return ref(c, r);
    BankState& b = bank_[static_cast<std::size_t>(c.rank * o_.banks() + c.bank)];
    if (c.kind == K::Act) return act(c, r, b);
    if (c.kind == K::Pre) return pre(c, b);
    return column(c, b);
  }

  static std::string need(bool ok, const char* rule) { return ok ? "" : rule; }

  std::string act(const dfsim::jedec::DramCommand& c, RankState& r, BankState& b) {
    const auto bg = static_cast<std::size_t>(c.bank_group);
    std::string p = need(b.row < 0, "ACT to an open bank");
    if (p.empty()) p = need(c.cycle >= b.pre + t_.tRP, "tRP");
    if (p.empty()) p = need(c.cycle >= b.act + t_.tRC, "tRC");
    if (p.empty() && !r.acts.empty()) p = need(c.cycle >= r.acts.back() + t_.tRRD_S, "tRRD_S");
    if (p.empty()) p = need(c.cycle >= r.act_bg[bg] + t_.tRRD_L, "tRRD_L");
    if (p.empty() && r.acts.size() >= 4)
      p = need(c.cycle >= r.acts[r.acts.size() - 4] + t_.tFAW, "tFAW");
    if (p.empty()) p = need(c.cycle >= r.ref + t_.tRFC, "tRFC");
    b.row = c.row;
    b.act = c.cycle;
    r.acts.push_back(c.cycle);
    r.act_bg[bg] = c.cycle;
    return p;
  }

  std::string pre(const dfsim::jedec::DramCommand& c, BankState& b) {
    std::string p = need(b.row >= 0, "PRE to a closed bank");
    if (p.empty()) p = need(c.cycle >= b.act + t_.tRAS, "tRAS");
    if (p.empty()) p = need(c.cycle >= b.rd + t_.tRTP, "tRTP");
    if (p.empty()) p = need(c.cycle >= b.wr_end + t_.tWR, "tWR");
    b.row = -1;
    b.pre = c.cycle;
    return p;
  }

  std::string column(const dfsim::jedec::DramCommand& c, BankState& b) {
    const bool write = c.kind == dfsim::jedec::DramCommandKind::Wr;
    const auto g = static_cast<std::size_t>(c.rank * o_.bank_groups + c.bank_group);
    const std::int64_t half = o_.burst_length / 2, start = c.cycle + (write ? t_.tCWL : t_.tCL);
    std::string p = need(b.row == c.row, "column command to a row that is not open");
    if (p.empty()) p = need(c.cycle >= b.act + t_.tRCD, "tRCD");
    if (p.empty()) p = need(c.cycle >= col_ + t_.tCCD_S, "tCCD_S");
    if (p.empty()) p = need(c.cycle >= col_bg_[g] + t_.tCCD_L, "tCCD_L");
    if (p.empty()) p = need(start >= data_end_, "data bursts overlap on the bus");
    if (p.empty() && c.rank != last_rank_) p = need(start >= data_end_ + t_.tRTRS, "tRTRS");
    if (p.empty() && write) p = need(c.cycle >= rd_ + t_.tRTW, "tRTW");
    if (p.empty() && !write) p = need(c.cycle >= wr_end_ + t_.tWTR_S, "tWTR_S");
    if (p.empty() && !write) p = need(c.cycle >= wr_end_bg_[g] + t_.tWTR_L, "tWTR_L");
    col_ = col_bg_[g] = c.cycle;
    data_end_ = start + half;
    last_rank_ = c.rank;
    if (write) {
      wr_end_ = wr_end_bg_[g] = b.wr_end = start + half;
    } else {
      rd_ = b.rd = c.cycle;
    }
    return p;
  }

  std::string ref(const dfsim::jedec::DramCommand& c, RankState& r) {
    for (std::int64_t k = 0; k < o_.banks(); ++k) {
      const BankState& b = bank_[static_cast<std::size_t>(c.rank * o_.banks() + k)];
      if (b.row >= 0) return "REF with a bank open";
      if (c.cycle < b.pre + t_.tRP) return "REF before tRP";
    }
    ++r.refs;
    if (c.cycle < r.refs * t_.tREFI) return "REF before it is due";
    r.ref = c.cycle;
    return "";
  }

  const dfsim::jedec::DramOrganization o_;
  const dfsim::jedec::DramTiming t_;
  std::vector<BankState> bank_;
  std::vector<RankState> rank_;
  std::vector<std::int64_t> col_bg_, wr_end_bg_;
  std::int64_t col_ = kNever, rd_ = kNever, wr_end_ = kNever, data_end_ = kNever, last_rank_ = 0;
};

// Random requests (reads and writes, sequential runs and random addresses, bursts of arrivals
// and idle gaps past tREFI) on every preset, both page policies, two ranks and power-down: the
// checker finds no violation, and each burst's data comes no sooner than CL (CWL) + BL/2 after
// it may start.
TEST(JedecChannel, RandomTrafficObeysEveryTimingRule) {
  struct Variant {
    const char* standard;
    dfsim::jedec::PagePolicy policy;
    std::int64_t ranks, powerdown;
    const char* mapping;
  };
  const dfsim::jedec::PagePolicy open = dfsim::jedec::PagePolicy::Open,
                                 closed = dfsim::jedec::PagePolicy::Closed;
  for (const Variant& v : {Variant{"DDR3-1600", open, 1, 0, "RoRaBaCoBgCh"},
                           Variant{"DDR3-2133", closed, 2, 50, "RoBaRaCoBgCh"},
                           Variant{"DDR4-2400", open, 2, 0, "RoRaBaCoBgCh"},
                           Variant{"DDR4-2400", closed, 1, 20, "RoRaBaBgCoCh"},
                           Variant{"LPDDR4-3200", open, 1, 100, "RoRaBaCoBgCh"},
                           Variant{"HBM2", open, 1, 0, "ChRaBaBgRoCo"}}) {
    DramSpec spec = preset(v.standard);
    spec.page_policy = v.policy;
    spec.device.org.ranks = v.ranks;
    spec.powerdown_idle_cycles = v.powerdown;
    const dfsim::jedec::AddressMapping map(v.mapping, spec.device.org);
    DramChannel ch(spec);
    std::vector<dfsim::jedec::DramCommand> log;
    ch.on_command = [&log](const dfsim::jedec::DramCommand& c) { log.push_back(c); };
    std::mt19937_64 rng(20261130);
    const std::int64_t bb = spec.device.org.burst_bytes();
    std::int64_t ready = 0, next_addr = 0;
    for (int r = 0; r < 3000; ++r) {
      const std::uint64_t draw = rng();
      ready += draw % 7 == 0 ? static_cast<std::int64_t>(rng() % 20000)
                             : static_cast<std::int64_t>(rng() % 40);
      const std::int64_t addr =
          draw % 3 == 0 ? static_cast<std::int64_t>(rng() % (std::uint64_t{1} << 30)) / bb * bb
                        : next_addr;
      const std::int64_t bursts = 1 + static_cast<std::int64_t>(rng() % 40);
      std::vector<DramBurst> req(static_cast<std::size_t>(bursts));
      for (std::int64_t i = 0; i < bursts; ++i) {
        DramBurst& b = req[static_cast<std::size_t>(i)];
        b.at = map.locate(addr + i * bb);
        b.write = draw % 5 == 0;
        b.ready = ready;
      }
      next_addr = addr + bursts * bb;
      ch.serve(req);
      for (const DramBurst& b : req)
        ASSERT_GE(b.data_end, b.ready +
                                  (b.write ? spec.device.timing.tCWL : spec.device.timing.tCL) +
                                  spec.device.org.burst_length / 2)
            << v.standard;
    }
    ProtocolChecker checker(spec);
    EXPECT_EQ(checker.check(log), "")
        << v.standard << " " << v.mapping << " (" << log.size() << " commands)";
    EXPECT_GT(ch.counters().commands.ref, 0) << v.standard;
    if (v.policy == open) {
      EXPECT_GT(ch.counters().row_conflicts, 0) << v.standard;
    }
  }
}

// Statistics are read at each layer's end; what was measured once never changes after: with
// requests and measurements interleaved (idle gaps over tREFI, power-down, open and closed
// rows), every background total and the energy only grow. (A refresh placed late, when the
// next request came, once moved a precharge before a measured time: negative layer energy.)
TEST(JedecEnergy, MeasuredTotalsNeverDecrease) {
  for (const auto policy : {dfsim::jedec::PagePolicy::Open, dfsim::jedec::PagePolicy::Closed}) {
    DramSpec spec = preset("DDR3-1600");
    spec.page_policy = policy;
    spec.powerdown_idle_cycles = 64;
    spec.device.org.ranks = 2;
    DramChannel ch(spec);
    std::mt19937_64 rng(7);
    std::int64_t now = 0;
    dfsim::jedec::BackgroundCycles last{};
    double last_pj = 0;
    for (int i = 0; i < 2000; ++i) {
      now += static_cast<std::int64_t>(rng() % 3 == 0 ? rng() % 30000 : rng() % 200);
      std::vector<DramBurst> b(1);
      b[0].at.rank = static_cast<std::int64_t>(rng() % 2);
      b[0].at.bank = static_cast<std::int64_t>(rng() % 8);
      b[0].at.row = static_cast<std::int64_t>(rng() % 4);
      b[0].ready = now;
      ch.serve(b);
      now += static_cast<std::int64_t>(rng() % 100);
      const dfsim::jedec::BackgroundCycles bg = ch.background(now);
      const double pj = dfsim::jedec::dram_energy(spec.device, ch.counters().commands, bg).total();
      ASSERT_GE(bg.active, last.active) << i;
      ASSERT_GE(bg.powerdown, last.powerdown) << i;
      ASSERT_GE(bg.precharged, last.precharged) << i;
      ASSERT_EQ(bg.active + bg.powerdown + bg.precharged, 2 * now) << i;  // two ranks
      ASSERT_GE(pj, last_pj) << i;
      last = bg;
      last_pj = pj;
    }
    EXPECT_EQ(ch.counters().commands.ref, 2 * (now / spec.device.timing.tREFI));
  }
}

// DRAMPower's formulas (dram_channel.hpp) for DDR3-1600's four x16 devices, VDD 1.5 V, tCK
// 1.25 ns, IDD0 110, IDD2N 42, IDD3N 45, IDD2P 12, IDD4R 270, IDD4W 280, IDD5 215 mA:
//   ACT  28 x 1.25 x (110 - 45) x 1.5 x 4 = 13,650 pJ     PRE (38 - 28) x 1.25 x (110 - 42) x 6 =
//   5,100 RD    4 x 1.25 x (270 - 45) x 6 = 6,750 pJ            WR 4 x 1.25 x (280 - 45) x 6 =
//   7,050 REF 128 x 1.25 x (215 - 45) x 6 = 163,200 pJ per cycle: active 45 x 1.875 x 4 = 337.5,
//   precharged 42 x 7.5 = 315, power-down 12 x 7.5 = 90
TEST(JedecEnergy, CommandsAndBackgroundAsWorkedByHand) {
  const auto& dev = *dfsim::jedec::find_dram_standard("DDR3-1600");
  dfsim::jedec::DramCommandCounts c;
  c.act = 3;
  c.pre = 2;
  c.rd = 10;
  c.wr = 5;
  c.ref = 1;
  const dfsim::jedec::DramEnergy e = dfsim::jedec::dram_energy(dev, c, {1000, 3000, 2000});
  EXPECT_DOUBLE_EQ(e.act, 3 * 13650.0);
  EXPECT_DOUBLE_EQ(e.pre, 2 * 5100.0);
  EXPECT_DOUBLE_EQ(e.rd, 10 * 6750.0);
  EXPECT_DOUBLE_EQ(e.wr, 5 * 7050.0);
  EXPECT_DOUBLE_EQ(e.ref, 163200.0);
  EXPECT_DOUBLE_EQ(e.background, 1000 * 337.5 + 3000 * 90.0 + 2000 * 315.0);

  // A fixed sequence through the controller, closed page: ACT at 0, four RDs at 10, 14, 18,
  // 22, PRE at 28 (tRAS; tRTP after the last RD is also 28). Background to cycle 1000: 28
  // active, 972 precharged.
  DramSpec spec = preset("DDR3-1600");
  spec.page_policy = dfsim::jedec::PagePolicy::Closed;
  DramChannel ch(spec);
  std::vector<DramBurst> four(4);
  for (std::int64_t i = 0; i < 4; ++i) four[static_cast<std::size_t>(i)].at.column = i;
  ch.serve(four);
  EXPECT_EQ(four[3].data_end, 22 + 10 + 4);
  const dfsim::jedec::BackgroundCycles bg = ch.background(1000);
  EXPECT_EQ(bg.active, 28);
  EXPECT_EQ(bg.precharged, 972);
  EXPECT_EQ(bg.powerdown, 0);
  EXPECT_DOUBLE_EQ(dfsim::jedec::dram_energy(dev, ch.counters().commands, bg).total(),
                   13650 + 5100 + 4 * 6750 + 28 * 337.5 + 972 * 315.0);
}

// Precharged power-down after an idle threshold: the idle cycles beyond it are charged at
// IDD2P, and the next command waits tXP (DDR3-1600: tXPDLL, 20 cycles, slow exit).
TEST(JedecEnergy, PowerDownAfterTheIdleThreshold) {
  DramSpec spec = preset("DDR3-1600");
  spec.page_policy = dfsim::jedec::PagePolicy::Closed;
  spec.powerdown_idle_cycles = 100;
  DramChannel ch(spec);
  EXPECT_EQ(read(ch, 0, 1, 0), 24);  // ACT 0, RD 10, PRE at 28
  const dfsim::jedec::BackgroundCycles bg = ch.background(1000);
  EXPECT_EQ(bg.active, 28);
  EXPECT_EQ(bg.powerdown, 1000 - 28 - 100);
  EXPECT_EQ(bg.precharged, 100);
  EXPECT_EQ(read(ch, 1, 1, 2000), 2000 + 20 + 24);
  EXPECT_EQ(read(ch, 2, 1, 2040), 2040 + 24);  // 2 cycles idle: awake
}

TEST(JedecAddressMapping, FieldsFromTheLeastSignificant) {
  DramSpec spec = preset("DDR3-1600");
  spec.device.org.channels = 2;
  const dfsim::jedec::AddressMapping map("RoRaBaCoBgCh", spec.device.org);
  // 64 B bursts: channel alternates, then (one bank group) the column (128 bursts per row),
  // then the bank.
  EXPECT_EQ(map.locate(0).channel, 0);
  EXPECT_EQ(map.locate(64).channel, 1);
  EXPECT_EQ(map.locate(128).column, 1);
  EXPECT_EQ(map.locate(2 * 64 * 128).bank, 1);
  EXPECT_EQ(map.locate(2 * 64 * 128 * 8).row, 1);
  const dfsim::jedec::AddressMapping row_first("ChRaBgBaRoCo", spec.device.org);
  EXPECT_EQ(row_first.locate(64 * 128).row, 1);
  EXPECT_EQ(dfsim::jedec::address_mapping_problem("RoRaBaBgCoCo"),
            "'RoRaBaBgCoCo': 'Co' appears twice (fields: Ro Ra Bg Ba Co Ch, each once, most "
            "significant first)");
}

// The Eyeriss architecture with a JEDEC device section (extends the shipped file).
std::string eyeriss_with_dram(const std::string& dram_keys) {
  return "extends: eyeriss_v1.yaml\ndram:\n  impl: jedec\n  latency_ns: ~\n"
         "  bandwidth_gbytes_per_s: ~\n  energy_pj_per_bit: 0\n" +
         dram_keys;
}

std::string load_error(const std::string& text) {
  try {
    dfsim::load_arch_from_string(text, dfsim_test::source_path("configs/test_jedec.yaml"));
  } catch (const dfsim::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(JedecConfig, PresetOverriddenKeyByKey) {
  const dfsim::ArchConfig a = dfsim::load_arch_from_string(
      eyeriss_with_dram("  standard: DDR3-2133\n  channels: 2\n  timing_cycles: {tRCD: 15}\n"
                        "  currents_ma: {IDD4R: 300}\n  page_policy: closed\n"),
      dfsim_test::source_path("configs/test_jedec.yaml"));
  const DramSpec s = dfsim::jedec::parse_dram_spec(a.node->at("dram"));
  EXPECT_EQ(s.device.name, "DDR3-2133");
  EXPECT_EQ(s.device.org.channels, 2);
  EXPECT_EQ(s.device.timing.tRCD, 15);
  EXPECT_EQ(s.device.timing.tCL, 14);  // the preset's
  EXPECT_DOUBLE_EQ(s.device.supplies[0].idd4r, 300);
  EXPECT_DOUBLE_EQ(s.device.supplies[0].idd0, 110);
  EXPECT_EQ(s.page_policy, dfsim::jedec::PagePolicy::Closed);
  // The estimates' figures: a row miss's first data (15 + 14 + 4 cycles of 0.9375 ns) and the
  // peak of two 64-bit channels at 2133 MT/s less refresh (278 of every 8320 cycles).
  EXPECT_DOUBLE_EQ(a.dram.latency_ns, 33 * 0.9375);
  EXPECT_NEAR(a.dram.bandwidth_gbytes_per_s, 2 * 8 * 2 / 0.9375 * (1 - 278.0 / 8320), 1e-9);
  EXPECT_TRUE(a.dram.device_energy);
  EXPECT_GT(a.dram.device_pj_per_bit, 0);
}

TEST(JedecConfig, BadParametersNameFileLineAndKey) {
  const std::string file = dfsim_test::source_path("configs/test_jedec.yaml");
  EXPECT_EQ(load_error(eyeriss_with_dram("  standard: DDR3-1600\n  timing_cycles: {tRAS: 9}\n")),
            file + ":8:25: dram.timing_cycles.tRAS: tRAS (9) must be at least tRCD (10)");
  EXPECT_EQ(load_error(eyeriss_with_dram("  standard: DDR3-1600\n  banks_per_group: 0\n")),
            file + ":8:20: dram.banks_per_group: must be >= 1, got 0");
  EXPECT_EQ(load_error(eyeriss_with_dram("  standard: DDR3-1066\n")),
            file +
                ":7:13: dram.standard: 'DDR3-1066' is not one of: DDR3-1600 DDR3-2133 "
                "DDR4-2400 LPDDR4-3200 HBM2 (did you mean 'DDR3-1600'?)");
  EXPECT_EQ(load_error("extends: eyeriss_v1.yaml\ndram:\n  impl: jedec\n  standard: DDR4-2400\n"),
            dfsim_test::source_path("configs/eyeriss_v1.yaml") +
                ":19:15: dram.latency_ns: is not used by impl jedec: the device's timing "
                "comes from its standard (change it with timing_cycles)");
  EXPECT_EQ(load_error(eyeriss_with_dram("  standard: HBM2\n")),
            file +
                ":6:22: dram.energy_pj_per_bit: HBM2 has no published IDD currents: state the "
                "device's energy per bit here, or give supply_v and currents_ma");
  EXPECT_EQ(load_error(eyeriss_with_dram("  standard: DDR3-1600\n  address_mapping: RoRo\n")),
            file +
                ":8:20: dram.address_mapping: 'RoRo' must list Ro, Ra, Bg, Ba, Co and Ch once "
                "each (e.g. RoRaBaCoBgCh)");
}

// Every preset behind every array style (row stationary, systolic, planar, dense spatial), two
// channels and, where the standard has them, two ranks: the run passes its output check, each
// layer's device statistics are non-negative, the dram.device action counts the devices'
// energy (none for HBM2, which has no published currents: its energy is per bit) and the idle
// action the layer's time.
TEST(JedecDramRuns, EveryPresetOnEveryStyle) {
  const std::vector<std::string> bases = {"configs/eyeriss_v1.yaml", "configs/tpu_v1.yaml",
                                          "configs/scnn.yaml", "configs/dataflows/os_256.yaml"};
  for (const std::string& base : bases) {
    for (const std::string& standard : dfsim::jedec::dram_standard_names()) {
      const std::string what = base + " with " + standard;
      const std::string dir = dfsim_test::fresh_dir("jedec_runs");
      const bool hbm = standard == "HBM2", lp = standard.rfind("LPDDR", 0) == 0;
      std::ofstream(dir + "/arch.yaml")
          << "extends: " << dfsim_test::source_path(base) << "\nname: x\ndram:\n  impl: jedec\n"
          << "  standard: " << standard << "\n  channels: 2\n  ranks: " << (hbm || lp ? 1 : 2)
          << "\n  latency_ns: ~\n  bandwidth_gbytes_per_s: ~\n  energy_pj_per_bit: "
          << (hbm ? "3.9" : "0") << "\n  powerdown_idle_cycles: 16\n";
      const auto r = dfsim_test::dfsim("run --arch '" + dir + "/arch.yaml' --workload '" +
                                           dfsim_test::source_path("workloads/lenet5.yaml") +
                                           "' --out '" + dir + "/out'",
                                       dir);
      ASSERT_EQ(r.code, 0) << what << ": " << dfsim_test::describe(r);
      const YAML::Node stats = YAML::LoadFile(dir + "/out/stats.json");
      for (const YAML::Node& l : stats["layers"]) {
        const YAML::Node dev = l["dram_device"], e = dev["all_channels"]["energy_pj"];
        ASSERT_TRUE(dev) << what;
        for (const auto& kind : e) EXPECT_GE(kind.second.as<double>(), 0) << what;
        EXPECT_EQ(dev["channels"].size(), 2u) << what;
        const YAML::Node actions = l["actions"];
        EXPECT_EQ(static_cast<bool>(actions["dram.device"]), !hbm) << what;
        if (!hbm) {
          EXPECT_NEAR(actions["dram.device"]["count"].as<double>(), e["total"].as<double>(),
                      1e-6 * e["total"].as<double>())
              << what;
        }
        EXPECT_NEAR(actions["idle"]["count"].as<double>(), l["seconds"].as<double>() * 1e9, 1e-6)
            << what;
      }
    }
  }
}

// Through TLM: a 64 B read of an idle DDR3-1600 takes tRCD + tCL + BL/2 = 24 cycles of 1.25 ns
// in the device, then one burst across Eyeriss's link (8 B per cycle at 90 MHz: 8 cycles).
TEST(JedecDramModule, ReadThroughTheDeviceThenTheLink) {
  const dfsim::ArchConfig a =
      dfsim::load_arch_from_string(eyeriss_with_dram("  standard: DDR3-1600\n"),
                                   dfsim_test::source_path("configs/test_jedec.yaml"));
  dfsim::jedec::JedecDram dram("dram", a, nullptr);
  dram.resize(1 << 20);
  struct Init : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Init> socket{"socket"};
    std::vector<sc_core::sc_time> done;
    std::vector<unsigned char> out = std::vector<unsigned char>(128, 7),
                               in = std::vector<unsigned char>(128, 0);
    explicit Init(sc_core::sc_module_name n) : sc_module(n) {
      SC_HAS_PROCESS(Init);
      SC_THREAD(run);
    }
    void access(tlm::tlm_command cmd, std::vector<unsigned char>& data, std::size_t bytes) {
      dfsim::Transaction t;
      t.setup(cmd, 4096, data.data(), bytes);
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      socket->b_transport(t.gp(), delay);
      done.push_back(sc_core::sc_time_stamp() + delay);
    }
    void run() {
      access(tlm::TLM_READ_COMMAND, in, 64);
      wait(sc_core::sc_time(1, sc_core::SC_US));
      access(tlm::TLM_WRITE_COMMAND, out, 128);
      wait(sc_core::sc_time(1, sc_core::SC_US));
      access(tlm::TLM_READ_COMMAND, in, 128);
    }
  } init("init");
  init.socket.bind(dram.socket);
  sc_core::sc_start();
  ASSERT_EQ(init.done.size(), 3u);
  const double link_burst_ns = 8 * 1000.0 / 90;
  EXPECT_NEAR(init.done[0].to_seconds() * 1e9, 24 * 1.25 + link_burst_ns, 1e-3);
  EXPECT_EQ(init.in, init.out);  // the bytes written come back
  const dfsim::DramDeviceStats s = dram.device_totals();
  EXPECT_EQ(s.read_requests, 2);
  EXPECT_EQ(s.write_requests, 1);
  EXPECT_EQ(s.all.rd, 3);
  EXPECT_EQ(s.all.wr, 2);
  EXPECT_EQ(s.all.act, 1);  // one row all along (open page)
}

// Two channels: consecutive bursts alternate between them (RoRaBaCoBgCh), so a 2 KB read
// (32 bursts of 64 B) takes 16 bursts of 4 cycles on each, in parallel: its last data leaves
// a device at tRCD + tCL + 16 x BL/2 = 84 cycles (105 ns); the link (256 bits at 800 MHz: a
// 64 B burst per 2.5 ns) carries each channel's pair of bursts in the 5 ns the devices take to
// deliver the next pair, so it ends 2 x 2.5 ns after the last pair's data.
TEST(JedecDramModule, ChannelsServeInParallel) {
  const dfsim::ArchConfig a = dfsim::load_arch_from_string(
      eyeriss_with_dram("  standard: DDR3-1600\n  channels: 2\n  bus_width_bits: 256\n"
                        "clocks: {core_mhz: 200, link_mhz: 800, cdc_sync_cycles: 2}\n"),
      dfsim_test::source_path("configs/test_jedec.yaml"));
  dfsim::jedec::JedecDram dram("dram", a, nullptr);
  dram.resize(1 << 20);
  struct Init : sc_core::sc_module {
    tlm_utils::simple_initiator_socket<Init> socket{"socket"};
    sc_core::sc_time done;
    std::vector<unsigned char> in = std::vector<unsigned char>(2048, 0);
    explicit Init(sc_core::sc_module_name n) : sc_module(n) {
      SC_HAS_PROCESS(Init);
      SC_THREAD(run);
    }
    void run() {
      dfsim::Transaction t;
      t.setup(tlm::TLM_READ_COMMAND, 0, in.data(), in.size());
      sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
      socket->b_transport(t.gp(), delay);
      done = delay;
    }
  } init("init");
  init.socket.bind(dram.socket);
  sc_core::sc_start();
  EXPECT_NEAR(init.done.to_seconds() * 1e9, 84 * 1.25 + 2 * 2.5, 1e-3);
  const dfsim::DramDeviceStats s = dram.device_totals();
  ASSERT_EQ(s.channels.size(), 2u);
  EXPECT_EQ(s.channels[0].rd, 16);
  EXPECT_EQ(s.channels[1].rd, 16);
}

}  // namespace
