// Imports a SCALE-Sim topology file (the CSV files of SCALE-Sim v2/v3's topologies/ folder) as a
// dfsim Network, so a SCALE-Sim user runs the layers they already have. Two forms, told apart
// by the header row:
//
//   conv: Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
//         Num Filter, Strides[, Stride width]
//         -> a conv layer: H, W, R, S, C, M and the stride; no padding (SCALE-Sim's ifmap is
//            the padded one). SCALE-Sim's E = ceil((H - R + stride) / stride) counts a last
//            window reaching past the ifmap when stride does not divide H - R, so the imported
//            H is the (E - 1) stride + R rows the windows read (AlexNet's Conv1 in SCALE-Sim's
//            file: 224 -> 227, the network's input), and W likewise: the same E, F and MACs.
//            A layer whose name contains "DP" is depthwise as
//            SCALE-Sim expands it (one layer per channel, each with Num Filter filters of one
//            channel): groups = C and M = C x Num Filter, the same MACs.
//   GEMM: Layer, M, N, K
//         -> the product [M][K] x [K][N] as SCALE-Sim lowers it (an M x K ifmap, a 1 x K filter,
//            N filters): a 1 x 1 conv over an M x 1 plane of K channels with N filters, M N K
//            MACs.
//
// MACs are SCALE-Sim's: E F R S C M per layer (topology_utils.py, topo_calc_hyperparams).
// Blank lines are skipped; fields may be padded with spaces or tabs; a trailing comma, and a
// comment after it (SCALE-Sim's "#dw"), are allowed. Batch 1 (SCALE-Sim has none; --batch
// sets it), ReLU on every layer (dfsim's conv default), 8-bit generated operands.
// Errors throw ConfigError "FILE:LINE:COLUMN: column 'NAME': ..." (or the header's).
#pragma once

#include <string>

#include "workload/layer.hpp"

namespace dfsim {

// True when `path` names a SCALE-Sim topology file (it ends in .csv).
bool is_scalesim_topology(const std::string& path);

Network import_scalesim_topology(const std::string& path);
Network import_scalesim_topology_from_string(const std::string& text, const std::string& origin);

}  // namespace dfsim
