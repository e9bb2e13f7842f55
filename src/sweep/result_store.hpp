// Sweep results in SQLite, keyed by the point's hash: a point is inserted once, in one
// transaction, when it has finished (done or failed), so an interrupted sweep loses nothing
// finished and duplicates nothing. Tables: `points` (one row per point, its totals and its
// parameters as JSON), `layers` (per point and layer: cycles, seconds, MACs, utilization, DRAM
// bytes and the energy by level) and `parameters` (per point and swept key: the value with its
// type, `integer`, `real`, `boolean` or `text`, in the column of that type) and `meta` (the
// sweep's name, objectives and current points).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

struct sqlite3;

namespace dfsim {

// One layer of a point: its time, traffic and energy by level (pJ; `energy_pj` their sum).
struct LayerResult {
  std::string name;
  std::int64_t cycles = 0, macs = 0, dram_bytes = 0;
  double seconds = 0, utilization = 0;
  double energy_pj = 0, dram_pj = 0, glb_pj = 0, noc_pj = 0, rf_pj = 0, mac_pj = 0, idle_pj = 0;
};

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
  std::vector<LayerResult> layers;  // stored in the table `layers`
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
  // The sweep's own facts in the table `meta` (key, value): its `name`, `objectives`
  // (comma-separated) and `points` (the spec's, HASH:INDEX comma-separated), read by
  // `dfsim report`.
  void set_meta(const std::string& key, const std::string& value);

 private:
  void add_area_column();
  bool insert_point(const PointResult& r);
  void insert_layers(const PointResult& r);
  void insert_parameters(const PointResult& r);
  void exec(const std::string& sql) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// Result files (JSON written by `dfsim sweep-point`), read back with yaml-cpp.
void write_point_result(const std::string& path, const PointResult& r);
std::optional<PointResult> read_point_result(const std::string& path);

}  // namespace dfsim
