#include "components/memory/jedec/dram_standard.hpp"

#include <cmath>
#include <functional>
#include <map>

#include "base/config/config_node.hpp"
#include "base/text.hpp"

namespace dfsim::jedec {

namespace {

// DDR3-1600 (JESD79-3F): a 64-bit channel of four 2 Gb x16 devices
// (Micron MT41J128M16 -125, D-die: 8 banks x 16384 rows x 1024 columns). Timing and currents
// from the device's datasheet as DRAMPower's memspec MICRON_2Gb_DDR3-1600_16bit_D transcribes
// them (CL = tRCD = tRP = 10, the DDR3-1600J bin); tREFI = 7.8 us (JESD79-3F, 0-85 C), tRFC = 160
// ns (2 Gb). Power- down is the slow-exit precharged kind (IDD2P0 = 12 mA, DLL off): tXP is its
// tXPDLL (24 ns).
DramStandard ddr3_1600() {
  DramStandard s;
  s.name = "DDR3-1600";
  s.source =
      "JESD79-3F; Micron MT41J128M16-125 (2 Gb x16) datasheet values as in DRAMPower's memspec "
      "MICRON_2Gb_DDR3-1600_16bit_D";
  s.org = {1, 1, 1, 8, 16384, 1024, 16, 64, 8};
  s.timing = {1.25, 10, 8, 10, 10, 28, 38, 6, 6, 32, 4, 4, 12, 6, 6, 6, 128, 6240, 20, 8, 1};
  s.supplies[0] = {1.5, 110, 42, 45, 12, 270, 280, 215};
  return s;
}

// DDR3-2133 (JESD79-3F speed bin DDR3-2133N, 14-14-14, tCK 0.9375 ns), 4 Gb x16 devices
// (8 banks x 32768 rows x 1024 columns, tRFC 260 ns): tRAS 33 ns, tRRD 6 ns, tFAW 35 ns,
// tWR 15 ns, tWTR = tRTP = 7.5 ns, tXPDLL 24 ns, rounded up to cycles. TPU v1's weight memory is
// two such 64-bit channels (34 GB/s). No public memspec gives a -093 part's currents: the DDR3-1600
// preset's are used (a -093 part draws more IDD4R/IDD4W); override them from your device.
DramStandard ddr3_2133() {
  DramStandard s = ddr3_1600();
  s.name = "DDR3-2133";
  s.source =
      "JESD79-3F speed bin DDR3-2133N; 4 Gb x16 organization and tRFC; currents of the "
      "DDR3-1600 preset (none published for this bin in a public memspec)";
  s.org = {1, 1, 1, 8, 32768, 1024, 16, 64, 8};
  s.timing = {0.9375, 14, 10, 14, 14, 36, 50, 7, 7, 38, 4, 4, 16, 8, 8, 8, 278, 8320, 26, 10, 1};
  return s;
}

// DDR4-2400 (JESD79-4B): a 64-bit channel of eight 4 Gb x8 devices (Micron MT40A512M8 -083E:
// 4 bank groups x 4 banks x 32768 rows x 1024 columns); timing and VDD/VPP currents from the
// datasheet as DRAMPower's memspec MICRON_4Gb_DDR4-2400_8bit_A transcribes them (IDD5 is the
// burst refresh current IDD5B); tREFI = 7.8 us.
DramStandard ddr4_2400() {
  DramStandard s;
  s.name = "DDR4-2400";
  s.source =
      "JESD79-4B; Micron MT40A512M8-083E (4 Gb x8) datasheet values as in DRAMPower's memspec "
      "MICRON_4Gb_DDR4-2400_8bit_A";
  s.org = {1, 1, 4, 4, 32768, 1024, 8, 64, 8};
  s.timing = {0.8333333, 16, 16, 16, 16, 39, 55, 4, 6, 26, 4, 6, 18, 3, 9, 12, 313, 9360, 8, 6, 1};
  s.supplies[0] = {1.2, 60.75, 38.25, 44.0, 17.0, 184.5, 168.75, 118.0};
  s.supplies[1] = {2.5, 4.05, 0, 0, 0, 0, 0, 0};  // VPP: the wordline pump, during ACT
  return s;
}

// LPDDR4-3200 (JESD209-4): one 16-bit channel per 8 Gb x16 die (8 banks x 65536 rows x 1024
// columns, BL16); all-bank timing (tRPab, tRCab, tRFCab) and VDD2/VDD1 currents from JEDEC's
// values as DRAMSys's memspec JEDEC_8Gb_LPDDR4-3200_16bit transcribes them. Read data comes
// RL + tDQSCK = 28 + 6 after the RD; write to read is WL + 1 + BL/2 + tWTR (tWTR 16 + 1 here);
// read to write RL + tDQSCK + BL/2 - WL + tWPRE = 30.
DramStandard lpddr4_3200() {
  DramStandard s;
  s.name = "LPDDR4-3200";
  s.source =
      "JESD209-4; 8 Gb x16 channel, values as in DRAMSys's memspec JEDEC_8Gb_LPDDR4-3200_16bit";
  s.org = {1, 1, 1, 8, 65536, 1024, 16, 16, 16};
  s.timing = {0.625, 34, 14, 29, 34, 68,  102,  16, 16, 64, 8,
              8,     29, 17, 17, 12, 448, 6246, 12, 30, 1};
  s.supplies[0] = {1.1, 45.0, 27.0, 30.0, 3.0, 275.0, 210.0, 90.0};  // VDD2
  s.supplies[1] = {1.8, 3.5, 2.0, 2.25, 1.2, 2.25, 2.25, 10.0};      // VDD1
  return s;
}

// HBM2 (JESD235A), one 64-bit pseudo channel at 1 GHz (4 bank groups x 4 banks x 16384 rows x
// 128 columns of 64 bits, BL4: a 1 KB page); timing as DRAMSys's HBM2 memspec (tRCD for reads,
// its RTW 18 as tRTW).
// No IDD values are published: an architecture using it states dram.energy_pj_per_bit.
DramStandard hbm2() {
  DramStandard s;
  s.name = "HBM2";
  s.source = "JESD235A; pseudo-channel timing as in DRAMSys's HBM2 memspec; no published currents";
  s.org = {1, 1, 4, 4, 16384, 128, 64, 64, 4};
  s.timing = {1.0, 17, 7, 12, 14, 28, 42, 4, 6, 16, 2, 3, 14, 4, 9, 5, 220, 3900, 8, 18, 1};
  s.has_currents = false;
  return s;
}

const std::vector<DramStandard>& standards() {
  static const std::vector<DramStandard> all = {ddr3_1600(), ddr3_2133(), ddr4_2400(),
                                                lpddr4_3200(), hbm2()};
  return all;
}

// The organization keys, the fields they set and the largest value a memory system has (HBM3's
// 32 pseudo channels per stack and more, 16 ranks, DDR5's 8 bank groups, 2^18 rows, ...).
struct OrgKey {
  const char* name;
  std::int64_t DramOrganization::*field;
  std::int64_t max;
};
const std::vector<OrgKey>& org_keys() {
  static const std::vector<OrgKey> keys = {
      {"channels", &DramOrganization::channels, 1024},
      {"ranks", &DramOrganization::ranks, 16},
      {"bank_groups", &DramOrganization::bank_groups, 16},
      {"banks_per_group", &DramOrganization::banks_per_group, 64},
      {"rows", &DramOrganization::rows, std::int64_t{1} << 24},
      {"columns", &DramOrganization::columns, std::int64_t{1} << 20},
      {"device_width_bits", &DramOrganization::device_width_bits, 1024},
      {"channel_width_bits", &DramOrganization::channel_width_bits, 4096},
      {"burst_length", &DramOrganization::burst_length, 256}};
  return keys;
}

const std::vector<std::pair<const char*, std::int64_t DramTiming::*>>& timing_keys() {
  static const std::vector<std::pair<const char*, std::int64_t DramTiming::*>> keys = {
      {"tCL", &DramTiming::tCL},       {"tCWL", &DramTiming::tCWL},     {"tRCD", &DramTiming::tRCD},
      {"tRP", &DramTiming::tRP},       {"tRAS", &DramTiming::tRAS},     {"tRC", &DramTiming::tRC},
      {"tRRD_S", &DramTiming::tRRD_S}, {"tRRD_L", &DramTiming::tRRD_L}, {"tFAW", &DramTiming::tFAW},
      {"tCCD_S", &DramTiming::tCCD_S}, {"tCCD_L", &DramTiming::tCCD_L}, {"tWR", &DramTiming::tWR},
      {"tWTR_S", &DramTiming::tWTR_S}, {"tWTR_L", &DramTiming::tWTR_L}, {"tRTP", &DramTiming::tRTP},
      {"tRFC", &DramTiming::tRFC},     {"tREFI", &DramTiming::tREFI},   {"tXP", &DramTiming::tXP},
      {"tRTW", &DramTiming::tRTW},     {"tRTRS", &DramTiming::tRTRS}};
  return keys;
}

const std::vector<std::pair<const char*, double DramSupply::*>>& current_keys() {
  static const std::vector<std::pair<const char*, double DramSupply::*>> keys = {
      {"IDD0", &DramSupply::idd0},   {"IDD2N", &DramSupply::idd2n}, {"IDD3N", &DramSupply::idd3n},
      {"IDD2P", &DramSupply::idd2p}, {"IDD4R", &DramSupply::idd4r}, {"IDD4W", &DramSupply::idd4w},
      {"IDD5", &DramSupply::idd5}};
  return keys;
}

template <class Table>
std::vector<std::string> names_of(const Table& table) {
  std::vector<std::string> out;
  for (const auto& [name, field] : table) out.emplace_back(name);
  return out;
}

void read_organization(const ConfigNode& n, DramOrganization& org) {
  for (const OrgKey& k : org_keys()) org.*k.field = n.get_int_range(k.name, 1, k.max, org.*k.field);
  const auto fail_at = [&n](const char* key, const char* fallback, const std::string& msg) {
    n.at(n.has(key) ? key : fallback).fail(msg);
  };
  if (org.channel_width_bits % org.device_width_bits != 0)
    fail_at("channel_width_bits", "device_width_bits",
            "channel_width_bits (" + std::to_string(org.channel_width_bits) +
                ") must be a multiple of device_width_bits (" +
                std::to_string(org.device_width_bits) + ")");
  if (org.channel_width_bits % 8 != 0)
    fail_at("channel_width_bits", "standard", "channel_width_bits must be a multiple of 8");
  if (org.burst_length % 2 != 0)
    fail_at("burst_length", "standard", "burst_length must be even (two transfers per tCK)");
  if (org.columns % org.burst_length != 0)
    fail_at("columns", "burst_length", "columns must be a multiple of burst_length");
}

void read_timing(const ConfigNode& section, DramTiming& t) {
  if (section.has("tck_ns")) {
    t.tck_ns = section.get_double_min("tck_ns", 0.0, false);
    if (t.tck_ns < 0.1 || t.tck_ns > 100)
      section.at("tck_ns").fail(json_number(t.tck_ns) + " ns is not a DRAM clock (0.1 to 100 ns)");
  }
  const auto node = section.find("timing_cycles");
  if (!node) return;
  node->expect_keys(names_of(timing_keys()));
  for (const auto& [key, field] : timing_keys())
    t.*field = node->get_int_range(key, 0, 1 << 24, t.*field);
}

// Timing relations a device obeys; `node` is where the user wrote timing (the error goes to the
// first key of the pair stated there, else to `standard`).
void check_timing(const ConfigNode& section, const DramTiming& t, const DramOrganization& org) {
  const auto node = section.find("timing_cycles");
  const auto fail = [&](const char* a, const char* b, const std::string& msg) {
    if (node && node->has(a)) node->at(a).fail(msg);
    if (node && node->has(b)) node->at(b).fail(msg);
    section.at("standard").fail(msg);
  };
  const auto need = [&](bool ok, const char* a, const char* b, const std::string& msg) {
    if (!ok) fail(a, b, msg);
  };
  const auto v = [](std::int64_t x) { return std::to_string(x); };
  for (const char* key : {"tCL", "tRCD", "tRP", "tRAS", "tRC", "tRFC", "tREFI"})
    for (const auto& [name, field] : timing_keys())
      if (std::string(name) == key)
        need(t.*field >= 1, key, key, std::string(key) + " must be >= 1");
  need(t.tRAS >= t.tRCD, "tRAS", "tRCD",
       "tRAS (" + v(t.tRAS) + ") must be at least tRCD (" + v(t.tRCD) + ")");
  need(t.tRC >= t.tRAS + t.tRP, "tRC", "tRAS",
       "tRC (" + v(t.tRC) + ") must be at least tRAS + tRP (" + v(t.tRAS + t.tRP) + ")");
  // Refresh takes a few percent of the time on every JEDEC device (DDR4's 4x fine-grained mode
  // about 13%): more than a quarter, or a REF more often than every microsecond, is a typo.
  need(t.tREFI >= 4 * t.tRFC, "tREFI", "tRFC",
       "tREFI (" + v(t.tREFI) + ") must be at least 4 x tRFC (" + v(4 * t.tRFC) +
           "): refresh would take over a quarter of the time");
  need(static_cast<double>(t.tREFI) * t.tck_ns >= 1000, "tREFI", "tck_ns",
       "tREFI (" + v(t.tREFI) + " cycles of " + json_number(t.tck_ns) +
           " ns) is below 1 us: no JEDEC device refreshes that often");
  need(t.tRTW >= t.tCL + org.burst_length / 2 - t.tCWL, "tRTW", "tCL",
       "tRTW (" + v(t.tRTW) + ") is shorter than tCL + BL/2 - tCWL (" +
           v(t.tCL + org.burst_length / 2 - t.tCWL) + "): write data would meet read data");
  need(t.tRRD_L >= t.tRRD_S, "tRRD_L", "tRRD_S", "tRRD_L must be at least tRRD_S");
  need(t.tCCD_L >= t.tCCD_S, "tCCD_L", "tCCD_S", "tCCD_L must be at least tCCD_S");
  need(t.tWTR_L >= t.tWTR_S, "tWTR_L", "tWTR_S", "tWTR_L must be at least tWTR_S");
  need(t.tCCD_S >= org.burst_length / 2, "tCCD_S", "tCCD_L",
       "tCCD_S (" + v(t.tCCD_S) + ") is shorter than a burst (BL/2 = " + v(org.burst_length / 2) +
           " cycles): bursts would overlap on the data bus");
}

void read_supply(const ConfigNode& section, const char* v_key, const char* currents_key,
                 DramSupply& s) {
  if (section.has(v_key)) {
    s.v = section.get_double_min(v_key, 0.0);
    if (s.v > 5) section.at(v_key).fail(json_number(s.v) + " V is not a DRAM supply (0 to 5 V)");
  }
  const auto node = section.find(currents_key);
  if (!node) return;
  if (s.v == 0) node->fail(std::string("needs ") + v_key + " (this device has no such supply)");
  node->expect_keys(names_of(current_keys()));
  for (const auto& [key, field] : current_keys()) {
    s.*field = node->get_double_min(key, 0.0, s.*field);
    if (s.*field > 1e4)
      node->at(key).fail(json_number(s.*field) + " mA is implausible (IDD in mA)");
  }
  // The error goes to the first of the pair the file states (else to the map).
  const auto need = [&](bool ok, const char* a, const char* b, const std::string& msg) {
    if (ok) return;
    if (node->has(a)) node->at(a).fail(msg);
    if (node->has(b)) node->at(b).fail(msg);
    node->fail(msg);
  };
  need(s.idd0 >= s.idd3n && s.idd0 >= s.idd2n, "IDD0", "IDD3N",
       "IDD0 must be at least IDD2N and IDD3N");
  need(s.idd4r >= s.idd3n, "IDD4R", "IDD3N", "IDD4R must be at least IDD3N");
  need(s.idd4w >= s.idd3n, "IDD4W", "IDD3N", "IDD4W must be at least IDD3N");
  need(s.idd5 >= s.idd3n, "IDD5", "IDD3N", "IDD5 must be at least IDD3N");
  need(s.idd3n >= s.idd2n, "IDD3N", "IDD2N", "IDD3N must be at least IDD2N");
  need(s.idd2n >= s.idd2p, "IDD2N", "IDD2P", "IDD2N must be at least IDD2P");
}

}  // namespace

std::vector<std::string> dram_standard_names() {
  std::vector<std::string> out;
  for (const DramStandard& s : standards()) out.push_back(s.name);
  return out;
}

const DramStandard* find_dram_standard(const std::string& name) {
  for (const DramStandard& s : standards())
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> jedec_section_keys() {
  std::vector<std::string> keys = {
      "standard",  "tck_ns",       "timing_cycles", "supply_v",        "currents_ma",
      "supply2_v", "currents2_ma", "page_policy",   "address_mapping", "powerdown_idle_cycles"};
  for (const OrgKey& k : org_keys()) keys.emplace_back(k.name);
  return keys;
}

DramSpec parse_dram_spec(const ConfigNode& section) {
  // An unknown name fails at its position with the closest preset and the list.
  const DramStandard* preset =
      find_dram_standard(section.get_choice("standard", dram_standard_names()));
  DramSpec spec;
  spec.device = *preset;
  read_organization(section, spec.device.org);
  read_timing(section, spec.device.timing);
  check_timing(section, spec.device.timing, spec.device.org);
  read_supply(section, "supply_v", "currents_ma", spec.device.supplies[0]);
  read_supply(section, "supply2_v", "currents2_ma", spec.device.supplies[1]);
  if (section.has("currents_ma")) spec.device.has_currents = true;
  spec.page_policy = section.get_choice("page_policy", {"open", "closed"}, "open") == "closed"
                         ? PagePolicy::Closed
                         : PagePolicy::Open;
  spec.address_mapping = section.get_string("address_mapping", spec.address_mapping);
  spec.powerdown_idle_cycles =
      section.get_int_range("powerdown_idle_cycles", 0, std::int64_t{1} << 30, 0);
  return spec;
}

double peak_bytes_per_ns(const DramSpec& s) {
  const DramOrganization& o = s.device.org;
  return static_cast<double>(o.channels * o.channel_width_bits / 8) * 2.0 / s.device.timing.tck_ns;
}

}  // namespace dfsim::jedec
