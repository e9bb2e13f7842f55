#include "base/config/component_registry.hpp"

#include <map>

#include "base/config/config_node.hpp"

namespace dfsim {

namespace {

// Function-local so that registrations from other translation units' initializers find it
// constructed whatever the initialization order.
std::map<std::pair<std::string, std::string>, ComponentImpl>& registry() {
  static std::map<std::pair<std::string, std::string>, ComponentImpl> impls;
  return impls;
}

}  // namespace

bool register_component(ComponentImpl impl) {
  auto key = std::make_pair(impl.role, impl.name);
  if (!registry().emplace(key, std::move(impl)).second)
    throw std::logic_error(key.first + " implementation '" + key.second + "' registered twice");
  return true;
}

const ComponentImpl* find_component(const std::string& role, const std::string& name) {
  const auto it = registry().find({role, name});
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> component_names(const std::string& role) {
  std::vector<std::string> names;
  for (const auto& [key, impl] : registry())
    if (key.first == role) names.push_back(key.second);
  return names;
}

std::vector<std::string> component_roles() {
  std::vector<std::string> roles;
  for (const auto& [key, impl] : registry())
    if (roles.empty() || roles.back() != key.first) roles.push_back(key.first);
  return roles;
}

std::string parse_component_impl(const ConfigNode& section, const std::string& role,
                                 const std::string& dflt) {
  const std::string name = section.get_string("impl", dflt);
  if (find_component(role, name)) return name;
  std::string known;
  for (const std::string& n : component_names(role)) known += (known.empty() ? "" : ", ") + n;
  const std::string close = closest_match(name, component_names(role));
  const std::string msg = "unknown " + role + " implementation '" + name + "'" +
                          (close.empty() ? "" : " (did you mean '" + close + "'?)") +
                          "; registered: " + known;
  if (section.has("impl")) section.at("impl").fail(msg);
  section.fail(msg);
}

std::string parse_role_section(const ConfigNode& section, const std::string& role,
                               const std::string& dflt, std::vector<std::string> keys) {
  const std::string name = parse_component_impl(section, role, dflt);
  const ComponentImpl& impl = *find_component(role, name);
  keys.emplace_back("impl");
  keys.insert(keys.end(), impl.keys.begin(), impl.keys.end());
  section.expect_keys(keys);
  if (impl.check) impl.check(section);
  return name;
}

}  // namespace dfsim
