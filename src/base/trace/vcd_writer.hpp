// A VCD waveform built from the loosely-timed models' annotated times. Events arrive out of
// time order (temporal decoupling), so they are buffered and sorted when the file is written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/trace/tracer.hpp"

namespace dfsim {

class VcdWriter : public Tracer {
 public:
  // Times passed in are in units of 1/units_per_ps picoseconds (the SystemC resolution); the
  // file is written in picoseconds.
  explicit VcdWriter(std::uint64_t units_per_ps = 1)
      : units_per_ps_(units_per_ps ? units_per_ps : 1) {}
  // A signal `scope.name` `width` bits wide; returns its handle.
  int add_signal(const std::string& scope, const std::string& name, int width) override;
  // Busy from start to end (in the units above); overlapping intervals of one signal stack.
  void busy(int id, std::uint64_t start, std::uint64_t end) override;
  // Sets a value at a time.
  void set(int id, std::uint64_t time, std::uint64_t value) override;
  // Writes the file; throws std::runtime_error naming the path if it cannot.
  void write(const std::string& path) const;
  std::size_t events() const { return events_.size(); }

 private:
  struct Signal {
    std::string scope, name, code;
    int width;
  };
  struct Event {
    std::uint64_t time_ps;
    std::uint64_t seq;
    int id;
    std::int64_t value;  // for busy signals: +1 / -1
    bool is_delta;
  };
  std::uint64_t units_per_ps_;
  std::vector<Signal> signals_;
  std::vector<Event> events_;
};

}  // namespace dfsim
