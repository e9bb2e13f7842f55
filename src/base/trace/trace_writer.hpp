// Traces of a run: a VCD waveform and a Chrome/Perfetto trace-event JSON, built from the
// loosely-timed models' annotated times. Events arrive out of time order (temporal decoupling),
// so they are buffered, sorted in chunks of TraceOptions::buffer_events and spilled to temporary
// files, and merged when the files are written: memory stays bounded by the chunk, whatever the
// run's length. What is recorded can be narrowed to some signals, some layers and a time window.
#pragma once

#include <cstdint>
#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "base/trace/tracer.hpp"

namespace dfsim {

struct TraceOptions {
  std::string vcd_file;   // a VCD waveform (picoseconds), when set
  std::string json_file;  // a trace-event JSON (microseconds) for Perfetto / chrome://tracing
  // fnmatch globs over `scope.name` (e.g. `dram.*`, `pe_array.pe1?_busy`); a signal is traced
  // when one matches. Empty: every signal in the VCD; in the JSON, `control.*` and `dram.*`.
  std::vector<std::string> signals;
  std::vector<std::string> layers;  // names of the layers to record; empty: all
  // Only events in [from, to] picoseconds (busy intervals clipped to it).
  std::uint64_t window_from_ps = 0;
  std::uint64_t window_to_ps = std::numeric_limits<std::uint64_t>::max();
  std::size_t buffer_events = std::size_t{1} << 22;  // 96 MiB of events in memory at most
  bool enabled() const { return !vcd_file.empty() || !json_file.empty(); }
};

class TraceWriter : public Tracer {
 public:
  // Times passed in are in units of 1/units_per_ps picoseconds (the SystemC resolution).
  // `layer_names`: the run's layers in order (control.layer's values index it).
  TraceWriter(TraceOptions options, std::vector<std::string> layer_names,
              std::uint64_t units_per_ps = 1);
  ~TraceWriter() override;
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  int add_signal(const std::string& scope, const std::string& name, int width) override;
  // Busy from start to end; overlapping intervals of one signal stack (a 1-bit signal shows 1
  // while one covers the time; touching or overlapping 1-bit intervals are recorded as one).
  void busy(int id, std::uint64_t start, std::uint64_t end) override;
  // A value from `time` on. control.layer's value switches recording for --trace-layers; the
  // values set while recording is off are written, as they stand, when it resumes.
  void set(int id, std::uint64_t time, std::uint64_t value) override;
  // Writes the files (each through a temporary file renamed into place), the spans still open
  // ending at `end` (the simulation's end, in the units above); throws std::runtime_error
  // naming the path if one cannot be written.
  void write(std::uint64_t end);
  // Events recorded (after filtering and merging of 1-bit intervals), for benchmarks.
  std::uint64_t events() const { return recorded_; }
  // Every registered signal as scope.name.
  std::vector<std::string> signal_names() const;

  struct Signal {
    std::string scope, name, code;
    int width = 1;
    bool in_vcd = true, in_json = false;
    bool pending = false;  // a 1-bit interval not yet recorded
    std::uint64_t pending_start = 0, pending_end = 0;
  };
  struct Event {
    std::uint64_t time_ps;
    std::int64_t value;  // busy: +1 / -1
    std::uint32_t id;    // top bit: busy (a delta), else a value
    std::uint32_t seq;   // order within the chunk
  };

 private:
  void record(std::uint64_t time_ps, std::int64_t value, int id, bool delta);
  void record_interval(int id, std::uint64_t start_ps, std::uint64_t end_ps);
  void spill();
  void flush_pending();

  TraceOptions options_;
  std::vector<std::string> layer_names_;
  std::uint64_t units_per_ps_;
  std::vector<Signal> signals_;
  std::vector<Event> chunk_;
  std::FILE* spill_ = nullptr;  // sorted chunks, one after another (removed when closed)
  std::vector<std::size_t> run_sizes_;
  int layer_signal_ = -1;
  bool recording_ = true;
  std::uint64_t recorded_ = 0;
  // Per signal: the last value set before the window (written at its start), and the last
  // value set while recording was off (written when it resumes); seq 0: none.
  std::vector<Event> before_window_, while_paused_;
  void resume(std::uint64_t time_ps);
};

}  // namespace dfsim
