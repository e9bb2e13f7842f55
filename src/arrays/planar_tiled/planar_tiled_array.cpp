#include "arrays/planar_tiled/planar_tiled_array.hpp"

#include <algorithm>
#include <cstring>
#include <tuple>

#include "arrays/planar_tiled/pt_mapping.hpp"
#include "base/sim_error.hpp"
#include "base/trace/tracer.hpp"
#include "components/memory/dma.hpp"

namespace dfsim {

using sc_core::sc_time;

namespace {

GlbConfig ram_as_buffer(const ArchConfig& a, std::int64_t bank_bytes) {
  GlbConfig g;
  g.impl = pt_params(a).activation_ram.impl;
  g.banks = a.num_pes();
  g.bank_bytes = bank_bytes;
  g.bank_width_bits = pt_params(a).activation_ram.width_bits;
  g.filter_banks = 0;
  g.read_energy_pj_per_bit = pt_params(a).activation_ram.read_energy_pj_per_bit;
  g.write_energy_pj_per_bit = pt_params(a).activation_ram.write_energy_pj_per_bit;
  return g;
}

std::int64_t stream_bytes(std::int64_t bits) { return (bits + 7) / 8; }

}  // namespace

struct PlanarTiledArray::Controller {
  PlanarTiledArray& top;
  const ArchConfig& a;
  const PlanarEncodings& formats;  // DRAM weights and on-chip data
  const Layer l;                   // as the array runs it (FC layers flattened: flatten_fc)
  const LayerData& d;
  const PtMapping& m;
  const sc_time period;
  const Arithmetic arith;
  const bool compute_outputs;  // false in a timing-only run: the PEs sum no products
  const bool ifmap_from_dram, ofmap_to_dram;
  const std::int64_t Cg, Mg, P;

  // An encoded stream in a memory.
  struct Stream {
    std::int64_t addr = 0, bits = 0;
    bool in_dram = false;
  };
  // Weights in DRAM: per group, per input channel of its conv group, one [kc][R][S] block.
  struct Group {
    std::int64_t g = 0, k0 = 0, kc = 0;
    std::int64_t dram_addr = 0, dram_bytes = 0;
    std::vector<Stream> dram_blocks;                // as stored in DRAM
    std::vector<std::vector<std::uint8_t>> onchip;  // as the FIFO holds them
    std::vector<std::int64_t> onchip_bits;
  };
  std::vector<Group> groups;
  std::vector<PtRound> rounds;
  std::int64_t dram_top = 0;  // next free DRAM byte (inputs, spills, outputs)

  // Statistics.
  std::int64_t compute_cycles = 0, waiting_cycles = 0, tail_cycles = 0;
  std::int64_t barrier_idle_pe_cycles = 0, group_pe_cycles = 0;
  std::int64_t max_active_pes = 0, passes = 0;
  std::int64_t iaram_spill_bytes = 0, oaram_spill_bytes = 0;
  Tensor4 out;

  Controller(PlanarTiledArray& t, const LayerJob& job, bool first, bool last)
      : top(t),
        a(t.arch_),
        formats(pt_params(a).encodings),
        l(flatten_fc(job.layer)),
        d(job.operands()),
        m(result_of<PtMapResult>(*job.mapping).mapping),
        period(a.core_period_ns(), sc_core::SC_NS),
        arith(job.arith),
        compute_outputs(job.compute_outputs),
        ifmap_from_dram(first || result_of<PtMapResult>(*job.mapping).mapping.rounds() > 1),
        ofmap_to_dram(last || result_of<PtMapResult>(*job.mapping).mapping.rounds() > 1),
        Cg(l.C_per_group()),
        Mg(l.M_per_group()),
        P(t.arch_.num_pes()),
        out(l.N, l.M, l.E(), l.F()) {
    if (m.pes_used() > P)
      throw SimulationError("layer " + l.name + ": the mapping uses " +
                            std::to_string(m.pes_used()) + " PEs, the array has " +
                            std::to_string(P));
    rounds = pt_rounds(l, m, a.pe_cols);
    const std::int64_t acc =
        pt_params(a).planar_pe.accumulator_banks * pt_params(a).planar_pe.accumulator_bank_entries;
    if (m.kc * pt_max_extent(rounds) > acc)
      throw SimulationError("layer " + l.name + ": kc x extent exceeds the accumulators");
  }

  sc_time now() const { return sc_core::sc_time_stamp(); }
  std::int64_t cycles(const sc_time& t) const {
    return static_cast<std::int64_t>(t / period + 0.5);
  }

  // One memory transfer of `bytes` bytes holding a stream of `bits` bits (-1: all 8 * bytes);
  // returns its completion time and sets `started`.
  sc_time transfer(tlm_utils::simple_initiator_socket<PlanarTiledArray>& sock, tlm::tlm_command cmd,
                   std::int64_t addr, void* data, std::int64_t bytes, DataKind kind,
                   const sc_time& at, std::int64_t bits = -1, sc_time* started = nullptr) {
    // An all-zero stream can encode to nothing: no memory access.
    if (bytes == 0) {
      if (at < now()) throw SimulationError("controller scheduled a transfer in the past");
      return at;
    }
    Transaction t;
    t.setup(cmd, static_cast<std::uint64_t>(addr), static_cast<unsigned char*>(data),
            static_cast<std::size_t>(bytes));
    t.data().kind = kind;
    t.data().values = bits < 0 ? bytes : bits;
    t.data().bits_per_value = bits < 0 ? 8 : 1;
    const sc_time end = timed_transport(sock.operator->(), t.gp(), at, sock.name());
    if (started) *started = t.data().started;
    return end;
  }

  // Broadcasts input channel `channel`'s encoded weight block (`bits` bits in `bytes`) to the
  // PEs of weight-bus column `bus_column`; the bus carries `link_bits` (whole beats).
  void broadcast_weights(std::int32_t bus_column, std::int64_t channel, const void* block,
                         std::int64_t bytes, std::int64_t bits, std::int64_t link_bits,
                         const sc_time& at) {
    TransactionWith<MulticastTag, SparseStream> t;
    t.setup(tlm::TLM_WRITE_COMMAND, 0, static_cast<unsigned char*>(const_cast<void*>(block)),
            static_cast<std::size_t>(bytes));
    t.data().kind = DataKind::Weight;
    t.data().values = link_bits;
    t.data().bits_per_value = 1;
    t.get<MulticastTag>().tag = NocTag{0, bus_column};
    t.get<SparseStream>() = SparseStream::of(SparseOp::LoadWeights, bits);
    t.get<SparseStream>().channel = channel;
    timed_transport(top.to_weight_bus.operator->(), t.gp(), at, top.to_weight_bus.name());
  }

  // One operation on PE `pe` with a payload of `bytes` bytes; `op` comes back with what the PE
  // reports. For ComputeGroup, op.last_input is when the input stream that began arriving at
  // `at` has fully arrived (the PE computes on it as it streams in).
  sc_time pe_op(std::int64_t pe, SparseStream& op, void* data, std::int64_t bytes,
                const sc_time& at) {
    TransactionWith<SparseStream> t;
    t.setup(tlm::TLM_WRITE_COMMAND, 0, static_cast<unsigned char*>(data),
            static_cast<std::size_t>(bytes));
    t.data().values = bytes;
    t.data().bits_per_value = 8;
    t.get<SparseStream>() = op;
    const sc_time end = timed_transport(top.to_pe[static_cast<int>(pe)], t.gp(), at, "planar PE");
    op = t.get<SparseStream>();
    return end;
  }

  // The operands in the shape `l` gives them: a flattened FC layer has the same row-major
  // layout as the original (C x H x W inputs = C x R x S weights per output).
  Value weight(std::int64_t m, std::int64_t c, std::int64_t r, std::int64_t s) const {
    return d.weights.data[static_cast<std::size_t>(((m * Cg + c) * l.R + r) * l.S + s)];
  }
  Value input(std::int64_t n, std::int64_t c, std::int64_t y, std::int64_t x) const {
    return d.ifmap.data[static_cast<std::size_t>(((n * l.C + c) * l.H + y) * l.W + x)];
  }

  std::int64_t dram_alloc(std::int64_t bytes) {
    const std::int64_t at = dram_top;
    dram_top += bytes;
    if (static_cast<std::size_t>(dram_top) > top.dram_->size())
      top.dram_->grow(static_cast<std::size_t>(2 * dram_top));
    return at;
  }

  // The host lays the weights out in DRAM, group by group, one block per input channel.
  // The order the weight bus sends conv group g's channels: channel slices take turns (one
  // channel of each slice in turn), so every slice's PEs receive their next channel at the
  // same pace. Returns (channel within the group, slice) pairs.
  std::vector<std::pair<std::int64_t, std::int64_t>> bus_order(std::int64_t g) const {
    std::vector<std::pair<std::int64_t, std::int64_t>> order;
    for (std::int64_t j = 0; j < Cg; ++j)
      for (std::int64_t ic = 0; ic < m.pc; ++ic) {
        const std::int64_t first = std::max(l.C * ic / m.pc, g * Cg),
                           last = std::min(l.C * (ic + 1) / m.pc, (g + 1) * Cg);
        if (first + j < last) order.push_back({first + j - g * Cg, ic});
      }
    return order;
  }

  // The host lays the weights out in DRAM group by group, one block per input channel, in
  // the order the bus sends them (so the DRAM stream arrives in the order it is consumed).
  void preload_weights() {
    std::vector<std::int16_t> block;
    std::vector<std::uint8_t> image;
    for (std::int64_t g = 0; g < l.groups; ++g)
      for (std::int64_t k0 = 0; k0 < Mg; k0 += m.kc) {
        Group gr;
        gr.g = g;
        gr.k0 = k0;
        gr.kc = std::min(m.kc, Mg - k0);
        gr.dram_addr = static_cast<std::int64_t>(image.size());
        gr.dram_blocks.resize(static_cast<std::size_t>(Cg));
        gr.onchip.resize(static_cast<std::size_t>(Cg));
        gr.onchip_bits.resize(static_cast<std::size_t>(Cg));
        for (const auto& [c, ic] : bus_order(g)) {
          block.assign(static_cast<std::size_t>(gr.kc * l.R * l.S), 0);
          for (std::int64_t k = 0; k < gr.kc; ++k)
            for (std::int64_t r = 0; r < l.R; ++r)
              for (std::int64_t s = 0; s < l.S; ++s)
                block[static_cast<std::size_t>((k * l.R + r) * l.S + s)] =
                    weight(g * Mg + k0 + k, c, r, s);
          const EncodedTensor de = encode(formats.dram_weight, block, gr.kc, l.R * l.S, 16);
          const std::size_t ci = static_cast<std::size_t>(c);
          gr.dram_blocks[ci] = {static_cast<std::int64_t>(image.size()), de.total_bits, true};
          image.insert(image.end(), de.bits.begin(), de.bits.end());
          const EncodedTensor oe = formats.onchip == formats.dram_weight
                                       ? de
                                       : encode(formats.onchip, block, gr.kc, l.R * l.S, 16);
          gr.onchip[ci] = oe.bits;
          gr.onchip_bits[ci] = oe.total_bits;
        }
        gr.dram_bytes = static_cast<std::int64_t>(image.size()) - gr.dram_addr;
        groups.push_back(std::move(gr));
      }
    dram_top = 0;
    top.dram_->resize(0);
    const std::int64_t base = dram_alloc(static_cast<std::int64_t>(image.size()));
    host_access(top.to_dram, tlm::TLM_WRITE_COMMAND, base, image.data(),
                static_cast<std::int64_t>(image.size()));
  }

  std::vector<std::int16_t> tile_values(std::int64_t n, const PtTile& t) const {
    const std::int64_t th = t.h1 - t.h0, tw = t.w1 - t.w0;
    std::vector<std::int16_t> v(static_cast<std::size_t>((t.c1 - t.c0) * th * tw));
    for (std::int64_t c = t.c0; c < t.c1; ++c)
      for (std::int64_t y = 0; y < th; ++y)
        for (std::int64_t x = 0; x < tw; ++x)
          v[static_cast<std::size_t>(((c - t.c0) * th + y) * tw + x)] =
              input(n, c, t.h0 + y, t.w0 + x);
    return v;
  }

  // A PE's input tile in the IARAM (or spilled to DRAM): one stream per conv group its
  // channels span, so a group's passes read only that group's channels.
  struct InputTile {
    std::vector<Stream> by_group;  // indexed by conv group; empty where the tile has none
    sc_time ready;                 // when every stream is in place
  };

  // Loads tile t of image n: from DRAM (decoded and re-encoded at the interface) when the
  // layer's input is off chip, else already on chip (the previous layer's OARAM).
  InputTile load_input_tile(std::int64_t n, const PtTile& t, const sc_time& round_start,
                            std::vector<std::uint8_t>& buf) {
    const std::int64_t area = (t.h1 - t.h0) * (t.w1 - t.w0),
                       iaram = pt_params(a).activation_ram.iaram_bytes;
    const std::vector<std::int16_t> v = tile_values(n, t);
    InputTile in;
    in.ready = round_start;
    if (ifmap_from_dram) {
      const EncodedTensor de = encode(a.dram_ifmap_encoding, v, t.c1 - t.c0, area, 16);
      const std::int64_t dbytes = stream_bytes(de.total_bits);
      const std::int64_t addr = dram_alloc(dbytes);
      host_access(top.to_dram, tlm::TLM_WRITE_COMMAND, addr,
                  const_cast<std::uint8_t*>(de.bits.data()), dbytes);
      buf.resize(static_cast<std::size_t>(dbytes));
      in.ready = transfer(top.to_dram, tlm::TLM_READ_COMMAND, addr, buf.data(), dbytes,
                          DataKind::Ifmap, round_start, de.total_bits);
    }
    std::vector<EncodedTensor> enc(static_cast<std::size_t>(l.groups));
    std::int64_t total = 0;
    for (std::int64_t g = 0; g < l.groups; ++g) {
      const std::int64_t c_lo = std::max(t.c0, g * Cg), c_hi = std::min(t.c1, (g + 1) * Cg);
      if (c_hi <= c_lo) continue;
      const std::vector<std::int16_t> slice(v.begin() + (c_lo - t.c0) * area,
                                            v.begin() + (c_hi - t.c0) * area);
      enc[static_cast<std::size_t>(g)] = encode(formats.onchip, slice, c_hi - c_lo, area, 16);
      total += stream_bytes(enc[static_cast<std::size_t>(g)].total_bits);
    }
    const bool spill = total > iaram;  // does not fit: read from DRAM for every group
    if (spill) iaram_spill_bytes += total;
    std::int64_t offset = 0;
    in.by_group.resize(static_cast<std::size_t>(l.groups));
    for (std::int64_t g = 0; g < l.groups; ++g) {
      const EncodedTensor& e = enc[static_cast<std::size_t>(g)];
      Stream& s = in.by_group[static_cast<std::size_t>(g)];
      s.bits = e.total_bits;
      s.in_dram = spill;
      const std::int64_t bytes = stream_bytes(e.total_bits);
      if (bytes == 0) continue;
      s.addr = spill ? dram_alloc(bytes) : t.pe * iaram + offset;
      offset += bytes;
      auto& sock = spill ? top.to_dram : top.to_iaram;
      if (ifmap_from_dram && !spill)
        in.ready =
            transfer(sock, tlm::TLM_WRITE_COMMAND, s.addr, const_cast<std::uint8_t*>(e.bits.data()),
                     bytes, DataKind::Ifmap, in.ready, e.total_bits);
      else
        host_access(sock, tlm::TLM_WRITE_COMMAND, s.addr, const_cast<std::uint8_t*>(e.bits.data()),
                    bytes);
    }
    return in;
  }

  // Reads a round's outputs of tile t back (host) into `out` and, when the layer's output
  // leaves the chip, moves them OARAM -> DRAM in the DRAM's encoding. The groups' streams are
  // allocated one after another, so they leave in merged requests (dma_requests). Returns
  // when the last one has landed.
  sc_time drain_tile_outputs(std::int64_t n, const PtTile& t, const std::vector<Stream>& streams,
                             const sc_time& ppu_end, std::vector<std::uint8_t>& buf) {
    const std::int64_t oh = t.oe1 - t.oe0, ow = t.of1 - t.of0;
    std::vector<DmaBlock> blocks;
    std::vector<sc_time> ready;
    std::vector<std::int64_t> bits;
    std::vector<std::uint8_t> outgoing;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const Group& gr = groups[gi];
      const Stream& s = streams[gi];
      const std::int64_t bytes = stream_bytes(s.bits);
      buf.resize(static_cast<std::size_t>(bytes));
      if (bytes > 0)
        host_access(s.in_dram ? top.to_dram : top.to_oaram, tlm::TLM_READ_COMMAND, s.addr,
                    buf.data(), bytes);
      const std::vector<std::int16_t> v =
          decode_stream(formats.onchip, buf.data(), s.bits, gr.kc, oh * ow, 16);
      for (std::int64_t k = 0; k < gr.kc; ++k)
        for (std::int64_t e = 0; e < oh; ++e)
          for (std::int64_t f = 0; f < ow; ++f)
            out.at(n, gr.g * Mg + gr.k0 + k, t.oe0 + e, t.of0 + f) =
                v[static_cast<std::size_t>((k * oh + e) * ow + f)];
      if (!ofmap_to_dram || s.in_dram) continue;
      ready.push_back(bytes > 0 ? transfer(top.to_oaram, tlm::TLM_READ_COMMAND, s.addr, buf.data(),
                                           bytes, DataKind::Ofmap, ppu_end, s.bits)
                                : ppu_end);
      const EncodedTensor de = encode(a.dram_ofmap_encoding, v, gr.kc, oh * ow, 16);
      const std::int64_t dbytes = stream_bytes(de.total_bits);
      blocks.push_back({dbytes > 0 ? dram_alloc(dbytes) : dram_top, dbytes});
      bits.push_back(de.total_bits);
      outgoing.insert(outgoing.end(), de.bits.begin(), de.bits.begin() + dbytes);
    }
    sc_time end = ppu_end;
    std::int64_t sent = 0;
    for (const DmaRequest& rq : dma_requests(blocks, a.dram.max_request_bytes)) {
      sc_time at = ppu_end;
      std::int64_t rq_bits = 0;
      for (std::size_t k = rq.first; k < rq.first + rq.count; ++k) {
        at = std::max(at, ready[k]);
        rq_bits += bits[k];
      }
      end = std::max(end, transfer(top.to_dram, tlm::TLM_WRITE_COMMAND, rq.addr,
                                   outgoing.data() + sent, rq.bytes, DataKind::Ofmap, at, rq_bits));
      sent += rq.bytes;
    }
    return end;
  }

  // Per layer: every PE of channel slice ic listens to the broadcast of that slice's channels
  // and runs the layer's convolution geometry.
  void configure_layer() {
    std::vector<NocTag> ids(static_cast<std::size_t>(P), MulticastNocModel::disabled());
    for (const PtTile& t : rounds.front().tiles)
      ids[static_cast<std::size_t>(t.pe)] = {0, static_cast<std::int32_t>(t.ic)};
    top.weight_bus_->set_ids(ids);
    PlanarPeLayer pl;
    pl.arith = arith;
    pl.R = l.R;
    pl.S = l.S;
    pl.phases = StridePhases(l);
    pl.C_per_group = Cg;
    pl.compute_outputs = compute_outputs;
    for (auto& pe : top.pes_) pe->configure_layer(pl);
  }

  // Gives each PE its tile of the round and the owners of its outputs.
  void configure_round(const PtRound& rd) {
    std::int64_t active = 0;
    for (const PtTile& t : rd.tiles) {
      std::vector<std::int32_t> owners;
      owners.reserve(static_cast<std::size_t>(t.extent()));
      for (std::int64_t e = t.e0; e < t.e1; ++e)
        for (std::int64_t f = t.f0; f < t.f1; ++f)
          owners.push_back(static_cast<std::int32_t>(rd.owner_pe(e, f)));
      top.pes_[static_cast<std::size_t>(t.pe)]->configure_tile(t, t.valid_taps(l),
                                                               std::move(owners));
      active += !t.empty() && t.extent() > 0;
    }
    max_active_pes = std::max(max_active_pes, active);
  }

  // Weights of group gr: DRAM (requested one group ahead of the array, at `issue`) -> the
  // broadcast, channel by channel. The group streams out of DRAM in requests of
  // max_request_bytes; a channel's block goes on the bus once the chunk holding its last byte
  // has arrived, and the blocks follow each other on the bus (bus_order) without padding: a
  // block occupies the beats its last bit completes.
  void broadcast_weights(const Group& gr, const sc_time& issue, const sc_time& group_start,
                         std::vector<std::uint8_t>& buf) {
    buf.resize(static_cast<std::size_t>(gr.dram_bytes));
    const std::int64_t chunk = a.dram.max_request_bytes;
    std::vector<sc_time> chunk_arrival;
    for (std::int64_t off = 0; off < gr.dram_bytes; off += chunk)
      chunk_arrival.push_back(transfer(top.to_dram, tlm::TLM_READ_COMMAND, gr.dram_addr + off,
                                       buf.data() + off, std::min(chunk, gr.dram_bytes - off),
                                       DataKind::Weight, issue));
    auto block_arrival = [&](std::size_t c) {
      const Stream& b = gr.dram_blocks[c];
      const std::int64_t bytes = stream_bytes(b.bits);
      if (bytes == 0) return issue;
      return chunk_arrival[static_cast<std::size_t>((b.addr + bytes - 1 - gr.dram_addr) / chunk)];
    };
    const std::int64_t width = pt_params(a).planar_noc.weight_bus_bits;
    std::int64_t sent_bits = 0;
    for (const auto& [rel_c, ic] : bus_order(gr.g)) {
      const std::size_t c = static_cast<std::size_t>(rel_c);
      const std::int64_t beats_before = (sent_bits + width - 1) / width;
      sent_bits += gr.onchip_bits[c];
      const std::int64_t beats = (sent_bits + width - 1) / width - beats_before;
      // The bus and the FIFOs only read the block.
      broadcast_weights(static_cast<std::int32_t>(ic), gr.g * Cg + rel_c, gr.onchip[c].data(),
                        static_cast<std::int64_t>(gr.onchip[c].size()), gr.onchip_bits[c],
                        beats * width, std::max(block_arrival(c), group_start));
    }
  }

  // Does tile t hold input channels of group gr's conv group (and outputs to make)?
  bool computes(const PtTile& t, const Group& gr) const {
    return !t.empty() && t.extent() > 0 &&
           std::min(t.c1, (gr.g + 1) * Cg) > std::max(t.c0, gr.g * Cg);
  }

  // Every PE runs its products of group gr on its input stream (IARAM, or DRAM when it
  // spilled); returns the barrier, when the slowest has finished.
  sc_time compute_group(const PtRound& rd, const Group& gr, const std::vector<InputTile>& tiles,
                        const sc_time& group_start, std::vector<std::uint8_t>& buf) {
    sc_time group_barrier = group_start;
    std::vector<sc_time> done(rd.tiles.size(), group_start);
    std::int64_t computing = 0;
    for (std::size_t i = 0; i < rd.tiles.size(); ++i) {
      const PtTile& t = rd.tiles[i];
      if (!computes(t, gr)) continue;
      ++computing;
      const Stream& s = tiles[i].by_group[static_cast<std::size_t>(gr.g)];
      const std::int64_t bytes = stream_bytes(s.bits);
      buf.resize(static_cast<std::size_t>(bytes));
      const sc_time at = std::max(group_start, tiles[i].ready);
      // The IARAM streams the group's channels to the PE one word per cycle, and the PE
      // computes as they arrive; a stream spilled to DRAM is read whole first.
      sc_time started = at;
      const sc_time ready =
          transfer(s.in_dram ? top.to_dram : top.to_iaram, tlm::TLM_READ_COMMAND, s.addr,
                   buf.data(), bytes, DataKind::Ifmap, at, s.bits, &started);
      const sc_time first = s.in_dram || bytes == 0 ? ready : std::min(ready, started + period);
      SparseStream op = SparseStream::of(SparseOp::ComputeGroup, s.bits);
      op.last_input = ready;
      done[i] = pe_op(t.pe, op, buf.data(), bytes, first);
      group_barrier = std::max(group_barrier, done[i]);
    }
    for (std::size_t i = 0; i < rd.tiles.size(); ++i)
      if (computes(rd.tiles[i], gr))
        barrier_idle_pe_cycles += cycles(group_barrier - t0_) - cycles(done[i] - t0_);
    group_pe_cycles += computing * (cycles(group_barrier - t0_) - cycles(group_start - t0_));
    compute_cycles += cycles(group_barrier - t0_) - cycles(group_start - t0_);
    return group_barrier;
  }

  // Stores one owner's drained outputs: appended to its OARAM, or to DRAM once it is full.
  sc_time store_outputs(const PtTile& t, const sc_time& drained, std::int64_t bytes,
                        std::int64_t bits, std::int64_t& used, std::vector<std::uint8_t>& buf,
                        Stream& s) {
    const std::int64_t oaram = pt_params(a).activation_ram.oaram_bytes;
    s.bits = bits;
    if (used + bytes <= oaram) {
      s.addr = t.pe * oaram + used;
      used += bytes;
      return bytes > 0 ? transfer(top.to_oaram, tlm::TLM_WRITE_COMMAND, s.addr, buf.data(), bytes,
                                  DataKind::Ofmap, drained, bits)
                       : drained;
    }
    s.in_dram = true;
    oaram_spill_bytes += bytes;
    s.addr = dram_alloc(bytes);
    return transfer(top.to_dram, tlm::TLM_WRITE_COMMAND, s.addr, buf.data(), bytes, DataKind::Ofmap,
                    drained, bits);
  }

  // Post-processing after the barrier: halos to their owners, then the owners drain into the
  // OARAM. Returns when the accumulator buffer is free again.
  sc_time post_process_group(const PtRound& rd, const Group& gr, const sc_time& barrier,
                             std::vector<std::int64_t>& oaram_used,
                             std::vector<std::vector<Stream>>& outputs,
                             std::vector<std::uint8_t>& buf) {
    for (const PtTile& t : rd.tiles)
      if (t.extent() > 0) {
        SparseStream op = SparseStream::of(SparseOp::SendHalo);
        pe_op(t.pe, op, nullptr, 0, barrier);
      }
    sc_time group_ppu = barrier;
    for (std::size_t i = 0; i < rd.tiles.size(); ++i) {
      const PtTile& t = rd.tiles[i];
      if (t.ic != 0 || t.owned() == 0) continue;
      buf.assign(static_cast<std::size_t>(gr.kc * t.owned() * 3 + 16), 0);
      SparseStream res = SparseStream::of(SparseOp::Drain);
      const sc_time drained =
          pe_op(t.pe, res, buf.data(), static_cast<std::int64_t>(buf.size()), barrier);
      Stream s;
      group_ppu =
          std::max(group_ppu, store_outputs(t, drained, res.stream_bytes, res.stream_bits,
                                            oaram_used[static_cast<std::size_t>(t.pe)], buf, s));
      outputs[i].push_back(s);
    }
    return group_ppu;
  }

  // The pipeline's state across groups and rounds (absolute times).
  struct Timeline {
    sc_time barrier, end, weights_issue;
    std::vector<sc_time> acc_free;  // per accumulator buffer
  };

  // One round of image n: its tiles, then every output-channel group through the pipeline,
  // then (when the output leaves the chip) its outputs to DRAM.
  void run_round(std::int64_t n, const PtRound& rd, Timeline& tl, std::vector<std::uint8_t>& buf) {
    const sc_time round_start = std::max(tl.barrier, tl.end);
    configure_round(rd);
    std::vector<InputTile> tiles(rd.tiles.size());
    // A tile whose inputs reach no output (strides longer than the filter) is not loaded.
    for (std::size_t i = 0; i < rd.tiles.size(); ++i)
      if (!rd.tiles[i].empty() && rd.tiles[i].extent() > 0)
        tiles[i] = load_input_tile(n, rd.tiles[i], round_start, buf);
    std::vector<std::int64_t> oaram_used(static_cast<std::size_t>(P), 0);
    std::vector<std::vector<Stream>> outputs(rd.tiles.size());  // per tile, per group
    sc_time ppu_end = round_start;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const Group& gr = groups[gi];
      sc_time& acc_free = tl.acc_free[gi % tl.acc_free.size()];
      ++passes;
      // The wait after the previous barrier (for this round's inputs, or for a free
      // accumulator buffer) counts as waiting.
      const sc_time group_start = std::max({tl.barrier, round_start, acc_free});
      waiting_cycles += cycles(group_start - t0_) - cycles(tl.barrier - t0_);
      for (const PtTile& t : rd.tiles)
        top.pes_[static_cast<std::size_t>(t.pe)]->begin_group(gr.kc, std::max(t.c0, gr.g * Cg),
                                                              std::min(t.c1, (gr.g + 1) * Cg));
      broadcast_weights(gr, std::max(tl.weights_issue, now()), group_start, buf);
      tl.weights_issue = group_start;
      tl.barrier = compute_group(rd, gr, tiles, group_start, buf);
      acc_free = post_process_group(rd, gr, tl.barrier, oaram_used, outputs, buf);
      ppu_end = std::max(ppu_end, acc_free);
    }
    tl.end = std::max(tl.end, ppu_end);
    for (std::size_t i = 0; i < rd.tiles.size(); ++i)
      if (rd.tiles[i].ic == 0 && rd.tiles[i].owned() > 0)
        tl.end = std::max(tl.end, drain_tile_outputs(n, rd.tiles[i], outputs[i], ppu_end, buf));
  }

  void run(sc_time& layer_end) {
    t0_ = now();
    preload_weights();
    configure_layer();
    Timeline tl{t0_, t0_, t0_,
                std::vector<sc_time>(
                    static_cast<std::size_t>(pt_params(a).planar_pe.accumulator_buffers), t0_)};
    std::vector<std::uint8_t> buf;
    for (std::int64_t n = 0; n < l.N; ++n)
      for (const PtRound& rd : rounds) run_round(n, rd, tl, buf);
    const sc_time end = std::max(tl.end, tl.barrier);
    tail_cycles = cycles(end - t0_) - cycles(tl.barrier - t0_);
    layer_end = end;
    if (end > now()) sc_core::wait(end - now());
  }

  sc_time t0_;  // the layer's start
};

PlanarTiledArray::PlanarTiledArray(sc_core::sc_module_name name, const ArchConfig& arch,
                                   std::vector<LayerJob> jobs, Tracer* trace)
    : ArrayModel(name),
      to_dram("to_dram"),
      to_iaram("to_iaram"),
      to_oaram("to_oaram"),
      to_weight_bus("to_weight_bus"),
      to_pe("to_pe"),
      arch_(arch),
      energy_table_(pt_energy_table(arch_)),
      jobs_(std::move(jobs)),
      dram_(make_dram("dram", arch, trace)),
      cdc_("cdc", arch),
      iaram_(make_sram("iaram", ram_as_buffer(arch, pt_params(arch).activation_ram.iaram_bytes),
                       arch.core_period_ns(), trace, "iaram")),
      oaram_(make_sram("oaram", ram_as_buffer(arch, pt_params(arch).activation_ram.oaram_bytes),
                       arch.core_period_ns(), trace, "oaram")),
      weight_bus_(make_multicast_noc(pt_params(arch).planar_noc.impl, "weight_bus",
                                     pt_params(arch).planar_noc.weight_bus_bits,
                                     arch.core_period_ns(), trace)),
      halo_("halo_network", arch) {
  to_dram.bind(cdc_.from_core);
  cdc_.to_link.bind(dram_->target());
  to_iaram.bind(iaram_->target());
  to_oaram.bind(oaram_->target());
  to_weight_bus.bind(weight_bus_->target());
  iaram_->assign_banks(0, arch.num_pes(), DataKind::Ifmap);
  oaram_->assign_banks(0, arch.num_pes(), DataKind::Ofmap);
  for (int i = 0; i < arch.num_pes(); ++i) {
    pes_.push_back(std::make_unique<PlanarPe>(("pe" + std::to_string(i)).c_str(), arch, i, trace));
    PlanarPe& pe = *pes_.back();
    to_pe.bind(pe.in);
    weight_bus_->to_pe.bind(pe.in);
    halo_.to_pe.bind(pe.in);
    pe.to_halo.bind(halo_.from_pe);
  }
  trace_layer_ = TraceSignal(trace, "control", "layer", 16);
  SC_HAS_PROCESS(PlanarTiledArray);
  SC_THREAD(run);
}

PlanarTiledArray::~PlanarTiledArray() = default;

// The components' counters at one moment (the PEs' summed); a layer's are the difference
// around it.
struct PlanarTiledArray::Snapshot {
  Activity dram, iaram, oaram, weight_bus, halo;
  Activity weight_fifo, accumulators, ppu, crossbar;  // all PEs
  PlanarPeCounters pe;

  Snapshot operator-(const Snapshot& o) const {
    return {dram - o.dram,
            iaram - o.iaram,
            oaram - o.oaram,
            weight_bus - o.weight_bus,
            halo - o.halo,
            weight_fifo - o.weight_fifo,
            accumulators - o.accumulators,
            ppu - o.ppu,
            crossbar - o.crossbar,
            pe - o.pe};
  }
};

PlanarTiledArray::Snapshot PlanarTiledArray::snapshot() const {
  Snapshot s{dram_->activity,
             iaram_->activity,
             oaram_->activity,
             weight_bus_->activity,
             halo_.activity,
             {},
             {},
             {},
             {},
             {}};
  for (const auto& pe : pes_) {
    s.weight_fifo += pe->weight_fifo;
    s.accumulators += pe->accumulators;
    s.ppu += pe->ppu;
    s.crossbar += pe->crossbar;
    s.pe += pe->counters;
  }
  return s;
}

// A layer's traffic by level and its priced actions (see pt_energy_table), from the counters
// it added (`d`).
void PlanarTiledArray::layer_activity(LayerStats& s, const Snapshot& d,
                                      const DramDeviceWindow& dram_device) const {
  const std::tuple<const char*, const char*, const Activity*> components[] = {
      {"dram", "dram", &d.dram},
      {"iaram", "glb", &d.iaram},
      {"oaram", "glb", &d.oaram},
      {"weight_bus", "noc", &d.weight_bus},
      {"halo_network", "noc", &d.halo},
      {"crossbar", "noc", &d.crossbar},
      {"weight_fifo", "rf", &d.weight_fifo},
      {"accumulators", "rf", &d.accumulators},
      {"ppu", "rf", &d.ppu}};
  for (const auto& [name, level, activity] : components)
    add_component(s, name, level, level_of(*activity));
  // Its "GLB" is the PEs' activation RAMs, its "RF" their FIFOs, accumulators and PPUs.
  s.level_names = {"DRAM", "ARAM", "NoC", "PE"};
  set_levels(s);
  const EnergyTable& table = energy_table_;
  ActionCounts n(table);
  auto count = [](std::int64_t v) { return static_cast<double>(v); };
  n.add(pt_action::dram_bit, count(d.dram.total_bits()));
  n.add(pt_action::iaram_read, count(d.iaram.total_read_bits()));
  n.add(pt_action::iaram_write, count(d.iaram.total_write_bits()));
  n.add(pt_action::oaram_read, count(d.oaram.total_read_bits()));
  n.add(pt_action::oaram_write, count(d.oaram.total_write_bits()));
  n.add(pt_action::weight_bus_bit, count(d.weight_bus.total_bits()));
  n.add(pt_action::halo_bit, count(d.halo.total_bits()));
  n.add(pt_action::crossbar_product, count(d.pe.crossbar_products));
  n.add(pt_action::weight_fifo_bit, count(d.weight_fifo.total_bits()));
  n.add(pt_action::accumulator_access,
        count(d.accumulators.total_reads() + d.accumulators.total_writes()));
  n.add(pt_action::ppu_value, count(d.ppu.total_writes()));
  n.add(pt_action::multiply, count(d.pe.products));
  n.add(pt_action::add, count(d.pe.adds));
  n.add(pt_action::idle, s.seconds * 1e9);
  dram_device.finish(s, n, table);
  set_energy(s, table, n);
}

// The planar array's own statistics of a layer: utilization, its cycle categories, counts and
// ratios, from the controller and the PEs' counters it added (`sum`).
void PlanarTiledArray::array_stats(LayerStats& s, const Controller& ctl,
                                   const PlanarPeCounters& sum) const {
  const PlanarPeConfig& pc = pt_params(arch_).planar_pe;
  const std::int64_t mults = arch_.num_pes() * pc.multipliers_f * pc.multipliers_i;
  s.gated_macs = sum.gated_macs;
  s.active_pes = ctl.max_active_pes;
  // The sparse PE occupies a multiplier per accumulated product, the dense one per MAC slot
  // of the layer (zeros and gated ones included).
  const std::int64_t occupied = pc.sparse() ? sum.useful_products : sum.dense_macs;
  s.mac_units = mults;
  s.utilization = utilization_of(occupied, s.cycles, mults);
  s.unused_macs = s.cycles * mults - occupied;
  s.passes = ctl.passes;
  s.cycle_breakdown = {{"group_compute", ctl.compute_cycles},
                       {"waiting", ctl.waiting_cycles},
                       {"final_post_processing", ctl.tail_cycles}};
  const std::int64_t split = ctl.compute_cycles + ctl.waiting_cycles + ctl.tail_cycles;
  if (split != s.cycles)
    throw SimulationError("layer " + s.name + ": cycle categories add up to " +
                          std::to_string(split) + ", not " + std::to_string(s.cycles));
  const double slots = static_cast<double>(sum.steps * pc.multipliers_f * pc.multipliers_i);
  s.counts = {
      {"products", sum.products},
      {"useful_products", sum.useful_products},
      {"dropped_products", sum.products - (pc.sparse() ? sum.useful_products : sum.products)},
      {"multiplier_cycles", sum.steps},
      {"bank_conflicts", sum.bank_conflicts},
      {"conflict_stall_cycles", sum.conflict_stalls},
      {"barrier_idle_pe_cycles", ctl.barrier_idle_pe_cycles},
      {"halo_values", sum.halo_values},
      {"halo_bytes", sum.halo_values * arch_.data.psum_bits / 8},
      {"iaram_spill_bytes", ctl.iaram_spill_bytes},
      {"oaram_spill_bytes", ctl.oaram_spill_bytes}};
  s.ratios = {{"multiplier_utilization", utilization_of(sum.useful_products, s.cycles, mults)},
              {"busy_multiplier_utilization",
               sum.steps > 0 ? static_cast<double>(sum.useful_products) / slots : 0},
              {"intra_pe_fragmentation",
               slots > 0 ? 1.0 - static_cast<double>(sum.slots_filled) / slots : 0},
              {"barrier_idle_fraction", ctl.group_pe_cycles > 0
                                            ? static_cast<double>(ctl.barrier_idle_pe_cycles) /
                                                  static_cast<double>(ctl.group_pe_cycles)
                                            : 0},
              {"conflict_stall_fraction", sum.compute_cycles > 0
                                              ? static_cast<double>(sum.conflict_stalls) /
                                                    static_cast<double>(sum.compute_cycles)
                                              : 0}};
}

void PlanarTiledArray::run() {
  try {
    for (std::size_t li = 0; li < jobs_.size(); ++li) {
      const LayerJob& job = jobs_[li];
      const Snapshot before = snapshot();
      const DramDeviceWindow dram_device(*dram_);
      const sc_time t0 = sc_core::sc_time_stamp();
      trace_layer_.set(t0, li);
      Controller ctl(*this, job, li == 0, li + 1 == jobs_.size());
      sc_time end;
      ctl.run(end);

      LayerOutcome out;
      LayerStats& s = out.stats;
      describe(s, job, arch_);
      s.seconds = (end - t0).to_seconds();
      s.cycles = ctl.cycles(end - t0);
      s.macs = job.layer.macs();
      const Snapshot delta = snapshot() - before;
      array_stats(s, ctl, delta.pe);
      layer_activity(s, delta, dram_device);
      out.ofmap = std::move(ctl.out);
      finish_layer(job, std::move(out));
    }
  } catch (...) {
    error_ = std::current_exception();
  }
}

}  // namespace dfsim
