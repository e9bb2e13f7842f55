#include "sweep/sweep_spec.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "base/config/arch_config.hpp"
#include "base/config/scalesim_config.hpp"
#include "base/text.hpp"
#include "workload/layer.hpp"

namespace dfsim {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The base architecture's text; one that extends another is written out merged, so that the
// sweep's keys reach what it inherits.
std::string base_arch_yaml(const std::string& path) {
  if (is_scalesim_config(path)) return import_scalesim_config(path).yaml;
  const std::string text = read_file(path);
  const ConfigNode root = ConfigNode::load_string_extending(text, path);
  if (!root.is_map() || !root.raw()["extends"].IsDefined()) return text;
  YAML::Emitter out;
  out << root.merged();
  return std::string(out.c_str()) + "\n";
}

// Paths in the spec are relative to the spec file.
std::string relative_to(const std::string& spec_file, const std::string& p) {
  if (fs::path(p).is_absolute()) return p;
  return (fs::path(spec_file).parent_path() / p).lexically_normal().string();
}

std::string format_number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::ostringstream os;
  os.precision(12);
  os << v;
  return os.str();
}

// The values of one key: a list, or a range {from, to, step} / {from, to, factor}.
std::vector<std::string> parse_values(const ConfigNode& n) {
  n.expect_keys({"key", "values", "range"});
  std::vector<std::string> out;
  if (auto v = n.find("values")) {
    for (const ConfigNode& item : v->items()) out.push_back(item.as_string());
    if (out.empty()) v->fail("needs at least one value");
    if (n.has("range")) n.at("range").fail("give either values or range, not both");
    return out;
  }
  ConfigNode r = n.at("range");
  r.expect_keys({"from", "to", "step", "factor"});
  const double from = r.get_double("from"), to = r.get_double("to");
  for (const char* k : {"from", "to"})
    if (!std::isfinite(r.get_double(k))) r.at(k).fail("must be a finite number");
  if (r.has("step") == r.has("factor")) r.fail("a range needs exactly one of step or factor");
  if (from > to) r.fail("the range is empty (from > to)");
  // The number of values is computed, never iterated: a huge range is refused at once.
  constexpr double kMaxValues = 100000;
  double count = 0;
  std::function<double(double)> value;
  if (r.has("step")) {
    const double step = r.get_double_min("step", 0.0, false);
    if (from + step == from)
      r.at("step").fail("is below the precision of from (" + format_number(from) + ")");
    count = std::floor((to - from) / step + 1e-9) + 1;
    value = [from, step](double i) { return from + i * step; };
  } else {
    const double factor = r.get_double("factor");
    if (!(factor > 1)) r.at("factor").fail("must be > 1");
    if (from <= 0) r.at("from").fail("must be > 0 for a geometric range");
    count = std::floor(std::log(to / from) / std::log(factor) + 1e-9) + 1;
    value = [from, factor](double i) { return from * std::pow(factor, i); };
  }
  if (count > kMaxValues)
    r.fail("the range has " + format_number(count) + " values, more than 100000");
  for (double i = 0; i < count; ++i) out.push_back(format_number(value(i)));
  return out;
}

}  // namespace

std::string SweepWorkload::label() const {
  std::string s = fs::path(file).filename().string();
  if (!layers.empty()) {
    s += "[";
    for (std::size_t i = 0; i < layers.size(); ++i) s += (i ? "," : "") + layers[i];
    s += "]";
  }
  if (batch) s += "@" + std::to_string(batch);
  return s;
}

std::string SweepPoint::params_json() const {
  std::string s = "{";
  for (std::size_t i = 0; i < params.size(); ++i)
    s += (i ? ", " : "") + json_quote(params[i].first) + ": " + json_quote(params[i].second);
  return s + "}";
}

const std::vector<std::string>& sweep_objective_names() {
  static const std::vector<std::string> names = {
      "energy", "latency", "cycles", "edp", "power", "dram_traffic", "onchip_storage", "area"};
  return names;
}

std::string apply_assignment(const std::string& base_yaml, const Assignment& a,
                             const std::string& where) {
  YAML::Node root = YAML::Load(base_yaml);
  for (const auto& [key, value] : a) {
    std::vector<std::string> parts;
    std::stringstream ss(key);
    for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
    if (parts.empty()) throw ConfigError(where + ": empty key");
    YAML::Node node = root;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
      YAML::Node next = node[parts[i]];
      if (!next.IsDefined() || !next.IsMap())
        throw ConfigError(where + ": key '" + key + "': the architecture has no section '" +
                          parts[i] + "'");
      node.reset(next);
    }
    try {
      node[parts.back()] = YAML::Load(value);
    } catch (const YAML::Exception& e) {
      throw ConfigError(where + ": key '" + key + "': value '" + value + "' is not valid YAML (" +
                        e.msg + ")");
    }
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

namespace {

// The `objectives` to minimize (default energy and latency), at least two, each a known name;
// `area` needs the base architecture's technology_nm.
std::vector<std::string> parse_objectives(const ConfigNode& root, const ArchConfig& base) {
  const auto objs = root.find("objectives");
  if (!objs) return {"energy", "latency"};
  std::vector<std::string> out;
  for (const ConfigNode& o : objs->items()) {
    const std::string name = o.as_string();
    const auto& names = sweep_objective_names();
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      std::string msg = "unknown objective '" + name + "'";
      const std::string c = closest_match(name, names);
      if (!c.empty()) msg += " (did you mean '" + c + "'?)";
      o.fail(msg);
    }
    if (name == "area" && base.technology_nm <= 0)
      o.fail("the area objective needs technology_nm in the base architecture");
    out.push_back(name);
  }
  if (out.size() < 2) objs->fail("a Pareto front needs at least two objectives");
  return out;
}

// `run`: how each point runs (mapper objective, output check, seed, time limit).
void parse_run_section(const ConfigNode& run, SweepSpec& spec) {
  run.expect_keys({"objective", "check", "seed", "point_timeout_s"});
  spec.point_timeout_s = run.get_double_min("point_timeout_s", 0.0, 0.0);
  if (spec.point_timeout_s > 2592000)
    run.at("point_timeout_s").fail("is above 30 days (2592000 s; the limit is in seconds)");
  spec.mapper_objective =
      run.get_choice("objective", {"energy", "latency", "edp"}, std::string("latency"));
  spec.check = run.get_bool("check", false);
  spec.seed = static_cast<std::uint64_t>(
      run.get_int_range("seed", 0, std::numeric_limits<std::int64_t>::max(), 1));
}

// A parameter of key `base_arch` sweeps over architecture files: each value is a path relative
// to the spec, resolved here and checked to be a valid architecture by itself.
void resolve_base_archs(const std::string& spec_file, const ConfigNode& entry,
                        SweepSpec::Group& g) {
  for (std::size_t k = 0; k < g.keys.size(); ++k) {
    if (g.keys[k] != "base_arch") continue;
    for (auto& row : g.values) {
      row[k] = relative_to(spec_file, row[k]);
      try {
        parse_arch(ConfigNode::load_file_extending(row[k]));
      } catch (const ConfigError& e) {
        entry.fail(std::string("base_arch: ") + e.what());
      }
    }
  }
}

// One entry of `parameters`: a key with its values, or keys zipped together.
SweepSpec::Group parse_group(const std::string& spec_file, const ConfigNode& p) {
  SweepSpec::Group g;
  g.where = p.where();
  if (p.has("zip")) {
    p.expect_keys({"zip"});
    std::vector<std::vector<std::string>> per_key;
    for (const ConfigNode& z : p.at("zip").items()) {
      g.keys.push_back(z.get_string("key"));
      per_key.push_back(parse_values(z));
      if (per_key.back().size() != per_key.front().size())
        z.fail("zipped lists need equal lengths (" + std::to_string(per_key.front().size()) +
               " vs " + std::to_string(per_key.back().size()) + ")");
    }
    if (g.keys.empty()) p.at("zip").fail("needs at least one key");
    for (std::size_t i = 0; i < per_key.front().size(); ++i) {
      std::vector<std::string> row;
      for (const auto& k : per_key) row.push_back(k[i]);
      g.values.push_back(row);
    }
  } else {
    g.keys.push_back(p.get_string("key"));
    for (const std::string& v : parse_values(p)) g.values.push_back({v});
  }
  resolve_base_archs(spec_file, p, g);
  return g;
}

// The files a `base_arch` parameter sweeps over.
std::vector<std::string> swept_bases(const SweepSpec& spec) {
  std::vector<std::string> out;
  for (const auto& g : spec.groups)
    for (std::size_t k = 0; k < g.keys.size(); ++k)
      if (g.keys[k] == "base_arch")
        for (const auto& row : g.values) out.push_back(row[k]);
  return out;
}

}  // namespace

SweepSpec load_sweep_spec(const std::string& path, bool validate_points) {
  const ConfigNode root = ConfigNode::load_file(path);
  root.expect_keys({"sweep", "description", "base_arch", "workloads", "parameters", "sample",
                    "objectives", "run"});
  SweepSpec spec;
  spec.file = path;
  spec.name = root.get_string("sweep");
  for (char c : spec.name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
      root.at("sweep").fail("use letters, digits, '_' and '-' only (it names the output folder)");
  spec.base_arch = relative_to(path, root.get_string("base_arch"));
  // The base must be valid; errors name the file (and the extended one) where they are.
  const ArchConfig base = parse_arch(ConfigNode::load_file_extending(spec.base_arch));

  for (const ConfigNode& w : root.at("workloads").items()) {
    w.expect_keys({"file", "layers", "batch"});
    SweepWorkload sw;
    sw.file = relative_to(path, w.get_string("file"));
    Network net;
    try {
      net = load_network(sw.file);
    } catch (const ConfigError& e) {
      w.at("file").fail(e.what());
    }
    if (auto ls = w.find("layers")) {
      for (const ConfigNode& l : ls->items()) sw.layers.push_back(l.as_string());
      try {
        select_layers(net, sw.layers);
      } catch (const ConfigError& e) {
        ls->fail(e.what());
      }
    }
    sw.batch = w.get_int_range("batch", 1, kMaxLayerDim, 0);
    spec.workloads.push_back(sw);
  }
  if (spec.workloads.empty()) root.at("workloads").fail("needs at least one workload");

  if (auto params = root.find("parameters")) {
    for (const ConfigNode& p : params->items()) spec.groups.push_back(parse_group(path, p));
  }
  if (auto s = root.find("sample")) {
    s->expect_keys({"count", "seed"});
    spec.sample_count = s->get_int_min("count", 1);
    spec.sample_seed = static_cast<std::uint64_t>(
        s->get_int_range("seed", 0, std::numeric_limits<std::int64_t>::max(), 1));
  }
  spec.objectives = parse_objectives(root, base);
  for (const std::string& file : swept_bases(spec))  // each must allow the objectives too
    parse_objectives(root, parse_arch(ConfigNode::load_file_extending(file)));

  if (auto run = root.find("run")) parse_run_section(*run, spec);

  // Resolve every point now: a bad key or value stops the sweep before anything runs.
  if (validate_points) enumerate_points(spec);
  return spec;
}

namespace {

// The indices of the points to run: all of them, or `count` distinct ones by Floyd's sampling
// with a seeded generator (any product size, the same for the same seed).
std::vector<std::int64_t> chosen_indices(const SweepSpec& spec, std::int64_t total,
                                         std::int64_t count) {
  std::vector<std::int64_t> chosen;
  if (count == total) {
    chosen.resize(static_cast<std::size_t>(total));
    for (std::int64_t i = 0; i < total; ++i) chosen[static_cast<std::size_t>(i)] = i;
    return chosen;
  }
  std::set<std::int64_t> pick;
  std::uint64_t state = spec.sample_seed;
  for (std::int64_t j = total - count; j < total; ++j) {
    const auto t = static_cast<std::int64_t>(splitmix64(state) % static_cast<std::uint64_t>(j + 1));
    if (!pick.insert(t).second) pick.insert(j);
  }
  chosen.assign(pick.begin(), pick.end());
  return chosen;
}

// The point's architecture: its base (a swept `base_arch`, else the spec's) with its other
// keys written in, validated; an error names the parameter entry whose key it rejected.
void resolve_architecture(const SweepSpec& spec, SweepPoint& p,
                          std::map<std::string, std::string>& base_yaml) {
  try {
    Assignment keys;
    p.base_arch = spec.base_arch;
    for (const auto& kv : p.params)
      if (kv.first == "base_arch")
        p.base_arch = kv.second;
      else
        keys.push_back(kv);
    auto text = base_yaml.find(p.base_arch);
    if (text == base_yaml.end())
      text = base_yaml.emplace(p.base_arch, base_arch_yaml(p.base_arch)).first;
    p.arch_text = apply_assignment(text->second, keys, p.base_arch);
    parse_arch(ConfigNode::load_string(p.arch_text, p.base_arch + " with " + p.params_json()));
  } catch (const ConfigError& e) {
    std::string at = spec.groups.empty() ? spec.file : spec.groups.front().where;
    const std::string msg = e.what();
    for (const auto& g : spec.groups)
      for (const auto& k : g.keys)
        if (msg.find(k) != std::string::npos ||
            msg.find(k.substr(k.rfind('.') + 1)) != std::string::npos)
          at = g.where;
    throw ConfigError(at + ": parameters: point " + std::to_string(p.index) +
                      " does not give a valid architecture: " + e.what());
  }
}

}  // namespace

std::vector<SweepPoint> enumerate_points(const SweepSpec& spec, std::int64_t only_index) {
  std::map<std::string, std::string> base_yaml;  // by file, each read once
  std::int64_t per_workload = 1;
  for (const auto& g : spec.groups) {
    const auto n = static_cast<std::int64_t>(g.values.size());
    if (per_workload > (std::int64_t{1} << 50) / n)
      throw ConfigError(g.where + ": parameters: the sweep has too many points");
    per_workload *= n;
  }
  const std::int64_t total = per_workload * static_cast<std::int64_t>(spec.workloads.size());
  const std::int64_t count = spec.sample_count > 0 ? std::min(spec.sample_count, total) : total;
  if (count > 1000000)
    throw ConfigError(spec.file + ": the sweep has " + std::to_string(count) +
                      " points (limit 1000000); use sample");

  const std::vector<std::int64_t> chosen = chosen_indices(spec, total, count);

  std::map<std::string, std::string> workload_text;
  std::set<std::string> seen;
  std::vector<SweepPoint> points;
  for (std::int64_t idx : chosen) {
    if (only_index >= 0 && idx != only_index) continue;
    SweepPoint p;
    p.index = idx;
    p.workload = idx / per_workload;
    std::int64_t rest = idx % per_workload;
    // The last group varies fastest.
    std::vector<std::int64_t> pick(spec.groups.size());
    for (std::size_t g = spec.groups.size(); g-- > 0;) {
      const auto n = static_cast<std::int64_t>(spec.groups[g].values.size());
      pick[g] = rest % n;
      rest /= n;
    }
    for (std::size_t g = 0; g < spec.groups.size(); ++g)
      for (std::size_t k = 0; k < spec.groups[g].keys.size(); ++k)
        p.params.push_back(
            {spec.groups[g].keys[k], spec.groups[g].values[static_cast<std::size_t>(pick[g])][k]});
    resolve_architecture(spec, p, base_yaml);
    const SweepWorkload& w = spec.workloads[static_cast<std::size_t>(p.workload)];
    auto it = workload_text.find(w.file);
    if (it == workload_text.end()) it = workload_text.emplace(w.file, read_file(w.file)).first;
    std::string key = p.arch_text + "\n--\n" + it->second + "\n--\n" + w.label() + "\n" +
                      spec.mapper_objective + (spec.check ? " check " : " nocheck ") +
                      std::to_string(spec.seed) + " " DFSIM_VERSION;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(fnv1a64(key)));
    p.hash = buf;
    // Repeated values give the same configuration: run it once.
    if (!seen.insert(p.hash).second) continue;
    points.push_back(std::move(p));
  }
  return points;
}

}  // namespace dfsim
