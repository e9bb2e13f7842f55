// SCALE-Sim architecture files (.cfg; base/config/scalesim_config.hpp) as SCALE-Sim v2 ships and
// writes them (configs/google.cfg, eyeriss.cfg, scale.cfg; configparser's INI: `key: value` and
// `key = value`, case-insensitive keys, padded values): the array style and sizes dfsim builds
// from them, the notes on what was dropped, errors with file:line:column and key, and runs from
// the command line with outputs checked against the reference.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "base/config/scalesim_config.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::contains;

// SCALE-Sim v2's configs/google.cfg (TPU v1 sizes, weight stationary).
const char* kGoogle =
    "[general]\nrun_name = GoogleTPU_v1_ws\n\n[architecture_presets]\n"
    "ArrayHeight:    256\nArrayWidth:     256\nIfmapSramSzkB:    6144\nFilterSramSzkB:   6144\n"
    "OfmapSramSzkB:    2048\nIfmapOffset:    0\nFilterOffset:   10000000\n"
    "OfmapOffset:    20000000\nDataflow : ws\nBandwidth : 10\nMemoryBanks: 1\n\n"
    "[run_presets]\nInterfaceBandwidth: CALC\n";

// SCALE-Sim v2's configs/eyeriss.cfg: 12 x 14, 36 kB each, weight stationary.
const char* kEyeriss =
    "[general]\nrun_name = eyeriss\n\n[architecture_presets]\nArrayHeight:    12\n"
    "ArrayWidth:     14\nIfmapSramSzkB:    36\nFilterSramSzkB:   36\nOfmapSramSzkB:    36\n"
    "IfmapOffset:    0\nFilterOffset:   10000000\nOfmapOffset:    20000000\nDataflow : ws\n"
    "Bandwidth : 10\nMemoryBanks: 1\n\n[run_presets]\nInterfaceBandwidth: CALC\n";

// As scale_config.write_conf_file writes one (lowercased keys, ` = `, a network section), with
// a user bandwidth, output stationary.
const char* kWritten =
    "[general]\nrun_name = scale_example_run_32x32_os\n\n[architecture_presets]\n"
    "arrayheight = 32\narraywidth = 32\nifmapsramszkb = 64\nfiltersramszkb = 64\n"
    "ofmapsramszkb = 64\nifmapoffset = 0\nfilteroffset = 10000000\nofmapoffset = 20000000\n"
    "dataflow = os\nbandwidth = 10\n\n[run_presets]\nInterfaceBandwidth = USER\n\n"
    "[network_presets]\ntopologycsvloc = \"topologies/conv_nets/alexnet.csv\"\n";

std::string with(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

bool has_note(const dfsim::ImportedArch& a, const std::string& text) {
  for (const std::string& n : a.notes)
    if (contains(n, text)) return true;
  return false;
}

TEST(ScaleSimConfig, GoogleTpuIsTheSystolicArrayWithItsSramSizes) {
  const dfsim::ImportedArch a = dfsim::import_scalesim_config_from_string(kGoogle, "google.cfg");
  EXPECT_EQ(a.base, "configs/tpu_v1.yaml");
  const YAML::Node y = YAML::Load(a.yaml);
  EXPECT_EQ(y["name"].as<std::string>(), "GoogleTPU_v1_ws");
  EXPECT_EQ(y["array"].as<std::string>(), "weight_stationary_systolic");
  EXPECT_EQ(y["pe_array"]["rows"].as<int>(), 256);
  EXPECT_EQ(y["pe_array"]["cols"].as<int>(), 256);
  // Unified buffer: (6144 + 2048) KiB = 8 MiB in TPU v1's 1 MiB banks, 256 values per cycle.
  EXPECT_EQ(y["unified_buffer"]["banks"].as<int>(), 8);
  EXPECT_EQ(y["unified_buffer"]["bank_bytes"].as<int>(), 1 << 20);
  EXPECT_EQ(y["unified_buffer"]["bank_width_bits"].as<int>(), 2048);
  // Weight FIFO: 6144 KiB / (256 x 256 B) = 96 tiles.
  EXPECT_EQ(y["weight_fifo"]["depth_tiles"].as<int>(), 96);
  // CALC keeps tpu_v1's DRAM.
  EXPECT_EQ(y["dram"]["bandwidth_gbytes_per_s"].as<double>(), 34);
  for (const char* dropped : {"dropped IfmapOffset", "dropped FilterOffset", "dropped OfmapOffset",
                              "dropped MemoryBanks", "dropped Bandwidth"})
    EXPECT_EQ(has_note(a, dropped), std::string(dropped) != "dropped Bandwidth") << dropped;
  EXPECT_TRUE(has_note(a, "InterfaceBandwidth CALC"));
  // What it builds: 8 MiB + 4096 x 256 x 4 B of accumulators + (96 + 2) weight tiles.
  const std::string path = dfsim_test::write_temp("google.cfg", kGoogle);
  const dfsim::ArchConfig arch = dfsim::load_arch(path);
  EXPECT_EQ(arch.pe_rows * arch.pe_cols, 65536);
  EXPECT_EQ(dfsim::onchip_storage_bytes(arch), (8 << 20) + 4096 * 256 * 4 + 98 * 65536);
  EXPECT_EQ(arch.import_notes, a.notes);
}

TEST(ScaleSimConfig, EyerissSizesAndAPartialWeightTile) {
  const dfsim::ImportedArch a = dfsim::import_scalesim_config_from_string(kEyeriss, "eyeriss.cfg");
  const YAML::Node y = YAML::Load(a.yaml);
  EXPECT_EQ(y["pe_array"]["rows"].as<int>(), 12);
  EXPECT_EQ(y["pe_array"]["cols"].as<int>(), 14);
  // 72 KiB is no whole number of MiB: 72 banks of 1 KiB, 12 values per cycle.
  EXPECT_EQ(y["unified_buffer"]["banks"].as<int>(), 72);
  EXPECT_EQ(y["unified_buffer"]["bank_bytes"].as<int>(), 1024);
  EXPECT_EQ(y["unified_buffer"]["bank_width_bits"].as<int>(), 96);
  // 36864 B / 168 B per tile = 219 tiles, 72 B left over.
  EXPECT_EQ(y["weight_fifo"]["depth_tiles"].as<int>(), 219);
  EXPECT_TRUE(has_note(a, "219 tile(s) of 168 B (the rest of the SRAM dropped)"));
}

TEST(ScaleSimConfig, WrittenByScaleSimOutputStationaryWithUserBandwidth) {
  const dfsim::ImportedArch a = dfsim::import_scalesim_config_from_string(kWritten, "w.cfg");
  EXPECT_EQ(a.base, "configs/dataflows/os_256.yaml");
  const YAML::Node y = YAML::Load(a.yaml);
  EXPECT_EQ(y["array"].as<std::string>(), "output_stationary");
  EXPECT_EQ(y["pe_array"]["rows"].as<int>(), 32);
  // 3 x 64 KiB of 1-byte words as 16-bit values: 393,216 B in 32 banks.
  EXPECT_EQ(y["glb"]["banks"].as<int>(), 32);
  EXPECT_EQ(y["glb"]["bank_bytes"].as<int>(), 12288);
  // 10 words (bytes) per cycle at os_256's 200 MHz core clock: 2 GB/s.
  EXPECT_DOUBLE_EQ(y["dram"]["bandwidth_gbytes_per_s"].as<double>(), 2.0);
  EXPECT_TRUE(has_note(a, "dropped topologycsvloc (give the topology with --workload)"));
}

TEST(ScaleSimConfig, AFilterSramBelowOneTileIsEnlargedAndSaysSo) {
  const dfsim::ImportedArch a = dfsim::import_scalesim_config_from_string(
      with(kGoogle, "FilterSramSzkB:   6144", "FilterSramSzkB:   32"), "small.cfg");
  EXPECT_EQ(YAML::Load(a.yaml)["weight_fifo"]["depth_tiles"].as<int>(), 1);
  EXPECT_TRUE(has_note(a, "1 tile(s) of 65536 B (enlarged: the SRAM holds less than one tile)"));
}

TEST(ScaleSimConfig, InputStationaryRunsWeightStationaryAndSaysSo) {
  std::string text = kEyeriss;
  text.replace(text.find("Dataflow : ws"), 13, "Dataflow : is");
  const dfsim::ImportedArch a = dfsim::import_scalesim_config_from_string(text, "is.cfg");
  EXPECT_EQ(YAML::Load(a.yaml)["array"].as<std::string>(), "weight_stationary_systolic");
  EXPECT_TRUE(has_note(a, "dfsim has no input-stationary array"));
}

std::string error_of(const std::string& text) {
  try {
    dfsim::import_scalesim_config_from_string(text, "bad.cfg");
  } catch (const dfsim::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ScaleSimConfig, ErrorsNameFileLineColumnAndKey) {
  EXPECT_EQ(error_of(with(kEyeriss, "ArrayHeight:    12", "ArrayHeight:    twelve")),
            "bad.cfg:5:17: ArrayHeight: expected a positive integer, got 'twelve'");
  EXPECT_EQ(error_of(with(kEyeriss, "ArrayHeight:    12\n", "")),
            "bad.cfg: [architecture_presets] ArrayHeight: missing (SCALE-Sim requires it)");
  EXPECT_EQ(error_of(with(kEyeriss, "Dataflow : ws", "Dataflow : rs")),
            "bad.cfg:13:12: Dataflow: expected ws, os or is, got 'rs'");
  EXPECT_EQ(error_of(with(kEyeriss, "InterfaceBandwidth: CALC", "InterfaceBandwidth: USER")),
            "(no error)");
  EXPECT_EQ(error_of(with(with(kEyeriss, "InterfaceBandwidth: CALC", "InterfaceBandwidth: USER"),
                          "Bandwidth : 10", "Bandwidth : 10,20")),
            "bad.cfg:14:13: Bandwidth: one value: dfsim's DRAM has one bandwidth for every layer");
  EXPECT_EQ(error_of(with(kEyeriss, "ArrayWidth:     14", "ArrayWidth:     4096")), "(no error)");
  EXPECT_EQ(error_of(with(with(kEyeriss, "ArrayWidth:     14", "ArrayWidth:     4096"),
                          "ArrayHeight:    12", "ArrayHeight:    4096")),
            "bad.cfg:6:17: ArrayWidth: 4096 x 4096 PEs, more than dfsim builds (1048576)");
  EXPECT_EQ(error_of(with(kEyeriss, "MemoryBanks: 1", "MemoryBanks 1")),
            "bad.cfg:15:1: MemoryBanks 1: expected 'key: value' or 'key = value'");
  EXPECT_EQ(error_of("ArrayHeight: 4\n"),
            "bad.cfg:1:1: ArrayHeight: a key before the first [section]");
  EXPECT_EQ(error_of(with(kEyeriss, "MemoryBanks: 1", "arrayheight: 1")),
            "bad.cfg:15:1: arrayheight: given twice in [architecture_presets]");
  EXPECT_EQ(error_of(std::string(kEyeriss) + "[general]\nx: 1\n"),
            "bad.cfg:19:1: [general]: section given twice");
  EXPECT_EQ(error_of(with(kEyeriss, "IfmapSramSzkB:    36", "IfmapSramSzkB:    0")),
            "bad.cfg:7:19: IfmapSramSzkB: expected a positive integer, got '0'");
}

// From the command line: an imported architecture runs a layer bit-exact, prints what was
// dropped and writes the notes to stats.json.
void run_imported(const char* cfg, const std::string& stem, const std::string& array,
                  const std::string& workload, const std::string& layer, std::int64_t macs) {
  const std::string dir = dfsim_test::fresh_dir(stem);
  const std::string path = dfsim_test::write_file(dir + "/" + stem + ".cfg", cfg);
  const dfsim_test::CliResult r =
      dfsim_test::dfsim("run --arch '" + path + "' --workload '" + workload + "' --layers " +
                            layer + " --batch 1 --out '" + dir + "/out'",
                        dir);
  ASSERT_EQ(r.code, 0) << dfsim_test::describe(r);
  EXPECT_TRUE(contains(r.out, "imported from " + path)) << r.out;
  EXPECT_TRUE(contains(r.out, "ffset (a trace address)")) << r.out;  // as the file spells it
  const YAML::Node stats = YAML::LoadFile(dir + "/out/stats.json");
  EXPECT_EQ(stats["total"]["macs"].as<std::int64_t>(), macs);
  EXPECT_EQ(stats["total"]["output_check"].as<std::string>(), "pass");
  EXPECT_TRUE(stats["arch_import_notes"].IsSequence());
  EXPECT_TRUE(contains(stats["provenance"]["architecture"].as<std::string>(), "array: " + array));
}

// A layer of a SCALE-Sim topology file (imported too): E = ceil((15 - 3 + 2) / 2) = 7, so
// 7 x 7 x 3 x 3 x 4 x 8 MACs.
std::string small_topology() {
  return dfsim_test::write_temp(
      "scalesim_small.csv",
      "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, "
      "Strides,\nSmall1, 15, 15, 3, 3, 4, 8, 2,\n");
}

TEST(ScaleSimConfig, EyerissSizedWeightStationaryRunsATopologyFile) {
  run_imported(kEyeriss, "scalesim_cfg_ws", "weight_stationary_systolic", small_topology(),
               "Small1", 7 * 7 * 3 * 3 * 4 * 8);
}

TEST(ScaleSimConfig, OutputStationaryRunsATopologyFile) {
  run_imported(kWritten, "scalesim_cfg_os", "output_stationary", small_topology(), "Small1",
               7 * 7 * 3 * 3 * 4 * 8);
}

}  // namespace
