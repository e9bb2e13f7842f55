// Design-space sweeps (`dfsim sweep`): enumeration and hashing of points in-process
// (load_sweep_spec / enumerate_points), bad specs rejected before any point runs, runs through
// the CLI (DFSIM_BINARY) with exports and the Pareto front, failing points, resuming after
// SIGKILL and SIGINT, and determinism. The Slurm backend is tested by tests/slurm/
// run_slurm_sweep_test.sh (CTest: sweep_slurm).
//
// Every spec is tiny (one small conv layer on configs/eyeriss_v1.yaml) and lives in a fresh
// scratch folder next to its workload file; spec paths are relative to the spec file.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sweep/result_store.hpp"
#include "sweep/sweep_spec.hpp"
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
using Clock = std::chrono::steady_clock;

std::string arch_path() { return source_path("configs/eyeriss_v1.yaml"); }

std::vector<std::string>& scratch_dirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

// Scratch folders of passed tests are removed (kept for failures, or with DFSIM_KEEP_TEST_DIRS).
class RemoveScratchOnSuccess : public ::testing::EmptyTestEventListener {
  void OnTestEnd(const ::testing::TestInfo& info) override {
    if (info.result()->Passed() && !std::getenv("DFSIM_KEEP_TEST_DIRS"))
      for (const auto& d : scratch_dirs()) {
        std::error_code ec;
        fs::remove_all(d, ec);
      }
    scratch_dirs().clear();
  }
};
const bool kRemoveScratchRegistered = [] {
  ::testing::UnitTest::GetInstance()->listeners().Append(new RemoveScratchOnSuccess);
  return true;
}();

// A fresh per-test, per-process scratch directory (absolute).
std::string scratch_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string dir = ::testing::TempDir();
  if (!dir.empty() && dir.back() != '/') dir += '/';
  dir += "dfsim_sweep_" + std::string(info ? info->name() : "x") + "_" + std::to_string(::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  dir = fs::absolute(dir).lexically_normal().string();
  scratch_dirs().push_back(dir);
  return dir;
}

// conv_a: a few ms per point; big: an 11x11 filter (needs >= 11 PE rows); slow: ~0.1 s per
// image, run with a batch for the resume tests.
const char* kWorkload =
    "network: tiny\n"
    "layers:\n"
    "  - {name: conv_a, M: 8, C: 4, H: 10, W: 10, R: 3, S: 3, padding: 1}\n"
    "  - {name: big, M: 4, C: 3, H: 31, W: 31, R: 11, S: 11, stride: 4}\n"
    "  - {name: slow, M: 128, C: 64, H: 56, W: 56, R: 3, S: 3, padding: 1}\n";

// Writes DIR/wl.yaml and DIR/spec.yaml (header + body); returns the spec's path.
std::string write_spec(const std::string& dir, const std::string& body,
                       const std::string& name = "spec.yaml") {
  write_file(dir + "/wl.yaml", kWorkload);
  return write_file(dir + "/" + name, body);
}

// The usual first lines: name, base architecture, the conv_a workload.
std::string header(const std::string& sweep = "t", const std::string& layers = "[conv_a]",
                   const std::string& extra = "") {
  return "sweep: " + sweep + "\n" + "base_arch: " + arch_path() + "\n" +
         "workloads:\n  - {file: wl.yaml, layers: " + layers + extra + "}\n";
}

// ---- CSV ----------------------------------------------------------------------------------

using Row = std::map<std::string, std::string>;

std::vector<std::vector<std::string>> parse_csv_cells(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(cell);
      cell.clear();
      any = true;
    } else if (c == '\n') {
      row.push_back(cell);
      rows.push_back(row);
      row.clear();
      cell.clear();
      any = false;
    } else {
      cell += c;
      any = true;
    }
  }
  if (any) {
    row.push_back(cell);
    rows.push_back(row);
  }
  return rows;
}

struct Table {
  std::vector<std::string> header;
  std::vector<Row> rows;
  std::vector<std::vector<std::string>> cells;  // without the header
};

Table parse_csv(const std::string& text) {
  Table t;
  auto cells = parse_csv_cells(text);
  if (cells.empty()) return t;
  t.header = cells.front();
  for (std::size_t i = 1; i < cells.size(); ++i) {
    EXPECT_EQ(cells[i].size(), t.header.size()) << "csv line " << i + 1 << " of:\n" << text;
    Row r;
    for (std::size_t k = 0; k < t.header.size() && k < cells[i].size(); ++k)
      r[t.header[k]] = cells[i][k];
    t.rows.push_back(r);
    t.cells.push_back(cells[i]);
  }
  return t;
}

const std::vector<std::string> kCsvHeader = {"index",
                                             "hash",
                                             "workload",
                                             "params",
                                             "status",
                                             "error",
                                             "cycles",
                                             "seconds",
                                             "energy_pj",
                                             "power_mw",
                                             "edp_pj_s",
                                             "dram_bytes",
                                             "onchip_storage_bytes",
                                             "area_mm2",
                                             "macs",
                                             "utilization",
                                             "wall_seconds"};

// The export column of each objective.
std::string column_of(const std::string& objective) {
  static const std::map<std::string, std::string> m = {{"energy", "energy_pj"},
                                                       {"latency", "seconds"},
                                                       {"cycles", "cycles"},
                                                       {"edp", "edp_pj_s"},
                                                       {"power", "power_mw"},
                                                       {"dram_traffic", "dram_bytes"},
                                                       {"onchip_storage", "onchip_storage_bytes"},
                                                       {"area", "area_mm2"}};
  return m.at(objective);
}

bool dominates(const Row& a, const Row& b, const std::vector<std::string>& objectives) {
  bool strictly = false;
  for (const auto& o : objectives) {
    const double x = std::stod(a.at(column_of(o))), y = std::stod(b.at(column_of(o)));
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

// pareto.csv holds exactly the done points no done point dominates.
void expect_pareto_front(const std::string& dir, const Table& all,
                         const std::vector<std::string>& objectives) {
  ASSERT_TRUE(fs::exists(dir + "/pareto.csv"));
  const Table front = parse_csv(read_file(dir + "/pareto.csv"));
  EXPECT_EQ(front.header, kCsvHeader);
  std::vector<Row> done;
  for (const auto& r : all.rows)
    if (r.at("status") == "done") done.push_back(r);
  std::set<std::string> front_hashes;
  for (const auto& f : front.rows) {
    EXPECT_EQ(f.at("status"), "done") << "a failed point on the front: " << f.at("hash");
    EXPECT_TRUE(front_hashes.insert(f.at("hash")).second) << "twice on the front: " << f.at("hash");
    bool known = false;
    for (const auto& r : done) known = known || r.at("hash") == f.at("hash");
    EXPECT_TRUE(known) << "front point " << f.at("hash") << " is not among the done points";
    for (const auto& r : done)
      EXPECT_FALSE(dominates(r, f, objectives))
          << "front point " << f.at("index") << " is dominated by point " << r.at("index");
  }
  EXPECT_FALSE(front.rows.empty());
  for (const auto& r : done) {
    if (front_hashes.count(r.at("hash"))) continue;
    bool dominated = false;
    for (const auto& o : done) dominated = dominated || dominates(o, r, objectives);
    EXPECT_TRUE(dominated) << "point " << r.at("index")
                           << " is non-dominated but not in pareto.csv";
  }
}

void expect_plots(const std::string& dir) {
  const std::string svg = read_file(dir + "/pareto.svg");
  const std::string png = read_file(dir + "/pareto.png");
  ASSERT_FALSE(svg.empty()) << dir << "/pareto.svg missing or empty (gnuplot installed?)";
  ASSERT_FALSE(png.empty()) << dir << "/pareto.png missing or empty (gnuplot installed?)";
  EXPECT_TRUE(contains(svg, "<svg"));
  EXPECT_EQ(png.substr(0, 4), std::string("\x89PNG", 4));
}

// ---- SQLite -------------------------------------------------------------------------------

struct DbState {
  long rows = 0;
  std::map<std::string, std::string> status;  // hash -> status
  long duplicates = 0;                        // rows beyond one per hash
};

// Reads the points table without creating anything (0 rows while the file or table is missing).
DbState read_db(const std::string& path) {
  DbState s;
  if (!fs::exists(path)) return s;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT hash, status FROM points", -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) {
      ++s.rows;
      const std::string h = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      const std::string status = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
      if (!s.status.emplace(h, status).second) ++s.duplicates;
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return s;
}

// Rows of a query on the database, each column as text ("" for NULL).
std::vector<std::vector<std::string>> query(const std::string& path, const std::string& sql) {
  std::vector<std::vector<std::string>> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    ADD_FAILURE() << "cannot open " << path;
    return rows;
  }
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  while (st && sqlite3_step(st) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      const unsigned char* t = sqlite3_column_text(st, c);
      row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

// ---- processes ----------------------------------------------------------------------------

pid_t spawn_dfsim(const std::vector<std::string>& args, const std::string& out,
                  const std::string& err) {
  const pid_t pid = fork();
  if (pid == 0) {
    const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o >= 0) dup2(o, STDOUT_FILENO);
    if (e >= 0) dup2(e, STDERR_FILENO);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(DFSIM_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(DFSIM_BINARY, argv.data());
    _exit(127);
  }
  return pid;
}

// Waits until `pred` holds; false after `seconds`.
template <class Pred>
bool wait_for(Pred pred, double seconds) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

std::vector<std::string> files_with_ext(const std::string& dir, const std::string& ext) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path().stem().string());
  return out;
}

// ---- 1. Enumeration -------------------------------------------------------------------------

std::vector<std::string> values_of(const dfsim::SweepPoint& p) {
  std::vector<std::string> v;
  for (const auto& kv : p.params) v.push_back(kv.second);
  return v;
}

TEST(SweepSpec, CartesianProductInOrderLastGroupFastest) {
  const std::string dir = scratch_dir();
  const std::string spec = write_spec(
      dir, header("cart", "[conv_a]", "}\n  - {file: wl.yaml, layers: [conv_a], batch: 2") +
               "parameters:\n"
               "  - {key: glb.banks, values: [11, 19, 27]}\n"
               "  - {key: pe_array.rows, values: [12, 16]}\n"
               "  - {key: pe_array.cols, values: [8, 14]}\n");
  const dfsim::SweepSpec s = dfsim::load_sweep_spec(spec);
  ASSERT_EQ(s.workloads.size(), 2u);
  EXPECT_EQ(s.workloads[1].batch, 2);
  EXPECT_EQ(s.objectives, (std::vector<std::string>{"energy", "latency"}));  // the default
  const auto pts = dfsim::enumerate_points(s);
  ASSERT_EQ(pts.size(), 2u * 3 * 2 * 2);
  std::size_t i = 0;
  for (int w = 0; w < 2; ++w)
    for (const char* banks : {"11", "19", "27"})
      for (const char* rows : {"12", "16"})
        for (const char* cols : {"8", "14"}) {
          const auto& p = pts[i];
          EXPECT_EQ(p.index, static_cast<std::int64_t>(i));
          EXPECT_EQ(p.workload, w) << "point " << i;
          ASSERT_EQ(p.params.size(), 3u);
          EXPECT_EQ(p.params[0].first, "glb.banks");
          EXPECT_EQ(p.params[1].first, "pe_array.rows");
          EXPECT_EQ(p.params[2].first, "pe_array.cols");
          EXPECT_EQ(values_of(p), (std::vector<std::string>{banks, rows, cols})) << "point " << i;
          // The resolved architecture carries the values; the rest is the base's.
          const YAML::Node a = YAML::Load(p.arch_text);
          EXPECT_EQ(a["glb"]["banks"].as<std::string>(), banks);
          EXPECT_EQ(a["pe_array"]["rows"].as<std::string>(), rows);
          EXPECT_EQ(a["pe_array"]["cols"].as<std::string>(), cols);
          EXPECT_EQ(a["glb"]["bank_bytes"].as<int>(), 4096);
          EXPECT_EQ(a["name"].as<std::string>(), "eyeriss_v1");
          ++i;
        }
  std::set<std::string> hashes;
  for (const auto& p : pts) {
    EXPECT_EQ(p.hash.size(), 16u);
    hashes.insert(p.hash);
  }
  EXPECT_EQ(hashes.size(), pts.size()) << "every point has its own hash";
}

// `base_arch` as a parameter: each point starts from its own file (paths relative to the
// spec), and the other keys apply to each; the array style changes with the file.
TEST(SweepSpec, BaseArchitectureIsSweptAcrossFiles) {
  const std::string dir = scratch_dir();
  const std::string configs = dfsim_test::source_path("configs");
  const std::string spec = write_spec(dir, header("bases") +
                                               "parameters:\n"
                                               "  - {key: base_arch, values: [" +
                                               configs + "/dataflows/ws_256.yaml, " + configs +
                                               "/dataflows/nlr_256.yaml]}\n"
                                               "  - {key: glb.banks, values: [40, 48]}\n");
  const auto pts = dfsim::enumerate_points(dfsim::load_sweep_spec(spec));
  ASSERT_EQ(pts.size(), 4u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"ws_256", "40"}, {"ws_256", "48"}, {"nlr_256", "40"}, {"nlr_256", "48"}};
  std::set<std::string> hashes;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const YAML::Node a = YAML::Load(pts[i].arch_text);
    EXPECT_EQ(a["name"].as<std::string>(), expected[i].first) << "point " << i;
    EXPECT_EQ(a["glb"]["banks"].as<std::string>(), expected[i].second) << "point " << i;
    EXPECT_EQ(pts[i].base_arch, configs + "/dataflows/" + expected[i].first + ".yaml");
    EXPECT_TRUE(dfsim_test::contains(pts[i].params_json(), "\"base_arch\": \"" + configs))
        << pts[i].params_json();
    hashes.insert(pts[i].hash);
  }
  EXPECT_EQ(hashes.size(), 4u);
}

TEST(SweepSpec, NoParametersGivesOnePointPerWorkload) {
  const std::string dir = scratch_dir();
  const std::string spec = write_spec(dir, header("none") + "objectives: [latency, power]\n");
  const auto pts = dfsim::enumerate_points(dfsim::load_sweep_spec(spec));
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_TRUE(pts[0].params.empty());
  EXPECT_EQ(pts[0].params_json(), "{}");
}

TEST(SweepSpec, ZipPairsKeys) {
  const std::string dir = scratch_dir();
  const std::string spec =
      write_spec(dir, header("zip") +
                          "parameters:\n"
                          "  - {key: glb.banks, values: [11, 27]}\n"
                          "  - zip:\n"
                          "      - {key: pe_array.rows, values: [12, 12, 16]}\n"
                          "      - {key: pe_array.cols, values: [8, 14, 16]}\n");
  const auto pts = dfsim::enumerate_points(dfsim::load_sweep_spec(spec));
  ASSERT_EQ(pts.size(), 6u);  // 2 x 3, not 2 x 3 x 3
  const std::vector<std::vector<std::string>> expected = {{"11", "12", "8"},  {"11", "12", "14"},
                                                          {"11", "16", "16"}, {"27", "12", "8"},
                                                          {"27", "12", "14"}, {"27", "16", "16"}};
  for (std::size_t i = 0; i < pts.size(); ++i)
    EXPECT_EQ(values_of(pts[i]), expected[i]) << "point " << i;
  EXPECT_EQ(pts[2].params_json(),
            R"({"glb.banks": "11", "pe_array.rows": "16", "pe_array.cols": "16"})");
}

TEST(SweepSpec, RangesWithStepAndFactorIncludeTheirEnds) {
  const std::string dir = scratch_dir();
  auto one_key = [&](const std::string& name, const std::string& entry) {
    const std::string spec =
        write_spec(dir, header(name) + "parameters:\n  - " + entry + "\n", name + ".yaml");
    std::vector<std::string> v;
    for (const auto& p : dfsim::enumerate_points(dfsim::load_sweep_spec(spec)))
      v.push_back(p.params.at(0).second);
    return v;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(one_key("step", "{key: pe_array.rows, range: {from: 8, to: 16, step: 4}}"),
            (V{"8", "12", "16"}));
  EXPECT_EQ(one_key("step_open", "{key: glb.banks, range: {from: 10, to: 21, step: 5}}"),
            (V{"10", "15", "20"}));
  EXPECT_EQ(one_key("step_frac", "{key: dram.latency_ns, range: {from: 50, to: 100, step: 12.5}}"),
            (V{"50", "62.5", "75", "87.5", "100"}));
  // Accumulated 0.1 steps still end at (and print) 1.
  EXPECT_EQ(
      one_key("step_tenth", "{key: dram.energy_pj_per_bit, range: {from: 0.1, to: 1, step: 0.1}}"),
      (V{"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1"}));
  EXPECT_EQ(one_key("factor", "{key: pe_array.rows, range: {from: 2, to: 16, factor: 2}}"),
            (V{"2", "4", "8", "16"}));
  EXPECT_EQ(one_key("factor_open", "{key: pe_array.cols, range: {from: 3, to: 20, factor: 2}}"),
            (V{"3", "6", "12"}));
  EXPECT_EQ(one_key("single", "{key: pe_array.cols, range: {from: 7, to: 7, step: 1}}"), (V{"7"}));
  // Zipped ranges (the TPU example's form).
  const std::string spec =
      write_spec(dir,
                 header("zipr") +
                     "parameters:\n  - zip:\n"
                     "      - {key: pe_array.rows, range: {from: 4, to: 32, factor: 2}}\n"
                     "      - {key: pe_array.cols, range: {from: 4, to: 16, step: 4}}\n",
                 "zipr.yaml");
  const auto pts = dfsim::enumerate_points(dfsim::load_sweep_spec(spec));
  ASSERT_EQ(pts.size(), 4u);
  EXPECT_EQ(values_of(pts[3]), (V{"32", "16"}));
}

std::string grid_spec(const std::string& sample) {
  return header("grid") +
         "parameters:\n"
         "  - {key: glb.banks, range: {from: 4, to: 64, step: 4}}\n"  // 16 values
         "  - {key: pe_array.rows, values: [12, 16]}\n" +
         sample;
}

TEST(SweepSpec, SampleIsSeededDistinctAndASubsetOfTheGrid) {
  const std::string dir = scratch_dir();
  const auto full =
      dfsim::enumerate_points(dfsim::load_sweep_spec(write_spec(dir, grid_spec(""), "full.yaml")));
  ASSERT_EQ(full.size(), 32u);
  auto sample = [&](int count, int seed) {
    const std::string name = "s" + std::to_string(count) + "_" + std::to_string(seed) + ".yaml";
    const std::string spec = write_spec(dir,
                                        grid_spec("sample: {count: " + std::to_string(count) +
                                                  ", seed: " + std::to_string(seed) + "}\n"),
                                        name);
    return dfsim::enumerate_points(dfsim::load_sweep_spec(spec));
  };
  auto indices = [](const std::vector<dfsim::SweepPoint>& pts) {
    std::vector<std::int64_t> v;
    for (const auto& p : pts) v.push_back(p.index);
    return v;
  };
  const auto a = sample(7, 3);
  ASSERT_EQ(a.size(), 7u);
  const auto ia = indices(a);
  EXPECT_EQ(std::set<std::int64_t>(ia.begin(), ia.end()).size(), 7u) << "distinct points";
  EXPECT_TRUE(std::is_sorted(ia.begin(), ia.end()));
  for (const auto& p : a) {
    ASSERT_GE(p.index, 0);
    ASSERT_LT(p.index, 32);
    // A sampled point is the grid's point with that index: same values, same hash.
    EXPECT_EQ(p.params, full[static_cast<std::size_t>(p.index)].params);
    EXPECT_EQ(p.hash, full[static_cast<std::size_t>(p.index)].hash);
  }
  EXPECT_EQ(indices(sample(7, 3)), ia) << "the same seed picks the same points";
  EXPECT_NE(indices(sample(7, 4)), ia) << "another seed picks other points";
  EXPECT_NE(indices(sample(7, 12345)), ia);
  EXPECT_EQ(sample(32, 9).size(), 32u);
  EXPECT_EQ(sample(100, 9).size(), 32u) << "a count beyond the grid gives the whole grid";
  const auto one = sample(1, 5);
  ASSERT_EQ(one.size(), 1u);
}

TEST(SweepSpec, HashesAreStableAndChangeOnlyWithThePoint) {
  const std::string dir = scratch_dir();
  const std::string base = header("h") +
                           "parameters:\n"
                           "  - {key: glb.banks, values: [11, 19, 27]}\n"
                           "  - {key: pe_array.rows, values: [12, 16]}\n";
  const auto a1 = dfsim::enumerate_points(dfsim::load_sweep_spec(write_spec(dir, base, "a.yaml")));
  const auto a2 = dfsim::enumerate_points(dfsim::load_sweep_spec(write_spec(dir, base, "a2.yaml")));
  ASSERT_EQ(a1.size(), 6u);
  ASSERT_EQ(a2.size(), 6u);
  for (std::size_t i = 0; i < a1.size(); ++i) EXPECT_EQ(a1[i].hash, a2[i].hash) << "point " << i;

  // 19 -> 23: points 2 and 3 change, the others keep their hashes.
  std::string changed = base;
  changed.replace(changed.find("19"), 2, "23");
  const auto b =
      dfsim::enumerate_points(dfsim::load_sweep_spec(write_spec(dir, changed, "b.yaml")));
  ASSERT_EQ(b.size(), 6u);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 2 || i == 3)
      EXPECT_NE(b[i].hash, a1[i].hash) << "point " << i;
    else
      EXPECT_EQ(b[i].hash, a1[i].hash) << "point " << i;
  }
  // Comments, the description and the objectives do not change results, so not hashes either.
  const auto c = dfsim::enumerate_points(dfsim::load_sweep_spec(write_spec(
      dir, "# a comment\n" + base + "description: same points\nobjectives: [edp, dram_traffic]\n",
      "c.yaml")));
  ASSERT_EQ(c.size(), 6u);
  for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(c[i].hash, a1[i].hash) << "point " << i;
  // The run settings do: every hash changes.
  const auto d = dfsim::enumerate_points(
      dfsim::load_sweep_spec(write_spec(dir, base + "run: {seed: 2}\n", "d.yaml")));
  ASSERT_EQ(d.size(), 6u);
  for (std::size_t i = 0; i < d.size(); ++i) EXPECT_NE(d[i].hash, a1[i].hash) << "point " << i;
}

// ---- 2. Bad specs -----------------------------------------------------------------------------

// Runs the sweep on a bad spec: exit 2, an error message, nothing created in the out folder.
CliResult run_bad(const std::string& dir, const std::string& body) {
  const std::string spec = write_spec(dir, body);
  const std::string out = dir + "/out";
  CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_TRUE(contains(r.err, "dfsim: error: ")) << describe(r);
  EXPECT_FALSE(fs::exists(out + "/sweep.sqlite")) << "a database was created for a bad spec";
  EXPECT_TRUE(files_with_ext(out + "/points", ".log").empty()) << "points ran for a bad spec";
  EXPECT_FALSE(contains(r.err, "sweep: 0/")) << "progress started for a bad spec:\n" << r.err;
  return r;
}

#define EXPECT_ERR(r, text) \
  EXPECT_TRUE(contains((r).err, text)) << "expected '" << (text) << "' in\n" << describe(r)

TEST(SweepBadSpec, UnknownTopLevelKeySuggestsTheRightOne) {
  const std::string dir = scratch_dir();
  const CliResult r = run_bad(dir, header() + "paramters:\n  - {key: glb.banks, values: [11]}\n");
  EXPECT_ERR(
      r, dir + "/spec.yaml:5:1: paramters: unknown key 'paramters' (did you mean 'parameters'?)");
}

TEST(SweepBadSpec, UnknownArchitectureKeyNamesItAndSuggests) {
  const std::string dir = scratch_dir();
  const CliResult r =
      run_bad(dir, header() + "parameters:\n  - {key: glb.bankz, values: [11, 27]}\n");
  EXPECT_ERR(r, dir + "/spec.yaml:6:5: parameters");
  EXPECT_ERR(r, "glb.bankz");
  EXPECT_ERR(r, "did you mean 'banks'?");
}

// An unknown section (not only an unknown leaf key) is caught before anything runs.
TEST(SweepBadSpec, UnknownArchitectureSectionIsNamed) {
  const std::string dir = scratch_dir();
  const CliResult r =
      run_bad(dir, header() + "parameters:\n  - {key: glbx.banks, values: [11, 27]}\n");
  EXPECT_ERR(r, dir + "/spec.yaml");
  EXPECT_ERR(r, "glbx.banks");
  EXPECT_ERR(r, "no section 'glbx'");
}

TEST(SweepBadSpec, ValueTheArchitectureRejects) {
  const std::string dir = scratch_dir();
  // Point 0 is valid; point 1 is not, and it stops the sweep before point 0 runs.
  const CliResult r =
      run_bad(dir, header() + "parameters:\n  - {key: pe_array.rows, values: [12, 0]}\n");
  EXPECT_ERR(r, dir + "/spec.yaml:6:5: parameters: point 1");
  EXPECT_ERR(r, "pe_array.rows");
  EXPECT_ERR(r, "must be >= 1, got 0");
}

// A swept base file that is not a valid architecture is named at its parameter entry; a key
// another swept base rejects names the point.
TEST(SweepBadSpec, SweptBaseArchitecturesAreCheckedEach) {
  const std::string dir = scratch_dir();
  write_file(dir + "/bad.yaml", "name: bad\narray: row_stationery\n");
  CliResult r = run_bad(dir, header() + "parameters:\n  - {key: base_arch, values: [bad.yaml]}\n");
  EXPECT_ERR(r, dir + "/spec.yaml:6:5: parameters[0]: base_arch: " + dir + "/bad.yaml:2:8: ");
  EXPECT_ERR(r, "did you mean 'row_stationary'?");
  r = run_bad(dir, header() + "parameters:\n  - {key: base_arch, values: [" +
                       dfsim_test::source_path("configs/eyeriss_v1.yaml") + ", " +
                       dfsim_test::source_path("configs/tpu_v1.yaml") +
                       "]}\n  - {key: glb.banks, values: [27]}\n");
  EXPECT_ERR(r, "parameters: point 1 does not give a valid architecture");
  EXPECT_ERR(r, "glb");
}

TEST(SweepBadSpec, ZippedListsOfUnequalLength) {
  const std::string dir = scratch_dir();
  const CliResult r = run_bad(dir, header() +
                                       "parameters:\n  - zip:\n"
                                       "      - {key: pe_array.rows, values: [8, 12]}\n"
                                       "      - {key: pe_array.cols, values: [8, 14, 16]}\n");
  EXPECT_ERR(
      r, dir + "/spec.yaml:8:9: parameters[0].zip[1]: zipped lists need equal lengths (2 vs 3)");
}

TEST(SweepBadSpec, UnknownObjectiveSuggestsTheRightOne) {
  const std::string dir = scratch_dir();
  const CliResult r = run_bad(dir, header() + "objectives: [energy, latncy]\n");
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex(dir + "/spec\\.yaml:5:[0-9]+: objectives\\[1\\]: ")))
      << describe(r);
  EXPECT_ERR(r, "unknown objective 'latncy' (did you mean 'latency'?)");
}

TEST(SweepBadSpec, MissingWorkloadFile) {
  const std::string dir = scratch_dir();
  const CliResult r = run_bad(dir, "sweep: bad\nbase_arch: " + arch_path() +
                                       "\nworkloads:\n  - {file: nope.yaml, layers: [conv_a]}\n");
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex(dir + "/spec\\.yaml:4:[0-9]+: workloads\\[0\\]\\.file")))
      << describe(r);
  EXPECT_ERR(r, "nope.yaml");
}

TEST(SweepBadSpec, UnknownLayerSuggestsTheRightOne) {
  const std::string dir = scratch_dir();
  const CliResult r = run_bad(dir, header("bad", "[conv_b]"));
  EXPECT_TRUE(std::regex_search(
      r.err, std::regex(dir + "/spec\\.yaml:4:[0-9]+: workloads\\[0\\]\\.layers")))
      << describe(r);
  EXPECT_ERR(r, "no layer named 'conv_b'");
  EXPECT_ERR(r, "did you mean 'conv_a'?");
}

TEST(SweepBadSpec, ExportBeforeAnyRunFails) {
  const std::string dir = scratch_dir();
  const std::string spec =
      write_spec(dir, header() + "parameters:\n  - {key: glb.banks, values: [11, 27]}\n");
  const CliResult r = dfsim("sweep '" + spec + "' --export csv --out '" + dir + "/out'", dir);
  EXPECT_NE(r.code, 0) << describe(r);
  EXPECT_ERR(r, "no results yet");
  EXPECT_FALSE(fs::exists(dir + "/out/sweep.sqlite"));
}

// ---- 3. Running through the CLI -------------------------------------------------------------

const std::vector<std::string> kRunObjectives = {"latency", "energy", "onchip_storage"};

// Six points; larger arrays are faster but need more storage, so the front has several points.
// The spec sits in a subfolder and names its files relative to itself.
std::string six_point_spec(const std::string& dir) {
  const std::string specs = dir + "/specs";
  fs::create_directories(specs);
  write_file(dir + "/wl.yaml", kWorkload);
  const std::string arch_rel = fs::relative(arch_path(), specs).string();
  return write_file(specs + "/six.yaml",
                    "sweep: six\n"
                    "description: GLB banks x array shape on one small conv layer\n"
                    "base_arch: " +
                        arch_rel +
                        "\n"
                        "workloads:\n  - {file: ../wl.yaml, layers: [conv_a]}\n"
                        "parameters:\n"
                        "  - {key: glb.banks, values: [11, 27]}\n"
                        "  - zip:\n"
                        "      - {key: pe_array.rows, values: [8, 12, 16]}\n"
                        "      - {key: pe_array.cols, values: [8, 14, 16]}\n"
                        "objectives: [latency, energy, onchip_storage]\n"
                        "run: {objective: latency, check: true, seed: 1}\n");
}

TEST(SweepRun, AllPointsDoneWithExportsParetoFrontAndPlots) {
  const std::string dir = scratch_dir();
  const std::string spec = six_point_spec(dir);
  const std::string out = dir + "/out";
  const CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_ERR(r, "sweep: six: 6 points, 0 already finished, 6 to run (local)");
  EXPECT_ERR(r, "sweep: 6/6 done, 0 failed");
  EXPECT_ERR(r, "sweep: six: 6 done, 0 failed, 0 not run, of 6 points");
  EXPECT_ERR(r, "sweep: Pareto front: ");
  EXPECT_FALSE(contains(r.err, "failed: point")) << describe(r);

  const DbState db = read_db(out + "/sweep.sqlite");
  EXPECT_EQ(db.rows, 6);
  EXPECT_EQ(db.duplicates, 0);
  EXPECT_TRUE(files_with_ext(out + "/points", ".json").empty())
      << "result files are removed once stored";

  // csv: the header and one line per point, in index order, with the spec's hashes.
  const CliResult c = dfsim(
      "sweep '" + spec + "' --export csv --out '" + out + "' --output '" + dir + "/r.csv'", dir);
  ASSERT_EQ(c.code, 0) << describe(c);
  const std::string csv = read_file(dir + "/r.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7) << csv;
  const Table t = parse_csv(csv);
  EXPECT_EQ(t.header, kCsvHeader);
  ASSERT_EQ(t.rows.size(), 6u);
  const auto pts = dfsim::enumerate_points(dfsim::load_sweep_spec(spec));
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const Row& row = t.rows[i];
    EXPECT_EQ(row.at("index"), std::to_string(i));
    EXPECT_EQ(row.at("hash"), pts[i].hash);
    EXPECT_EQ(row.at("params"), pts[i].params_json());
    EXPECT_EQ(row.at("workload"), "wl.yaml[conv_a]");
    EXPECT_EQ(row.at("status"), "done") << row.at("error");
    EXPECT_EQ(row.at("error"), "");
    EXPECT_GT(std::stoll(row.at("cycles")), 0);
    EXPECT_GT(std::stod(row.at("energy_pj")), 0);
    EXPECT_EQ(std::stoll(row.at("macs")), 8LL * 4 * 10 * 10 * 9);
    EXPECT_GT(std::stod(row.at("wall_seconds")), 0);
    EXPECT_NEAR(std::stod(row.at("edp_pj_s")),
                std::stod(row.at("energy_pj")) * std::stod(row.at("seconds")),
                1e-6 * std::stod(row.at("edp_pj_s")));
  }
  // More GLB banks: more on-chip storage, same schedule.
  EXPECT_LT(std::stoll(t.rows[0].at("onchip_storage_bytes")),
            std::stoll(t.rows[3].at("onchip_storage_bytes")));
  // stdout export is the same table.
  const CliResult so = dfsim("sweep '" + spec + "' --export csv --out '" + out + "'", dir);
  ASSERT_EQ(so.code, 0) << describe(so);
  EXPECT_EQ(so.out, csv);
  // An unknown format is rejected by name now that there are results to export.
  const CliResult x = dfsim("sweep '" + spec + "' --export xml --out '" + out + "'", dir);
  EXPECT_EQ(x.code, 2) << describe(x);
  EXPECT_ERR(x, "--export: 'xml' is not one of: csv json");
  EXPECT_EQ(x.out, "") << "nothing is exported in an unknown format";

  // json: valid JSON (python3's parser) with one object per point.
  const CliResult j = dfsim(
      "sweep '" + spec + "' --export json --out '" + out + "' --output '" + dir + "/r.json'", dir);
  ASSERT_EQ(j.code, 0) << describe(j);
  const YAML::Node js = YAML::LoadFile(dir + "/r.json");
  ASSERT_TRUE(js.IsSequence());
  ASSERT_EQ(js.size(), 6u);
  for (std::size_t i = 0; i < js.size(); ++i) {
    EXPECT_EQ(js[i]["hash"].as<std::string>(), pts[i].hash);
    EXPECT_EQ(js[i]["status"].as<std::string>(), "done");
    EXPECT_TRUE(js[i]["params"].IsMap());
    EXPECT_EQ(js[i]["cycles"].as<std::string>(), t.rows[i].at("cycles"));
  }
  {  // Python's parser too (Debian's python3 from setup.sh --test; missing fails the test).
    const std::string py =
        "/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); "
        "assert isinstance(d, list) and len(d) == 6, len(d); "
        "assert all(r[\"status\"] == \"done\" and isinstance(r[\"params\"], dict) for r in d)' '" +
        dir + "/r.json'";
    EXPECT_EQ(std::system(py.c_str()), 0) << "python3 json.load rejected " << dir << "/r.json";
  }

  expect_pareto_front(out, t, kRunObjectives);
  expect_plots(out);

  // The database keeps each point's layers with the energy by level, and its parameters typed.
  const std::string db_path = out + "/sweep.sqlite";
  const auto layers = query(db_path,
                            "SELECT p.hash, l.name, l.macs, l.cycles, p.cycles, l.energy_pj,"
                            " l.dram_pj + l.glb_pj + l.noc_pj + l.rf_pj + l.mac_pj + l.idle_pj,"
                            " p.energy_pj FROM layers l JOIN points p ON p.hash = l.hash");
  ASSERT_EQ(layers.size(), 6u);  // one layer per point
  for (const auto& row : layers) {
    EXPECT_EQ(row[1], "conv_a");
    EXPECT_EQ(std::stoll(row[2]), 8LL * 4 * 10 * 10 * 9);
    EXPECT_EQ(row[3], row[4]);  // the only layer's cycles are the point's
    EXPECT_NEAR(std::stod(row[5]), std::stod(row[6]), 1e-9 * std::stod(row[5]));
    EXPECT_NEAR(std::stod(row[5]), std::stod(row[7]), 1e-9 * std::stod(row[5]));
  }
  const auto params = query(db_path,
                            "SELECT key, type, integer_value, real_value, text_value FROM"
                            " parameters WHERE hash = '" +
                                pts[3].hash + "' ORDER BY key");
  ASSERT_EQ(params.size(), 3u);
  EXPECT_EQ(params[0], (std::vector<std::string>{"glb.banks", "integer", "27", "27.0", ""}));
  EXPECT_EQ(params[1], (std::vector<std::string>{"pe_array.cols", "integer", "8", "8.0", ""}));
  EXPECT_EQ(params[2], (std::vector<std::string>{"pe_array.rows", "integer", "8", "8.0", ""}));
}

TEST(SweepRun, FailingPointIsRecordedAndTheOthersRun) {
  const std::string dir = scratch_dir();
  // An 11x11 filter needs 11 PE rows: the 8-row point has no mapping.
  const std::string spec =
      write_spec(dir, header("fails", "[big]") +
                          "parameters:\n  - {key: pe_array.rows, values: [8, 12, 16]}\n"
                          "objectives: [latency, onchip_storage]\n");
  const std::string out = dir + "/out";
  const CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  EXPECT_EQ(r.code, 1) << "failed points are recorded and the others run; the sweep then exits 1\n"
                       << describe(r);
  EXPECT_ERR(r, "sweep: fails: 2 done, 1 failed, 0 not run, of 3 points");
  EXPECT_ERR(r, "  failed: point 0 {\"pe_array.rows\": \"8\"} (wl.yaml[big]): ");
  EXPECT_ERR(r, "R=11");

  const CliResult c = dfsim("sweep '" + spec + "' --export csv --out '" + out + "'", dir);
  ASSERT_EQ(c.code, 0) << describe(c);
  const Table t = parse_csv(c.out);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0].at("status"), "failed");
  EXPECT_TRUE(contains(t.rows[0].at("error"), "no row-stationary mapping fits"))
      << t.rows[0].at("error");
  EXPECT_EQ(t.rows[0].at("cycles"), "0");
  EXPECT_EQ(t.rows[1].at("status"), "done");
  EXPECT_EQ(t.rows[2].at("status"), "done");
  expect_pareto_front(out, t, {"latency", "onchip_storage"});
  expect_plots(out);

  // A failed point is finished: a re-run does not retry it.
  const CliResult again = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  EXPECT_EQ(again.code, 1) << describe(again);
  EXPECT_ERR(again, "3 points, 3 already finished, 0 to run");
  EXPECT_ERR(again, "failed: point 0");
}

// ---- 4. Resume ----------------------------------------------------------------------------

// Ten points of ~0.3 s each (the "slow" layer, batch 3).
std::string ten_point_spec(const std::string& dir) {
  return write_spec(dir, header("ten", "[slow]", ", batch: 3") +
                             "parameters:\n"
                             "  - {key: glb.banks, values: [11, 19, 27, 43, 59]}\n"
                             "  - zip:\n"
                             "      - {key: pe_array.rows, values: [12, 16]}\n"
                             "      - {key: pe_array.cols, values: [14, 16]}\n"
                             "objectives: [latency, onchip_storage]\n");
}

// Every point of the spec exactly once in the database, all done, and N rows in the export.
void expect_complete(const std::string& spec, const std::string& dir, const std::string& out) {
  const auto pts = dfsim::enumerate_points(dfsim::load_sweep_spec(spec));
  const DbState db = read_db(out + "/sweep.sqlite");
  EXPECT_EQ(db.rows, static_cast<long>(pts.size()));
  EXPECT_EQ(db.duplicates, 0);
  EXPECT_EQ(db.status.size(), pts.size());
  for (const auto& p : pts) {
    auto it = db.status.find(p.hash);
    ASSERT_NE(it, db.status.end()) << "point " << p.index << " missing";
    EXPECT_EQ(it->second, "done") << "point " << p.index;
  }
  const CliResult c = dfsim("sweep '" + spec + "' --export csv --out '" + out + "'", dir);
  ASSERT_EQ(c.code, 0) << describe(c);
  const Table t = parse_csv(c.out);
  ASSERT_EQ(t.rows.size(), pts.size());
  std::set<std::string> idx;
  for (const auto& row : t.rows) idx.insert(row.at("index"));
  EXPECT_EQ(idx.size(), pts.size()) << "each index once";
  // No result is left unharvested. (A sweep killed between storing a point and removing its
  // result file leaves that file behind; it is stale but harmless: its hash is stored.)
  for (const auto& h : files_with_ext(out + "/points", ".json"))
    EXPECT_TRUE(db.status.count(h)) << "result file " << h << ".json was not harvested";
}

TEST(SweepResume, KilledSweepResumesWithEveryPointOnce) {
  const std::string dir = scratch_dir();
  const std::string spec = ten_point_spec(dir);
  const std::string out = dir + "/out", db = out + "/sweep.sqlite";
  const pid_t pid =
      spawn_dfsim({"sweep", spec, "-j", "2", "--out", out}, dir + "/o1.txt", dir + "/e1.txt");
  ASSERT_GT(pid, 0);
  const bool some = wait_for([&] { return read_db(db).rows >= 1; }, 60);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(some) << "no point finished within 60 s:\n" << read_file(dir + "/e1.txt");
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << read_file(dir + "/e1.txt");
  const long at_kill = read_db(db).rows;
  ASSERT_GE(at_kill, 1);
  ASSERT_LT(at_kill, 10) << "the sweep finished before it was killed; the test needs slower points";

  // The killed sweep's points die with it (PR_SET_PDEATHSIG): none runs on to compute a point
  // the resumed sweep computes again.
  // ([s]: the pattern must not match the shell that runs pgrep)
  const std::string still_running = "pgrep -f '[s]weep-point " + spec + "' >/dev/null";
  const bool gone = wait_for([&] { return std::system(still_running.c_str()) != 0; }, 10);
  ASSERT_TRUE(gone) << "a point of the killed sweep is still running";
  // Finished: stored, or a result file written before the kill and not yet harvested.
  std::set<std::string> finished;
  for (const auto& [h, s] : read_db(db).status) finished.insert(h);
  for (const auto& h : files_with_ext(out + "/points", ".json")) finished.insert(h);
  const std::size_t orphans = finished.size() - static_cast<std::size_t>(at_kill);

  const CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  // Harvested result files count as finished; nothing is run twice.
  EXPECT_ERR(r, "sweep: ten: 10 points, " + std::to_string(finished.size()) +
                    " already finished, " + std::to_string(10 - finished.size()) +
                    " to run (local)");
  EXPECT_ERR(r, "sweep: ten: 10 done, 0 failed, 0 not run, of 10 points");
  std::cerr << "note: killed with " << at_kill << " points stored, " << orphans
            << " harvested from result files\n";
  expect_complete(spec, dir, out);

  // A further run has nothing to do.
  const CliResult again = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  EXPECT_EQ(again.code, 0) << describe(again);
  EXPECT_ERR(again, "10 points, 10 already finished, 0 to run");
  EXPECT_EQ(read_db(db).rows, 10);
}

// A SIGKILLed sweep's running points die with it: with points of several seconds each, none
// is left a second after the kill, and none writes a result afterwards.
TEST(SweepResume, PointsDieWithAKilledSweep) {
  const std::string dir = scratch_dir();
  const std::string spec =
      write_spec(dir, header("long", "[slow]", ", batch: 40") +
                          "parameters:\n  - {key: glb.banks, values: [19, 27]}\n"
                          "objectives: [latency, onchip_storage]\n");
  const std::string out = dir + "/out";
  const pid_t pid =
      spawn_dfsim({"sweep", spec, "-j", "2", "--out", out}, dir + "/o.txt", dir + "/e.txt");
  ASSERT_GT(pid, 0);
  // ([s]: the pattern must not match the shell that runs pgrep)
  const std::string running = "pgrep -f '[s]weep-point " + spec + "' >/dev/null";
  ASSERT_TRUE(wait_for([&] { return std::system(running.c_str()) == 0; }, 30))
      << "no point started: " << read_file(dir + "/e.txt");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(wait_for([&] { return std::system(running.c_str()) != 0; }, 1))
      << "a point of the killed sweep is still running";
  EXPECT_TRUE(files_with_ext(out + "/points", ".json").empty());
}

// One sweep per folder at a time: while another holds the folder's lock, a second (e.g. an
// early resume) is refused and runs nothing.
TEST(SweepResume, SecondSweepOnTheSameFolderIsRefused) {
  const std::string dir = scratch_dir();
  const std::string spec = ten_point_spec(dir);
  const std::string out = dir + "/out";
  fs::create_directories(out);
  const int fd = ::open((out + "/sweep.lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
  const CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  ::close(fd);
  EXPECT_EQ(r.code, 2) << describe(r);
  EXPECT_ERR(r, out + ": another dfsim sweep is running on this folder");
  EXPECT_EQ(read_db(out + "/sweep.sqlite").rows, 0);
  const CliResult after = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  EXPECT_EQ(after.code, 0) << describe(after);
}

// run.point_timeout_s: a point still running at the limit is recorded as failed with the
// limit in its error, and the sweep goes on.
TEST(SweepRun, PointPastItsTimeoutIsRecordedAsFailed) {
  const std::string dir = scratch_dir();
  const std::string spec =
      write_spec(dir, header("slowpoints", "[slow]", ", batch: 3") +
                          "parameters:\n  - {key: glb.banks, values: [19, 27]}\n"
                          "objectives: [latency, onchip_storage]\n"
                          "run: {point_timeout_s: 0.01}\n");
  const std::string out = dir + "/out";
  const CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  EXPECT_EQ(r.code, 1) << describe(r);
  EXPECT_ERR(r, "sweep: slowpoints: 0 done, 2 failed, 0 not run, of 2 points");
  const CliResult c = dfsim("sweep '" + spec + "' --export csv --out '" + out + "'", dir);
  ASSERT_EQ(c.code, 0) << describe(c);
  const Table t = parse_csv(c.out);
  ASSERT_EQ(t.rows.size(), 2u);
  for (const Row& row : t.rows) {
    EXPECT_EQ(row.at("status"), "failed");
    EXPECT_EQ(row.at("error"), "stopped after 0.01 s (run.point_timeout_s)");
  }
}

TEST(SweepResume, InterruptExits130WithAHintAndResumes) {
  const std::string dir = scratch_dir();
  const std::string spec = ten_point_spec(dir);
  const std::string out = dir + "/out", db = out + "/sweep.sqlite";
  const pid_t pid =
      spawn_dfsim({"sweep", spec, "-j", "2", "--out", out}, dir + "/o1.txt", dir + "/e1.txt");
  ASSERT_GT(pid, 0);
  const bool some = wait_for([&] { return read_db(db).rows >= 1; }, 60);
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  const std::string err = read_file(dir + "/e1.txt");
  ASSERT_TRUE(some) << "no point finished within 60 s:\n" << err;
  ASSERT_TRUE(WIFEXITED(status)) << "the sweep died of signal " << WTERMSIG(status) << ":\n" << err;
  EXPECT_EQ(WEXITSTATUS(status), 130) << err;
  EXPECT_TRUE(contains(err, "interrupted")) << err;
  EXPECT_TRUE(contains(err, "run the same command to resume")) << err;
  const long at_int = read_db(db).rows;
  EXPECT_GE(at_int, 1);
  EXPECT_LT(at_int, 10) << "the sweep finished before the interrupt; the test needs slower points";
  EXPECT_TRUE(contains(err, "not run, of 10 points")) << err;

  const CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
  ASSERT_EQ(r.code, 0) << describe(r);
  EXPECT_TRUE(
      std::regex_search(r.err, std::regex("sweep: ten: 10 points, [0-9]+ already finished")))
      << describe(r);
  EXPECT_ERR(r, "sweep: ten: 10 done, 0 failed, 0 not run, of 10 points");
  expect_complete(spec, dir, out);
}

// ---- 5. Determinism ---------------------------------------------------------------------------

TEST(SweepDeterminism, TwoSweepsExportTheSameResults) {
  const std::string dir = scratch_dir();
  const std::string spec = six_point_spec(dir);
  std::vector<std::vector<std::vector<std::string>>> tables;
  for (const char* o : {"/out1", "/out2"}) {
    const std::string out = dir + o;
    const CliResult r = dfsim("sweep '" + spec + "' -j 2 --out '" + out + "'", dir);
    ASSERT_EQ(r.code, 0) << describe(r);
    const CliResult c = dfsim("sweep '" + spec + "' --export csv --out '" + out + "'", dir);
    ASSERT_EQ(c.code, 0) << describe(c);
    Table t = parse_csv(c.out);
    ASSERT_EQ(t.rows.size(), 6u);
    const auto wall =
        std::find(t.header.begin(), t.header.end(), "wall_seconds") - t.header.begin();
    ASSERT_LT(static_cast<std::size_t>(wall), t.header.size());
    for (auto& cells : t.cells) cells.erase(cells.begin() + wall);
    tables.push_back(t.cells);
  }
  ASSERT_EQ(tables[0].size(), tables[1].size());
  for (std::size_t i = 0; i < tables[0].size(); ++i)
    EXPECT_EQ(tables[0][i], tables[1][i]) << "row " << i;
  EXPECT_EQ(read_file(dir + "/out1/pareto.csv").empty(), false);
}

}  // namespace

namespace {

// A results database written before areas were reported (no area_mm2 column) opens: the store
// adds the column, its old points read 0 and new points keep their area.
TEST(SweepStore, OldDatabaseGetsTheAreaColumn) {
  const std::string dir = dfsim_test::fresh_dir("old_store");
  const std::string path = dir + "/sweep.sqlite";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  const char* old_schema =
      "CREATE TABLE points (hash TEXT PRIMARY KEY, idx INTEGER, workload TEXT, params TEXT,"
      " status TEXT, error TEXT, cycles INTEGER, seconds REAL, energy_pj REAL, power_mw REAL,"
      " dram_bytes INTEGER, onchip_storage_bytes INTEGER, macs INTEGER, utilization REAL,"
      " wall_seconds REAL, finished_at TEXT DEFAULT CURRENT_TIMESTAMP);"
      "INSERT INTO points (hash, idx, status, cycles) VALUES ('old', 0, 'done', 7);";
  ASSERT_EQ(sqlite3_exec(db, old_schema, nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  dfsim::ResultStore store(path);
  dfsim::PointResult fresh;
  fresh.hash = "new";
  fresh.index = 1;
  fresh.status = "done";
  fresh.area_mm2 = 4.5;
  EXPECT_TRUE(store.insert(fresh));
  const std::vector<dfsim::PointResult> all = store.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].hash, "old");
  EXPECT_EQ(all[0].cycles, 7);
  EXPECT_EQ(all[0].area_mm2, 0);
  EXPECT_EQ(all[1].area_mm2, 4.5);
}

}  // namespace

namespace {

// A point retried the documented way (its `points` row deleted, the sweep run again) is stored
// again with its new layers and parameters, not refused for the old rows; each swept value is
// stored with its type, numbers also as reals.
TEST(SweepStore, RetriedPointReplacesItsRowsAndValuesAreTyped) {
  const std::string path = dfsim_test::fresh_dir("retry_store") + "/sweep.sqlite";
  dfsim::PointResult r;
  r.hash = "p";
  r.status = "failed";
  r.params = R"({"a": "3", "b": "2.5", "c": "+4", "d": "yes", "e": "DDR3-1600", "f": "1e3"})";
  {
    dfsim::ResultStore store(path);
    EXPECT_TRUE(store.insert(r));
  }
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "DELETE FROM points WHERE status = 'failed'", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
  }
  r.status = "done";
  r.layers.push_back({"conv1", 10, 20, 30, 1e-6, 0.5, 6, 1, 1, 1, 1, 1, 1});
  {
    dfsim::ResultStore store(path);
    EXPECT_TRUE(store.insert(r));
  }
  EXPECT_EQ(query(path, "SELECT name, cycles, energy_pj FROM layers"),
            (std::vector<std::vector<std::string>>{{"conv1", "10", "6.0"}}));
  EXPECT_EQ(query(path,
                  "SELECT key, type, integer_value, real_value, text_value FROM parameters "
                  "ORDER BY key"),
            (std::vector<std::vector<std::string>>{{"a", "integer", "3", "3.0", ""},
                                                   {"b", "real", "", "2.5", ""},
                                                   {"c", "integer", "4", "4.0", ""},
                                                   {"d", "boolean", "1", "", ""},
                                                   {"e", "text", "", "", "DDR3-1600"},
                                                   {"f", "real", "", "1000.0", ""}}));
}

}  // namespace
