// ONNX models: protobuf parsing, the graph's operators and attributes, shapes and weights. The
// quantized weights and workload.yaml go to a folder of the process's own.
#include "fuzz_common.hpp"
#include "workload/onnx_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = dfsim_fuzz::write_input(data, size, ".onnx");
  dfsim_fuzz::expect_only_config_errors([&] {
    dfsim::OnnxImportOptions opt;
    opt.data_dir = path + ".dfsim";
    dfsim::import_onnx(path, opt);
  });
  return 0;
}
