// The row-stationary array style (Eyeriss).
#include "mapper/row_stationary_mapper.hpp"
#include "models/arrays/array_style.hpp"
#include "models/arrays/row_stationary_array.hpp"

namespace dfsim {

std::string details_of(const RsMapResult& r) {
  return ", active PEs " + std::to_string(r.estimate.active_pes) + ", passes " +
         std::to_string(r.estimate.passes) + ", DRAM " + std::to_string(r.estimate.dram_bytes) +
         " B";
}

namespace {

const bool registered = register_array_style(
    "row_stationary",
    [](const ArchConfig& arch, Objective objective) -> std::unique_ptr<ArrayStyle> {
      return std::make_unique<
          MapperStyle<RowStationaryMapper, RowStationaryArray, parse_rs_mapping>>(arch, objective);
    });

}  // namespace

}  // namespace dfsim
