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

std::unique_ptr<ArrayStyle> make_array_style(const ArchConfig& arch, Objective objective) {
  const ArrayStyleDescriptor* d = find_array_style(arch.array);
  if (!d) throw ConfigError("array '" + arch.array + "' is not a registered array style");
  return d->make(arch, objective);
}

}  // namespace dfsim
