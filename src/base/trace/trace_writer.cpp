#include "base/trace/trace_writer.hpp"

#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <queue>
#include <stdexcept>

#include "base/text.hpp"

namespace dfsim {

namespace {

constexpr std::uint32_t kDelta = 0x80000000u;

std::string vcd_code(std::size_t i) {
  std::string s;
  do {
    s += static_cast<char>('!' + i % 94);
    i /= 94;
  } while (i);
  return s;
}

std::string binary(std::uint64_t v, int width) {
  std::string s;
  for (int b = width - 1; b >= 0; --b) s += ((v >> b) & 1) ? '1' : '0';
  const auto first = s.find('1');
  return first == std::string::npos ? "0" : s.substr(first);
}

bool matches_any(const std::vector<std::string>& globs, const std::string& name) {
  for (const std::string& g : globs)
    if (fnmatch(g.c_str(), name.c_str(), 0) == 0) return true;
  return false;
}

bool earlier(const TraceWriter::Event& a, const TraceWriter::Event& b) {
  return a.time_ps != b.time_ps ? a.time_ps < b.time_ps : a.seq < b.seq;
}

// Microseconds with picosecond digits, as trace-event JSON wants them.
std::string us(std::uint64_t ps) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%" PRIu64 ".%06" PRIu64, ps / 1000000, ps % 1000000);
  return buf;
}

// One sorted sequence of events: a spilled chunk read back in blocks, or one in memory.
class RunReader {
 public:
  // `size` events from event `offset` of the spill file.
  RunReader(std::FILE* f, std::size_t offset, std::size_t size)
      : file_(f), offset_(offset), left_(size) {}
  explicit RunReader(const std::vector<TraceWriter::Event>* v) : memory_(v), left_(v->size()) {}

  bool next(TraceWriter::Event& e) {
    if (memory_) {
      if (pos_ >= memory_->size()) return false;
      e = (*memory_)[pos_++];
      return true;
    }
    if (pos_ == block_.size() && !refill()) return false;
    e = block_[pos_++];
    return true;
  }

 private:
  bool refill() {
    if (left_ == 0) return false;
    // Blocks of 4096 events (96 KiB) per chunk: the merge's memory grows slowly with chunks.
    block_.resize(std::min<std::size_t>(left_, 4096));
    if (fseeko(file_, static_cast<off_t>(offset_ * sizeof(TraceWriter::Event)), SEEK_SET) != 0 ||
        std::fread(block_.data(), sizeof(TraceWriter::Event), block_.size(), file_) !=
            block_.size())
      throw std::runtime_error("trace: the temporary file could not be read back");
    offset_ += block_.size();
    left_ -= block_.size();
    pos_ = 0;
    return true;
  }

  std::FILE* file_ = nullptr;
  const std::vector<TraceWriter::Event>* memory_ = nullptr;
  std::size_t offset_ = 0, left_ = 0, pos_ = 0;
  std::vector<TraceWriter::Event> block_;
};

// A file written under a temporary name and renamed into place by commit(): a reader never
// sees a partial file.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {
    out_.open(tmp_, std::ios::binary);
    if (!out_) throw std::runtime_error(path_ + ": cannot open the trace file for writing");
  }
  ~AtomicFile() {
    if (committed_) return;
    out_.close();
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
  }
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  std::ofstream& out() { return out_; }
  void commit() {
    out_.close();
    if (!out_) throw std::runtime_error(path_ + ": error while writing the trace file");
    std::filesystem::rename(tmp_, path_);
    committed_ = true;
  }

 private:
  std::string path_, tmp_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace

TraceWriter::TraceWriter(TraceOptions options, std::vector<std::string> layer_names,
                         std::uint64_t units_per_ps)
    : options_(std::move(options)),
      layer_names_(std::move(layer_names)),
      units_per_ps_(units_per_ps ? units_per_ps : 1) {
  // Event::seq numbers a chunk's events in 32 bits.
  options_.buffer_events = std::clamp<std::size_t>(options_.buffer_events, 1, std::size_t{1} << 31);
  chunk_.reserve(std::min<std::size_t>(options_.buffer_events, std::size_t{1} << 16));
  // Before the first layer sets control.layer, record as for the first layer.
  const auto& l = options_.layers;
  recording_ = l.empty() ||
               (!layer_names_.empty() && std::find(l.begin(), l.end(), layer_names_[0]) != l.end());
}

TraceWriter::~TraceWriter() {
  if (spill_) std::fclose(spill_);
}

int TraceWriter::add_signal(const std::string& scope, const std::string& name, int width) {
  Signal s;
  s.scope = scope;
  s.name = name;
  s.width = width;
  const std::string full = scope + "." + name;
  const auto& g = options_.signals;
  s.in_vcd = !options_.vcd_file.empty() && (g.empty() || matches_any(g, full));
  s.in_json = !options_.json_file.empty() &&
              (g.empty() ? scope == "control" || scope == "dram" : matches_any(g, full));
  signals_.push_back(s);
  const int id = static_cast<int>(signals_.size() - 1);
  if (scope == "control" && name == "layer") layer_signal_ = id;
  before_window_.push_back({0, 0, 0, 0});
  while_paused_.push_back({0, 0, 0, 0});
  return id;
}

std::vector<std::string> TraceWriter::signal_names() const {
  std::vector<std::string> out;
  for (const Signal& s : signals_) out.push_back(s.scope + "." + s.name);
  return out;
}

void TraceWriter::busy(int id, std::uint64_t start, std::uint64_t end) {
  Signal& s = signals_[static_cast<std::size_t>(id)];
  if (!recording_ || !(s.in_vcd || s.in_json)) return;
  std::uint64_t a = std::max(start / units_per_ps_, options_.window_from_ps);
  std::uint64_t b = std::min(end / units_per_ps_, options_.window_to_ps);
  if (b <= a) return;
  if (s.width != 1) {
    record_interval(id, a, b);
    return;
  }
  // Touching or overlapping 1-bit intervals have the same waveform as their union.
  if (s.pending && a <= s.pending_end && b >= s.pending_start) {
    s.pending_start = std::min(s.pending_start, a);
    s.pending_end = std::max(s.pending_end, b);
    return;
  }
  if (s.pending) record_interval(id, s.pending_start, s.pending_end);
  s.pending = true;
  s.pending_start = a;
  s.pending_end = b;
}

void TraceWriter::set(int id, std::uint64_t time, std::uint64_t value) {
  const std::uint64_t t = time / units_per_ps_;
  if (id == layer_signal_) {
    const bool was = recording_;
    recording_ =
        options_.layers.empty() ||
        (value < layer_names_.size() && std::find(options_.layers.begin(), options_.layers.end(),
                                                  layer_names_[value]) != options_.layers.end());
    if (recording_ && !was) resume(t);
  }
  const Signal& s = signals_[static_cast<std::size_t>(id)];
  if (!(s.in_vcd || s.in_json) || t > options_.window_to_ps) return;
  const auto v = static_cast<std::int64_t>(value);
  const bool paused = !recording_ && id != layer_signal_;
  if (paused || t < options_.window_from_ps) {  // the value it has when recording resumes
    Event& last = (paused ? while_paused_ : before_window_)[static_cast<std::size_t>(id)];
    if (last.seq == 0 || t >= last.time_ps) last = {t, v, static_cast<std::uint32_t>(id), 1};
    return;
  }
  record(t, v, id, false);
}

// Recording resumes at `time_ps`: the values set meanwhile, as they stand.
void TraceWriter::resume(std::uint64_t time_ps) {
  const std::uint64_t t = std::max(time_ps, options_.window_from_ps);
  for (Event& e : while_paused_) {
    if (e.seq == 0) continue;
    if (t <= options_.window_to_ps) record(t, e.value, static_cast<int>(e.id), false);
    e.seq = 0;
  }
}

void TraceWriter::record_interval(int id, std::uint64_t start_ps, std::uint64_t end_ps) {
  record(start_ps, +1, id, true);
  record(end_ps, -1, id, true);
}

void TraceWriter::record(std::uint64_t time_ps, std::int64_t value, int id, bool delta) {
  chunk_.push_back({time_ps, value, static_cast<std::uint32_t>(id) | (delta ? kDelta : 0),
                    static_cast<std::uint32_t>(chunk_.size())});
  ++recorded_;
  if (chunk_.size() >= options_.buffer_events) spill();
}

namespace {

// One temporary file in $TMPDIR (else /tmp), unlinked at once, for every chunk.
std::FILE* open_spill_file() {
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir && *dir ? dir : "/tmp") + "/dfsim_trace_XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0)
    throw std::runtime_error("trace: cannot create a temporary file in " +
                             path.substr(0, path.rfind('/')) + " to spill events to (set TMPDIR)");
  unlink(path.c_str());
  std::FILE* f = fdopen(fd, "w+b");
  if (!f) close(fd);
  return f;
}

}  // namespace

void TraceWriter::spill() {
  std::sort(chunk_.begin(), chunk_.end(), earlier);
  if (!spill_) spill_ = open_spill_file();
  if (!spill_ || fseeko(spill_, 0, SEEK_END) != 0 ||
      std::fwrite(chunk_.data(), sizeof(Event), chunk_.size(), spill_) != chunk_.size())
    throw std::runtime_error("trace: cannot write events to the temporary file (disk full?)");
  run_sizes_.push_back(chunk_.size());
  chunk_.clear();
}

void TraceWriter::flush_pending() {
  for (std::size_t i = 0; i < signals_.size(); ++i)
    if (signals_[i].pending) {
      record_interval(static_cast<int>(i), signals_[i].pending_start, signals_[i].pending_end);
      signals_[i].pending = false;
    }
}

namespace {

using Signals = std::vector<TraceWriter::Signal>;

void write_vcd_header(std::ostream& out, const Signals& signals) {
  out << "$date dfsim $end\n$version dfsim " << DFSIM_VERSION << " $end\n$timescale 1ps $end\n";
  std::vector<std::string> scopes;  // in order of first appearance
  for (const auto& s : signals)
    if (s.in_vcd && std::find(scopes.begin(), scopes.end(), s.scope) == scopes.end())
      scopes.push_back(s.scope);
  out << "$scope module dfsim $end\n";
  for (const auto& sc : scopes) {
    out << "$scope module " << sc << " $end\n";
    for (const auto& s : signals)
      if (s.in_vcd && s.scope == sc)
        out << "$var wire " << s.width << " " << s.code << " " << s.name << " $end\n";
    out << "$upscope $end\n";
  }
  out << "$upscope $end\n$enddefinitions $end\n$dumpvars\n";
  for (const auto& s : signals)
    if (s.in_vcd) out << (s.width == 1 ? "0" : "b0 ") << s.code << "\n";
  out << "$end\n";
}

// The trace-event JSON: 1-bit signals as complete events ("X") per busy interval, control
// values as spans from one set to the next (layers by name), other values as counters ("C").
class JsonTrace {
 public:
  JsonTrace(std::ostream& out, const Signals& signals, const std::vector<std::string>& layers)
      : out_(out),
        signals_(signals),
        layers_(layers),
        open_(signals.size(), 0),
        value_(signals.size(), 0),
        pid_(signals.size(), 0) {
    out_ << "{\"displayTimeUnit\": \"ns\", \"traceEvents\": [\n";
    std::vector<std::string> scopes;
    for (std::size_t i = 0; i < signals_.size(); ++i) {
      if (!signals_[i].in_json) continue;
      auto it = std::find(scopes.begin(), scopes.end(), signals_[i].scope);
      if (it == scopes.end()) {
        scopes.push_back(signals_[i].scope);
        it = scopes.end() - 1;
        emit("{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": " +
             std::to_string(scopes.size()) +
             ", \"args\": {\"name\": " + json_quote(signals_[i].scope) + "}}");
      }
      pid_[i] = static_cast<int>(it - scopes.begin()) + 1;
      emit("{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": " + std::to_string(pid_[i]) +
           ", \"tid\": " + std::to_string(i) +
           ", \"args\": {\"name\": " + json_quote(signals_[i].name) + "}}");
    }
  }

  // A value set on a control signal: the previous span ends, a new one starts.
  void control_set(std::size_t id, std::uint64_t t, std::int64_t v) {
    if (!is_span(id)) return;
    close(id, t);
    open_[id] = t + 1;  // +1: 0 means closed
    value_[id] = v;
  }
  // A shown value changed (not for spans).
  void changed(std::size_t id, std::uint64_t t, std::int64_t v) {
    const auto& s = signals_[id];
    if (!s.in_json || is_span(id)) return;
    if (s.width != 1) {
      emit("{\"name\": " + json_quote(s.scope + "." + s.name) +
           ", \"ph\": \"C\", \"pid\": " + std::to_string(pid_[id]) + ", \"ts\": " + us(t) +
           ", \"args\": {\"value\": " + std::to_string(v) + "}}");
    } else if (v) {
      open_[id] = t + 1;
    } else {
      close(id, t);
    }
  }
  void finish(std::uint64_t end) {
    for (std::size_t id = 0; id < signals_.size(); ++id) close(id, end);
    out_ << "\n]}\n";
  }

 private:
  bool is_span(std::size_t id) const {
    return signals_[id].in_json && signals_[id].width > 1 && signals_[id].scope == "control";
  }
  std::string label(std::size_t id) const {
    const auto& s = signals_[id];
    const std::int64_t v = value_[id];
    if (s.width == 1) return s.name;
    if (s.name == "layer" && v >= 0 && static_cast<std::size_t>(v) < layers_.size())
      return layers_[static_cast<std::size_t>(v)];
    return s.name + " " + std::to_string(v);
  }
  void close(std::size_t id, std::uint64_t t) {
    if (open_[id] == 0) return;
    const std::uint64_t start = open_[id] - 1;
    open_[id] = 0;
    emit("{\"name\": " + json_quote(label(id)) + ", \"ph\": \"X\", \"pid\": " +
         std::to_string(pid_[id]) + ", \"tid\": " + std::to_string(id) + ", \"ts\": " + us(start) +
         ", \"dur\": " + us(t - start) + "}");
  }
  void emit(const std::string& event) {
    out_ << (first_ ? "" : ",\n") << event;
    first_ = false;
  }

  std::ostream& out_;
  const Signals& signals_;
  const std::vector<std::string>& layers_;
  std::vector<std::uint64_t> open_;  // start + 1 of the open interval or span; 0: none
  std::vector<std::int64_t> value_;
  std::vector<int> pid_;
  bool first_ = true;
};

// Applies the events of one timestamp; writes the VCD changes and feeds the JSON.
struct Replay {
  const Signals& signals;
  std::ostream* vcd;
  JsonTrace* json;
  std::vector<std::int64_t> level, shown;
  std::vector<std::size_t> touched;

  void at(std::uint64_t t, const std::vector<TraceWriter::Event>& events) {
    touched.clear();
    for (const TraceWriter::Event& e : events) {
      const std::size_t id = e.id & ~kDelta;
      const bool delta = (e.id & kDelta) != 0;
      level[id] = delta ? level[id] + e.value : e.value;
      if (!delta && json) json->control_set(id, t, e.value);
      touched.push_back(id);
    }
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    bool stamped = false;
    for (std::size_t id : touched) {
      const auto& s = signals[id];
      const std::int64_t v = s.width == 1 ? (level[id] > 0 ? 1 : 0) : level[id];
      if (v == shown[id]) continue;
      shown[id] = v;
      if (json) json->changed(id, t, v);
      if (!vcd || !s.in_vcd) continue;
      if (!stamped) *vcd << "#" << t << "\n";
      stamped = true;
      if (s.width == 1)
        *vcd << v << s.code << "\n";
      else
        *vcd << "b" << binary(static_cast<std::uint64_t>(v), s.width) << " " << s.code << "\n";
    }
  }
};

// k-way merge of the sorted sources into `replay`, one timestamp at a time: ties in time go by
// source (the chunks in recording order), then position. Returns the last time.
std::uint64_t merge(std::vector<RunReader>& sources, Replay& replay) {
  using Head = std::pair<TraceWriter::Event, std::size_t>;
  auto later = [](const Head& a, const Head& b) {
    if (a.first.time_ps != b.first.time_ps) return a.first.time_ps > b.first.time_ps;
    return a.second != b.second ? a.second > b.second : a.first.seq > b.first.seq;
  };
  std::priority_queue<Head, std::vector<Head>, decltype(later)> heads(later);
  for (std::size_t i = 0; i < sources.size(); ++i) {
    TraceWriter::Event e{};
    if (sources[i].next(e)) heads.push({e, i});
  }
  std::vector<TraceWriter::Event> now;
  std::uint64_t last = 0;
  while (!heads.empty()) {
    const std::uint64_t t = heads.top().first.time_ps;
    now.clear();
    while (!heads.empty() && heads.top().first.time_ps == t) {
      const auto [e, i] = heads.top();
      heads.pop();
      now.push_back(e);
      TraceWriter::Event next{};
      if (sources[i].next(next)) heads.push({next, i});
    }
    replay.at(t, now);
    last = t;
  }
  return last;
}

}  // namespace

void TraceWriter::write(std::uint64_t end) {
  flush_pending();
  std::sort(chunk_.begin(), chunk_.end(), earlier);
  std::size_t vcd_index = 0;
  for (Signal& s : signals_)
    if (s.in_vcd) s.code = vcd_code(vcd_index++);
  std::vector<Event> initial;  // values set before the window, first at its start
  for (const Event& e : before_window_)
    if (e.seq != 0) initial.push_back({options_.window_from_ps, e.value, e.id, 0});
  std::vector<RunReader> sources;
  sources.emplace_back(&initial);
  if (spill_ && std::fflush(spill_) != 0)
    throw std::runtime_error("trace: cannot write events to the temporary file (disk full?)");
  std::size_t offset = 0;
  for (const std::size_t size : run_sizes_) {
    sources.emplace_back(spill_, offset, size);
    offset += size;
  }
  sources.emplace_back(&chunk_);

  std::unique_ptr<AtomicFile> vcd, json;
  if (!options_.vcd_file.empty()) vcd = std::make_unique<AtomicFile>(options_.vcd_file);
  if (!options_.json_file.empty()) json = std::make_unique<AtomicFile>(options_.json_file);
  if (vcd) write_vcd_header(vcd->out(), signals_);
  std::unique_ptr<JsonTrace> js;
  if (json) js = std::make_unique<JsonTrace>(json->out(), signals_, layer_names_);
  Replay replay{signals_,
                vcd ? &vcd->out() : nullptr,
                js.get(),
                std::vector<std::int64_t>(signals_.size(), 0),
                std::vector<std::int64_t>(signals_.size(), 0),
                {}};

  const std::uint64_t last = merge(sources, replay);
  // Spans end with the simulation (clipped to the window), never before the last event.
  if (js) js->finish(std::max(last, std::min(end / units_per_ps_, options_.window_to_ps)));
  if (vcd) vcd->commit();
  if (json) json->commit();
}

}  // namespace dfsim
