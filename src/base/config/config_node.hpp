// Checked access to YAML documents: every error names the file, line, column and key path.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dfsim {

// The one error type for bad user input (configs, workloads, mappings, CLI values).
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(const std::string& msg) : std::runtime_error(msg) {}
};

// The whole of an input file (architecture, workload, .npy, ONNX): a regular file, or a pipe
// or FIFO with a writer (bash's `<(...)`). A path that is missing, a directory, a device or
// socket (which may never end), or a FIFO no process writes to within 1.5 s is a ConfigError
// naming it.
std::string read_input_file(const std::string& path);

// A YAML node plus where it came from. Cheap to copy.
class ConfigNode {
 public:
  // Parses a file; a missing file or a syntax error throws ConfigError with the position.
  static ConfigNode load_file(const std::string& path);
  // Parses text (used by tests and for in-memory overrides); `origin` stands in for a file name.
  static ConfigNode load_string(const std::string& text, const std::string& origin);
  // Loads a file that may start from another: a top-level `extends: other.yaml` (relative to
  // the file's folder) makes every key of the other file a default that this file overrides,
  // map by map (a list or a scalar replaces the base's whole value; an empty value, `key: ~`,
  // removes it). Chains are followed; a cycle is an error. Each node keeps the file, line and
  // column it was written at.
  static ConfigNode load_file_extending(const std::string& path);
  // The same for text whose `extends:` is relative to `origin`'s folder.
  static ConfigNode load_string_extending(const std::string& text, const std::string& origin);
  // The document with every `extends:` resolved, as one YAML tree (for writing it out).
  YAML::Node merged() const;

  const std::string& file() const { return *file_; }
  const std::string& path() const { return path_; }
  // This file's own node (without what an `extends:` base adds).
  const YAML::Node& raw() const { return node_; }
  // "file:line:col" of this node (1-based), or just the file name if the node has no mark.
  std::string where() const;

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }

  bool has(const std::string& key) const;
  ConfigNode at(const std::string& key) const;  // required: error "missing key"
  std::optional<ConfigNode> find(const std::string& key) const;
  std::vector<ConfigNode> items() const;  // a sequence's elements: error if not a sequence
  std::vector<std::string> keys() const;  // a map's keys in document order

  // Scalar conversions; a wrong type gives "expected an integer, got 'abc'".
  std::int64_t as_int() const;
  double as_double() const;
  bool as_bool() const;
  std::string as_string() const;
  // A file path, resolved against the folder of the file that wrote it (absolute ones as written).
  std::string as_path() const;
  // The YAML spellings of a boolean that as_bool accepts (true/yes/on, false/no/off).
  static std::optional<bool> bool_spelling(const std::string& scalar);

  std::int64_t get_int(const std::string& key) const { return at(key).as_int(); }
  std::int64_t get_int(const std::string& key, std::int64_t dflt) const;
  double get_double(const std::string& key) const { return at(key).as_double(); }
  double get_double(const std::string& key, double dflt) const;
  bool get_bool(const std::string& key, bool dflt) const;
  std::string get_string(const std::string& key) const { return at(key).as_string(); }
  std::string get_string(const std::string& key, const std::string& dflt) const;

  // Range-checked integers: "must be >= 1, got 0". No count or size dfsim takes exceeds
  // kMaxConfigInt (products of two stay far from overflow); get_int_range bounds a key more
  // tightly where the model cannot hold more.
  static constexpr std::int64_t kMaxConfigInt = 2147483647;  // 2^31 - 1
  std::int64_t get_int_min(const std::string& key, std::int64_t min) const;
  std::int64_t get_int_min(const std::string& key, std::int64_t min, std::int64_t dflt) const;
  std::int64_t get_int_range(const std::string& key, std::int64_t min, std::int64_t max) const;
  std::int64_t get_int_range(const std::string& key, std::int64_t min, std::int64_t max,
                             std::int64_t dflt) const;
  double get_double_min(const std::string& key, double min, bool inclusive = true) const;
  double get_double_min(const std::string& key, double min, double dflt) const;
  // A string that must be one of `choices`; suggests the closest.
  std::string get_choice(const std::string& key, const std::vector<std::string>& choices,
                         std::optional<std::string> dflt = std::nullopt) const;

  // Rejects keys not in `allowed`, suggesting the closest allowed key.
  void expect_keys(const std::vector<std::string>& allowed) const;
  void expect_map() const;

  [[noreturn]] void fail(const std::string& msg) const;

 private:
  ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path);
  ConfigNode child_node(const YAML::Node& n, const std::string& child_path) const;
  static ConfigNode extending(ConfigNode own, std::vector<std::string>& chain);
  // Does an empty value here remove the key the extended file gives?
  bool erases(const std::string& key) const;
  void expect_keys_except(const std::vector<std::string>& allowed,
                          std::vector<std::string> erased) const;

  YAML::Node node_;
  std::shared_ptr<const std::string> file_;
  std::string path_;
  // The node at the same path of the file this one extends, when both are maps.
  std::shared_ptr<const ConfigNode> base_;
};

// The closest of `candidates` to `word` by edit distance, or "" if none is reasonably close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace dfsim
