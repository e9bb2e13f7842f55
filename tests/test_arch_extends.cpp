// Architecture files that extend another (`extends: base.yaml` plus overrides,
// ConfigNode::load_file_extending): the merged architecture equals the base edited by hand,
// errors keep the file, line, column and key of the file the bad value was written in, chains
// work and cycles are refused, and a sweep over an extending file reaches inherited keys.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>

#include "arrays/row_stationary/rs_params.hpp"
#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "config_with.hpp"
#include "sweep/sweep_spec.hpp"
#include "test_util.hpp"

namespace {

using dfsim::ConfigError;
using dfsim_test::contains;
using dfsim_test::read_file;
using dfsim_test::source_path;
using dfsim_test::write_file;

std::string printed(const dfsim::ArchConfig& a) {
  std::ostringstream os;
  os << a;
  return os.str();
}

std::string error_of(const std::string& path) {
  try {
    dfsim::load_arch(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " loaded without an error";
  return "";
}

TEST(ArchExtends, OverridesMapByMapAndEqualsTheEditedBase) {
  const std::string dir = dfsim_test::fresh_dir("extends");
  const std::string derived = write_file(
      dir + "/small.yaml", "extends: " + source_path("configs/eyeriss_v1.yaml") +
                               "\nname: eyeriss_v1\npe_array: {rows: 6}\nglb: {banks: 19}\n");
  // The same two edits made by the product's own assignment.
  const std::string edited =
      dfsim_test::config_with("eyeriss_v1", {{"glb.banks", "19"}, {"pe_array.rows", "6"}});
  const dfsim::ArchConfig a = dfsim::load_arch(derived);
  const dfsim::ArchConfig b = dfsim::load_arch(write_file(dir + "/edited.yaml", edited));
  EXPECT_EQ(a.pe_rows, 6);
  EXPECT_EQ(a.pe_cols, 14);  // inherited from the base's pe_array
  EXPECT_EQ(dfsim::rs_params(a).glb.banks, 19);
  EXPECT_EQ(printed(a), printed(b));
  // Only the rows edited: the GLB override shows in the printed architecture.
  const std::string rows_only = write_file(
      dir + "/rows.yaml", dfsim_test::config_with("eyeriss_v1", {{"pe_array.rows", "6"}}));
  EXPECT_NE(printed(a), printed(dfsim::load_arch(rows_only)));
}

// Switching the shipped Eyeriss file from the scaled model to the fixed table: the section merges
// key by key, so the inherited calibration (which per_action_pj does not take) is removed with an
// empty value; a section naming the same model extends the inherited calibration.
TEST(ArchExtends, EnergySectionSwitchedOrExtended) {
  const std::string dir = dfsim_test::fresh_dir("extends_energy");
  const std::string base = "extends: " + source_path("configs/eyeriss_v1.yaml") + "\nname: e\n";
  const dfsim::ArchConfig fixed = dfsim::load_arch(
      write_file(dir + "/fixed.yaml", base + "energy: {impl: per_action_pj, calibration: ~}\n"));
  EXPECT_EQ(fixed.energy_impl, "per_action_pj");
  EXPECT_FALSE(fixed.node->at("energy").has("calibration"));
  const std::string err =
      error_of(write_file(dir + "/kept.yaml", base + "energy: {impl: per_action_pj}\n"));
  EXPECT_TRUE(contains(err, "energy.calibration: unknown key 'calibration'")) << err;
  const dfsim::ArchConfig same = dfsim::load_arch(
      write_file(dir + "/same.yaml", base + "energy: {impl: scaled, calibration: {mac: 2}}\n"));
  EXPECT_EQ(same.energy_impl, "scaled");
  const dfsim::ConfigNode cal = same.node->at("energy").at("calibration");
  EXPECT_EQ(cal.get_double("mac"), 2);
  EXPECT_EQ(cal.get_double("glb"), 1.08);  // inherited
}

TEST(ArchExtends, RelativeChainOfThree) {
  const std::string dir = dfsim_test::fresh_dir("extends_chain");
  write_file(dir + "/base.yaml", read_file(source_path("configs/eyeriss_v1.yaml")));
  write_file(dir + "/mid.yaml", "extends: base.yaml\npe_array: {cols: 7}\n");
  std::filesystem::create_directories(dir + "/sub");
  write_file(dir + "/sub/top.yaml", "extends: ../mid.yaml\nname: top\npe_array: {rows: 3}\n");
  const dfsim::ArchConfig a = dfsim::load_arch(dir + "/sub/top.yaml");
  EXPECT_EQ(a.name, "top");
  EXPECT_EQ(a.pe_rows, 3);
  EXPECT_EQ(a.pe_cols, 7);
  EXPECT_EQ(a.array, "row_stationary");
}

TEST(ArchExtends, ErrorsNameTheFileTheValueIsWrittenIn) {
  const std::string dir = dfsim_test::fresh_dir("extends_errors");
  // A bad key in the extending file: its own file, line and column.
  write_file(dir + "/base.yaml", read_file(source_path("configs/eyeriss_v1.yaml")));
  write_file(dir + "/typo.yaml", "extends: base.yaml\nname: t\nglb: {bankz: 3}\n");
  std::string err = error_of(dir + "/typo.yaml");
  EXPECT_TRUE(contains(err, "typo.yaml:3:7: glb.bankz: unknown key 'bankz'")) << err;
  EXPECT_TRUE(contains(err, "did you mean 'banks'")) << err;
  // A bad value inherited from the base: the base's file and line.
  const std::string bad_base = dfsim_test::config_with("eyeriss_v1", {{"pe_array.rows", "0"}});
  write_file(dir + "/bad_base.yaml", bad_base);
  write_file(dir + "/inherits.yaml", "extends: bad_base.yaml\nname: i\n");
  err = error_of(dir + "/inherits.yaml");
  int line = 1;
  for (std::size_t i = 0; i < bad_base.find("rows: 0"); ++i) line += bad_base[i] == '\n';
  EXPECT_TRUE(contains(err, "bad_base.yaml:" + std::to_string(line) + ":")) << err;
  EXPECT_TRUE(contains(err, "pe_array.rows")) << err;
  // Overriding the bad value fixes it.
  write_file(dir + "/fixed.yaml", "extends: bad_base.yaml\npe_array: {rows: 4}\n");
  EXPECT_EQ(dfsim::load_arch(dir + "/fixed.yaml").pe_rows, 4);
}

TEST(ArchExtends, CyclesAndMissingFilesAreRefused) {
  const std::string dir = dfsim_test::fresh_dir("extends_cycle");
  write_file(dir + "/a.yaml", "extends: b.yaml\nname: a\n");
  write_file(dir + "/b.yaml", "extends: a.yaml\nname: b\n");
  std::string err = error_of(dir + "/a.yaml");
  EXPECT_TRUE(contains(err,
                       "b.yaml:1:10: extends: extends 'a.yaml', which extends this file "
                       "again (a cycle)"))
      << err;
  write_file(dir + "/self.yaml", "extends: self.yaml\n");
  EXPECT_TRUE(contains(error_of(dir + "/self.yaml"), "(a cycle)"));
  write_file(dir + "/missing.yaml", "name: m\nextends: nowhere.yaml\n");
  err = error_of(dir + "/missing.yaml");
  EXPECT_TRUE(contains(err, "missing.yaml:2:10: extends: cannot open")) << err;
  EXPECT_TRUE(contains(err, "nowhere.yaml")) << err;
}

TEST(ArchExtends, AnEmptyValueRemovesTheInheritedKey) {
  const std::string dir = dfsim_test::fresh_dir("extends_remove");
  // The base has a dram key of another implementation; the derived file removes it.
  write_file(dir + "/base.yaml",
             dfsim_test::config_with("eyeriss_v1", {{"dram.max_request_bytes", "4096"}}));
  write_file(dir + "/derived.yaml", "extends: base.yaml\ndram: {max_request_bytes: ~}\n");
  EXPECT_EQ(dfsim::load_arch(dir + "/derived.yaml").dram.max_request_bytes, 2048);  // default
  EXPECT_EQ(dfsim::load_arch(dir + "/base.yaml").dram.max_request_bytes, 4096);
  // A section of another style removed while the array changes is not an unknown key; one
  // left in place is, at its position in the extended file.
  write_file(dir + "/to_tpu.yaml",
             "extends: base.yaml\narray: weight_stationary_systolic\nglb: ~\n");
  const std::string err = error_of(dir + "/to_tpu.yaml");
  EXPECT_TRUE(contains(err, "base.yaml:")) << err;
  EXPECT_FALSE(contains(err, "'glb'")) << err;
}

TEST(ArchExtends, ExtendingAFolderOrNothingIsRefusedAtItsPosition) {
  const std::string dir = dfsim_test::fresh_dir("extends_folder");
  write_file(dir + "/folder.yaml", "name: f\nextends: .\n");
  std::string err = error_of(dir + "/folder.yaml");
  EXPECT_TRUE(contains(err, "folder.yaml:2:10: extends: cannot open")) << err;
  write_file(dir + "/empty.yaml", "name: f\nextends: ''\n");
  err = error_of(dir + "/empty.yaml");
  EXPECT_TRUE(contains(err, "empty.yaml:2:10: extends: cannot open")) << err;
}

TEST(ArchExtends, SweepReachesInheritedKeys) {
  const std::string dir = dfsim_test::fresh_dir("extends_sweep");
  write_file(dir + "/small.yaml",
             "extends: " + source_path("configs/eyeriss_v1.yaml") + "\nname: small\n");
  write_file(dir + "/tiny.yaml",
             "network: t\nlayers:\n  - {name: c, C: 2, M: 2, H: 4, W: 4, "
             "R: 1, S: 1}\n");
  const std::string spec = write_file(
      dir + "/sweep.yaml",
      "sweep: s\nbase_arch: small.yaml\nworkloads:\n  - {file: tiny.yaml}\n"
      "parameters:\n  - {key: glb.banks, values: [11, 19]}\nobjectives: [energy, latency]\n");
  // A bad inherited value stops the sweep with the extended file's position.
  write_file(dir + "/bad_base.yaml", dfsim_test::config_with("eyeriss_v1", {{"glb.banks", "1"}}));
  write_file(dir + "/bad.yaml", "extends: bad_base.yaml\nname: bad\n");
  const std::string bad_spec = write_file(
      dir + "/bad_sweep.yaml",
      "sweep: b\nbase_arch: bad.yaml\nworkloads:\n  - {file: tiny.yaml}\n"
      "parameters:\n  - {key: pe_array.rows, values: [4, 8]}\nobjectives: [energy, latency]\n");
  try {
    dfsim::load_sweep_spec(bad_spec, true);
    ADD_FAILURE() << "accepted glb.banks: 1";
  } catch (const ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), "bad_base.yaml:")) << e.what();
    EXPECT_TRUE(contains(e.what(), "glb.banks")) << e.what();
  }
  const dfsim::SweepSpec s = dfsim::load_sweep_spec(spec, true);
  const std::vector<dfsim::SweepPoint> points = dfsim::enumerate_points(s);
  ASSERT_EQ(points.size(), 2U);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const dfsim::ArchConfig a = dfsim::load_arch_from_string(points[i].arch_text, spec);
    EXPECT_EQ(a.name, "small");
    EXPECT_EQ(dfsim::rs_params(a).glb.banks, i == 0 ? 11 : 19);
    EXPECT_EQ(a.pe_rows, 12);  // inherited
  }
}

}  // namespace
