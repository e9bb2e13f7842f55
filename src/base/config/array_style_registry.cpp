#include "base/config/array_style_registry.hpp"

#include <map>
#include <stdexcept>

namespace dfsim {

namespace {

// Function-local so that styles registering from other translation units' initializers find
// it constructed whatever the initialization order.
std::map<std::string, std::unique_ptr<const ArrayStyleDescriptor>>& registry() {
  static std::map<std::string, std::unique_ptr<const ArrayStyleDescriptor>> styles;
  return styles;
}

}  // namespace

bool register_array_style(const std::string& name,
                          std::unique_ptr<const ArrayStyleDescriptor> descriptor) {
  if (!registry().emplace(name, std::move(descriptor)).second)
    throw std::logic_error("array style '" + name + "' registered twice");
  return true;
}

const ArrayStyleDescriptor* find_array_style(const std::string& name) {
  const auto it = registry().find(name);
  return it == registry().end() ? nullptr : it->second.get();
}

std::vector<std::string> array_style_names() {
  std::vector<std::string> names;
  for (const auto& entry : registry()) names.push_back(entry.first);
  return names;
}

}  // namespace dfsim
