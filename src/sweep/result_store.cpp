#include "sweep/result_store.hpp"

#include <sqlite3.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "base/config/config_node.hpp"
#include "base/text.hpp"

namespace dfsim {

double PointResult::objective(const std::string& name) const {
  if (name == "energy") return energy_pj;
  if (name == "latency") return seconds;
  if (name == "cycles") return static_cast<double>(cycles);
  if (name == "edp") return energy_pj * seconds;
  if (name == "power") return power_mw;
  if (name == "dram_traffic") return static_cast<double>(dram_bytes);
  if (name == "onchip_storage") return static_cast<double>(onchip_storage_bytes);
  if (name == "area") return area_mm2;
  throw std::runtime_error("unknown objective " + name);
}

ResultStore::ResultStore(const std::string& path) : path_(path) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(path + ": cannot open the results database: " + msg);
  }
  sqlite3_busy_timeout(db_, 5000);
  // WAL with full sync: a committed point survives a crash or power loss.
  exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  exec(
      "CREATE TABLE IF NOT EXISTS points ("
      " hash TEXT PRIMARY KEY, idx INTEGER, workload TEXT, params TEXT, status TEXT,"
      " error TEXT, cycles INTEGER, seconds REAL, energy_pj REAL, power_mw REAL,"
      " dram_bytes INTEGER, onchip_storage_bytes INTEGER, macs INTEGER, utilization REAL,"
      " wall_seconds REAL, finished_at TEXT DEFAULT CURRENT_TIMESTAMP, area_mm2 REAL);");
  add_area_column();
  exec(
      "CREATE TABLE IF NOT EXISTS layers ("
      " hash TEXT, layer INTEGER, name TEXT, cycles INTEGER, seconds REAL, macs INTEGER,"
      " utilization REAL, dram_bytes INTEGER, energy_pj REAL, dram_pj REAL, glb_pj REAL,"
      " noc_pj REAL, rf_pj REAL, mac_pj REAL, idle_pj REAL, PRIMARY KEY (hash, layer));");
  exec(
      "CREATE TABLE IF NOT EXISTS parameters ("
      " hash TEXT, key TEXT, type TEXT, integer_value INTEGER, real_value REAL,"
      " text_value TEXT, PRIMARY KEY (hash, key));");
  exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);");
}

void ResultStore::set_meta(const std::string& key, const std::string& value) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", -1, &st,
                         nullptr) != SQLITE_OK)
    throw std::runtime_error(path_ + ": " + sqlite3_errmsg(db_));
  sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, value.c_str(), -1, SQLITE_TRANSIENT);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw std::runtime_error(path_ + ": " + sqlite3_errmsg(db_));
}

// A database written before areas were reported lacks the column: add it (its points read 0).
void ResultStore::add_area_column() {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA table_info(points)", -1, &st, nullptr) != SQLITE_OK)
    throw std::runtime_error(path_ + ": " + sqlite3_errmsg(db_));
  bool found = false;
  while (sqlite3_step(st) == SQLITE_ROW)  // columns: cid, name, type, ...
    found = found ||
            std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))) == "area_mm2";
  sqlite3_finalize(st);
  if (!found) exec("ALTER TABLE points ADD COLUMN area_mm2 REAL DEFAULT 0;");
}

ResultStore::~ResultStore() { sqlite3_close(db_); }

void ResultStore::exec(const std::string& sql) const {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "?";
    sqlite3_free(err);
    throw std::runtime_error(path_ + ": " + msg);
  }
}

std::set<std::string> ResultStore::finished_hashes() const {
  std::set<std::string> out;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "SELECT hash FROM points", -1, &st, nullptr);
  while (sqlite3_step(st) == SQLITE_ROW)
    out.insert(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  return out;
}

bool ResultStore::insert_point(const PointResult& r) {
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "INSERT OR IGNORE INTO points (hash, idx, workload, params, status, error, cycles, seconds,"
      " energy_pj, power_mw, dram_bytes, onchip_storage_bytes, macs, utilization, wall_seconds,"
      " area_mm2) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
    throw std::runtime_error(path_ + ": " + sqlite3_errmsg(db_));
  sqlite3_bind_text(st, 1, r.hash.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 2, r.index);
  sqlite3_bind_text(st, 3, r.workload.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 4, r.params.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 5, r.status.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 6, r.error.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(st, 7, r.cycles);
  sqlite3_bind_double(st, 8, r.seconds);
  sqlite3_bind_double(st, 9, r.energy_pj);
  sqlite3_bind_double(st, 10, r.power_mw);
  sqlite3_bind_int64(st, 11, r.dram_bytes);
  sqlite3_bind_int64(st, 12, r.onchip_storage_bytes);
  sqlite3_bind_int64(st, 13, r.macs);
  sqlite3_bind_double(st, 14, r.utilization);
  sqlite3_bind_double(st, 15, r.wall_seconds);
  sqlite3_bind_double(st, 16, r.area_mm2);
  const int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) throw std::runtime_error(path_ + ": " + sqlite3_errmsg(db_));
  return sqlite3_changes(db_) > 0;
}

namespace {

// A prepared statement, finalized on every path.
struct Statement {
  sqlite3_stmt* st = nullptr;
  Statement(sqlite3* db, const char* sql, const std::string& path) {
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK)
      throw std::runtime_error(path + ": " + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(st); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  void done(sqlite3* db, const std::string& path) {
    if (sqlite3_step(st) != SQLITE_DONE) throw std::runtime_error(path + ": " + sqlite3_errmsg(db));
    sqlite3_reset(st);
  }
};

}  // namespace

void ResultStore::insert_layers(const PointResult& r) {
  Statement s(db_,
              "INSERT INTO layers (hash, layer, name, cycles, seconds, macs, utilization,"
              " dram_bytes, energy_pj, dram_pj, glb_pj, noc_pj, rf_pj, mac_pj, idle_pj)"
              " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
              path_);
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const LayerResult& l = r.layers[i];
    sqlite3_bind_text(s.st, 1, r.hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s.st, 2, static_cast<std::int64_t>(i));
    sqlite3_bind_text(s.st, 3, l.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s.st, 4, l.cycles);
    sqlite3_bind_double(s.st, 5, l.seconds);
    sqlite3_bind_int64(s.st, 6, l.macs);
    sqlite3_bind_double(s.st, 7, l.utilization);
    sqlite3_bind_int64(s.st, 8, l.dram_bytes);
    int col = 9;
    for (double v : {l.energy_pj, l.dram_pj, l.glb_pj, l.noc_pj, l.rf_pj, l.mac_pj, l.idle_pj})
      sqlite3_bind_double(s.st, col++, v);
    s.done(db_, path_);
  }
}

namespace {

// The type of a swept value as the spec wrote it (YAML text): a whole number in int64, another
// finite number, a boolean (true/false, yes/no, on/off), or text.
enum class ValueType : std::uint8_t { Integer, Real, Boolean, Text };
ValueType value_type(const std::string& v, std::int64_t& i, double& d) {
  if (v.empty()) return ValueType::Text;
  const char* begin = v.data() + (v.size() > 1 && v[0] == '+' ? 1 : 0);  // "+3" is 3 in YAML
  const char* end = v.data() + v.size();
  auto [ip, iec] = std::from_chars(begin, end, i);
  if (iec == std::errc() && ip == end) {
    d = static_cast<double>(i);
    return ValueType::Integer;
  }
  char* dend = nullptr;
  d = std::strtod(v.c_str(), &dend);
  if (dend == v.c_str() + v.size() && std::isfinite(d) && !std::isspace(v.front()))
    return ValueType::Real;
  if (ConfigNode::bool_spelling(v)) return ValueType::Boolean;
  return ValueType::Text;
}

}  // namespace

// Each swept key with its value's type and the value in the column of that type.
void ResultStore::insert_parameters(const PointResult& r) {
  if (r.params.empty()) return;
  const YAML::Node params = YAML::Load(r.params);  // JSON is YAML
  if (!params.IsMap()) return;
  Statement s(db_,
              "INSERT INTO parameters (hash, key, type, integer_value, real_value, text_value)"
              " VALUES (?,?,?,?,?,?)",
              path_);
  static const char* const kNames[] = {"integer", "real", "boolean", "text"};
  for (const auto& kv : params) {
    const std::string key = kv.first.as<std::string>(), text = kv.second.Scalar();
    std::int64_t i = 0;
    double d = 0;
    const ValueType type = value_type(text, i, d);
    sqlite3_bind_text(s.st, 1, r.hash.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.st, 2, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.st, 3, kNames[static_cast<int>(type)], -1, SQLITE_STATIC);
    for (int c = 4; c <= 6; ++c) sqlite3_bind_null(s.st, c);
    if (type == ValueType::Integer) sqlite3_bind_int64(s.st, 4, i);
    if (type == ValueType::Boolean)
      sqlite3_bind_int64(s.st, 4, *ConfigNode::bool_spelling(text) ? 1 : 0);
    // Every number has its real value too: a key whose values are 28, 28.5 and 29 sorts as one.
    if (type == ValueType::Real || type == ValueType::Integer) sqlite3_bind_double(s.st, 5, d);
    if (type == ValueType::Text) sqlite3_bind_text(s.st, 6, text.c_str(), -1, SQLITE_TRANSIENT);
    s.done(db_, path_);
  }
}

bool ResultStore::insert(const PointResult& r) {
  exec("BEGIN IMMEDIATE");
  try {
    const bool inserted = insert_point(r);
    if (inserted) {
      // Rows of an earlier result of this point whose `points` row was deleted (a retry).
      for (const char* table : {"layers", "parameters"}) {
        Statement s(db_, (std::string("DELETE FROM ") + table + " WHERE hash = ?").c_str(), path_);
        sqlite3_bind_text(s.st, 1, r.hash.c_str(), -1, SQLITE_TRANSIENT);
        s.done(db_, path_);
      }
      insert_layers(r);
      insert_parameters(r);
    }
    exec("COMMIT");
    return inserted;
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

std::vector<PointResult> ResultStore::all() const {
  std::vector<PointResult> out;
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(
      db_,
      "SELECT hash, idx, workload, params, status, error, cycles, seconds, energy_pj,"
      " power_mw, dram_bytes, onchip_storage_bytes, macs, utilization, wall_seconds, area_mm2"
      " FROM points ORDER BY idx, hash",
      -1, &st, nullptr);
  auto text = [&](int i) {
    const unsigned char* t = sqlite3_column_text(st, i);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    PointResult r;
    r.hash = text(0);
    r.index = sqlite3_column_int64(st, 1);
    r.workload = text(2);
    r.params = text(3);
    r.status = text(4);
    r.error = text(5);
    r.cycles = sqlite3_column_int64(st, 6);
    r.seconds = sqlite3_column_double(st, 7);
    r.energy_pj = sqlite3_column_double(st, 8);
    r.power_mw = sqlite3_column_double(st, 9);
    r.dram_bytes = sqlite3_column_int64(st, 10);
    r.onchip_storage_bytes = sqlite3_column_int64(st, 11);
    r.macs = sqlite3_column_int64(st, 12);
    r.utilization = sqlite3_column_double(st, 13);
    r.wall_seconds = sqlite3_column_double(st, 14);
    r.area_mm2 = sqlite3_column_double(st, 15);
    out.push_back(r);
  }
  sqlite3_finalize(st);
  return out;
}

namespace {
// Full precision: the database keeps what the point measured.
std::string json_number_17(double v) { return json_number(v, 17); }
}  // namespace

void write_point_result(const std::string& path, const PointResult& r) {
  std::ostringstream os;
  os << "{\"hash\": " << json_quote(r.hash) << ", \"index\": " << r.index
     << ", \"workload\": " << json_quote(r.workload) << ", \"params\": " << json_quote(r.params)
     << ", \"status\": " << json_quote(r.status) << ", \"error\": " << json_quote(r.error)
     << ", \"cycles\": " << r.cycles << ", \"seconds\": " << json_number_17(r.seconds)
     << ", \"energy_pj\": " << json_number_17(r.energy_pj)
     << ", \"power_mw\": " << json_number_17(r.power_mw) << ", \"dram_bytes\": " << r.dram_bytes
     << ", \"onchip_storage_bytes\": " << r.onchip_storage_bytes << ", \"macs\": " << r.macs
     << ", \"utilization\": " << json_number_17(r.utilization)
     << ", \"wall_seconds\": " << json_number_17(r.wall_seconds)
     << ", \"area_mm2\": " << json_number_17(r.area_mm2) << ", \"layers\": [";
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const LayerResult& l = r.layers[i];
    os << (i ? ", " : "") << "{\"name\": " << json_quote(l.name) << ", \"cycles\": " << l.cycles
       << ", \"macs\": " << l.macs << ", \"dram_bytes\": " << l.dram_bytes;
    for (const auto& [key, v] : {std::pair<const char*, double>{"seconds", l.seconds},
                                 {"utilization", l.utilization},
                                 {"energy_pj", l.energy_pj},
                                 {"dram_pj", l.dram_pj},
                                 {"glb_pj", l.glb_pj},
                                 {"noc_pj", l.noc_pj},
                                 {"rf_pj", l.rf_pj},
                                 {"mac_pj", l.mac_pj},
                                 {"idle_pj", l.idle_pj}})
      os << ", " << json_quote(key) << ": " << json_number_17(v);
    os << "}";
  }
  os << "]}\n";
  // Written to a temporary name and renamed: a result file that exists is complete.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << os.str();
    if (!out.flush()) throw std::runtime_error(tmp + ": write failed");
  }
  std::filesystem::rename(tmp, path);
}

std::optional<PointResult> read_point_result(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  try {
    YAML::Node n = YAML::LoadFile(path);  // JSON is YAML
    PointResult r;
    r.hash = n["hash"].as<std::string>();
    r.index = n["index"].as<std::int64_t>();
    r.workload = n["workload"].as<std::string>();
    r.params = n["params"].as<std::string>();
    r.status = n["status"].as<std::string>();
    r.error = n["error"].as<std::string>();
    r.cycles = n["cycles"].as<std::int64_t>();
    r.seconds = n["seconds"].as<double>();
    r.energy_pj = n["energy_pj"].as<double>();
    r.power_mw = n["power_mw"].as<double>();
    r.dram_bytes = n["dram_bytes"].as<std::int64_t>();
    r.onchip_storage_bytes = n["onchip_storage_bytes"].as<std::int64_t>();
    r.macs = n["macs"].as<std::int64_t>();
    r.utilization = n["utilization"].as<double>();
    r.wall_seconds = n["wall_seconds"].as<double>();
    r.area_mm2 = n["area_mm2"] ? n["area_mm2"].as<double>() : 0.0;
    for (const YAML::Node& l : n["layers"]) {
      LayerResult x;
      x.name = l["name"].as<std::string>();
      x.cycles = l["cycles"].as<std::int64_t>();
      x.macs = l["macs"].as<std::int64_t>();
      x.dram_bytes = l["dram_bytes"].as<std::int64_t>();
      for (const auto& [key, field] :
           {std::pair<const char*, double LayerResult::*>{"seconds", &LayerResult::seconds},
            {"utilization", &LayerResult::utilization},
            {"energy_pj", &LayerResult::energy_pj},
            {"dram_pj", &LayerResult::dram_pj},
            {"glb_pj", &LayerResult::glb_pj},
            {"noc_pj", &LayerResult::noc_pj},
            {"rf_pj", &LayerResult::rf_pj},
            {"mac_pj", &LayerResult::mac_pj},
            {"idle_pj", &LayerResult::idle_pj}})
        x.*field = l[key].as<double>();
      r.layers.push_back(x);
    }
    return r;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

}  // namespace dfsim
