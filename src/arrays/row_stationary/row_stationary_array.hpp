// The Eyeriss-style row-stationary accelerator assembled from the component models: DRAM
// behind a clock-domain crossing, a banked GLB, three multicast GINs (filter, ifmap, psum),
// the GON, and a rows x cols grid of PEs whose vertical psum links form chains. A top-level
// controller walks each layer's mapping pass by pass, moving real data through the sockets.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <exception>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/array_model.hpp"
#include "arrays/row_stationary/pe.hpp"
#include "arrays/row_stationary/rs_mapping.hpp"
#include "base/config/arch_config.hpp"
#include "base/stats/stats.hpp"
#include "base/trace/tracer.hpp"
#include "components/memory/dram.hpp"
#include "components/memory/global_buffer.hpp"
#include "components/noc/noc.hpp"
#include "workload/layer.hpp"
#include "workload/tensor.hpp"

namespace dfsim {

class RowStationaryArray : public ArrayModel {
 public:
  RowStationaryArray(sc_core::sc_module_name name, const ArchConfig& arch,
                     std::vector<LayerJob> jobs, Tracer* trace);
  ~RowStationaryArray() override;
  // Only an ofmap stored in DRAM by its values (an encoding other than dense) makes the
  // timing depend on the outputs; zero gating reads the operands.
  static GeometrySupport geometry_support() { return {true, true}; }
  static bool timing_needs_outputs(const ArchConfig& arch) {
    return arch.dram_ofmap_encoding != Encoding::Dense;
  }

 private:
  struct Controller;
  void run();

  const ArchConfig arch_;
  const EnergyTable energy_table_;  // the style's priced actions, built once
  std::vector<LayerJob> jobs_;

 public:  // sockets and modules are wired in the constructor
  tlm_utils::simple_initiator_socket<RowStationaryArray> to_dram;
  tlm_utils::simple_initiator_socket<RowStationaryArray> to_glb;
  tlm_utils::simple_initiator_socket<RowStationaryArray> to_filter_gin;
  tlm_utils::simple_initiator_socket<RowStationaryArray> to_ifmap_gin;
  tlm_utils::simple_initiator_socket<RowStationaryArray> to_psum_gin;

 private:
  std::unique_ptr<DramModel> dram_;
  ClockDomainCrossing cdc_;
  std::unique_ptr<SramModel> glb_;
  std::unique_ptr<MulticastNocModel> filter_gin_, ifmap_gin_, psum_gin_;  // noc.impl
  OutputNoc gon_;
  std::vector<std::unique_ptr<Pe>> pes_;
  TraceSignal trace_layer_, trace_pass_;
};

}  // namespace dfsim
