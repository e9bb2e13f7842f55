// The malformed-input corpus (issue 21): tests/corpus/malformed.yaml lists inputs that must be
// refused (architecture, workload, mapping, sweep spec, .npy, ONNX, command line). For each
// case the test writes its files into a fresh folder, runs dfsim, and asserts the exit code,
// the one-line error (file:line:column: key: message, or the option's name), and that nothing
// is left behind (a run's stats.json under --out {dir}/out, a sweep's {dir}/db/sweep.sqlite). A
// case that hangs fails through `timeout` (exit 124).
//
// In the corpus, {dir} stands for the case's folder and {root} for the source tree.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>

#include "test_util.hpp"

namespace {

namespace fs = std::filesystem;
using dfsim_test::contains;
using dfsim_test::describe;

std::string substitute(std::string text, const std::string& dir) {
  const std::string root = dfsim_test::source_path("");
  for (const auto& [from, to] :
       {std::pair{std::string("{dir}"), dir}, std::pair{std::string("{root}/"), root}}) {
    for (std::size_t at = text.find(from); at != std::string::npos;
         at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  }
  return text;
}

std::string from_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

// A .npy file from its header text (`<c*N>` stands for N copies of c), format version,
// extra header padding and data (zeros and/or hex bytes), laid out as numpy writes one: magic,
// version, header length (2 bytes in version 1, 4 in version 2), header padded with spaces to a
// multiple of 16 and ended by a newline, data.
std::string npy_file(const YAML::Node& f) {
  std::string header = f["npy_header"].as<std::string>();
  static const std::regex repeat(R"(<(.)\*(\d+)>)");
  for (std::smatch m; std::regex_search(header, m, repeat);)
    header.replace(static_cast<std::size_t>(m.position(0)), static_cast<std::size_t>(m.length(0)),
                   std::string(std::stoul(m[2].str()), m[1].str()[0]));
  header += std::string(f["npy_header_pad"] ? f["npy_header_pad"].as<std::size_t>() : 0, ' ');
  const int version = f["npy_version"] ? f["npy_version"].as<int>() : 1;
  const std::size_t prefix = version == 1 ? 10 : 12;
  header += std::string((16 - (prefix + header.size() + 1) % 16) % 16, ' ') + "\n";
  std::string out = std::string("\x93NUMPY") + static_cast<char>(version) + '\0';
  const std::size_t len = header.size();
  for (std::size_t i = 0; i < (version == 1 ? 2u : 4u); ++i)
    out += static_cast<char>((len >> (8 * i)) & 0xff);
  out += header;
  if (f["npy_data_zeros"]) out += std::string(f["npy_data_zeros"].as<std::size_t>(), '\0');
  if (f["npy_data_hex"]) out += from_hex(f["npy_data_hex"].as<std::string>());
  return out;
}

// The case's files: text, `hex` bytes, or a .npy built by npy_file; and FIFOs (`fifos`).
void write_files(const YAML::Node& c, const std::string& dir) {
  if (const YAML::Node files = c["files"]) {
    for (const auto& f : files) {
      const std::string path = dir + "/" + f.first.as<std::string>();
      fs::create_directories(fs::path(path).parent_path());
      const std::string text = !f.second.IsMap() ? substitute(f.second.as<std::string>(), dir)
                               : f.second["hex"] ? from_hex(f.second["hex"].as<std::string>())
                                                 : npy_file(f.second);
      dfsim_test::write_file(path, text);
    }
  }
  if (const YAML::Node fifos = c["fifos"]) {
    for (const auto& f : fifos) {
      ASSERT_EQ(::mkfifo((dir + "/" + f.as<std::string>()).c_str(), 0600), 0);
    }
  }
}

TEST(MalformedCorpus, EveryCaseIsRefusedWithItsMessage) {
  const YAML::Node cases = YAML::LoadFile(dfsim_test::source_path("tests/corpus/malformed.yaml"));
  ASSERT_GE(cases.size(), 150u);
  for (const YAML::Node& c : cases) {
    const std::string name = c["name"].as<std::string>();
    SCOPED_TRACE(name);
    const std::string dir = dfsim_test::fresh_dir("corpus_" + name);
    write_files(c, dir);
    std::string args = substitute(c["args"].as<std::string>(), dir);
    if (args.rfind("run ", 0) == 0 && args.find("--out") == std::string::npos)
      args += " --out " + dir + "/out";
    const dfsim_test::CliResult r = dfsim_test::dfsim(args, dir, 60);
    EXPECT_EQ(r.code, c["code"].as<int>()) << args << "\n" << describe(r);
    const std::string error = substitute(c["error"].as<std::string>(), dir);
    EXPECT_TRUE(contains(r.err, error)) << "expected: " << error << "\n" << describe(r);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line\n" << describe(r);
    // Nothing left behind: a run's stats.json, a sweep's database.
    EXPECT_FALSE(fs::exists(dir + "/out/stats.json")) << args;
    EXPECT_FALSE(fs::exists(dir + "/db/sweep.sqlite")) << args;
  }
}

}  // namespace
