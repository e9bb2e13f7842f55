// Sweep results in SQLite, keyed by the point's hash: a point is inserted once, in one
// transaction, when it has finished (done or failed), so an interrupted sweep loses nothing
// finished and duplicates nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

struct sqlite3;

namespace dfsim {

struct PointResult {
  std::string hash;
  std::int64_t index = 0;
  std::string workload;
  std::string params;  // JSON
  std::string status;  // done | failed
  std::string error;
  std::int64_t cycles = 0;
  double seconds = 0;
  double energy_pj = 0;
  double power_mw = 0;
  std::int64_t dram_bytes = 0;
  std::int64_t onchip_storage_bytes = 0;
  std::int64_t macs = 0;
  double utilization = 0;
  double wall_seconds = 0;
  double area_mm2 = 0;  // the sized parts' area (0: the architecture states no technology_nm)
  double objective(const std::string& name) const;
};

class ResultStore {
 public:
  explicit ResultStore(const std::string& path);  // creates the file and schema if needed
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  std::set<std::string> finished_hashes() const;
  // Inserts unless the hash is already there; returns whether it inserted.
  bool insert(const PointResult& r);
  std::vector<PointResult> all() const;

 private:
  void add_area_column();
  void exec(const std::string& sql) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Result files (JSON written by `dfsim sweep-point`), read back with yaml-cpp.
void write_point_result(const std::string& path, const PointResult& r);
std::optional<PointResult> read_point_result(const std::string& path);

}  // namespace dfsim
