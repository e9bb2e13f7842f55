// Runs a sweep: every pending point as its own dfsim process (SystemC elaborates once per
// process), N at a time locally or as a Slurm job array; results into SQLite; progress; a
// summary with the failures; the Pareto front with gnuplot plots.
#pragma once

#include <string>

namespace dfsim {

struct SweepOptions {
  std::string spec_file;
  std::string out_dir;            // default: sweeps/<name>
  int jobs = 0;                   // 0: the number of cores
  std::string backend = "local";  // local | slurm
  std::string self_exe;           // the dfsim binary that runs points
};

std::string sweep_out_dir(const SweepOptions& opt, const std::string& sweep_name);
int run_sweep(const SweepOptions& opt);
// The child side: runs point `index` of the spec and writes its result file; exit 0 unless
// the result cannot be written.
int run_sweep_point(const std::string& spec_file, long long index, const std::string& result_path);
// Writes the results of the spec's points as csv or json to `output` ("-": stdout).
int export_sweep(const SweepOptions& opt, const std::string& format, const std::string& output);

}  // namespace dfsim
