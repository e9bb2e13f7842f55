#include "components/memory/jedec/address_mapping.hpp"

#include <stdexcept>

namespace dfsim::jedec {

namespace {

constexpr std::array<const char*, 6> kTokens = {"Ro", "Ra", "Bg", "Ba", "Co", "Ch"};

// The fields of `order` from the most significant, or an error text in `problem`.
std::array<int, 6> parse_order(const std::string& order, std::string& problem) {
  std::array<int, 6> fields{};
  std::array<bool, 6> seen{};
  if (order.size() != 12) {
    problem = "'" + order + "' must list Ro, Ra, Bg, Ba, Co and Ch once each (e.g. RoRaBaCoBgCh)";
    return fields;
  }
  for (std::size_t i = 0; i < 6; ++i) {
    const std::string token = order.substr(2 * i, 2);
    int f = -1;
    for (int k = 0; k < 6; ++k)
      if (token == kTokens[static_cast<std::size_t>(k)]) f = k;
    if (f < 0 || seen[static_cast<std::size_t>(f)]) {
      problem = "'" + order + "': '" + token + (f < 0 ? "' is not a field" : "' appears twice") +
                " (fields: Ro Ra Bg Ba Co Ch, each once, most significant first)";
      return fields;
    }
    seen[static_cast<std::size_t>(f)] = true;
    fields[i] = f;
  }
  return fields;
}

}  // namespace

std::string address_mapping_problem(const std::string& order) {
  std::string problem;
  parse_order(order, problem);
  return problem;
}

AddressMapping::AddressMapping(const std::string& order, const DramOrganization& org)
    : burst_bytes_(org.burst_bytes()) {
  std::string problem;
  const std::array<int, 6> msb_first = parse_order(order, problem);
  if (!problem.empty()) throw std::invalid_argument(problem);
  const std::array<std::int64_t, 6> size = {
      org.rows,    org.ranks, org.bank_groups, org.banks_per_group, org.bursts_per_row(),
      org.channels};
  for (std::size_t i = 0; i < 6; ++i) {
    lsb_first_[i] = static_cast<Field>(msb_first[5 - i]);
    radix_[i] = size[static_cast<std::size_t>(lsb_first_[i])];
  }
}

DramCoordinates AddressMapping::locate(std::int64_t address) const {
  std::int64_t rest = address / burst_bytes_;
  std::array<std::int64_t, 6> digit{};
  for (std::size_t i = 0; i < 6; ++i) {
    digit[static_cast<std::size_t>(lsb_first_[i])] = rest % radix_[i];
    rest /= radix_[i];
  }
  return {digit[Channel], digit[Rank], digit[BankGroup], digit[Bank], digit[Row], digit[Column]};
}

}  // namespace dfsim::jedec
