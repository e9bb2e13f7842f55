#include "arrays/dense_spatial/block_array.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "arrays/dense_spatial/block_mapper.hpp"
#include "base/config/component_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "base/util/le_bytes.hpp"
#include "components/memory/dma.hpp"
#include "mapper/chunks.hpp"

namespace dfsim {

using sc_core::sc_time;

void add_block_actions(EnergyTable& t, const ArchConfig& a, const GlbConfig& glb) {
  t.add_part({"glb", PartKind::Storage, 1, static_cast<double>(glb.size_bytes()),
              static_cast<double>(glb.bank_width_bits)});
  add_dram_bits(t, a);
  t.add("glb.read", "bit", EnergyLevel::Glb, "glb.read_energy_pj_per_bit",
        glb.read_energy_pj_per_bit, "glb");
  t.add("glb.write", "bit", EnergyLevel::Glb, "glb.write_energy_pj_per_bit",
        glb.write_energy_pj_per_bit, "glb");
}

GlbConfig parse_block_glb(const ConfigNode& n) {
  GlbConfig g;
  g.impl = parse_role_section(n, "sram", g.impl,
                              {"banks", "bank_bytes", "bank_width_bits", "read_energy_pj_per_bit",
                               "write_energy_pj_per_bit"});
  g.banks = n.get_int_min("banks", 5);  // two ifmap slots, up to two weight slots, the psums
  g.bank_bytes = n.get_int_min("bank_bytes", 8);
  g.bank_width_bits = n.get_int_min("bank_width_bits", 16);
  if (static_cast<double>(g.banks) * static_cast<double>(g.bank_bytes) > 4294967296.0)
    n.at("bank_bytes").fail("banks x bank_bytes is above 4 GiB, more than an on-chip buffer holds");
  if (g.bank_width_bits % 8 != 0) n.at("bank_width_bits").fail("must be a multiple of 8");
  g.filter_banks = 0;
  g.read_energy_pj_per_bit = n.get_double_min("read_energy_pj_per_bit", 0.0);
  g.write_energy_pj_per_bit = n.get_double_min("write_energy_pj_per_bit", 0.0);
  return g;
}

void parse_block_data(const ConfigNode& root, ArchConfig& a, const std::string& model) {
  const auto n = root.find("data");
  if (!n) return;
  n->expect_keys({"weight_bits", "ifmap_bits", "psum_bits"});
  parse_operand_bits(*n, a.data, 16, model);
  a.data.psum_bits = n->get_int_min("psum_bits", 16, 16);
  if (a.data.psum_bits != 16 && a.data.psum_bits != 32) n->at("psum_bits").fail("must be 16 or 32");
}

// One layer on the block schedule. Timing: a tile is loaded into the slot its pass will use
// once the pass before last that used the slot has ended (double buffering; with one weight
// slot, once the pass before has loaded its register files from it); a pass starts when
// the array is free, its tiles are in and, for a block's first pass, the previous block's psums
// have drained; the DRAM serves requests in the order they are made.
struct BlockArray::Controller {
  BlockArray& top;
  const Layer l;  // FC layers as 1 x 1 layers over C x H x W channels (flatten_fc)
  const LayerJob& job;
  const BlockTiling& tiling;
  const sc_time period;
  const std::int64_t E, F, Mg, Cg, psum_bytes;
  BlockFootprint fp;
  std::int64_t w_base = 0, out_base = 0;  // DRAM byte addresses (the ifmap is at 0)
  std::array<std::int64_t, 2> ifmap_slot{}, weight_slot{};
  std::int64_t psum_addr = 0;

  struct Slots {  // a double-buffered tile
    int current = 1;
    std::array<sc_time, 2> free{}, ready{};
  } ifmaps, weights;
  sc_time dma_free, array_free, psum_free;
  std::int64_t busy = 0, waiting = 0;  // core cycles: passes running, array waiting between them
  std::vector<Value> staging, tile;
  std::vector<unsigned char> psums;

  Controller(BlockArray& t, const LayerJob& j)
      : top(t),
        l(flatten_fc(j.layer)),
        job(j),
        tiling(result_of<BlockMapResult>(*j.mapping).mapping),
        period(t.arch_.core_period_ns(), sc_core::SC_NS),
        E(l.E()),
        F(l.F()),
        Mg(l.M_per_group()),
        Cg(l.C_per_group()),
        psum_bytes(t.arch_.data.psum_bits / 8) {
    const std::int64_t weight_slots = t.pe_array_->weight_slots();
    const std::string why = check_block_tiling(t.arch_, t.glb_cfg_, l, tiling, weight_slots);
    if (!why.empty()) throw SimulationError("layer " + l.name + ": " + why);
    fp = block_footprint(t.arch_, t.glb_cfg_, l, tiling, weight_slots);
  }

  sc_time now() const { return sc_core::sc_time_stamp(); }
  std::int64_t cycles(const sc_time& d) const {
    return static_cast<std::int64_t>(d / period + 0.5);
  }

  // The host lays out the operands in DRAM; the GLB's banks are assigned per layer.
  void preload() {
    w_base = 2 * l.ifmap_values();
    out_base = w_base + 2 * l.weights();
    top.dram_->resize(static_cast<std::size_t>(out_base + 2 * l.ofmap_values()));
    const LayerData& d = job.operands();
    host_access(top.to_dram, tlm::TLM_WRITE_COMMAND, 0, const_cast<Value*>(d.ifmap.data.data()),
                w_base);
    host_access(top.to_dram, tlm::TLM_WRITE_COMMAND, w_base,
                const_cast<Value*>(d.weights.data.data()), out_base - w_base);
    const std::int64_t bank = top.glb_cfg_.bank_bytes;
    SramModel& glb = *top.glb_;
    glb.clear_assignment();
    std::int64_t b = 0;
    for (int s = 0; s < 2; ++s, b += fp.ifmap_banks) {
      ifmap_slot[static_cast<std::size_t>(s)] = b * bank;
      glb.assign_banks(b, fp.ifmap_banks, DataKind::Ifmap);
    }
    for (int s = 0; s < fp.weight_slots; ++s, b += fp.weight_banks) {
      weight_slot[static_cast<std::size_t>(s)] = b * bank;
      glb.assign_banks(b, fp.weight_banks, DataKind::Weight);
    }
    if (one_weight_slot()) weight_slot[1] = weight_slot[0];  // the index stays put
    psum_addr = b * bank;
    glb.assign_banks(b, fp.psum_banks, DataKind::Psum);
  }

  // DRAM blocks -> staging (one request per merged run), issued at `at`; returns when the last
  // arrives.
  sc_time read_blocks(const std::vector<DmaBlock>& blocks, DataKind kind, const sc_time& at) {
    std::int64_t total = 0;
    for (const DmaBlock& b : blocks) total += b.bytes;
    staging.resize(static_cast<std::size_t>(total / 2));
    sc_time done = at;
    auto* dst = reinterpret_cast<unsigned char*>(staging.data());
    for (const DmaRequest& r : dma_requests(blocks, top.arch_.dram.max_request_bytes)) {
      done = std::max(
          done, timed_access(top.to_dram, tlm::TLM_READ_COMMAND, r.addr, dst, r.bytes, kind, at));
      dst += r.bytes;
    }
    return done;
  }

  // Loads the pass's ifmap tile into the next slot: rows of each (image, channel) from DRAM,
  // stored channel-minor in the GLB. Returns when it is in.
  sc_time load_ifmap(const BlockPass& p, const InputRows& rows, const sc_time& at) {
    if (rows.rows == 0) return at;  // output rows whose windows lie in the padding only
    std::vector<DmaBlock> blocks;
    for (std::int64_t n = 0; n < p.nb; ++n)
      for (std::int64_t c = 0; c < p.cb; ++c)
        blocks.push_back({2 * ((((p.n0 + n) * l.C + p.g * Cg + p.c0 + c) * l.H + rows.h0) * l.W),
                          2 * rows.rows * l.W});
    const sc_time got = read_blocks(blocks, DataKind::Ifmap, at);
    tile.resize(staging.size());
    const std::int64_t plane = rows.rows * l.W;
    for (std::int64_t n = 0; n < p.nb; ++n)
      for (std::int64_t c = 0; c < p.cb; ++c)
        for (std::int64_t i = 0; i < plane; ++i)
          tile[static_cast<std::size_t>((n * plane + i) * p.cb + c)] =
              staging[static_cast<std::size_t>((n * p.cb + c) * plane + i)];
    const std::size_t s = static_cast<std::size_t>(ifmaps.current);
    return timed_access(top.to_glb, tlm::TLM_WRITE_COMMAND, ifmap_slot[s], tile.data(),
                        2 * static_cast<std::int64_t>(tile.size()), DataKind::Ifmap, got);
  }

  // Loads the pass's weight tile into the next slot, [m][r][s][c] in the GLB.
  sc_time load_weights(const BlockPass& p, const sc_time& at) {
    const std::int64_t RS = l.R * l.S;
    std::vector<DmaBlock> blocks;
    for (std::int64_t m = 0; m < p.mb; ++m)
      blocks.push_back({w_base + 2 * ((p.g * Mg + p.m0 + m) * Cg + p.c0) * RS, 2 * p.cb * RS});
    const sc_time got = read_blocks(blocks, DataKind::Weight, at);
    tile.resize(staging.size());
    for (std::int64_t m = 0; m < p.mb; ++m)
      for (std::int64_t c = 0; c < p.cb; ++c)
        for (std::int64_t k = 0; k < RS; ++k)
          tile[static_cast<std::size_t>((m * RS + k) * p.cb + c)] =
              staging[static_cast<std::size_t>((m * p.cb + c) * RS + k)];
    const std::size_t s = static_cast<std::size_t>(weights.current);
    return timed_access(top.to_glb, tlm::TLM_WRITE_COMMAND, weight_slot[s], tile.data(),
                        2 * static_cast<std::int64_t>(tile.size()), DataKind::Weight, got);
  }

  bool one_weight_slot() const { return fp.weight_slots == 1; }

  // Issues pass p's loads (those it needs) into the other slots: its ifmap tile, and its weight
  // tile unless `ifmap_only`.
  void issue_loads(const BlockPass& p, bool ifmap_only = false) {
    if (p.load_ifmap) {
      ifmaps.current ^= 1;
      const std::size_t s = static_cast<std::size_t>(ifmaps.current);
      const sc_time at = std::max({now(), dma_free, ifmaps.free[s]});
      ifmaps.ready[s] = load_ifmap(p, input_rows(l, p.e0, p.eb), at);
      dma_free = std::max(dma_free, ifmaps.ready[s]);
    }
    if (p.load_weights && !ifmap_only) {
      if (!one_weight_slot()) weights.current ^= 1;
      const std::size_t s = static_cast<std::size_t>(weights.current);
      const sc_time at = std::max({now(), dma_free, weights.free[s]});
      weights.ready[s] = load_weights(p, at);
      dma_free = std::max(dma_free, weights.ready[s]);
    }
  }

  // The finished block: psums out of the GLB, through the activation (ReLU, output width) to
  // DRAM, one block per (image, filter) run of output rows, merged into requests as loads are.
  void drain(const BlockPass& p, const sc_time& at) {
    const std::int64_t count = p.nb * p.eb * F * p.mb, run = p.eb * F;
    psums.resize(static_cast<std::size_t>(count * psum_bytes));
    const sc_time read = timed_access(top.to_glb, tlm::TLM_READ_COMMAND, psum_addr, psums.data(),
                                      count * psum_bytes, DataKind::Psum, at, 8 * psum_bytes);
    psum_free = read;
    staging.resize(static_cast<std::size_t>(count));  // [n][m][e][f], as DRAM holds it
    std::vector<DmaBlock> blocks;
    for (std::int64_t n = 0; n < p.nb; ++n)
      for (std::int64_t m = 0; m < p.mb; ++m) {
        for (std::int64_t i = 0; i < run; ++i) {
          const std::int64_t index = top.pe_array_->psums_filter_major() ? (m * p.nb + n) * run + i
                                                                         : (n * run + i) * p.mb + m;
          const Psum v = load_le(&psums[static_cast<std::size_t>(index * psum_bytes)],
                                 static_cast<std::size_t>(psum_bytes));
          staging[static_cast<std::size_t>((n * p.mb + m) * run + i)] = job.arith.to_ofmap(v);
        }
        blocks.push_back(
            {out_base + 2 * (((p.n0 + n) * l.M + p.g * Mg + p.m0 + m) * E + p.e0) * F, 2 * run});
      }
    const sc_time issue = std::max(read, dma_free);
    sc_time done = issue;
    for (const DmaRequest& r : dma_requests(blocks, top.arch_.dram.max_request_bytes)) {
      const std::size_t first = r.first * static_cast<std::size_t>(run);
      done = std::max(done, timed_access(top.to_dram, tlm::TLM_WRITE_COMMAND, r.addr,
                                         &staging[first], r.bytes, DataKind::Ofmap, issue));
    }
    dma_free = done;
  }

  sc_time run_pass(const BlockPass& p) {
    const std::size_t si = static_cast<std::size_t>(ifmaps.current),
                      sw = static_cast<std::size_t>(weights.current);
    sc_time start = std::max({array_free, ifmaps.ready[si], weights.ready[sw]});
    if (p.first_c) start = std::max(start, psum_free);
    const PassOperands op{
        p, input_rows(l, p.e0, p.eb), ifmap_slot[si], weight_slot[sw], psum_addr, tiling.step};
    top.trace_pass_.set(start, 1);
    const sc_time end = top.pe_array_->run_pass(l, job.arith, op, start);
    top.trace_pass_.set(end, 0);
    waiting += cycles(start - array_free);
    busy += cycles(end - start);
    array_free = ifmaps.free[si] = end;
    weights.free[sw] = one_weight_slot() ? top.pe_array_->weight_slot_read_by : end;
    return start;
  }

  // Runs `pass` on the tiles of its slots while the loads of `next` (if any) go to the others,
  // then drains its block if it is the block's last. With one weight slot, next's weight tile
  // is issued after the pass has read the slot (and before the drain).
  void run_with_next(const BlockPass& pass, const BlockPass* next) {
    const int ci = ifmaps.current, cw = weights.current;
    if (next) issue_loads(*next, one_weight_slot());
    const int ni = ifmaps.current, nw = weights.current;
    ifmaps.current = ci;
    weights.current = cw;
    const sc_time start = run_pass(pass);
    ifmaps.current = ni;
    weights.current = nw;
    if (next && one_weight_slot() && next->load_weights) {
      BlockPass weights_only = *next;
      weights_only.load_ifmap = false;
      issue_loads(weights_only);
    }
    if (pass.last_c) drain(pass, array_free);
    if (start > now()) sc_core::wait(start - now());
  }

  // The passes stream from the schedule with one of lookahead (a fine tiling has millions).
  void run() {
    dma_free = array_free = psum_free = now();
    ifmaps.free = weights.free = ifmaps.ready = weights.ready = {now(), now()};
    preload();
    BlockPass pending;
    bool have = false;
    for_each_block_pass(l, tiling, [&](const BlockPass& p) {
      if (have)
        run_with_next(pending, &p);
      else
        issue_loads(p);
      pending = p;
      have = true;
      return true;
    });
    run_with_next(pending, nullptr);
    const sc_time end = std::max(array_free, dma_free);
    if (end > now()) sc_core::wait(end - now());
  }
};

BlockArray::BlockArray(sc_core::sc_module_name name, const ArchConfig& arch, const GlbConfig& glb,
                       std::vector<LayerJob> jobs, Tracer* trace,
                       const PeArrayFactory& make_pe_array, EnergyTable table)
    : ArrayModel(name),
      to_dram("to_dram"),
      to_glb("to_glb"),
      arch_(arch),
      glb_cfg_(glb),
      energy_table_(std::move(table)),
      jobs_(std::move(jobs)),
      dram_(make_dram("dram", arch, trace)),
      cdc_("cdc", arch),
      glb_(make_sram("glb", glb, arch.core_period_ns(), trace, "glb")),
      pe_array_(make_pe_array()) {
  to_dram.bind(cdc_.from_core);
  cdc_.to_link.bind(dram_->target());
  to_glb.bind(glb_->target());
  pe_array_->to_glb.bind(glb_->target());
  trace_layer_ = TraceSignal(trace, "control", "layer", 16);
  trace_pass_ = TraceSignal(trace, "control", "pass_busy", 1);
  SC_HAS_PROCESS(BlockArray);
  SC_THREAD(run);
}

BlockArray::~BlockArray() = default;

void BlockArray::run() {
  try {
    for (std::size_t li = 0; li < jobs_.size(); ++li) {
      const LayerJob& job = jobs_[li];
      const Activity dram0 = dram_->activity, glb0 = glb_->activity;
      const DramDeviceWindow dram_device(*dram_);
      pe_array_->begin_layer(job.compute_outputs);
      const sc_time t0 = sc_core::sc_time_stamp();
      trace_layer_.set(t0, li);
      Controller ctl(*this, job);
      ctl.run();
      LayerOutcome out;
      LayerStats& s = out.stats;
      describe(s, job, arch_);
      s.seconds = (sc_core::sc_time_stamp() - t0).to_seconds();
      s.cycles = ctl.cycles(sc_core::sc_time_stamp() - t0);
      s.macs = pe_array_->macs;
      if (s.macs != job.layer.macs())
        throw SimulationError("layer " + job.layer.name + ": the PE array performed " +
                              std::to_string(s.macs) + " MACs, the layer has " +
                              std::to_string(job.layer.macs()));
      s.active_pes = pe_array_->max_active;
      s.utilization = utilization_of(s.macs, s.cycles, s.mac_units);
      s.unused_macs = s.cycles * s.num_pes - s.macs;
      s.passes = static_cast<std::int64_t>(block_dram_traffic(ctl.l, ctl.tiling).passes);
      s.cycle_breakdown = {{"array_busy", ctl.busy},
                           {"tile_wait", ctl.waiting},
                           {"drain", s.cycles - ctl.busy - ctl.waiting}};
      const Activity dram = dram_->activity - dram0, glb = glb_->activity - glb0;
      add_component(s, "dram", "dram", level_of(dram));
      add_component(s, "glb", "glb", level_of(glb));
      ActionCounts n(energy_table_);
      n.add(block_action::dram_bit, static_cast<double>(dram.total_bits()));
      n.add(block_action::glb_read, static_cast<double>(glb.total_read_bits()));
      n.add(block_action::glb_write, static_cast<double>(glb.total_write_bits()));
      n.add(energy_table_.find("idle"), s.seconds * 1e9);
      pe_array_->layer_stats(s, n);
      dram_device.finish(s, n, energy_table_);
      set_levels(s);
      set_energy(s, energy_table_, n);
      out.ofmap = Tensor4(job.layer.N, job.layer.M, job.layer.E(), job.layer.F());
      host_access(to_dram, tlm::TLM_READ_COMMAND, ctl.out_base, out.ofmap.data.data(),
                  2 * job.layer.ofmap_values());
      finish_layer(job, std::move(out));
    }
  } catch (...) {
    error_ = std::current_exception();
  }
}

}  // namespace dfsim
