#include "arrays/array_style.hpp"

namespace dfsim {

Arithmetic ArrayStyle::arithmetic(const Layer& layer) const {
  // Products are scaled as they are made and psums pass to the output unchanged.
  Arithmetic a;
  a.psum_bits = arch_.data.psum_bits;
  a.relu = layer.relu;
  a.product_shift = layer.product_shift;
  a.output_shift = 0;
  a.ofmap_bits = 16;
  return a;
}

std::string ArrayStyle::refusal(const Layer& l) const {
  const GeometrySupport g = geometry_support();
  const bool per_axis = l.stride_h != l.stride_w || l.pad_top != l.pad_bottom ||
                        l.pad_top != l.pad_left || l.pad_top != l.pad_right;
  const bool dilated = l.dilation_h != 1 || l.dilation_w != 1;
  if ((!per_axis || g.per_axis) && (!dilated || g.dilation)) return "";
  std::string runs = g.per_axis ? "a stride per axis and a padding per side"
                                : "one stride and the same padding on all four sides";
  runs += g.dilation ? "" : ", without dilation";
  return "layer '" + l.name + "' (" + l.geometry() + "): the '" + arch_.array +
         "' array runs layers with " + runs;
}

std::unique_ptr<ArrayStyle> make_array_style(const ArchConfig& arch, Objective objective) {
  const ArrayStyleDescriptor* d = find_array_style(arch.array);
  if (!d) throw ConfigError("array '" + arch.array + "' is not a registered array style");
  return d->make(arch, objective);
}

}  // namespace dfsim
