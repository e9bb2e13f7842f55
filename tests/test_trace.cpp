// Traces (base/trace/trace_writer.hpp): the VCD and trace-event JSON written from events that
// arrive out of order, exactly; the same bytes whether the events stay in memory or are spilled
// to disk in chunks; the signal, layer and time-window filters; and the command line's trace
// options on a real run, with their errors.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "base/trace/trace_writer.hpp"
#include "test_util.hpp"

namespace {

using dfsim::TraceOptions;
using dfsim::TraceWriter;
using dfsim_test::contains;
using dfsim_test::read_file;
using dfsim_test::temp_path;

// A small trace: a 1-bit busy signal with overlapping, touching and separate intervals booked
// out of order, an 8-bit value set twice at one time, and the layer index.
struct Written {
  std::string vcd, json;
};

Written write_small(TraceOptions o, const std::string& stem) {
  o.vcd_file = temp_path(stem + ".vcd");
  o.json_file = temp_path(stem + ".json");
  TraceWriter w(o, {"conv1", "conv2"});
  const int layer = w.add_signal("control", "layer", 16);
  const int a = w.add_signal("dram", "busy", 1);
  const int v = w.add_signal("glb", "level", 8);
  w.set(layer, 0, 0);
  w.busy(a, 15, 30);
  w.busy(a, 10, 20);  // overlaps the first: one interval 10-30
  w.set(v, 5, 3);
  w.busy(a, 30, 40);  // touches it: 10-40
  w.set(layer, 45, 1);
  w.busy(a, 50, 60);
  w.set(v, 25, 7);
  w.set(v, 25, 9);  // the later of two sets at one time wins
  w.write(100);     // the simulation ends at 100
  return {read_file(o.vcd_file), read_file(o.json_file)};
}

const char* kHeader = "$date dfsim $end\n$version dfsim " DFSIM_VERSION
                      " $end\n$timescale 1ps $end\n$scope module dfsim $end\n";

TEST(TraceWriter, VcdOfOutOfOrderEventsIsExact) {
  const Written w = write_small({}, "trace_exact");
  EXPECT_EQ(w.vcd, std::string(kHeader) +
                       "$scope module control $end\n$var wire 16 ! layer $end\n$upscope $end\n"
                       "$scope module dram $end\n$var wire 1 \" busy $end\n$upscope $end\n"
                       "$scope module glb $end\n$var wire 8 # level $end\n$upscope $end\n"
                       "$upscope $end\n$enddefinitions $end\n$dumpvars\nb0 !\n0\"\nb0 #\n$end\n"
                       "#5\nb11 #\n#10\n1\"\n#25\nb1001 #\n#40\n0\"\n#45\nb1 !\n#50\n1\"\n#60\n"
                       "0\"\n");
}

TEST(TraceWriter, JsonHasLayerSpansBusyIntervalsAndNothingElseByDefault) {
  const Written w = write_small({}, "trace_json");
  const YAML::Node j = YAML::Load(w.json);  // JSON is YAML
  std::vector<std::string> spans;
  for (const YAML::Node& e : j["traceEvents"]) {
    const std::string ph = e["ph"].as<std::string>();
    if (ph == "M") continue;
    ASSERT_EQ(ph, "X");
    spans.push_back(e["name"].as<std::string>() + " " + e["ts"].as<std::string>() + " " +
                    e["dur"].as<std::string>());
  }
  // Picoseconds as microseconds; glb.level is in neither control.* nor dram.*.
  // In the order they end; the last layer ends with the simulation (at 100).
  EXPECT_EQ(spans, (std::vector<std::string>{"busy 0.000010 0.000030", "conv1 0.000000 0.000045",
                                             "busy 0.000050 0.000010", "conv2 0.000045 0.000055"}));
}

TEST(TraceWriter, SpillingToDiskGivesTheSameBytes) {
  TraceOptions spill;
  spill.buffer_events = 2;
  const Written a = write_small({}, "trace_mem"), b = write_small(spill, "trace_spill");
  EXPECT_EQ(a.vcd, b.vcd);
  EXPECT_EQ(a.json, b.json);
  // Many events, seeded, booked out of order, with chunks of 7.
  auto many = [](std::size_t buffer, const std::string& stem) {
    TraceOptions o;
    o.buffer_events = buffer;
    o.vcd_file = temp_path(stem + ".vcd");
    o.signals = {"*"};
    o.json_file = temp_path(stem + ".json");
    TraceWriter w(o, {"x"});
    std::vector<int> ids;
    for (int i = 0; i < 6; ++i)
      ids.push_back(w.add_signal("s", "b" + std::to_string(i), i % 3 + 1));
    std::uint64_t state = 12345;
    for (int i = 0; i < 5000; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const int id = ids[(state >> 33) % ids.size()];
      const std::uint64_t t = (state >> 20) % 100000;
      if ((state >> 7) % 3 == 0)
        w.set(id, t, (state >> 40) % 4);
      else
        w.busy(id, t, t + (state >> 50) % 300);
    }
    w.write(100000);
    return Written{read_file(o.vcd_file), read_file(o.json_file)};
  };
  const Written m = many(1 << 22, "trace_many_mem"), s = many(7, "trace_many_spill");
  EXPECT_GT(m.vcd.size(), 20000u);
  EXPECT_EQ(m.vcd, s.vcd);
  EXPECT_EQ(m.json, s.json);
}

TEST(TraceWriter, WindowClipsIntervalsAndStartsWithTheValueSetBefore) {
  TraceOptions o;
  o.window_from_ps = 12;
  o.window_to_ps = 55;
  const Written w = write_small(o, "trace_window");
  const std::string changes = w.vcd.substr(w.vcd.find("$end\n#") + 5);
  // glb.level was 3 (set at 5) when the window opens at 12; busy 10-40 shows from 12; 50-60
  // ends at 55; the layer set at 0 is before the window too.
  EXPECT_EQ(changes, "#12\n1\"\nb11 #\n#25\nb1001 #\n#40\n0\"\n#45\nb1 !\n#50\n1\"\n#55\n0\"\n");
}

TEST(TraceWriter, LayerAndSignalFilters) {
  TraceOptions o;
  o.layers = {"conv2"};
  o.signals = {"dram.*", "control.layer"};
  const Written w = write_small(o, "trace_filters");
  EXPECT_FALSE(contains(w.vcd, "level")) << w.vcd;
  // Only conv2's busy interval (50-60); the layer index is always kept.
  const std::string changes = w.vcd.substr(w.vcd.find("$end\n#") + 5);
  EXPECT_EQ(changes, "#45\nb1 !\n#50\n1\"\n#60\n0\"\n");
}

// A value set while recording is off (an unselected layer) is shown when it resumes, as it
// stands then.
TEST(TraceWriter, ValuesSetWhilePausedAppearWhenRecordingResumes) {
  TraceOptions o;
  o.layers = {"conv1", "conv3"};
  o.vcd_file = temp_path("trace_resume.vcd");
  TraceWriter w(o, {"conv1", "conv2", "conv3"});
  const int layer = w.add_signal("control", "layer", 16);
  const int pass = w.add_signal("control", "pass", 32);
  w.set(layer, 0, 0);
  w.set(pass, 0, 0);
  w.set(pass, 10, 1);
  w.set(layer, 20, 1);  // conv2: not recorded
  w.set(pass, 20, 0);
  w.set(pass, 30, 5);
  w.set(layer, 40, 2);  // conv3: pass 5 as it stands, then its own passes
  w.set(pass, 45, 0);
  w.write(50);
  const std::string text = read_file(o.vcd_file);
  EXPECT_EQ(text.substr(text.find("$end\n#") + 5),
            "#10\nb1 \"\n#20\nb1 !\n#40\nb10 !\nb101 \"\n#45\nb0 \"\n");
}

TEST(TraceWriter, AnUnwritablePathThrows) {
  TraceOptions o;
  o.vcd_file = temp_path("no_such_dir/x.vcd");
  TraceWriter w(o, {});
  w.add_signal("dram", "busy", 1);
  EXPECT_THROW(w.write(0), std::runtime_error);
}

// The command line on a real run: the same VCD with events spilled in chunks of 5; the JSON's
// layer spans agree with the VCD's control.layer; the filters' errors.
const char* kTiny =
    "network: trace_tiny\nlayers:\n"
    "  - {name: a, M: 4, C: 2, H: 6, W: 6, R: 3, S: 3, padding: 1}\n"
    "  - {name: b, M: 4, C: 32, H: 6, W: 6, R: 3, S: 3, stride: 2}\n";

TEST(TraceCli, SpilledRunTraceIsByteIdenticalAndJsonAgrees) {
  const std::string dir = dfsim_test::fresh_dir("trace_cli");
  const std::string wl = dfsim_test::write_file(dir + "/tiny.yaml", kTiny);
  const std::string base = "run --quiet --arch '" +
                           dfsim_test::source_path("configs/eyeriss_v1.yaml") + "' --workload '" +
                           wl + "'";
  const std::string d = " '" + dir + "/";
  const auto r1 =
      dfsim_test::dfsim(base + " --vcd" + d + "a.vcd' --trace-json" + d + "a.json'", dir);
  ASSERT_EQ(r1.code, 0) << dfsim_test::describe(r1);
  setenv("DFSIM_TRACE_BUFFER_EVENTS", "5", 1);
  const auto r2 =
      dfsim_test::dfsim(base + " --vcd" + d + "b.vcd' --trace-json" + d + "b.json'", dir);
  unsetenv("DFSIM_TRACE_BUFFER_EVENTS");
  ASSERT_EQ(r2.code, 0) << dfsim_test::describe(r2);
  EXPECT_EQ(read_file(dir + "/a.vcd"), read_file(dir + "/b.vcd"));
  EXPECT_EQ(read_file(dir + "/a.json"), read_file(dir + "/b.json"));
  const YAML::Node j = YAML::LoadFile(dir + "/a.json");
  std::vector<std::string> layers;
  int dram = 0, passes = 0;
  for (const YAML::Node& e : j["traceEvents"]) {
    if (e["ph"].as<std::string>() != "X") continue;
    const std::string name = e["name"].as<std::string>();
    if (name == "a" || name == "b") layers.push_back(name);
    dram += name == "busy";
    passes += name.rfind("pass ", 0) == 0;
  }
  EXPECT_EQ(layers, (std::vector<std::string>{"a", "b"}));
  EXPECT_GT(dram, 0);
  EXPECT_GT(passes, 1);
  // Errors: filters without a trace, an unknown layer, a bad window, globs matching nothing.
  const std::vector<std::pair<std::string, std::string>> bad = {
      {" --trace-layers a", "select what --vcd or --trace-json writes"},
      {" --trace-layers z", "--trace-layers: no layer named 'z' in this run"},
      {" --trace-window-us 5", "--trace-window-us: expected FROM:TO"},
      {" --trace-window-us 5:2", "0 <= FROM < TO"},
      {" --trace-signals 'dram.*, nothing.*'",
       "--trace-signals: 'nothing.*' matches no signal of this array"},
      {" --trace-json" + d + "c.vcd'",
       "--trace-json: " + dir + "/c.vcd is also the file of --vcd"}};
  for (const auto& [args, message] : bad) {
    const std::string vcd = args == bad[0].first ? "" : " --vcd" + d + "c.vcd'";
    const auto r = dfsim_test::dfsim(base + vcd + args, dir);
    EXPECT_NE(r.code, 0) << args;
    EXPECT_TRUE(contains(r.err, message)) << args << "\n" << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/c.vcd"));
}

}  // namespace
