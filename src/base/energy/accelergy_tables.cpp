// The "accelergy" energy model: prices and areas imported from the tables Accelergy writes
// (Wu et al., ICCAD 2019; the ERT, energy per action in pJ, and the ART, area per component in
// um^2, of `accelergy` runs):
//
//   energy:
//     impl: accelergy
//     ert: ERT.yaml            # relative to the file that names it
//     art: ART.yaml            # optional
//     names: {glb: system.eyeriss.shared_glb}   # optional: part -> table
//
// A sized part takes the table whose name is the part's, or whose last component is (ignoring
// an instance range such as `PE[0..167]`), unless `names` says otherwise. Its actions map to the
// table's: a `.read` action to `read`, a `.write` action to `write`, another storage action
// (weight_fifo.bit, accumulator.access) to the mean of the two; a MAC to `mac_random`, `mac` or
// `compute`; a multiplier to `multiply` or `compute`; an adder to `add` or `compute`. An action
// listed several times (one entry per argument combination) costs its most expensive entry, the
// random access. A table's price is per access of the part's width, so an action counted in bits
// costs it / width_bits. Parts and actions the tables do not price keep their keys' prices; the
// ART gives each part's area per instance.
#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"

namespace dfsim {

namespace {

// `system.eyeriss.PE[0..167].ifmap_spad` -> `ifmap_spad` (instance ranges removed first:
// `PE[0..15].mac[0..3]` -> `mac`).
std::string last_component(const std::string& name) {
  std::string plain;
  int depth = 0;
  for (char c : name) {
    if (c == '[') ++depth;
    if (depth == 0) plain += c;
    if (c == ']' && depth > 0) --depth;
  }
  const std::size_t dot = plain.rfind('.');
  return dot == std::string::npos ? plain : plain.substr(dot + 1);
}

// The `tables` of an ERT or ART file (top-level key `ERT` or `ART`).
std::vector<ConfigNode> tables_of(const std::string& path, const char* top) {
  const ConfigNode root = ConfigNode::load_file(path);
  root.expect_map();
  const ConfigNode body = root.at(top);
  body.expect_keys({"version", "tables"});
  std::vector<ConfigNode> out = body.at("tables").items();
  for (const ConfigNode& t : out) t.get_string("name");
  return out;
}

// The file `node` names, which must exist (an error at the node otherwise).
std::string existing(const ConfigNode& node) {
  const std::string path = node.as_path();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) node.fail("cannot open '" + path + "'");
  return path;
}

class AccelergyTables : public EnergyModel {
 public:
  explicit AccelergyTables(const ConfigNode& section) : section_(section) {
    for (const ConfigNode& t : tables_of(existing(section.at("ert")), "ERT")) read_ert_table(t);
    if (auto art = section.find("art"))
      for (const ConfigNode& t : tables_of(existing(*art), "ART")) {
        t.expect_keys({"name", "area"});
        area_um2_[t.get_string("name")] = t.get_double_min("area", 0.0);
      }
    for (const auto& [n, a] : energy_) table_names_.push_back(n);
    for (const auto& [n, a] : area_um2_) table_names_.push_back(n);
  }

  double pj_per_unit(const PricedAction& action, const HardwarePart* part) const override {
    if (!part) return action.pj;
    const auto table = energy_.find(table_of(*part));
    if (table == energy_.end()) return action.pj;
    const std::optional<double> per_access = price_of(action, *part, table->second);
    if (!per_access) return action.pj;
    return action.unit == "bit" ? *per_access / part->width_bits : *per_access;
  }

  std::optional<double> area_mm2(const HardwarePart& part) const override {
    const auto a = area_um2_.find(table_of(part));
    if (a == area_um2_.end()) return std::nullopt;
    return a->second * 1e-6 * static_cast<double>(part.instances);
  }

  // Every `names` entry names a part of the array and a table of the ERT or ART, and no part
  // matches two tables by its last component.
  void check_parts(const EnergyTable& table) const override {
    const auto names = section_.find("names");
    for (const HardwarePart& p : table.parts()) {
      if (names && names->has(p.name)) continue;
      std::vector<std::string> matches;
      for (const std::string& n : table_names_)
        if ((n == p.name || last_component(n) == p.name) &&
            std::find(matches.begin(), matches.end(), n) == matches.end())
          matches.push_back(n);
      if (matches.size() > 1)
        section_.at("ert").fail("tables '" + matches[0] + "' and '" + matches[1] +
                                "' both match part '" + p.name + "': name one in energy.names");
    }
    if (!names) return;
    std::vector<std::string> parts;
    for (const HardwarePart& p : table.parts()) parts.push_back(p.name);
    for (const std::string& part : names->keys()) {
      if (std::find(parts.begin(), parts.end(), part) == parts.end()) {
        const std::string close = closest_match(part, parts);
        names->at(part).fail("no part '" + part + "' in this array" +
                             (close.empty() ? "" : " (did you mean '" + close + "'?)"));
      }
      const std::string t = names->get_string(part);
      if (!energy_.count(t) && !area_um2_.count(t))
        names->at(part).fail("no table '" + t + "' in the ERT or ART");
    }
  }

 private:
  void read_ert_table(const ConfigNode& t) {
    t.expect_keys({"name", "actions"});
    std::map<std::string, double>& actions = energy_[t.get_string("name")];
    for (const ConfigNode& a : t.at("actions").items()) {
      a.expect_keys({"name", "arguments", "energy"});
      const double pj = a.get_double_min("energy", 0.0);
      double& best = actions[a.get_string("name")];
      best = std::max(best, pj);  // the most expensive argument combination
    }
  }

  // The table a part takes: `names`, else the table named as the part or ending with it.
  std::string table_of(const HardwarePart& part) const {
    if (auto names = section_.find("names"); names && names->has(part.name))
      return names->get_string(part.name);
    for (const std::string& n : table_names_)
      if (n == part.name || last_component(n) == part.name) return n;
    return "";
  }

  // The table's price of one access or operation for `action`, if it lists one.
  static std::optional<double> price_of(const PricedAction& action, const HardwarePart& part,
                                        const std::map<std::string, double>& t) {
    const auto first_of = [&](std::initializer_list<const char*> names) -> std::optional<double> {
      for (const char* n : names)
        if (auto it = t.find(n); it != t.end()) return it->second;
      return std::nullopt;
    };
    const auto ends_with = [&](const char* s) {
      const std::string suffix = s;
      return action.name.size() >= suffix.size() &&
             action.name.compare(action.name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    switch (part.kind) {
      case PartKind::Storage: {
        const auto read = first_of({"read"}), write = first_of({"write"});
        if (ends_with(".read")) return read;
        if (ends_with(".write")) return write;
        if (read && write) return (*read + *write) / 2;
        return read ? read : write;
      }
      case PartKind::Mac:
        return first_of({"mac_random", "mac", "compute"});
      case PartKind::Multiplier:
        return first_of({"multiply", "compute"});
      case PartKind::Adder:
        return first_of({"add", "compute"});
      case PartKind::Crossbar:
        return first_of({"transfer", "compute"});
    }
    return std::nullopt;
  }

  ConfigNode section_;
  std::map<std::string, std::map<std::string, double>> energy_;  // table -> action -> pJ
  std::map<std::string, double> area_um2_;                       // table -> um^2 per instance
  std::vector<std::string> table_names_;                         // the ERT's, then the ART's
};

const bool registered = register_component(
    {"energy",
     "accelergy",
     "prices and areas from Accelergy's ERT and ART files (docs/energy-area.md)",
     {"ert", "art", "names"},
     [](const ConfigNode& section) {
       section.get_string("ert");
       if (auto art = section.find("art")) art->as_string();
       if (auto names = section.find("names"))
         for (const std::string& part : names->keys()) names->get_string(part);
     },
     EnergyModelFactory([](const ArchConfig& arch) -> std::unique_ptr<EnergyModel> {
       return std::make_unique<AccelergyTables>(arch.node->at("energy"));
     }),
     {},
     {"ert", "art"}});

}  // namespace

}  // namespace dfsim
