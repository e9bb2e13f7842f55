// Benchmark runner: runs a dfsim command several times in child processes and prints the
// wall time, CPU time (user + system, all threads) and peak resident memory of each run
// (wait4's rusage), then the best and median.
// Usage: dfsim_bench REPEATS -- COMMAND [ARGS...]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc < 4 || std::string(argv[2]) != "--") {
    std::fprintf(stderr, "usage: %s REPEATS -- COMMAND [ARGS...]\n", argv[0]);
    return 2;
  }
  const int repeats = std::atoi(argv[1]);
  std::vector<double> walls, cpus;
  long peak_kb = 0;
  for (int i = 0; i < repeats; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = fork();
    if (pid == 0) {
      const int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, STDOUT_FILENO);
      execvp(argv[3], argv + 3);
      _exit(127);
    }
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      std::fprintf(stderr, "run %d failed (status %d)\n", i, status);
      return 1;
    }
    const auto seconds = [](const timeval& t) {
      return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6;
    };
    const double cpu = seconds(ru.ru_utime) + seconds(ru.ru_stime);
    walls.push_back(wall);
    cpus.push_back(cpu);
    peak_kb = std::max(peak_kb, ru.ru_maxrss);
    std::printf("run %d: wall %.3f s, CPU %.3f s, peak RSS %.1f MiB\n", i, wall, cpu,
                ru.ru_maxrss / 1024.0);
  }
  std::sort(walls.begin(), walls.end());
  std::sort(cpus.begin(), cpus.end());
  std::printf("best %.3f s, median %.3f s, median CPU %.3f s, peak RSS %.1f MiB over %d runs\n",
              walls.front(), walls[walls.size() / 2], cpus[cpus.size() / 2], peak_kb / 1024.0,
              repeats);
  return 0;
}
