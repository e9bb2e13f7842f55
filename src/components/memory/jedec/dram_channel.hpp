// One DRAM channel's controller and devices, computed command by command without SystemC events:
// given a request's bursts and the cycle each may start, it places ACT, PRE, RD, WR and REF
// commands at the earliest cycles the JEDEC timing allows (tRCD, tRP, tRAS, tRC, tRRD_S/L, tFAW,
// tCCD_S/L, tWR, tWTR_S/L, tRTP, tCL/tCWL, tRFC every tREFI) and returns when each burst's data
// ends. The bank, rank and bus state carries over from request to request, so bank conflicts,
// row misses and refresh delay the array's requests in the same run (loosely-timed TLM: a
// request's completion is fixed when it is issued; commands already placed are not revisited).
//
// Scheduling (FR-FCFS): a request's bursts are queued by row in address order; of the queues'
// oldest bursts, the one whose column command can issue first goes next (a row hit needs no
// PRE or ACT, so hits go first; a miss in another bank group may beat a hit waiting tCCD_L),
// the oldest on a tie. ACTs may be placed before earlier bursts' column commands (bank
// parallelism); column commands are in order on the channel. Page policies: open (a row stays open
// until a conflict or refresh) and closed (a row is precharged once no queued burst hits it).
// Refresh: all-bank, one REF per tREFI per rank, issued when the schedule reaches it (postponed
// past the busy bursts, as JEDEC allows up to 8 tREFI), after precharging the open banks.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <vector>

#include "components/memory/jedec/address_mapping.hpp"
#include "components/memory/jedec/dram_standard.hpp"

namespace dfsim::jedec {

struct DramBurst {
  DramCoordinates at;
  bool write = false;
  std::int64_t ready = 0;     // first cycle a command of this burst may issue
  std::int64_t data_end = 0;  // out: the cycle its data leaves (read) or enters (write) the bus
};

// A command as the controller places it (for the VCD and for checking the timing in tests).
enum class DramCommandKind : std::uint8_t { Act, Pre, Rd, Wr, Ref };
struct DramCommand {
  DramCommandKind kind;
  std::int64_t cycle, rank;
  std::int64_t bank = -1, bank_group = -1, row = -1;  // bank in its rank; -1 for REF
};

struct DramCommandCounts {
  std::int64_t act = 0, pre = 0, rd = 0, wr = 0, ref = 0;
};

struct ChannelCounters {
  DramCommandCounts commands;
  std::int64_t row_hits = 0, row_misses = 0, row_conflicts = 0;  // by burst
};

// Rank-cycles by background state up to a cycle, summed over the channel's ranks.
struct BackgroundCycles {
  std::int64_t active = 0;      // at least one bank open, or refreshing (IDD3N)
  std::int64_t powerdown = 0;   // precharged power-down (IDD2P)
  std::int64_t precharged = 0;  // the rest: precharged standby (IDD2N)
};

// The union of a rank's busy intervals (banks open, refresh), for background energy. Interval
// starts arrive in nondecreasing order of ACT or REF; the part before every future start is
// folded into a running total, so memory stays bounded.
class RankActivity {
 public:
  void open(std::int64_t bank, std::int64_t at);
  void close(std::int64_t bank, std::int64_t at);
  void add(std::int64_t start, std::int64_t end);  // a closed interval (refresh)
  // Cycles in [0, now) covered by the intervals, and the idle gaps longer than `pd_after`
  // beyond it (precharged power-down), both clipped to `now`.
  void measure(std::int64_t now, std::int64_t pd_after, std::int64_t& active,
               std::int64_t& powerdown);
  explicit RankActivity(std::int64_t banks) : open_since_(static_cast<std::size_t>(banks), -1) {}
  // The end of the last busy interval so far (the rank's idle gap starts there), or -1 while a
  // bank is open.
  std::int64_t idle_since() const;

 private:
  std::vector<std::int64_t> open_since_;                       // per bank, -1 if closed
  std::vector<std::pair<std::int64_t, std::int64_t>> closed_;  // not yet folded
  std::int64_t latest_start_ = 0, latest_end_ = 0;
  std::int64_t folded_until_ = 0, folded_active_ = 0, folded_powerdown_ = 0, folded_gap_end_ = 0;
};

class DramChannel {
 public:
  explicit DramChannel(const DramSpec& spec);
  // Serves one request's bursts on this channel (FR-FCFS among them), filling data_end.
  void serve(std::vector<DramBurst>& bursts);
  const ChannelCounters& counters() const { return counters_; }
  // Places the refreshes due by `now` on every rank (also ranks no request reached), then
  // measures: nothing can be placed before a cycle measured once.
  BackgroundCycles background(std::int64_t now);
  // Called with every command placed, in the order they are placed (not always time order:
  // an ACT may precede earlier bursts' column commands).
  std::function<void(const DramCommand&)> on_command;

 private:
  struct Bank {
    std::int64_t open_row = -1;
    std::int64_t next_act = 0, next_pre = 0, next_col = 0;
  };
  struct Rank {
    Rank(std::int64_t banks_per_rank, std::int64_t bank_groups);
    std::vector<Bank> banks;
    std::vector<std::int64_t> last_act_bg;      // per bank group, for tRRD_L
    std::array<std::int64_t, 4> recent_acts{};  // the last four ACTs, for tFAW (ring)
    std::int64_t acts = 0, last_act = 0, next_refresh = 0;
    RankActivity activity;
  };
  // The queued bursts to one row of one bank (indices into the request's bursts, oldest first
  // from `next`).
  struct RowQueue {
    std::int64_t rank, bank, row;
    std::vector<std::size_t> bursts;
    std::size_t next = 0;
    bool empty() const { return next == bursts.size(); }
  };

  std::vector<RowQueue> queue_by_row(const std::vector<DramBurst>& bursts) const;
  std::size_t pick(const std::vector<RowQueue>& queues, const std::vector<DramBurst>& bursts) const;
  std::int64_t first_column(const DramBurst& b) const;
  std::int64_t act_cycle(const Rank& rk, const Bank& bk, std::int64_t bank_group,
                         std::int64_t earliest) const;
  void serve_burst(DramBurst& b, bool last_of_row);
  void open_row(Rank& rk, std::int64_t bank, const DramCoordinates& at, std::int64_t earliest);
  std::int64_t column_cycle(const DramCoordinates& at, bool write, std::int64_t earliest) const;
  void issue_column(Bank& bk, const DramCoordinates& at, bool write, std::int64_t at_cycle);
  void precharge(Rank& rk, std::int64_t bank, std::int64_t at_cycle);
  void refresh_before(Rank& rk, std::int64_t cycle);
  std::int64_t wake(const Rank& rk, std::int64_t start) const;

  const DramSpec spec_;
  const DramOrganization org_;  // copies: a channel moves when the vector holding it grows
  const DramTiming t_;
  std::vector<Rank> ranks_;
  ChannelCounters counters_;
  // Column commands are in order on the channel: the last one, per bank group and overall.
  std::vector<std::int64_t> last_col_bg_;                           // per (rank, bank group)
  std::int64_t last_col_ = 0, last_read_ = 0, last_write_end_ = 0;  // set by the constructor
  std::int64_t last_col_rank_ = 0, last_data_end_ = 0;
  std::vector<std::int64_t> last_write_end_bg_;
};

// Energy of a channel's commands and background in pJ, as DRAMPower computes it (Chandrasekar et
// al., DRAMPower; Micron TN-41-01), per device, times the devices of a rank, summed over the
// supplies (V x mA x ns = pJ; tCK in ns):
//   ACT: n_act x tRAS x (IDD0 - IDD3N) x V        PRE: n_pre x (tRC - tRAS) x (IDD0 - IDD2N) x V
//   RD:  n_rd x BL/2 x (IDD4R - IDD3N) x V        WR:  n_wr x BL/2 x (IDD4W - IDD3N) x V
//   REF: n_ref x tRFC x (IDD5 - IDD3N) x V
//   background: active x IDD3N x V + precharged x IDD2N x V + power-down x IDD2P x V
struct DramEnergy {
  double act = 0, pre = 0, rd = 0, wr = 0, ref = 0, background = 0;
  double total() const { return act + pre + rd + wr + ref + background; }
};
DramEnergy dram_energy(const DramStandard& device, const DramCommandCounts& c,
                       const BackgroundCycles& bg);

// The presets as tables (timing in cycles, currents, and what one command and one cycle of each
// background state cost a rank), for `dfsim tech --dram` and docs/config-reference.md.
void print_dram_standards(std::ostream& os);

}  // namespace dfsim::jedec
