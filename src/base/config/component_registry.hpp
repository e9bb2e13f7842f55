// Component implementations by role and name. An architecture's role section names the
// implementation it wants (`dram: {impl: bandwidth, ...}`; without `impl`, the role's default);
// an array style builds its roles with make_component, so a new implementation (say a DRAM with
// bank timing) registers from its own source file and edits no shared file.
#pragma once

#include <any>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace dfsim {

class ConfigNode;

struct ComponentImpl {
  std::string role;     // e.g. "dram"
  std::string name;     // e.g. "bandwidth"
  std::string summary;  // one line for `dfsim --help` and error messages
  // Extra keys of the role's section this implementation reads (besides the role's common
  // ones), and a check of their values at parse time (errors at their position); the
  // implementation reads them from the architecture's node when it is built.
  std::vector<std::string> keys;
  std::function<void(const ConfigNode& section)> check;
  // A std::function<std::unique_ptr<Role>(Args...)> (see make_component).
  std::any factory;
  // Optional, role-specific: what the implementation derives for the role's common settings
  // from its own keys (the dram role: a std::function<void(const ConfigNode&, DramConfig&)>
  // setting the figures the mappers' estimates read, arch_config.cpp).
  std::any derive = {};
  // Those of `keys` whose values name files (relative to the file that writes them): a
  // result's provenance writes them absolute and hashes the files' contents.
  std::vector<std::string> file_keys = {};
};

// Adds an implementation; returns true so that it can register from a namespace-scope
// initializer. A (role, name) pair registered twice throws std::logic_error.
bool register_component(ComponentImpl impl);
// The implementation of `role` named `name`, or nullptr.
const ComponentImpl* find_component(const std::string& role, const std::string& name);
// The names registered for `role`, sorted.
std::vector<std::string> component_names(const std::string& role);
// Every role with an implementation, sorted.
std::vector<std::string> component_roles();
// Reads a role section's `impl` key (default `dflt`): an unknown name fails at its position
// with the closest registered name and the list.
std::string parse_component_impl(const ConfigNode& section, const std::string& role,
                                 const std::string& dflt);

// Checks a role's section: reads `impl` (as parse_component_impl), accepts the role's common
// `keys` plus `impl` and the implementation's own keys (anything else is an unknown key with
// a suggestion), runs the implementation's check, and returns its name.
std::string parse_role_section(const ConfigNode& section, const std::string& role,
                               const std::string& dflt, std::vector<std::string> keys);

// Builds `role`'s implementation `name` with the factory's arguments; Args are the factory's
// parameter types exactly (give them explicitly).
template <class Role, class... Args>
std::unique_ptr<Role> make_component(const std::string& role, const std::string& name,
                                     Args... args) {
  const ComponentImpl* impl = find_component(role, name);
  if (!impl) throw std::logic_error("no " + role + " implementation '" + name + "'");
  using Factory = std::function<std::unique_ptr<Role>(Args...)>;
  const auto* factory = std::any_cast<Factory>(&impl->factory);
  if (!factory)
    throw std::logic_error(role + " implementation '" + name +
                           "' was registered with another factory signature");
  return (*factory)(std::forward<Args>(args)...);
}

}  // namespace dfsim
