#include "base/stats/stats.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "base/text.hpp"

namespace dfsim {

namespace {

// The fields of DramCommandStats, for arithmetic and JSON in one place.
constexpr std::array<std::pair<const char*, std::int64_t DramCommandStats::*>, 9> kCommandCounts = {
    {{"bursts", &DramCommandStats::bursts},
     {"act", &DramCommandStats::act},
     {"pre", &DramCommandStats::pre},
     {"rd", &DramCommandStats::rd},
     {"wr", &DramCommandStats::wr},
     {"ref", &DramCommandStats::ref},
     {"row_hits", &DramCommandStats::row_hits},
     {"row_misses", &DramCommandStats::row_misses},
     {"row_conflicts", &DramCommandStats::row_conflicts}}};
constexpr std::array<std::pair<const char*, double DramCommandStats::*>, 6> kCommandEnergies = {
    {{"act", &DramCommandStats::act_pj},
     {"pre", &DramCommandStats::pre_pj},
     {"rd", &DramCommandStats::rd_pj},
     {"wr", &DramCommandStats::wr_pj},
     {"ref", &DramCommandStats::ref_pj},
     {"background", &DramCommandStats::background_pj}}};

}  // namespace

namespace {

const char* const kKinds[4] = {"weight", "ifmap", "psum", "ofmap"};

std::int64_t sum4(const std::array<std::int64_t, 4>& a) { return a[0] + a[1] + a[2] + a[3]; }

// Numbers printed with a fixed format so equal runs give equal bytes.
std::string num(double v) {
  if (v == std::floor(v) && std::fabs(v) < 9e15) {
    std::ostringstream os;
    os << static_cast<long long>(v);
    return os.str();
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

// A value that may be unknown (NaN): JSON null.
std::string num_or_null(double v) { return std::isnan(v) ? std::string("null") : num(v); }

std::string actions_json(const std::vector<ActionStat>& actions) {
  std::ostringstream os;
  os << "{";
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const ActionStat& a = actions[i];
    os << (i ? ", " : "") << json_quote(a.name) << ": {\"count\": " << num(a.count)
       << ", \"unit\": " << json_quote(a.unit) << ", \"pj_per_unit\": " << num(a.pj_per_unit)
       << ", \"energy_pj\": " << num(a.energy_pj) << ", \"level\": " << json_quote(a.level)
       << ", \"key\": " << json_quote(a.key);
    if (!a.part.empty()) os << ", \"part\": " << json_quote(a.part);
    os << "}";
  }
  os << "}";
  return os.str();
}

// Adds a layer's components into the total's (matched by name).
void add_components(std::vector<ComponentStats>& total, const std::vector<ComponentStats>& layer) {
  for (const ComponentStats& c : layer) {
    auto it = std::find_if(total.begin(), total.end(),
                           [&](const ComponentStats& e) { return e.name == c.name; });
    if (it == total.end())
      total.push_back(c);
    else
      it->traffic += c.traffic;
  }
}

// Adds a layer's actions into the total's (matched by name).
void add_actions(std::vector<ActionStat>& total, const std::vector<ActionStat>& layer) {
  for (const ActionStat& a : layer) {
    auto it = std::find_if(total.begin(), total.end(),
                           [&](const ActionStat& e) { return e.name == a.name; });
    if (it == total.end()) {
      total.push_back(a);
    } else {
      it->count += a.count;
      it->energy_pj += a.energy_pj;
    }
  }
}

void level_json(std::ostream& os, const char* name, const LevelStats& l, const std::string& ind,
                const char* level = nullptr);

void components_json(std::ostream& os, const std::vector<ComponentStats>& components,
                     const std::string& ind) {
  for (std::size_t i = 0; i < components.size(); ++i) {
    const ComponentStats& c = components[i];
    level_json(os, c.name.c_str(), c.traffic, ind, c.level.c_str());
    os << (i + 1 < components.size() ? ",\n" : "\n");
  }
}

// A level (with its energy) or, given `level`, a component (traffic only, and its level).
void level_json(std::ostream& os, const char* name, const LevelStats& l, const std::string& ind,
                const char* level) {
  os << ind << json_quote(name) << ": {";
  if (level) os << "\"level\": " << json_quote(level) << ", ";
  os << "\"read_bytes\": " << l.total_read_bytes()
     << ", \"write_bytes\": " << l.total_write_bytes();
  if (!level) os << ", \"energy_pj\": " << num(l.energy_pj);
  os << ", \"by_type\": {";
  for (int k = 0; k < 4; ++k)
    os << (k ? ", " : "") << json_quote(kKinds[k]) << ": {\"read_bytes\": " << l.read_bytes[k]
       << ", \"write_bytes\": " << l.write_bytes[k] << ", \"reads\": " << l.reads[k]
       << ", \"writes\": " << l.writes[k] << "}";
  os << "}}";
}

void command_stats_json(std::ostream& os, const DramCommandStats& c) {
  os << "{";
  for (const auto& [name, f] : kCommandCounts) os << json_quote(name) << ": " << c.*f << ", ";
  os << "\"energy_pj\": {";
  for (const auto& [name, f] : kCommandEnergies)
    os << json_quote(name) << ": " << num(c.*f) << ", ";
  os << "\"total\": " << num(c.energy_pj()) << "}}";
}

// "dram_device": the jedec model's requests, latencies, bandwidth, commands and energy (nothing
// for a DRAM model without devices).
void dram_device_json(std::ostream& os, const DramDeviceStats& d, double seconds,
                      const std::string& in2) {
  if (!d.present) return;
  const double bytes = static_cast<double>(d.read_bytes + d.write_bytes);
  os << in2 << "\"dram_device\": {\"read_requests\": " << d.read_requests
     << ", \"write_requests\": " << d.write_requests << ", \"read_bytes\": " << d.read_bytes
     << ", \"write_bytes\": " << d.write_bytes
     << ", \"read_latency_ns\": {\"mean\": " << num(d.read_latency_ns_mean());
  if (d.read_latency_ns_p99 >= 0) os << ", \"p99\": " << num(d.read_latency_ns_p99);
  os << ", \"max\": " << num(d.read_latency_ns_max)
     << "}, \"achieved_gbytes_per_s\": " << num(seconds > 0 ? bytes / seconds * 1e-9 : 0) << ",\n"
     << in2 << "  \"all_channels\": ";
  command_stats_json(os, d.all);
  os << ",\n" << in2 << "  \"channels\": [";
  for (std::size_t c = 0; c < d.channels.size(); ++c) {
    os << (c ? ",\n" + in2 + "    " : "");
    command_stats_json(os, d.channels[c]);
  }
  os << "]},\n";
}

void layer_json(std::ostream& os, const LayerStats& l, const std::string& ind) {
  const std::string in2 = ind + "  ";
  os << "{\n"
     << in2 << "\"name\": " << json_quote(l.name) << ",\n"
     << in2 << "\"macs\": " << l.macs << ",\n"
     << in2 << "\"gated_macs\": " << l.gated_macs << ",\n"
     << in2 << "\"weights\": " << l.weights << ",\n"
     << in2 << "\"nz_weights\": " << l.nz_weights << ",\n"
     << in2 << "\"nz_macs\": " << l.nz_macs << ",\n"
     << in2 << "\"output_density\": " << num_or_null(l.output_density) << ",\n";
  if (l.declared_output_density >= 0)
    os << in2 << "\"declared_output_density\": " << num(l.declared_output_density) << ",\n";
  if (l.accumulator_bits) os << in2 << "\"accumulator_bits\": " << l.accumulator_bits << ",\n";
  if (!l.weight_bits_by_format.empty()) {
    auto sizes = [&](const std::vector<std::pair<std::string, std::int64_t>>& v) {
      std::string s = "{";
      for (std::size_t i = 0; i < v.size(); ++i)
        s += (i ? ", " : "") + json_quote(v[i].first) + ": " + std::to_string(v[i].second);
      return s + "}";
    };
    os << in2 << "\"compressed_bits\": {\"weights\": " << sizes(l.weight_bits_by_format)
       << ", \"ifmap\": " << sizes(l.ifmap_bits_by_format) << "},\n";
  }
  os << in2 << "\"cycles\": " << l.cycles << ",\n"
     << in2 << "\"seconds\": " << num(l.seconds) << ",\n"
     << in2 << "\"active_pes\": " << l.active_pes << ",\n"
     << in2 << "\"utilization\": " << num(l.utilization) << ",\n"
     << in2 << "\"mac_units\": " << l.mac_units << ",\n"
     << in2 << "\"passes\": " << l.passes << ",\n"
     << in2 << "\"dram_read_bytes\": " << l.dram.total_read_bytes() << ",\n"
     << in2 << "\"dram_write_bytes\": " << l.dram.total_write_bytes() << ",\n"
     << in2 << "\"glb_read_bytes\": " << l.glb.total_read_bytes() << ",\n"
     << in2 << "\"glb_write_bytes\": " << l.glb.total_write_bytes() << ",\n"
     << in2 << "\"noc_bytes\": " << l.noc.total_write_bytes() << ",\n"
     << in2 << "\"rf_read_bytes\": " << l.rf.total_read_bytes() << ",\n"
     << in2 << "\"rf_write_bytes\": " << l.rf.total_write_bytes() << ",\n"
     << in2 << "\"levels\": {\n";
  level_json(os, "dram", l.dram, in2 + "  ");
  os << ",\n";
  level_json(os, "glb", l.glb, in2 + "  ");
  os << ",\n";
  level_json(os, "noc", l.noc, in2 + "  ");
  os << ",\n";
  level_json(os, "rf", l.rf, in2 + "  ");
  os << "\n" << in2 << "},\n" << in2 << "\"components\": {\n";
  components_json(os, l.components, in2 + "  ");
  os << in2 << "},\n"
     << in2 << "\"energy_pj\": {\"dram\": " << num(l.dram.energy_pj)
     << ", \"glb\": " << num(l.glb.energy_pj) << ", \"noc\": " << num(l.noc.energy_pj)
     << ", \"rf\": " << num(l.rf.energy_pj) << ", \"mac\": " << num(l.mac_pj)
     << ", \"idle\": " << num(l.idle_pj) << ", \"total\": " << num(l.total_pj()) << "},\n"
     << in2 << "\"actions\": " << actions_json(l.actions) << ",\n"
     << in2 << "\"average_power_mw\": " << num(l.power_mw()) << ",\n"
     << in2 << "\"tops\": " << num(l.tops()) << ",\n"
     << in2 << "\"unused_macs\": " << l.unused_macs << ",\n";
  if (!l.counts.empty()) {
    os << in2 << "\"counts\": {";
    for (std::size_t i = 0; i < l.counts.size(); ++i)
      os << (i ? ", " : "") << json_quote(l.counts[i].first) << ": " << l.counts[i].second;
    os << "},\n";
  }
  if (!l.ratios.empty()) {
    os << in2 << "\"ratios\": {";
    for (std::size_t i = 0; i < l.ratios.size(); ++i)
      os << (i ? ", " : "") << json_quote(l.ratios[i].first) << ": " << num(l.ratios[i].second);
    os << "},\n";
  }
  if (!l.cycle_breakdown.empty()) {
    os << in2 << "\"cycle_breakdown\": {";
    for (std::size_t i = 0; i < l.cycle_breakdown.size(); ++i)
      os << (i ? ", " : "") << json_quote(l.cycle_breakdown[i].first) << ": "
         << l.cycle_breakdown[i].second;
    os << "},\n";
  }
  dram_device_json(os, l.dram_device, l.seconds, in2);
  os << in2 << "\"estimate\": {\"cycles\": " << l.estimate_cycles
     << ", \"energy_pj\": " << num(l.estimate_energy_pj) << "},\n"
     << in2 << "\"mapping\": " << json_quote(l.mapping) << ",\n"
     << in2 << "\"output_check\": " << json_quote(l.output_check) << "\n"
     << ind << "}";
}

// The table's energy column headers for the array's level names ("ARAM" -> "E.aram").
std::array<std::string, kNumLevels> energy_columns(
    const std::array<std::string, kNumLevels>& names) {
  std::array<std::string, kNumLevels> e;
  for (int i = 0; i < kNumLevels; ++i) {
    e[i] = names[i];
    std::transform(e[i].begin(), e[i].end(), e[i].begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    e[i] = "E." + e[i];
  }
  return e;
}

// The layers followed by the total, for tables that list both.
std::vector<const LayerStats*> with_total(const std::vector<LayerStats>& layers,
                                          const LayerStats& total) {
  std::vector<const LayerStats*> v;
  for (const auto& x : layers) v.push_back(&x);
  v.push_back(&total);
  return v;
}

}  // namespace

std::int64_t LevelStats::total_read_bytes() const { return sum4(read_bytes); }
std::int64_t LevelStats::total_write_bytes() const { return sum4(write_bytes); }

LevelStats& LevelStats::operator+=(const LevelStats& o) {
  for (int k = 0; k < 4; ++k) {
    read_bytes[k] += o.read_bytes[k];
    write_bytes[k] += o.write_bytes[k];
    reads[k] += o.reads[k];
    writes[k] += o.writes[k];
  }
  energy_pj += o.energy_pj;
  return *this;
}

DramCommandStats& DramCommandStats::operator+=(const DramCommandStats& o) {
  for (const auto& [name, f] : kCommandCounts) this->*f += o.*f;
  for (const auto& [name, f] : kCommandEnergies) this->*f += o.*f;
  return *this;
}

DramCommandStats DramCommandStats::operator-(const DramCommandStats& o) const {
  DramCommandStats r = *this;
  for (const auto& [name, f] : kCommandCounts) r.*f -= o.*f;
  for (const auto& [name, f] : kCommandEnergies) r.*f -= o.*f;
  return r;
}

DramDeviceStats DramDeviceStats::since(const DramDeviceStats& start) const {
  DramDeviceStats d = *this;
  d.read_requests -= start.read_requests;
  d.write_requests -= start.write_requests;
  d.read_bytes -= start.read_bytes;
  d.write_bytes -= start.write_bytes;
  d.read_latency_ns_sum -= start.read_latency_ns_sum;
  d.all = all - start.all;
  for (std::size_t c = 0; c < channels.size() && c < start.channels.size(); ++c)
    d.channels[c] = channels[c] - start.channels[c];
  return d;
}

void DramDeviceStats::add_layer(const DramDeviceStats& layer) {
  if (!layer.present) return;
  if (!present) {
    *this = layer;
    read_latency_ns_p99 = -1;
    return;
  }
  read_requests += layer.read_requests;
  write_requests += layer.write_requests;
  read_bytes += layer.read_bytes;
  write_bytes += layer.write_bytes;
  read_latency_ns_sum += layer.read_latency_ns_sum;
  read_latency_ns_max = std::max(read_latency_ns_max, layer.read_latency_ns_max);
  all += layer.all;
  for (std::size_t c = 0; c < channels.size() && c < layer.channels.size(); ++c)
    channels[c] += layer.channels[c];
}

const char* const kLevelKeys[kNumLevels] = {"dram", "glb", "noc", "rf"};

void add_component(LayerStats& s, std::string name, std::string level, const LevelStats& traffic) {
  s.components.push_back({std::move(name), std::move(level), traffic});
}

void set_levels(LayerStats& s) {
  LevelStats* levels[kNumLevels] = {&s.dram, &s.glb, &s.noc, &s.rf};
  for (LevelStats* l : levels) {
    const double energy = l->energy_pj;
    *l = LevelStats{};
    l->energy_pj = energy;
  }
  for (const ComponentStats& c : s.components) {
    const auto* key = std::find(kLevelKeys, kLevelKeys + kNumLevels, c.level);
    if (key == kLevelKeys + kNumLevels)
      throw std::logic_error("component " + c.name + " in unknown level '" + c.level + "'");
    LevelStats traffic = c.traffic;
    traffic.energy_pj = 0;
    *levels[key - kLevelKeys] += traffic;
  }
}

LayerStats total_of(const std::vector<LayerStats>& layers) {
  LayerStats t;
  t.name = "total";
  bool all_pass = !layers.empty(), any_fail = false, any_skip = false;
  for (const auto& l : layers) {
    t.macs += l.macs;
    t.gated_macs += l.gated_macs;
    t.weights += l.weights;
    t.nz_weights += l.nz_weights;
    t.nz_macs += l.nz_macs;
    t.output_density = l.output_density;  // the network's output: its last layer's
    for (auto [dst, src] : {std::pair{&t.weight_bits_by_format, &l.weight_bits_by_format},
                            std::pair{&t.ifmap_bits_by_format, &l.ifmap_bits_by_format}}) {
      if (dst->empty())
        *dst = *src;
      else
        for (std::size_t i = 0; i < dst->size() && i < src->size(); ++i)
          (*dst)[i].second += (*src)[i].second;
    }
    t.cycles += l.cycles;
    t.seconds += l.seconds;
    t.active_pes = std::max(t.active_pes, l.active_pes);
    t.num_pes = l.num_pes;
    t.mac_units = std::max(t.mac_units, l.mac_units);
    t.passes += l.passes;
    t.unused_macs += l.unused_macs;
    for (auto* list : {&t.cycle_breakdown, &t.counts})
      for (const auto& [k, v] : list == &t.counts ? l.counts : l.cycle_breakdown) {
        const auto& key = k;  // C++17 lambdas cannot capture a structured binding (clang)
        auto it =
            std::find_if(list->begin(), list->end(), [&](const auto& e) { return e.first == key; });
        if (it == list->end())
          list->push_back({k, v});
        else
          it->second += v;
      }
    t.dram += l.dram;
    t.glb += l.glb;
    t.noc += l.noc;
    t.rf += l.rf;
    t.mac_pj += l.mac_pj;
    t.idle_pj += l.idle_pj;
    add_actions(t.actions, l.actions);
    add_components(t.components, l.components);
    t.dram_device.add_layer(l.dram_device);
    t.level_names = l.level_names;
    t.estimate_cycles += l.estimate_cycles;
    t.estimate_energy_pj += l.estimate_energy_pj;
    all_pass = all_pass && l.output_check == "pass";
    any_fail = any_fail || l.output_check == "fail";
    any_skip = any_skip || l.output_check == "skipped";
  }
  // Cycle-weighted mean of the layers' utilizations (occupied MAC slots over cycles x MAC
  // units, utilization_of).
  double weighted = 0;
  for (const auto& l : layers) weighted += l.utilization * static_cast<double>(l.cycles);
  t.utilization = t.cycles ? weighted / static_cast<double>(t.cycles) : 0;
  t.output_check = any_fail ? "fail" : (all_pass ? "pass" : (any_skip ? "skipped" : "fail"));
  t.mapping = "";
  return t;
}

double AreaReport::total_mm2() const {
  double t = 0;
  for (const PartArea& p : parts) t += p.mm2;
  return t;
}

namespace {

void print_area(std::ostream& os, const AreaReport& area) {
  if (area.parts.empty()) return;
  os << "\nArea of the sized parts (mm^2; control, networks and wiring not included; "
     << area.source << "):";
  for (const PartArea& p : area.parts) os << " " << p.name << " " << p.mm2 << ",";
  os << " total " << area.total_mm2() << "\n";
}

void area_json(std::ostream& os, const AreaReport& area) {
  if (area.parts.empty()) return;
  os << ",\n  \"area\": {\"technology_nm\": " << num(area.technology_nm)
     << ", \"source\": " << json_quote(area.source) << ", \"unit\": \"mm^2\", \"parts\": {";
  for (std::size_t i = 0; i < area.parts.size(); ++i) {
    const PartArea& p = area.parts[i];
    os << (i ? ", " : "") << json_quote(p.name) << ": {\"kind\": " << json_quote(p.kind)
       << ", \"instances\": " << p.instances << ", \"mm2\": " << num(p.mm2) << "}";
  }
  os << "}, \"total_mm2\": " << num(area.total_mm2()) << "}";
}

}  // namespace

namespace {

// The result table: one row per layer (none with `summary`) and the total.
void print_rows(std::ostream& os, const RunInfo& info, const std::vector<LayerStats>& layers,
                const LayerStats& total, bool summary) {
  os << "dfsim: " << info.arch_name << " running " << info.workload_name << " (batch " << info.batch
     << ", seed " << info.seed << ", objective " << info.objective << ")\n\n";
  auto row = [&](const LayerStats& l) {
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "%-14s %9.2f %11lld %9.3f %4lld %6.1f%% %9.3f %9.3f %8.3f %8.3f %8.3f %8.3f "
                  "%8.3f %9.3f %7.1f  %s\n",
                  l.name.c_str(), static_cast<double>(l.macs) / 1e6,
                  static_cast<long long>(l.cycles), l.seconds * 1e3,
                  static_cast<long long>(l.active_pes), l.utilization * 100,
                  static_cast<double>(l.dram.total_read_bytes() + l.dram.total_write_bytes()) / 1e6,
                  static_cast<double>(l.glb.total_read_bytes() + l.glb.total_write_bytes()) / 1e6,
                  l.dram.energy_pj * 1e-6, l.glb.energy_pj * 1e-6, l.noc.energy_pj * 1e-6,
                  l.rf.energy_pj * 1e-6, l.mac_pj * 1e-6, l.total_pj() * 1e-6, l.power_mw(),
                  l.output_check.c_str());
    os << buf;
  };
  // The array's own names for the levels (the planar array's "GLB" is its activation RAMs).
  const auto& n = total.level_names;
  const std::array<std::string, kNumLevels> e = energy_columns(n);
  char head[512];
  std::snprintf(head, sizeof head,
                "%-14s %9s %11s %9s %4s %7s %9s %9s %8s %8s %8s %8s %8s %9s %7s  %s\n", "layer",
                "MACs(M)", "cycles", "time(ms)", "PEs", "util", (n[0] + "(MB)").c_str(),
                (n[1] + "(MB)").c_str(), e[0].c_str(), e[1].c_str(), e[2].c_str(), e[3].c_str(),
                "E.mac", "E.tot(uJ)", "P(mW)", "check");
  os << head;
  if (!summary)
    for (const auto& l : layers) row(l);
  row(total);
  for (const SkippedLayer& s : info.skipped) os << "skipped " << s.name << ": " << s.reason << "\n";
  os << "\nEnergy columns in uJ; E.tot includes idle power (" << total.idle_pj * 1e-6
     << " uJ in total). Clock " << info.clock_mhz << " MHz.\n";
  print_area(os, info.area);
}

void print_nonzero(std::ostream& os, const std::vector<LayerStats>& layers,
                   const LayerStats& total) {
  os << "\nNon-zero operands (Table IV metrics, whole batch):\n";
  for (const LayerStats* l : with_total(layers, total)) {
    char buf[256];
    std::snprintf(
        buf, sizeof buf,
        "  %-14s weights %lld, non-zero %lld (%.1f%%); MACs %lld, non-zero %lld (%.1f%%); ",
        l->name.c_str(), static_cast<long long>(l->weights), static_cast<long long>(l->nz_weights),
        l->weights ? 100.0 * static_cast<double>(l->nz_weights) / static_cast<double>(l->weights)
                   : 0.0,
        static_cast<long long>(l->macs), static_cast<long long>(l->nz_macs),
        l->macs ? 100.0 * static_cast<double>(l->nz_macs) / static_cast<double>(l->macs) : 0.0);
    os << buf;
    if (std::isnan(l->output_density)) {
      os << "ofmap not computed (timing only)\n";
    } else {
      std::snprintf(buf, sizeof buf, "ofmap non-zero %.1f%%\n", 100.0 * l->output_density);
      os << buf;
    }
  }
}

void print_sizes(std::ostream& os, const std::vector<LayerStats>& layers, const LayerStats& total) {
  if (!total.weight_bits_by_format.empty()) {
    os << "\nCompressed sizes of the operands (kB, metadata included):\n  " << std::left;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%-16s", "");
    os << buf;
    for (const auto& [f, b] : total.weight_bits_by_format) {
      std::snprintf(buf, sizeof buf, "%11s", f.c_str());
      os << buf;
    }
    os << "\n";
    for (const LayerStats* l : with_total(layers, total))
      for (int which = 0; which < 2; ++which) {
        const auto& v = which ? l->ifmap_bits_by_format : l->weight_bits_by_format;
        std::snprintf(buf, sizeof buf, "  %-9s%-7s", l->name.c_str(), which ? "ifmap" : "weights");
        os << buf;
        for (const auto& [f, b] : v) {
          std::snprintf(buf, sizeof buf, "%11.1f", static_cast<double>(b) / 8e3);
          os << buf;
        }
        os << "\n";
      }
    os << std::right;
  }
}

void print_cycle_breakdown(std::ostream& os, const std::vector<LayerStats>& layers,
                           const LayerStats& total) {
  bool any_split = false;
  for (const auto& l : layers) any_split = any_split || !l.cycle_breakdown.empty();
  if (any_split) {
    os << "\nCycle breakdown (% of cycles) and achieved throughput:\n";
    for (const LayerStats* l : with_total(layers, total)) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "  %-14s", l->name.c_str());
      os << buf;
      for (const auto& [k, v] : l->cycle_breakdown) {
        std::snprintf(
            buf, sizeof buf, " %s %5.1f%%", k.c_str(),
            l->cycles ? 100.0 * static_cast<double>(v) / static_cast<double>(l->cycles) : 0.0);
        os << buf;
      }
      std::snprintf(buf, sizeof buf, "  %.2f TOPS, unused MACs %.1f%%\n", l->tops(),
                    l->unused_macs + l->macs ? 100.0 * static_cast<double>(l->unused_macs) /
                                                   static_cast<double>(l->unused_macs + l->macs)
                                             : 0.0);
      os << buf;
    }
  }
}

void print_ratios(std::ostream& os, const std::vector<LayerStats>& layers) {
  bool any_ratios = false;
  for (const auto& l : layers) any_ratios = any_ratios || !l.ratios.empty();
  if (any_ratios) {
    os << "\nArray details per layer:\n";
    for (const auto& l : layers) {
      os << "  " << l.name << ":";
      char buf[128];
      for (const auto& [k, v] : l.ratios) {
        std::snprintf(buf, sizeof buf, " %s %.3f", k.c_str(), v);
        os << buf;
      }
      os << "\n   ";
      for (const auto& [k, v] : l.counts) os << " " << k << " " << v;
      os << "\n";
    }
  }
}

void print_mappings(std::ostream& os, const std::vector<LayerStats>& layers) {
  os << "\nMapping per layer (simulated vs mapper estimate):\n";
  for (const auto& l : layers) {
    const double dc = l.estimate_cycles
                          ? static_cast<double>(l.cycles) / static_cast<double>(l.estimate_cycles)
                          : 0;
    os << "  " << l.name << ": " << l.mapping << "\n      estimate " << l.estimate_cycles
       << " cycles, " << std::fixed << std::setprecision(3) << l.estimate_energy_pj * 1e-6
       << " uJ (w/o idle); simulated/estimate cycles = " << dc << std::defaultfloat << "\n";
  }
}

}  // namespace

void print_table(std::ostream& os, const RunInfo& info, const std::vector<LayerStats>& layers,
                 const LayerStats& total, const TableOptions& options) {
  if (!info.arch_import_notes.empty() && !options.summary) {
    os << "Architecture " << info.arch_name << " imported from " << info.arch_file << ":\n";
    for (const std::string& n : info.arch_import_notes) os << "  " << n << "\n";
    os << "\n";
  }
  print_rows(os, info, layers, total, options.summary);
  if (options.summary) return;
  print_nonzero(os, layers, total);
  if (options.sizes) print_sizes(os, layers, total);
  print_cycle_breakdown(os, layers, total);
  print_ratios(os, layers);
  print_mappings(os, layers);
}

std::string stats_json(const RunInfo& info, const std::vector<LayerStats>& layers,
                       const LayerStats& total) {
  std::ostringstream os;
  os << "{\n  \"dfsim_version\": " << json_quote(DFSIM_VERSION)
     << ",\n  \"provenance\": {\"hash\": " << json_quote(info.provenance.hash)
     << ",\n    \"architecture\": " << json_quote(info.provenance.architecture_yaml)
     << ",\n    \"workload\": " << json_quote(info.provenance.workload_yaml)
     << ",\n    \"mappings\": " << json_quote(info.provenance.mappings_yaml) << "}"
     << ",\n  \"arch\": " << json_quote(info.arch_name)
     << ",\n  \"arch_file\": " << json_quote(info.arch_file);
  if (!info.arch_import_notes.empty()) {  // only for an imported architecture
    os << ",\n  \"arch_import_notes\": [";
    for (std::size_t i = 0; i < info.arch_import_notes.size(); ++i)
      os << (i ? ", " : "") << json_quote(info.arch_import_notes[i]);
    os << "]";
  }
  os << ",\n  \"workload\": " << json_quote(info.workload_name)
     << ",\n  \"workload_file\": " << json_quote(info.workload_file)
     << ",\n  \"batch\": " << info.batch << ",\n  \"seed\": " << info.seed
     << ",\n  \"objective\": " << json_quote(info.objective);
  if (info.timing_only) os << ",\n  \"timing_only\": true";
  os << ",\n  \"clock_mhz\": " << num(info.clock_mhz) << ",\n  \"level_names\": {";
  for (int i = 0; i < kNumLevels; ++i)
    os << (i ? ", " : "") << json_quote(kLevelKeys[i]) << ": " << json_quote(total.level_names[i]);
  os << "}";
  area_json(os, info.area);
  // The roofs: 2 ops per MAC unit per core cycle, the DRAM link's peak bytes per second.
  os << ",\n  \"roofline\": {\"mac_units\": " << total.mac_units << ", \"peak_ops_per_s\": "
     << num(2.0 * static_cast<double>(total.mac_units) * info.clock_mhz * 1e6)
     << ", \"dram_peak_bytes_per_s\": " << num(info.dram_peak_bytes_per_s) << "}";
  os << ",\n  \"units\": {\"cycles\": \"core clock cycles\", \"seconds\": \"s\", \"bytes\": \"B\", "
        "\"energy_pj\": \"pJ\", \"average_power_mw\": \"mW\", \"tops\": \"10^12 ops/s (2 per "
        "MAC)\", "
        "\"unused_macs\": \"MAC slots\"},\n  \"layers\": [\n";
  for (std::size_t i = 0; i < layers.size(); ++i) {
    os << "    ";
    layer_json(os, layers[i], "    ");
    os << (i + 1 < layers.size() ? ",\n" : "\n");
  }
  os << "  ],\n  \"skipped_layers\": [";
  for (std::size_t i = 0; i < info.skipped.size(); ++i)
    os << (i ? ",\n    " : "\n    ") << "{\"name\": " << json_quote(info.skipped[i].name)
       << ", \"reason\": " << json_quote(info.skipped[i].reason) << "}";
  os << (info.skipped.empty() ? "" : "\n  ") << "],\n  \"total\": ";
  layer_json(os, total, "  ");
  os << "\n}\n";
  return os.str();
}

void write_stats_json(const std::string& dir, const RunInfo& info,
                      const std::vector<LayerStats>& layers, const LayerStats& total) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the output directory: " + ec.message());
  const fs::path final_path = fs::path(dir) / "stats.json";
  const fs::path tmp = fs::path(dir) / ".stats.json.tmp";
  {
    std::ofstream out(tmp);
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write");
    out << stats_json(info, layers, total);
    if (!out.flush()) throw std::runtime_error(tmp.string() + ": write failed");
  }
  fs::rename(tmp, final_path, ec);
  if (ec) throw std::runtime_error(final_path.string() + ": cannot write: " + ec.message());
}

}  // namespace dfsim
