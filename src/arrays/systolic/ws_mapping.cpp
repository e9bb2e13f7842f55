#include "arrays/systolic/ws_mapping.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <vector>

#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "components/memory/dma.hpp"
#include "mapper/chunks.hpp"

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
  const std::int64_t per_buffer =
      ws_params(a).accumulators.entries / ws_params(a).accumulators.buffers;
  if (m.row_chunk < 1 || m.row_chunk > per_buffer)
    return "row_chunk must be in 1.." + std::to_string(per_buffer) +
           " (accumulator rows per buffer)";
  // The layer's ifmap and ofmap live in the unified buffer, each in banks of its own.
  const std::int64_t bank = ws_params(a).unified_buffer.bank_bytes;
  const std::int64_t ib = ws_modes(a, l).input_bytes;
  const std::int64_t banks =
      ceil_div64(l.ifmap_values() * ib, bank) + ceil_div64(l.ofmap_values() * ib, bank);
  if (banks > ws_params(a).unified_buffer.banks)
    return "ifmap and ofmap need " + std::to_string(banks) + " unified-buffer banks of " +
           std::to_string(bank) + " B, there are " +
           std::to_string(ws_params(a).unified_buffer.banks);
  return "";
}

namespace {

// Unified-buffer accesses of the setup unit for one output pixel and one K tile
// (WeightStationaryArray::setup_rows): one per run of adjacent values (for_each_window_run) of
// each filter row the tile spans whose input row lies inside the ifmap.
std::int64_t setup_accesses(const Layer& l, std::int64_t row, Chunk kt) {
  const std::int64_t Cg = l.C_per_group(), SC = l.S * Cg, E = l.E(), F = l.F();
  const std::int64_t e = (row / F) % E, f = row % F;
  const ConvAxis rows = l.rows();
  std::int64_t n = 0;
  for (std::int64_t r = kt.begin / SC; r <= (kt.begin + kt.size - 1) / SC; ++r) {
    if (!rows.inside(rows.input(e, r))) continue;
    const std::int64_t k0 = std::max(kt.begin, r * SC),
                       k1 = std::min(kt.begin + kt.size, (r + 1) * SC);
    for_each_window_run(l, f, k0 - r * SC, k1 - r * SC,
                        [&n](std::int64_t, std::int64_t, std::int64_t, std::int64_t) { ++n; });
  }
  return n;
}

// The controller's pipeline (WeightStationaryArray), on a timeline in core cycles. Per stream
// (row chunk, M tile, K tile, in that order, group after group): the DMA fetches the weight
// tile once the FIFO has a slot (the tile depth_tiles earlier has shifted out), it shifts into
// the shadow registers (rows cycles) once the previous stream has started, and the rows
// stream in once the tile, the setup unit's inputs (read from the unified buffer while the
// previous stream runs, `accesses` cycles per row of the ifmap's bank, after the previous
// stream's reads) and an accumulator buffer are ready.
// The last K tile of a (chunk, M tile) drains through the array (rows + M_t - 2 cycles) and
// the activation unit frees the buffer.
struct WsPipeline {
  const ArchConfig& a;
  double bytes_per_cycle, latency;
  std::int64_t depth;
  double dma_free = 0, prev_start = 0, prev_end = 0, act_free = 0, ub_free = 0;
  std::vector<double> pops, acc_free;
  int group = 0;

  WsPipeline(const ArchConfig& arch, double bpc, double lat)
      : a(arch),
        bytes_per_cycle(bpc),
        latency(lat),
        depth(ws_params(arch).weight_fifo.depth_tiles),
        acc_free(static_cast<std::size_t>(
                     std::max<std::int64_t>(1, ws_params(arch).accumulators.buffers)),
                 0) {}

  // `accesses`: the setup unit's reads of the first row and of all the stream's rows.
  void stream(double tile_bytes, std::int64_t rows, std::pair<std::int64_t, std::int64_t> accesses,
              std::int64_t passes, std::int64_t m_cols, bool last_k) {
    const std::size_t j = pops.size();
    const double issue = std::max(dma_free, j >= static_cast<std::size_t>(depth)
                                                ? pops[j - static_cast<std::size_t>(depth)]
                                                : 0.0);
    dma_free = issue + tile_bytes / bytes_per_cycle;
    const double shift_start = std::max(dma_free + latency, prev_start);
    pops.push_back(shift_start);
    const double shift_end = shift_start + static_cast<double>(a.pe_rows);
    // The reads queue behind the previous stream's on the ifmap's bank.
    const double reads = std::max(prev_start, ub_free);
    const double first_input = reads + static_cast<double>(accesses.first),
                 last_input = reads + static_cast<double>(accesses.second);
    ub_free = last_input;
    const std::size_t buffer = static_cast<std::size_t>(group) % acc_free.size();
    const double start = std::max({first_input, acc_free[buffer], shift_end, prev_end});
    const double end = std::max(start + static_cast<double>(rows * passes), last_input + 1);
    prev_start = start;
    prev_end = end;
    if (!last_k) return;
    const double done = end + static_cast<double>(a.pe_rows + m_cols - 2);
    const double act_start = std::max(done, act_free);
    act_free = act_start +
               std::max(static_cast<double>(rows),
                        std::ceil(static_cast<double>(rows * m_cols) /
                                  static_cast<double>(ws_params(a).activation.values_per_cycle))) +
               1;
    acc_free[buffer] = act_free;
    ++group;
  }
  double finish() const { return std::max(act_free, prev_end); }
};

}  // namespace

namespace {

// The hardware the actions run on: the unified buffer (an access spans one bank: the banks are
// separate macros), the accumulator buffers (rows of cols x psum_bits), the weight FIFO (one
// tile of rows x cols weights per entry) and one 8-bit MAC per PE.
void add_ws_parts(EnergyTable& t, const ArchConfig& a) {
  const UnifiedBufferConfig& ub = ws_params(a).unified_buffer;
  const AccumulatorConfig& acc = ws_params(a).accumulators;
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  const std::int64_t row_bits = a.pe_cols * a.data.psum_bits;
  t.add_part(
      {"unified_buffer", PartKind::Storage, ub.banks, d(ub.bank_bytes), d(ub.bank_width_bits)});
  t.add_part({"accumulators", PartKind::Storage, acc.buffers,
              d(acc.entries / acc.buffers * row_bits) / 8, d(row_bits)});
  t.add_part({"weight_fifo", PartKind::Storage, ws_params(a).weight_fifo.depth_tiles,
              d(a.num_pes() * a.data.weight_bits) / 8, d(a.pe_cols * a.data.weight_bits)});
  t.add_part({"mac", PartKind::Mac, a.num_pes(), 0, 8, d(a.data.psum_bits)});
}

}  // namespace

EnergyTable ws_energy_table(const ArchConfig& a) {
  EnergyTable t;
  add_ws_parts(t, a);
  add_dram_bits(t, a);
  t.add("unified_buffer.read", "bit", EnergyLevel::Glb, "unified_buffer.read_energy_pj_per_bit",
        ws_params(a).unified_buffer.read_energy_pj_per_bit, "unified_buffer");
  t.add("unified_buffer.write", "bit", EnergyLevel::Glb, "unified_buffer.write_energy_pj_per_bit",
        ws_params(a).unified_buffer.write_energy_pj_per_bit, "unified_buffer");
  t.add("accumulators.read", "bit", EnergyLevel::Glb, "accumulators.read_energy_pj_per_bit",
        ws_params(a).accumulators.read_energy_pj_per_bit, "accumulators");
  t.add("accumulators.write", "bit", EnergyLevel::Glb, "accumulators.write_energy_pj_per_bit",
        ws_params(a).accumulators.write_energy_pj_per_bit, "accumulators");
  t.add("weight_fifo.bit", "bit", EnergyLevel::Noc, "weight_fifo.energy_pj_per_bit",
        ws_params(a).weight_fifo.energy_pj_per_bit, "weight_fifo");
  // Bits x PEs passed: a weight for array row k passes k + 1 PEs while the tile shifts in.
  t.add("weight_shift.bit", "bit-hop", EnergyLevel::Noc, "pe.weight_shift_pj_per_bit",
        ws_params(a).systolic_pe.weight_shift_pj_per_bit);
  t.add("hop.bit", "bit-hop", EnergyLevel::Noc, "pe.hop_pj_per_bit",
        ws_params(a).systolic_pe.hop_pj_per_bit);
  // 16-bit operands take two or four 8-bit passes: one count per pass.
  t.add("pe.mac", "8-bit MAC", EnergyLevel::Mac, "pe.mac_energy_pj",
        ws_params(a).systolic_pe.mac_energy_pj, "mac");
  add_idle(t, a);
  return priced_by_energy_model(std::move(t), a);
}

WsEstimate estimate_ws(const ArchConfig& a, const EnergyTable& table, const Layer& l,
                       const WsMapping& m) {
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
      dram_bytes_per_link_cycle(a) * a.clocks.link_mhz / a.clocks.core_mhz;
  const double latency = dram_round_trip_core_cycles(a);
  const std::int64_t R = a.pe_rows;
  ActionCounts actions(table);
  WsPipeline pipe(a, dram_bytes_per_core_cycle, latency);
  for (std::int64_t grp = 0; grp < l.groups; ++grp)
    for_each_chunk(g.rows, m.row_chunk, [&](Chunk rc) {
      for_each_chunk(g.M, a.pe_cols, [&](Chunk mt) {
        for_each_chunk(g.K, a.pe_rows, [&](Chunk kt) {
          const double tile_bytes = static_cast<double>(kt.size * mt.size) * wbits / 8;
          std::pair<std::int64_t, std::int64_t> accesses{0, 0};
          for (std::int64_t row = rc.begin; row < rc.begin + rc.size; ++row) {
            const std::int64_t n = setup_accesses(l, row, kt);
            if (row == rc.begin) accesses.first = n;
            accesses.second += n;
          }
          pipe.stream(tile_bytes, rc.size, accesses, modes.slowdown(), mt.size,
                      kt.begin + kt.size == g.K);
          if (grp > 0) return;  // energy and traffic: one group, scaled below
          est.active_cycles += rc.size;
          est.dram_bytes += static_cast<std::int64_t>(tile_bytes);
          ++est.tiles;
          const double b = static_cast<double>(rc.size), k = static_cast<double>(kt.size),
                       mm = static_cast<double>(mt.size);
          // The tile from DRAM through the FIFO (in and out) and shifted down k rows; the
          // inputs pass the active columns, the psums all R rows; the setup unit reads the
          // inputs; the accumulators add (read and write) from the second K tile on.
          actions.add(ws_action::dram_bit, tile_bytes * 8);
          actions.add(ws_action::weight_fifo_bit, 2 * tile_bytes * 8);
          actions.add(ws_action::weight_shift_bit, (k * (k + 1) / 2) * mm * wbits);
          actions.add(ws_action::mac, b * k * mm * pass);
          actions.add(ws_action::hop_bit,
                      b * k * mm * ibits + b * mm * static_cast<double>(R) * pbits);
          actions.add(ws_action::unified_buffer_read, b * k * ibits);
          actions.add(ws_action::accumulators_write, b * mm * pbits);
          if (kt.begin > 0) actions.add(ws_action::accumulators_read, b * mm * pbits);
        });
        if (grp > 0) return;
        // Drain of the last tile and activation of the chunk.
        const double b = static_cast<double>(rc.size), mm = static_cast<double>(mt.size);
        actions.add(ws_action::accumulators_read, b * mm * pbits);
        actions.add(ws_action::unified_buffer_write, b * mm * ibits);
      });
    });
  est.cycles = static_cast<std::int64_t>(std::ceil(pipe.finish()));
  est.active_cycles *= l.groups;
  est.tiles *= l.groups;
  est.dram_bytes *= l.groups;
  est.traffic.dram_read[0] = static_cast<double>(est.dram_bytes);
  add_dram_device_estimate(actions, table, a);
  est.energy_pj = sum_pj(table, actions) * static_cast<double>(l.groups);
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
  const std::int64_t per_buffer =
      ws_params(arch_).accumulators.entries / ws_params(arch_).accumulators.buffers;
  // Candidate chunks: for each chunk count, the smallest chunk that needs only that many.
  for (std::int64_t k = 1; k <= rows; ++k) {
    const std::int64_t chunk = ceil_div64(rows, k);
    if (chunk > per_buffer) continue;
    if (k > 1 && chunk == ceil_div64(rows, k - 1)) continue;
    WsMapping m;
    m.row_chunk = chunk;
    WsEstimate e = estimate_ws(arch_, energy_table_, l, m);
    ++evaluated;
    if (!e.feasible) {
      why = e.why_infeasible;
      break;  // capacity does not depend on the chunk beyond the accumulator limit
    }
    top.offer(score_of(objective_, arch_, energy_table_, e.cycles, e.energy_pj),
              WsMapResult{m, e, 0});
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
  r.estimate = estimate_ws(arch_, energy_table_, l, m);
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
