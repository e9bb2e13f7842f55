// A reduction array: the PE array of the no-local-reuse and the weight-stationary-broadcast
// styles of Chen et al., ISCA 2016 (Section VI-B), one mechanism with the weights' place as its
// parameter. filter_lanes x reduction_lanes multipliers: each filter lane works for one filter,
// each reduction lane for one index k = (r, s, c) (c fastest) of an output pixel's input
// window. A step is one output pixel for up to filter_lanes filters: each cycle up to
// reduction_lanes window values are read from the GLB and multicast across the filter lanes,
// each lane's products are reduced spatially (an adder tree, or psums passed PE to PE: one
// hop per product but the first) into one sum per lane and cycle, ceil(cb R S /
// reduction_lanes) cycles in all. The psums accumulate spatially and through the GLB: each cycle,
// each lane's sum is added to its psum there (read, add, write; a block's very first sum is only
// written). Nothing holds a window between steps.
//   - no local reuse (DianNao-like, ASPLOS 2014): no register files; every multiplier gets its
//     weight from the GLB each cycle (unicast), so every weight is read once per output pixel.
//   - weight stationary with broadcast (nn-X-like): each PE's register file holds its weights
//     of the pass (ceil(mb / filter_lanes) x ceil(cb R S / reduction_lanes) entries), loaded
//     once per weight tile, and the input value broadcast to it (written as it arrives); each
//     MAC reads both operands there, as the row-stationary PE reads its spads (Chen et al.'s
//     framework charges every operand a PE uses one register-file access).
#pragma once

#include <iosfwd>
#include <memory>
#include <vector>

#include "arrays/dense_spatial/block_array.hpp"
#include "arrays/dense_spatial/block_mapper.hpp"

namespace dfsim {

struct ReductionDesign {
  std::int64_t filter_lanes = 1, reduction_lanes = 1;
  std::int64_t rf_entries = 0;  // 16-bit entries of a PE's register file (weights, input); 0: none
  GlbConfig glb;
  double noc_energy_pj_per_bit = 0;  // per bit delivered to a PE, passed between PEs or returned
  double rf_read_energy_pj = 0, rf_write_energy_pj = 0;  // per register-file entry access
  double mac_energy_pj = 0;                              // per 16-bit MAC
  bool weights_in_rf() const { return rf_entries > 0; }
  // Register files holding a pass's weights are the second buffer of its weight tile.
  std::int64_t weight_slots() const { return weights_in_rf() ? 1 : 2; }
};

// The design's actions after the shared ones (block_action), in this order (the register
// files' only when it has them), idle last.
struct ReductionActions {
  ActionId noc_bit = 0, rf_read = 0, rf_write = 0, mac = 0;
};
EnergyTable reduction_energy_table(const ArchConfig& a, const ReductionDesign& d,
                                   ReductionActions* ids = nullptr);

class ReductionPeArray final : public BlockPeArray {
 public:
  ReductionPeArray(sc_core::sc_module_name name, const ArchConfig& arch, ReductionDesign design);
  sc_core::sc_time run_pass(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                            const sc_core::sc_time& start) override;
  void layer_stats(LayerStats& s, ActionCounts& n) const override;
  std::int64_t weight_slots() const override { return d_.weight_slots(); }

 private:
  struct StepIndex {
    std::int64_t n, e, f, m0;
  };
  sc_core::sc_time load_weights(const PassOperands& op, std::int64_t K, const sc_core::sc_time& at);
  void step(const Layer& l, const Arithmetic& arith, const PassOperands& op, const StepIndex& at,
            StepTimes& t);
  sc_core::sc_time accumulate(const Value* weights, std::int64_t K, std::int64_t m_act,
                              std::int64_t shift, std::int64_t psum_at, bool first_c,
                              const sc_core::sc_time& begin);
  sc_core::sc_time read_window(const Layer& l, const PassOperands& op, std::int64_t n,
                               std::int64_t e, std::int64_t f, const sc_core::sc_time& at);

  const ArchConfig arch_;
  const ReductionDesign d_;
  ReductionActions ids_;
  const sc_core::sc_time period_;
  std::vector<Value> window_, weights_;
  std::vector<unsigned char> psum_buffer_;  // one step's psums as the GLB holds them
  std::int64_t window_values_ = 0;          // values of the current window inside the image
};

// The reduction array's passes in closed form (what ReductionPeArray counts), for the mapper.
class ReductionCost final : public BlockArrayCost {
 public:
  ReductionCost(const ArchConfig& a, ReductionDesign design);
  const EnergyTable& energy_table() const override { return table_; }
  const GlbConfig& glb() const override { return d_.glb; }
  std::string check(const Layer& l, const BlockTiling& t) const override;
  ArrayCounts counts(const Layer& l, const BlockTiling& t) const override;
  std::int64_t pass_cycles(const Layer& l, const BlockTiling& t, const BlockPass& p) const override;
  std::vector<std::int64_t> filter_blocks(const Layer& l, const StepShape&) const override;
  std::int64_t weight_slots() const override { return d_.weight_slots(); }
  std::int64_t weight_slot_read_cycles(const Layer& l, const BlockPass& p) const override;

 private:
  std::int64_t glb_cycles(std::int64_t bytes) const;
  std::int64_t step_cycles(std::int64_t K, std::int64_t m_act, std::int64_t rows,
                           std::int64_t row_bytes, std::int64_t pitch_bytes) const;
  std::int64_t rf_load_cycles(std::int64_t mb, std::int64_t K) const;
  const ArchConfig& arch_;
  const ReductionDesign d_;
  ReductionActions ids_;
  EnergyTable table_;
};

// Register-file entries one PE needs for a pass's weights (mb filters, K reduction values).
std::int64_t weight_entries_per_pe(const ReductionDesign& d, std::int64_t mb, std::int64_t K);

// What a reduction style reads from its file: glb, noc {energy_pj_per_bit}, pe {mac_energy_pj,
// and with register files rf_bytes, rf_read_energy_pj, rf_write_energy_pj}, data
// (16-bit operands, psum_bits 16 or 32). Filter lanes are the PE array's rows when
// filters_on_rows, else its columns; reduction lanes the other side.
ReductionDesign parse_reduction_design(const ConfigNode& root, ArchConfig& a, bool with_rf,
                                       bool filters_on_rows);
void describe_reduction(std::ostream& os, const ArchConfig& a, const ReductionDesign& d);

// A style's parameters: the design, under the style's name.
template <const char* Name>
struct ReductionParams : StyleParams {
  static constexpr const char* kStyle = Name;
  ReductionParams() : StyleParams(Name) {}
  ReductionDesign design;
};

// The mapper and the SystemC top level of a reduction style with parameters P.
template <typename P>
class ReductionMapper final : public BlockMapper {
 public:
  ReductionMapper(const ArchConfig& arch, Objective objective)
      : BlockMapper(arch, objective,
                    std::make_unique<ReductionCost>(arch, style_params<P>(arch).design)) {}
};

template <typename P>
class ReductionArray final : public BlockArray {
 public:
  ReductionArray(sc_core::sc_module_name name, const ArchConfig& arch, std::vector<LayerJob> jobs,
                 Tracer* trace)
      : BlockArray(
            name, arch, style_params<P>(arch).design.glb, std::move(jobs), trace,
            [&arch] {
              return std::make_unique<ReductionPeArray>("pe_array", arch,
                                                        style_params<P>(arch).design);
            },
            reduction_energy_table(arch, style_params<P>(arch).design)) {}
};

}  // namespace dfsim
