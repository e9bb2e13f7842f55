#include "components/memory/global_buffer.hpp"

#include "base/config/component_registry.hpp"
#include "base/trace/tracer.hpp"

namespace dfsim {

using sc_core::sc_time;

namespace {

const bool registered = register_component(
    {"sram",
     "banked_sram",
     "banks of bank_width_bits per core cycle, in parallel; one data type per bank and layer",
     {},
     nullptr,
     SramFactory([](const char* name, const GlbConfig& cfg, double core_period_ns, Tracer* trace,
                    const std::string& scope) {
       return std::make_unique<GlobalBuffer>(name, cfg, core_period_ns, trace, scope);
     })});

}  // namespace

std::unique_ptr<SramModel> make_sram(const char* name, const GlbConfig& cfg, double core_period_ns,
                                     Tracer* trace, const std::string& trace_scope) {
  return make_component<SramModel, const char*, const GlbConfig&, double, Tracer*,
                        const std::string&>("sram", cfg.impl, name, cfg, core_period_ns, trace,
                                            trace_scope);
}

GlobalBuffer::GlobalBuffer(sc_core::sc_module_name name, const GlbConfig& cfg,
                           double core_period_ns, Tracer* trace, const std::string& trace_scope)
    : SramModel(name),
      socket("socket"),
      cfg_(cfg),
      period_(core_period_ns, sc_core::SC_NS),
      store_(static_cast<std::size_t>(cfg.size_bytes())),
      banks_(static_cast<std::size_t>(cfg.banks)),
      bank_kind_(static_cast<std::size_t>(cfg.banks), -1) {
  socket.register_b_transport(this, &GlobalBuffer::b_transport);
  socket.register_transport_dbg(this, &GlobalBuffer::transport_dbg);
  for (std::int64_t b = 0; b < cfg_.banks; ++b)
    trace_bank_.emplace_back(trace, trace_scope, "bank" + std::to_string(b) + "_busy", 1);
}

void GlobalBuffer::assign_banks(std::int64_t first, std::int64_t count, DataKind kind) {
  for (std::int64_t b = first; b < first + count; ++b) bank_kind_.at(b) = static_cast<int>(kind);
}

void GlobalBuffer::clear_assignment() { std::fill(bank_kind_.begin(), bank_kind_.end(), -1); }

// Host access (preload, read-back): no time, no energy.
unsigned int GlobalBuffer::transport_dbg(int, tlm::tlm_generic_payload& gp) {
  return store_.debug_copy(gp);
}

void GlobalBuffer::b_transport(int, tlm::tlm_generic_payload& gp, sc_time& delay) {
  const std::int64_t addr = static_cast<std::int64_t>(gp.get_address());
  const std::int64_t len = gp.get_data_length();
  DataTransfer& data = transfer_of(gp);
  if (addr < 0 || addr + len > size_bytes() || len == 0) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  const DataKind bank_type = data.kind;
  const sc_time now = sc_core::sc_time_stamp();
  sc_time first_start = sc_core::sc_max_time(), last_end = now + delay;
  for (std::int64_t b = addr / cfg_.bank_bytes; b * cfg_.bank_bytes < addr + len; ++b) {
    if (bank_kind_[b] != static_cast<int>(bank_type)) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    const std::int64_t lo = std::max(addr, b * cfg_.bank_bytes);
    const std::int64_t hi = std::min(addr + len, (b + 1) * cfg_.bank_bytes);
    const std::int64_t accesses = ((hi - lo) * 8 + cfg_.bank_width_bits - 1) / cfg_.bank_width_bits;
    const sc_time dur = period_ * static_cast<double>(accesses);
    const sc_time start = banks_[b].book(now + delay, dur);
    if (start < first_start) first_start = start;
    if (start + dur > last_end) last_end = start + dur;
    trace_bank_[b].busy(start, start + dur);
  }
  const std::int64_t bits = len * 8;
  store_.copy(gp);  // inside: checked above
  if (gp.is_read())
    activity.read(data.kind, bits);
  else
    activity.write(data.kind, bits);
  data.started = first_start;
  delay = last_end - now;
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace dfsim
