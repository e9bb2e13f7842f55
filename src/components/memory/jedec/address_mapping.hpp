// Where a DRAM byte address lives: channel, rank, bank group, bank, row and burst column, by
// the field order the architecture names (DramSpec::address_mapping, most significant first;
// Ramulator's notation: the default "RoRaBaCoBgCh" puts consecutive bursts on alternate
// channels, then alternate bank groups (tCCD_S apart, not tCCD_L), then along the rows).
// Fields are mixed-radix digits of the burst index (address / burst bytes), so
// sizes need not be powers of two.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "components/memory/jedec/dram_standard.hpp"

namespace dfsim::jedec {

struct DramCoordinates {
  std::int64_t channel = 0, rank = 0, bank_group = 0, bank = 0, row = 0, column = 0;
  // The bank's index in its rank (bank_group * banks_per_group + bank).
  std::int64_t bank_in_rank(const DramOrganization& o) const {
    return bank_group * o.banks_per_group + bank;
  }
};

class AddressMapping {
 public:
  // Throws std::invalid_argument naming the problem for an order that is not each of Ro, Ra,
  // Bg, Ba, Co, Ch exactly once.
  AddressMapping(const std::string& order, const DramOrganization& org);
  // The burst at byte `address` (addresses beyond the device wrap around its rows).
  DramCoordinates locate(std::int64_t address) const;
  std::int64_t burst_bytes() const { return burst_bytes_; }

 private:
  enum Field : std::uint8_t { Row, Rank, BankGroup, Bank, Column, Channel };
  std::array<Field, 6> lsb_first_{};  // fields from the least significant digit
  std::array<std::int64_t, 6> radix_{};
  std::int64_t burst_bytes_;
};

// Checks an order string; returns "" if it is valid, else what is wrong.
std::string address_mapping_problem(const std::string& order);

}  // namespace dfsim::jedec
