// Imports a Timeloop problem file (a workload YAML whose top-level key is `problem`) as a
// one-layer dfsim Network, so a Timeloop user runs the layer files they already have. Two forms:
//
//   problem:                       # Timeloop v0.3/v0.4
//     shape: {name: CNN-Layer, dimensions: [C, M, R, S, N, P, Q], ...}   (or absent)
//     instance: {C, M, R, S, N, P, Q, Wstride, Hstride, Wdilation, Hdilation, densities}
//
//   problem: {C, K, R, S, N, P, Q, Wstride, Hstride, Wdilation, Hdilation, shape: cnn-layer}
//                                  # the flat form of older exercises and tools (K = M; the
//                                  # shape may be left out, as Timeloop then assumes it)
//
// Timeloop's cnn-layer problem: R is the filter's width, paired with P (output width), Wstride
// and Wdilation; S its height, with Q, Hstride and Hdilation; the input has no padding (its
// projection is W = Wstride x P + Wdilation x R over the iteration space), so W = Wstride (P - 1)
// + Wdilation (R - 1) + 1 and H = Hstride (Q - 1) + Hdilation (S - 1) + 1. In Sze et al.'s names
// dfsim uses: R (height) = Timeloop's S, S (width) = its R, E = Q, F = P; the strides and
// dilations keep their axes. MACs are Timeloop's C M R S N P Q. N, the strides and the
// dilations default to 1. `densities` of Weights, Inputs and Outputs (a
// number, or {density: x} with one of Timeloop's distributions) become weight_density,
// input_density and the declared output_density; `commonDensity` sets the first two;
// `bitwidths` of Weights and Inputs set the generated operands' widths. The shape is checked
// by name and dimensions only: its data-spaces are assumed to be cnn-layer's projections.
// The layer is named after the file. Errors throw ConfigError with file:line:column and key.
#pragma once

#include "base/config/config_node.hpp"
#include "workload/layer.hpp"

namespace dfsim {

// True when the document is a Timeloop problem (its top-level map has `problem`).
bool is_timeloop_problem(const ConfigNode& root);

Network import_timeloop_problem(const ConfigNode& root);

}  // namespace dfsim
