// What every array model offers the runner: elaborate with a list of layer jobs, simulate,
// take each layer's operands from the runner's LayerFeed as the layer starts and hand it the
// ofmap read back from memory as the layer ends; then per-layer statistics.
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/array_style.hpp"
#include "base/config/arch_config.hpp"
#include "base/energy/energy_table.hpp"
#include "base/sim_error.hpp"
#include "base/stats/stats.hpp"
#include "components/activity.hpp"
#include "components/payload.hpp"
#include "workload/layer.hpp"
#include "workload/tensor.hpp"

namespace dfsim {

class Tracer;

// Where a model gets each layer's operands and leaves its ofmap. The runner streams layers:
// operands made when a layer is about to start, the ofmap checked and dropped as it ends, so a
// run holds about two layers' tensors, not the network's.
class LayerFeed {
 public:
  virtual ~LayerFeed() = default;
  // Layer i's operands (ifmap [N][C][H][W], weights [M][C/G][R][S]); blocks until they are
  // made; valid until layer_done(i). Rethrows the error that made them impossible.
  virtual const LayerData& operands(std::size_t i) = 0;
  // Layer i ended with `ofmap` [N][M][E][F] read back from memory: adds what follows from the
  // data to `s` (the check, the output density, operand statistics) and drops the layer's
  // tensors.
  virtual void layer_done(std::size_t i, const Tensor4& ofmap, LayerStats& s) = 0;
};

struct LayerJob {
  Layer layer;
  LayerFeed* feed = nullptr;
  std::size_t index = 0;  // the layer's position in the run (the feed's i)
  // The layer's operands (call once, when the layer starts: the feed may make them then).
  const LayerData& operands() const { return feed->operands(index); }
  std::shared_ptr<const LayerMapping> mapping;  // made by the array's style
  Arithmetic arith;                             // the style's, for this layer
  std::string mapping_text;
  std::int64_t estimate_cycles = 0;
  double estimate_energy_pj = 0;
  // False in a timing-only run whose style's timing does not depend on the outputs: the model
  // counts what its MACs would do (gated products included) but computes no psum values, and
  // its ofmap is left unset (all zeros).
  bool compute_outputs = true;
};

struct LayerOutcome {
  LayerStats stats;
  Tensor4 ofmap;  // read back from memory after the layer
};

class ArrayModel : public sc_core::sc_module {
 public:
  using sc_core::sc_module::sc_module;
  // Each finished layer's statistics, completed by the feed.
  const std::vector<LayerStats>& layer_stats() const { return stats_; }
  // Layers finished and the simulated seconds at the last one's end, readable from another
  // thread while the simulation runs (the progress line).
  std::size_t layers_done() const { return layers_done_.load(std::memory_order_relaxed); }
  double simulated_seconds() const { return simulated_s_.load(std::memory_order_relaxed); }
  // An error raised inside the simulation thread (rethrown by the caller after sc_start).
  std::exception_ptr error() const { return error_; }

 protected:
  // Fills the statistics common to every array from the layer job.
  static void describe(LayerStats& s, const LayerJob& job, const ArchConfig& arch);
  // Records a finished layer: the feed checks its ofmap, which is then dropped (every style
  // ends each layer with this).
  void finish_layer(const LayerJob& job, LayerOutcome out) {
    job.feed->layer_done(job.index, out.ofmap, out.stats);
    stats_.push_back(std::move(out.stats));
    simulated_s_.store(sc_core::sc_time_stamp().to_seconds(), std::memory_order_relaxed);
    layers_done_.store(stats_.size(), std::memory_order_relaxed);
  }
  std::vector<LayerStats> stats_;
  std::exception_ptr error_;

 private:
  std::atomic<std::size_t> layers_done_{0};
  std::atomic<double> simulated_s_{0};
};

// The host's access to a memory through an initiator socket (debug transport: no time, no
// energy, no traffic), for preloading operands and reading results back.
template <typename Socket>
void host_access(Socket& socket, tlm::tlm_command cmd, std::int64_t addr, void* data,
                 std::int64_t bytes) {
  tlm::tlm_generic_payload gp;
  gp.set_command(cmd);
  gp.set_address(static_cast<std::uint64_t>(addr));
  gp.set_data_ptr(static_cast<unsigned char*>(data));
  gp.set_data_length(static_cast<unsigned>(bytes));
  if (socket->transport_dbg(gp) != static_cast<unsigned>(bytes))
    throw SimulationError(std::string(socket.name()) + ": host access of " + std::to_string(bytes) +
                          " bytes at " + std::to_string(addr) + " failed");
}

// A controller's timed transaction, issued at absolute time `at` (never in the past) to
// `target`; returns when it completes (loosely timed: the target adds its delay).
inline sc_core::sc_time timed_transport(tlm::tlm_fw_transport_if<>* target,
                                        tlm::tlm_generic_payload& gp, const sc_core::sc_time& at,
                                        const char* name) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  if (at < now) throw SimulationError("controller scheduled a transfer in the past");
  sc_core::sc_time delay = at - now;
  target->b_transport(gp, delay);
  check_response(gp, name);
  return now + delay;
}

// A memory level's traffic from its activity counters (bits to bytes); its energy comes from
// set_energy.
LevelStats level_of(const Activity& a);

// Utilization, one meaning for every style: the layer's multiply-accumulates, each counted once,
// over cycles x MAC units. On a dense datapath every MAC of the layer counts (zero operands and
// gated MACs included); a sparse PE counts the products it accumulates (products dropped outside
// its tile do not). An operand wider than the datapath takes several unit-cycles per MAC (the
// systolic array's 16-bit passes): the extra ones count as unused. 0 for 0 cycles.
double utilization_of(std::int64_t occupied_mac_slots, std::int64_t cycles, std::int64_t mac_units);

// Prices a layer's action counts with the style's energy table: the energy columns (dram, glb,
// noc, rf, mac, idle) and the list of actions in `s`.
void set_energy(LayerStats& s, const EnergyTable& table, const ActionCounts& counts);

}  // namespace dfsim
