// The registry of array styles by name (the architecture's `array:`). A style registers a
// descriptor from its own source file (a namespace-scope initializer); parse_arch asks it for
// the top-level keys it reads and lets it parse them, so adding a style edits no shared file.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace dfsim {

class ArrayStyle;  // arrays/array_style.hpp
class ConfigNode;
struct ArchConfig;
enum class Objective;

class ArrayStyleDescriptor {
 public:
  virtual ~ArrayStyleDescriptor() = default;
  // Top-level keys of an architecture file the style reads, besides the common ones (name,
  // description, array, pe_array, clocks, dram, idle_power_mw).
  virtual std::vector<std::string> keys() const = 0;
  // Parses and validates the style's keys into `arch`; errors name file:line:column and key.
  virtual void parse(const ConfigNode& root, ArchConfig& arch) const = 0;
  // The architecture in a few lines (`dfsim map` prints it).
  virtual void describe(std::ostream& os, const ArchConfig& arch) const = 0;
  // Bytes of on-chip storage (buffers, register files, registers holding data).
  virtual std::int64_t onchip_storage_bytes(const ArchConfig& arch) const = 0;
  // The style, with its mapper for `objective`.
  virtual std::unique_ptr<ArrayStyle> make(const ArchConfig& arch, Objective objective) const = 0;
};

// Adds a style; returns true so that a style can register from a namespace-scope
// initializer. Registering a name twice throws std::logic_error.
bool register_array_style(const std::string& name,
                          std::unique_ptr<const ArrayStyleDescriptor> descriptor);
// The style registered under `name`, or nullptr.
const ArrayStyleDescriptor* find_array_style(const std::string& name);
// The registered names, sorted.
std::vector<std::string> array_style_names();

}  // namespace dfsim
