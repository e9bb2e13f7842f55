// Shared by the libFuzzer harnesses (fuzz/README.md): each writes the fuzzer's bytes to a file
// and hands its path to a loader exactly as the command line does. A loader may refuse its
// input only with ConfigError (the one-line "file:line:col: key: problem" error); any other
// exception, a crash, a sanitizer report or a hang is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <string>

#include "base/config/config_node.hpp"

namespace dfsim_fuzz {

// A file of the process's own under /dev/shm (or /tmp), rewritten for every input.
inline const std::string& input_path(const char* suffix) {
  static const std::string path = [suffix] {
    const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    return std::string(dir) + "/dfsim_fuzz_" + std::to_string(getpid()) + suffix;
  }();
  return path;
}

// Writes the input; `{root}/` in it stands for the source tree, so that seeds can extend or
// name the shipped files (configs/, workloads/) wherever the repository is.
inline const std::string& write_input(const std::uint8_t* data, std::size_t size,
                                      const char* suffix) {
  const std::string& path = input_path(suffix);
  std::string text(reinterpret_cast<const char*>(data), size);
  const std::string from = "{root}/", to = DFSIM_SOURCE_DIR "/";
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at))
    text.replace(at, from.size(), to), at += to.size();
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(text.data(), static_cast<std::streamsize>(text.size()));
  return path;
}

// Runs `load`; ConfigError is the expected refusal, anything else aborts (a finding).
template <class F>
void expect_only_config_errors(F load) {
  try {
    load();
  } catch (const dfsim::ConfigError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: not a ConfigError: %s\n", e.what());
    std::abort();
  }
}

}  // namespace dfsim_fuzz
