#include "base/config/scalesim_config.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "base/config/embedded_configs.hpp"
#include "base/text.hpp"

namespace dfsim {

namespace {

std::string trim(const std::string& s, std::size_t& first) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  first = b;
  return s.substr(b, e - b);
}

// One `key: value` of the file, with where its value starts.
struct Entry {
  std::string section, key, value;  // section and key lowercased, as configparser does
  std::string spelled;              // the key as written
  int line = 0, column = 0;
};

class CfgFile {
 public:
  CfgFile(const std::string& text, std::string origin) : origin_(std::move(origin)) {
    std::istringstream in(text);
    std::string raw, section;
    for (int line = 1; std::getline(in, raw); ++line) read_line(raw, line, section);
  }

  [[noreturn]] void fail_at(int line, int column, const std::string& key,
                            const std::string& msg) const {
    throw ConfigError(origin_ + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                      key + ": " + msg);
  }

  const Entry* find(const std::string& section, const std::string& key) const {
    const auto it = entries_.find(section + "." + lowercase(key));
    return it == entries_.end() ? nullptr : &it->second;
  }

  const Entry& at(const std::string& section, const std::string& key) const {
    if (const Entry* e = find(section, key)) return *e;
    throw ConfigError(origin_ + ": [" + section + "] " + key + ": missing (SCALE-Sim requires it)");
  }

  // A positive integer no larger than `max`.
  std::int64_t positive(const std::string& section, const std::string& key,
                        std::int64_t max) const {
    const Entry& e = at(section, key);
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), v);
    if (ec != std::errc() || p != e.value.data() + e.value.size() || v < 1)
      fail_at(e.line, e.column, e.spelled, "expected a positive integer, got '" + e.value + "'");
    if (v > max)
      fail_at(e.line, e.column, e.spelled,
              std::to_string(v) + " is above " + std::to_string(max) + ", more than dfsim builds");
    return v;
  }

  const std::map<std::string, Entry>& entries() const { return entries_; }
  const std::string& origin() const { return origin_; }

 private:
  void read_line(const std::string& raw, int line, std::string& section) {
    std::size_t at = 0;
    const std::string s = trim(raw, at);
    if (s.empty() || s[0] == '#' || s[0] == ';') return;
    if (s[0] == '[') {
      if (s.back() != ']') fail_at(line, static_cast<int>(at) + 1, s, "expected [section]");
      section = lowercase(s.substr(1, s.size() - 2));
      if (!sections_.insert(section).second)  // as configparser's DuplicateSectionError
        fail_at(line, static_cast<int>(at) + 1, s, "section given twice");
      return;
    }
    const std::size_t sep = s.find_first_of(":=");
    if (sep == std::string::npos)
      fail_at(line, static_cast<int>(at) + 1, s, "expected 'key: value' or 'key = value'");
    std::size_t k0 = 0, v0 = 0;
    Entry e;
    e.section = section;
    e.spelled = trim(s.substr(0, sep), k0);
    if (section.empty())
      fail_at(line, static_cast<int>(at) + 1, e.spelled, "a key before the first [section]");
    e.key = lowercase(e.spelled);
    e.value = trim(s.substr(sep + 1), v0);
    e.line = line;
    e.column = static_cast<int>(at + sep + 1 + v0) + 1;
    if (!entries_.emplace(section + "." + e.key, e).second)
      fail_at(line, static_cast<int>(at) + 1, e.spelled, "given twice in [" + section + "]");
  }

  std::string origin_;
  std::map<std::string, Entry> entries_;  // "section.key"
  std::set<std::string> sections_;
};

constexpr std::int64_t kMaxSramKib = 1 << 20;  // 1 GiB
constexpr std::int64_t kMaxWordsPerCycle = 4096;

struct Sizes {
  std::int64_t rows, cols, ifmap_kib, filter_kib, ofmap_kib;
};

// Dataflow ws (and is): the TPU v1 configuration with SCALE-Sim's sizes.
void weight_stationary(YAML::Node& a, const Sizes& s, ImportedArch& out) {
  // TPU v1's 1 MiB banks, or 1 KiB banks for a buffer of no whole number of MiB (each of a
  // layer's ifmap and ofmap takes whole banks).
  const std::int64_t ub_bytes = (s.ifmap_kib + s.ofmap_kib) * 1024;
  const std::int64_t bank = ub_bytes % (1 << 20) == 0 ? std::int64_t{1} << 20 : 1024;
  a["unified_buffer"]["banks"] = ub_bytes / bank;
  a["unified_buffer"]["bank_bytes"] = bank;
  a["unified_buffer"]["bank_width_bits"] = s.rows * 8;  // one value per row and cycle
  const std::int64_t tile_bytes = s.rows * s.cols;
  const std::int64_t tiles = std::max<std::int64_t>(1, s.filter_kib * 1024 / tile_bytes);
  a["weight_fifo"]["depth_tiles"] = tiles;
  out.notes.push_back("IfmapSramSzkB + OfmapSramSzkB -> the unified buffer (" +
                      std::to_string(ub_bytes) +
                      " B: activations in and out, as in the TPU; a "
                      "layer whose ifmap and ofmap do not fit it is refused, --skip-unmappable "
                      "leaves it out)");
  const std::int64_t filter_bytes = s.filter_kib * 1024;
  const char* fit = filter_bytes < tile_bytes ? " (enlarged: the SRAM holds less than one tile)"
                    : filter_bytes % tile_bytes != 0 ? " (the rest of the SRAM dropped)"
                                                     : "";
  out.notes.push_back("FilterSramSzkB -> the weight FIFO: " + std::to_string(tiles) +
                      " tile(s) of " + std::to_string(tile_bytes) + " B" + fit);
  out.notes.push_back(
      "accumulators: tpu_v1's 4096 entries x ArrayWidth x 32 bit, double-buffered "
      "(SCALE-Sim has none)");
}

// Dataflow os: the output-stationary array of the dataflow comparison with SCALE-Sim's sizes.
void output_stationary(YAML::Node& a, const Sizes& s, ImportedArch& out) {
  const std::int64_t words = (s.ifmap_kib + s.filter_kib + s.ofmap_kib) * 1024;
  a["glb"]["banks"] = 32;
  a["glb"]["bank_bytes"] = words * 2 / 32;  // 16-bit values: a multiple of 64
  out.notes.push_back("IfmapSramSzkB + FilterSramSzkB + OfmapSramSzkB -> one GLB of " +
                      std::to_string(words) +
                      " 16-bit values (the array's operands are 16-bit; "
                      "SCALE-Sim's words are bytes)");
  out.notes.push_back("register files: os_256's 512 B per PE (SCALE-Sim has none)");
}

void set_bandwidth(const CfgFile& f, YAML::Node& a, double core_mhz, ImportedArch& out) {
  const Entry* mode = f.find("run_presets", "InterfaceBandwidth");
  const std::string m = mode ? mode->value : "CALC";
  if (m == "CALC") {
    out.notes.push_back("InterfaceBandwidth CALC -> the base's DRAM (" +
                        a["dram"]["bandwidth_gbytes_per_s"].as<std::string>() + " GB/s)");
    return;
  }
  if (m != "USER") f.fail_at(mode->line, mode->column, mode->spelled, "expected CALC or USER");
  const Entry& bw = f.at("architecture_presets", "Bandwidth");
  if (bw.value.find(',') != std::string::npos)
    f.fail_at(bw.line, bw.column, bw.spelled,
              "one value: dfsim's DRAM has one bandwidth for every layer");
  const std::int64_t words = f.positive("architecture_presets", "Bandwidth", kMaxWordsPerCycle);
  const double gbytes = static_cast<double>(words) * core_mhz * 1e-3;  // 1-byte words per cycle
  a["dram"]["bandwidth_gbytes_per_s"] = gbytes;
  out.notes.push_back("Bandwidth " + std::to_string(words) + " words/cycle at " +
                      a["clocks"]["core_mhz"].as<std::string>() + " MHz -> dram " +
                      a["dram"]["bandwidth_gbytes_per_s"].as<std::string>() + " GB/s");
}

// The keys this importer reads; every other key of the file is reported as dropped.
const std::map<std::string, const char*> kDropped = {
    {"architecture_presets.ifmapoffset", "a trace address"},
    {"architecture_presets.filteroffset", "a trace address"},
    {"architecture_presets.ofmapoffset", "a trace address"},
    {"architecture_presets.memorybanks", "the base's SRAM banks are kept"},
    {"network_presets.topologycsvloc", "give the topology with --workload"}};
const char* const kRead[] = {"general.run_name",
                             "architecture_presets.arrayheight",
                             "architecture_presets.arraywidth",
                             "architecture_presets.ifmapsramszkb",
                             "architecture_presets.filtersramszkb",
                             "architecture_presets.ofmapsramszkb",
                             "architecture_presets.dataflow",
                             "architecture_presets.bandwidth",
                             "run_presets.interfacebandwidth"};

void note_dropped(const CfgFile& f, ImportedArch& out) {
  for (const auto& [id, e] : f.entries()) {
    if (std::find(std::begin(kRead), std::end(kRead), id) != std::end(kRead)) continue;
    const auto why = kDropped.find(id);
    out.notes.push_back("dropped " + e.spelled + " (" +
                        (why != kDropped.end() ? why->second : "no dfsim counterpart") + ")");
  }
}

}  // namespace

bool is_scalesim_config(const std::string& path) {
  return lowercase(std::filesystem::path(path).extension().string()) == ".cfg";
}

ImportedArch import_scalesim_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the SCALE-Sim configuration");
  std::ostringstream ss;
  ss << in.rdbuf();
  return import_scalesim_config_from_string(ss.str(), path);
}

ImportedArch import_scalesim_config_from_string(const std::string& text,
                                                const std::string& origin) {
  const CfgFile f(text, origin);
  const std::string sec = "architecture_presets";
  const Sizes s{
      f.positive(sec, "ArrayHeight", kMaxPeSide), f.positive(sec, "ArrayWidth", kMaxPeSide),
      f.positive(sec, "IfmapSramSzkB", kMaxSramKib), f.positive(sec, "FilterSramSzkB", kMaxSramKib),
      f.positive(sec, "OfmapSramSzkB", kMaxSramKib)};
  if (s.rows * s.cols > kMaxPes) {
    const Entry& w = f.at(sec, "ArrayWidth");
    f.fail_at(w.line, w.column, w.spelled,
              std::to_string(s.rows) + " x " + std::to_string(s.cols) +
                  " PEs, more than dfsim builds (" + std::to_string(kMaxPes) + ")");
  }
  const Entry& df = f.at(sec, "Dataflow");
  const std::string dataflow = lowercase(df.value);
  if (dataflow != "ws" && dataflow != "os" && dataflow != "is")
    f.fail_at(df.line, df.column, df.spelled, "expected ws, os or is, got '" + df.value + "'");
  ImportedArch out;
  out.base = dataflow == "os" ? "configs/dataflows/os_256.yaml" : "configs/tpu_v1.yaml";
  YAML::Node a = YAML::Load(embedded_config(out.base));
  const Entry* run_name = f.find("general", "run_name");
  a["name"] = run_name && !run_name->value.empty() ? run_name->value
                                                   : std::filesystem::path(origin).stem().string();
  a["pe_array"]["rows"] = s.rows;
  a["pe_array"]["cols"] = s.cols;
  out.notes.push_back("Dataflow " + df.value + " -> " + a["array"].as<std::string>() + " (" +
                      out.base + ", its clocks, DRAM and energies)" +
                      (dataflow == "is" ? "; dfsim has no input-stationary array" : ""));
  if (dataflow == "os")
    output_stationary(a, s, out);
  else
    weight_stationary(a, s, out);
  set_bandwidth(f, a, a["clocks"]["core_mhz"].as<double>(), out);
  note_dropped(f, out);
  std::string description =
      "imported from SCALE-Sim " + std::filesystem::path(origin).filename().string() + ": " +
      std::to_string(s.rows) + " x " + std::to_string(s.cols) + " " + df.value;
  a["description"] = description;
  YAML::Emitter e;
  e << a;
  out.yaml = std::string(e.c_str()) + "\n";
  return out;
}

}  // namespace dfsim
