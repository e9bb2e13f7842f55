#include "base/config/arch_config.hpp"

#include <memory>
#include <ostream>
#include <vector>

#include "base/config/array_style_registry.hpp"
#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/config/scalesim_config.hpp"
#include "base/energy/technology.hpp"
#include "base/text.hpp"

namespace dfsim {

namespace {

void parse_clocks(const ConfigNode& n, ClockConfig& c) {
  n.expect_keys({"core_mhz", "link_mhz", "cdc_sync_cycles"});
  c.core_mhz = n.get_double_min("core_mhz", 0.0, false);
  c.link_mhz = n.get_double_min("link_mhz", 0.0, false);
  // Plausible clocks, 1 kHz to 100 GHz: a clock in Hz or GHz written as MHz is refused.
  for (const char* key : {"core_mhz", "link_mhz"}) {
    const double mhz = n.get_double(key);
    if (mhz > 1e5) n.at(key).fail(json_number(mhz) + " MHz is above 100 GHz (clocks are in MHz)");
    if (mhz < 1e-3) n.at(key).fail(json_number(mhz) + " MHz is below 1 kHz (clocks are in MHz)");
  }
  c.cdc_sync_cycles = n.get_int_range("cdc_sync_cycles", 0, 1000, c.cdc_sync_cycles);
}

void parse_dram(const ConfigNode& n, DramConfig& d) {
  // The link and energy keys are every implementation's; `impl` picks the device model.
  d.impl = parse_role_section(n, "dram", d.impl,
                              {"bus_width_bits", "bandwidth_gbytes_per_s", "latency_ns",
                               "burst_bytes", "max_request_bytes", "energy_pj_per_bit"});
  d.bus_width_bits = n.get_int_min("bus_width_bits", 8);
  if (d.bus_width_bits % 8 != 0) n.at("bus_width_bits").fail("must be a multiple of 8");
  d.bandwidth_gbytes_per_s = n.get_double_min("bandwidth_gbytes_per_s", 0.0, 0.0);
  d.latency_ns = n.get_double_min("latency_ns", 0.0, d.latency_ns);
  if (d.latency_ns > 1e5)
    n.at("latency_ns")
        .fail(json_number(d.latency_ns) + " ns is above 100 us (latencies are in ns)");
  d.burst_bytes = n.get_int_min("burst_bytes", 1, d.burst_bytes);
  d.max_request_bytes = n.get_int_min("max_request_bytes", 1, d.max_request_bytes);
  if (d.max_request_bytes < d.burst_bytes)
    n.at(n.has("max_request_bytes") ? "max_request_bytes" : "burst_bytes")
        .fail("max_request_bytes (" + std::to_string(d.max_request_bytes) +
              ") must be at least burst_bytes (" + std::to_string(d.burst_bytes) + ")");
  d.energy_pj_per_bit = n.get_double_min("energy_pj_per_bit", 0.0);
  const ComponentImpl& impl = *find_component("dram", d.impl);
  if (const auto* derive = std::any_cast<DramDerive>(&impl.derive)) (*derive)(n, d);
}

// technology_nm, vdd_v and logic_area_factor: within the scaling tables
// (base/energy/technology.hpp) and a supply a CMOS process of that era runs at.
void parse_technology(const ConfigNode& root, ArchConfig& a) {
  if (auto n = root.find("technology_nm")) {
    a.technology_nm = n->as_double();
    if (!(a.technology_nm >= kMinNodeNm && a.technology_nm <= kMaxNodeNm))
      n->fail("must be 7 to 130 (nm; the range of the technology scaling tables)");
  }
  if (auto n = root.find("vdd_v")) {
    if (!root.has("technology_nm")) n->fail("needs technology_nm");
    a.vdd_v = n->as_double();
    if (!(a.vdd_v >= 0.4 && a.vdd_v <= 1.5)) n->fail("must be 0.4 to 1.5 (V)");
  }
  if (auto n = root.find("logic_area_factor")) {
    if (!root.has("technology_nm")) n->fail("needs technology_nm");
    a.logic_area_factor = n->as_double();
    if (!(a.logic_area_factor >= 0.25 && a.logic_area_factor <= 10))
      n->fail("must be 0.25 to 10 (a design's logic area over the technology model's)");
  }
}

}  // namespace

ArchConfig parse_arch(const ConfigNode& root) {
  ArchConfig a;
  a.source_file = root.file();
  root.expect_map();
  a.array = root.get_string("array");
  const ArrayStyleDescriptor* style = find_array_style(a.array);
  if (!style) {
    std::string known;
    for (const std::string& n : array_style_names()) known += (known.empty() ? "" : ", ") + n;
    const std::string close = closest_match(a.array, array_style_names());
    root.at("array").fail("unknown array style '" + a.array + "'" +
                          (close.empty() ? "" : " (did you mean '" + close + "'?)") +
                          "; registered: " + known);
  }
  std::vector<std::string> keys = {"name",     "description",   "extends", "array",
                                   "pe_array", "clocks",        "dram",    "idle_power_mw",
                                   "energy",   "technology_nm", "vdd_v",   "logic_area_factor"};
  for (const std::string& k : style->keys()) keys.push_back(k);
  root.expect_keys(keys);
  a.name = root.get_string("name");
  ConfigNode pa = root.at("pe_array");
  pa.expect_keys({"rows", "cols"});
  // Every style builds per-PE state: beyond a million PEs elaboration alone exhausts memory.
  a.pe_rows = pa.get_int_range("rows", 1, kMaxPeSide);
  a.pe_cols = pa.get_int_range("cols", 1, kMaxPeSide);
  if (a.num_pes() > kMaxPes)
    pa.fail(std::to_string(a.pe_rows) + " x " + std::to_string(a.pe_cols) + " = " +
            std::to_string(a.num_pes()) + " PEs, more than dfsim builds (" +
            std::to_string(kMaxPes) + ")");
  parse_clocks(root.at("clocks"), a.clocks);
  parse_dram(root.at("dram"), a.dram);
  a.node = std::make_shared<const ConfigNode>(root);
  style->parse(root, a);
  a.idle_power_mw = root.get_double_min("idle_power_mw", 0.0, 0.0);
  parse_technology(root, a);
  if (root.has("energy"))
    a.energy_impl = parse_role_section(root.at("energy"), "energy", a.energy_impl, {});
  return a;
}

namespace {

const ArrayStyleDescriptor& style_of(const ArchConfig& a) {
  const ArrayStyleDescriptor* d = find_array_style(a.array);
  if (!d) throw ConfigError("array '" + a.array + "' is not a registered array style");
  return *d;
}

}  // namespace

std::int64_t onchip_storage_bytes(const ArchConfig& a) {
  return style_of(a).onchip_storage_bytes(a);
}

Encoding parse_encoding_at(const ConfigNode& n) {
  try {
    return parse_encoding(n.as_string());
  } catch (const ConfigError& e) {
    n.fail(e.what());
  }
}

void parse_operand_bits(const ConfigNode& n, DataConfig& d, std::int64_t operand_bits,
                        const std::string& model) {
  d.weight_bits = n.get_int_min("weight_bits", 1, operand_bits);
  d.ifmap_bits = n.get_int_min("ifmap_bits", 1, operand_bits);
  // The functional models compute these widths exactly; other widths would make the
  // reported traffic disagree with the values actually moved.
  const std::string only = model + " " + std::to_string(operand_bits) + "-bit ";
  if (d.weight_bits != operand_bits) n.at("weight_bits").fail(only + "weights only");
  if (d.ifmap_bits != operand_bits) n.at("ifmap_bits").fail(only + "ifmaps only");
}

void throw_no_style_params(const ArchConfig& a, const char* style) {
  throw std::logic_error("architecture '" + a.name + "' has no " + style + " parameters");
}

ArchConfig load_arch(const std::string& path) {
  if (is_scalesim_config(path)) {
    const ImportedArch imported = import_scalesim_config(path);
    ArchConfig a = parse_arch(ConfigNode::load_string_extending(
        imported.yaml, path + " (imported as " + imported.base + ")"));
    a.import_notes = imported.notes;
    return a;
  }
  return parse_arch(ConfigNode::load_file_extending(path));
}

ArchConfig load_arch_from_string(const std::string& text, const std::string& origin) {
  return parse_arch(ConfigNode::load_string_extending(text, origin));
}

std::ostream& operator<<(std::ostream& os, const ArchConfig& a) {
  style_of(a).describe(os, a);
  return os;
}

}  // namespace dfsim
