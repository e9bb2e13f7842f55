#include "base/config/config_node.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "base/text.hpp"

namespace dfsim {

namespace {

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsScalar()) return "'" + n.Scalar() + "'";
  if (n.IsSequence()) return "a list";
  return "a mapping";
}

}  // namespace

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  // The same word in another case (`c` for `C`), then the only candidate the word begins (`weight`
  // for `weight_density`), then the nearest by edit distance.
  std::vector<std::string> prefixed;
  for (const auto& c : candidates) {
    if (lowercase(c) == lowercase(word)) return c;
    if (word.size() >= 3 && c.size() > word.size() && c.compare(0, word.size(), word) == 0)
      prefixed.push_back(c);
  }
  if (prefixed.size() == 1) return prefixed.front();
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Only suggest when the typo is small relative to the word.
  if (best_d == std::string::npos || best_d > std::max<std::size_t>(2, word.size() / 2)) return "";
  return best;
}

ConfigNode::ConfigNode(YAML::Node node, std::shared_ptr<const std::string> file, std::string path)
    : node_(node), file_(std::move(file)), path_(std::move(path)) {}

namespace {

// A pipe or FIFO (`<(...)` of bash, or mkfifo), read to its end without ever blocking for
// long: a FIFO no process writes to within kFirstDataMs, or whose writer stalls kStallMs
// without closing it, is refused (a blocking read would wait forever).
std::string read_fifo(const std::string& path) {
  constexpr int kFirstDataMs = 1500, kStallMs = 10000;
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK);
  if (fd < 0) throw ConfigError(path + ": cannot open file");
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  std::string bytes;
  char buf[65536];
  for (bool started = false;;) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, started ? kStallMs : kFirstDataMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0)
      throw ConfigError(path + (started ? ": the FIFO's writer stopped without closing it"
                                        : ": a FIFO nothing writes to (no data after " +
                                              json_number(kFirstDataMs / 1000.0) + " s)"));
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return bytes;  // the writer closed it
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) throw ConfigError(path + ": cannot read file");
    bytes.append(buf, static_cast<std::size_t>(n));
    started = true;
  }
}

}  // namespace

std::string read_input_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (fs::is_directory(st)) throw ConfigError(path + ": is a directory, not a file");
  if (fs::is_fifo(st)) return read_fifo(path);
  if (fs::exists(st) && !fs::is_regular_file(st))
    throw ConfigError(path + ": is not a regular file (a socket or device)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open file");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw ConfigError(path + ": cannot read file");
  return bytes;
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  return load_string(read_input_file(path), path);
}

namespace {

std::string position(const std::string& origin, const YAML::Mark& m) {
  return origin + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

// A key given twice in one map is an error naming both places (YAML parsers keep one of them
// silently). `path` is the map's key path, for the message.
void refuse_duplicate_keys(const YAML::Node& n, const std::string& origin,
                           const std::string& path) {
  if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i)
      refuse_duplicate_keys(n[i], origin, path + "[" + std::to_string(i) + "]");
    return;
  }
  if (!n.IsMap()) return;
  std::map<std::string, YAML::Mark> seen;
  for (const auto& kv : n) {
    const std::string key = kv.first.Scalar();
    const std::string child = path.empty() ? key : path + "." + key;
    const auto [it, fresh] = seen.emplace(key, kv.first.Mark());
    if (!fresh)
      throw ConfigError(position(origin, kv.first.Mark()) + ": " + child +
                        ": key given twice (first at " + position(origin, it->second) + ")");
    refuse_duplicate_keys(kv.second, origin, child);
  }
}

}  // namespace

ConfigNode ConfigNode::load_string(const std::string& text, const std::string& origin) {
  auto file = std::make_shared<const std::string>(origin);
  try {
    YAML::Node root = YAML::Load(text);
    if (!root.IsDefined() || root.IsNull()) throw ConfigError(origin + ": the document is empty");
    refuse_duplicate_keys(root, origin, "");
    return ConfigNode(root, file, "");
  } catch (const YAML::Exception& e) {
    std::ostringstream os;
    os << origin << ":" << e.mark.line + 1 << ":" << e.mark.column + 1
       << ": YAML syntax error: " << e.msg;
    throw ConfigError(os.str());
  }
}

ConfigNode ConfigNode::load_file_extending(const std::string& path) {
  std::vector<std::string> chain;
  return extending(load_file(path), chain);
}

ConfigNode ConfigNode::load_string_extending(const std::string& text, const std::string& origin) {
  std::vector<std::string> chain;
  return extending(load_string(text, origin), chain);
}

ConfigNode ConfigNode::extending(ConfigNode own, std::vector<std::string>& chain) {
  chain.push_back(own.file());
  const std::optional<ConfigNode> ext = own.is_map() ? own.find("extends") : std::nullopt;
  if (!ext) return own;
  const std::string name = ext->as_string();
  const std::filesystem::path base_path =
      std::filesystem::path(name).is_absolute()
          ? std::filesystem::path(name)
          : std::filesystem::path(own.file()).parent_path() / name;
  const std::string base_file = base_path.lexically_normal().string();
  for (const std::string& f : chain)
    if (std::filesystem::path(f).lexically_normal() == base_path.lexically_normal())
      ext->fail("extends '" + name + "', which extends this file again (a cycle)");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(base_path, ec))
    ext->fail("cannot open '" + base_file + "' (not a file)");
  ConfigNode base = extending(load_file(base_file), chain);
  base.expect_map();
  own.base_ = std::make_shared<const ConfigNode>(std::move(base));
  return own;
}

YAML::Node ConfigNode::merged() const {
  if (!is_map()) return YAML::Clone(node_);
  YAML::Node out(YAML::NodeType::Map);
  for (const std::string& k : keys())  // an erased key (`key: ~`) is gone, as its value is
    if (k != "extends")
      if (const auto child = find(k)) out[k] = child->merged();
  return out;
}

std::string ConfigNode::where() const {
  const YAML::Mark m = node_.Mark();
  if (m.is_null()) return *file_;
  std::ostringstream os;
  os << *file_ << ":" << m.line + 1 << ":" << m.column + 1;
  return os.str();
}

void ConfigNode::fail(const std::string& msg) const {
  throw ConfigError(where() + ": " + (path_.empty() ? std::string("(top level)") : path_) + ": " +
                    msg);
}

void ConfigNode::expect_map() const {
  if (!node_.IsMap()) fail("expected a mapping of keys, got " + describe(node_));
}

ConfigNode ConfigNode::child_node(const YAML::Node& n, const std::string& child_path) const {
  return ConfigNode(n, file_, child_path);
}

bool ConfigNode::erases(const std::string& key) const {
  return base_ && node_.IsMap() && node_[key].IsDefined() && node_[key].IsNull();
}

bool ConfigNode::has(const std::string& key) const {
  if (node_.IsMap() && node_[key].IsDefined()) return !node_[key].IsNull();
  return base_ && node_.IsMap() && base_->has(key);
}

std::optional<ConfigNode> ConfigNode::find(const std::string& key) const {
  expect_map();
  YAML::Node n = node_[key];
  // An empty value here removes what the extended file gives the key.
  if (erases(key)) return std::nullopt;
  if (!n.IsDefined() || n.IsNull()) return base_ ? base_->find(key) : std::nullopt;
  ConfigNode child = child_node(n, join_path(path_, key));
  // A map overrides the base's map key by key.
  if (base_ && child.is_map())
    if (std::optional<ConfigNode> b = base_->find(key); b && b->is_map())
      child.base_ = std::make_shared<const ConfigNode>(std::move(*b));
  return child;
}

ConfigNode ConfigNode::at(const std::string& key) const {
  auto c = find(key);
  if (!c) fail("missing required key '" + key + "'");
  return *c;
}

std::vector<ConfigNode> ConfigNode::items() const {
  if (!node_.IsSequence()) fail("expected a list, got " + describe(node_));
  std::vector<ConfigNode> out;
  std::size_t i = 0;
  for (const auto& n : node_) {
    out.push_back(child_node(n, path_ + "[" + std::to_string(i) + "]"));
    ++i;
  }
  return out;
}

std::vector<std::string> ConfigNode::keys() const {
  expect_map();
  // The base's keys first, in its order, then the ones this file adds.
  std::vector<std::string> out;
  if (base_)
    for (const std::string& k : base_->keys())
      if (!erases(k)) out.push_back(k);
  for (const auto& kv : node_)
    if (std::find(out.begin(), out.end(), kv.first.Scalar()) == out.end())
      out.push_back(kv.first.Scalar());
  return out;
}

void ConfigNode::expect_keys(const std::vector<std::string>& allowed) const {
  expect_keys_except(allowed, {});
}

void ConfigNode::expect_keys_except(const std::vector<std::string>& allowed,
                                    std::vector<std::string> erased) const {
  expect_map();
  for (const auto& kv : node_) {
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    if (std::find(erased.begin(), erased.end(), key) != erased.end()) continue;
    if (base_ && kv.second.IsNull()) continue;  // removes the extended file's key
    std::string msg = "unknown key '" + key + "'";
    std::string s = closest_match(key, allowed);
    if (!s.empty()) {
      msg += " (did you mean '" + s + "'?)";
    } else {  // nothing close (e.g. a key of another array style's section): list them all
      std::string all;
      for (const std::string& a : allowed) all += (all.empty() ? "" : ", ") + a;
      msg += "; the keys here: " + all;
    }
    ConfigNode(kv.first, file_, join_path(path_, key)).fail(msg);
  }
  // The extended file's keys, except those this file removes with an empty value.
  if (!base_) return;
  for (const auto& kv : node_)
    if (kv.second.IsNull()) erased.push_back(kv.first.Scalar());
  base_->expect_keys_except(allowed, erased);
}

std::int64_t ConfigNode::as_int() const {
  if (!node_.IsScalar()) fail("expected an integer, got " + describe(node_));
  const std::string& s = node_.Scalar();
  std::size_t pos = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &pos, 10);  // decimal: "012" is 12, not octal
  } catch (...) {
    pos = 0;
  }
  if (pos != s.size() || s.empty()) fail("expected an integer, got '" + s + "'");
  return v;
}

double ConfigNode::as_double() const {
  if (!node_.IsScalar()) fail("expected a number, got " + describe(node_));
  const std::string& s = node_.Scalar();
  std::size_t pos = 0;
  double v = 0;
  try {
    v = std::stod(s, &pos);
  } catch (...) {
    pos = 0;
  }
  if (pos != s.size() || s.empty() || !std::isfinite(v)) fail("expected a number, got '" + s + "'");
  return v;
}

std::optional<bool> ConfigNode::bool_spelling(const std::string& scalar) {
  if (scalar == "true" || scalar == "yes" || scalar == "on") return true;
  if (scalar == "false" || scalar == "no" || scalar == "off") return false;
  return std::nullopt;
}

bool ConfigNode::as_bool() const {
  if (!node_.IsScalar()) fail("expected true or false, got " + describe(node_));
  if (const auto b = bool_spelling(node_.Scalar())) return *b;
  fail("expected true or false, got '" + node_.Scalar() + "'");
}

std::string ConfigNode::as_path() const {
  const std::filesystem::path p(as_string());
  if (p.is_absolute()) return p.string();
  return (std::filesystem::path(file()).parent_path() / p).lexically_normal().string();
}

std::string ConfigNode::as_string() const {
  if (!node_.IsScalar()) fail("expected a string, got " + describe(node_));
  return node_.Scalar();
}

std::int64_t ConfigNode::get_int(const std::string& key, std::int64_t dflt) const {
  auto c = find(key);
  return c ? c->as_int() : dflt;
}
double ConfigNode::get_double(const std::string& key, double dflt) const {
  auto c = find(key);
  return c ? c->as_double() : dflt;
}
bool ConfigNode::get_bool(const std::string& key, bool dflt) const {
  auto c = find(key);
  return c ? c->as_bool() : dflt;
}
std::string ConfigNode::get_string(const std::string& key, const std::string& dflt) const {
  auto c = find(key);
  return c ? c->as_string() : dflt;
}

std::int64_t ConfigNode::get_int_min(const std::string& key, std::int64_t min) const {
  return get_int_range(key, min, kMaxConfigInt);
}

std::int64_t ConfigNode::get_int_range(const std::string& key, std::int64_t min,
                                       std::int64_t max) const {
  ConfigNode c = at(key);
  std::int64_t v = c.as_int();
  if (v < min) c.fail("must be >= " + std::to_string(min) + ", got " + std::to_string(v));
  if (v > max)
    c.fail("must be <= " + std::to_string(max) +
           (max == kMaxConfigInt ? " (2^31 - 1, the largest count or size dfsim takes)" : "") +
           ", got " + std::to_string(v));
  return v;
}

std::int64_t ConfigNode::get_int_range(const std::string& key, std::int64_t min, std::int64_t max,
                                       std::int64_t dflt) const {
  return has(key) ? get_int_range(key, min, max) : dflt;
}

std::int64_t ConfigNode::get_int_min(const std::string& key, std::int64_t min,
                                     std::int64_t dflt) const {
  return has(key) ? get_int_min(key, min) : dflt;
}

double ConfigNode::get_double_min(const std::string& key, double min, bool inclusive) const {
  ConfigNode c = at(key);
  double v = c.as_double();
  if (inclusive ? v < min : v <= min) {
    std::ostringstream os;
    os << "must be " << (inclusive ? ">= " : "> ") << min << ", got " << v;
    c.fail(os.str());
  }
  return v;
}

double ConfigNode::get_double_min(const std::string& key, double min, double dflt) const {
  return has(key) ? get_double_min(key, min) : dflt;
}

std::string ConfigNode::get_choice(const std::string& key, const std::vector<std::string>& choices,
                                   std::optional<std::string> dflt) const {
  if (!has(key)) {
    if (dflt) return *dflt;
    at(key);  // throws "missing"
  }
  ConfigNode c = at(key);
  std::string v = c.as_string();
  if (std::find(choices.begin(), choices.end(), v) != choices.end()) return v;
  std::string msg = "'" + v + "' is not one of:";
  for (const auto& ch : choices) msg += " " + ch;
  std::string s = closest_match(v, choices);
  if (!s.empty()) msg += " (did you mean '" + s + "'?)";
  c.fail(msg);
}

}  // namespace dfsim
