// The dfsim command line (DFSIM_BINARY): help and version, a run writing stats.json, the map
// subcommand, and bad inputs. Bad input must exit with code 2, print a message naming the
// file, the line:col and the key, and write no stats.json.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

using dfsim_test::CliResult;
using dfsim_test::contains;
using dfsim_test::describe;
using dfsim_test::dfsim;
using dfsim_test::read_file;
using dfsim_test::source_path;
using dfsim_test::write_file;

namespace fs = std::filesystem;

std::string arch_path() { return source_path("configs/eyeriss_v1.yaml"); }

// A fresh per-test, per-process scratch directory.
std::string scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string dir = ::testing::TempDir();
  if (!dir.empty() && dir.back() != '/') dir += '/';
  dir += "dfsim_cli_" + std::string(info ? info->name() : "x") + "_" + std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

const char* kTinyWorkload =
    "network: tiny\n"
    "layers:\n"
    "  - {name: conv_a, M: 8, C: 4, H: 10, W: 10, R: 3, S: 3, padding: 1}\n"
    "  - {name: conv_b, M: 6, C: 8, H: 10, W: 10, R: 3, S: 3, stride: 2}\n";

// 1-based line number of the first line containing `needle` in `text`, or 0.
int line_of(const std::string& text, const std::string& needle) {
  std::stringstream ss(text);
  std::string line;
  for (int n = 1; std::getline(ss, line); ++n)
    if (contains(line, needle)) return n;
  return 0;
}

// The arch config with one piece of text replaced; fails the test if it is not there.
std::string arch_with(const std::string& from, const std::string& to) {
  std::string text = read_file(arch_path());
  const auto pos = text.find(from);
  if (pos == std::string::npos) {
    ADD_FAILURE() << "test bug: '" << from << "' not in configs/eyeriss_v1.yaml";
    return text;
  }
  text.replace(pos, from.size(), to);
  return text;
}

// Runs `run` with a bad arch text; checks exit 2, the message and that no stats.json appears.
// Returns stderr for further checks.
std::string expect_bad_arch(const std::string& arch_text, const std::string& dir) {
  const std::string arch = write_file(dir + "/bad_arch.yaml", arch_text);
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  const std::string out = dir + "/out";
  const CliResult r =
      dfsim("run --arch '" + arch + "' --workload '" + wl + "' --out '" + out + "'", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, arch)) << "message should name the file\n" << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json")) << "no stats.json on bad input";
  return r.err;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Help, version
// ---------------------------------------------------------------------------------------------

TEST(Cli, Version) {
  const std::string dir = scratch_dir();
  const CliResult r = dfsim("--version", dir);
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "dfsim")) << describe(r);
  EXPECT_TRUE(std::regex_search(r.out, std::regex("[0-9]+\\.[0-9]+\\.[0-9]+"))) << describe(r);
}

TEST(Cli, Help) {
  const std::string dir = scratch_dir();
  const CliResult r = dfsim("--help", dir);
  EXPECT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "run")) << describe(r);
  EXPECT_TRUE(contains(r.out, "map")) << describe(r);
  EXPECT_TRUE(contains(r.out, "Example")) << describe(r);
  EXPECT_TRUE(contains(r.out, "dfsim run --arch")) << "an example command line\n" << describe(r);
  // What an architecture may name, from the registries (no test-only implementation here).
  EXPECT_TRUE(contains(
      r.out,
      "Array styles (array:): no_local_reuse output_stationary planar_tiled row_stationary "
      "weight_stationary_broadcast weight_stationary_systolic\n"))
      << describe(r);
  for (const char* impl : {"  dram: bandwidth - ", "  energy: per_action_pj - ",
                           "  multicast_noc: tagged_multicast - ", "  sram: banked_sram - "})
    EXPECT_TRUE(contains(r.out, impl)) << impl << "\n" << describe(r);
}

TEST(Cli, RunHelpListsOptions) {
  const std::string dir = scratch_dir();
  const CliResult r = dfsim("run --help", dir);
  EXPECT_EQ(r.code, 0) << describe(r);
  for (const char* opt : {"--arch", "--workload", "--layers", "--batch", "--seed", "--objective",
                          "--mapping", "--out", "--vcd"})
    EXPECT_TRUE(contains(r.out, opt)) << opt << "\n" << describe(r);
}

TEST(Cli, NoArgumentsIsUsageError) {
  const std::string dir = scratch_dir();
  const CliResult r = dfsim("", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
}

TEST(Cli, UnknownCommand) {
  const std::string dir = scratch_dir();
  const CliResult r = dfsim("simulate", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "simulate")) << describe(r);
}

// ---------------------------------------------------------------------------------------------
// A run and its stats.json
// ---------------------------------------------------------------------------------------------

TEST(Cli, RunWritesStatsJson) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  const std::string out = dir + "/results";
  const CliResult r =
      dfsim("run --arch '" + arch_path() + "' --workload '" + wl + "' --out '" + out + "'", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "conv_a")) << describe(r);
  EXPECT_TRUE(contains(r.out, "conv_b")) << describe(r);
  const std::string path = out + "/stats.json";
  ASSERT_TRUE(fs::exists(path)) << describe(r);
  const std::string json = read_file(path);
  for (const char* key :
       {"layers", "total", "macs", "cycles", "seconds", "active_pes", "utilization",
        "dram_read_bytes", "dram_write_bytes", "glb_read_bytes", "glb_write_bytes", "energy_pj",
        "dram", "glb", "noc", "rf", "mac", "total", "output_check"})
    EXPECT_TRUE(contains(json, std::string("\"") + key + "\"")) << "key " << key << " missing\n"
                                                                << json;
  EXPECT_TRUE(contains(json, "\"conv_a\"")) << json;
  EXPECT_TRUE(contains(json, "\"conv_b\"")) << json;
  EXPECT_TRUE(contains(json, "\"output_check\": \"pass\"")) << json;
  EXPECT_FALSE(contains(json, "\"output_check\": \"fail\"")) << json;
  EXPECT_FALSE(fs::exists(out + "/.stats.json.tmp")) << "temporary file left behind";

  // Valid JSON by Python's parser (Debian's python3, which setup.sh --test installs: a missing
  // interpreter fails the test).
  {
    const std::string cmd =
        "/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '" + path + "' >'" +
        dir + "/py.txt' 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "stats.json is not valid JSON:\n"
                                           << read_file(dir + "/py.txt");
    // Per-layer and total MACs, by hand: conv_a 8*10*10*4*9, conv_b 6*4*4*8*9.
    const std::string check =
        "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
        "L=d[\"layers\"]; assert [l[\"name\"] for l in L]==[\"conv_a\",\"conv_b\"], L; "
        "assert [l[\"macs\"] for l in L]==[28800,6912], [l[\"macs\"] for l in L]; "
        "assert d[\"total\"][\"macs\"]==35712; "
        "assert all(l[\"cycles\"]>0 and 1<=l[\"active_pes\"]<=168 for l in L); "
        "assert abs(d[\"total\"][\"energy_pj\"][\"total\"]-sum(l[\"energy_pj\"][\"total\"] for l "
        "in L))"
        "<=1e-6*d[\"total\"][\"energy_pj\"][\"total\"]' '" +
        path + "' >'" + dir + "/py2.txt' 2>&1";
    EXPECT_EQ(std::system(check.c_str()), 0) << read_file(dir + "/py2.txt");
  }
}

TEST(Cli, RunSelectedLayersOnly) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  const std::string out = dir + "/results";
  const CliResult r = dfsim("run --arch '" + arch_path() + "' --workload '" + wl +
                                "' --layers conv_b --batch 2 --out '" + out + "'",
                            dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  const std::string json = read_file(out + "/stats.json");
  EXPECT_TRUE(contains(json, "\"conv_b\"")) << json;
  EXPECT_FALSE(contains(json, "\"conv_a\"")) << json;
  EXPECT_TRUE(contains(json, "\"batch\": 2")) << json;
  EXPECT_TRUE(contains(json, "\"macs\": 13824")) << json;  // 2 * 6*4*4*8*9
}

TEST(Cli, MapPrintsOneMappingPerLayer) {
  const std::string dir = scratch_dir();
  const CliResult r = dfsim("map --arch '" + arch_path() + "' --workload '" +
                                source_path("workloads/alexnet.yaml") +
                                "' --layers conv1,conv2,conv3,conv4,conv5 --batch 4",
                            dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  int mapping_lines = 0;
  std::stringstream ss(r.out);
  std::string line;
  while (std::getline(ss, line))
    if (contains(line, "strip_width=") && contains(line, " p=") && contains(line, " q="))
      ++mapping_lines;
  EXPECT_EQ(mapping_lines, 5) << describe(r);
  for (const char* l : {"conv1", "conv2", "conv3", "conv4", "conv5"})
    EXPECT_TRUE(contains(r.out, l)) << l << "\n" << describe(r);
  EXPECT_FALSE(contains(r.out, "fc6")) << describe(r);
}

TEST(Cli, MapWithEdpObjective) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  const CliResult r =
      dfsim("map --arch '" + arch_path() + "' --workload '" + wl + "' --objective edp", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "edp")) << describe(r);
  EXPECT_GT(line_of(r.out, "strip_width="), 0) << describe(r);
}

// ---------------------------------------------------------------------------------------------
// Bad inputs
// ---------------------------------------------------------------------------------------------

TEST(CliErrors, YamlSyntaxErrorInArch) {
  const std::string dir = scratch_dir();
  // An unclosed flow sequence.
  const std::string text = arch_with("  rows: 12\n", "  rows: [12, 13\n");
  const std::string err = expect_bad_arch(text, dir);
  EXPECT_TRUE(contains(err, "YAML syntax error")) << err;
  EXPECT_TRUE(std::regex_search(err, std::regex("bad_arch\\.yaml:[0-9]+:[0-9]+"))) << err;
}

TEST(CliErrors, UnknownArchKeySuggestsTheRightOne) {
  const std::string dir = scratch_dir();
  const std::string text = arch_with("bus_width_bits:", "bus_widht_bits:");
  const int line = line_of(text, "bus_widht_bits");
  const std::string err = expect_bad_arch(text, dir);
  EXPECT_TRUE(contains(err, "bad_arch.yaml:" + std::to_string(line) + ":3")) << err;
  EXPECT_TRUE(contains(err, "dram.bus_widht_bits")) << err;
  EXPECT_TRUE(contains(err, "unknown key 'bus_widht_bits'")) << err;
  EXPECT_TRUE(contains(err, "did you mean 'bus_width_bits'")) << err;
}

TEST(CliErrors, MissingArchKey) {
  const std::string dir = scratch_dir();
  const std::string text = arch_with("  mac_energy_pj: 2.0", "");
  const std::string err = expect_bad_arch(text, dir);
  EXPECT_TRUE(std::regex_search(err, std::regex("bad_arch\\.yaml:[0-9]+:[0-9]+"))) << err;
  EXPECT_TRUE(contains(err, "missing required key 'mac_energy_pj'")) << err;
  EXPECT_TRUE(contains(err, "pe")) << err;
}

TEST(CliErrors, WrongTypeInArch) {
  const std::string dir = scratch_dir();
  const std::string text = arch_with("  rows: 12\n", "  rows: twelve\n");
  const int line = line_of(text, "rows: twelve");
  const std::string err = expect_bad_arch(text, dir);
  // The position is the value's: "  rows: twelve" -> column 9.
  EXPECT_TRUE(contains(err, "bad_arch.yaml:" + std::to_string(line) + ":9")) << err;
  EXPECT_TRUE(contains(err, "pe_array.rows")) << err;
  EXPECT_TRUE(contains(err, "expected an integer")) << err;
  EXPECT_TRUE(contains(err, "twelve")) << err;
}

TEST(CliErrors, ZeroPeRows) {
  const std::string dir = scratch_dir();
  const std::string text = arch_with("  rows: 12\n", "  rows: 0\n");
  const int line = line_of(text, "rows: 0");
  const std::string err = expect_bad_arch(text, dir);
  EXPECT_TRUE(contains(err, "bad_arch.yaml:" + std::to_string(line) + ":9")) << err;
  EXPECT_TRUE(contains(err, "pe_array.rows")) << err;
  EXPECT_TRUE(contains(err, "must be >= 1")) << err;
}

TEST(CliErrors, LayerNoMappingFits) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/big.yaml",
                                    "network: big\n"
                                    "layers:\n"
                                    "  - {name: tall, M: 4, C: 2, H: 16, W: 16, R: 13, S: 3}\n");
  const std::string out = dir + "/out";
  const CliResult r =
      dfsim("run --arch '" + arch_path() + "' --workload '" + wl + "' --out '" + out + "'", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "no row-stationary mapping fits")) << describe(r);
  EXPECT_TRUE(contains(r.err, "tall")) << "names the layer\n" << describe(r);
  EXPECT_TRUE(contains(r.err, "R=13")) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));
  // The map subcommand reports the same.
  const CliResult m = dfsim("map --arch '" + arch_path() + "' --workload '" + wl + "'", dir);
  EXPECT_EQ(m.code, 2) << describe(m);
  EXPECT_TRUE(contains(m.err, "no row-stationary mapping fits")) << describe(m);
}

TEST(CliErrors, UnknownLayerName) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  const std::string out = dir + "/out";
  const CliResult r = dfsim("run --arch '" + arch_path() + "' --workload '" + wl +
                                "' --layers conv_a,conv_c --out '" + out + "'",
                            dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "--layers")) << describe(r);
  EXPECT_TRUE(contains(r.err, "conv_c")) << describe(r);
  EXPECT_TRUE(contains(r.err, wl)) << "names the workload file\n" << describe(r);
  EXPECT_TRUE(contains(r.err, "did you mean")) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));
}

TEST(CliErrors, BadObjective) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  const std::string out = dir + "/out";
  const CliResult r = dfsim("run --arch '" + arch_path() + "' --workload '" + wl +
                                "' --objective fastest --out '" + out + "'",
                            dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "--objective")) << describe(r);
  EXPECT_TRUE(contains(r.err, "fastest")) << describe(r);
  EXPECT_TRUE(contains(r.err, "latency")) << "lists the choices\n" << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));
}

TEST(CliErrors, NonexistentFiles) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  const std::string out = dir + "/out";
  const std::string missing = dir + "/no_such_arch.yaml";
  CliResult r =
      dfsim("run --arch '" + missing + "' --workload '" + wl + "' --out '" + out + "'", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, missing)) << describe(r);
  EXPECT_TRUE(contains(r.err, "cannot open")) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));

  const std::string missing_wl = dir + "/no_such_workload.yaml";
  r = dfsim("run --arch '" + arch_path() + "' --workload '" + missing_wl + "' --out '" + out + "'",
            dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, missing_wl)) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));

  const std::string missing_map = dir + "/no_such_mapping.yaml";
  r = dfsim("run --arch '" + arch_path() + "' --workload '" + wl + "' --mapping '" + missing_map +
                "' --out '" + out + "'",
            dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, missing_map)) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));
}

TEST(CliErrors, MissingRequiredOption) {
  const std::string dir = scratch_dir();
  const CliResult r = dfsim("run --arch '" + arch_path() + "'", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "workload")) << describe(r);
}

TEST(CliErrors, BadWorkloadKeyNamesFileLineAndKey) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/typo.yaml",
                                    "network: typo\n"
                                    "layers:\n"
                                    "  - name: c\n"
                                    "    M: 4\n"
                                    "    C: 2\n"
                                    "    H: 8\n"
                                    "    W: 8\n"
                                    "    R: 3\n"
                                    "    S: 3\n"
                                    "    paddng: 1\n");
  const std::string out = dir + "/out";
  const CliResult r =
      dfsim("run --arch '" + arch_path() + "' --workload '" + wl + "' --out '" + out + "'", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, wl + ":10:5")) << describe(r);
  EXPECT_TRUE(contains(r.err, "did you mean 'padding'")) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));
}

TEST(CliErrors, PinnedMappingThatDoesNotFit) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  // q*S = 5*3 = 15 > 12 ifmap spad entries.
  const std::string map = write_file(dir + "/map.yaml",
                                     "mappings:\n"
                                     "  conv_b: {strip_width: 4, p: 2, q: 5}\n");
  const std::string out = dir + "/out";
  const CliResult r = dfsim("run --arch '" + arch_path() + "' --workload '" + wl + "' --mapping '" +
                                map + "' --out '" + out + "'",
                            dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, map + ":2:11")) << describe(r);
  EXPECT_TRUE(contains(r.err, "conv_b")) << describe(r);
  EXPECT_TRUE(contains(r.err, "ifmap spad")) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));
}

namespace {

// An FC layer over a 28x28 plane (R = 28 > the 12 PE rows) runs flattened, as C*H*W channels of
// a 1x1 plane, bit-exact against the reference.
TEST(Cli, FcOverAPlaneRunsFlattenedOnTheRowStationaryArray) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/fc.yaml",
                                    "network: fcplane\nlayers:\n"
                                    "  - {name: fc, type: fc, C: 64, H: 28, W: 28, M: 10}\n");
  const std::string out = dir + "/out";
  const CliResult r =
      dfsim("run --arch '" + arch_path() + "' --workload '" + wl + "' --out '" + out + "'", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  const std::string json = read_file(out + "/stats.json");
  EXPECT_TRUE(contains(json, "\"macs\": 501760")) << json;  // 64*28*28*10
  EXPECT_TRUE(contains(json, "\"output_check\": \"pass\"")) << json;
}

// A layer no mapping fits stops the run (exit 2, naming it); with --skip-unmappable the other
// layers run, and the skipped one, with the layer fed by it, is listed in the table and in
// stats.json with the reason.
TEST(Cli, SkipUnmappableRunsTheRestAndListsTheSkipped) {
  const std::string dir = scratch_dir();
  const std::string wl =
      write_file(dir + "/wl.yaml",
                 "network: partly\nlayers:\n"
                 "  - {name: big, C: 3, M: 4, H: 20, W: 20, R: 15, S: 3}\n"
                 "  - {name: fed, C: 4, M: 4, H: 6, W: 18, R: 1, S: 1, input_from: previous}\n"
                 "  - {name: ok, C: 4, M: 4, H: 6, W: 6, R: 3, S: 3}\n");
  const std::string out = dir + "/out";
  const std::string args =
      "run --arch '" + arch_path() + "' --workload '" + wl + "' --out '" + out + "'";
  const CliResult stop = dfsim(args, dir);
  EXPECT_EQ(stop.code, 2) << describe(stop);
  EXPECT_TRUE(contains(stop.err,
                       "wl.yaml:3:5: layer 'big': no row-stationary mapping fits: "
                       "filter height R=15 exceeds the 12 PE rows"))
      << describe(stop);
  EXPECT_FALSE(fs::exists(out + "/stats.json"));

  const CliResult r = dfsim(args + " --skip-unmappable", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(contains(r.out, "skipped big: ")) << describe(r);
  EXPECT_TRUE(contains(r.out, "skipped fed: its input is the output of skipped layer 'big'"))
      << describe(r);
  const std::string json = read_file(out + "/stats.json");
  EXPECT_TRUE(contains(json, "\"skipped_layers\": [\n    {\"name\": \"big\", \"reason\": "))
      << json;
  EXPECT_TRUE(contains(json,
                       "{\"name\": \"fed\", \"reason\": \"its input is the output of "
                       "skipped layer 'big'\"}"))
      << json;
  EXPECT_TRUE(contains(json, "\"name\": \"ok\"")) << json;
  EXPECT_TRUE(contains(json, "\"macs\": 2304")) << json;  // ok: M 4 x E 4 x F 4 x C 4 x 3x3
  const std::string check =
      "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
      "assert [l[\"name\"] for l in d[\"layers\"]]==[\"ok\"]; "
      "assert [s[\"name\"] for s in d[\"skipped_layers\"]]==[\"big\",\"fed\"]' '" +
      out + "/stats.json' >'" + dir + "/py.txt' 2>&1";
  EXPECT_EQ(std::system(check.c_str()), 0) << read_file(dir + "/py.txt");
}

}  // namespace

namespace {

// --dump-mappings writes the chosen mappings in the --mapping format; pinning them reproduces
// the run: the same statistics except the "[pinned]" mark of each mapping, on every array.
TEST(Cli, DumpedMappingsReproduceTheRun) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(dir + "/tiny.yaml", kTinyWorkload);
  for (const char* arch : {"eyeriss_v1", "tpu_v1", "scnn"}) {
    const std::string a = source_path(std::string("configs/") + arch + ".yaml");
    const std::string dump = dir + "/" + arch + "_mappings.yaml";
    const CliResult first = dfsim("run --arch '" + a + "' --workload '" + wl + "' --out '" + dir +
                                      "/first' --dump-mappings '" + dump + "'",
                                  dir);
    ASSERT_EQ(first.code, 0) << describe(first);
    EXPECT_TRUE(contains(read_file(dump), "mappings:\n  conv_a: {")) << read_file(dump);
    const CliResult again = dfsim("run --arch '" + a + "' --workload '" + wl + "' --out '" + dir +
                                      "/again' --mapping '" + dump + "'",
                                  dir);
    ASSERT_EQ(again.code, 0) << describe(again);
    std::string pinned = read_file(dir + "/again/stats.json");
    for (std::size_t p; (p = pinned.find(" [pinned]")) != std::string::npos;) pinned.erase(p, 9);
    EXPECT_EQ(pinned, read_file(dir + "/first/stats.json")) << arch;
  }
}

}  // namespace

namespace {

// A key given twice in any YAML input (architecture, workload, sweep spec) is refused with both
// places; YAML parsers otherwise keep one of them silently (issue 21). No stats.json is left.
TEST(Cli, DuplicateKeysAreRefusedWithBothPlaces) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(
      dir + "/wl.yaml", "network: t\nlayers:\n  - {name: c, C: 4, M: 8, H: 8, W: 8, R: 3, S: 3}\n");
  const std::string rows = write_file(
      dir + "/rows.yaml", "extends: " + arch_path() + "\nname: x\npe_array: {rows: 12, rows: 6}\n");
  CliResult r = dfsim("run --arch " + rows + " --workload " + wl + " --out " + dir + "/o", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(
      r.err, "rows.yaml:3:22: pe_array.rows: key given twice (first at " + rows + ":3:12)"))
      << describe(r);
  EXPECT_FALSE(fs::exists(dir + "/o/stats.json"));
  const std::string glb =
      write_file(dir + "/glb.yaml",
                 "extends: " + arch_path() + "\nname: x\nglb: {banks: 9}\nglb: {banks: 11}\n");
  r = dfsim("map --arch " + glb + " --workload " + wl, dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "glb.yaml:4:1: glb: key given twice (first at " + glb + ":3:1)"))
      << describe(r);
  const std::string m =
      write_file(dir + "/m.yaml",
                 "network: t\nlayers:\n  - {name: c, C: 4, M: 8, M: 9, H: 8, W: 8, R: 3, S: 3}\n");
  r = dfsim("map --arch " + arch_path() + " --workload " + m, dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(
      contains(r.err, "m.yaml:3:27: layers[0].M: key given twice (first at " + m + ":3:21)"))
      << describe(r);
  const std::string spec =
      write_file(dir + "/spec.yaml", "sweep: s\nsweep: t\nbase_arch: " + arch_path() +
                                         "\nworkloads: [{file: " + wl +
                                         "}]\nparameters: [{key: glb.banks, values: [9]}]\n");
  r = dfsim("sweep " + spec + " --out " + dir + "/sw", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "spec.yaml:2:1: sweep: key given twice")) << describe(r);
}

}  // namespace

namespace {

// Values taken silently before (issue 21): a clock in Hz written as MHz, an energy in joules, a
// workload density of 0, a negative seed; each is refused at its key. A layer name with a tab
// still gives valid JSON.
TEST(Cli, ImplausibleValuesAreRefusedAtTheirKey) {
  const std::string dir = scratch_dir();
  const std::string wl = write_file(
      dir + "/wl.yaml", "network: t\nlayers:\n  - {name: c, C: 4, M: 8, H: 8, W: 8, R: 3, S: 3}\n");
  auto arch_with = [&](const std::string& name, const std::string& extra) {
    return write_file(dir + "/" + name + ".yaml",
                      "extends: " + arch_path() + "\nname: x\n" + extra);
  };
  const struct {
    std::string args, message;
  } cases[] = {
      {"run --arch " + arch_with("hz", "clocks: {core_mhz: 200000000}\n") + " --workload " + wl,
       "hz.yaml:3:20: clocks.core_mhz: 200000000 MHz is above 100 GHz (clocks are in MHz)"},
      {"run --arch " + arch_with("slow", "clocks: {link_mhz: 1e-300}\n") + " --workload " + wl,
       "slow.yaml:3:20: clocks.link_mhz: 1e-300 MHz is below 1 kHz (clocks are in MHz)"},
      {"run --arch " + arch_with("joules", "dram: {energy_pj_per_bit: 28.75e-12}\n") +
           " --workload " + wl,
       "joules.yaml:3:27: dram.energy_pj_per_bit: 2.875e-11 is implausibly small (energies are "
       "in pJ"},
      {"run --arch " + arch_path() + " --workload " +
           write_file(dir + "/zero.yaml",
                      "network: t\nlayers:\n  - {name: c, C: 4, M: 8, H: 8, W: 8, R: 3, S: 3, "
                      "weight_density: 0}\n"),
       "zero.yaml:3:67: layers[0].weight_density: must be in (0, 1]"},
      {"run --arch " + arch_path() + " --workload " + wl + " --seed -1",
       "--seed: '-1' is not an integer from 0 to 18446744073709551615"},
  };
  for (const auto& c : cases) {
    const CliResult r = dfsim(c.args + " --out " + dir + "/o", dir);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << describe(r);
    EXPECT_TRUE(contains(r.err, c.message)) << c.message << "\n" << describe(r);
    EXPECT_FALSE(fs::exists(dir + "/o/stats.json"));
  }
  const std::string tab = write_file(
      dir + "/tab.yaml",
      "network: t\nlayers:\n  - {name: \"c\\tx\", C: 4, M: 8, H: 8, W: 8, R: 3, S: 3}\n");
  const CliResult r =
      dfsim("run --arch " + arch_path() + " --workload " + tab + " --out " + dir + "/t", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  const std::string json = read_file(dir + "/t/stats.json");
  EXPECT_TRUE(contains(json, "\"name\": \"c\\u0009x\"")) << json.substr(0, 400);
}

}  // namespace

namespace {

// Output paths are checked before any work (issue 21: a bad --out or --vcd was found after the
// whole simulation, losing its result), and a directory given as an input file says so.
TEST(Cli, BadPathsAreRefusedBeforeSimulating) {
  const std::string dir = scratch_dir();
  const std::string wl = source_path("workloads/alexnet.yaml");
  const std::string file = write_file(dir + "/afile", "x");
  const struct {
    std::string args, message;
  } cases[] = {
      {"run --arch " + arch_path() + " --workload " + wl + " --out " + file,
       "--out: " + file + " exists and is not a directory"},
      {"run --arch " + arch_path() + " --workload " + wl + " --vcd " + dir + "/no/such/x.vcd",
       "--vcd: cannot write " + dir + "/no/such/x.vcd (" + dir +
           "/no/such is not a writable directory)"},
      {"run --arch " + arch_path() + " --workload " + wl + " --vcd " + dir,
       "--vcd: " + dir + " is a directory"},
      {"run --arch " + source_path("configs") + " --workload " + wl,
       source_path("configs") + ": is a directory, not a file"},
      {"run --arch " + arch_path() + " --workload " + dir, dir + ": is a directory, not a file"},
  };
  for (const auto& c : cases) {
    // --dump-mappings is written as soon as every layer is mapped: its absence shows the
    // check came before the mapping and the simulation.
    const std::string dump = dir + "/mappings.yaml";
    const CliResult r = dfsim(c.args + " --dump-mappings " + dump, dir);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << describe(r);
    EXPECT_TRUE(contains(r.err, c.message)) << c.message << "\n" << describe(r);
    EXPECT_FALSE(fs::exists(dump)) << c.args;
  }
}

}  // namespace

namespace {

// Issue 21: a lower-case `c` was answered "did you mean 'N'?"; a key the word begins uniquely
// is suggested too; an export of a sweep without results leaves no folder behind.
TEST(Cli, SuggestionsAndExportWithoutResults) {
  const std::string dir = scratch_dir();
  const std::string lc = write_file(
      dir + "/lc.yaml", "network: t\nlayers:\n  - {name: c, c: 4, M: 8, H: 8, W: 8, R: 3, S: 3}\n");
  CliResult r = dfsim("map --arch " + arch_path() + " --workload " + lc, dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "layers[0].c: unknown key 'c' (did you mean 'C'?)")) << describe(r);
  const std::string pre = write_file(
      dir + "/pre.yaml", "extends: " + arch_path() + "\nname: x\npe_array: {rows: 12, co: 14}\n");
  r = dfsim("map --arch " + pre + " --workload " + lc, dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "pe_array.co: unknown key 'co' (did you mean 'cols'?)"))
      << describe(r);
  const std::string wl = write_file(
      dir + "/wl.yaml", "network: t\nlayers:\n  - {name: c, C: 4, M: 8, H: 8, W: 8, R: 3, S: 3}\n");
  const std::string spec = write_file(
      dir + "/spec.yaml", "sweep: s\nbase_arch: " + arch_path() + "\nworkloads: [{file: " + wl +
                              "}]\nparameters: [{key: glb.banks, values: [9]}]\n");
  r = dfsim("sweep " + spec + " --out " + dir + "/sw --export csv", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "no results yet; run the sweep first")) << describe(r);
  EXPECT_FALSE(fs::exists(dir + "/sw"));
}

}  // namespace

namespace {

// The line of `text` that starts with `prefix` ("" if none).
std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

const std::string kLenet = "run --arch '" + source_path("configs/eyeriss_v1.yaml") +
                           "' --workload '" + source_path("workloads/lenet5.yaml") + "'";

// Verbosity: the default table (no compressed sizes), --sizes adds them, --summary keeps the
// total row (the same line), --quiet prints nothing and still writes stats.json; --quiet with
// --summary, and the run-only flags on `map`, are errors.
TEST(Cli, SummaryQuietAndSizes) {
  const std::string dir = dfsim_test::fresh_dir("cli_verbosity");
  const CliResult full = dfsim(kLenet, dir);
  ASSERT_EQ(full.code, 0) << describe(full);
  EXPECT_NE(line_starting(full.out, "conv1 "), "");
  EXPECT_TRUE(contains(full.out, "Mapping per layer"));
  EXPECT_FALSE(contains(full.out, "Compressed sizes"));
  const CliResult sizes = dfsim(kLenet + " --sizes", dir);
  EXPECT_TRUE(contains(sizes.out, "Compressed sizes of the operands")) << describe(sizes);
  const CliResult summary = dfsim(kLenet + " --summary", dir);
  ASSERT_EQ(summary.code, 0) << describe(summary);
  EXPECT_EQ(line_starting(summary.out, "conv1 "), "");
  EXPECT_FALSE(contains(summary.out, "Mapping per layer"));
  EXPECT_FALSE(contains(summary.out, "Non-zero operands"));
  EXPECT_EQ(line_starting(summary.out, "total "), line_starting(full.out, "total "));
  const CliResult quiet = dfsim(kLenet + " --quiet --out '" + dir + "/q'", dir);
  EXPECT_EQ(quiet.code, 0);
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.err, "");
  EXPECT_TRUE(std::filesystem::exists(dir + "/q/stats.json"));
  const CliResult both = dfsim(kLenet + " --quiet --summary", dir);
  EXPECT_EQ(both.code, 2);
  EXPECT_TRUE(contains(both.err, "--quiet prints nothing: it does not go with --summary"))
      << describe(both);
  const CliResult map =
      dfsim("map --arch '" + source_path("configs/eyeriss_v1.yaml") + "' --workload '" +
                source_path("workloads/lenet5.yaml") + "' --summary",
            dir);
  EXPECT_EQ(map.code, 2);
  EXPECT_TRUE(contains(map.err, "--summary is an option of 'run', not of 'map'")) << describe(map);
}

// The progress line: --progress shows it from the start on stderr (layer i of N with its name,
// then cleared), stdout is the same as without it; without a terminal and without the flag,
// stderr stays empty.
TEST(Cli, ProgressLineOnRequest) {
  const std::string dir = dfsim_test::fresh_dir("cli_progress");
  const CliResult plain = dfsim(kLenet, dir);
  ASSERT_EQ(plain.code, 0) << describe(plain);
  EXPECT_EQ(plain.err, "");
  const CliResult progress = dfsim(kLenet + " --progress", dir);
  ASSERT_EQ(progress.code, 0) << describe(progress);
  // The line comes at once (a short run may have finished a layer by then).
  EXPECT_TRUE(std::regex_search(
      progress.err, std::regex("\rdfsim: layer [1-4] of 4( [(][a-z0-9]+[)])?, [0-9.]+ ms "
                               "simulated, [0-9.]+ s elapsed")))
      << progress.err;
  EXPECT_EQ(progress.err.substr(progress.err.size() - 4), "\r\033[K");  // cleared at the end
  EXPECT_EQ(progress.out, plain.out);
}

// On a terminal (script(1) gives the run one), a run that takes more than a second shows the
// line without being asked.
TEST(Cli, ProgressLineOnATerminal) {
  const std::string dir = dfsim_test::fresh_dir("cli_tty");
  const std::string run = std::string("'") + DFSIM_BINARY + "' run --arch '" +
                          source_path("configs/eyeriss_v1.yaml") + "' --workload '" +
                          source_path("workloads/alexnet.yaml") +
                          "' --layers conv1,conv2,conv3,conv4,conv5 --batch 8";
  const std::string cmd =
      "script -qec \"" + run + "\" /dev/null > '" + dir + "/tty.txt' 2>&1 < /dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  const std::string text = read_file(dir + "/tty.txt");
  EXPECT_TRUE(contains(text, "dfsim: layer ")) << text.substr(0, 2000);
  EXPECT_TRUE(contains(text, " s elapsed")) << text.substr(0, 2000);
}

// Runs ARCH on WORKLOAD with OPTIONS (a --seed last, if any), writes the provenance's
// architecture and workload to files, runs them with the same seed and objective, and expects
// byte-identical layer and total statistics and the same hash.
void expect_round_trip(const std::string& arch, const std::string& workload,
                       const std::string& options) {
  const std::string dir = dfsim_test::fresh_dir("cli_provenance");
  const CliResult a = dfsim("run --arch '" + arch + "' --workload '" + workload + "' " + options +
                                " --quiet --out '" + dir + "/a'",
                            dir);
  ASSERT_EQ(a.code, 0) << arch << ": " << describe(a);
  const YAML::Node p = YAML::LoadFile(dir + "/a/stats.json")["provenance"];
  ASSERT_TRUE(p) << arch;
  EXPECT_EQ(p["hash"].as<std::string>().rfind("fnv1a64:", 0), 0u);
  // Written in another folder: nothing in it may depend on where the original files were.
  fs::create_directories(dir + "/elsewhere");
  write_file(dir + "/elsewhere/arch.yaml", p["architecture"].as<std::string>());
  write_file(dir + "/elsewhere/workload.yaml", p["workload"].as<std::string>());
  const std::size_t at = options.find("--seed");
  const std::string seed = at == std::string::npos ? "" : options.substr(at);
  const std::string objective = contains(options, "--objective energy") ? "--objective energy" : "";
  const CliResult b = dfsim("run --arch '" + dir + "/elsewhere/arch.yaml' --workload '" + dir +
                                "/elsewhere/workload.yaml' " + seed + " " + objective +
                                " --quiet --out '" + dir + "/b'",
                            dir);
  ASSERT_EQ(b.code, 0) << arch << ": " << describe(b);
  const std::string ta = read_file(dir + "/a/stats.json"), tb = read_file(dir + "/b/stats.json");
  EXPECT_EQ(ta.substr(ta.find("\"layers\": [")), tb.substr(tb.find("\"layers\": ["))) << arch;
  EXPECT_EQ(YAML::LoadFile(dir + "/b/stats.json")["provenance"]["hash"].as<std::string>(),
            p["hash"].as<std::string>())
      << arch;
}

// Provenance round trip on three styles (one a JEDEC variant through an extends chain) and on
// an architecture that erases an inherited key and names energy tables by relative paths.
TEST(Cli, ProvenanceRunsAgainToTheSameResult) {
  const std::string lenet = source_path("workloads/lenet5.yaml");
  expect_round_trip(source_path("configs/eyeriss_v1.yaml"), lenet,
                    "--layers conv2,fc3 --batch 2 --weight-density 0.5 --seed 5");
  expect_round_trip(source_path("configs/tpu_v1_ddr3.yaml"), lenet, "--objective energy");
  expect_round_trip(source_path("configs/dataflows/os_256.yaml"),
                    source_path("workloads/googlenet_pruned.yaml"),
                    "--layers inception_3a-1x1 --seed 9");
  const std::string dir = dfsim_test::fresh_dir("cli_provenance_accelergy");
  const std::string tables = fs::relative(source_path("tests/accelergy"), dir).string();
  write_file(dir + "/arch.yaml",
             "extends: " + source_path("configs/eyeriss_v1.yaml") +
                 "\nenergy:\n  impl: accelergy\n  calibration: ~\n  ert: " + tables +
                 "/eyeriss_ERT.yaml\n  art: " + tables +
                 "/eyeriss_ART.yaml\n  names: {glb: system.eyeriss.shared_glb,\n"
                 "          filter_spad: system.eyeriss.weights_spad_sram}\n");
  expect_round_trip(dir + "/arch.yaml", lenet, "--layers conv1");
}

// A .npy file of int8 VALUES in `shape` (NumPy format 1.0, header padded to 64 bytes).
void write_npy_int8(const std::string& path, const std::string& shape,
                    const std::vector<std::int8_t>& values) {
  std::string header = "{'descr': '|i1', 'fortran_order': False, 'shape': (" + shape + "), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out << "\x93NUMPY" << '\x01' << '\x00' << static_cast<char>(header.size() & 0xff)
      << static_cast<char>(header.size() >> 8) << header;
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size()));
}

// The hash covers the check and the contents of the files the run reads, not only their names.
TEST(Cli, ProvenanceHashCoversTheCheckAndFileContents) {
  const std::string dir = dfsim_test::fresh_dir("cli_provenance_hash");
  write_file(dir + "/wl.yaml",
             "network: t\nlayers:\n  - {name: c, C: 1, M: 6, H: 12, W: 12, R: 5, S: 5, "
             "weights_file: w.npy}\n");
  const auto hash = [&](const std::string& extra, const std::string& out) {
    const CliResult r =
        dfsim("run --arch '" + source_path("configs/eyeriss_v1.yaml") + "' --workload '" + dir +
                  "/wl.yaml' --quiet --out '" + dir + "/" + out + "' " + extra,
              dir);
    EXPECT_EQ(r.code, 0) << describe(r);
    return YAML::LoadFile(dir + "/" + out + "/stats.json")["provenance"]["hash"].as<std::string>();
  };
  write_npy_int8(dir + "/w.npy", "6, 1, 5, 5", std::vector<std::int8_t>(150, 1));
  const std::string ones = hash("", "ones");
  EXPECT_EQ(hash("", "ones_again"), ones);
  EXPECT_NE(hash("--no-check", "unchecked"), ones);
  write_npy_int8(dir + "/w.npy", "6, 1, 5, 5", std::vector<std::int8_t>(150, 2));
  EXPECT_NE(hash("", "twos"), ones);  // same file name, other weights
}

}  // namespace
