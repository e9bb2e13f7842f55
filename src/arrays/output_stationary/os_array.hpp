// The output-stationary (OS) array of Chen et al., ISCA 2016 (Section VI-B), built like
// ShiDianNao (Du et al., ISCA 2015): each PE accumulates one output's psum in its register
// file while the pass's reduction (k = (r, s, c)) streams through, one MAC per cycle. A step is
// `filters` filter planes of rows x cols output pixels (the mapping's step shape; rows x cols
// x filters <= PEs): the tutorial's OS_A is one filter plane of a 2-D pixel block, OS_B several
// filters of fewer pixels, OS_C one pixel of many filters (FC layers). Each cycle:
//   - every filter plane gets its weight w[m][k] from the GLB, broadcast to the plane's PEs;
//   - every PE gets the input its output needs at tap (r, s): at stride 1 from a neighbour
//     where one held it the cycle before (ShiDianNao's inter-PE propagation): from the right
//     along a row (s > 0), from below for the next filter row (through the PE's FIFO, which
//     holds the last S values it received); the inputs no neighbour holds (the block's first
//     tap, the right column's and the bottom row's new ones) come from the GLB, multicast to
//     all filter planes, so a step reads its input region (rows + R - 1) x (cols + S - 1)
//     once. At larger strides every input comes from the GLB.
// Every operand arrives in the PE's register file and each MAC reads it there (weight, input)
// and reads and writes its psum, as the row-stationary PE uses its spads (Chen et al.'s
// framework charges every operand a PE uses one register-file access).
// After the step, the psums go back to the GLB (added to the ones there unless the pass is its
// block's first channel block): stored filter-major when a step has no more filters than pixel
// columns (a plane's pixel row is one access), else pixel-major (a pixel's filters are one).
#pragma once

#include <iosfwd>
#include <vector>

#include "arrays/dense_spatial/block_array.hpp"
#include "arrays/dense_spatial/block_mapper.hpp"

namespace dfsim {

struct OsDesign {
  GlbConfig glb;
  std::int64_t rf_entries = 0;       // 16-bit entries of a PE's register file (psum and FIFO)
  double noc_energy_pj_per_bit = 0;  // per bit delivered to a PE, passed between PEs or returned
  double rf_read_energy_pj = 0, rf_write_energy_pj = 0;  // per register-file entry access
  double mac_energy_pj = 0;                              // per 16-bit MAC
};

struct OsParams : StyleParams {
  static constexpr char kStyle[] = "output_stationary";
  OsParams() : StyleParams(kStyle) {}
  OsDesign design;
};
inline const OsDesign& os_design(const ArchConfig& a) { return style_params<OsParams>(a).design; }

// The actions after the shared ones (block_action), in this order, idle last.
namespace os_action {
enum : ActionId { noc_bit = block_action::first_style_action, rf_read, rf_write, mac, idle };
}
EnergyTable os_energy_table(const ArchConfig& a);

class OsPeArray final : public BlockPeArray {
 public:
  OsPeArray(sc_core::sc_module_name name, const ArchConfig& arch);
  sc_core::sc_time run_pass(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                            const sc_core::sc_time& start) override;
  void layer_stats(LayerStats& s, ActionCounts& n) const override;
  bool psums_filter_major() const override { return filter_major_; }

 private:
  struct Step {
    std::int64_t n, e0, rows, f0, cols, m0, filters;  // within the pass's block
  };
  void step(const Layer& l, const Arithmetic& arith, const PassOperands& op, const Step& st,
            StepTimes& t);
  sc_core::sc_time read_inputs(const Layer& l, const PassOperands& op, const Step& st,
                               const sc_core::sc_time& at);
  struct RegionRun {
    std::int64_t hh, ww, extent;  // region row, first column, columns
  };
  void read_clipped(const Layer& l, const PassOperands& op, const Step& st, const RegionRun& run,
                    const sc_core::sc_time& at, sc_core::sc_time& ready);
  // The step's psums in the GLB as runs of adjacent values: (byte address, values).
  std::vector<std::pair<std::int64_t, std::int64_t>> psum_runs(const Layer& l,
                                                               const PassOperands& op,
                                                               const Step& st) const;
  void compute(const Layer& l, const Step& st, std::int64_t cb, std::int64_t shift);
  void count(const Layer& l, const PassOperands& op, const Step& st);
  sc_core::sc_time write_back();

  const ArchConfig arch_;
  const sc_core::sc_time period_;
  bool filter_major_ = true;  // the current layer's psum layout (os_psums_filter_major)
  std::int64_t block_rows_ = 0, block_cols_ = 0;  // the input region's shape, (h, w) origin
  std::int64_t region_h0_ = 0, region_w0_ = 0;
  std::vector<Value> region_, weights_;     // inputs [h][w][c] of the step's region; [m][k]
  std::vector<Psum> acc_;                   // [m][i][j]
  std::vector<unsigned char> psum_buffer_;  // one step's psums as the GLB holds them
  std::int64_t region_values_ = 0;          // inputs the step read from the GLB
  std::vector<std::pair<std::int64_t, std::int64_t>> runs_;  // the current step's psum runs
  struct Pending {  // the previous step's psums, written once the next step's reads are issued
    std::vector<unsigned char> bytes;
    std::vector<std::pair<std::int64_t, std::int64_t>> runs;
    sc_core::sc_time at;
  } pending_;
};

// The OS array's passes in closed form (what OsPeArray counts), for the mapper.
class OsCost final : public BlockArrayCost {
 public:
  explicit OsCost(const ArchConfig& a) : arch_(a), table_(os_energy_table(a)) {}
  const EnergyTable& energy_table() const override { return table_; }
  const GlbConfig& glb() const override { return os_design(arch_).glb; }
  std::string check(const Layer& l, const BlockTiling& t) const override;
  ArrayCounts counts(const Layer& l, const BlockTiling& t) const override;
  std::int64_t pass_cycles(const Layer& l, const BlockTiling& t, const BlockPass& p) const override;
  std::vector<std::int64_t> filter_blocks(const Layer& l, const StepShape& step) const override;
  std::vector<StepShape> step_shapes(const Layer& l) const override;

 private:
  // A step's shape, psum layout and GLB input reads, for step_cycles.
  struct OsStep {
    std::int64_t rows, cols, filters;
    bool filter_major;
    std::int64_t reads, read_bytes;
  };
  std::int64_t step_cycles(const Layer& l, const BlockPass& p, const OsStep& st) const;
  const ArchConfig& arch_;
  EnergyTable table_;
};

// Whether inputs pass between neighbours (stride 1), and the inputs a step of rows x cols
// pixels at output (e0, f0) reads from the GLB per channel: its region's rows and columns
// inside the image at stride 1, else the windows' positions inside.
bool os_forwards(const Layer& l);
// The psum layout of a step shape: filter-major when filters <= cols.
inline bool os_psums_filter_major(const StepShape& s) { return s.filters <= s.cols; }
std::int64_t os_rows_inside(const Layer& l, std::int64_t e0, std::int64_t rows);
std::int64_t os_cols_inside(const Layer& l, std::int64_t f0, std::int64_t cols);

}  // namespace dfsim
