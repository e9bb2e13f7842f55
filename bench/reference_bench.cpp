// The reference convolution's speed (the output check of every checked run): each layer of a
// fixed set (AlexNet CONV1-5 at batch 4, ResNet-50's 1x1 and 3x3 shapes, a MobileNet depthwise
// layer, an FC layer) computed three times; prints the best time and GMAC/s per layer and in all.
// Usage: dfsim_reference_bench
//        dfsim_reference_bench --arch FILE --workload FILE [--batch N] [--layers A,B,...]
//   the second form times the layers of that run instead (the GEMM floor of a simulation:
//   the reference convolutions of its layers, with the array style's arithmetic).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "run/run.hpp"
#include "workload/tensor.hpp"

namespace {

dfsim::Layer conv(const char* name, std::int64_t N, std::int64_t M, std::int64_t C, std::int64_t HW,
                  std::int64_t RS, std::int64_t stride, std::int64_t pad, std::int64_t groups = 1) {
  dfsim::Layer l;
  l.name = name;
  l.N = N;
  l.M = M;
  l.C = C;
  l.H = l.W = HW;
  l.R = l.S = RS;
  l.set_stride(stride);
  l.set_padding(pad);
  l.groups = groups;
  return l;
}

}  // namespace

namespace {

// The run's layers (mapped layers only, as with --skip-unmappable) and their arithmetic.
std::vector<std::pair<dfsim::Layer, dfsim::Arithmetic>> run_layers(int argc, char** argv) {
  dfsim::RunOptions opt;
  opt.skip_unmappable = true;
  if (argc % 2 == 0) throw std::invalid_argument("options come in pairs: --key value");
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--arch") {
      opt.arch_file = value;
    } else if (key == "--workload") {
      opt.workload_file = value;
    } else if (key == "--batch") {
      opt.batch = std::stoll(value);
    } else if (key == "--layers") {
      for (std::size_t at = 0; at <= value.size();) {
        const std::size_t comma = std::min(value.find(',', at), value.size());
        if (comma > at) opt.layers.push_back(value.substr(at, comma - at));
        at = comma + 1;
      }
    } else {
      throw std::invalid_argument("unknown option " + key);
    }
  }
  const dfsim::Plan plan = dfsim::make_plan(opt);
  std::vector<std::pair<dfsim::Layer, dfsim::Arithmetic>> out;
  for (const dfsim::LayerPlan& lp : plan.layers)
    out.emplace_back(lp.layer, plan.style->arithmetic(lp.layer));
  return out;
}

int bench(const std::vector<std::pair<dfsim::Layer, dfsim::Arithmetic>>& layers) {
  double total_s = 0, total_macs = 0;
  std::printf("%-18s %14s %10s %8s\n", "layer", "MACs", "best ms", "GMAC/s");
  for (const auto& [l, arith] : layers) {
    const dfsim::LayerData d = dfsim::make_layer_data(l, 1);
    double best = 1e30;
    for (int i = 0; i < 3; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const dfsim::Tensor4 out = dfsim::reference_conv(l, d, arith);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (out.data.empty()) return 1;
      best = std::min(best, s);
    }
    const double macs = static_cast<double>(l.N * l.macs_per_image());
    total_s += best;
    total_macs += macs;
    std::printf("%-18s %14.0f %10.2f %8.2f\n", l.name.c_str(), macs, best * 1e3,
                macs / best * 1e-9);
  }
  std::printf("%-18s %14.0f %10.2f %8.2f\n", "all", total_macs, total_s * 1e3,
              total_macs / total_s * 1e-9);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    try {
      return bench(run_layers(argc, argv));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "dfsim_reference_bench: %s\n", e.what());
      return 2;
    }
  }
  const std::vector<dfsim::Layer> layers = {
      conv("alexnet.conv1", 4, 96, 3, 227, 11, 4, 0),
      conv("alexnet.conv2", 4, 256, 96, 27, 5, 1, 2, 2),
      conv("alexnet.conv3", 4, 384, 256, 13, 3, 1, 1),
      conv("alexnet.conv4", 4, 384, 384, 13, 3, 1, 1, 2),
      conv("alexnet.conv5", 4, 256, 384, 13, 3, 1, 1, 2),
      conv("resnet50.1x1", 4, 256, 64, 56, 1, 1, 0),
      conv("resnet50.3x3", 4, 64, 64, 56, 3, 1, 1),
      conv("mobilenet.dw3x3", 4, 32, 32, 112, 3, 1, 1, 32),
      conv("alexnet.fc6", 16, 4096, 256, 6, 6, 1, 0),
  };
  std::vector<std::pair<dfsim::Layer, dfsim::Arithmetic>> with_arith;
  for (const dfsim::Layer& l : layers) with_arith.emplace_back(l, dfsim::Arithmetic{8, 16, true});
  return bench(with_arith);
}
