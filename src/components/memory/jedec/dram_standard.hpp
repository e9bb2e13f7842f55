// A JEDEC DRAM device as the `jedec` DRAM model sees it: organization, timing in clock cycles
// (tCK) and supply currents, with presets for the standards dfsim's designs use (sources next to
// each preset in dram_standard.cpp), overridden key by key from the architecture's dram section
// (docs/config-reference.md, "dram.impl: jedec").
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace dfsim {
class ConfigNode;
}

namespace dfsim::jedec {

struct DramOrganization {
  std::int64_t channels = 1;             // independent channels, each with its own controller
  std::int64_t ranks = 1;                // per channel, sharing its data bus
  std::int64_t bank_groups = 1;          // per rank (1: no bank groups, as DDR3 and LPDDR4)
  std::int64_t banks_per_group = 8;      //
  std::int64_t rows = 32768;             // per bank
  std::int64_t columns = 1024;           // per row, each device_width_bits wide
  std::int64_t device_width_bits = 16;   // DQ pins of one device
  std::int64_t channel_width_bits = 64;  // DQ pins of a channel: devices_per_rank() devices
  std::int64_t burst_length = 8;         // BL: data transfers per burst, two per tCK

  std::int64_t banks() const { return bank_groups * banks_per_group; }  // per rank
  std::int64_t devices_per_rank() const { return channel_width_bits / device_width_bits; }
  std::int64_t burst_bytes() const { return channel_width_bits / 8 * burst_length; }
  std::int64_t bursts_per_row() const { return columns / burst_length; }
  std::int64_t row_bytes() const { return bursts_per_row() * burst_bytes(); }  // one rank's row
};

// JEDEC timing parameters in cycles of tck_ns. "_S"/"_L": to another / the same bank group
// (equal without bank groups). tWR, tWTR count from the end of the write data; tRTP from the
// read command; tCL is the read latency to the first data (LPDDR4: RL + tDQSCK); tRTW is the
// read-to-write command spacing (DDR3/DDR4: RL + BL/2 + 2 - WL); tRTRS the data bus turnaround
// between ranks.
struct DramTiming {
  double tck_ns = 1.25;
  std::int64_t tCL = 11, tCWL = 8, tRCD = 11, tRP = 11, tRAS = 28, tRC = 39;
  std::int64_t tRRD_S = 6, tRRD_L = 6, tFAW = 32, tCCD_S = 4, tCCD_L = 4;
  std::int64_t tWR = 12, tWTR_S = 6, tWTR_L = 6, tRTP = 6, tRFC = 208, tREFI = 6240;
  std::int64_t tXP = 5;  // power-down exit to the next command
  std::int64_t tRTW = 8, tRTRS = 1;
};

// One supply of a device: its voltage and the JEDEC IDD currents (mA) measured on it. A device
// has one (DDR3: VDD) or two (DDR4: VDD and VPP; LPDDR4: VDD2 and VDD1); a second supply of 0 V
// is absent.
struct DramSupply {
  double v = 0;
  double idd0 = 0;   // one bank ACT-PRE at tRC
  double idd2n = 0;  // precharged standby
  double idd3n = 0;  // active standby
  double idd2p = 0;  // precharged power-down
  double idd4r = 0;  // burst read
  double idd4w = 0;  // burst write
  double idd5 = 0;   // burst refresh (one REF every tRFC)
};

struct DramStandard {
  std::string name;    // "DDR3-1600"
  std::string source;  // where the preset's values come from
  DramOrganization org;
  DramTiming timing;
  std::array<DramSupply, 2> supplies;
  // False when no IDD values are published for the preset (HBM2): the architecture then states
  // the device's energy per bit itself (dram.energy_pj_per_bit).
  bool has_currents = true;
};

enum class PagePolicy : std::uint8_t { Open, Closed };

// The device the architecture's dram section describes, and how its controller runs it.
struct DramSpec {
  DramStandard device;
  PagePolicy page_policy = PagePolicy::Open;
  // Fields of a burst address from the most significant, each once: Ro (row), Ra (rank),
  // Bg (bank group), Ba (bank), Co (burst column), Ch (channel). Ramulator's notation.
  // Bank groups below the column: a sequential stream alternates bank groups (tCCD_S apart);
  // along one bank group's row DDR4 streams one BL/2 burst per tCCD_L (2/3 of its peak).
  std::string address_mapping = "RoRaBaCoBgCh";
  // Precharged power-down after this many idle cycles of a rank with every bank closed (0:
  // never); leaving it costs tXP.
  std::int64_t powerdown_idle_cycles = 0;
};

// The presets' names, in the order dfsim --help and errors list them.
std::vector<std::string> dram_standard_names();
// The preset `name`, or nullptr.
const DramStandard* find_dram_standard(const std::string& name);

// The keys the `jedec` implementation reads from a dram section (besides the common ones).
std::vector<std::string> jedec_section_keys();
// Reads a dram section with `impl: jedec`: the preset its `standard` names, then each override;
// every inconsistency is a ConfigError at its key (file:line:column): an unknown standard (with
// the list), zero or non-integral organization values, tRAS < tRCD, tRC < tRAS + tRP, ...
DramSpec parse_dram_spec(const ConfigNode& dram_section);

// Peak data rate of all channels, bytes per ns (two transfers per tCK).
double peak_bytes_per_ns(const DramSpec& s);

}  // namespace dfsim::jedec
