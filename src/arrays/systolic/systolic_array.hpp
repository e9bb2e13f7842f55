// A TPU v1-style weight-stationary systolic accelerator assembled from the component models:
// weight memory (DRAM behind a clock-domain crossing) feeding a weight FIFO, a banked unified
// buffer holding activations, the matrix unit, double-buffered accumulators and the
// activation unit. The controller lowers each layer to matrix multiplies (see WsMapping).
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/array_model.hpp"
#include "arrays/systolic/systolic_parts.hpp"
#include "base/trace/tracer.hpp"
#include "components/memory/dram.hpp"
#include "components/memory/global_buffer.hpp"

namespace dfsim {

class WeightStationaryArray : public ArrayModel {
 public:
  WeightStationaryArray(sc_core::sc_module_name name, const ArchConfig& arch,
                        std::vector<LayerJob> jobs, Tracer* trace);
  ~WeightStationaryArray() override;
  // Dense operands, fixed-width outputs: the timing never depends on the values.
  static bool timing_needs_outputs(const ArchConfig&) { return false; }
  // The setup unit gathers any window (for_each_window_run).
  static GeometrySupport geometry_support() { return {true, true}; }

  tlm_utils::simple_initiator_socket<WeightStationaryArray> to_weight_memory;
  tlm_utils::simple_initiator_socket<WeightStationaryArray> to_fifo;
  tlm_utils::simple_initiator_socket<WeightStationaryArray> to_ub;
  tlm_utils::simple_initiator_socket<WeightStationaryArray> to_matrix;
  tlm_utils::simple_initiator_socket<WeightStationaryArray> to_acc;

 private:
  struct Controller;
  void run();
  struct Snapshot;
  Snapshot snapshot() const;
  void layer_activity(LayerStats& s, const Snapshot& before,
                      const DramDeviceWindow& dram_device) const;

  const ArchConfig arch_;
  const EnergyTable energy_table_;  // the style's priced actions, built once
  std::vector<LayerJob> jobs_;
  std::unique_ptr<DramModel> weight_memory_;
  ClockDomainCrossing cdc_;
  WeightFifo fifo_;
  std::unique_ptr<SramModel> ub_;
  MatrixUnit matrix_;
  AccumulatorBuffer acc_;
  TraceSignal trace_layer_;
};

}  // namespace dfsim
