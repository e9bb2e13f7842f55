// Energy priced once from action counts (base/energy/energy_table.hpp): the table's arithmetic,
// and every shipped array style's stats.json, whose energy columns must be the sums of its
// actions, each priced by the architecture key the action names.

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "base/config/config_node.hpp"
#include "base/energy/energy_table.hpp"
#include "config_with.hpp"
#include "test_util.hpp"

namespace {

using dfsim::ActionCounts;
using dfsim::EnergyLevel;
using dfsim::EnergyTable;

TEST(EnergyTable, PricesCountsByLevelInTableOrder) {
  EnergyTable t;
  const auto dram = t.add("dram.bit", "bit", EnergyLevel::Dram, "dram.energy_pj_per_bit", 8);
  const auto rd = t.add("glb.read", "bit", EnergyLevel::Glb, "glb.read_energy_pj_per_bit", 0.5);
  const auto wr = t.add("glb.write", "bit", EnergyLevel::Glb, "glb.write_energy_pj_per_bit", 0.25);
  const auto mac = t.add("pe.mac", "MAC", EnergyLevel::Mac, "pe.mac_energy_pj", 2);
  EXPECT_EQ(t.size(), 4u);
  ActionCounts n(t);
  n.add(dram, 100);
  n.add(rd, 64);
  n.add(wr, 32);
  n.add(wr, 32);
  n.add(mac, 7);
  const dfsim::LevelEnergy e = dfsim::price(t, n);
  EXPECT_EQ(e[static_cast<int>(EnergyLevel::Dram)], 800);
  EXPECT_EQ(e[static_cast<int>(EnergyLevel::Glb)], 64 * 0.5 + 64 * 0.25);
  EXPECT_EQ(e[static_cast<int>(EnergyLevel::Noc)], 0);
  EXPECT_EQ(e[static_cast<int>(EnergyLevel::Mac)], 14);
  EXPECT_EQ(dfsim::total_pj(e), 800 + 48 + 14);
  EXPECT_EQ(dfsim::sum_pj(t, n), 800 + 48 + 14);
  std::ostringstream os;
  dfsim::print_energy_table(os, t);
  EXPECT_TRUE(dfsim_test::contains(os.str(), "glb.write_energy_pj_per_bit"));
}

TEST(EnergyTable, RefusesDuplicatesForeignCountsAndUnknownIds) {
  EnergyTable t;
  t.add("dram.bit", "bit", EnergyLevel::Dram, "dram.energy_pj_per_bit", 8);
  EXPECT_THROW(t.add("dram.bit", "bit", EnergyLevel::Dram, "x", 1), std::logic_error);
  EnergyTable other;
  other.add("a", "bit", EnergyLevel::Noc, "a", 1);
  other.add("b", "bit", EnergyLevel::Noc, "b", 1);
  const ActionCounts foreign(other);
  EXPECT_THROW(dfsim::price(t, foreign), std::logic_error);
  EXPECT_THROW(dfsim::sum_pj(t, foreign), std::logic_error);
  ActionCounts n(t);
  EXPECT_THROW(n.add(1, 1), std::out_of_range);
  for (std::size_t i = 1; i < dfsim::kMaxActions; ++i)
    t.add("x" + std::to_string(i), "bit", EnergyLevel::Rf, "x", 1);
  EXPECT_THROW(t.add("one_more", "bit", EnergyLevel::Rf, "x", 1), std::logic_error);
}

// The price the architecture file gives `dotted` (e.g. "glb.read_energy_pj_per_bit"); a key the
// file leaves out defaults to 0 (idle_power_mw).
double price_in(const YAML::Node& arch, const std::string& dotted) {
  // The device energy a JEDEC DRAM model computes is counted in pJ, 1 pJ per unit.
  if (dotted == "dram.impl") return 1.0;
  YAML::Node n = YAML::Clone(arch);
  std::stringstream ss(dotted);
  for (std::string part; std::getline(ss, part, '.');) {
    if (!n[part]) return 0;
    n.reset(n[part]);  // rebinds (operator= would overwrite the node's value)
  }
  return n.as<double>();
}

// The counts behind the prices, against the layer's traffic and MACs (computed by the
// statistics from the same components, independently of the table): DRAM bits, the glb
// level's bits read and written, the layer's time, and the MAC-level counts.
void expect_counts_match_traffic(const YAML::Node& layer, const std::string& what) {
  const YAML::Node actions = layer["actions"];
  auto count = [&](const std::string& name) { return actions[name]["count"].as<double>(); };
  double glb_read = 0, glb_write = 0;
  for (const auto& a : actions) {
    const std::string name = a.first.as<std::string>();
    if (a.second["level"].as<std::string>() != "glb") continue;
    const bool read = name.size() > 5 && name.compare(name.size() - 5, 5, ".read") == 0;
    (read ? glb_read : glb_write) += a.second["count"].as<double>();
  }
  const YAML::Node glb = layer["levels"]["glb"];
  EXPECT_EQ(count("dram.bit"),
            8 * (layer["dram_read_bytes"].as<double>() + layer["dram_write_bytes"].as<double>()))
      << what;
  // A JEDEC DRAM's device energy: what its command and background statistics add up to.
  if (actions["dram.device"]) {
    EXPECT_NEAR(count("dram.device"),
                layer["dram_device"]["all_channels"]["energy_pj"]["total"].as<double>(),
                1e-6 * count("dram.device"))
        << what;
  }
  EXPECT_EQ(glb_read, 8 * glb["read_bytes"].as<double>()) << what;
  EXPECT_EQ(glb_write, 8 * glb["write_bytes"].as<double>()) << what;
  EXPECT_NEAR(count("idle"), layer["seconds"].as<double>() * 1e9, 1e-6) << what;
  const double macs = layer["macs"].as<double>(), gated = layer["gated_macs"].as<double>();
  if (actions["filter_spad.read"]) {  // row stationary: every MAC not gated
    EXPECT_EQ(count("pe.mac"), macs - gated) << what;
  } else if (actions["pe.multiply"]) {  // planar: every product formed, reduced as counted
    const YAML::Node counts = layer["counts"];
    EXPECT_EQ(count("pe.multiply"), counts["products"].as<double>()) << what;
    EXPECT_EQ(count("pe.add"), count("crossbar.product") > 0
                                   ? counts["useful_products"].as<double>()
                                   : counts["products"].as<double>())
        << what;
  } else {  // systolic: one count per 8-bit pass of every MAC
    EXPECT_GE(count("pe.mac"), macs) << what;
    EXPECT_EQ(std::fmod(count("pe.mac"), macs), 0) << what;
  }
}

// The statistics tree: every component sits in one of the four levels, and each level's bytes
// by data type are the sums of its components' (set_levels; the JSON must say the same).
void expect_components_sum_to_levels(const YAML::Node& layer, const std::string& what) {
  std::map<std::string, std::map<std::string, double>> sums;  // level -> field -> bytes
  int components = 0;
  for (const auto& c : layer["components"]) {
    const std::string level = c.second["level"].as<std::string>();
    ASSERT_TRUE(layer["levels"][level])
        << what << " " << c.first.as<std::string>() << " in " << level;
    for (const auto& t : c.second["by_type"])
      for (const char* f : {"read_bytes", "write_bytes", "reads", "writes"})
        sums[level][t.first.as<std::string>() + "." + f] += t.second[f].as<double>();
    ++components;
  }
  EXPECT_GE(components, 2) << what;
  for (const char* level : {"dram", "glb", "noc", "rf"})
    for (const auto& t : layer["levels"][level]["by_type"])
      for (const char* f : {"read_bytes", "write_bytes", "reads", "writes"})
        EXPECT_EQ(sums[level][t.first.as<std::string>() + "." + f], t.second[f].as<double>())
            << what << " " << level << " " << t.first.as<std::string>() << " " << f;
}

// Each style's components (name:level, in order) and its names for the four levels: a
// component left out, added twice or put in another level changes the list.
void expect_style_components(const std::string& array, const YAML::Node& stats,
                             const std::string& what) {
  static const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"row_stationary",
       {"dram:dram glb:glb filter_gin:noc ifmap_gin:noc psum_gin:noc gon:noc psum_links:noc "
        "spads:rf",
        "DRAM GLB NoC RF"}},
      {"weight_stationary_systolic",
       {"weight_memory:dram unified_buffer:glb accumulators:glb weight_fifo:noc hops:noc "
        "weight_shift:noc",
        "DRAM UB+A NoC RF"}},
      {"planar_tiled",
       {"dram:dram iaram:glb oaram:glb weight_bus:noc halo_network:noc crossbar:noc "
        "weight_fifo:rf accumulators:rf ppu:rf",
        "DRAM ARAM NoC PE"}},
      {"no_local_reuse", {"dram:dram glb:glb noc:noc", "DRAM GLB NoC RF"}},
      {"output_stationary", {"dram:dram glb:glb noc:noc pe_rf:rf", "DRAM GLB NoC RF"}},
      {"weight_stationary_broadcast", {"dram:dram glb:glb noc:noc pe_rf:rf", "DRAM GLB NoC RF"}}};
  ASSERT_EQ(expected.count(array), 1u) << what << ": " << array;
  for (const YAML::Node& layer : {stats["layers"][0], stats["total"]}) {
    std::string components;
    for (const auto& c : layer["components"])
      components += (components.empty() ? "" : " ") + c.first.as<std::string>() + ":" +
                    c.second["level"].as<std::string>();
    EXPECT_EQ(components, expected.at(array).first) << what;
  }
  std::string names;
  for (const char* level : {"dram", "glb", "noc", "rf"})
    names += (names.empty() ? "" : " ") + stats["level_names"][level].as<std::string>();
  EXPECT_EQ(names, expected.at(array).second) << what;
}

void expect_priced_by_keys(const YAML::Node& arch, const YAML::Node& layer,
                           const std::string& what) {
  const YAML::Node actions = layer["actions"];
  ASSERT_TRUE(actions && actions.size() > 0) << what;
  std::map<std::string, double> by_level;
  for (const auto& a : actions) {
    const std::string name = a.first.as<std::string>(), key = a.second["key"].as<std::string>();
    const double count = a.second["count"].as<double>(), pj = a.second["pj_per_unit"].as<double>();
    const double energy = a.second["energy_pj"].as<double>();
    EXPECT_GE(count, 0) << what << " " << name;
    // A sized part under the scaled model costs its key's price at the sizes its calibration
    // was derived at (factors rounded to three digits), scaled by the model elsewhere: DCNN's
    // 16 KB activation RAMs use SCNN's factors for 10 KB ones, and an SRAM's energy grows as
    // sqrt(capacity) below 32 KB. Everything else costs its key's price exactly.
    if (a.second["part"] && arch["energy"] &&
        arch["energy"]["impl"].as<std::string>() == "scaled") {
      const std::string part = a.second["part"].as<std::string>();
      const bool dcnn_ram = arch["name"].as<std::string>().rfind("dcnn", 0) == 0 &&
                            (part == "iaram" || part == "oaram");
      EXPECT_NEAR(pj / price_in(arch, key), dcnn_ram ? std::sqrt(16.0 / 10) : 1.0, 0.005)
          << what << " " << name << " (" << key << ")";
    } else {
      EXPECT_DOUBLE_EQ(pj, price_in(arch, key)) << what << " " << name << " priced by " << key;
    }
    EXPECT_NEAR(energy, count * pj, 1e-8 * std::max(1.0, energy)) << what << " " << name;
    by_level[a.second["level"].as<std::string>()] += energy;
  }
  double total = 0;
  for (const char* level : {"dram", "glb", "noc", "rf", "mac", "idle"}) {
    const double column = layer["energy_pj"][level].as<double>();
    EXPECT_NEAR(column, by_level[level], 1e-8 * std::max(1.0, column)) << what << " " << level;
    total += column;
  }
  EXPECT_NEAR(layer["energy_pj"]["total"].as<double>(), total, 1e-8 * total) << what;
  EXPECT_GT(by_level["dram"], 0) << what;
  EXPECT_GT(by_level["mac"], 0) << what;
  expect_counts_match_traffic(layer, what);
}

// Every shipped style: the levels are the sums of the components, the energy columns the
// sums of the actions, each action's energy is
// its count times the price at the key it names in the architecture file, per layer and total.
TEST(EnergyFromActions, EveryShippedStylePricesItsCountsByTheKeysItNames) {
  int archs = 0;
  for (const auto& [name, path] : dfsim_test::shipped_architectures()) {
    const std::string dir = dfsim_test::fresh_dir("energy_" + name);
    const auto r = dfsim_test::dfsim("run --arch '" + path + "' --workload '" +
                                         dfsim_test::source_path("workloads/lenet5.yaml") +
                                         "' --out '" + dir + "'",
                                     dir);
    ASSERT_EQ(r.code, 0) << dfsim_test::describe(r);
    // The file as the program reads it (a variant's `extends:` resolved).
    const YAML::Node arch = dfsim::ConfigNode::load_file_extending(path).merged();
    const YAML::Node stats = YAML::LoadFile(dir + "/stats.json");
    for (const auto& layer : stats["layers"]) {
      expect_priced_by_keys(arch, layer, name + " " + layer["name"].as<std::string>());
      expect_components_sum_to_levels(layer, name + " " + layer["name"].as<std::string>());
    }
    expect_priced_by_keys(arch, stats["total"], name + " total");
    expect_components_sum_to_levels(stats["total"], name + " total");
    expect_style_components(arch["array"].as<std::string>(), stats, name);
    ++archs;
  }
  EXPECT_EQ(archs, 12);
}

// The mapper's estimate prices its predicted counts with the same table (here the fixed table,
// per_action_pj, whose prices are the keys): on the systolic array
// the estimate counts exactly the 8-bit MAC passes the matrix unit performs, so raising the MAC
// price moves the estimate by exactly what it moves the simulated MAC energy.
TEST(EnergyFromActions, EstimateAndSimulationShareTheTable) {
  auto run = [](const std::string& mac_pj, const std::string& tag) {
    const std::string dir = dfsim_test::fresh_dir("energy_share_" + tag);
    const std::string arch = dfsim_test::write_file(
        dir + "/tpu.yaml", dfsim_test::config_with("tpu_v1", {{"energy", "{impl: per_action_pj}"},
                                                              {"pe.mac_energy_pj", mac_pj}}));
    const auto r = dfsim_test::dfsim("run --arch '" + arch + "' --workload '" +
                                         dfsim_test::source_path("workloads/lenet5.yaml") +
                                         "' --out '" + dir + "'",
                                     dir);
    EXPECT_EQ(r.code, 0) << dfsim_test::describe(r);
    return YAML::LoadFile(dir + "/stats.json")["total"];
  };
  const YAML::Node base = run("0.2", "base"), dear = run("1.7", "dear");
  const double mac_base = base["energy_pj"]["mac"].as<double>();
  const double mac_dear = dear["energy_pj"]["mac"].as<double>();
  ASSERT_GT(mac_base, 0);
  EXPECT_NEAR(mac_dear / mac_base, 1.7 / 0.2, 1e-9);
  for (const char* level : {"dram", "glb", "noc", "rf", "idle"})
    EXPECT_EQ(base["energy_pj"][level].as<double>(), dear["energy_pj"][level].as<double>())
        << level;
  const double est_delta =
      dear["estimate"]["energy_pj"].as<double>() - base["estimate"]["energy_pj"].as<double>();
  EXPECT_NEAR(est_delta, mac_dear - mac_base, 1e-6 * (mac_dear - mac_base));
  EXPECT_EQ(base["cycles"].as<std::int64_t>(), dear["cycles"].as<std::int64_t>());
}

}  // namespace
