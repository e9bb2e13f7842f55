// A minimal array style used only by tests: one PE with a local buffer behind DRAM. It proves
// that a style compiles in without editing any shared file (docs/architecture.md, "Adding an
// array style", follows it step by step): its parameters, mapping, mapper, arithmetic and
// SystemC model live here and join the registry by name ("single_pe").
//
// Hardware: DRAM -> clock-domain crossing -> one PE with a buffer of `buffer_bytes` and
// `macs_per_cycle` multiply-accumulators.
// Dataflow: per image, the ifmap is loaded once; the output channels are processed in blocks of
// m_block filters (the mapping), each block's filters loaded while the previous block computes
// (double-buffered), its outputs written back after it.
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <sstream>
#include <systemc>
#include <tlm>

#include "arrays/array_model.hpp"
#include "arrays/array_style.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_model.hpp"
#include "components/memory/dma.hpp"
#include "components/memory/dram.hpp"

namespace dfsim {

// --- Parameters: `single_pe: {buffer_bytes, macs_per_cycle, mac_energy_pj}` ---

struct SinglePeParams {
  std::int64_t buffer_bytes = 0;
  std::int64_t macs_per_cycle = 1;
  double mac_energy_pj = 0;
};

SinglePeParams single_pe_params(const ArchConfig& a) {
  const ConfigNode n = a.node->at("single_pe");
  n.expect_keys({"buffer_bytes", "macs_per_cycle", "mac_energy_pj"});
  SinglePeParams p;
  p.buffer_bytes = n.get_int_min("buffer_bytes", 64);
  p.macs_per_cycle = n.get_int_min("macs_per_cycle", 1);
  p.mac_energy_pj = n.get_double_min("mac_energy_pj", 0.0);
  return p;
}

void parse_single_pe(const ConfigNode& root, ArchConfig& a) {
  if (a.pe_rows != 1 || a.pe_cols != 1) root.at("pe_array").fail("the single_pe array has 1x1 PE");
  single_pe_params(a);  // validates
}

void describe_single_pe(std::ostream& os, const ArchConfig& a) {
  const SinglePeParams p = single_pe_params(a);
  os << "arch " << a.name << " (" << a.array << "): 1 PE, " << p.macs_per_cycle
     << " MACs per cycle, buffer " << p.buffer_bytes << " B, core " << a.clocks.core_mhz
     << " MHz\n";
}

std::int64_t single_pe_storage_bytes(const ArchConfig& a) {
  return single_pe_params(a).buffer_bytes;
}

// --- Energy: the actions the model counts and the estimate predicts, priced once ---

namespace single_pe_action {
enum : ActionId { dram_bit, mac, idle };
}

EnergyTable single_pe_energy_table(const ArchConfig& a, const SinglePeParams& p) {
  EnergyTable t;
  add_dram_bits(t, a);
  t.add("pe.mac", "MAC", EnergyLevel::Mac, "single_pe.mac_energy_pj", p.mac_energy_pj);
  add_idle(t, a);
  return priced_by_energy_model(std::move(t), a);
}

// --- Mapping and estimate ---

struct SinglePeMapping {
  std::int64_t m_block = 1;  // output channels per block (within one conv group)
  bool pinned = false;
};
std::ostream& operator<<(std::ostream& os, const SinglePeMapping& m) {
  return os << "single PE, " << m.m_block << " filters per block" << (m.pinned ? " [pinned]" : "");
}
std::string to_yaml(const SinglePeMapping& m) {
  return "{m_block: " + std::to_string(m.m_block) + "}";
}
SinglePeMapping parse_single_pe_mapping(const ConfigNode& n) {
  n.expect_keys({"m_block"});
  SinglePeMapping m;
  m.m_block = n.get_int_min("m_block", 1);
  return m;
}

struct SinglePeEstimate {
  std::int64_t cycles = 0;
  double energy_pj = 0;
  PredictedTraffic traffic;
};

struct SinglePeResult {
  SinglePeMapping mapping;
  SinglePeEstimate estimate;
  std::int64_t candidates_evaluated = 0;
};
std::int64_t place_cycles_of(const SinglePeResult&, bool, bool) { return 0; }
std::string details_of(const SinglePeResult& r) {
  return ", DRAM reads " +
         std::to_string(static_cast<std::int64_t>(r.estimate.traffic.dram_read[0] +
                                                  r.estimate.traffic.dram_read[1])) +
         " B";
}

// Buffer bytes a mapping needs: the image, two filter blocks (one loading) and two output
// blocks (one draining), 16-bit values.
std::int64_t buffer_need(const Layer& l, std::int64_t m_block) {
  return 2 * (l.C * l.H * l.W + 2 * m_block * l.C_per_group() * l.R * l.S +
              2 * m_block * l.E() * l.F());
}

// The blocks of output channels in processing order: m_block at a time within each group.
struct Block {
  std::int64_t m0 = 0, count = 0;
};
std::vector<Block> blocks_of(const Layer& l, const SinglePeMapping& m) {
  std::vector<Block> out;
  for (std::int64_t g = 0; g < l.groups; ++g)
    for (std::int64_t k0 = 0; k0 < l.M_per_group(); k0 += m.m_block)
      out.push_back({g * l.M_per_group() + k0, std::min(m.m_block, l.M_per_group() - k0)});
  return out;
}

class SinglePeMapper {
 public:
  SinglePeMapper(const ArchConfig& arch, Objective objective)
      : arch_(arch),
        objective_(objective),
        p_(single_pe_params(arch)),
        energy_table_(single_pe_energy_table(arch, p_)) {}
  static Layer estimate_view(const Layer& layer) { return shape_of(layer); }

  std::vector<SinglePeResult> best(const Layer& l, std::size_t k) const {
    BestCandidates<SinglePeResult> found(k);
    std::int64_t evaluated = 0;
    for (std::int64_t mb = 1; mb <= l.M_per_group(); ++mb) {
      if (buffer_need(l, mb) > p_.buffer_bytes) break;
      const SinglePeResult r{{mb, false}, estimate(l, mb), ++evaluated};
      found.offer(
          score_of(objective_, arch_, energy_table_, r.estimate.cycles, r.estimate.energy_pj), r);
    }
    if (found.empty())
      throw ConfigError("layer '" + l.name + "' needs " + std::to_string(buffer_need(l, 1)) +
                        " B of buffer with one filter per block; the PE has " +
                        std::to_string(p_.buffer_bytes));
    std::vector<SinglePeResult> ranked = found.ranked();
    for (SinglePeResult& r : ranked) r.candidates_evaluated = evaluated;
    return ranked;
  }

  SinglePeResult evaluate_pinned(const Layer& l, SinglePeMapping m,
                                 const std::string& where) const {
    if (m.m_block > l.M_per_group() || buffer_need(l, m.m_block) > p_.buffer_bytes)
      throw ConfigError(where + ": m_block " + std::to_string(m.m_block) +
                        " exceeds the layer's filters per group or the buffer");
    m.pinned = true;
    return {m, estimate(l, m.m_block), 1};
  }

  // The style's priced actions and the parts that perform them.
  const EnergyTable& energy_table() const { return energy_table_; }

 private:
  // The model's schedule on a timeline (core cycles): per image the image, then per block the
  // next block's filters and the block's outputs, on a DRAM link that serves one request at a
  // time (whole bursts / link bytes per core cycle, plus the round trip).
  SinglePeEstimate estimate(const Layer& l, std::int64_t mb) const {
    const double per_byte = arch_.clocks.core_mhz / arch_.clocks.link_mhz /
                            (static_cast<double>(arch_.dram.bus_width_bits) / 8);
    const double latency = dram_round_trip_core_cycles(arch_);
    const std::vector<Block> order = blocks_of(l, {mb, false});
    const double w_per_m = 2.0 * l.C_per_group() * l.R * l.S, out_per_m = 2.0 * l.E() * l.F();
    double link = 0, pe = 0, end = 0;
    const double burst = static_cast<double>(arch_.dram.burst_bytes);
    auto request = [&](double at, double bytes) {  // whole bursts cross the link
      link = std::max(link, at) + std::ceil(bytes / burst) * burst * per_byte;
      return link + latency;
    };
    for (std::int64_t n = 0; n < l.N; ++n) {
      const double image = request(pe, 2.0 * l.C * l.H * l.W);
      double filters = request(pe, w_per_m * order[0].count);
      for (std::size_t j = 0; j < order.size(); ++j) {
        const double begin = std::max({pe, image, filters});
        if (j + 1 < order.size()) filters = request(begin, w_per_m * order[j + 1].count);
        pe = begin + std::ceil(static_cast<double>(order[j].count) * l.E() * l.F() *
                               l.C_per_group() * l.R * l.S / p_.macs_per_cycle);
        end = std::max(end, request(pe, out_per_m * order[j].count));
      }
    }
    SinglePeEstimate e;
    e.cycles = static_cast<std::int64_t>(std::ceil(end));
    const double bytes =
        2.0 * (l.N * l.C * l.H * l.W + l.N * l.weights() + l.N * l.M * l.E() * l.F());
    ActionCounts actions(energy_table_);
    actions.add(single_pe_action::dram_bit, bytes * 8);
    actions.add(single_pe_action::mac, static_cast<double>(l.macs()));
    e.energy_pj = sum_pj(energy_table_, actions);
    e.traffic.dram_read[0] = 2.0 * l.weights() * l.N;
    e.traffic.dram_read[1] = 2.0 * l.C * l.H * l.W * l.N;
    return e;
  }

  const ArchConfig& arch_;
  Objective objective_;
  SinglePeParams p_;
  const EnergyTable energy_table_;
};

// --- The SystemC model ---

class SinglePeArray : public ArrayModel {
 public:
  tlm_utils::simple_initiator_socket<SinglePeArray> to_dram;
  SinglePeArray(sc_core::sc_module_name name, const ArchConfig& arch, std::vector<LayerJob> jobs,
                Tracer* trace)
      : ArrayModel(name),
        to_dram("to_dram"),
        arch_(arch),
        p_(single_pe_params(arch)),
        jobs_(std::move(jobs)),
        dram_("dram", arch, trace),
        cdc_("cdc", arch) {
    to_dram.bind(cdc_.from_core);
    cdc_.to_link.bind(dram_.socket);
    SC_HAS_PROCESS(SinglePeArray);
    SC_THREAD(run);
  }
  // Dense operands and outputs: its timing never reads a value (it computes them anyway).
  static bool timing_needs_outputs(const ArchConfig&) { return false; }
  static GeometrySupport geometry_support() { return {}; }  // uniform layers only

 private:
  sc_core::sc_time period() const {
    return sc_core::sc_time(arch_.core_period_ns(), sc_core::SC_NS);
  }

  sc_core::sc_time transfer(tlm::tlm_command cmd, std::int64_t addr, void* data, std::int64_t bytes,
                            DataKind kind, const sc_core::sc_time& at) {
    Transaction t;
    t.setup(cmd, static_cast<std::uint64_t>(addr), static_cast<unsigned char*>(data),
            static_cast<std::size_t>(bytes));
    t.data().kind = kind;
    return timed_transport(to_dram.operator->(), t.gp(), at, to_dram.name());
  }

  // One block of filters [m0, m0 + mb) of image n: out[k][e][f], in the layer's arithmetic.
  void compute_block(const LayerJob& job, const std::vector<Value>& image,
                     const std::vector<Value>& filters, std::int64_t m0, std::int64_t mb,
                     std::vector<Psum>& out) const {
    const Layer& l = job.layer;
    const std::int64_t E = l.E(), F = l.F(), Cg = l.C_per_group(), g = m0 / l.M_per_group();
    out.assign(static_cast<std::size_t>(mb * E * F), 0);
    for (std::int64_t k = 0; k < mb; ++k)
      for (std::int64_t c = 0; c < Cg; ++c)
        for (std::int64_t r = 0; r < l.R; ++r)
          for (std::int64_t s = 0; s < l.S; ++s) {
            const Value w = filters[static_cast<std::size_t>(((k * Cg + c) * l.R + r) * l.S + s)];
            if (w == 0) continue;
            // Uniform layers only (geometry_support): U = stride, P = padding on every side.
            const std::int64_t U = l.stride_h, P = l.pad_top;
            const std::int64_t f0 = std::max<std::int64_t>(0, (P - s + U - 1) / U);
            const std::int64_t last = l.W - 1 + P - s;  // largest f * stride
            if (last < 0) continue;
            const std::int64_t f1 = std::min(F, last / U + 1);
            if (f1 <= f0) continue;
            for (std::int64_t e = 0; e < E; ++e) {
              const std::int64_t h = e * U - P + r;
              if (h < 0 || h >= l.H) continue;
              const Value* in =
                  &image[static_cast<std::size_t>(((g * Cg + c) * l.H + h) * l.W + f0 * U - P + s)];
              mac_row(&out[static_cast<std::size_t>((k * E + e) * F + f0)], in, U, w,
                      job.arith.product_shift, f1 - f0);
            }
          }
  }

  // Runs one layer from `start`; returns when its last output is in DRAM. The DRAM serves
  // requests in the order they are issued: per image the image, then per block the next
  // block's filters (requested as the block starts) before the block's outputs.
  sc_core::sc_time run_layer(const LayerJob& job, Tensor4& ofmap, sc_core::sc_time start,
                             std::int64_t& blocks) {
    const Layer& l = job.layer;
    const std::vector<Block> order = blocks_of(l, result_of<SinglePeResult>(*job.mapping).mapping);
    const std::int64_t in_values = l.C * l.H * l.W, w_values = l.C_per_group() * l.R * l.S;
    const std::int64_t w_base = 2 * l.N * in_values, out_base = w_base + 2 * l.weights();
    dram_.grow(static_cast<std::size_t>(out_base + 2 * l.N * l.M * l.E() * l.F()));
    const LayerData& d = job.operands();
    host_access(to_dram, tlm::TLM_WRITE_COMMAND, 0, const_cast<Value*>(d.ifmap.data.data()),
                w_base);
    host_access(to_dram, tlm::TLM_WRITE_COMMAND, w_base, const_cast<Value*>(d.weights.data.data()),
                2 * l.weights());
    std::vector<Value> image(static_cast<std::size_t>(in_values)), out;
    std::vector<std::vector<Value>> filters(2);  // double-buffered
    std::vector<Psum> psums;
    auto load_filters = [&](std::size_t j, const sc_core::sc_time& at) {
      std::vector<Value>& f = filters[j % 2];
      f.resize(static_cast<std::size_t>(order[j].count * w_values));
      return transfer(tlm::TLM_READ_COMMAND, w_base + 2 * order[j].m0 * w_values, f.data(),
                      2 * order[j].count * w_values, DataKind::Weight, at);
    };
    sc_core::sc_time pe_free = start, end = start;
    for (std::int64_t n = 0; n < l.N; ++n) {
      const sc_core::sc_time image_ready =
          transfer(tlm::TLM_READ_COMMAND, 2 * n * in_values, image.data(), 2 * in_values,
                   DataKind::Ifmap, pe_free);
      sc_core::sc_time w_ready = load_filters(0, pe_free);
      for (std::size_t j = 0; j < order.size(); ++j, ++blocks) {
        const sc_core::sc_time begin = std::max({pe_free, image_ready, w_ready});
        if (j + 1 < order.size()) w_ready = load_filters(j + 1, begin);
        compute_block(job, image, filters[j % 2], order[j].m0, order[j].count, psums);
        // Every (output, tap) pair takes a MAC slot, zero or not.
        const std::int64_t macs = static_cast<std::int64_t>(psums.size()) * w_values;
        pe_free = begin + period() * static_cast<double>((macs + p_.macs_per_cycle - 1) /
                                                         p_.macs_per_cycle);
        out.resize(psums.size());
        for (std::size_t i = 0; i < psums.size(); ++i) out[i] = job.arith.to_ofmap(psums[i]);
        const std::int64_t o = out_base + 2 * (n * l.M + order[j].m0) * l.E() * l.F();
        end = std::max(
            end, transfer(tlm::TLM_WRITE_COMMAND, o, out.data(),
                          2 * static_cast<std::int64_t>(out.size()), DataKind::Ofmap, pe_free));
      }
    }
    ofmap = Tensor4(l.N, l.M, l.E(), l.F());
    host_access(to_dram, tlm::TLM_READ_COMMAND, out_base, ofmap.data.data(),
                2 * static_cast<std::int64_t>(ofmap.data.size()));
    return end;
  }

  void run() {
    try {
      for (const LayerJob& job : jobs_) {
        const Activity dram0 = dram_.activity;
        const sc_core::sc_time t0 = sc_core::sc_time_stamp();
        LayerOutcome o;
        std::int64_t blocks = 0;
        const sc_core::sc_time end = run_layer(job, o.ofmap, t0, blocks);
        sc_core::wait(end - t0);
        LayerStats& s = o.stats;
        describe(s, job, arch_);
        s.seconds = (end - t0).to_seconds();
        s.cycles = static_cast<std::int64_t>(std::ceil((end - t0) / period() - 1e-9));
        s.macs = job.layer.macs();
        s.active_pes = 1;
        s.utilization = utilization_of(s.macs, s.cycles, p_.macs_per_cycle);
        s.passes = blocks;
        s.unused_macs = s.cycles * p_.macs_per_cycle - s.macs;
        const Activity dram = dram_.activity - dram0;
        add_component(s, "dram", "dram", level_of(dram));
        set_levels(s);
        const EnergyTable table = single_pe_energy_table(arch_, p_);
        ActionCounts actions(table);
        actions.add(single_pe_action::dram_bit, static_cast<double>(dram.total_bits()));
        actions.add(single_pe_action::mac, static_cast<double>(s.macs));
        actions.add(single_pe_action::idle, s.seconds * 1e9);
        set_energy(s, table, actions);
        finish_layer(job, std::move(o));
      }
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  const ArchConfig arch_;  // a copy, as the shipped models keep
  const SinglePeParams p_;
  std::vector<LayerJob> jobs_;
  Dram dram_;
  ClockDomainCrossing cdc_;
};

namespace {

using SinglePeStyle = MapperStyle<SinglePeMapper, SinglePeArray, parse_single_pe_mapping>;

const bool registered =
    register_array_style("single_pe", std::make_unique<StyleDescriptor<SinglePeStyle>>(
                                          std::vector<std::string>{"single_pe"}, parse_single_pe,
                                          describe_single_pe, single_pe_storage_bytes));

}  // namespace

}  // namespace dfsim
