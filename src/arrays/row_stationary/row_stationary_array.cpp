#include "arrays/row_stationary/row_stationary_array.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>

#include "arrays/row_stationary/row_stationary_mapper.hpp"
#include "arrays/row_stationary/rs_tiling.hpp"
#include "base/sim_error.hpp"
#include "base/trace/tracer.hpp"
#include "base/util/le_bytes.hpp"
#include "components/memory/dma.hpp"

namespace dfsim {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {

// Everything the models have counted so far; a layer's statistics are the difference of two.
struct Counters {
  Activity dram, glb, filter_gin, ifmap_gin, psum_gin, gon;
  Activity psum_links, spads;  // all PEs
  std::int64_t macs = 0, gated = 0;

  Counters operator-(const Counters& o) const {
    return {
        dram - o.dram,         glb - o.glb,    filter_gin - o.filter_gin, ifmap_gin - o.ifmap_gin,
        psum_gin - o.psum_gin, gon - o.gon,    psum_links - o.psum_links, spads - o.spads,
        macs - o.macs,         gated - o.gated};
  }
};

// A layer's components (traffic by level) and priced actions (see rs_energy_table) from the
// counters it added (`d`).
void layer_activity(LayerStats& s, const Counters& d, const EnergyTable& table,
                    const DramDeviceWindow& dram_device) {
  const std::pair<const char*, const Activity*> noc[] = {{"filter_gin", &d.filter_gin},
                                                         {"ifmap_gin", &d.ifmap_gin},
                                                         {"psum_gin", &d.psum_gin},
                                                         {"gon", &d.gon},
                                                         {"psum_links", &d.psum_links}};
  add_component(s, "dram", "dram", level_of(d.dram));
  add_component(s, "glb", "glb", level_of(d.glb));
  std::int64_t noc_bits = 0;
  for (const auto& [name, activity] : noc) {
    add_component(s, name, "noc", level_of(*activity));
    noc_bits += activity->total_bits();
  }
  add_component(s, "spads", "rf", level_of(d.spads));
  set_levels(s);
  ActionCounts n(table);
  n.add(rs_action::dram_bit, static_cast<double>(d.dram.total_bits()));
  n.add(rs_action::glb_read, static_cast<double>(d.glb.total_read_bits()));
  n.add(rs_action::glb_write, static_cast<double>(d.glb.total_write_bits()));
  n.add(rs_action::noc_bit, static_cast<double>(noc_bits));
  const auto spad = [&](ActionId read, ActionId write, DataKind kind) {
    n.add(read, static_cast<double>(d.spads.reads[static_cast<int>(kind)]));
    n.add(write, static_cast<double>(d.spads.writes[static_cast<int>(kind)]));
  };
  spad(rs_action::filter_spad_read, rs_action::filter_spad_write, DataKind::Weight);
  spad(rs_action::ifmap_spad_read, rs_action::ifmap_spad_write, DataKind::Ifmap);
  spad(rs_action::psum_spad_read, rs_action::psum_spad_write, DataKind::Psum);
  n.add(rs_action::mac, static_cast<double>(d.macs));
  n.add(rs_action::idle, s.seconds * 1e9);
  dram_device.finish(s, n, table);
  set_energy(s, table, n);
}

// One of the three GINs, as the architecture's `noc.impl` builds it.
std::unique_ptr<MulticastNocModel> make_gin(const char* name, std::int64_t width_bits,
                                            const ArchConfig& arch, Tracer* trace) {
  return make_multicast_noc(rs_params(arch).noc.impl, name, width_bits, arch.core_period_ns(),
                            trace);
}

}  // namespace

// Walks one layer's loop nest (see RsMapping), issuing every transfer through the sockets.
struct RowStationaryArray::Controller {
  using Key = std::array<std::int64_t, 5>;

  RowStationaryArray& top;
  const ArchConfig& a;
  const Layer l;  // as the array runs it (FC layers over a plane flattened: flatten_fc)
  const LayerData& d;
  const RsMapping& m;
  const sc_time period;
  const Arithmetic arith;
  const bool compute_outputs;  // false in a timing-only run: the PEs compute no psums
  const RsTiling tiling;
  const RsGlbPlan plan;
  const std::int64_t Cg, Mg, E, F, Wp, pbytes;

  // DRAM layout: ifmap [N][C][H][W], weights [M][C/G][R][S], ofmap [N][M][E][F], 16-bit.
  // Activations are dense, or encoded one stream per row (the encoder and decoder sit at the
  // DRAM interface, as Eyeriss's RLC does). Encoded rows are packed back to back within their
  // plane (a region reserved for the worst case), so consecutive rows move in one burst
  // sequence; the controller keeps each row's address and stream header, as the host's
  // layout tells it.
  struct DramRows {
    Encoding encoding = Encoding::Dense;
    std::int64_t base = 0, rows = 0, width = 0, slot = 0;  // slot: worst-case bytes per row
    std::int64_t rows_per_plane = 1;
    std::vector<EncodedTensor> header;  // per row, without its bits
    std::vector<std::int64_t> offset;   // per row: its stream's address
    std::vector<std::int64_t> cursor;   // per plane: bytes written so far
    std::int64_t addr(std::int64_t row) const {
      return dense() ? base + row * slot : offset[static_cast<std::size_t>(row)];
    }
    std::int64_t bytes(std::int64_t row) const {
      return dense() ? slot : (header[static_cast<std::size_t>(row)].total_bits + 7) / 8;
    }
    std::int64_t end() const { return base + rows * slot; }
    bool dense() const { return encoding == Encoding::Dense; }
    // Appends encoded rows [row0, row0 + streams.size()) of one plane; returns their address.
    std::int64_t append(std::int64_t row0, std::vector<EncodedTensor>& streams,
                        std::vector<unsigned char>& packed) {
      const std::int64_t plane = row0 / rows_per_plane;
      const std::int64_t at =
          base + plane * rows_per_plane * slot + cursor[static_cast<std::size_t>(plane)];
      packed.clear();
      for (std::size_t i = 0; i < streams.size(); ++i) {
        const std::int64_t row = row0 + static_cast<std::int64_t>(i);
        offset[static_cast<std::size_t>(row)] = at + static_cast<std::int64_t>(packed.size());
        packed.insert(packed.end(), streams[i].bits.begin(), streams[i].bits.end());
        streams[i].bits.clear();
        header[static_cast<std::size_t>(row)] = streams[i];
      }
      cursor[static_cast<std::size_t>(plane)] += static_cast<std::int64_t>(packed.size());
      return at;
    }
  };
  DramRows ifmap_dram, ofmap_dram;
  std::int64_t dram_weights = 0;
  std::vector<unsigned char> encoded, outgoing;
  std::vector<DmaBlock> blocks;  // of the DMA transfer being issued

  static DramRows dram_rows(Encoding enc, std::int64_t base, std::int64_t rows,
                            std::int64_t rows_per_plane, std::int64_t width) {
    DramRows r;
    r.encoding = enc;
    r.base = base;
    r.rows = rows;
    r.rows_per_plane = rows_per_plane;
    r.width = width;
    r.slot = width * 2;
    if (!r.dense()) {
      // The largest stream a row can need: all values non-zero (or all zero), byte-rounded.
      const std::vector<Value> ones(static_cast<std::size_t>(width), 1),
          zeros(static_cast<std::size_t>(width), 0);
      r.slot =
          std::max({r.slot, static_cast<std::int64_t>(encode(enc, ones, 1, width, 16).bits.size()),
                    static_cast<std::int64_t>(encode(enc, zeros, 1, width, 16).bits.size())});
      r.slot = (r.slot + 7) / 8 * 8;
      r.header.resize(static_cast<std::size_t>(rows));
      r.offset.resize(static_cast<std::size_t>(rows));
      r.cursor.assign(static_cast<std::size_t>(rows / rows_per_plane), 0);
    }
    return r;
  }
  // GLB layout: ifmap buffers, then psum tile [rows][filters][images][F]; filter buffers in
  // the filter banks.
  std::int64_t ifmap_buf_bytes = 0, psum_base = 0, filter_base = 0;

  // Timing state (absolute times).
  sc_time dma_time, prev_pass_end, psum_free, last_done;
  std::array<sc_time, 2> ifmap_free{}, ifmap_ready{}, filter_free{}, filter_ready{};
  std::array<Key, 2> ifmap_key{}, filter_key{};
  std::array<bool, 2> ifmap_valid{}, filter_valid{};
  int next_ifmap_buf = 0, next_filter_buf = 0;
  std::int64_t passes = 0, max_active = 0;

  std::vector<unsigned char> staging;
  std::vector<Value> values;
  std::vector<Psum> psums;
  std::vector<PeSetup> setups;
  std::vector<NocTag> filter_ids, ifmap_ids, psum_ids;

  Controller(RowStationaryArray& t, const LayerJob& job)
      : top(t),
        a(t.arch_),
        l(flatten_fc(job.layer)),
        d(job.operands()),
        m(result_of<RsMapResult>(*job.mapping).mapping),
        period(a.core_period_ns(), sc_core::SC_NS),
        arith(job.arith),
        compute_outputs(job.compute_outputs),
        tiling(a, l, m),
        plan(rs_glb_plan(a, l, m)),
        Cg(l.C_per_group()),
        Mg(l.M_per_group()),
        E(l.E()),
        F(l.F()),
        Wp(l.cols().padded()),
        pbytes(a.data.psum_bits / 8) {
    if (!plan.why_not.empty()) throw SimulationError("layer " + l.name + ": " + plan.why_not);
  }

  sc_time now() const { return sc_core::sc_time_stamp(); }

  // One blocking transaction of `nvalues` values; returns its completion time and sets
  // `started`. Memory transfers are plain Transactions; GIN sends carry their protocols too.
  template <class Tx>
  sc_time issue(Tx& t, tlm::tlm_initiator_socket<>& sock, tlm::tlm_command cmd, std::int64_t addr,
                void* data, std::int64_t bytes, DataKind kind, std::int64_t nvalues,
                std::int64_t bits_per_value, const sc_time& at, sc_time* started = nullptr) {
    t.setup(cmd, static_cast<std::uint64_t>(addr), static_cast<unsigned char*>(data),
            static_cast<std::size_t>(bytes));
    t.data().kind = kind;
    t.data().values = nvalues;
    t.data().bits_per_value = bits_per_value;
    const sc_time end = timed_transport(sock.operator->(), t.gp(), at, sock.name());
    if (started) *started = t.data().started;
    return end;
  }
  sc_time transfer(tlm::tlm_initiator_socket<>& sock, tlm::tlm_command cmd, std::int64_t addr,
                   void* data, std::int64_t bytes, DataKind kind, std::int64_t nvalues,
                   std::int64_t bits_per_value, const sc_time& at, sc_time* started = nullptr) {
    Transaction t;
    return issue(t, sock, cmd, addr, data, bytes, kind, nvalues, bits_per_value, at, started);
  }
  // A GIN write: the PEs configured with `tag` take it and perform `op`.
  sc_time multicast(tlm::tlm_initiator_socket<>& gin, const RowStationaryOp& op, NocTag tag,
                    void* data, std::int64_t bytes, DataKind kind, std::int64_t nvalues,
                    std::int64_t bits_per_value, const sc_time& at) {
    TransactionWith<MulticastTag, RowStationaryOp> t;
    t.get<MulticastTag>().tag = tag;
    t.get<RowStationaryOp>() = op;
    return issue(t, gin, tlm::TLM_WRITE_COMMAND, 0, data, bytes, kind, nvalues, bits_per_value, at);
  }

  // Host access to DRAM (debug transport: no time, no traffic).
  void dram_debug(tlm::tlm_command cmd, std::int64_t addr, void* data, std::int64_t bytes) {
    host_access(top.to_dram, cmd, addr, data, bytes);
  }

  // The host writes the operands before the layer starts, as Eyeriss's host does.
  void preload_dram() {
    ifmap_dram = dram_rows(a.dram_ifmap_encoding, 0, l.N * l.C * l.H, l.H, l.W);
    dram_weights = (ifmap_dram.end() + 7) / 8 * 8;
    const std::int64_t weights_end =
        dram_weights + static_cast<std::int64_t>(d.weights.data.size()) * 2;
    ofmap_dram = dram_rows(a.dram_ofmap_encoding, (weights_end + 7) / 8 * 8, l.N * l.M * E, E, F);
    top.dram_->resize(static_cast<std::size_t>(ofmap_dram.end()));
    if (ifmap_dram.dense()) {
      dram_debug(tlm::TLM_WRITE_COMMAND, 0, const_cast<Value*>(d.ifmap.data.data()),
                 l.ifmap_values() * 2);
    } else {
      std::vector<EncodedTensor> streams;
      std::vector<unsigned char> packed;
      for (std::int64_t plane = 0; plane < l.N * l.C; ++plane) {
        streams.clear();
        for (std::int64_t h = 0; h < l.H; ++h)
          streams.push_back(encode(ifmap_dram.encoding,
                                   &d.ifmap.data[static_cast<std::size_t>((plane * l.H + h) * l.W)],
                                   1, l.W, 16));
        const std::int64_t at = ifmap_dram.append(plane * l.H, streams, packed);
        dram_debug(tlm::TLM_WRITE_COMMAND, at, packed.data(),
                   static_cast<std::int64_t>(packed.size()));
      }
    }
    dram_debug(tlm::TLM_WRITE_COMMAND, dram_weights, const_cast<Value*>(d.weights.data.data()),
               static_cast<std::int64_t>(d.weights.data.size()) * 2);
  }

  // The ofmap as the host reads it back (decoding encoded rows).
  Tensor4 read_ofmap() {
    Tensor4 out(l.N, l.M, E, F);
    if (ofmap_dram.dense()) {
      dram_debug(tlm::TLM_READ_COMMAND, ofmap_dram.base, out.data.data(), l.ofmap_values() * 2);
      return out;
    }
    for (std::int64_t row = 0; row < ofmap_dram.rows; ++row) {
      EncodedTensor t = ofmap_dram.header[static_cast<std::size_t>(row)];
      t.bits.resize(static_cast<std::size_t>((t.total_bits + 7) / 8));
      dram_debug(tlm::TLM_READ_COMMAND, ofmap_dram.addr(row), t.bits.data(),
                 static_cast<std::int64_t>(t.bits.size()));
      const std::vector<Value> v = decode(t);
      std::copy(v.begin(), v.end(), out.data.begin() + row * F);
    }
    return out;
  }

  void assign_glb() {
    SramModel& glb = *top.glb_;
    glb.clear_assignment();
    const std::int64_t bank = rs_params(a).glb.bank_bytes;
    const std::int64_t per_buf_banks = plan.ifmap_banks / plan.ifmap_buffers;
    ifmap_buf_bytes = per_buf_banks * bank;
    glb.assign_banks(0, plan.ifmap_banks, DataKind::Ifmap);
    psum_base = plan.ifmap_banks * bank;
    glb.assign_banks(plan.ifmap_banks, plan.psum_banks, DataKind::Psum);
    filter_base = (rs_params(a).glb.banks - rs_params(a).glb.filter_banks) * bank;
    glb.assign_banks(rs_params(a).glb.banks - rs_params(a).glb.filter_banks,
                     rs_params(a).glb.filter_banks, DataKind::Weight);
  }

  // DRAM -> GLB copy of an ifmap tile: images [n0, n0+nn), channels [c_lo, c_lo+nch) of
  // group g, the unpadded rows the strip group reads. Returns the buffer index.
  int load_ifmap(const Key& key, std::int64_t g, Chunk nb, Chunk sg, std::int64_t c_lo,
                 std::int64_t nch) {
    for (int b = 0; b < 2; ++b)
      if (ifmap_valid[b] && ifmap_key[b] == key) return b;
    const int b = next_ifmap_buf;
    next_ifmap_buf = (next_ifmap_buf + 1) % static_cast<int>(plan.ifmap_buffers);
    const sc_time t0 = std::max(dma_time, ifmap_free[b]);
    dma_time = t0;
    auto [lo, hi] = tiling.stored_rows(sg);
    const std::int64_t rows = hi - lo, row_bytes = rows * l.W * 2;
    if (nb.size * nch * row_bytes > ifmap_buf_bytes)
      throw SimulationError("ifmap tile exceeds its GLB buffer");
    staging.resize(static_cast<std::size_t>(row_bytes));
    sc_time ready = t0;
    // One block per (image, channel): its stored rows. A strip group whose window lies
    // entirely in the padding reads nothing.
    blocks.clear();
    if (row_bytes > 0)
      for (std::int64_t ni = 0; ni < nb.size; ++ni)
        for (std::int64_t ci = 0; ci < nch; ++ci) {
          const std::int64_t row0 = ((nb.begin + ni) * l.C + g * Cg + c_lo + ci) * l.H + lo;
          const std::int64_t first = ifmap_dram.addr(row0);
          blocks.push_back({first, ifmap_dram.addr(row0 + rows - 1) +
                                       ifmap_dram.bytes(row0 + rows - 1) - first});
        }
    for (const DmaRequest& rq : dma_requests(blocks, a.dram.max_request_bytes)) {
      encoded.resize(static_cast<std::size_t>(rq.bytes));
      const sc_time got =
          transfer(top.to_dram, tlm::TLM_READ_COMMAND, rq.addr, encoded.data(), rq.bytes,
                   DataKind::Ifmap, static_cast<std::int64_t>(rq.count) * rows * l.W, 16, t0);
      for (std::size_t k = rq.first; k < rq.first + rq.count; ++k) {
        const std::int64_t ni = static_cast<std::int64_t>(k) / nch,
                           ci = static_cast<std::int64_t>(k) % nch;
        const unsigned char* src = encoded.data() + (blocks[k].addr - rq.addr);
        if (ifmap_dram.dense()) {
          std::memcpy(staging.data(), src, static_cast<std::size_t>(row_bytes));
        } else {  // decoded on the way into the GLB
          const std::int64_t row0 = ((nb.begin + ni) * l.C + g * Cg + c_lo + ci) * l.H + lo;
          for (std::int64_t h = 0; h < rows; ++h) {
            EncodedTensor t = ifmap_dram.header[static_cast<std::size_t>(row0 + h)];
            const unsigned char* from = src + (ifmap_dram.addr(row0 + h) - blocks[k].addr);
            t.bits.assign(from, from + ifmap_dram.bytes(row0 + h));
            const std::vector<Value> v = decode(t);
            std::memcpy(&staging[static_cast<std::size_t>(h * l.W * 2)], v.data(),
                        static_cast<std::size_t>(l.W) * 2);
          }
        }
        const std::int64_t dst = b * ifmap_buf_bytes + (ni * nch + ci) * row_bytes;
        ready = std::max(ready, transfer(top.to_glb, tlm::TLM_WRITE_COMMAND, dst, staging.data(),
                                         row_bytes, DataKind::Ifmap, row_bytes / 2, 16, got));
      }
    }
    ifmap_key[b] = key;
    ifmap_valid[b] = true;
    ifmap_ready[b] = ready;
    return b;
  }

  int load_filters(const Key& key, std::int64_t g, Chunk mb, Chunk cb) {
    for (int b = 0; b < 2; ++b)
      if (filter_valid[b] && filter_key[b] == key) return b;
    const int b = next_filter_buf;
    next_filter_buf = (next_filter_buf + 1) % static_cast<int>(plan.filter_buffers);
    const sc_time t0 = std::max(dma_time, filter_free[b]);
    dma_time = t0;
    // One block per filter: its channel block, contiguous; consecutive filters are adjacent
    // when the block holds all their channels.
    const std::int64_t bytes = cb.size * l.R * l.S * 2;
    blocks.clear();
    for (std::int64_t mi = 0; mi < mb.size; ++mi)
      blocks.push_back(
          {dram_weights + ((g * Mg + mb.begin + mi) * Cg + cb.begin) * l.R * l.S * 2, bytes});
    sc_time ready = t0;
    for (const DmaRequest& rq : dma_requests(blocks, a.dram.max_request_bytes)) {
      staging.resize(static_cast<std::size_t>(rq.bytes));
      const sc_time got = transfer(top.to_dram, tlm::TLM_READ_COMMAND, rq.addr, staging.data(),
                                   rq.bytes, DataKind::Weight, rq.bytes / 2, 16, t0);
      for (std::size_t k = rq.first; k < rq.first + rq.count; ++k) {
        const std::int64_t dst =
            filter_base + b * plan.filter_tile_bytes + static_cast<std::int64_t>(k) * bytes;
        ready = std::max(ready, transfer(top.to_glb, tlm::TLM_WRITE_COMMAND, dst,
                                         staging.data() + (blocks[k].addr - rq.addr), bytes,
                                         DataKind::Weight, bytes / 2, 16, got));
      }
    }
    filter_key[b] = key;
    filter_valid[b] = true;
    filter_ready[b] = ready;
    return b;
  }

  // A pass's shape: its chunks and how they fold onto the array (t_eff filter subgroups of p,
  // r_eff channel subgroups of q, strips of strip_width ofmap rows).
  struct PassShape {
    Chunk nb, sg, mb, cb;
    std::int64_t t_eff = 0, r_eff = 0, strips = 0, p = 0, q = 0;
    std::int64_t p_of(std::int64_t ti) const { return std::min(p, mb.size - ti * p); }
    std::int64_t q_of(std::int64_t ri) const { return std::min(q, cb.size - ri * q); }
  };

  // Configuration scan chain: PE roles and multicast IDs for this pass.
  void configure_pass(const PassShape& ps) {
    const std::int64_t R = l.R, e = m.strip_width, t_eff = ps.t_eff, r_eff = ps.r_eff;
    const std::int64_t slot_cols = m.slot_cols(a);
    const Chunk& nb = ps.nb;
    const Chunk& sg = ps.sg;
    auto p_of = [&](std::int64_t ti) { return ps.p_of(ti); };
    auto q_of = [&](std::int64_t ri) { return ps.q_of(ri); };
    const std::size_t npes = top.pes_.size();
    setups.assign(npes, PeSetup{});
    filter_ids.assign(npes, MulticastNocModel::disabled());
    ifmap_ids.assign(npes, MulticastNocModel::disabled());
    psum_ids.assign(npes, MulticastNocModel::disabled());
    std::int64_t active = 0;
    for (std::int64_t k = 0; k < ps.strips * t_eff; ++k) {
      const std::int64_t si = k / t_eff, ti = k % t_eff;
      const std::int64_t col0 = (k % slot_cols) * e, band0 = (k / slot_cols) * m.r;
      const std::int64_t width = std::min(e, sg.size - si * e);
      for (std::int64_t ri = 0; ri < r_eff; ++ri)
        for (std::int64_t rr = 0; rr < R; ++rr)
          for (std::int64_t ee = 0; ee < width; ++ee) {
            const std::int64_t row = (band0 + ri) * R + rr, col = col0 + ee;
            const std::size_t idx = static_cast<std::size_t>(row * a.pe_cols + col);
            PeSetup& s = setups[idx];
            s.active = true;
            s.n = nb.size;
            s.p = p_of(ti);
            s.q = q_of(ri);
            s.S = l.S;
            s.F = F;
            s.stride = l.stride_w;
            s.dilation = l.dilation_w;
            s.padded_width = Wp;
            s.chain_bottom = ri == r_eff - 1 && rr == R - 1;
            s.arith = arith;
            s.compute_outputs = compute_outputs;
            filter_ids[idx] = {static_cast<std::int32_t>((ri * t_eff + ti) * R + rr), 0};
            ifmap_ids[idx] = {static_cast<std::int32_t>(ri),
                              static_cast<std::int32_t>((sg.begin + si * e + ee) * l.stride_h +
                                                        rr * l.dilation_h)};
            if (ri == 0 && rr == 0)
              psum_ids[idx] = {static_cast<std::int32_t>(k), static_cast<std::int32_t>(ee)};
            ++active;
          }
    }
    for (std::size_t i = 0; i < npes; ++i) top.pes_[i]->configure(setups[i]);
    top.filter_gin_->set_ids(filter_ids);
    top.ifmap_gin_->set_ids(ifmap_ids);
    top.psum_gin_->set_ids(psum_ids);
    max_active = std::max(max_active, active);
  }

  // Filters: read the tile from the filter banks, multicast each filter row to its PE row.
  // Returns when the last row is delivered.
  sc_time multicast_filters(const PassShape& ps, int fb, const sc_time& start) {
    const std::int64_t R = l.R, t_eff = ps.t_eff, r_eff = ps.r_eff;
    const Chunk& mb = ps.mb;
    const Chunk& cb = ps.cb;
    auto p_of = [&](std::int64_t ti) { return ps.p_of(ti); };
    auto q_of = [&](std::int64_t ri) { return ps.q_of(ri); };
    const std::int64_t tile_values = mb.size * cb.size * R * l.S;
    std::vector<Value> tile(static_cast<std::size_t>(tile_values));
    sc_time read_start;
    transfer(top.to_glb, tlm::TLM_READ_COMMAND, filter_base + fb * plan.filter_tile_bytes,
             tile.data(), tile_values * 2, DataKind::Weight, tile_values, 16, start, &read_start);
    const sc_time gin_at = read_start + period;  // the GIN streams behind the bank read
    sc_time filters_delivered = gin_at;
    for (std::int64_t ri = 0; ri < r_eff; ++ri)
      for (std::int64_t ti = 0; ti < t_eff; ++ti)
        for (std::int64_t rr = 0; rr < R; ++rr) {
          const std::int64_t p = p_of(ti), q = q_of(ri);
          values.resize(static_cast<std::size_t>(p * q * l.S));
          for (std::int64_t pi = 0; pi < p; ++pi)
            for (std::int64_t qi = 0; qi < q; ++qi)
              for (std::int64_t s = 0; s < l.S; ++s)
                values[static_cast<std::size_t>((pi * q + qi) * l.S + s)] =
                    tile[static_cast<std::size_t>(
                        (((ti * m.p + pi) * cb.size + ri * m.q + qi) * R + rr) * l.S + s)];
          filters_delivered = std::max(
              filters_delivered,
              multicast(top.to_filter_gin, RowStationaryOp::of(RsPeOp::LoadFilter),
                        {static_cast<std::int32_t>((ri * t_eff + ti) * R + rr), 0}, values.data(),
                        static_cast<std::int64_t>(values.size()) * 2, DataKind::Weight,
                        static_cast<std::int64_t>(values.size()), 16, gin_at));
        }

    return filters_delivered;
  }

  // Does padded ifmap row h feed some ofmap row of strip group sg through some filter row?
  bool row_needed(std::int64_t h, const Chunk& sg) const {
    for (std::int64_t rr = 0; rr < l.R; ++rr) {
      const std::int64_t off = h - rr * l.dilation_h - sg.begin * l.stride_h;
      if (off >= 0 && off % l.stride_h == 0 && off / l.stride_h < sg.size) return true;
    }
    return false;
  }

  // Reads padded row h of channels [c0, c0 + q) of image ni from ifmap buffer ib into
  // `values` (q rows of Wp, zeros in the padding); returns when the GIN may start sending it.
  sc_time read_ifmap_row(int ib, std::int64_t ni, std::int64_t nch, std::int64_t c0, std::int64_t q,
                         std::int64_t h, const Chunk& sg, const sc_time& start) {
    auto [lo, hi] = tiling.stored_rows(sg);
    values.assign(static_cast<std::size_t>(q * Wp), 0);
    const std::int64_t hh = h - l.pad_top;
    sc_time at = start + period;
    if (hh < 0 || hh >= l.H) return at;
    for (std::int64_t qi = 0; qi < q; ++qi) {
      const std::int64_t addr =
          ib * ifmap_buf_bytes + ((ni * nch + c0 + qi) * (hi - lo) + (hh - lo)) * l.W * 2;
      sc_time rs;
      transfer(top.to_glb, tlm::TLM_READ_COMMAND, addr,
               &values[static_cast<std::size_t>(qi * Wp + l.pad_left)], l.W * 2, DataKind::Ifmap,
               l.W, 16, start, &rs);
      if (qi == 0) at = rs + period;
    }
    return at;
  }

  // Ifmaps: each padded row goes once per (image, channel subgroup) to every PE on its
  // diagonals, in all filter subgroups at once. Padding is generated at the GIN source.
  void multicast_ifmaps(const PassShape& ps, int ib, std::int64_t coff, std::int64_t nch,
                        const sc_time& start) {
    const Chunk& sg = ps.sg;
    const std::int64_t h_first = sg.begin * l.stride_h,
                       h_last = (sg.begin + sg.size - 1) * l.stride_h + l.rows().extent();
    for (std::int64_t ni = 0; ni < ps.nb.size; ++ni)
      for (std::int64_t ri = 0; ri < ps.r_eff; ++ri)
        for (std::int64_t h = h_first; h < h_last; ++h) {
          if (!row_needed(h, sg)) continue;
          const std::int64_t q = ps.q_of(ri);
          const sc_time at = read_ifmap_row(ib, ni, nch, coff + ri * m.q, q, h, sg, start);
          multicast(top.to_ifmap_gin,
                    RowStationaryOp::of(RsPeOp::LoadIfmap, static_cast<std::int32_t>(ni)),
                    {static_cast<std::int32_t>(ri), static_cast<std::int32_t>(h)}, values.data(),
                    q * Wp * 2, DataKind::Ifmap, q * Wp, 16, at);
        }
  }

  // Psums: each chain top column starts from zero (first channel block) or from the GLB;
  // the row runs down the chain and back to the GLB through the GON. Returns when the last
  // row is back.
  sc_time run_psum_chains(const PassShape& ps, bool first_cb, const sc_time& start) {
    const std::int64_t e = m.strip_width, t_eff = ps.t_eff;
    const Chunk& nb = ps.nb;
    const Chunk& sg = ps.sg;
    const Chunk& mb = ps.mb;
    auto p_of = [&](std::int64_t ti) { return ps.p_of(ti); };
    sc_time end = start;
    for (std::int64_t k = 0; k < ps.strips * t_eff; ++k) {
      const std::int64_t si = k / t_eff, ti = k % t_eff;
      const std::int64_t width = std::min(e, sg.size - si * e);
      const std::int64_t p = p_of(ti);
      for (std::int64_t ee = 0; ee < width; ++ee) {
        const std::int64_t row_local = si * e + ee;
        const std::int64_t addr =
            psum_base + ((row_local * mb.size + ti * m.p) * nb.size) * F * pbytes;
        const std::int64_t count = p * nb.size * F;
        const NocTag tag{static_cast<std::int32_t>(k), static_cast<std::int32_t>(ee)};
        const RowStationaryOp op = RowStationaryOp::of(RsPeOp::PsumIn, 0, addr);
        sc_time done;
        if (first_cb) {
          done = multicast(top.to_psum_gin, op, tag, nullptr, 0, DataKind::Psum, 0,
                           a.data.psum_bits, start + period);
        } else {
          staging.resize(static_cast<std::size_t>(count * pbytes));
          sc_time rs;
          transfer(top.to_glb, tlm::TLM_READ_COMMAND, addr, staging.data(), count * pbytes,
                   DataKind::Psum, count, a.data.psum_bits, start, &rs);
          psums.resize(static_cast<std::size_t>(count));
          load_le_all(psums.data(), staging.data(), static_cast<std::size_t>(count),
                      static_cast<std::size_t>(pbytes));
          done = multicast(top.to_psum_gin, op, tag, psums.data(),
                           count * static_cast<std::int64_t>(sizeof(Psum)), DataKind::Psum, count,
                           a.data.psum_bits, rs + period);
        }
        end = std::max(end, done);
      }
    }
    return end;
  }

  // One processing pass. `coff`/`nch` locate the channel block inside the ifmap tile.
  void pass(Chunk nb, Chunk sg, Chunk mb, Chunk cb, bool first_cb, int ib, std::int64_t coff,
            std::int64_t nch, int fb) {
    const PassShape ps{nb,
                       sg,
                       mb,
                       cb,
                       ceil_div64(mb.size, m.p),
                       ceil_div64(cb.size, m.q),
                       ceil_div64(sg.size, m.strip_width),
                       m.p,
                       m.q};
    const sc_time start = std::max({prev_pass_end, ifmap_ready[ib], filter_ready[fb], psum_free});
    top.trace_pass_.set(start, static_cast<std::uint64_t>(passes));
    configure_pass(ps);
    const sc_time filters_delivered = multicast_filters(ps, fb, start);
    multicast_ifmaps(ps, ib, coff, nch, start);
    const sc_time end = run_psum_chains(ps, first_cb, start);
    prev_pass_end = end;
    ifmap_free[ib] = end;
    // Filters stay in the PE spads for the whole pass: the GLB buffer is free once they are
    // delivered, and the next pass's filters load into it while this pass computes.
    filter_free[fb] = filters_delivered;
    ++passes;
    sync();
  }

  // The finished psum tile of (images, strip group, filter block) leaves through the output
  // unit (ReLU, saturation to 16 bits) to DRAM.
  void write_back(std::int64_t g, Chunk nb, Chunk sg, Chunk mb) {
    const sc_time t0 = std::max(dma_time, prev_pass_end);
    dma_time = t0;
    const std::int64_t count = sg.size * mb.size * nb.size * F;
    staging.resize(static_cast<std::size_t>(count * pbytes));
    const sc_time read_end = transfer(top.to_glb, tlm::TLM_READ_COMMAND, psum_base, staging.data(),
                                      count * pbytes, DataKind::Psum, count, a.data.psum_bits, t0);
    psum_free = read_end;
    // One block per (image, filter): its ofmap rows of the strip group, dense or encoded one
    // stream per row; adjacent blocks leave in one request.
    blocks.clear();
    outgoing.clear();
    for (std::int64_t ni = 0; ni < nb.size; ++ni)
      for (std::int64_t mi = 0; mi < mb.size; ++mi) {
        values.resize(static_cast<std::size_t>(sg.size * F));
        for (std::int64_t el = 0; el < sg.size; ++el)
          for (std::int64_t f = 0; f < F; ++f) {
            const Psum v = load_le(&staging[static_cast<std::size_t>(
                                       (((el * mb.size + mi) * nb.size + ni) * F + f) * pbytes)],
                                   static_cast<std::size_t>(pbytes));
            values[static_cast<std::size_t>(el * F + f)] = arith.to_ofmap(v);
          }
        const std::int64_t row0 = ((nb.begin + ni) * l.M + g * Mg + mb.begin + mi) * E + sg.begin;
        const std::int64_t start = static_cast<std::int64_t>(outgoing.size());
        std::int64_t at = ofmap_dram.addr(row0);
        if (ofmap_dram.dense()) {
          const auto* p = reinterpret_cast<const unsigned char*>(values.data());
          outgoing.insert(outgoing.end(), p, p + sg.size * F * 2);
        } else {  // the encoder at the DRAM interface: one stream per ofmap row
          std::vector<EncodedTensor> streams;
          for (std::int64_t el = 0; el < sg.size; ++el)
            streams.push_back(
                encode(ofmap_dram.encoding, &values[static_cast<std::size_t>(el * F)], 1, F, 16));
          at = ofmap_dram.append(row0, streams, encoded);
          outgoing.insert(outgoing.end(), encoded.begin(), encoded.end());
        }
        blocks.push_back({at, static_cast<std::int64_t>(outgoing.size()) - start});
      }
    std::int64_t sent = 0;
    for (const DmaRequest& rq : dma_requests(blocks, a.dram.max_request_bytes)) {
      last_done = std::max(
          last_done, transfer(top.to_dram, tlm::TLM_WRITE_COMMAND, rq.addr, outgoing.data() + sent,
                              rq.bytes, DataKind::Ofmap,
                              static_cast<std::int64_t>(rq.count) * sg.size * F, 16, read_end));
      sent += rq.bytes;
    }
    sync();
  }

  // Advances SystemC time as far as no later request can precede (temporal decoupling).
  void sync() {
    const sc_time safe = std::min(dma_time, prev_pass_end);
    if (safe > now()) sc_core::wait(safe - now());
  }

  struct PassDesc {
    std::int64_t g;
    Chunk nb, sg, mb, cb;
    bool write_back_after;
  };

  Key ifmap_key_of(const PassDesc& p) const {
    return m.ifmap_resident ? Key{p.g, p.nb.begin, p.sg.begin, -1, -1}
                            : Key{p.g, p.nb.begin, p.sg.begin, p.mb.begin, p.cb.begin};
  }
  int ensure_ifmap(const PassDesc& p) {
    return m.ifmap_resident ? load_ifmap(ifmap_key_of(p), p.g, p.nb, p.sg, 0, Cg)
                            : load_ifmap(ifmap_key_of(p), p.g, p.nb, p.sg, p.cb.begin, p.cb.size);
  }
  int ensure_filters(const PassDesc& p) {
    return load_filters({p.g, p.mb.begin, p.cb.begin, 0, 0}, p.g, p.mb, p.cb);
  }

  void run() {
    const sc_time layer_start = now();
    dma_time = prev_pass_end = psum_free = last_done = layer_start;
    ifmap_free = filter_free = {layer_start, layer_start};
    preload_dram();
    assign_glb();
    std::vector<PassDesc> list;
    const std::int64_t qr = m.q * m.r, pt = m.p * m.t;
    for (std::int64_t g = 0; g < l.groups; ++g)
      RsTiling::for_each_chunk(l.N, m.n, [&](Chunk nb) {
        RsTiling::for_each_chunk(E, m.rows_per_strip_group(), [&](Chunk sg) {
          RsTiling::for_each_chunk(Mg, pt, [&](Chunk mb) {
            RsTiling::for_each_chunk(Cg, qr, [&](Chunk cb) {
              list.push_back({g, nb, sg, mb, cb, cb.begin + cb.size == Cg});
            });
          });
        });
      });
    // DMA order: the next pass's ifmap tile is prefetched (into the other buffer) before
    // this pass runs; the next pass's filters load once this pass has taken its own; the
    // finished ofmap tile is written back after that.
    ensure_ifmap(list.front());
    ensure_filters(list.front());
    for (std::size_t k = 0; k < list.size(); ++k) {
      const PassDesc& p = list[k];
      const int ib = ensure_ifmap(p);
      const int fb = ensure_filters(p);
      if (plan.ifmap_buffers == 2 && k + 1 < list.size() &&
          ifmap_key_of(list[k + 1]) != ifmap_key_of(p))
        ensure_ifmap(list[k + 1]);
      pass(p.nb, p.sg, p.mb, p.cb, p.cb.begin == 0, ib, m.ifmap_resident ? p.cb.begin : 0,
           m.ifmap_resident ? Cg : p.cb.size, fb);
      if (k + 1 < list.size()) ensure_filters(list[k + 1]);
      if (p.write_back_after) write_back(p.g, p.nb, p.sg, p.mb);
    }
    const sc_time end = std::max(prev_pass_end, last_done);
    if (end > now()) sc_core::wait(end - now());
  }
};

RowStationaryArray::RowStationaryArray(sc_core::sc_module_name name, const ArchConfig& arch,
                                       std::vector<LayerJob> jobs, Tracer* trace)
    : ArrayModel(name),
      arch_(arch),
      energy_table_(rs_energy_table(arch_)),
      jobs_(std::move(jobs)),
      to_dram("to_dram"),
      to_glb("to_glb"),
      to_filter_gin("to_filter_gin"),
      to_ifmap_gin("to_ifmap_gin"),
      to_psum_gin("to_psum_gin"),
      dram_(make_dram("dram", arch, trace)),
      cdc_("cdc", arch),
      glb_(make_sram("glb", rs_params(arch).glb, arch.core_period_ns(), trace, "glb")),
      filter_gin_(make_gin("filter_gin", rs_params(arch).noc.filter_gin_bits, arch, trace)),
      ifmap_gin_(make_gin("ifmap_gin", rs_params(arch).noc.ifmap_gin_bits, arch, trace)),
      psum_gin_(make_gin("psum_gin", rs_params(arch).noc.psum_gin_bits, arch, trace)),
      gon_("gon", rs_params(arch).noc.gon_bits, arch.core_period_ns(), trace) {
  to_dram.bind(cdc_.from_core);
  cdc_.to_link.bind(dram_->target());
  to_glb.bind(glb_->target());
  to_filter_gin.bind(filter_gin_->target());
  to_ifmap_gin.bind(ifmap_gin_->target());
  to_psum_gin.bind(psum_gin_->target());
  gon_.to_glb.bind(glb_->target());
  for (std::int64_t i = 0; i < arch.num_pes(); ++i)
    pes_.push_back(std::make_unique<Pe>(
        ("pe_" + std::to_string(i / arch.pe_cols) + "_" + std::to_string(i % arch.pe_cols)).c_str(),
        arch, static_cast<int>(i), trace));
  for (std::int64_t i = 0; i < arch.num_pes(); ++i) {
    Pe& pe = *pes_[static_cast<std::size_t>(i)];
    filter_gin_->to_pe.bind(pe.in);
    ifmap_gin_->to_pe.bind(pe.in);
    psum_gin_->to_pe.bind(pe.in);
    // Vertical psum link to the PE below; the bottom row's link ends at the GON.
    if (i + arch.pe_cols < arch.num_pes())
      pe.psum_down.bind(pes_[static_cast<std::size_t>(i + arch.pe_cols)]->in);
    else
      pe.psum_down.bind(gon_.from_pe);
    pe.to_gon.bind(gon_.from_pe);
  }
  trace_layer_ = TraceSignal(trace, "control", "layer", 16);
  trace_pass_ = TraceSignal(trace, "control", "pass", 32);
  SC_HAS_PROCESS(RowStationaryArray);
  SC_THREAD(run);
}

RowStationaryArray::~RowStationaryArray() = default;

void RowStationaryArray::run() {
  try {
    auto snapshot = [&] {
      Counters c;
      c.dram = dram_->activity;
      c.glb = glb_->activity;
      c.filter_gin = filter_gin_->activity;
      c.ifmap_gin = ifmap_gin_->activity;
      c.psum_gin = psum_gin_->activity;
      c.gon = gon_.activity;
      for (const auto& pe : pes_) {
        c.psum_links += pe->link_activity;
        c.spads += pe->rf;
        c.macs += pe->macs;
        c.gated += pe->gated_macs;
      }
      return c;
    };
    for (std::size_t li = 0; li < jobs_.size(); ++li) {
      const LayerJob& job = jobs_[li];
      const Counters before = snapshot();
      const DramDeviceWindow dram_device(*dram_);
      const sc_time t0 = sc_core::sc_time_stamp();
      trace_layer_.set(t0, li);
      Controller ctl(*this, job);
      ctl.run();
      const Counters after = snapshot();
      const double period_s = arch_.core_period_ns() * 1e-9;

      LayerOutcome out;
      LayerStats& s = out.stats;
      describe(s, job, arch_);
      s.seconds = (sc_core::sc_time_stamp() - t0).to_seconds();
      s.cycles = static_cast<std::int64_t>(s.seconds / period_s + 0.5);
      s.macs = (after.macs - before.macs) + (after.gated - before.gated);
      s.gated_macs = after.gated - before.gated;
      if (s.macs != job.layer.macs())
        throw SimulationError("layer " + job.layer.name + ": the PEs performed " +
                              std::to_string(s.macs) + " MACs, the layer has " +
                              std::to_string(job.layer.macs()));
      s.active_pes = ctl.max_active;
      s.utilization = utilization_of(s.macs, s.cycles, s.mac_units);
      s.unused_macs = s.cycles * s.num_pes - s.macs;
      s.passes = ctl.passes;
      layer_activity(s, after - before, energy_table_, dram_device);

      out.ofmap = ctl.read_ofmap();
      finish_layer(job, std::move(out));
    }
  } catch (...) {
    error_ = std::current_exception();
  }
  // Returning ends the only process; sc_start then returns for lack of events (sc_stop
  // would print an info message on stdout).
}

}  // namespace dfsim
