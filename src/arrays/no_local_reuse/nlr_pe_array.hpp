// The no-local-reuse (NLR) array of Chen et al., ISCA 2016 (Section VI-B), built like DianNao's
// NFU (Chen et al., ASPLOS 2014): pe_rows x pe_cols multipliers and no register files. Row i
// works for one filter, column j for one reduction lane; each cycle up to pe_cols values of an
// output pixel's input window (k = (r, s, c), c fastest) are read from the GLB and multicast
// down the columns, every multiplier gets its own weight from the GLB (unicast), and each row's
// adder tree sums its products into the row's accumulator. A step is one output pixel for up
// to pe_rows filters: ceil(cb * R * S / pe_cols) cycles; then each accumulator goes back to the
// GLB (added to the psum there unless the pass is its block's first channel block). Nothing
// is kept between steps, so a window is re-read for every group of pe_rows filters and every
// weight for every output pixel.
#pragma once

#include <vector>

#include "arrays/dense_spatial/block_array.hpp"
#include "arrays/dense_spatial/block_mapper.hpp"

namespace dfsim {

struct NlrParams : StyleParams {
  static constexpr char kStyle[] = "no_local_reuse";
  NlrParams() : StyleParams(kStyle) {}
  GlbConfig glb;
  double noc_energy_pj_per_bit = 0;  // per bit delivered to a multiplier or returned to the GLB
  double mac_energy_pj = 0;          // per 16-bit MAC (multiply and its adder-tree add)
};

inline const NlrParams& nlr_params(const ArchConfig& a) { return style_params<NlrParams>(a); }

// The actions after the shared ones (block_action), in this order.
namespace nlr_action {
enum : ActionId { noc_bit = block_action::first_style_action, mac, idle };
}
EnergyTable nlr_energy_table(const ArchConfig& a);

class NlrPeArray final : public BlockPeArray {
 public:
  NlrPeArray(sc_core::sc_module_name name, const ArchConfig& arch);
  sc_core::sc_time run_pass(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                            const sc_core::sc_time& start) override;
  void begin_layer() override;
  void layer_stats(LayerStats& s, ActionCounts& n) const override;

 private:
  struct StepIndex {
    std::int64_t n, e, f, m0;
  };
  struct StepTimes {
    sc_core::sc_time issue, array_free, end;  // reads issued, array free, last write done
  };
  void step(const Layer& l, const Arithmetic& arith, const PassOperands& op, const StepIndex& at,
            StepTimes& t);
  void multiply_accumulate(std::int64_t K, std::int64_t m_act, std::int64_t shift);
  sc_core::sc_time read_window(const Layer& l, const PassOperands& op, std::int64_t n,
                               std::int64_t e, std::int64_t f, const sc_core::sc_time& at);
  const ArchConfig arch_;
  const sc_core::sc_time period_;
  Activity noc_;  // bits delivered to the multipliers (writes) and returned to the GLB (reads)
  std::vector<Value> window_, weights_;
  std::vector<Psum> acc_;
  std::vector<unsigned char> psum_bytes_;
  sc_core::sc_time write_back();
  std::int64_t window_values_ = 0;      // values of the current window inside the image
  std::vector<unsigned char> pending_;  // the previous step's accumulators, not yet written
  std::int64_t pending_addr_ = 0;
  sc_core::sc_time pending_at_;
};

// The NLR array's passes in closed form (what NlrPeArray counts), for the mapper.
class NlrCost final : public BlockArrayCost {
 public:
  explicit NlrCost(const ArchConfig& a) : arch_(a), table_(nlr_energy_table(a)) {}
  const EnergyTable& energy_table() const override { return table_; }
  const GlbConfig& glb() const override { return nlr_params(arch_).glb; }
  std::string check(const Layer&, const BlockTiling&) const override { return ""; }
  ArrayCounts counts(const Layer& l, const BlockTiling& t) const override;
  std::int64_t pass_cycles(const Layer& l, const BlockPass& p) const override;
  std::vector<std::int64_t> filter_blocks(const Layer& l) const override;

 private:
  std::int64_t glb_cycles(std::int64_t bytes) const;
  std::int64_t step_cycles(std::int64_t K, std::int64_t m_act) const;
  const ArchConfig& arch_;
  EnergyTable table_;
};

}  // namespace dfsim
