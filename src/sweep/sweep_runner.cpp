#include "sweep/sweep_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "base/config/arch_config.hpp"
#include "base/config/config_node.hpp"
#include "base/text.hpp"
#include "base/util/stoppable_thread.hpp"
#include "run/run.hpp"
#include "sweep/result_store.hpp"
#include "sweep/sweep_spec.hpp"

namespace dfsim {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

volatile sig_atomic_t g_interrupted = 0;
volatile sig_atomic_t g_signal = SIGINT;
void on_signal(int sig) {
  g_interrupted = 1;
  g_signal = sig;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: waitpid returns EINTR
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string hms(double s) {
  if (!std::isfinite(s) || s < 0) return "--:--:--";
  const long t = static_cast<long>(s + 0.5);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:%02ld", t / 3600, (t / 60) % 60, t % 60);
  return buf;
}

// Progress on a terminal (one redrawn bar) or as plain lines (logs, CI).
class Progress {
 public:
  Progress(std::size_t total, std::size_t already)
      : total_(total), done_(already), start_(Clock::now()), tty_(isatty(STDERR_FILENO)) {}
  void finished(bool ok) {
    ++done_;
    ++ran_;
    if (!ok) ++failed_;
    show();
  }
  void show() const {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
    const double eta =
        ran_ ? elapsed / static_cast<double>(ran_) * static_cast<double>(total_ - done_) : NAN;
    char line[256];
    if (tty_) {
      const int width = 30;
      const int filled = total_ ? static_cast<int>(width * done_ / total_) : width;
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(width, '.');
      std::snprintf(line, sizeof line, "\r[%s] %zu/%zu  failed %zu  elapsed %s  ETA %s ",
                    bar.c_str(), done_, total_, failed_, hms(elapsed).c_str(), hms(eta).c_str());
      std::cerr << line << std::flush;
    } else {
      std::snprintf(line, sizeof line, "sweep: %zu/%zu done, %zu failed, elapsed %s, ETA %s\n",
                    done_, total_, failed_, hms(elapsed).c_str(), hms(eta).c_str());
      std::cerr << line << std::flush;
    }
  }
  void end() const {
    if (tty_) std::cerr << "\n";
  }

 private:
  std::size_t total_, done_, ran_ = 0, failed_ = 0;
  Clock::time_point start_;
  bool tty_;
};

PointResult failed_result(const SweepSpec& spec, const SweepPoint& p, const std::string& error) {
  PointResult r;
  r.hash = p.hash;
  r.index = p.index;
  r.workload = spec.workloads[static_cast<std::size_t>(p.workload)].label();
  r.params = p.params_json();
  r.status = "failed";
  r.error = error;
  return r;
}

// The results of the spec's current points (the database may hold others from earlier
// versions of the spec).
std::vector<PointResult> current_results(const ResultStore& store,
                                         const std::vector<SweepPoint>& points) {
  std::map<std::string, std::int64_t> index_of;
  for (const auto& p : points) index_of[p.hash] = p.index;
  std::vector<PointResult> out;
  for (auto& r : store.all()) {
    auto it = index_of.find(r.hash);
    if (it == index_of.end()) continue;
    r.index = it->second;  // the point's place in the spec as it is now
    out.push_back(r);
  }
  std::sort(out.begin(), out.end(),
            [](const PointResult& a, const PointResult& b) { return a.index < b.index; });
  return out;
}

bool dominates(const PointResult& a, const PointResult& b, const std::vector<std::string>& objs) {
  bool strictly = false;
  for (const auto& o : objs) {
    const double x = a.objective(o), y = b.objective(o);
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) {
    if (c == '"') o += '"';
    o += c;
  }
  return o + "\"";
}

void write_csv(std::ostream& os, const std::vector<PointResult>& rs) {
  os << "index,hash,workload,params,status,error,cycles,seconds,energy_pj,power_mw,edp_pj_s,"
        "dram_bytes,onchip_storage_bytes,area_mm2,macs,utilization,wall_seconds\n";
  for (const auto& r : rs)
    os << r.index << "," << r.hash << "," << csv_field(r.workload) << "," << csv_field(r.params)
       << "," << r.status << "," << csv_field(r.error) << "," << r.cycles << ","
       << json_number(r.seconds) << "," << json_number(r.energy_pj) << ","
       << json_number(r.power_mw) << "," << json_number(r.energy_pj * r.seconds) << ","
       << r.dram_bytes << "," << r.onchip_storage_bytes << "," << json_number(r.area_mm2) << ","
       << r.macs << "," << json_number(r.utilization) << "," << json_number(r.wall_seconds) << "\n";
}

void write_json(std::ostream& os, const std::vector<PointResult>& rs) {
  os << "[\n";
  for (std::size_t i = 0; i < rs.size(); ++i) {
    const auto& r = rs[i];
    os << "  {\"index\": " << r.index << ", \"hash\": " << json_quote(r.hash)
       << ", \"workload\": " << json_quote(r.workload)
       << ", \"params\": " << (r.params.empty() ? "{}" : r.params)
       << ", \"status\": " << json_quote(r.status) << ", \"error\": " << json_quote(r.error)
       << ", \"cycles\": " << r.cycles << ", \"seconds\": " << json_number(r.seconds)
       << ", \"energy_pj\": " << json_number(r.energy_pj)
       << ", \"power_mw\": " << json_number(r.power_mw) << ", \"dram_bytes\": " << r.dram_bytes
       << ", \"onchip_storage_bytes\": " << r.onchip_storage_bytes
       << ", \"area_mm2\": " << json_number(r.area_mm2) << ", \"macs\": " << r.macs
       << ", \"utilization\": " << json_number(r.utilization)
       << ", \"wall_seconds\": " << json_number(r.wall_seconds) << "}"
       << (i + 1 < rs.size() ? ",\n" : "\n");
  }
  os << "]\n";
}

const char* unit_of(const std::string& o) {
  if (o == "energy") return "pJ";
  if (o == "latency") return "s";
  if (o == "cycles") return "cycles";
  if (o == "edp") return "pJ s";
  if (o == "power") return "mW";
  if (o == "area") return "mm^2";
  return "B";
}

// The Pareto front over the spec's objectives, as CSV and plots (gnuplot, SVG and PNG).
void write_pareto(const SweepSpec& spec, const std::vector<PointResult>& results,
                  const std::string& dir) {
  std::vector<PointResult> done;
  for (const auto& r : results)
    if (r.status == "done") done.push_back(r);
  std::vector<PointResult> front;
  for (const auto& a : done) {
    bool dominated = false;
    for (const auto& b : done) dominated = dominated || dominates(b, a, spec.objectives);
    if (!dominated) front.push_back(a);
  }
  const std::string& x = spec.objectives[0];
  const std::string& y = spec.objectives[1];
  std::sort(front.begin(), front.end(), [&](const PointResult& a, const PointResult& b) {
    return a.objective(x) < b.objective(x);
  });
  {
    std::ofstream os(dir + "/pareto.csv");
    write_csv(os, front);
  }
  // The plot shows the first two objectives: every point, the front over all objectives, and
  // (with more than two objectives) the front over the two plotted ones as a staircase.
  const std::vector<std::string> xy = {x, y};
  std::vector<PointResult> front2;
  for (const auto& a : done) {
    bool dominated = false;
    for (const auto& b : done) dominated = dominated || dominates(b, a, xy);
    if (!dominated) front2.push_back(a);
  }
  std::sort(front2.begin(), front2.end(), [&](const PointResult& a, const PointResult& b) {
    return a.objective(x) < b.objective(x);
  });
  {
    std::ofstream all(dir + "/points.dat"), fr(dir + "/front.dat"), f2(dir + "/front2.dat");
    for (const auto& r : done)
      all << json_number(r.objective(x)) << " " << json_number(r.objective(y)) << "\n";
    for (const auto& r : front)
      fr << json_number(r.objective(x)) << " " << json_number(r.objective(y)) << "\n";
    for (const auto& r : front2)
      f2 << json_number(r.objective(x)) << " " << json_number(r.objective(y)) << "\n";
  }
  const bool many = spec.objectives.size() > 2;
  std::string third;
  if (many)
    third = " (non-dominated over " + std::to_string(spec.objectives.size()) + " objectives)";
  for (const std::string term : {"svg", "png"}) {
    std::ofstream gp(dir + "/pareto_" + term + ".gp");
    gp << (term == "svg" ? "set terminal svg size 800,600\n"
                         : "set terminal pngcairo size 800,600\n")
       << "set output '" << dir << "/pareto." << term << "'\n"
       << "set title \"" << spec.name << ": Pareto front" << third << "\" noenhanced\n"
       << "set xlabel '" << x << " (" << unit_of(x) << ")' noenhanced\n"
       << "set ylabel '" << y << " (" << unit_of(y) << ")' noenhanced\n"
       << "set grid\nset key outside bottom center horizontal\nset format x '%.3g'\nset format y "
          "'%.3g'\nset xtics rotate by -30\n"
       << "plot '" << dir
       << "/points.dat' using 1:2 with points pt 7 ps 0.8 lc rgb '#9a9a9a' title 'points', \\\n";
    if (many)
      gp << "     '" << dir
         << "/front2.dat' using 1:2 with steps lw 1 lc rgb '#2c7fb8' title 'front of the two "
            "plotted', \\\n"
         << "     '" << dir
         << "/front.dat' using 1:2 with points pt 7 ps 1.3 lc rgb '#c0392b' title 'Pareto front'\n";
    else
      gp << "     '" << dir
         << "/front.dat' using 1:2 with linespoints pt 7 ps 1.3 lw 2 lc rgb '#c0392b' title "
            "'Pareto front'\n";
  }
  for (const std::string term : {"svg", "png"}) {
    const std::string cmd =
        "gnuplot '" + dir + "/pareto_" + term + ".gp' 2>'" + dir + "/gnuplot.log'";
    if (std::system(cmd.c_str()) != 0)
      std::cerr << "sweep: warning: gnuplot failed or is missing (see " << dir
                << "/gnuplot.log); pareto.csv is written\n";
  }
  std::cerr << "sweep: Pareto front: " << front.size() << " of " << done.size() << " points over ";
  for (std::size_t i = 0; i < spec.objectives.size(); ++i)
    std::cerr << (i ? ", " : "") << spec.objectives[i];
  std::cerr << " -> " << dir << "/pareto.{csv,svg,png}\n";
}

struct Prepared {
  SweepSpec spec;
  std::vector<SweepPoint> points;
  std::string dir;
};

// The spec, its points and its folder; `create` makes the folder (an export only reads it, and
// leaves nothing behind when there are no results).
Prepared prepare(const SweepOptions& opt, bool create = true) {
  Prepared p;
  p.spec = load_sweep_spec(opt.spec_file);
  p.points = enumerate_points(p.spec);
  p.dir = sweep_out_dir(opt, p.spec.name);
  if (!create) return p;
  std::error_code ec;
  fs::create_directories(p.dir + "/points", ec);
  if (ec) throw ConfigError(p.dir + ": cannot create the sweep folder: " + ec.message());
  return p;
}

// Prints the outcome of every point; returns the number of failed points.
std::size_t summarize(const Prepared& p, const ResultStore& store) {
  const auto results = current_results(store, p.points);
  std::size_t done = 0;
  std::vector<const PointResult*> failures;
  for (const auto& r : results) {
    if (r.status == "done")
      ++done;
    else
      failures.push_back(&r);
  }
  std::cerr << "sweep: " << p.spec.name << ": " << done << " done, " << failures.size()
            << " failed, " << p.points.size() - results.size() << " not run, of " << p.points.size()
            << " points; results in " << p.dir << "/sweep.sqlite\n";
  for (const auto* f : failures)
    std::cerr << "  failed: point " << f->index << " " << f->params << " (" << f->workload
              << "): " << f->error << "\n";
  if (done > 0) write_pareto(p.spec, results, p.dir);
  return failures.size();
}

// Collects result files that a killed sweep's children finished after it died.
void harvest(ResultStore& store, const Prepared& p, std::vector<const SweepPoint*>& pending) {
  std::vector<const SweepPoint*> still;
  for (const SweepPoint* pt : pending) {
    const std::string file = p.dir + "/points/" + pt->hash + ".json";
    auto r = read_point_result(file);
    if (r && r->hash == pt->hash) {
      store.insert(*r);
      fs::remove(file);
    } else {
      still.push_back(pt);
    }
  }
  pending.swap(still);
}

struct RunningPoint {
  const SweepPoint* point;
  std::string result;
};

// Starts `sweep-point` for `pt` in a child process of its own group that dies with the sweep;
// its output goes to the point's log. Returns its pid.
pid_t start_point(const SweepOptions& opt, const Prepared& p, const SweepPoint& pt, int jobs,
                  const std::string& result) {
  const std::string log = p.dir + "/points/" + pt.hash + ".log";
  const std::string index = std::to_string(pt.index);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid > 0) return pid;
  setpgid(0, 0);  // Ctrl-C goes to the sweep, which stops its children itself
  // A point dies with its sweep, even a SIGKILLed one (no orphan keeps computing and writing
  // results a resumed sweep computes again).
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(1);
  // The points share the cores: each gets its part.
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  setenv("DFSIM_THREADS", std::to_string(std::max(1u, cores / static_cast<unsigned>(jobs))).c_str(),
         1);
  FILE* f = std::freopen(log.c_str(), "w", stdout);
  (void)f;
  dup2(STDOUT_FILENO, STDERR_FILENO);
  execl(opt.self_exe.c_str(), opt.self_exe.c_str(), "sweep-point", opt.spec_file.c_str(), "--index",
        index.c_str(), "--result", result.c_str(), static_cast<char*>(nullptr));
  std::fprintf(stderr, "sweep: cannot run %s: %s\n", opt.self_exe.c_str(), std::strerror(errno));
  _exit(127);
}

int run_local(const SweepOptions& opt, Prepared& p, ResultStore& store,
              std::vector<const SweepPoint*> pending, std::size_t already) {
  const int jobs =
      opt.jobs > 0 ? opt.jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  Progress progress(p.points.size(), already);
  progress.show();
  std::map<pid_t, RunningPoint> running;
  std::size_t next = 0, lost = 0;
  while ((next < pending.size() || !running.empty()) && !g_interrupted) {
    while (next < pending.size() && static_cast<int>(running.size()) < jobs && !g_interrupted) {
      const SweepPoint* pt = pending[next++];
      const std::string result = p.dir + "/points/" + pt->hash + ".json";
      running[start_point(opt, p, *pt, jobs, result)] = {pt, result};
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    auto r = read_point_result(it->second.result);
    if (r && r->hash == it->second.point->hash) {
      store.insert(*r);
      fs::remove(it->second.result);
      progress.finished(r->status == "done");
    } else {
      // The process died without a result (killed, or dfsim could not start): not the
      // point's fault, so it is not recorded and the next run retries it.
      std::ostringstream why;
      if (WIFSIGNALED(status))
        why << "signal " << WTERMSIG(status);
      else
        why << "status " << WEXITSTATUS(status);
      std::cerr << "\nsweep: point " << it->second.point->index << " ended (" << why.str()
                << ") without a result; not recorded, a re-run retries it (log: " << p.dir
                << "/points/" << it->second.point->hash << ".log)\n";
      ++lost;
      progress.finished(false);
    }
    running.erase(it);
  }
  if (g_interrupted) {
    for (auto& [pid, r] : running) kill(-pid, SIGTERM);
    for (auto& [pid, r] : running) waitpid(pid, nullptr, 0);
    progress.end();
    std::cerr << "sweep: interrupted; finished points are saved, run the same command to resume\n";
    return 128 + g_signal;
  }
  progress.end();
  return lost ? 1 : 0;
}

// The Slurm array job: task i runs `sweep-point` for line i + 1 of the point list.
std::string write_job_script(const Prepared& p, const std::string& sdir, const std::string& list,
                             const std::string& exe, const std::string& spec,
                             const std::string& pdir) {
  const std::string script = sdir + "/job.sh";
  std::ofstream os(script);
  os << "#!/bin/bash\n"
     << "#SBATCH --job-name=dfsim-" << p.spec.name << "\n"
     << "#SBATCH --output=" << sdir << "/logs/%A_%a.out\n"
     << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
  // A backstop: the point's own watchdog records it as failed at point_timeout_s.
  if (p.spec.point_timeout_s > 0)
    os << "#SBATCH --time=" << static_cast<long>(std::ceil(p.spec.point_timeout_s / 60)) + 5
       << "\n";
  os << "read -r idx hash < <(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" '" << list << "')\n"
     << "exec '" << exe << "' sweep-point '" << spec << "' --index \"$idx\" --result '" << pdir
     << "/'\"$hash\".json\n";
  return script;
}

int run_slurm(const SweepOptions& opt, Prepared& p, ResultStore& store,
              std::vector<const SweepPoint*> pending, std::size_t already) {
  if (std::system("command -v sbatch >/dev/null 2>&1") != 0)
    throw ConfigError("--backend slurm: sbatch is not on PATH");
  const std::string sdir = fs::absolute(p.dir + "/slurm").string();
  fs::create_directories(sdir + "/logs");
  const std::string list = sdir + "/points.txt";
  {
    std::ofstream os(list);
    for (const auto* pt : pending) os << pt->index << " " << pt->hash << "\n";
  }
  const std::string exe = fs::absolute(opt.self_exe).string();
  const std::string spec = fs::absolute(opt.spec_file).string();
  const std::string pdir = fs::absolute(p.dir + "/points").string();
  const std::string script = write_job_script(p, sdir, list, exe, spec, pdir);
  std::string array = "0-" + std::to_string(pending.size() - 1);
  if (opt.jobs > 0) array += "%" + std::to_string(opt.jobs);
  const std::string cmd = "sbatch --parsable --array=" + array + " '" + script + "' 2>&1";
  FILE* f = popen(cmd.c_str(), "r");
  if (!f) throw std::runtime_error("cannot run sbatch");
  char buf[256] = {0};
  std::string out;
  while (fgets(buf, sizeof buf, f)) out += buf;
  const int rc = pclose(f);
  if (rc != 0) throw std::runtime_error("sbatch failed: " + out);
  const std::string job = out.substr(0, out.find_first_of(";\n"));
  std::cerr << "sweep: submitted Slurm job array " << job << " (" << pending.size() << " points)\n";

  Progress progress(p.points.size(), already);
  progress.show();
  // True only when squeue answers and lists none of the job's tasks (a failing squeue is
  // not taken to mean the job is over).
  auto queue_empty = [&] {
    const std::string q = "squeue -h -j " + job + " 2>/dev/null";
    FILE* s = popen(q.c_str(), "r");
    if (!s) return false;
    std::string o;
    while (fgets(buf, sizeof buf, s)) o += buf;
    if (pclose(s) != 0) return false;
    return o.find_first_not_of(" \n") == std::string::npos;
  };
  int grace = 0;
  while (!pending.empty() && !g_interrupted) {
    const std::size_t before = pending.size();
    std::vector<const SweepPoint*> still;
    for (const auto* pt : pending) {
      const std::string file = pdir + "/" + pt->hash + ".json";
      auto r = read_point_result(file);
      if (r && r->hash == pt->hash) {
        store.insert(*r);
        fs::remove(file);
        progress.finished(r->status == "done");
      } else {
        still.push_back(pt);
      }
    }
    pending.swap(still);
    if (pending.empty()) break;
    if (pending.size() == before && queue_empty()) {
      // The array is gone but results are missing: give the file system a moment; then the
      // missing points are reported, not recorded, and a re-run resubmits them.
      if (++grace > 3) {
        for (const auto* pt : pending) {
          std::cerr << "\nsweep: point " << pt->index
                    << ": the Slurm task ended without a result; not recorded,"
                    << " a re-run resubmits it (logs: " << sdir << "/logs)\n";
          progress.finished(false);
        }
        progress.end();
        return 1;
      }
    } else {
      grace = 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  progress.end();
  if (g_interrupted) {
    std::system(("scancel " + job + " >/dev/null 2>&1").c_str());
    std::cerr << "sweep: interrupted; cancelled job " << job
              << "; run the same command to resume\n";
    return 128 + g_signal;
  }
  return 0;
}

}  // namespace

std::string sweep_out_dir(const SweepOptions& opt, const std::string& sweep_name) {
  return opt.out_dir.empty() ? "sweeps/" + sweep_name : opt.out_dir;
}

namespace {

// One sweep at a time per folder: a second one (e.g. a resume started while the first still
// runs) would compute the same points at once. The lock is the kernel's: it ends with the
// process, however it dies; children do not inherit it (close-on-exec).
class SweepFolderLock {
 public:
  explicit SweepFolderLock(const std::string& dir) {
    const std::string path = dir + "/sweep.lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw ConfigError(path + ": cannot open (" + std::strerror(errno) + ")");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd_);
      throw ConfigError(dir +
                        ": another dfsim sweep is running on this folder; wait for it to "
                        "end (or stop it) and run the same command again to resume");
    }
  }
  ~SweepFolderLock() { ::close(fd_); }
  SweepFolderLock(const SweepFolderLock&) = delete;
  SweepFolderLock& operator=(const SweepFolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace

int run_sweep(const SweepOptions& opt) {
  Prepared p = prepare(opt);
  const SweepFolderLock lock(p.dir);
  ResultStore store(p.dir + "/sweep.sqlite");
  std::string objectives;
  for (const std::string& o : p.spec.objectives) objectives += (objectives.empty() ? "" : ",") + o;
  store.set_meta("name", p.spec.name);
  store.set_meta("objectives", objectives);
  // The spec's points as this run enumerated them, HASH:INDEX: rows of an older version of the
  // spec stay in the database (with the index they had), and a report leaves them out and
  // numbers the others as the summary and exports do.
  std::string points;
  for (const auto& pt : p.points)
    points += (points.empty() ? "" : ",") + pt.hash + ":" + std::to_string(pt.index);
  store.set_meta("points", points);
  std::vector<const SweepPoint*> pending;
  const auto finished = store.finished_hashes();
  for (const auto& pt : p.points)
    if (!finished.count(pt.hash)) pending.push_back(&pt);
  harvest(store, p, pending);
  const std::size_t already = p.points.size() - pending.size();
  std::cerr << "sweep: " << p.spec.name << ": " << p.points.size() << " points, " << already
            << " already finished, " << pending.size() << " to run (" << opt.backend << ")\n";
  install_signal_handlers();
  int rc = 0;
  if (!pending.empty())
    rc = opt.backend == "slurm" ? run_slurm(opt, p, store, pending, already)
                                : run_local(opt, p, store, pending, already);
  // Failed points are recorded and summarized; the sweep then exits non-zero (1).
  const std::size_t failed = summarize(p, store);
  return rc != 0 ? rc : failed > 0 ? 1 : 0;
}

namespace {

// run.point_timeout_s: a thread that, if the point is still running at the limit, records it
// as failed and ends the process. The same on every backend: a Slurm task too writes its
// result (its job's --time is a later backstop).
class PointWatchdog {
 public:
  PointWatchdog(const SweepSpec& spec, const SweepPoint& pt, std::string result_path) {
    if (spec.point_timeout_s <= 0) return;
    PointResult r = failed_result(
        spec, pt,
        "stopped after " + json_number(spec.point_timeout_s) + " s (run.point_timeout_s)");
    r.wall_seconds = spec.point_timeout_s;
    thread_.start(
        [r, limit_s = spec.point_timeout_s, path = std::move(result_path)](StoppableThread& t) {
          if (t.stopped_within(limit_s)) return;
          write_point_result(path, r);
          std::cout << "point " << r.index << ": failed: " << r.error << std::endl;
          std::_Exit(0);
        });
  }

 private:
  StoppableThread thread_;
};

}  // namespace

int run_sweep_point(const std::string& spec_file, long long index, const std::string& result_path) {
  const auto t0 = Clock::now();
  SweepSpec spec = load_sweep_spec(spec_file, false);
  const auto points = enumerate_points(spec, index);
  const SweepPoint* pt = nullptr;
  for (const auto& p : points)
    if (p.index == index) pt = &p;
  if (!pt) throw ConfigError(spec_file + ": no point with index " + std::to_string(index));
  PointResult r = failed_result(spec, *pt, "");
  {  // the watchdog stops before the result is written: one writer at a time
    const PointWatchdog watchdog(spec, *pt, result_path);
    try {
      const SweepWorkload& w = spec.workloads[static_cast<std::size_t>(pt->workload)];
      RunOptions ro;
      ro.arch_file = pt->base_arch + " with " + pt->params_json();
      ro.arch_text = pt->arch_text;
      ro.workload_file = w.file;
      ro.layers = w.layers;
      if (w.batch) ro.batch = w.batch;
      ro.seed = spec.seed;
      ro.objective = spec.mapper_objective;
      ro.check = spec.check;
      // A point needs cycles, traffic and energy; the values only when the spec checks them.
      ro.timing_only = !spec.check;
      const RunResult res = run_simulation(ro);
      const ArchConfig arch = load_arch_from_string(pt->arch_text, ro.arch_file);
      r.status = res.total.output_check == "fail" ? "failed" : "done";
      if (r.status == "failed") r.error = "simulated outputs differ from the reference convolution";
      r.cycles = res.total.cycles;
      r.seconds = res.total.seconds;
      r.energy_pj = res.total.total_pj();
      r.power_mw = res.total.power_mw();
      r.dram_bytes = res.total.dram.total_read_bytes() + res.total.dram.total_write_bytes();
      r.onchip_storage_bytes = onchip_storage_bytes(arch);
      r.area_mm2 = res.info.area.total_mm2();
      r.macs = res.total.macs;
      r.utilization = res.total.utilization;
      for (const LayerStats& l : res.layers)
        r.layers.push_back({l.name, l.cycles, l.macs,
                            l.dram.total_read_bytes() + l.dram.total_write_bytes(), l.seconds,
                            l.utilization, l.total_pj(), l.dram.energy_pj, l.glb.energy_pj,
                            l.noc.energy_pj, l.rf.energy_pj, l.mac_pj, l.idle_pj});
    } catch (const std::exception& e) {
      r.status = "failed";
      r.error = e.what();
    }
  }
  r.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  write_point_result(result_path, r);
  std::cout << "point " << index << ": " << r.status << (r.error.empty() ? "" : ": " + r.error)
            << "\n";
  return 0;
}

int export_sweep(const SweepOptions& opt, const std::string& format, const std::string& output) {
  Prepared p = prepare(opt, false);
  if (!fs::exists(p.dir + "/sweep.sqlite"))
    throw ConfigError(p.dir + "/sweep.sqlite: no results yet; run the sweep first");
  ResultStore store(p.dir + "/sweep.sqlite");
  const auto results = current_results(store, p.points);
  std::ostringstream os;
  if (format == "csv")
    write_csv(os, results);
  else if (format == "json")
    write_json(os, results);
  else
    throw ConfigError("--export: '" + format + "' is not one of: csv json");
  if (output.empty() || output == "-") {
    std::cout << os.str();
  } else {
    const std::string tmp = output + ".tmp";
    {
      std::ofstream f(tmp);
      f << os.str();
      if (!f.flush()) throw std::runtime_error(tmp + ": write failed");
    }
    fs::rename(tmp, output);
    std::cerr << "sweep: wrote " << results.size() << " points to " << output << "\n";
  }
  return 0;
}

}  // namespace dfsim
