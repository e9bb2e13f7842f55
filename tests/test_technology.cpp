// The size-aware energy and area model (base/energy/technology.hpp) and the `scaled` energy
// model that prices each style's sized parts with it (base/energy/scaled_energy.cpp).
//
// - The model is exact at its reference points (Horowitz, ISSCC 2014, 45 nm, 0.9 V) and the
//   node scaling reproduces Stillmaker & Baas (2017)'s fits at their nodes.
// - Energy per access and area grow with capacity; energy falls with the node.
// - Compared with the per-access energies configs/eyeriss_v1.yaml assumes at 65 nm (MAC 2 pJ,
//   RF 1 pJ, GLB 15 pJ per 16-bit access, fitted to the chip's power; Chen et al. publish only
//   ratios to a MAC): the ratios docs/energy-area.md shows.
// - The scaled model prices every action of a sized part from its size; the architecture
//   file's errors name file, line, column and key.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "arrays/array_style.hpp"
#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_table.hpp"
#include "base/energy/technology.hpp"
#include "base/stats/stats.hpp"
#include "run/run.hpp"
#include "sweep/sweep_spec.hpp"
#include "test_util.hpp"

namespace {

using dfsim::Technology;
using dfsim_test::contains;
using dfsim_test::source_path;

const Technology k45{45, 0.9};

TEST(Technology, ExactAtTheReferencePoints) {
  const auto points = dfsim::reference_points();
  // 3 SRAM, 2 add, 2 multiply energies; 2 + 2 areas; 2 wires; the NAND2 cell
  ASSERT_EQ(points.size(), 14u);
  for (const dfsim::ReferencePoint& p : points)
    EXPECT_NEAR(p.model, p.published, 1e-12 * p.published) << p.quantity << " " << p.unit;
  EXPECT_DOUBLE_EQ(dfsim::sram_access_pj(32 * 1024, 64, k45), 20);
  EXPECT_DOUBLE_EQ(dfsim::int_multiply_pj(8, k45), 0.2);
  EXPECT_NEAR(dfsim::int_add_mm2(32, 45), 137e-6, 1e-18);
}

// Between the points: log-log interpolation, e.g. 16 KB lies halfway (in log) between 8 KB
// (10 pJ) and 32 KB (20 pJ): sqrt(10 x 20) pJ; a 16-bit access reads a quarter of the bits.
TEST(Technology, SramInterpolatesInLogLogAndScalesWithWidth) {
  EXPECT_NEAR(dfsim::sram_access_pj(16 * 1024, 64, k45), std::sqrt(200.0), 1e-12);
  EXPECT_NEAR(dfsim::sram_access_pj(16 * 1024, 16, k45), std::sqrt(200.0) / 4, 1e-12);
  // Below 8 KB the 8-32 KB slope (0.5) continues: 2 KB costs half of 8 KB.
  EXPECT_NEAR(dfsim::sram_access_pj(2 * 1024, 64, k45), 5, 1e-12);
}

TEST(Technology, EnergyAndAreaGrowWithCapacity) {
  double e = 0, a = 0, area_per_kb = 1e9;
  for (double kb : {0.03, 0.5, 1.0, 4.0, 8.0, 10.0, 32.0, 108.0, 512.0, 1024.0, 24576.0}) {
    const double ek = dfsim::sram_access_pj(kb * 1024, 64, k45);
    const double ak = dfsim::sram_mm2(kb * 1024, 45);
    EXPECT_GT(ek, e) << kb;
    EXPECT_GT(ak, a) << kb;
    // Area per KB falls with size (more bits share the periphery).
    EXPECT_LT(ak / kb, area_per_kb) << kb;
    e = ek;
    a = ak;
    area_per_kb = ak / kb;
  }
}

// Stillmaker & Baas's energy fit at their nodes: (a V^2 + b V + c) over 45 nm at 0.9 V.
TEST(Technology, NodeScalingFollowsStillmakerBaas) {
  const double at45 = 1.103 * 0.81 - 0.362 * 0.9 + 0.2767;
  EXPECT_DOUBLE_EQ(dfsim::energy_scale_from_45nm(k45), 1.0);
  EXPECT_NEAR(dfsim::energy_scale_from_45nm({65, 1.0}), (3.755 - 4.398 + 1.975) / at45, 1e-12);
  EXPECT_NEAR(dfsim::energy_scale_from_45nm({16, 0.8}),
              (0.2958 * 0.64 - 0.1241 * 0.8 + 0.03024) / at45, 1e-12);
  // Nominal supplies: 1.0 V at 65 nm, 0.9 V at 28 nm, 0.8 V at 16 nm.
  EXPECT_EQ(dfsim::energy_scale_from_45nm({65, 0}), dfsim::energy_scale_from_45nm({65, 1.0}));
  EXPECT_EQ(dfsim::energy_scale_from_45nm({16, 0}), dfsim::energy_scale_from_45nm({16, 0.8}));
  // Area: the paper's table at its nodes, linear in nm between them (28 nm: a third of the way
  // from 32 nm, 0.46, to 20 nm, 0.21).
  EXPECT_DOUBLE_EQ(dfsim::area_scale_from_45nm(65), 1.5);
  EXPECT_DOUBLE_EQ(dfsim::area_scale_from_45nm(16), 0.19);
  EXPECT_NEAR(dfsim::area_scale_from_45nm(28), 0.46 * 2 / 3 + 0.21 / 3, 1e-12);
  // Smaller nodes cost less energy and area for the same part.
  double e = 1e9, a = 1e9;
  for (double nm : {65.0, 45.0, 28.0, 16.0}) {
    const double en = dfsim::mac_pj(16, 16, {nm, 0});
    const double an = dfsim::sram_mm2(10 * 1024, nm);
    EXPECT_LT(en, e) << nm;
    EXPECT_LT(an, a) << nm;
    e = en;
    a = an;
  }
}

TEST(Technology, RefusesNodesOutsideTheTables) {
  EXPECT_THROW(dfsim::energy_scale_from_45nm({5, 0}), std::invalid_argument);
  EXPECT_THROW(dfsim::area_scale_from_45nm(180), std::invalid_argument);
  EXPECT_THROW(dfsim::sram_access_pj(0, 64, k45), std::invalid_argument);
}

// SRAM area: the cell (0.346 um^2 at 45 nm) for every bit plus kSramPeripheryCells x sqrt(bits)
// cells of periphery.
TEST(Technology, SramAreaFormula) {
  const double bits = 32.0 * 1024 * 8;
  EXPECT_NEAR(dfsim::sram_mm2(32 * 1024, 45),
              0.346e-6 * (bits + dfsim::kSramPeripheryCells * std::sqrt(bits)), 1e-15);
  EXPECT_NEAR(dfsim::sram_mm2(32 * 1024, 65), 1.5 * dfsim::sram_mm2(32 * 1024, 45), 1e-15);
}

// Wires (Keckler et al., IEEE Micro 2011): 256 bits over 10 mm cost 310 pJ at 40 nm and 0.9 V,
// 200 pJ at 10 nm and 0.75 V; between their nodes the log-log line, and the square of the
// supply's ratio to the nominal.
TEST(Technology, WireEnergyPerBitAndMm) {
  EXPECT_NEAR(dfsim::wire_pj_per_bit_mm({40, 0.9}), 310.0 / 2560, 1e-12);
  EXPECT_NEAR(dfsim::wire_pj_per_bit_mm({10, 0.75}), 200.0 / 2560, 1e-12);
  // 20 nm lies halfway (in log) between 10 and 40 nm; the 10 nm point at the nominal 0.8 V.
  const double at10 = 200.0 / 2560 * (0.8 * 0.8) / (0.75 * 0.75);
  EXPECT_NEAR(dfsim::wire_pj_per_bit_mm({20, 0}), std::sqrt(at10 * 310.0 / 2560), 1e-12);
  EXPECT_NEAR(dfsim::wire_pj_per_bit_mm({40, 0.45}), dfsim::wire_pj_per_bit_mm({40, 0.9}) / 4,
              1e-12);
  EXPECT_LT(dfsim::wire_pj_per_bit_mm({16, 0}), dfsim::wire_pj_per_bit_mm({65, 0}));
}

// A crossbar: a tristate driver of kCrosspointGates NAND2 (0.798 um^2 at 45 nm) per
// crosspoint and bit; a bit crosses two sides of it (the square root of its area) of wire.
TEST(Technology, CrossbarAreaAndEnergy) {
  EXPECT_NEAR(dfsim::crossbar_mm2(16, 32, 29, 45), 16 * 32 * 29 * 4 * 0.798e-6, 1e-15);
  EXPECT_NEAR(dfsim::crossbar_mm2(16, 32, 29, 16), 0.19 * dfsim::crossbar_mm2(16, 32, 29, 45),
              1e-15);
  const Technology t16{16, 0};
  EXPECT_NEAR(dfsim::crossbar_pj_per_bit(16, 32, 29, t16),
              2 * std::sqrt(dfsim::crossbar_mm2(16, 32, 29, 16)) * dfsim::wire_pj_per_bit_mm(t16),
              1e-15);
  // More ports: more area and longer wires per bit.
  EXPECT_GT(dfsim::crossbar_pj_per_bit(32, 64, 29, t16),
            dfsim::crossbar_pj_per_bit(16, 32, 29, t16));
  EXPECT_THROW(dfsim::crossbar_mm2(0, 32, 29, 16), std::invalid_argument);
}

// Eyeriss at 65 nm, 1.0 V against the energies configs/eyeriss_v1.yaml assumes: MAC 2 pJ, RF
// (a 0.5 KB spad) 1 pJ, GLB (108 KB) 15 pJ per 16-bit access; the model gives 1.33, 0.99 and
// 13.9 pJ: a bare multiplier-adder below a pipelined MAC, the memories within 10%.
TEST(Technology, EyerissScaleAt65nm) {
  const Technology t65{65, 1.0};
  EXPECT_NEAR(dfsim::mac_pj(16, 16, t65) / 2.0, 0.66, 0.02);
  EXPECT_NEAR(dfsim::sram_access_pj(512, 16, t65) / 1.0, 0.99, 0.02);
  EXPECT_NEAR(dfsim::sram_access_pj(108 * 1024, 64, t65) / 4 / 15.0, 0.93, 0.02);
}

// The architecture `text` (extending a shipped file) as the style sees it.
dfsim::ArchConfig arch_from(const std::string& text) {
  return dfsim::load_arch_from_string(text, "arch.yaml");
}

std::string eyeriss_with(const std::string& extra) {
  return "extends: " + source_path("configs/eyeriss_v1.yaml") + "\nname: eyeriss_test\n" + extra;
}

// configs/eyeriss_v1.yaml without its technology_nm, vdd_v and energy (the scaled model
// needs a technology), then `extra`.
std::string eyeriss_without_technology(const std::string& extra) {
  std::istringstream in(dfsim_test::read_file(source_path("configs/eyeriss_v1.yaml")));
  std::string text;
  bool in_energy = false;
  for (std::string line; std::getline(in, line);) {
    if (in_energy && line.rfind("  ", 0) == 0) continue;
    in_energy = line.rfind("energy:", 0) == 0;
    if (!in_energy && line.rfind("technology_nm:", 0) != 0 && line.rfind("vdd_v:", 0) != 0)
      text += line + "\n";
  }
  return text + extra;
}

double pj_of(const dfsim::EnergyTable& t, const std::string& action) {
  for (const dfsim::PricedAction& a : t.actions())
    if (a.name == action) return a.pj;
  ADD_FAILURE() << "no action " << action;
  return 0;
}

// Every sized part's actions are priced from its size and calibration; the rest keep their
// keys' prices. Without calibration a part costs what the model gives.
TEST(ScaledEnergy, PricesTheSizedPartsOfEyeriss) {
  const dfsim::ArchConfig a =
      arch_from(eyeriss_with("technology_nm: 65\nvdd_v: 1.0\nenergy: {impl: scaled}\n"));
  const auto style = dfsim::make_array_style(a, dfsim::Objective::Energy);
  const dfsim::EnergyTable& t = style->energy_table();
  const Technology t65{65, 1.0};
  // The model times the file's calibration factors (configs/eyeriss_v1.yaml).
  EXPECT_DOUBLE_EQ(pj_of(t, "glb.read"), dfsim::sram_access_pj(27 * 4096, 64, t65) / 64 * 1.08);
  EXPECT_DOUBLE_EQ(pj_of(t, "glb.write"), pj_of(t, "glb.read"));
  EXPECT_DOUBLE_EQ(pj_of(t, "filter_spad.read"), dfsim::sram_access_pj(224 * 2, 16, t65) * 1.08);
  EXPECT_DOUBLE_EQ(pj_of(t, "ifmap_spad.read"), dfsim::sram_access_pj(12 * 2, 16, t65) * 4.68);
  EXPECT_DOUBLE_EQ(pj_of(t, "pe.mac"), dfsim::mac_pj(16, 16, t65) * 1.51);
  const dfsim::ArchConfig raw = arch_from(eyeriss_with("energy: {impl: scaled, calibration: }\n"));
  EXPECT_DOUBLE_EQ(
      pj_of(dfsim::make_array_style(raw, dfsim::Objective::Energy)->energy_table(), "pe.mac"),
      dfsim::mac_pj(16, 16, t65));
  // Not sized: the DRAM and the NoC keep the file's values.
  EXPECT_DOUBLE_EQ(pj_of(t, "dram.bit"), a.dram.energy_pj_per_bit);
  EXPECT_DOUBLE_EQ(pj_of(t, "noc.bit"), 0.25);
}

// A bigger GLB costs more per access (the sweep's trade-off against DRAM traffic).
TEST(ScaledEnergy, BiggerGlbCostsMorePerAccess) {
  double last = 0;
  for (int banks : {9, 27, 43, 86}) {
    const dfsim::ArchConfig a =
        arch_from(eyeriss_with("technology_nm: 65\nenergy: {impl: scaled}\nglb: {banks: " +
                               std::to_string(banks) + "}\n"));
    const double pj =
        pj_of(dfsim::make_array_style(a, dfsim::Objective::Energy)->energy_table(), "glb.read");
    EXPECT_GT(pj, last) << banks;
    last = pj;
  }
}

std::string error_of(const std::string& text) {
  try {
    const dfsim::ArchConfig a = arch_from(text);
    dfsim::make_array_style(a, dfsim::Objective::Energy);
  } catch (const dfsim::ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(ScaledEnergy, ErrorsNameTheKey) {
  std::string bad = error_of(eyeriss_with("energy: {calibration: {glbb: 2}}\n"));
  EXPECT_TRUE(contains(bad,
                       "arch.yaml:3:30: energy.calibration.glbb: no part 'glbb' in this array "
                       "(did you mean 'glb'?); its sized parts: glb, filter_spad, "
                       "ifmap_spad, psum_spad, mac"))
      << bad;
  bad = error_of(eyeriss_with("energy: {calibration: {glb: -1}}\n"));
  EXPECT_TRUE(contains(bad, "arch.yaml:3:29: energy.calibration.glb: must be > 0, got -1")) << bad;
  std::string err = error_of(eyeriss_without_technology("energy: {impl: scaled}\n"));
  EXPECT_TRUE(contains(err, "energy.impl: the scaled energy model needs technology_nm")) << err;
  err = error_of(eyeriss_without_technology("vdd_v: 0.9\n"));
  EXPECT_TRUE(contains(err, "vdd_v: needs technology_nm")) << err;
  err = error_of(eyeriss_with("technology_nm: 3\n"));
  EXPECT_TRUE(contains(err, "arch.yaml:3:16: technology_nm: must be 7 to 130")) << err;
  err = error_of(eyeriss_with("technology_nm: 28\nvdd_v: 9\n"));
  EXPECT_TRUE(contains(err, "arch.yaml:4:8: vdd_v: must be 0.4 to 1.5")) << err;
  err = error_of(eyeriss_with("technology_nm: 28\nlogic_area_factor: 0\n"));
  EXPECT_TRUE(contains(err, "arch.yaml:4:20: logic_area_factor: must be 0.25 to 10")) << err;
  err = error_of(eyeriss_without_technology("logic_area_factor: 2\n"));
  EXPECT_TRUE(contains(err, "logic_area_factor: needs technology_nm")) << err;
}

// With technology_nm, the run reports the sized parts' areas (table and stats.json) and their
// total; without it, no area.
TEST(Area, ReportedPerPartAndInTotal) {
  const std::string dir = dfsim_test::fresh_dir("area");
  const std::string arch =
      dfsim_test::write_file(dir + "/arch.yaml", eyeriss_with("technology_nm: 65\n"));
  const std::string wl = dfsim_test::write_file(
      dir + "/wl.yaml", "network: t\nlayers:\n  - {name: c, C: 4, M: 8, H: 8, W: 8, R: 3, S: 3}\n");
  const dfsim_test::CliResult r =
      dfsim_test::dfsim("run --arch " + arch + " --workload " + wl + " --out " + dir, dir);
  ASSERT_EQ(r.code, 0) << dfsim_test::describe(r);
  EXPECT_TRUE(contains(r.out,
                       "Area of the sized parts (mm^2; control, networks and wiring not included; "
                       "technology model at 65 nm):"))
      << r.out;
  const YAML::Node area = YAML::LoadFile(dir + "/stats.json")["area"];
  ASSERT_TRUE(area) << "no area in stats.json";
  EXPECT_EQ(area["technology_nm"].as<double>(), 65);
  double sum = 0;
  for (const char* part : {"glb", "filter_spad", "ifmap_spad", "psum_spad", "mac"})
    sum += area["parts"][part]["mm2"].as<double>();
  EXPECT_EQ(area["parts"]["filter_spad"]["instances"].as<int>(), 168);
  EXPECT_NEAR(area["parts"]["glb"]["mm2"].as<double>(), dfsim::sram_mm2(27 * 4096, 65), 1e-6);
  EXPECT_NEAR(area["total_mm2"].as<double>(), sum, 1e-7 * sum);  // 9 digits printed
  const std::string bare =
      dfsim_test::write_file(dir + "/bare.yaml", eyeriss_without_technology(""));
  const dfsim_test::CliResult b = dfsim_test::dfsim(
      "run --arch " + bare + " --workload " + wl + " --out " + dir + "/bare", dir);
  ASSERT_EQ(b.code, 0) << dfsim_test::describe(b);
  EXPECT_FALSE(contains(b.out, "Area of")) << b.out;
  EXPECT_FALSE(YAML::LoadFile(dir + "/bare/stats.json")["area"]);
}

// SCNN's PE against the paper's area breakdown (Parashar et al., ISCA 2017, Table III, 16 nm):
// 0.123 mm^2 per PE; memories (IARAM + OARAM 0.031, weight FIFO 0.004, accumulator buffers
// 0.036) 57% of it; multiplier array 0.008, scatter crossbar 0.026 (3.25x the multipliers),
// the rest 0.018. configs/scnn.yaml's logic_area_factor is measured on the multipliers alone,
// so the crossbar's ratio to them comes from the model only.
TEST(Area, ScnnPeWithinAQuarterOfThePaper) {
  const dfsim::ArchConfig a = arch_from("extends: " + source_path("configs/scnn.yaml") + "\n");
  const dfsim::AreaReport area =
      dfsim::area_report(a, dfsim::make_array_style(a, dfsim::Objective::Energy)->energy_table());
  const auto per_pe = [&](const std::string& part) {
    for (const dfsim::PartArea& p : area.parts)
      if (p.name == part) return p.mm2 / 64;
    ADD_FAILURE() << "no part " << part;
    return 0.0;
  };
  const double pe = area.total_mm2() / 64;
  const double memories =
      per_pe("iaram") + per_pe("oaram") + per_pe("weight_fifo") + per_pe("accumulators");
  EXPECT_NEAR(pe / 0.123, 1.0, 0.25) << pe;
  EXPECT_NEAR(memories / pe / 0.57, 1.0, 0.25) << memories / pe;
  EXPECT_NEAR(per_pe("multipliers"), 0.008, 0.0001);  // the calibration
  EXPECT_NEAR(per_pe("crossbar") / per_pe("multipliers") / 3.25, 1.0, 0.25);
  EXPECT_NEAR(per_pe("crossbar") / 0.026, 1.0, 0.25);
}

// Accelergy's tables (tests/accelergy/, written as Accelergy 0.3 writes them) price the parts
// they list and give their areas; the rest keep their keys' prices and the technology model's
// areas.
std::string eyeriss_with_accelergy(const std::string& extra) {
  return eyeriss_with("energy:\n  impl: accelergy\n  calibration: ~\n  ert: " +
                      source_path("tests/accelergy/eyeriss_ERT.yaml") +
                      "\n  art: " + source_path("tests/accelergy/eyeriss_ART.yaml") + "\n" + extra);
}

TEST(AccelergyImport, PricesAndAreasFromTheTables) {
  const dfsim::ArchConfig a = arch_from(
      eyeriss_with_accelergy("  names: {glb: system.eyeriss.shared_glb,\n"
                             "          filter_spad: system.eyeriss.weights_spad_sram}\n"));
  EXPECT_EQ(a.energy_impl, "accelergy");
  const auto style = dfsim::make_array_style(a, dfsim::Objective::Energy);
  const dfsim::EnergyTable& t = style->energy_table();
  // Per access of the GLB's 64-bit word, its most expensive (random) entry, per bit.
  EXPECT_DOUBLE_EQ(pj_of(t, "glb.read"), 48.0 / 64);
  EXPECT_DOUBLE_EQ(pj_of(t, "glb.write"), 56.0 / 64);
  EXPECT_DOUBLE_EQ(pj_of(t, "ifmap_spad.read"), 0.42);  // `PE[0..167].ifmap_spad`, per access
  EXPECT_DOUBLE_EQ(pj_of(t, "ifmap_spad.write"), 0.5);
  EXPECT_DOUBLE_EQ(pj_of(t, "filter_spad.read"), 0.9);  // through `names`, like the GLB
  EXPECT_DOUBLE_EQ(pj_of(t, "pe.mac"), 2.2);            // mac_random
  EXPECT_DOUBLE_EQ(pj_of(t, "psum_spad.read"), 0.33);   // `PE[0..167].psum_spad[0..0]`
  EXPECT_DOUBLE_EQ(pj_of(t, "psum_spad.write"), 0.35);
  EXPECT_DOUBLE_EQ(pj_of(t, "noc.bit"), 0.25);  // not a sized part: its key
  const dfsim::AreaReport area = dfsim::area_report(a, t);
  EXPECT_EQ(area.source, "imported area table, the technology model at 65 nm for the rest");
  ASSERT_EQ(area.parts.size(), 5u);
  EXPECT_DOUBLE_EQ(area.parts[0].mm2, 1.5);                             // glb: 1.5e6 um^2
  EXPECT_DOUBLE_EQ(area.parts[4].mm2, 3000e-6 * 168);                   // mac: per instance x PEs
  EXPECT_DOUBLE_EQ(area.parts[1].mm2, dfsim::sram_mm2(448, 65) * 168);  // filter_spad: modeled
}

// Without `names`, a part takes only a table named like it: `shared_glb` is not `glb`.
TEST(AccelergyImport, PartsMatchTablesByTheirLastComponent) {
  const dfsim::ArchConfig a = arch_from(eyeriss_with_accelergy(""));
  const auto style = dfsim::make_array_style(a, dfsim::Objective::Energy);
  EXPECT_DOUBLE_EQ(pj_of(style->energy_table(), "glb.read"), 0.9375);  // its key
  EXPECT_DOUBLE_EQ(pj_of(style->energy_table(), "ifmap_spad.read"), 0.42);
}

TEST(AccelergyImport, BadTablesAndNamesAreRefusedAtTheirPosition) {
  std::string err = error_of(eyeriss_with("energy: {impl: accelergy, calibration: ~}\n"));
  EXPECT_TRUE(contains(err, "energy: missing required key 'ert'")) << err;
  err = error_of(eyeriss_with("energy: {impl: accelergy, calibration: ~, ert: nofile.yaml}\n"));
  EXPECT_TRUE(contains(err, "arch.yaml:3:48: energy.ert: cannot open 'nofile.yaml'")) << err;
  err = error_of(eyeriss_with("energy: {impl: accelergy, calibration: ~, ert: " +
                              source_path("tests/accelergy/bad_ERT.yaml") + "}\n"));
  EXPECT_TRUE(contains(err, "bad_ERT.yaml:7:15: ERT.tables[0].actions[0].energy: must be >= 0"))
      << err;
  err = error_of(eyeriss_with("energy: {impl: accelergy, calibration: ~, ert: " +
                              source_path("tests/accelergy/eyeriss_ART.yaml") + "}\n"));
  EXPECT_TRUE(contains(err, "eyeriss_ART.yaml:3:1: (top level): missing required key 'ERT'"))
      << err;
  err = error_of(eyeriss_with("energy: {impl: accelergy, calibration: ~, ert: " +
                              source_path("tests/accelergy/ambiguous_ERT.yaml") + "}\n"));
  EXPECT_TRUE(contains(err,
                       "energy.ert: tables 'system.eyeriss.PE[0..167].ifmap_spad' and "
                       "'system.other.ifmap_spad' both match part 'ifmap_spad'"))
      << err;
  err = error_of(eyeriss_with_accelergy("  names: {glbb: system.eyeriss.shared_glb}\n"));
  EXPECT_TRUE(
      contains(err, "energy.names.glbb: no part 'glbb' in this array (did you mean 'glb'?)"))
      << err;
  err = error_of(eyeriss_with_accelergy("  names: {glb: system.eyeriss.nothing}\n"));
  EXPECT_TRUE(
      contains(err, "energy.names.glb: no table 'system.eyeriss.nothing' in the ERT or ART"))
      << err;
}

// A sweep of one size (docs/energy-area.md section 4): `dfsim sweep SPEC -j 2`, then every
// point's (size, energy, area) in the order of the sizes.
struct SizePoint {
  double size = 0, energy_pj = 0, area_mm2 = 0;
};
std::vector<SizePoint> sweep_sizes(const std::string& spec, const std::string& key) {
  const std::string dir = dfsim_test::fresh_dir("sweep_sizes");
  const std::string args = "sweep '" + source_path(spec) + "' -j 2 --out '" + dir + "'";
  const dfsim_test::CliResult r = dfsim_test::dfsim(args, dir);
  EXPECT_EQ(r.code, 0) << dfsim_test::describe(r);
  const dfsim_test::CliResult e = dfsim_test::dfsim(args + " --export json", dir);
  EXPECT_EQ(e.code, 0) << dfsim_test::describe(e);
  std::vector<SizePoint> out;
  for (const YAML::Node& p : YAML::Load(e.out)) {
    EXPECT_EQ(p["status"].as<std::string>(), "done");
    out.push_back(
        {p["params"][key].as<double>(), p["energy_pj"].as<double>(), p["area_mm2"].as<double>()});
  }
  std::sort(out.begin(), out.end(),
            [](const SizePoint& a, const SizePoint& b) { return a.size < b.size; });
  return out;
}

// The least energy is at neither end of the range, and the area grows with the size.
void expect_interior_minimum(const std::vector<SizePoint>& points) {
  ASSERT_GE(points.size(), 3u);
  std::size_t best = 0;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (points[i].energy_pj < points[best].energy_pj) best = i;
    if (i > 0) {
      EXPECT_GT(points[i].area_mm2, points[i - 1].area_mm2) << points[i].size;
    }
  }
  EXPECT_GT(best, 0u) << "least energy at the smallest size";
  EXPECT_LT(best, points.size() - 1) << "least energy at the largest size";
}

// The price per access that the sweep's points pay, from their architectures' energy tables.
double price_at(const std::string& base, const std::string& edit, const std::string& action) {
  const dfsim::ArchConfig a = arch_from("extends: " + source_path(base) + "\nname: s\n" + edit);
  return pj_of(dfsim::make_array_style(a, dfsim::Objective::Energy)->energy_table(), action);
}

// `area` is a sweep objective when the base architecture states its technology.
TEST(AreaObjective, NeedsTheBaseTechnology) {
  const std::string dir = dfsim_test::fresh_dir("area_objective");
  dfsim_test::write_file(dir + "/bare.yaml", eyeriss_without_technology(""));
  dfsim_test::write_file(
      dir + "/wl.yaml", "network: t\nlayers:\n  - {name: c, C: 4, M: 8, H: 8, W: 8, R: 3, S: 3}\n");
  const std::string spec =
      "sweep: s\nbase_arch: BASE\nworkloads:\n  - {file: wl.yaml}\n"
      "parameters:\n  - {key: glb.banks, values: [11, 27]}\n"
      "objectives: [energy, area]\n";
  auto with_base = [&](const std::string& base) {
    std::string s = spec;
    s.replace(s.find("BASE"), 4, base);
    return dfsim_test::write_file(dir + "/" + std::to_string(s.size()) + "_spec.yaml", s);
  };
  try {
    dfsim::load_sweep_spec(with_base("bare.yaml"));
    ADD_FAILURE() << "accepted the area objective without technology_nm";
  } catch (const dfsim::ConfigError& e) {
    EXPECT_TRUE(contains(e.what(), ":7:22: objectives[1]: the area objective needs technology_nm"))
        << e.what();
  }
  EXPECT_EQ(dfsim::load_sweep_spec(with_base(source_path("configs/eyeriss_v1.yaml"))).objectives,
            (std::vector<std::string>{"energy", "area"}));
}

TEST(EnergyAreaSweep, EyerissGlbSizeHasAnInteriorMinimum) {
  const auto points = sweep_sizes("configs/sweeps/eyeriss_glb_size.yaml", "glb.banks");
  expect_interior_minimum(points);
  double last = 0;
  for (const SizePoint& p : points) {
    const double pj =
        price_at("configs/eyeriss_v1.yaml",
                 "glb: {banks: " + std::to_string(static_cast<int>(p.size)) + "}\n", "glb.read");
    EXPECT_GT(pj, last) << p.size;
    last = pj;
  }
}

TEST(EnergyAreaSweep, ScnnActivationRamSizeHasAnInteriorMinimum) {
  const auto points =
      sweep_sizes("configs/sweeps/scnn_aram_size.yaml", "activation_ram.iaram_bytes");
  expect_interior_minimum(points);
  double last = 0;
  for (const SizePoint& p : points) {
    const std::string bytes = std::to_string(static_cast<int>(p.size));
    const double pj = price_at(
        "configs/scnn.yaml",
        "activation_ram: {iaram_bytes: " + bytes + ", oaram_bytes: " + bytes + "}\n", "iaram.read");
    EXPECT_GT(pj, last) << p.size;
    last = pj;
  }
}

}  // namespace
