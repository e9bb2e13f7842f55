// Energy and area of hardware parts as a function of their size and the technology node: the
// analytical model behind `energy: {impl: scaled}` (docs/energy-area.md gives every formula and
// its error against the reference points).
//
// Reference points (all at 45 nm, 0.9 V, from M. Horowitz, "Computing's energy problem (and
// what we can do about it)", ISSCC 2014, the energy and area table of the keynote):
//   64-bit SRAM read: 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ;
//   integer add: 8 bit 0.03 pJ / 36 um^2, 32 bit 0.1 pJ / 137 um^2;
//   integer multiply: 8 bit 0.2 pJ / 282 um^2, 32 bit 3.1 pJ / 3495 um^2;
//   DRAM: 1.3-2.6 nJ per 64-bit access.
// Wires: S. Keckler et al., "GPUs and the future of parallel computing", IEEE Micro 31(5), 2011,
//   Table 1: 256 bits over 10 mm cost 310 pJ at 40 nm (0.9 V) and 200 pJ at 10 nm (0.75 V).
// Logic gates: the NAND2_X1 cell of the NanGate 45 nm Open Cell Library, 0.798 um^2.
// Between reference points a quantity is interpolated linearly in log-log space (exact at the
// points); beyond the last point on either side, the nearest segment's slope continues.
// Technology scaling: A. Stillmaker and B. Baas, "Scaling equations for the accurate prediction
// of CMOS device performance from 180 nm to 7 nm", Integration 58 (2017): energy per operation
// at node n and supply V is a_n V^2 + b_n V + c_n (their fitted coefficients), area relative to
// 45 nm from their area table; nodes between the table's are interpolated linearly in nm.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace dfsim {

// A process: its node and supply. `vdd_v` 0 means the node's nominal supply
// (nominal_vdd_v).
struct Technology {
  double node_nm = 45;
  double vdd_v = 0;
};

// Nodes the scaling tables cover: 130 nm down to 7 nm.
constexpr double kMinNodeNm = 7;
constexpr double kMaxNodeNm = 130;
// The supply the model assumes when the architecture gives none: 1.0 V at 65 nm and above
// (Eyeriss's 65 nm chip runs at 1.0 V), 0.9 V down to 20 nm (Horowitz's 45 nm figures are at
// 0.9 V), 0.8 V below.
double nominal_vdd_v(double node_nm);

// Energy per operation at `to` over energy at 45 nm / 0.9 V (Stillmaker & Baas).
// Throws std::invalid_argument for a node outside [kMinNodeNm, kMaxNodeNm] or vdd <= 0.
double energy_scale_from_45nm(const Technology& to);
// Area at `to_nm` over area at 45 nm (Stillmaker & Baas; area does not depend on the supply).
double area_scale_from_45nm(double to_nm);

// pJ per access of `width_bits` to an SRAM (or register file) of `capacity_bytes` at `tech`:
// Horowitz's 64-bit figures interpolated in capacity, times width / 64 (a wider word reads
// more bit lines), scaled to the node. Reads and writes cost the same. The capacity is what one
// access spans: a banked buffer whose banks share one address decoder and H-tree counts all its
// banks (Eyeriss's GLB); independent memories (one per PE) count one.
double sram_access_pj(double capacity_bytes, double width_bits, const Technology& tech);

// pJ of one integer multiply or add of `bits`-bit operands (Horowitz, interpolated in width),
// and of a multiply-accumulate: an operand_bits x operand_bits multiply plus an accum_bits add.
double int_multiply_pj(double bits, const Technology& tech);
double int_add_pj(double bits, const Technology& tech);
double mac_pj(double operand_bits, double accum_bits, const Technology& tech);

// Areas in mm^2 of the same arithmetic (Horowitz's um^2 figures, scaled to the node).
double int_multiply_mm2(double bits, double node_nm);
double int_add_mm2(double bits, double node_nm);
double mac_mm2(double operand_bits, double accum_bits, double node_nm);

// mm^2 of an SRAM of `capacity_bytes` at `node_nm`: the 6T cells (0.346 um^2 at 45 nm: Intel's
// 45 nm SRAM, Mistry et al., IEDM 2007; other nodes by the area table) of every bit, plus
// the periphery (decoders, sense amplifiers, drivers) along the array's edges:
// kSramPeripheryCells x sqrt(bits) cells more. Small memories are periphery-dominated.
double sram_mm2(double capacity_bytes, double node_nm);
extern const double kSramPeripheryCells;

// pJ to move one bit of random data (half the bits toggle) over 1 mm of on-chip wire at
// `tech`: Keckler et al.'s two points (310 pJ per 256 bits x 10 mm at 40 nm and 0.9 V, 200 pJ
// at 10 nm and 0.75 V), each taken to the model's nominal supply of its node by V^2,
// interpolated in log-log space over the node, times (vdd / the node's nominal supply)^2.
double wire_pj_per_bit_mm(const Technology& tech);

// A crossbar of `inputs` x `outputs` ports, `width_bits` each, built as CACTI's crossbar model
// lays one out: a tristate driver per crosspoint and bit (a NAND and a NOR gating a
// two-transistor output stage: kCrosspointGates NAND2 equivalents). mm^2 at `node_nm`:
// inputs x outputs x width_bits x kCrosspointGates x the NAND2 area. (The wire grid,
// inputs x outputs x width_bits^2 x pitch^2, is smaller for any width below about 150 bits.)
double crossbar_mm2(double inputs, double outputs, double width_bits, double node_nm);
// pJ per bit moved through it: the input line and the output line each span a side of the
// crossbar (the square root of its area as the model sizes it, before any logic_area_factor),
// priced by wire_pj_per_bit_mm.
double crossbar_pj_per_bit(double inputs, double outputs, double width_bits,
                           const Technology& tech);
extern const double kCrosspointGates;
// NAND2 equivalent at `node_nm`, um^2 (0.798 at 45 nm, other nodes by the area table).
double nand2_um2(double node_nm);

struct HardwarePart;
struct PricedAction;
// mm^2 of all of a part's instances at `node_nm` (storage by sram_mm2, arithmetic and
// crossbars by the functions above). `logic_area_factor` multiplies the logic parts
// (multipliers, adders, MACs, crossbars): a design's synthesized standard-cell logic over the
// model's (ArchConfig::logic_area_factor; memories keep the SRAM model's area).
double part_area_mm2(const HardwarePart& part, double node_nm, double logic_area_factor = 1);

// pJ per unit of `action` performed by `part` at `tech` (the `scaled` energy model before its
// calibration factor): per bit or per access of a storage part, per MAC, per product of a
// multiplier or adder. Throws std::logic_error for an action the part cannot perform.
double scaled_pj_per_unit(const PricedAction& action, const HardwarePart& part,
                          const Technology& tech);

// One reference point of the model and what the model gives there (for the docs and tests).
struct ReferencePoint {
  std::string quantity;  // e.g. "SRAM 8 KB, 64-bit read"
  std::string unit;      // "pJ", "um^2"
  double published = 0;  // the source's figure
  double model = 0;      // this model at the same point
  std::string source;
};
std::vector<ReferencePoint> reference_points();

// Markdown tables of the model (what `dfsim tech` prints): the reference points with the
// model's error, the model at 65, 45, 28 and 16 nm, and Eyeriss's 65 nm scale.
void print_technology_tables(std::ostream& os);

}  // namespace dfsim
