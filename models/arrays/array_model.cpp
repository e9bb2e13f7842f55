#include "models/arrays/array_model.hpp"

namespace dfsim {

void ArrayModel::describe(LayerStats& s, const LayerJob& job, const ArchConfig& arch) {
  s.name = job.layer.name;
  s.num_pes = arch.num_pes();
  s.mapping = job.mapping_text;
  s.estimate_cycles = job.estimate_cycles;
  s.estimate_energy_pj = job.estimate_energy_pj;
}

LevelStats level_of(const Activity& a) {
  LevelStats s;
  for (int k = 0; k < kNumDataKinds; ++k) {
    s.read_bytes[k] = a.read_bits[k] / 8;
    s.write_bytes[k] = a.write_bits[k] / 8;
    s.reads[k] = a.reads[k];
    s.writes[k] = a.writes[k];
  }
  s.energy_pj = a.energy_pj;
  return s;
}

}  // namespace dfsim
