// Imports an ONNX CNN model as a dfsim Network: Conv, Gemm and MatMul nodes become layers
// whose weights are the model's own (quantized to integers and written as .npy files), so a
// pruned model's real weights and sparsity drive the simulation. Every other supported node
// only moves shapes along (pooling, flatten, batch norm, ...) or sets a layer's ReLU.
//
// Supported operators (default ONNX domain):
//   Conv                 -> conv layer (pads, auto_pad, strides and dilations per axis; bias
//                           ignored)
//   Gemm                 -> fc layer (transA 0, transB 0/1; alpha folded into the weights,
//                           bias/beta ignored); after a Flatten/Reshape of (C, H, W) the layer
//                           has that C, H, W and R = H, S = W
//   MatMul               -> fc layer, when the second input is a 2-D initializer [K][M]
//   Relu                 -> sets relu = true on the conv/fc layer(s) producing its input
//   MaxPool, AveragePool, GlobalAveragePool, Flatten, Reshape, BatchNormalization, Dropout,
//   Identity, Add, Concat, Softmax, LRN
//                        -> shape propagation only
// Anything else, and anything malformed, throws ConfigError naming the file (and the node).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "workload/layer.hpp"

namespace dfsim {

struct OnnxImportOptions {
  // Quantization target, 2..16 bits: symmetric per tensor, w_q = round(w / s) with
  // s = max|w| / (2^(bits-1) - 1). Exact zeros stay zero, so pruning is preserved. Integer
  // initializers that already fit are kept as they are. Each layer's product_shift is set to
  // bits - 1 (weights are fixed point with max|w| = 1.0).
  int weight_bits = 16;
  // Batch for a symbolic (or 0) batch dimension of the graph input; a fixed one is kept.
  std::int64_t batch = 1;
  // Where the quantized weights (<index>_<layer>.npy) and a workload YAML (workload.yaml,
  // loadable by load_network) are written. Empty: "<model stem>.dfsim" next to the model.
  std::string data_dir;
};

struct OnnxImportResult {
  Network network;
  // Human-readable remarks: ignored biases, per-layer weight density, nodes that changed no
  // layer, non-zero weights that quantized to zero, ...
  std::vector<std::string> notes;
};

// Reads the model, builds the network and writes the weight files into the data folder.
// Layers are named after the ONNX nodes (op_type + node index if unnamed); Layer::where is
// "<path>: node '<name>' (<op_type>)". Throws ConfigError (with `path` in the message) for
// unreadable or malformed models, unsupported operators or attributes.
Network import_onnx(const std::string& path, const OnnxImportOptions& opt = OnnxImportOptions{});

// The same, with the import notes.
OnnxImportResult import_onnx_with_notes(const std::string& path,
                                        const OnnxImportOptions& opt = OnnxImportOptions{});

// Writes a network as a workload YAML that load_network reads back to the same layers
// (data file paths relative to the YAML's folder where possible).
void write_network_yaml(const Network& net, const std::string& yaml_path);

}  // namespace dfsim
