// The VCD waveform written with RunOptions::vcd_file: header, signal declarations and value
// changes in time order. One simulation per TEST (SystemC elaborates one design per process).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/trace/tracer.hpp"
#include "run/run.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::read_file;
using dfsim_test::temp_path;
using dfsim_test::write_temp;

struct Var {
  std::string scope, name, code;
  int width = 0;
};

// A parsed VCD: declarations and the value changes after $enddefinitions.
struct Vcd {
  std::vector<std::string> lines;
  std::vector<Var> vars;
  std::map<std::string, std::size_t> by_code;  // code -> index into vars
  bool has_enddefinitions = false;
  std::vector<std::uint64_t> timestamps;
  std::vector<std::string> errors;
  std::size_t changes_after_first_timestamp = 0;
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::string>>>
      changes;  // code -> (t, v)

  const Var* find(const std::string& scope, const std::string& name) const {
    for (const auto& v : vars)
      if (v.name == name && (scope.empty() || v.scope == scope)) return &v;
    return nullptr;
  }
};

Vcd parse_vcd(const std::string& text) {
  Vcd vcd;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) vcd.lines.push_back(line);
  std::vector<std::string> scopes;
  bool in_body = false, in_dumpvars = false, seen_ts = false;
  std::uint64_t now = 0;
  for (const std::string& l : vcd.lines) {
    std::stringstream ls(l);
    std::string tok;
    ls >> tok;
    if (!in_body) {
      if (tok == "$scope") {
        std::string kind, name;
        ls >> kind >> name;
        scopes.push_back(name);
      } else if (tok == "$upscope") {
        if (scopes.empty())
          vcd.errors.push_back("unbalanced $upscope");
        else
          scopes.pop_back();
      } else if (tok == "$var") {
        Var v;
        std::string type;
        ls >> type >> v.width >> v.code >> v.name;
        v.scope = scopes.empty() ? "" : scopes.back();
        if (vcd.by_code.count(v.code)) vcd.errors.push_back("duplicate code " + v.code);
        vcd.by_code[v.code] = vcd.vars.size();
        vcd.vars.push_back(v);
      } else if (tok == "$enddefinitions") {
        vcd.has_enddefinitions = true;
        in_body = true;
        if (!scopes.empty()) vcd.errors.push_back("scopes not closed at $enddefinitions");
      }
      continue;
    }
    if (l.empty()) continue;
    if (tok == "$dumpvars") {
      in_dumpvars = true;
      continue;
    }
    if (tok == "$end") {
      in_dumpvars = false;
      continue;
    }
    if (l[0] == '#') {
      try {
        now = std::stoull(l.substr(1));
      } catch (...) {
        vcd.errors.push_back("bad timestamp line '" + l + "'");
        continue;
      }
      vcd.timestamps.push_back(now);
      seen_ts = true;
      continue;
    }
    // A value change: "0c" / "1c" for scalars, "b0101 c" for vectors.
    std::string code, value;
    if (l[0] == 'b' || l[0] == 'B') {
      std::stringstream vs(l.substr(1));
      vs >> value >> code;
    } else if (l[0] == '0' || l[0] == '1' || l[0] == 'x' || l[0] == 'z') {
      value = l.substr(0, 1);
      code = l.substr(1);
    } else {
      vcd.errors.push_back("unexpected line '" + l + "'");
      continue;
    }
    if (!vcd.by_code.count(code)) {
      vcd.errors.push_back("value change for undeclared code '" + code + "' in '" + l + "'");
      continue;
    }
    if (seen_ts && !in_dumpvars) ++vcd.changes_after_first_timestamp;
    vcd.changes[code].push_back({seen_ts ? now : 0, value});
  }
  return vcd;
}

const char* kTinyTwoLayers =
    "network: vcd_tiny\n"
    "layers:\n"
    "  - {name: a, M: 4, C: 2, H: 6, W: 6, R: 3, S: 3, padding: 1}\n"
    "  - {name: b, M: 4, C: 32, H: 6, W: 6, R: 3, S: 3, stride: 2}\n";  // C = 32: several channel
                                                                        // blocks

}  // namespace

TEST(Vcd, WaveformOfATinyRun) {
  dfsim::RunOptions opt;
  opt.arch_file = std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1.yaml";
  opt.workload_file = write_temp("workload.yaml", kTinyTwoLayers);
  opt.vcd_file = temp_path("wave.vcd");
  opt.check = true;
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.total.output_check, "pass");

  const std::string text = read_file(opt.vcd_file);
  ASSERT_FALSE(text.empty()) << "no VCD at " << opt.vcd_file;
  EXPECT_EQ(text.rfind("$date", 0), 0u) << text.substr(0, 200);
  const Vcd vcd = parse_vcd(text);
  EXPECT_TRUE(vcd.has_enddefinitions);
  EXPECT_TRUE(text.find("$timescale") != std::string::npos &&
              text.find("$timescale") < text.find("$enddefinitions"));
  // Timestamps are picoseconds (base/trace/trace_writer.cpp).
  EXPECT_NE(text.find("\n$timescale 1ps $end\n"), std::string::npos) << text.substr(0, 200);
  for (const auto& e : vcd.errors) ADD_FAILURE() << "malformed VCD: " << e;

  // Declarations.
  const Var* pe0 = vcd.find("", "pe0_busy");
  const Var* bank0 = vcd.find("", "bank0_busy");
  const Var* ifmap_gin = vcd.find("", "ifmap_gin_busy");
  const Var* gon = vcd.find("", "gon_busy");
  const Var* dram = vcd.find("dram", "busy");
  const Var* layer = vcd.find("", "layer");
  const Var* pass = vcd.find("", "pass");
  EXPECT_NE(pe0, nullptr) << "no pe0_busy";
  EXPECT_NE(bank0, nullptr) << "no bank0_busy";
  EXPECT_NE(ifmap_gin, nullptr) << "no ifmap_gin_busy";
  EXPECT_NE(gon, nullptr) << "no gon_busy";
  EXPECT_NE(dram, nullptr) << "no busy signal in a dram scope";
  EXPECT_NE(layer, nullptr) << "no layer signal";
  EXPECT_NE(pass, nullptr) << "no pass signal";
  // One busy signal per PE (168) and per GLB bank (27).
  int pe_busy = 0, bank_busy = 0;
  for (const auto& v : vcd.vars) {
    if (v.name.rfind("pe", 0) == 0 && v.name.size() > 5 &&
        v.name.compare(v.name.size() - 5, 5, "_busy") == 0)
      ++pe_busy;
    if (v.name.rfind("bank", 0) == 0) ++bank_busy;
  }
  EXPECT_EQ(pe_busy, 168);
  EXPECT_EQ(bank_busy, 27);
  for (const Var* v : {pe0, bank0, ifmap_gin, gon, dram})
    if (v) {
      EXPECT_EQ(v->width, 1) << v->name;
    }

  // Value changes in time order.
  ASSERT_FALSE(vcd.timestamps.empty()) << "no #<time> line";
  EXPECT_GT(vcd.changes_after_first_timestamp, 0u) << "no value change after a timestamp";
  for (std::size_t i = 1; i < vcd.timestamps.size(); ++i)
    EXPECT_LE(vcd.timestamps[i - 1], vcd.timestamps[i]) << "timestamp " << i << " goes back";
  // Everything happens within the simulated time (timescale 1 ps), and the activity lasts
  // until near its end: the last layer's ofmap write-back closes the run, so the last change
  // is well past half of it (a waveform in the wrong unit, e.g. ns, would not be).
  const double end_ps = r.total.seconds * 1e12;
  EXPECT_LE(static_cast<double>(vcd.timestamps.back()), end_ps + 1.0);
  EXPECT_GE(static_cast<double>(vcd.timestamps.back()), 0.5 * end_ps);

  // The units were busy at some point and idle at the end; the second layer and several
  // passes show up on the control signals.
  auto rose = [&](const Var* v) {
    if (!v || !vcd.changes.count(v->code)) return false;
    for (const auto& [t, val] : vcd.changes.at(v->code))
      if (val == "1") return true;
    return false;
  };
  auto last_value = [&](const Var* v) -> std::string {
    if (!v || !vcd.changes.count(v->code)) return "";
    return vcd.changes.at(v->code).back().second;
  };
  EXPECT_TRUE(rose(pe0)) << "pe0 never busy";
  EXPECT_TRUE(rose(dram)) << "DRAM never busy";
  EXPECT_TRUE(rose(ifmap_gin)) << "ifmap GIN never busy";
  EXPECT_TRUE(rose(gon)) << "GON never busy";
  EXPECT_TRUE(rose(bank0) || [&] {
    for (const auto& v : vcd.vars)
      if (v.name.rfind("bank", 0) == 0 && rose(&v)) return true;
    return false;
  }()) << "no GLB bank ever busy";
  for (const Var* v : {pe0, dram, ifmap_gin, gon})
    if (v) {
      EXPECT_EQ(last_value(v), "0") << v->name << " still busy at the end";
    }
  ASSERT_NE(layer, nullptr);
  EXPECT_EQ(last_value(layer), "1") << "layer index 1 (the second layer) should appear";
  ASSERT_NE(pass, nullptr);
  // Layer b needs several passes (C = 32 > the 16 channels a 3x3 pass can hold), so the pass
  // counter takes a non-zero value.
  ASSERT_GT(r.layers[1].passes, 1);
  ASSERT_TRUE(vcd.changes.count(pass->code)) << "the pass signal never changes";
  bool nonzero_pass = false;
  for (const auto& [t, val] : vcd.changes.at(pass->code)) nonzero_pass = nonzero_pass || val != "0";
  EXPECT_TRUE(nonzero_pass);
}

// Files a run leaves in its working directory and --out folder.
std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The CLI writes a waveform only when --vcd names one: a run without it, started in an empty
// folder, leaves stats.json (and the captured output) only; the same run with --vcd adds the
// file (so the listing would see a waveform written anywhere in the folder).
// The JEDEC DRAM's signals: one per bank (1 while a row is open) and the queue depth per
// channel. Every ACT the statistics count is a 0 -> 1 edge of a bank signal, every PRE a
// 1 -> 0 edge; the queue rises with the requests and drains to 0.
TEST(Vcd, JedecBankStateAndQueueDepth) {
  dfsim::RunOptions opt;
  opt.arch_file = std::string(DFSIM_SOURCE_DIR) + "/configs/eyeriss_v1_jedec.yaml";
  opt.workload_file = write_temp("workload.yaml", kTinyTwoLayers);
  opt.vcd_file = temp_path("wave.vcd");
  const dfsim::RunResult r = dfsim::run_simulation(opt);
  ASSERT_TRUE(r.total.dram_device.present);
  const Vcd vcd = parse_vcd(read_file(opt.vcd_file));
  for (const auto& e : vcd.errors) ADD_FAILURE() << "malformed VCD: " << e;
  std::int64_t rises = 0, falls = 0, banks = 0;
  for (const Var& v : vcd.vars) {
    if (v.scope != "dram" || v.name.rfind("ch0_r0_b", 0) != 0) continue;
    ++banks;
    EXPECT_EQ(v.width, 1) << v.name;
    std::string prev = "0";
    for (const auto& [t, value] : vcd.changes.at(v.code)) {
      rises += prev == "0" && value == "1";
      falls += prev == "1" && value == "0";
      prev = value;
    }
  }
  EXPECT_EQ(banks, 8);
  EXPECT_EQ(rises, r.total.dram_device.all.act);
  EXPECT_EQ(falls, r.total.dram_device.all.pre);
  const Var* queue = vcd.find("dram", "ch0_queue");
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(queue->width, 16);
  std::uint64_t most = 0;
  for (const auto& [t, value] : vcd.changes.at(queue->code))
    most = std::max<std::uint64_t>(most, std::stoull(value, nullptr, 2));
  EXPECT_GE(most, 2u);  // the controller issues requests ahead: they queue
}

TEST(Vcd, NoVcdUnlessAsked) {
  const std::string dir = temp_path("cwd");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/out");
  const std::string wl = write_temp("workload.yaml", kTinyTwoLayers);  // outside the folder
  const std::string args = "run --arch '" + std::string(DFSIM_SOURCE_DIR) +
                           "/configs/eyeriss_v1.yaml' --workload '" + wl + "' --out out";
  auto run_in_dir = [&](const std::string& extra) {
    const std::string cmd =
        "cd '" + dir + "' && '" + DFSIM_BINARY + "' " + args + extra + " >stdout.txt 2>stderr.txt";
    return std::system(cmd.c_str());
  };
  ASSERT_EQ(run_in_dir(""), 0) << read_file(dir + "/stderr.txt");
  EXPECT_EQ(files_in(dir), (std::vector<std::string>{"stats.json", "stderr.txt", "stdout.txt"}));
  ASSERT_EQ(run_in_dir(" --vcd wave.vcd"), 0) << read_file(dir + "/stderr.txt");
  EXPECT_EQ(files_in(dir),
            (std::vector<std::string>{"stats.json", "stderr.txt", "stdout.txt", "wave.vcd"}));
}

// The tracer interface components trace through: a signal registers once, when it is made,
// and passes SystemC times in the kernel's units; without a tracer every call is ignored.
TEST(Tracer, SignalsRegisterOnceAndForwardTimes) {
  struct Recorder : dfsim::Tracer {
    std::vector<std::string> log;
    int add_signal(const std::string& scope, const std::string& name, int width) override {
      log.push_back("add " + scope + "." + name + " " + std::to_string(width));
      return static_cast<int>(log.size());
    }
    void busy(int id, std::uint64_t start, std::uint64_t end) override {
      log.push_back("busy " + std::to_string(id) + " " + std::to_string(start) + " " +
                    std::to_string(end));
    }
    void set(int id, std::uint64_t time, std::uint64_t value) override {
      log.push_back("set " + std::to_string(id) + " " + std::to_string(time) + " " +
                    std::to_string(value));
    }
  } rec;
  const dfsim::TraceSignal busy(&rec, "glb", "bank0_busy", 1), bw(&rec, "dram", "bw", 32);
  const sc_core::sc_time ns(1, sc_core::SC_NS);
  busy.busy(2 * ns, 5 * ns);
  bw.set(3 * ns, 77);
  const auto per_ns = static_cast<std::uint64_t>(ns.value());
  EXPECT_EQ(rec.log, (std::vector<std::string>{
                         "add glb.bank0_busy 1", "add dram.bw 32",
                         "busy 1 " + std::to_string(2 * per_ns) + " " + std::to_string(5 * per_ns),
                         "set 2 " + std::to_string(3 * per_ns) + " 77"}));
  const dfsim::TraceSignal off;  // no tracer
  off.busy(ns, 2 * ns);
  off.set(ns, 1);
  dfsim::TraceSignal(nullptr, "x", "y", 1).set(ns, 1);
  EXPECT_EQ(rec.log.size(), 4u);
}
