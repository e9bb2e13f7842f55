#include "arrays/systolic/systolic_array.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "arrays/systolic/ws_mapping.hpp"
#include "base/sim_error.hpp"
#include "base/trace/tracer.hpp"
#include "mapper/chunks.hpp"

namespace dfsim {

using sc_core::sc_time;

namespace {

GlbConfig ub_as_buffer(const ArchConfig& a) {
  GlbConfig g;
  g.impl = ws_params(a).unified_buffer.impl;
  g.banks = ws_params(a).unified_buffer.banks;
  g.bank_bytes = ws_params(a).unified_buffer.bank_bytes;
  g.bank_width_bits = ws_params(a).unified_buffer.bank_width_bits;
  g.filter_banks = 0;
  g.read_energy_pj_per_bit = ws_params(a).unified_buffer.read_energy_pj_per_bit;
  g.write_energy_pj_per_bit = ws_params(a).unified_buffer.write_energy_pj_per_bit;
  return g;
}

}  // namespace

struct WeightStationaryArray::Controller {
  WeightStationaryArray& top;
  const ArchConfig& a;
  const Layer& l;
  const LayerData& d;
  const WsMapping& m;
  const sc_time period;
  const Arithmetic arith;
  const WsGeometry geo;
  const std::int64_t E, F, Cg, RS;
  const WsOperandModes modes;  // bytes per weight and per activation value

  std::int64_t ub_ofmap = 0;  // ofmap base in the unified buffer
  struct TileRef {
    std::int64_t g;
    Chunk mt, kt;
    std::int64_t dram_addr;
  };
  struct Stream {
    std::int64_t tile;  // index into tiles
    Chunk rc;
    bool last_k;
  };
  std::vector<TileRef> tiles;
  std::vector<Stream> streams;

  // Timing state.
  sc_time dma_time, prev_stream_start, prev_stream_end, act_free, last_done;
  std::array<sc_time, 2> acc_free{};
  std::vector<sc_time> fifo_ready, fifo_pop;
  std::vector<std::int64_t> late;  // cycles a tile's shift waited for the FIFO
  std::int64_t fetched = 0;
  std::int64_t active = 0, stall = 0, shift = 0, non_matrix = 0;
  std::int64_t max_active_pes = 0;

  std::vector<unsigned char> buf;
  std::vector<unsigned char> patch;  // input rows, modes.input_bytes per value

  // Little-endian values of 1 or 2 bytes, as the memories store them.
  static void put(unsigned char* p, std::int64_t v, std::int64_t bytes) {
    p[0] = static_cast<unsigned char>(v & 0xff);
    if (bytes == 2) p[1] = static_cast<unsigned char>((v >> 8) & 0xff);
  }
  static std::int64_t get(const unsigned char* p, std::int64_t bytes) {
    return bytes == 1 ? static_cast<std::int8_t>(p[0])
                      : static_cast<std::int16_t>(p[0] | (p[1] << 8));
  }
  std::vector<std::int32_t> sums;

  Controller(WeightStationaryArray& t, const LayerJob& job)
      : top(t),
        a(t.arch_),
        l(job.layer),
        d(job.operands()),
        m(result_of<WsMapResult>(*job.mapping).mapping),
        period(a.core_period_ns(), sc_core::SC_NS),
        arith(job.arith),
        geo(a, l, result_of<WsMapResult>(*job.mapping).mapping),
        E(l.E()),
        F(l.F()),
        Cg(l.C_per_group()),
        RS(l.R * l.S),
        modes(ws_modes(t.arch_, job.layer)) {
    const std::string why = ws_check_capacity(a, l, m);
    if (!why.empty()) throw SimulationError("layer " + l.name + ": " + why);
  }

  sc_time now() const { return sc_core::sc_time_stamp(); }
  std::int64_t cycles(const sc_time& t) const {
    return static_cast<std::int64_t>(t / period + 0.5);
  }
  // Cycles from `from` to `to`, 0 if `to` is not later (sc_time is unsigned).
  std::int64_t cycles_after(const sc_time& to, const sc_time& from) const {
    return to > from ? cycles(to - from) : 0;
  }

  // One memory transfer of `bytes` bytes; returns when it completes.
  sc_time transfer(tlm_utils::simple_initiator_socket<WeightStationaryArray>& sock,
                   tlm::tlm_command cmd, std::int64_t addr, void* data, std::int64_t bytes,
                   DataKind kind, const sc_time& at) {
    Transaction t;
    t.setup(cmd, static_cast<std::uint64_t>(addr), static_cast<unsigned char*>(data),
            static_cast<std::size_t>(bytes));
    t.data().kind = kind;
    t.data().values = bytes;
    t.data().bits_per_value = 8;
    return timed_transport(sock.operator->(), t.gp(), at, sock.name());
  }

  // One operation on the matrix unit or the accumulators over op.rows x op.cols values of
  // `bits_per_value` bits; `op` comes back with what the target reports (last_input) and
  // `started` with when it began. Returns when it completes.
  sc_time systolic_op(tlm_utils::simple_initiator_socket<WeightStationaryArray>& sock,
                      tlm::tlm_command cmd, SystolicStream& op, void* data,
                      std::int64_t bits_per_value, DataKind kind, const sc_time& at,
                      sc_time* started = nullptr) {
    TransactionWith<SystolicStream> t;
    const std::int64_t values = op.rows * op.cols;
    t.setup(cmd, 0, static_cast<unsigned char*>(data),
            static_cast<std::size_t>(values * bits_per_value / 8));
    t.data().kind = kind;
    t.data().values = values;
    t.data().bits_per_value = bits_per_value;
    t.get<SystolicStream>() = op;
    const sc_time end = timed_transport(sock.operator->(), t.gp(), at, sock.name());
    op = t.get<SystolicStream>();
    if (started) *started = t.data().started;
    return end;
  }

  // The host puts the ifmap into the unified buffer and the weights, as tiles in the order
  // the controller reads them, into weight memory.
  void preload() {
    const std::int64_t bank = ws_params(a).unified_buffer.bank_bytes, ib = modes.input_bytes,
                       wb = modes.weight_bytes;
    const std::int64_t if_bytes = l.ifmap_values() * ib;
    ub_ofmap = ceil_div64(if_bytes, bank) * bank;
    top.ub_->clear_assignment();
    top.ub_->assign_banks(0, ub_ofmap / bank, DataKind::Ifmap);
    top.ub_->assign_banks(ub_ofmap / bank, ceil_div64(l.ofmap_values() * ib, bank),
                          DataKind::Ofmap);
    // Activations are stored channel-minor ([N][H][W][C]), as the TPU's host lays them out:
    // one pixel's channels are adjacent, so an input or output row is one wide access.
    std::vector<unsigned char> image(static_cast<std::size_t>(if_bytes));
    for (std::int64_t n = 0; n < l.N; ++n)
      for (std::int64_t c = 0; c < l.C; ++c)
        for (std::int64_t h = 0; h < l.H; ++h)
          for (std::int64_t w = 0; w < l.W; ++w)
            put(&image[static_cast<std::size_t>((((n * l.H + h) * l.W + w) * l.C + c) * ib)],
                d.ifmap.at(n, c, h, w), ib);
    host_access(top.to_ub, tlm::TLM_WRITE_COMMAND, 0, image.data(), if_bytes);

    std::int64_t addr = 0;
    std::vector<unsigned char> weight_image;
    for (std::int64_t g = 0; g < l.groups; ++g)
      for_each_chunk(geo.M, a.pe_cols, [&](Chunk mt) {
        for_each_chunk(geo.K, a.pe_rows, [&](Chunk kt) {
          tiles.push_back({g, mt, kt, addr});
          for (std::int64_t k = 0; k < kt.size; ++k)
            for (std::int64_t mm = 0; mm < mt.size; ++mm) {
              const auto [r, s, c] = decode_k(kt.begin + k);
              weight_image.resize(weight_image.size() + static_cast<std::size_t>(wb));
              put(&weight_image[weight_image.size() - static_cast<std::size_t>(wb)],
                  d.weights.at(g * geo.M + mt.begin + mm, c, r, s), wb);
            }
          addr += kt.size * mt.size * wb;
        });
      });
    top.weight_memory_->resize(static_cast<std::size_t>(addr));
    host_access(top.to_weight_memory, tlm::TLM_WRITE_COMMAND, 0, weight_image.data(), addr);

    const std::int64_t tiles_per_group = static_cast<std::int64_t>(tiles.size()) / l.groups;
    for (std::int64_t g = 0; g < l.groups; ++g)
      for_each_chunk(geo.rows, m.row_chunk, [&](Chunk rc) {
        for (std::int64_t j = 0; j < tiles_per_group; ++j) {
          const TileRef& t = tiles[static_cast<std::size_t>(g * tiles_per_group + j)];
          streams.push_back({g * tiles_per_group + j, rc, t.kt.begin + t.kt.size == geo.K});
        }
      });
    fifo_ready.assign(streams.size(), sc_time());
    fifo_pop.assign(streams.size(), sc_time());
    late.assign(streams.size(), 0);
  }

  // Weight memory -> FIFO for stream j, once the FIFO has room (the tile depth_tiles earlier
  // has left for the array).
  void fetch(std::size_t j) {
    const TileRef& t = tiles[static_cast<std::size_t>(streams[j].tile)];
    const std::int64_t depth = ws_params(a).weight_fifo.depth_tiles;
    sc_time at = dma_time;
    if (static_cast<std::int64_t>(j) >= depth)
      at = std::max(at, fifo_pop[j - static_cast<std::size_t>(depth)]);
    dma_time = at;
    const std::int64_t bytes = t.kt.size * t.mt.size * modes.weight_bytes;
    buf.resize(static_cast<std::size_t>(bytes));
    const sc_time got = transfer(top.to_weight_memory, tlm::TLM_READ_COMMAND, t.dram_addr,
                                 buf.data(), bytes, DataKind::Weight, at);
    fifo_ready[j] =
        transfer(top.to_fifo, tlm::TLM_WRITE_COMMAND, 0, buf.data(), bytes, DataKind::Weight, got);
  }

  // FIFO -> shadow weight registers of the matrix unit.
  sc_time shift_in(std::size_t j) {
    const TileRef& t = tiles[static_cast<std::size_t>(streams[j].tile)];
    const std::int64_t bytes = t.kt.size * t.mt.size * modes.weight_bytes;
    buf.resize(static_cast<std::size_t>(bytes));
    const sc_time ready = transfer(top.to_fifo, tlm::TLM_READ_COMMAND, 0, buf.data(), bytes,
                                   DataKind::Weight, std::max(now(), fifo_ready[j]));
    // Lateness counts from when this layer could first use the shadow registers.
    const sc_time shadow_free = std::max(top.matrix_.shadow_free(), prev_stream_start);
    late[j] = cycles_after(ready, shadow_free);
    sc_time start;
    SystolicStream op = SystolicStream::of(SystolicOp::ShiftWeights, t.kt.size, t.mt.size);
    const sc_time end = systolic_op(top.to_matrix, tlm::TLM_WRITE_COMMAND, op, buf.data(),
                                    8 * modes.weight_bytes, DataKind::Weight, ready, &start);
    fifo_pop[j] = start;
    return end;
  }

  // The reduction index k runs over (r, s, c) with c fastest, so for one output pixel and one
  // filter row r of an undilated, ungrouped layer the values are S*C adjacent bytes of the
  // channel-minor ifmap.
  std::array<std::int64_t, 3> decode_k(std::int64_t k) const {
    return {k / (l.S * Cg), (k / Cg) % l.S, k % Cg};
  }

  // The systolic data setup unit: for each output pixel of the chunk it reads the tile's
  // slice of the input window from the unified buffer (one access per run of adjacent values,
  // for_each_window_run; zero padding added here) and forms one K-tile-wide input row.
  // Returns when the first row is ready; `last` gets when the last one is.
  sc_time setup_rows(const Stream& st, const sc_time& at, sc_time& last) {
    const TileRef& t = tiles[static_cast<std::size_t>(st.tile)];
    const std::int64_t K_t = t.kt.size, SC = l.S * Cg;
    const std::int64_t r_lo = t.kt.begin / SC, r_hi = (t.kt.begin + K_t - 1) / SC;
    const std::int64_t ib = modes.input_bytes;
    const ConvAxis rows_axis = l.rows();
    patch.assign(static_cast<std::size_t>(st.rc.size * K_t * ib), 0);
    sc_time first = at;
    last = at;
    for (std::int64_t b = 0; b < st.rc.size; ++b) {
      sc_time ready = at;
      const std::int64_t row = st.rc.begin + b;
      const std::int64_t n = row / (E * F), e = (row / F) % E, f = row % F;
      for (std::int64_t r = r_lo; r <= r_hi; ++r) {
        const std::int64_t h = rows_axis.input(e, r);
        if (!rows_axis.inside(h)) continue;
        // The part of this filter row's S*C window inside the tile, in runs inside the ifmap.
        const std::int64_t k0 = std::max(t.kt.begin, r * SC),
                           k1 = std::min(t.kt.begin + K_t, (r + 1) * SC);
        for_each_window_run(
            l, f, k0 - r * SC, k1 - r * SC,
            [&](std::int64_t lo, std::int64_t hi, std::int64_t w, std::int64_t c) {
              const std::int64_t addr = (((n * l.H + h) * l.W + w) * l.C + t.g * Cg + c) * ib;
              ready = std::max(
                  ready,
                  transfer(
                      top.to_ub, tlm::TLM_READ_COMMAND, addr,
                      &patch[static_cast<std::size_t>((b * K_t + r * SC + lo - t.kt.begin) * ib)],
                      (hi - lo) * ib, DataKind::Ifmap, at));
            });
      }
      if (b == 0) first = ready;
      last = std::max(last, ready);
    }
    return first;
  }

  // Accumulators -> activation unit (ReLU, requantization) -> unified buffer.
  void activate(const Stream& st, std::int64_t acc_row0, const sc_time& done, int buffer) {
    const TileRef& t = tiles[static_cast<std::size_t>(st.tile)];
    const std::int64_t B = st.rc.size, M = t.mt.size;
    const sc_time start = std::max(done, act_free);
    sums.resize(static_cast<std::size_t>(B * M));
    SystolicStream op = SystolicStream::of(SystolicOp::ReadRows, B, M, acc_row0);
    const sc_time read_end =
        systolic_op(top.to_acc, tlm::TLM_READ_COMMAND, op, sums.data(), 32, DataKind::Psum, start);
    sc_time end =
        std::max(read_end, start + period * static_cast<double>(ceil_div64(
                                                B * M, ws_params(a).activation.values_per_cycle)));
    // Ofmap [N][E][F][M], channel-minor: one output pixel's M_t results are one row write.
    const std::int64_t ob = modes.input_bytes;  // ofmaps are stored at the activation width
    std::vector<unsigned char> out(static_cast<std::size_t>(M * ob));
    for (std::int64_t b = 0; b < B; ++b) {
      for (std::int64_t mm = 0; mm < M; ++mm)
        put(&out[static_cast<std::size_t>(mm * ob)],
            arith.to_ofmap(static_cast<Psum>(sums[static_cast<std::size_t>(b * M + mm)])), ob);
      const std::int64_t addr =
          ub_ofmap + ((st.rc.begin + b) * l.M + t.g * geo.M + t.mt.begin) * ob;
      // Pipelined: row b is written the cycle after it was read.
      end = std::max(end, transfer(top.to_ub, tlm::TLM_WRITE_COMMAND, addr, out.data(), M * ob,
                                   DataKind::Ofmap, start + period * static_cast<double>(b + 1)));
    }
    act_free = end;
    acc_free[static_cast<std::size_t>(buffer)] = end;
    last_done = std::max(last_done, end);
  }

  void run() {
    const sc_time start = now();
    dma_time = prev_stream_start = prev_stream_end = act_free = last_done = start;
    acc_free = {start, start};
    preload();
    const std::int64_t per_buffer =
        ws_params(a).accumulators.entries / ws_params(a).accumulators.buffers;
    const std::size_t depth = static_cast<std::size_t>(ws_params(a).weight_fifo.depth_tiles);
    for (std::size_t j = 0; j < std::min(depth, streams.size()); ++j) fetch(j);
    fetched = static_cast<std::int64_t>(std::min(depth, streams.size()));
    sc_time shift_end = shift_in(0);
    int group = 0;  // (row chunk, M tile) groups alternate accumulator buffers
    for (std::size_t j = 0; j < streams.size(); ++j) {
      const Stream& st = streams[j];
      const TileRef& t = tiles[static_cast<std::size_t>(st.tile)];
      const int buffer = group % static_cast<int>(ws_params(a).accumulators.buffers);
      const std::int64_t acc_row0 = buffer * per_buffer;
      // Inputs are set up while the previous stream runs, and stream in as they are ready.
      sc_time last_input;
      const sc_time inputs = setup_rows(st, std::max(prev_stream_start, now()), last_input);
      sc_time stream_start;
      SystolicStream op = SystolicStream::of(SystolicOp::StreamRows, st.rc.size, t.kt.size,
                                             acc_row0, t.kt.begin == 0);
      op.last_input = last_input;
      const sc_time done =
          systolic_op(top.to_matrix, tlm::TLM_WRITE_COMMAND, op, patch.data(),
                      8 * modes.input_bytes, DataKind::Ifmap,
                      std::max(inputs, acc_free[static_cast<std::size_t>(buffer)]), &stream_start);
      last_input = op.last_input;
      // The TPU's cycle categories: the gap before this stream is a weight stall while the
      // tile was late from memory, weight shift while it was shifting in, else non-matrix.
      const std::int64_t gap = cycles_after(stream_start, prev_stream_end);
      const std::int64_t weight_wait = std::min(gap, cycles_after(shift_end, prev_stream_end));
      const std::int64_t st_part = std::min(weight_wait, late[j]);
      stall += st_part;
      shift += weight_wait - st_part;
      non_matrix += gap - weight_wait;
      active += cycles_after(last_input, stream_start);
      max_active_pes = std::max(max_active_pes, t.kt.size * t.mt.size);
      prev_stream_start = stream_start;
      prev_stream_end = last_input;  // the matrix unit reports when the last row entered
      last_done = std::max(last_done, done);
      // Tiles up to j have left the FIFO, so tiles up to j + depth have a slot.
      while (fetched < static_cast<std::int64_t>(std::min(streams.size(), j + 1 + depth))) {
        fetch(static_cast<std::size_t>(fetched));
        ++fetched;
      }
      if (j + 1 < streams.size()) shift_end = shift_in(j + 1);
      if (st.last_k) {
        activate(st, acc_row0, done, buffer);
        ++group;
      }
      const sc_time safe = std::min({dma_time, prev_stream_start, act_free});
      if (safe > now()) sc_core::wait(safe - now());
    }
    const sc_time end = std::max(last_done, prev_stream_end);
    non_matrix += cycles_after(end, prev_stream_end);
    if (end > now()) sc_core::wait(end - now());
  }
};

WeightStationaryArray::WeightStationaryArray(sc_core::sc_module_name name, const ArchConfig& arch,
                                             std::vector<LayerJob> jobs, Tracer* trace)
    : ArrayModel(name),
      to_weight_memory("to_weight_memory"),
      to_fifo("to_fifo"),
      to_ub("to_ub"),
      to_matrix("to_matrix"),
      to_acc("to_acc"),
      arch_(arch),
      energy_table_(ws_energy_table(arch_)),
      jobs_(std::move(jobs)),
      weight_memory_(make_dram("weight_memory", arch, trace)),
      cdc_("cdc", arch),
      fifo_("weight_fifo", arch),
      ub_(make_sram("unified_buffer", ub_as_buffer(arch), arch.core_period_ns(), trace,
                    "unified_buffer")),
      matrix_("matrix_unit", arch, trace),
      acc_("accumulators", arch, trace) {
  to_weight_memory.bind(cdc_.from_core);
  cdc_.to_link.bind(weight_memory_->target());
  to_fifo.bind(fifo_.socket);
  to_ub.bind(ub_->target());
  to_matrix.bind(matrix_.socket);
  to_acc.bind(acc_.socket);
  matrix_.to_acc.bind(acc_.socket);
  trace_layer_ = TraceSignal(trace, "control", "layer", 16);
  SC_HAS_PROCESS(WeightStationaryArray);
  SC_THREAD(run);
}

WeightStationaryArray::~WeightStationaryArray() = default;

// The components' counters at one moment; a layer's are the difference around it.
struct WeightStationaryArray::Snapshot {
  Activity dram, ub, acc, fifo, hops, weight_shift;
  std::int64_t macs = 0, mac_passes = 0;
};

WeightStationaryArray::Snapshot WeightStationaryArray::snapshot() const {
  return {weight_memory_->activity, ub_->activity, acc_.activity,     fifo_.activity, matrix_.hops,
          matrix_.weight_shift,     matrix_.macs,  matrix_.mac_passes};
}

// A layer's traffic by level and its priced actions (see ws_energy_table).
void WeightStationaryArray::layer_activity(LayerStats& s, const Snapshot& before,
                                           const DramDeviceWindow& dram_device) const {
  const Snapshot now = snapshot();
  const Activity dram = now.dram - before.dram, ub = now.ub - before.ub, acc = now.acc - before.acc,
                 fifo = now.fifo - before.fifo, hops = now.hops - before.hops,
                 shift = now.weight_shift - before.weight_shift;
  add_component(s, "weight_memory", "dram", level_of(dram));
  add_component(s, "unified_buffer", "glb", level_of(ub));
  add_component(s, "accumulators", "glb", level_of(acc));
  add_component(s, "weight_fifo", "noc", level_of(fifo));
  add_component(s, "hops", "noc", level_of(hops));
  add_component(s, "weight_shift", "noc", level_of(shift));
  s.level_names = {"DRAM", "UB+A", "NoC", "RF"};  // glb: unified buffer and accumulators
  set_levels(s);
  const EnergyTable& table = energy_table_;
  ActionCounts n(table);
  auto bits = [](std::int64_t b) { return static_cast<double>(b); };
  n.add(ws_action::dram_bit, bits(dram.total_bits()));
  n.add(ws_action::unified_buffer_read, bits(ub.total_read_bits()));
  n.add(ws_action::unified_buffer_write, bits(ub.total_write_bits()));
  n.add(ws_action::accumulators_read, bits(acc.total_read_bits()));
  n.add(ws_action::accumulators_write, bits(acc.total_write_bits()));
  n.add(ws_action::weight_fifo_bit, bits(fifo.total_bits()));
  n.add(ws_action::weight_shift_bit, bits(shift.total_bits()));
  n.add(ws_action::hop_bit, bits(hops.total_bits()));
  n.add(ws_action::mac, bits(now.mac_passes - before.mac_passes));
  n.add(ws_action::idle, s.seconds * 1e9);
  dram_device.finish(s, n, table);
  set_energy(s, table, n);
}

void WeightStationaryArray::run() {
  try {
    for (std::size_t li = 0; li < jobs_.size(); ++li) {
      const LayerJob& job = jobs_[li];
      const Snapshot before = snapshot();
      const DramDeviceWindow dram_device(*weight_memory_);
      const std::int64_t macs0 = before.macs;
      const sc_time t0 = sc_core::sc_time_stamp();
      trace_layer_.set(t0, li);
      matrix_.compute_outputs = job.compute_outputs;
      Controller ctl(*this, job);
      ctl.run();

      LayerOutcome out;
      LayerStats& s = out.stats;
      describe(s, job, arch_);
      s.seconds = (sc_core::sc_time_stamp() - t0).to_seconds();
      s.cycles = ctl.cycles(sc_core::sc_time_stamp() - t0);
      s.macs = matrix_.macs - macs0;
      if (s.macs != job.layer.macs())
        throw SimulationError("layer " + job.layer.name + ": the matrix unit performed " +
                              std::to_string(s.macs) + " MACs, the layer has " +
                              std::to_string(job.layer.macs()));
      s.active_pes = ctl.max_active_pes;
      s.utilization = utilization_of(s.macs, s.cycles, s.mac_units);
      s.unused_macs = ctl.active * s.num_pes - s.macs;
      s.passes = static_cast<std::int64_t>(ctl.streams.size());
      s.cycle_breakdown = {{"array_active", ctl.active},
                           {"weight_stall", ctl.stall},
                           {"weight_shift", ctl.shift},
                           {"non_matrix", ctl.non_matrix}};
      const std::int64_t split = ctl.active + ctl.stall + ctl.shift + ctl.non_matrix;
      if (split != s.cycles)
        throw SimulationError("layer " + job.layer.name + ": cycle categories add up to " +
                              std::to_string(split) + ", not " + std::to_string(s.cycles));
      layer_activity(s, before, dram_device);

      // Read the ofmap back from the unified buffer.
      const Layer& l = job.layer;
      const std::int64_t ob = ctl.modes.input_bytes;
      std::vector<unsigned char> bytes(static_cast<std::size_t>(l.ofmap_values() * ob));
      host_access(to_ub, tlm::TLM_READ_COMMAND, ctl.ub_ofmap, bytes.data(),
                  static_cast<std::int64_t>(bytes.size()));
      out.ofmap = Tensor4(l.N, l.M, l.E(), l.F());
      for (std::int64_t n = 0; n < l.N; ++n)
        for (std::int64_t e = 0; e < l.E(); ++e)
          for (std::int64_t f = 0; f < l.F(); ++f)
            for (std::int64_t mm = 0; mm < l.M; ++mm)
              out.ofmap.at(n, mm, e, f) = static_cast<Value>(Controller::get(
                  &bytes[static_cast<std::size_t>((((n * l.E() + e) * l.F() + f) * l.M + mm) * ob)],
                  ob));
      finish_layer(job, std::move(out));
    }
  } catch (...) {
    error_ = std::current_exception();
  }
  // Returning ends the only process; sc_start then returns for lack of events (sc_stop
  // would print an info message on stdout).
}

}  // namespace dfsim
