// The SystemC top level the dense spatial arrays share: DRAM behind a clock-domain crossing, a
// DMA that moves the block schedule's tiles (block_tiling.hpp) into a banked GLB and drains
// finished psum blocks through the activation to DRAM, and the style's PE array, which runs
// one pass at a time on the GLB's tiles. The style supplies the PE array (how operands reach
// the multipliers, what its register files hold) and its energy table.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <functional>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/array_model.hpp"
#include "arrays/dense_spatial/block_tiling.hpp"
#include "base/trace/tracer.hpp"
#include "components/memory/dram.hpp"
#include "components/memory/global_buffer.hpp"

namespace dfsim {

// A pass's operands in the GLB (byte addresses of the tiles' first values; layouts in
// block_tiling.hpp) and the input rows its ifmap tile holds.
struct PassOperands {
  BlockPass pass;
  InputRows rows;
  std::int64_t ifmap_addr = 0, weight_addr = 0, psum_addr = 0;
  StepShape step;  // the mapping's step shape, for arrays whose shape it sets
};

// The ids of the actions every dense spatial array's energy table starts with (its own follow,
// idle last).
namespace block_action {
enum : ActionId { dram_bit, glb_read, glb_write, first_style_action };
}
// Adds the shared actions (in block_action's order) and the GLB part to `t`.
void add_block_actions(EnergyTable& t, const ArchConfig& a, const GlbConfig& glb);

// The `glb` section of a dense spatial array (role "sram": banks, bank_bytes, bank_width_bits,
// read/write_energy_pj_per_bit), checked with file:line:column errors.
GlbConfig parse_block_glb(const ConfigNode& n);

// One timed memory transaction of `bytes` bytes of `kind` (16-bit values unless `value_bits`
// says otherwise) through `socket`, issued at absolute time `at`; returns when it completes.
template <typename Socket>
sc_core::sc_time timed_access(Socket& socket, tlm::tlm_command cmd, std::int64_t addr, void* data,
                              std::int64_t bytes, DataKind kind, const sc_core::sc_time& at,
                              std::int64_t value_bits = 16) {
  Transaction t;
  t.setup(cmd, static_cast<std::uint64_t>(addr), static_cast<unsigned char*>(data),
          static_cast<std::size_t>(bytes));
  t.data().kind = kind;
  t.data().bits_per_value = value_bits;
  t.data().values = bytes * 8 / value_bits;
  return timed_transport(socket.operator->(), t.gp(), at, socket.name());
}

// Where a PE array's stream of steps stands within a pass: when the next step's reads are
// issued, when the array is free, when the last write completes.
struct StepTimes {
  sc_core::sc_time issue, array_free, end;
};

// The `data` section of a dense spatial array: 16-bit weights and inputs, psum_bits 16 or 32.
void parse_block_data(const ConfigNode& root, ArchConfig& a, const std::string& model);

// A style's PE array: runs passes, counts its own actions per layer.
class BlockPeArray : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<BlockPeArray> to_glb;
  explicit BlockPeArray(sc_core::sc_module_name name) : sc_module(name), to_glb("to_glb") {}
  // Runs one pass from the absolute time `start`: reads the operands from the GLB, computes
  // every MAC of the pass in `arith`, and leaves the block's psums in the GLB (added to the
  // ones there unless the pass is its block's first channel block). Returns when its last psum
  // is written.
  virtual sc_core::sc_time run_pass(const Layer& l, const Arithmetic& arith, const PassOperands& op,
                                    const sc_core::sc_time& start) = 0;
  // Per-layer bookkeeping: begin_layer clears the counters; layer_stats adds the array's
  // components (NoC, register files) to `s` and its actions to `n`.
  void begin_layer(bool compute_outputs_of_layer) {
    noc = rf = Activity{};
    macs = max_active = 0;
    compute_outputs = compute_outputs_of_layer;
  }
  virtual void layer_stats(LayerStats& s, ActionCounts& n) const = 0;
  // How the array keeps a block's psums in the GLB: [n][e][f][m] (pixel-major, the default) or
  // [m][n][e][f] (filter-major: a filter's output rows adjacent).
  virtual bool psums_filter_major() const { return false; }
  // Weight slots in the GLB: two (the next tile loads while a pass reads the current one), or
  // one when the register files hold a pass's weights (the slot is free once they are loaded;
  // run_pass then sets weight_slot_read_by).
  virtual std::int64_t weight_slots() const { return 2; }
  sc_core::sc_time weight_slot_read_by;
  bool compute_outputs = true;  // false (timing only): MACs counted, no products summed
  std::int64_t macs = 0;        // MACs performed this layer, zero operands included
  std::int64_t max_active = 0;  // the most multipliers one pass uses
  // This layer's bits delivered to PEs (writes), passed between them and returned to the GLB
  // (reads); register-file entries read and written.
  Activity noc, rf;
};

class BlockArray : public ArrayModel {
 public:
  tlm_utils::simple_initiator_socket<BlockArray> to_dram;
  tlm_utils::simple_initiator_socket<BlockArray> to_glb;

  // `make_pe_array` builds the style's PE array as a child of this module.
  using PeArrayFactory = std::function<std::unique_ptr<BlockPeArray>()>;
  BlockArray(sc_core::sc_module_name name, const ArchConfig& arch, const GlbConfig& glb,
             std::vector<LayerJob> jobs, Tracer* trace, const PeArrayFactory& make_pe_array,
             EnergyTable table);
  ~BlockArray() override;
  // Dense operands, fixed-width outputs: the timing never depends on the values.
  static bool timing_needs_outputs(const ArchConfig&) { return false; }
  static GeometrySupport geometry_support() { return {true, true}; }

 private:
  struct Controller;
  void run();

  const ArchConfig arch_;
  const GlbConfig glb_cfg_;
  const EnergyTable energy_table_;
  std::vector<LayerJob> jobs_;
  std::unique_ptr<DramModel> dram_;
  ClockDomainCrossing cdc_;
  std::unique_ptr<SramModel> glb_;
  std::unique_ptr<BlockPeArray> pe_array_;
  TraceSignal trace_layer_, trace_pass_;
};

}  // namespace dfsim
