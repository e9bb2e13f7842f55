// The planar-tiled array style (SCNN's PT-IS dataflow and its dense baselines).
#include "mapper/pt_mapping.hpp"
#include "models/arrays/array_style.hpp"
#include "models/arrays/planar_tiled_array.hpp"

namespace dfsim {

std::string details_of(const PtMapResult& r) {
  return ", PEs " + std::to_string(r.estimate.pes) + ", groups " +
         std::to_string(r.estimate.groups) + ", DRAM " + std::to_string(r.estimate.dram_bytes) +
         " B (expected)";
}

// The first layer loads its input from DRAM and the last writes its output back (PtEstimate).
std::int64_t place_cycles_of(const PtMapResult& r, bool first, bool last) {
  return (first ? r.estimate.input_load_cycles : 0) + (last ? r.estimate.output_store_cycles : 0);
}

namespace {

const bool registered = register_array_style(
    "planar_tiled", [](const ArchConfig& arch, Objective objective) -> std::unique_ptr<ArrayStyle> {
      return std::make_unique<MapperStyle<PlanarTiledMapper, PlanarTiledArray, parse_pt_mapping>>(
          arch, objective);
    });

}  // namespace

}  // namespace dfsim
