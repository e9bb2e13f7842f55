// What components trace through. A component registers its signals once, in its constructor,
// as TraceSignal members; it then reports busy intervals and values at SystemC times. Without
// a tracer (a run without --vcd) a TraceSignal ignores every call, so models carry no
// `if (tracing)` branches. TraceWriter (base/trace/trace_writer.hpp) is the implementation.
#pragma once

#include <cstdint>
#include <string>
#include <systemc>

namespace dfsim {

// A signal is driven either by busy intervals or by set values, never both (a 1-bit signal's
// intervals are merged before they are recorded).
class Tracer {
 public:
  virtual ~Tracer() = default;
  // A signal `scope.name`, `width` bits wide; returns its handle.
  virtual int add_signal(const std::string& scope, const std::string& name, int width) = 0;
  // Busy from start to end (SystemC time units); overlapping intervals of one signal stack.
  virtual void busy(int id, std::uint64_t start, std::uint64_t end) = 0;
  // A value from `time` on.
  virtual void set(int id, std::uint64_t time, std::uint64_t value) = 0;
};

// One registered signal, or nothing when there is no tracer.
class TraceSignal {
 public:
  TraceSignal() = default;
  TraceSignal(Tracer* tracer, const std::string& scope, const std::string& name, int width)
      : tracer_(tracer), id_(tracer ? tracer->add_signal(scope, name, width) : -1) {}

  void busy(const sc_core::sc_time& start, const sc_core::sc_time& end) const {
    if (tracer_) tracer_->busy(id_, ticks(start), ticks(end));
  }
  void set(const sc_core::sc_time& at, std::uint64_t value) const {
    if (tracer_) tracer_->set(id_, ticks(at), value);
  }

 private:
  static std::uint64_t ticks(const sc_core::sc_time& t) {
    return static_cast<std::uint64_t>(t.value());
  }
  Tracer* tracer_ = nullptr;
  int id_ = -1;
};

}  // namespace dfsim
