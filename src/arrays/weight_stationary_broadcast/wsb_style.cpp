// The weight-stationary array with broadcast (nn-X-like; Chen et al., ISCA 2016, Section VI-B):
// a reduction array (dense_spatial/reduction_array.hpp) with filters on the PE columns,
// reduction lanes on the rows and each PE's weights (and its input) in its register file; input
// values are broadcast along the rows and psums accumulate down the columns. Registered as `array:
// weight_stationary_broadcast` (not the systolic TPU array).
#include <ostream>

#include "arrays/array_style.hpp"
#include "arrays/dense_spatial/reduction_array.hpp"

namespace dfsim {

namespace {

constexpr char kWeightStationaryBroadcast[] = "weight_stationary_broadcast";
using WsbParams = ReductionParams<kWeightStationaryBroadcast>;

void parse_wsb(const ConfigNode& root, ArchConfig& a) {
  auto p = std::make_shared<WsbParams>();
  p->design = parse_reduction_design(root, a, /*with_rf=*/true, /*filters_on_rows=*/false);
  a.style_params = p;
}

void describe_wsb(std::ostream& os, const ArchConfig& a) {
  describe_reduction(os, a, style_params<WsbParams>(a).design);
}

// The GLB and every PE's weight register file.
std::int64_t wsb_storage_bytes(const ArchConfig& a) {
  const ReductionDesign& d = style_params<WsbParams>(a).design;
  return d.glb.size_bytes() + a.num_pes() * 2 * d.rf_entries;
}

using WsbStyle =
    MapperStyle<ReductionMapper<WsbParams>, ReductionArray<WsbParams>, parse_block_tiling>;

const bool registered = register_array_style(
    kWeightStationaryBroadcast, std::make_unique<StyleDescriptor<WsbStyle>>(
                                    std::vector<std::string>{"glb", "noc", "pe", "data"}, parse_wsb,
                                    describe_wsb, wsb_storage_bytes));

}  // namespace

}  // namespace dfsim
