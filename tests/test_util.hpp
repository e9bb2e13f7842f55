// Helpers the test files share: files, scratch paths, the source tree.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace dfsim_test {

inline std::string source_path(const std::string& rel) {
  return std::string(DFSIM_SOURCE_DIR) + "/" + rel;
}

// The shipped architectures: configs/*.yaml and configs/dataflows/*.yaml, by file stem (stems
// are unique) to path.
inline std::map<std::string, std::string> shipped_architectures() {
  std::map<std::string, std::string> out;
  for (const char* dir : {"configs", "configs/dataflows"})
    for (const auto& e : std::filesystem::directory_iterator(source_path(dir)))
      if (e.path().extension() == ".yaml") out[e.path().stem().string()] = e.path().string();
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

inline std::string write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) ADD_FAILURE() << "cannot write " << path;
  return path;
}

// A path under the test temp dir unique to this test and process (CTest runs tests in
// parallel processes).
inline std::string temp_path(const std::string& stem) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string dir = ::testing::TempDir();
  if (!dir.empty() && dir.back() != '/') dir += '/';
  return dir + "dfsim_" + (info ? std::string(info->test_suite_name()) + "_" + info->name() : "x") +
         "_" + std::to_string(::getpid()) + "_" + stem;
}

// An empty scratch folder temp_path(stem) (removed first if an earlier run left it).
inline std::string fresh_dir(const std::string& stem) {
  const std::string dir = temp_path(stem);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string write_temp(const std::string& stem, const std::string& text) {
  return write_file(temp_path(stem), text);
}

struct CliResult {
  int code = -1;
  std::string out, err;
};

// Runs `dfsim ARGS` with stdout and stderr captured to files in `dir`; with
// `timeout_seconds`, a run still going then is killed (exit 124, as timeout(1) reports it).
inline CliResult dfsim(const std::string& args, const std::string& dir, int timeout_seconds = 0) {
  const std::string out = dir + "/stdout.txt", err = dir + "/stderr.txt";
  const std::string limit =
      timeout_seconds > 0 ? "timeout -k 5 " + std::to_string(timeout_seconds) + " " : "";
  const std::string cmd =
      limit + "'" + DFSIM_BINARY + "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int rc = std::system(cmd.c_str());
  CliResult r;
  r.code = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

inline std::string describe(const CliResult& r) {
  return "exit " + std::to_string(r.code) + "\n--- stdout ---\n" + r.out + "--- stderr ---\n" +
         r.err;
}

}  // namespace dfsim_test
