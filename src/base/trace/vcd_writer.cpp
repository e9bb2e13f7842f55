#include "base/trace/vcd_writer.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <stdexcept>

namespace dfsim {

namespace {

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

}  // namespace

int VcdWriter::add_signal(const std::string& scope, const std::string& name, int width) {
  signals_.push_back({scope, name, vcd_code(signals_.size()), width});
  return static_cast<int>(signals_.size() - 1);
}

void VcdWriter::busy(int id, std::uint64_t start, std::uint64_t end) {
  const std::uint64_t start_ps = start / units_per_ps_, end_ps = end / units_per_ps_;
  if (end_ps <= start_ps) return;
  events_.push_back({start_ps, events_.size(), id, +1, true});
  events_.push_back({end_ps, events_.size(), id, -1, true});
}

void VcdWriter::set(int id, std::uint64_t time, std::uint64_t value) {
  const std::uint64_t time_ps = time / units_per_ps_;
  events_.push_back({time_ps, events_.size(), id, static_cast<std::int64_t>(value), false});
}

void VcdWriter::write(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw std::runtime_error(path + ": cannot open the VCD file for writing");
  out << "$date dfsim $end\n$version dfsim " << DFSIM_VERSION << " $end\n$timescale 1ps $end\n";
  // Group signals by scope, in order of first appearance.
  std::vector<std::string> scopes;
  for (const auto& s : signals_)
    if (std::find(scopes.begin(), scopes.end(), s.scope) == scopes.end()) scopes.push_back(s.scope);
  out << "$scope module dfsim $end\n";
  for (const auto& sc : scopes) {
    out << "$scope module " << sc << " $end\n";
    for (const auto& s : signals_)
      if (s.scope == sc)
        out << "$var wire " << s.width << " " << s.code << " " << s.name << " $end\n";
    out << "$upscope $end\n";
  }
  out << "$upscope $end\n$enddefinitions $end\n$dumpvars\n";
  for (const auto& s : signals_) out << (s.width == 1 ? "0" : "b0 ") << s.code << "\n";
  out << "$end\n";

  std::vector<Event> ev = events_;
  std::sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) {
    return a.time_ps != b.time_ps ? a.time_ps < b.time_ps : a.seq < b.seq;
  });
  std::vector<std::int64_t> level(signals_.size(), 0), shown(signals_.size(), 0);
  std::size_t i = 0;
  while (i < ev.size()) {
    const std::uint64_t t = ev[i].time_ps;
    std::vector<int> touched;
    for (; i < ev.size() && ev[i].time_ps == t; ++i) {
      const Event& e = ev[i];
      level[e.id] = e.is_delta ? level[e.id] + e.value : e.value;
      touched.push_back(e.id);
    }
    bool stamped = false;
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (int id : touched) {
      const Signal& s = signals_[id];
      const std::int64_t v = s.width == 1 ? (level[id] > 0 ? 1 : 0) : level[id];
      if (v == shown[id]) continue;
      if (!stamped) {
        out << "#" << t << "\n";
        stamped = true;
      }
      shown[id] = v;
      if (s.width == 1)
        out << v << s.code << "\n";
      else
        out << "b" << binary(static_cast<std::uint64_t>(v), s.width) << " " << s.code << "\n";
    }
  }
  if (!out) throw std::runtime_error(path + ": error while writing the VCD file");
}

}  // namespace dfsim
