// What every array model offers the runner: elaborate with a list of layer jobs, simulate,
// then hand back per-layer statistics and the ofmaps read back from memory.
#pragma once

#include <exception>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "config/arch_config.hpp"
#include "core/tensor.hpp"
#include "mapper/rs_mapping.hpp"
#include "mapper/ws_mapping.hpp"
#include "models/common/activity.hpp"
#include "stats/stats.hpp"
#include "workload/layer.hpp"

namespace dfsim {

class VcdWriter;

struct LayerJob {
  Layer layer;
  const LayerData* data = nullptr;
  RsMapping rs;  // used by the row-stationary array
  WsMapping ws;  // used by the weight-stationary systolic array
  std::string mapping_text;
  std::int64_t estimate_cycles = 0;
  double estimate_energy_pj = 0;
};

struct LayerOutcome {
  LayerStats stats;
  Tensor4 ofmap;  // read back from memory after the layer
};

class ArrayModel : public sc_core::sc_module {
 public:
  using sc_core::sc_module::sc_module;
  const std::vector<LayerOutcome>& outcomes() const { return outcomes_; }
  // An error raised inside the simulation thread (rethrown by the caller after sc_start).
  std::exception_ptr error() const { return error_; }

 protected:
  // Fills the statistics common to every array from the layer job.
  static void describe(LayerStats& s, const LayerJob& job, const ArchConfig& arch);
  std::vector<LayerOutcome> outcomes_;
  std::exception_ptr error_;
};

// A memory level's statistics from its activity counters (bits to bytes).
LevelStats level_of(const Activity& a);

// The array model the architecture names.
std::unique_ptr<ArrayModel> make_array_model(const ArchConfig& arch, std::vector<LayerJob> jobs,
                                             VcdWriter* trace);

}  // namespace dfsim
