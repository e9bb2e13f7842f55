#include "mapper/ws_mapping.hpp"

#include <algorithm>
#include <ostream>

#include "config/config_node.hpp"
#include "mapper/rs_tiling.hpp"  // ceil_div64

namespace dfsim {

WsOperandModes ws_modes(const ArchConfig& a, const Layer& l) {
  WsOperandModes m;
  m.weight_bytes = l.weight_bits <= a.data.weight_bits ? a.data.weight_bits / 8 : 2;
  m.input_bytes = l.input_bits <= a.data.ifmap_bits ? a.data.ifmap_bits / 8 : 2;
  return m;
}

WsGeometry::WsGeometry(const ArchConfig& a, const Layer& l, const WsMapping& m)
    : rows(l.N * l.E() * l.F()),
      K(l.C_per_group() * l.R * l.S),
      M(l.M_per_group()),
      k_tiles(ceil_div64(K, a.pe_rows)),
      m_tiles(ceil_div64(M, a.pe_cols)),
      row_chunks(ceil_div64(rows, m.row_chunk)) {}

std::string ws_check_capacity(const ArchConfig& a, const Layer& l, const WsMapping& m) {
  const std::int64_t per_buffer = a.accumulators.entries / a.accumulators.buffers;
  if (m.row_chunk < 1 || m.row_chunk > per_buffer)
    return "row_chunk must be in 1.." + std::to_string(per_buffer) +
           " (accumulator rows per buffer)";
  // The layer's ifmap and ofmap live in the unified buffer, each in banks of its own.
  const std::int64_t bank = a.unified_buffer.bank_bytes;
  const std::int64_t ib = ws_modes(a, l).input_bytes;
  const std::int64_t banks =
      ceil_div64(l.ifmap_values() * ib, bank) + ceil_div64(l.ofmap_values() * ib, bank);
  if (banks > a.unified_buffer.banks)
    return "ifmap and ofmap need " + std::to_string(banks) + " unified-buffer banks of " +
           std::to_string(bank) + " B, there are " + std::to_string(a.unified_buffer.banks);
  return "";
}

WsEstimate estimate_ws(const ArchConfig& a, const Layer& l, const WsMapping& m) {
  WsEstimate est;
  est.why_infeasible = ws_check_capacity(a, l, m);
  if (!est.why_infeasible.empty()) return est;
  const WsGeometry g(a, l, m);
  const WsOperandModes modes = ws_modes(a, l);
  const double wbits = static_cast<double>(8 * modes.weight_bytes);
  const double ibits = static_cast<double>(8 * modes.input_bytes);
  const double pass = static_cast<double>(modes.slowdown());
  const double pbits = static_cast<double>(a.data.psum_bits);
  const double dram_bytes_per_core_cycle =
      rs_dram_bytes_per_link_cycle(a) * a.clocks.link_mhz / a.clocks.core_mhz;
  const std::int64_t R = a.pe_rows;
  double energy = 0;
  std::int64_t cycles = 0;
  // Per (chunk, m tile, k tile): the stream takes B cycles, unless the next weight tile
  // (fetched at the DRAM rate, shifted in R cycles) or the input rows take longer: the setup
  // unit reads one unified-buffer access per filter row the tile spans (per filter tap for
  // grouped layers, whose channels are not adjacent), one access per cycle.
  const std::int64_t SC = l.S * l.C_per_group();
  RsTiling::for_each_chunk(g.rows, m.row_chunk, [&](Chunk rc) {
    RsTiling::for_each_chunk(g.M, a.pe_cols, [&](Chunk mt) {
      RsTiling::for_each_chunk(g.K, a.pe_rows, [&](Chunk kt) {
        const double tile_bytes = static_cast<double>(kt.size * mt.size) * wbits / 8;
        const auto fetch =
            static_cast<std::int64_t>(tile_bytes / dram_bytes_per_core_cycle + 0.999);
        const std::int64_t accesses =
            l.groups > 1
                ? (kt.begin + kt.size - 1) / l.C_per_group() - kt.begin / l.C_per_group() + 1
                : (kt.begin + kt.size - 1) / SC - kt.begin / SC + 1;
        cycles += std::max({rc.size * std::max(accesses, modes.slowdown()), fetch, R});
        est.active_cycles += rc.size;
        est.dram_bytes += static_cast<std::int64_t>(tile_bytes);
        ++est.tiles;
        const double b = static_cast<double>(rc.size), k = static_cast<double>(kt.size),
                     mm = static_cast<double>(mt.size);
        energy += tile_bytes * 8 * (a.dram.energy_pj_per_bit + 2 * a.weight_fifo.energy_pj_per_bit);
        energy += (k * (k + 1) / 2) * mm * wbits * a.systolic_pe.weight_shift_pj_per_bit;
        energy += b * k * mm * a.systolic_pe.mac_energy_pj * pass;
        energy += b * k * mm * ibits * a.systolic_pe.hop_pj_per_bit;
        energy += b * mm * static_cast<double>(R) * pbits * a.systolic_pe.hop_pj_per_bit;
        energy += b * k * ibits * a.unified_buffer.read_energy_pj_per_bit;
        energy += b * mm * pbits *
                  (a.accumulators.write_energy_pj_per_bit +
                   (kt.begin > 0 ? a.accumulators.read_energy_pj_per_bit : 0));
      });
      // Drain of the last tile and activation of the chunk.
      const double b = static_cast<double>(rc.size), mm = static_cast<double>(mt.size);
      energy += b * mm *
                (pbits * a.accumulators.read_energy_pj_per_bit +
                 ibits * a.unified_buffer.write_energy_pj_per_bit);
    });
  });
  // Before the first stream: the first tile's fetch (with the memory latency) and shift;
  // after the last: the drain through the array and the activation of the last chunk
  // (one row per cycle, written a cycle later).
  const double first_tile =
      static_cast<double>(std::min(g.K, a.pe_rows) * std::min(g.M, a.pe_cols)) * wbits / 8;
  const std::int64_t head = static_cast<std::int64_t>(first_tile / dram_bytes_per_core_cycle +
                                                      a.dram.latency_ns / a.core_period_ns()) +
                            a.pe_rows;
  const std::int64_t last_chunk =
      g.rows % m.row_chunk ? g.rows % m.row_chunk : std::min(g.rows, m.row_chunk);
  const std::int64_t tail = a.pe_rows + std::min(g.M, a.pe_cols) - 2 + last_chunk + 1;
  est.cycles = l.groups * cycles + head + tail;
  est.active_cycles *= l.groups;
  est.tiles *= l.groups;
  est.dram_bytes *= l.groups;
  est.traffic.dram_read[0] = static_cast<double>(est.dram_bytes);
  est.energy_pj = energy * static_cast<double>(l.groups);
  est.feasible = true;
  return est;
}

Layer WeightStationaryMapper::estimate_view(const Layer& layer) {
  Layer v = shape_of(layer);
  v.weight_bits = layer.weight_bits;
  v.input_bits = layer.input_bits;
  return v;
}

WsMapResult WeightStationaryMapper::map(const Layer& l) const { return best(l, 1).front(); }

std::vector<WsMapResult> WeightStationaryMapper::best(const Layer& l, std::size_t k_best) const {
  BestCandidates<WsMapResult> top(k_best);
  std::int64_t evaluated = 0;
  std::string why = "no candidate";
  const std::int64_t rows = l.N * l.E() * l.F();
  const std::int64_t per_buffer = arch_.accumulators.entries / arch_.accumulators.buffers;
  // Candidate chunks: for each chunk count, the smallest chunk that needs only that many.
  for (std::int64_t k = 1; k <= rows; ++k) {
    const std::int64_t chunk = ceil_div64(rows, k);
    if (chunk > per_buffer) continue;
    if (k > 1 && chunk == ceil_div64(rows, k - 1)) continue;
    WsMapping m;
    m.row_chunk = chunk;
    WsEstimate e = estimate_ws(arch_, l, m);
    ++evaluated;
    if (!e.feasible) {
      why = e.why_infeasible;
      break;  // capacity does not depend on the chunk beyond the accumulator limit
    }
    top.offer(score_of(objective_, arch_, e.cycles, e.energy_pj), WsMapResult{m, e, 0});
    if (chunk == 1) break;
    if (evaluated > 64) break;  // smaller chunks only add weight traffic
  }
  if (top.empty()) throw ConfigError("layer '" + l.name + "': no systolic mapping fits: " + why);
  std::vector<WsMapResult> ranked = top.ranked();
  for (WsMapResult& r : ranked) r.candidates_evaluated = evaluated;
  return ranked;
}

WsMapResult WeightStationaryMapper::evaluate_pinned(const Layer& l, WsMapping m,
                                                    const std::string& where) const {
  m.pinned = true;
  WsMapResult r;
  r.mapping = m;
  r.estimate = estimate_ws(arch_, l, m);
  r.candidates_evaluated = 1;
  if (!r.estimate.feasible)
    throw ConfigError(where + ": mapping for layer '" + l.name +
                      "' does not fit: " + r.estimate.why_infeasible);
  return r;
}

WsMapping parse_ws_mapping(const ConfigNode& n) {
  n.expect_keys({"row_chunk"});
  WsMapping m;
  m.row_chunk = n.get_int_min("row_chunk", 1);
  return m;
}

std::string to_yaml(const WsMapping& m) {
  return "{row_chunk: " + std::to_string(m.row_chunk) + "}";
}

std::ostream& operator<<(std::ostream& os, const WsMapping& m) {
  os << "row_chunk=" << m.row_chunk << (m.pinned ? " [pinned]" : "");
  return os;
}

}  // namespace dfsim
