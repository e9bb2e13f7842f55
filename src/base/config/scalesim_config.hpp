// SCALE-Sim's architecture file (`.cfg`, an INI file read by Python's configparser; SCALE-Sim
// v2, scalesim/scale_config.py) as a dfsim architecture: the closest shipped architecture with
// SCALE-Sim's array size and SRAM sizes, and a list of what has no dfsim counterpart.
//
//   [general]               run_name                          -> name
//   [architecture_presets]  ArrayHeight x ArrayWidth          -> pe_array rows x cols
//                           IfmapSramSzkB, FilterSramSzkB,
//                           OfmapSramSzkB (KiB of 1-byte words) -> the style's buffers (below)
//                           Dataflow: ws | os | is            -> the array style (below)
//                           Bandwidth (words per cycle, with
//                           InterfaceBandwidth: USER)         -> dram.bandwidth_gbytes_per_s
//                           IfmapOffset, FilterOffset,
//                           OfmapOffset, MemoryBanks          -> dropped (trace addresses, banks)
//   [run_presets]           InterfaceBandwidth: CALC | USER   (CALC: the base's DRAM is kept)
//   [network_presets]       TopologyCsvLoc                    -> dropped (give --workload)
//
// Dataflow ws and is: configs/tpu_v1.yaml (weight_stationary_systolic; dfsim has no input
// stationary array, so `is` runs weight stationary), the unified buffer holding the ifmap and
// ofmap SRAMs, the weight FIFO the filter SRAM in whole rows x cols tiles. Dataflow os:
// configs/dataflows/os_256.yaml (output_stationary), one GLB of the three SRAMs' bytes.
// Keys are case-insensitive (configparser's); `:` or `=` separate key and value; `#` and `;`
// start comment lines. Errors name FILE:LINE:COLUMN and the key.
#pragma once

#include <string>
#include <vector>

namespace dfsim {

struct ImportedArch {
  std::string yaml;                // a complete dfsim architecture
  std::string base;                // the shipped file it starts from, e.g. configs/tpu_v1.yaml
  std::vector<std::string> notes;  // what was mapped approximately or dropped, one per line
};

// True when `path` names a SCALE-Sim configuration (it ends in .cfg).
bool is_scalesim_config(const std::string& path);
// Throws ConfigError naming the file, line, column and key on bad input.
ImportedArch import_scalesim_config(const std::string& path);
ImportedArch import_scalesim_config_from_string(const std::string& text, const std::string& origin);

}  // namespace dfsim
