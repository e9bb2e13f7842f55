// The no-local-reuse array style (DianNao-like; Chen et al., ISCA 2016, Section VI-B): a
// reduction array (dense_spatial/reduction_array.hpp) with filters on the PE rows, reduction
// lanes on the columns and no register files, registered as `array: no_local_reuse`.
#include <ostream>

#include "arrays/array_style.hpp"
#include "arrays/dense_spatial/reduction_array.hpp"

namespace dfsim {

namespace {

constexpr char kNoLocalReuse[] = "no_local_reuse";
using NlrParams = ReductionParams<kNoLocalReuse>;

void parse_nlr(const ConfigNode& root, ArchConfig& a) {
  auto p = std::make_shared<NlrParams>();
  p->design = parse_reduction_design(root, a, /*with_rf=*/false, /*filters_on_rows=*/true);
  a.style_params = p;
}

void describe_nlr(std::ostream& os, const ArchConfig& a) {
  describe_reduction(os, a, style_params<NlrParams>(a).design);
}

std::int64_t nlr_storage_bytes(const ArchConfig& a) {
  return style_params<NlrParams>(a).design.glb.size_bytes();
}

using NlrStyle =
    MapperStyle<ReductionMapper<NlrParams>, ReductionArray<NlrParams>, parse_block_tiling>;

const bool registered =
    register_array_style(kNoLocalReuse, std::make_unique<StyleDescriptor<NlrStyle>>(
                                            std::vector<std::string>{"glb", "noc", "pe", "data"},
                                            parse_nlr, describe_nlr, nlr_storage_bytes));

}  // namespace

}  // namespace dfsim
