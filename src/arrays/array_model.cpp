#include "arrays/array_model.hpp"

namespace dfsim {

void ArrayModel::describe(LayerStats& s, const LayerJob& job, const ArchConfig& arch) {
  s.name = job.layer.name;
  s.num_pes = arch.num_pes();
  s.mac_units = arch.num_pes();
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
  return s;
}

double utilization_of(std::int64_t occupied_mac_slots, std::int64_t cycles,
                      std::int64_t mac_units) {
  if (cycles <= 0 || mac_units <= 0) return 0;
  return static_cast<double>(occupied_mac_slots) /
         (static_cast<double>(cycles) * static_cast<double>(mac_units));
}

void set_energy(LayerStats& s, const EnergyTable& table, const ActionCounts& counts) {
  const LevelEnergy e = price(table, counts);
  auto at = [&](EnergyLevel level) { return e[static_cast<std::size_t>(level)]; };
  s.dram.energy_pj = at(EnergyLevel::Dram);
  s.glb.energy_pj = at(EnergyLevel::Glb);
  s.noc.energy_pj = at(EnergyLevel::Noc);
  s.rf.energy_pj = at(EnergyLevel::Rf);
  s.mac_pj = at(EnergyLevel::Mac);
  s.idle_pj = at(EnergyLevel::Idle);
  s.actions.clear();
  for (ActionId a = 0; a < table.size(); ++a) {
    const PricedAction& p = table.actions()[a];
    s.actions.push_back(
        {p.name, p.unit, to_string(p.level), p.key, counts[a], p.pj, counts[a] * p.pj, p.part});
  }
}

}  // namespace dfsim
