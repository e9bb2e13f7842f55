#include "sweep/result_store.hpp"

#include <sqlite3.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

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

bool ResultStore::insert(const PointResult& r) {
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
     << ", \"area_mm2\": " << json_number_17(r.area_mm2) << "}\n";
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
    return r;
  } catch (const YAML::Exception&) {
    return std::nullopt;
  }
}

}  // namespace dfsim
