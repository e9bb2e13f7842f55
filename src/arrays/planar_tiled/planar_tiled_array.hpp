// A planar-tiled, input-stationary accelerator (SCNN, Parashar et al. ISCA 2017, and its dense
// baselines DCNN / DCNN-opt) assembled from the component models: DRAM behind a clock-domain
// crossing, per-PE IARAM and OARAM (one bank per PE of two banked buffers), a weight broadcast
// bus, 64 PEs (planar_pe.hpp) and the halo network between them. The controller walks the
// PtMapping: rounds, output-channel groups, barriers and post-processing.
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/simple_initiator_socket.h>

#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "arrays/array_model.hpp"
#include "arrays/planar_tiled/planar_pe.hpp"
#include "base/trace/tracer.hpp"
#include "components/memory/dram.hpp"
#include "components/memory/global_buffer.hpp"
#include "components/noc/noc.hpp"

namespace dfsim {

class PlanarTiledArray : public ArrayModel {
 public:
  PlanarTiledArray(sc_core::sc_module_name name, const ArchConfig& arch, std::vector<LayerJob> jobs,
                   Tracer* trace);
  ~PlanarTiledArray() override;
  // Outputs kept or stored by their values (sparse PEs, an encoded ofmap on chip or in DRAM)
  // make the timing depend on them.
  static GeometrySupport geometry_support() { return {true, true}; }
  static bool timing_needs_outputs(const ArchConfig& arch) {
    const PlanarParams& p = pt_params(arch);
    return p.planar_pe.sparse() || p.encodings.onchip != Encoding::Dense ||
           arch.dram_ofmap_encoding != Encoding::Dense;
  }

  tlm_utils::simple_initiator_socket<PlanarTiledArray> to_dram;
  tlm_utils::simple_initiator_socket<PlanarTiledArray> to_iaram;
  tlm_utils::simple_initiator_socket<PlanarTiledArray> to_oaram;
  tlm_utils::simple_initiator_socket<PlanarTiledArray> to_weight_bus;
  tlm_utils::multi_passthrough_initiator_socket<PlanarTiledArray> to_pe;  // bound in PE order

 private:
  struct Controller;
  void run();
  struct Snapshot;
  Snapshot snapshot() const;
  void layer_activity(LayerStats& s, const Snapshot& d, const DramDeviceWindow& dram_device) const;
  void array_stats(LayerStats& s, const Controller& ctl, const PlanarPeCounters& sum) const;

  const ArchConfig arch_;
  const EnergyTable energy_table_;  // the style's priced actions, built once
  std::vector<LayerJob> jobs_;
  std::unique_ptr<DramModel> dram_;
  ClockDomainCrossing cdc_;
  std::unique_ptr<SramModel> iaram_, oaram_;
  std::unique_ptr<MulticastNocModel> weight_bus_;  // noc.impl
  HaloNetwork halo_;
  std::vector<std::unique_ptr<PlanarPe>> pes_;
  TraceSignal trace_layer_;
};

}  // namespace dfsim
