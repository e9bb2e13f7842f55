#include "base/energy/technology.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <ostream>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "base/energy/energy_table.hpp"

namespace dfsim {

namespace {

// Stillmaker & Baas (2017): per node, the energy-per-operation fit a V^2 + b V + c and the area
// relative to 45 nm.
struct NodeRow {
  double nm;
  double a, b, c;
  double area_vs_45nm;
};
constexpr std::array<NodeRow, 10> kNodes{{
    {130, 7.171, -6.709, 2.904, 6.4},
    {90, 4.762, -4.781, 2.092, 2.8},
    {65, 3.755, -4.398, 1.975, 1.5},
    {45, 1.103, -0.362, 0.2767, 1.0},
    {32, 0.9559, -0.7823, 0.471, 0.46},
    {20, 0.373, -0.1582, 0.04104, 0.21},
    {16, 0.2958, -0.1241, 0.03024, 0.19},
    {14, 0.2363, -0.09675, 0.02239, 0.17},
    {10, 0.2068, -0.09311, 0.02375, 0.1},
    {7, 0.1776, -0.09097, 0.02447, 0.059},
}};

void check_node(double nm) {
  if (!(nm >= kMinNodeNm && nm <= kMaxNodeNm))
    throw std::invalid_argument("technology node " + std::to_string(nm) +
                                " nm is outside the scaling tables (7 to 130 nm)");
}

// f(row) at `nm`, linear in nm between the two table nodes around it.
template <class F>
double interpolate_node(double nm, F f) {
  check_node(nm);
  for (std::size_t i = 0; i + 1 < kNodes.size(); ++i) {
    const NodeRow& hi = kNodes[i];
    const NodeRow& lo = kNodes[i + 1];
    if (nm <= hi.nm && nm >= lo.nm) {
      const double t = (hi.nm - nm) / (hi.nm - lo.nm);
      return (1 - t) * f(hi) + t * f(lo);
    }
  }
  return f(kNodes.back());  // unreachable: check_node bounds nm
}

double energy_factor(double nm, double vdd) {
  return interpolate_node(nm,
                          [vdd](const NodeRow& r) { return r.a * vdd * vdd + r.b * vdd + r.c; });
}

// A quantity known at points (x, y), x increasing: interpolated linearly in log-log space,
// extrapolated with the end segments' slopes.
using Points = std::vector<std::pair<double, double>>;
double log_log(const Points& p, double x) {
  std::size_t i = 0;
  while (i + 2 < p.size() && x > p[i + 1].first) ++i;
  const double lx0 = std::log(p[i].first), lx1 = std::log(p[i + 1].first);
  const double ly0 = std::log(p[i].second), ly1 = std::log(p[i + 1].second);
  const double slope = (ly1 - ly0) / (lx1 - lx0);
  return std::exp(ly0 + slope * (std::log(x) - lx0));
}

// Horowitz (ISSCC 2014), 45 nm, 0.9 V.
const Points& sram_64bit_pj() {  // capacity in bytes -> pJ per 64-bit read
  static const Points p{{8.0 * 1024, 10}, {32.0 * 1024, 20}, {1024.0 * 1024, 100}};
  return p;
}
const Points& add_pj_45() {
  static const Points p{{8, 0.03}, {32, 0.1}};
  return p;
}
const Points& multiply_pj_45() {
  static const Points p{{8, 0.2}, {32, 3.1}};
  return p;
}
const Points& add_um2_45() {
  static const Points p{{8, 36}, {32, 137}};
  return p;
}
const Points& multiply_um2_45() {
  static const Points p{{8, 282}, {32, 3495}};
  return p;
}

// Keckler et al. (IEEE Micro 2011), per bit and mm of random data, at the model's nominal
// supply of each node: node nm -> pJ. Their 40 nm figure is at 0.9 V (the nominal there); their
// 10 nm one at 0.75 V, scaled by V^2 to the model's 0.8 V.
const Points& wire_pj_per_bit_mm_points() {
  static const Points p{{10, 200.0 / 2560 * (0.8 * 0.8) / (0.75 * 0.75)}, {40, 310.0 / 2560}};
  return p;
}

void check_positive(double v, const char* what) {
  if (!(v > 0)) throw std::invalid_argument(std::string(what) + " must be positive");
}

}  // namespace

double nominal_vdd_v(double node_nm) {
  check_node(node_nm);
  return node_nm >= 65 ? 1.0 : node_nm >= 20 ? 0.9 : 0.8;
}

double energy_scale_from_45nm(const Technology& to) {
  const double vdd = to.vdd_v > 0 ? to.vdd_v : nominal_vdd_v(to.node_nm);
  if (to.vdd_v < 0) throw std::invalid_argument("supply voltage must be positive");
  return energy_factor(to.node_nm, vdd) / energy_factor(45, 0.9);
}

double area_scale_from_45nm(double to_nm) {
  return interpolate_node(to_nm, [](const NodeRow& r) { return r.area_vs_45nm; });
}

double sram_access_pj(double capacity_bytes, double width_bits, const Technology& tech) {
  check_positive(capacity_bytes, "SRAM capacity");
  check_positive(width_bits, "SRAM access width");
  return log_log(sram_64bit_pj(), capacity_bytes) * width_bits / 64.0 *
         energy_scale_from_45nm(tech);
}

double int_multiply_pj(double bits, const Technology& tech) {
  check_positive(bits, "multiplier width");
  return log_log(multiply_pj_45(), bits) * energy_scale_from_45nm(tech);
}

double int_add_pj(double bits, const Technology& tech) {
  check_positive(bits, "adder width");
  return log_log(add_pj_45(), bits) * energy_scale_from_45nm(tech);
}

double mac_pj(double operand_bits, double accum_bits, const Technology& tech) {
  return int_multiply_pj(operand_bits, tech) + int_add_pj(accum_bits, tech);
}

double int_multiply_mm2(double bits, double node_nm) {
  check_positive(bits, "multiplier width");
  return log_log(multiply_um2_45(), bits) * 1e-6 * area_scale_from_45nm(node_nm);
}

double int_add_mm2(double bits, double node_nm) {
  check_positive(bits, "adder width");
  return log_log(add_um2_45(), bits) * 1e-6 * area_scale_from_45nm(node_nm);
}

double mac_mm2(double operand_bits, double accum_bits, double node_nm) {
  return int_multiply_mm2(operand_bits, node_nm) + int_add_mm2(accum_bits, node_nm);
}

// Calibrated to SCNN's PE (Parashar et al., ISCA 2017, 16 nm): its memories (two 10 KB
// activation RAMs, 2 x 32 accumulator banks of 32 x 24 bits, the 50-entry weight FIFO) are 57%
// of the 0.123 mm^2 PE, 0.070 mm^2; with 350 the model gives 0.0697 mm^2. A 32 KB array is
// then 59% cells, a 0.5 KB one 16%.
const double kSramPeripheryCells = 350;

double sram_mm2(double capacity_bytes, double node_nm) {
  check_positive(capacity_bytes, "SRAM capacity");
  const double bits = 8 * capacity_bytes;
  const double cell_um2 = 0.346 * area_scale_from_45nm(node_nm);
  return cell_um2 * (bits + kSramPeripheryCells * std::sqrt(bits)) * 1e-6;
}

double wire_pj_per_bit_mm(const Technology& tech) {
  check_node(tech.node_nm);
  if (tech.vdd_v < 0) throw std::invalid_argument("supply voltage must be positive");
  const double nominal = nominal_vdd_v(tech.node_nm);
  const double v = tech.vdd_v > 0 ? tech.vdd_v / nominal : 1.0;
  return log_log(wire_pj_per_bit_mm_points(), tech.node_nm) * v * v;
}

const double kCrosspointGates = 4;

double nand2_um2(double node_nm) { return 0.798 * area_scale_from_45nm(node_nm); }

double crossbar_mm2(double inputs, double outputs, double width_bits, double node_nm) {
  check_positive(inputs, "crossbar inputs");
  check_positive(outputs, "crossbar outputs");
  check_positive(width_bits, "crossbar width");
  return inputs * outputs * width_bits * kCrosspointGates * nand2_um2(node_nm) * 1e-6;
}

double crossbar_pj_per_bit(double inputs, double outputs, double width_bits,
                           const Technology& tech) {
  const double side_mm = std::sqrt(crossbar_mm2(inputs, outputs, width_bits, tech.node_nm));
  return 2 * side_mm * wire_pj_per_bit_mm(tech);
}

double part_area_mm2(const HardwarePart& part, double node_nm, double logic_area_factor) {
  double one = 0;
  switch (part.kind) {
    case PartKind::Storage:
      one = sram_mm2(part.capacity_bytes, node_nm);
      break;
    case PartKind::Multiplier:
      one = int_multiply_mm2(part.width_bits, node_nm);
      break;
    case PartKind::Adder:
      one = int_add_mm2(part.width_bits, node_nm);
      break;
    case PartKind::Mac:
      one = mac_mm2(part.width_bits, part.accum_bits, node_nm);
      break;
    case PartKind::Crossbar:
      one = crossbar_mm2(static_cast<double>(part.inputs), static_cast<double>(part.outputs),
                         part.width_bits, node_nm);
      break;
  }
  if (part.kind != PartKind::Storage) one *= logic_area_factor;
  return one * static_cast<double>(part.instances);
}

std::vector<ReferencePoint> reference_points() {
  const char* horowitz = "Horowitz, ISSCC 2014 (45 nm, 0.9 V)";
  const Technology t45{45, 0.9};
  std::vector<ReferencePoint> r;
  for (const auto& [bytes, pj] : sram_64bit_pj())
    r.push_back({"SRAM " + std::to_string(static_cast<long>(bytes / 1024)) + " KB, 64-bit read",
                 "pJ", pj, sram_access_pj(bytes, 64, t45), horowitz});
  for (const auto& [bits, pj] : add_pj_45())
    r.push_back({std::to_string(static_cast<int>(bits)) + "-bit integer add", "pJ", pj,
                 int_add_pj(bits, t45), horowitz});
  for (const auto& [bits, pj] : multiply_pj_45())
    r.push_back({std::to_string(static_cast<int>(bits)) + "-bit integer multiply", "pJ", pj,
                 int_multiply_pj(bits, t45), horowitz});
  for (const auto& [bits, um2] : add_um2_45())
    r.push_back({std::to_string(static_cast<int>(bits)) + "-bit integer add", "um^2", um2,
                 int_add_mm2(bits, 45) * 1e6, horowitz});
  for (const auto& [bits, um2] : multiply_um2_45())
    r.push_back({std::to_string(static_cast<int>(bits)) + "-bit integer multiply", "um^2", um2,
                 int_multiply_mm2(bits, 45) * 1e6, horowitz});
  // At Keckler et al.'s supplies: 0.9 V at 40 nm, 0.75 V at 10 nm.
  for (const auto& [nm, vdd, pj] : {std::tuple{40.0, 0.9, 310.0}, std::tuple{10.0, 0.75, 200.0}})
    r.push_back({"wire, 256 bits over 10 mm at " + std::to_string(static_cast<int>(nm)) + " nm",
                 "pJ", pj, 2560 * wire_pj_per_bit_mm(Technology{nm, vdd}),
                 "Keckler et al., IEEE Micro 2011"});
  r.push_back(
      {"NAND2_X1 at 45 nm", "um^2", 0.798, nand2_um2(45), "NanGate 45 nm Open Cell Library"});
  return r;
}

namespace {

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void print_reference_points(std::ostream& os) {
  os << "| quantity | unit | published | model | error | source |\n|---|---|---|---|---|---|\n";
  for (const ReferencePoint& p : reference_points())
    os << "| " << p.quantity << " | " << p.unit << " | " << p.published << " | "
       << fixed(p.model, 4) << " | " << fixed(100 * (p.model / p.published - 1), 2) << "% | "
       << p.source << " |\n";
}

void print_nodes(std::ostream& os) {
  const double nodes[] = {65, 45, 28, 16};
  os << "| part | unit |";
  for (double n : nodes) os << " " << n << " nm |";
  os << "\n|---|---|---|---|---|---|\n";
  const auto row = [&](const std::string& part, const std::string& unit, auto f) {
    os << "| " << part << " | " << unit << " |";
    for (double n : nodes) os << " " << fixed(f(n), 4) << " |";
    os << "\n";
  };
  for (double kb : {0.5, 8.0, 32.0, 128.0, 1024.0}) {
    const std::string size = (kb < 1 ? fixed(kb, 1) : fixed(kb, 0)) + " KB SRAM";
    row(size + ", 64-bit access", "pJ", [kb](double n) {
      return sram_access_pj(kb * 1024, 64, Technology{n, 0});
    });
    row(size, "mm^2", [kb](double n) { return sram_mm2(kb * 1024, n); });
  }
  row("8-bit MAC (32-bit accumulator)", "pJ", [](double n) { return mac_pj(8, 32, {n, 0}); });
  row("16-bit MAC (16-bit accumulator)", "pJ", [](double n) { return mac_pj(16, 16, {n, 0}); });
  row("16-bit MAC (16-bit accumulator)", "um^2", [](double n) { return mac_mm2(16, 16, n) * 1e6; });
  row("wire, per bit and mm", "pJ", [](double n) { return wire_pj_per_bit_mm({n, 0}); });
  row("16 x 32 crossbar of 29 bits", "mm^2", [](double n) { return crossbar_mm2(16, 32, 29, n); });
  row("16 x 32 crossbar of 29 bits, per bit", "pJ", [](double n) {
    return crossbar_pj_per_bit(16, 32, 29, {n, 0});
  });
}

// Chen et al. (ISCA 2016) publish Eyeriss's access energies only as ratios to a 16-bit MAC;
// configs/eyeriss_v1.yaml assumes an absolute scale fitted to the chip's measured power (MAC
// 2 pJ, RF 1 pJ, GLB 15 pJ per 16-bit access): the model against those assumptions.
void print_eyeriss_check(std::ostream& os) {
  const Technology t65{65, 1.0};
  struct Check {
    const char* what;
    double published, model;
  };
  const Check checks[] = {
      {"16-bit MAC", 2.0, mac_pj(16, 16, t65)},
      {"RF (a 0.5 KB spad), 16-bit access", 1.0, sram_access_pj(512, 16, t65)},
      {"GLB (108 KB), 16 bits of a 64-bit access", 15.0, sram_access_pj(108 * 1024, 64, t65) / 4},
  };
  os << "| Eyeriss, 65 nm, 1.0 V | configs/eyeriss_v1.yaml (pJ) | model (pJ) | model / file |\n"
        "|---|---|---|---|\n";
  for (const Check& c : checks)
    os << "| " << c.what << " | " << c.published << " | " << fixed(c.model, 3) << " | "
       << fixed(c.model / c.published, 2) << " |\n";
}

}  // namespace

void print_technology_tables(std::ostream& os) {
  os << "Reference points:\n\n";
  print_reference_points(os);
  os << "\nThe model at four nodes (nominal supplies 1.0, 0.9, 0.9, 0.8 V):\n\n";
  print_nodes(os);
  os << "\nAgainst the per-access energies configs/eyeriss_v1.yaml assumes for Eyeriss (an "
        "absolute scale fitted to the chip's power; the paper publishes ratios):\n\n";
  print_eyeriss_check(os);
}

}  // namespace dfsim
