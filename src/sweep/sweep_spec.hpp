// Design-space sweep specifications: a base architecture, workloads, the parameters to vary
// (config keys by path: lists, ranges, zipped lists, cartesian products, seeded samples) and
// the objectives of the Pareto front.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/config/config_node.hpp"

namespace dfsim {

struct SweepWorkload {
  std::string file;                 // absolute or relative to the working directory
  std::vector<std::string> layers;  // empty: all
  std::int64_t batch = 0;           // 0: the workload's own
  std::string label() const;
};

// One value assignment: config key path -> YAML scalar text.
using Assignment = std::vector<std::pair<std::string, std::string>>;

struct SweepPoint {
  std::int64_t index = 0;     // position in the spec's enumeration
  std::int64_t workload = 0;  // index into SweepSpec::workloads
  Assignment params;
  std::string base_arch;  // the point's base architecture file (a swept `base_arch`, or the spec's)
  std::string arch_text;  // resolved architecture YAML
  std::string hash;       // of everything that determines the result
  std::string params_json() const;
};

struct SweepSpec {
  std::string name;
  std::string file;
  std::string base_arch;  // path; a parameter of key `base_arch` sweeps over several files
  std::vector<SweepWorkload> workloads;
  std::vector<std::string> objectives;  // minimized
  std::string mapper_objective = "latency";
  bool check = false;
  std::uint64_t seed = 1;
  // A point still running after this many seconds (at most 30 days) is stopped and recorded as
  // failed by its own watchdog (0: no limit); a Slurm job's --time is a later backstop.
  double point_timeout_s = 0;
  // Parameter groups: the cartesian product of the groups; a group is one key's values or
  // several keys zipped together (equal lengths).
  struct Group {
    std::vector<std::string> keys;
    std::vector<std::vector<std::string>> values;  // values[i][k]: i-th setting of key k
    std::string where;
  };
  std::vector<Group> groups;
  std::int64_t sample_count = 0;  // 0: every point
  std::uint64_t sample_seed = 1;
};

// The objectives a sweep can minimize, with the stats they come from.
const std::vector<std::string>& sweep_objective_names();

// Parses and validates a spec: every point's resolved architecture is parsed, so a bad key or
// value is reported (with the spec's file, line and key) before anything runs.
SweepSpec load_sweep_spec(const std::string& path, bool validate_points = true);
// The spec's points in order (duplicates, which repeated values create, appear once); with
// only_index >= 0 just that point (what one point's process needs).
std::vector<SweepPoint> enumerate_points(const SweepSpec& spec, std::int64_t only_index = -1);

// The architecture YAML with the assignment applied (throws ConfigError naming `where`).
std::string apply_assignment(const std::string& base_yaml, const Assignment& a,
                             const std::string& where);

}  // namespace dfsim
