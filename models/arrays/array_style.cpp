#include "models/arrays/array_style.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace dfsim {

namespace {

// Function-local so that styles registering from other translation units' initializers find
// it constructed whatever the initialization order.
std::map<std::string, ArrayStyleFactory>& registry() {
  static std::map<std::string, ArrayStyleFactory> styles;
  return styles;
}

}  // namespace

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

bool register_array_style(const std::string& name, ArrayStyleFactory factory) {
  if (!registry().emplace(name, factory).second)
    throw std::logic_error("array style '" + name + "' registered twice");
  return true;
}

std::vector<std::string> array_style_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : registry()) names.push_back(name);
  return names;  // std::map: sorted
}

std::unique_ptr<ArrayStyle> make_array_style(const ArchConfig& arch, Objective objective) {
  const auto it = registry().find(arch.array);
  if (it == registry().end()) {
    std::string known;
    for (const std::string& n : array_style_names()) known += (known.empty() ? "" : ", ") + n;
    throw ConfigError("array '" + arch.array + "' is not a registered array style (" + known + ")");
  }
  return it->second(arch, objective);
}

}  // namespace dfsim
