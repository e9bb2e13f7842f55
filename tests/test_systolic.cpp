// Tests of the TPU v1-style weight-stationary systolic array (configs/tpu_v1.yaml,
// arrays/systolic/: systolic_array, systolic_parts, ws_mapping):
// closed-form cycle counts on small arrays, bit-exact results, the weight-memory roofline of
// Jouppi et al., ISCA 2017 (shared/reference/tpu-v1.md), and AlexNet conv3.
//
// SystemC can elaborate one design per process; gtest_discover_tests runs every TEST in a
// process of its own, so each TEST calls run_simulation exactly once.
//
// ---------------------------------------------------------------------------------------------
// Closed-form timing (derived from the controller and the parts, not read from the simulator)
// ---------------------------------------------------------------------------------------------
// A layer is a matrix multiply: B = N*E*F rows (output pixels), K = (C/G)*R*S (reduction,
// ordered (r, s, c), c fastest), M/G columns. With an array of R rows x C cols it is cut into
// weight tiles of K_t <= R by M_t <= C. Loop: group, row chunk (row_chunk rows = B below),
// M tile, K tile; every (chunk, M tile, K tile) is one stream and fetches its tile again.
//
// The timing tests use arch files derived from configs/tpu_v1.yaml with a small array, core
// and link clocks both 1000 MHz (1 ns cycles), no clock-crossing synchronizer, no DRAM
// latency and a bus as wide as one burst and one whole tile, so a tile fetch takes F = 1 cycle
// (one exception: the weight-bound tests use a 1-byte bus, F = tile bytes). FC layers and 1x1
// convs need one unified-buffer access per input row, so the setup unit (one access per cycle)
// always keeps up with the array. Times below are cycles from the start of the layer:
//
//   fetch     tile j is in the weight FIFO at (j + 1) * F (the weight-memory channel is serial;
//             the FIFO holds 4 tiles, which never binds here);
//   shift     the tile shifts into the shadow registers in R cycles (always all R array rows),
//             starting when it is in the FIFO and the previous tile started streaming;
//   stream    stream i starts at s_i = max(shift end, s_{i-1} + B) (and, for the first K tile
//             of a (chunk, M tile), after the activation that last used the same of the two
//             accumulator buffers ended); it streams B rows, one per cycle: e_i = s_i + B;
//   drain     the last result of a stream reaches the accumulators at e_i + R + M_t - 2 (row
//             B-1 enters at e_i - 1 and crosses R rows and M_t columns), for M_t >= 2;
//   activate  after the last K tile of a (chunk, M tile): start = max(drain end, end of the
//             previous activation); the accumulator rows are read one per cycle and row b is
//             written to the unified buffer at start + b + 1, so it ends at start + B + 1;
//   the layer ends when the last activation ends.
//
// So with F = 1, s_0 = 1 + R and s_{i+1} = s_i + max(B, R), and for one row chunk and one M tile
// of k K tiles:
//
//   T = F + R + (k - 1) * max(B, R) + B + (R + M_t - 2) + (B + 1)
//       fetch  shift  later tiles     last  drain            activation
//                                     stream
//
// e.g. one tile: T = F + R + B + (R + M_t - 2) + (B + 1) = 2R + 2B + M_t with F = 1.
//
// The four cycle categories (the TPU's performance counters, tpu-v1.md) split the layer: the
// streaming cycles are array_active (B per stream); a gap before a stream (the first one's
// counted from the start of the layer) is weight_stall while the tile was late from weight
// memory, weight_shift for the part of the gap the shift itself exposes (the gap it would
// have left had the tile been in the FIFO when the shadow registers became free), else
// non_matrix (e.g. waiting for an accumulator buffer); the tail after the last stream (drain
// and activation) is non_matrix.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "run/run.hpp"
#include "test_util.hpp"

namespace {

using dfsim_test::read_file;
using dfsim_test::source_path;
using dfsim_test::temp_path;
using dfsim_test::write_temp;

using dfsim::LayerStats;
using dfsim::RunOptions;
using dfsim::RunResult;

// configs/tpu_v1.yaml with the values of some keys replaced. Each key must occur exactly once
// as a "key:" line (keys are unique in that file); its value and trailing comment are replaced.
std::string tpu_v1_with(const std::vector<std::pair<std::string, std::string>>& edits) {
  std::string text = read_file(source_path("configs/tpu_v1.yaml"));
  EXPECT_FALSE(text.empty()) << "cannot read configs/tpu_v1.yaml";
  for (const auto& [key, value] : edits) {
    const std::regex re("(\n[ \t]*" + key + ":[ \t]*)[^\n]*");
    const auto n =
        std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator());
    EXPECT_EQ(n, 1) << "configs/tpu_v1.yaml: key '" << key << "' found " << n << " times";
    std::smatch m;
    if (!std::regex_search(text, m, re)) continue;
    text = m.prefix().str() + m[1].str() + value + m.suffix().str();
  }
  return text;
}

// The timing arch: tpu_v1 with a rows x cols array, 1 ns cycles in both clock domains, no
// synchronizer, no DRAM latency, no device bandwidth cap (0 = only the bus limits), a bus of
// bus_bits moving burst_bytes bursts. The other timing parameters are pinned to the values
// the derivations assume.
std::string timing_arch(std::int64_t rows, std::int64_t cols, std::int64_t bus_bits = 512,
                        std::int64_t burst_bytes = 64, std::int64_t fifo_depth_tiles = 4) {
  return tpu_v1_with(
      {{"name", "tpu_v1_timing_" + std::to_string(rows) + "x" + std::to_string(cols)},
       {"rows", std::to_string(rows)},
       {"cols", std::to_string(cols)},
       {"core_mhz", "1000"},
       {"link_mhz", "1000"},
       {"cdc_sync_cycles", "0"},
       {"bus_width_bits", std::to_string(bus_bits)},
       {"bandwidth_gbytes_per_s", "0"},
       {"latency_ns", "0"},
       {"burst_bytes", std::to_string(burst_bytes)},
       {"bank_width_bits", "2048"},  // 256 B per UB access: an input row is one
       {"entries", "4096"},          // 2048 accumulator rows per buffer
       {"buffers", "2"},
       {"depth_tiles", std::to_string(fifo_depth_tiles)},
       {"values_per_cycle", "256"}});
}

std::int64_t category(const LayerStats& st, const std::string& key) {
  for (const auto& [k, v] : st.cycle_breakdown)
    if (k == key) return v;
  ADD_FAILURE() << "no cycle category '" << key << "' in layer " << st.name;
  return -1;
}

struct Split {
  std::int64_t cycles, active, stall, shift, non_matrix;
};

void expect_split(const LayerStats& st, const Split& e) {
  SCOPED_TRACE("layer " + st.name + " (" + st.mapping + ")");
  EXPECT_EQ(st.cycles, e.cycles);
  ASSERT_EQ(st.cycle_breakdown.size(), 4u);
  const std::int64_t active = category(st, "array_active"), stall = category(st, "weight_stall"),
                     shift = category(st, "weight_shift"), other = category(st, "non_matrix");
  EXPECT_EQ(active + stall + shift + other, st.cycles) << "the four categories must add up";
  EXPECT_EQ(e.active + e.stall + e.shift + e.non_matrix, e.cycles) << "bad expectation in the test";
  EXPECT_EQ(active, e.active) << "array_active";
  EXPECT_EQ(stall, e.stall) << "weight_stall";
  EXPECT_EQ(shift, e.shift) << "weight_shift";
  EXPECT_EQ(other, e.non_matrix) << "non_matrix";
  EXPECT_EQ(st.unused_macs, active * st.num_pes - st.macs);
}

// Simulates one layer "L" (YAML flow-map fields) with a pinned row chunk, reference check on.
LayerStats run_timed(const std::string& arch_text, const std::string& fields,
                     std::int64_t row_chunk) {
  RunOptions opt;
  opt.arch_file = write_temp("arch.yaml", arch_text);
  opt.workload_file =
      write_temp("workload.yaml", "network: timing\nlayers:\n  - {name: L, " + fields + "}\n");
  opt.mapping_file = write_temp("mapping.yaml",
                                "mappings:\n  L: {row_chunk: " + std::to_string(row_chunk) + "}\n");
  opt.check = true;
  const RunResult r = dfsim::run_simulation(opt);
  EXPECT_EQ(r.layers.size(), 1u);
  if (r.layers.empty()) return {};
  const LayerStats& st = r.layers[0];
  EXPECT_EQ(st.output_check, "pass");
  EXPECT_NE(st.mapping.find("row_chunk=" + std::to_string(row_chunk) + " [pinned]"),
            std::string::npos)
      << st.mapping;
  EXPECT_NEAR(st.seconds * 1e9, static_cast<double>(st.cycles), 1e-6) << "1 ns cycles";
  return st;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// (a) One weight tile
// ---------------------------------------------------------------------------------------------

TEST(SystolicTiming, OneTile4x4) {
  // FC 4 -> 4, batch 6: K = 4 = R, M = 4 = C, B = 6: one tile, one stream.
  const LayerStats st = run_timed(timing_arch(4, 4), "type: fc, C: 4, M: 4, N: 6", 6);
  // fetch 0..1 (weight_stall 1), shift 1..5 (weight_shift 4), stream 5..11 (array_active 6),
  // last result at 11 + R + M_t - 2 = 17, activation 17..24 (B + 1 = 7).
  // T = 1 + 4 + 6 + (4 + 4 - 2) + (6 + 1) = 24 = 2R + 2B + M_t; non_matrix = 6 + 7 = 13.
  expect_split(st, {24, 6, 1, 4, 13});
  EXPECT_EQ(st.macs, 6 * 4 * 4);
  EXPECT_EQ(st.passes, 1);
  EXPECT_EQ(st.unused_macs, 0) << "a full tile streaming: every MAC slot is used";
}

TEST(SystolicTiming, OnePartialTile8x8) {
  // FC 5 -> 6, batch 10 on 8x8: K_t = 5 of 8 rows, M_t = 6 of 8 columns, B = 10. The shift
  // still takes all R = 8 cycles and the psums still cross all 8 rows.
  const LayerStats st = run_timed(timing_arch(8, 8), "type: fc, C: 5, M: 6, N: 10", 10);
  // T = 1 + 8 + 10 + (8 + 6 - 2) + (10 + 1) = 42; non_matrix = 12 + 11 = 23.
  expect_split(st, {42, 10, 1, 8, 23});
  EXPECT_EQ(st.macs, 10 * 5 * 6);
  EXPECT_EQ(st.unused_macs, 10 * 64 - 300) << "10 active cycles of a 64-MAC array, 300 MACs";
}

TEST(SystolicTiming, OneTile1x1Conv8x8) {
  // 1x1 conv C = 8, M = 8 on 3x3 pixels, N = 2: B = 2 * 3 * 3 = 18 rows, K = 8, one tile.
  const LayerStats st = run_timed(
      timing_arch(8, 8), "type: conv, C: 8, M: 8, H: 3, W: 3, R: 1, S: 1, E: 3, F: 3, N: 2", 18);
  // T = 1 + 8 + 18 + (8 + 8 - 2) + (18 + 1) = 60; non_matrix = 14 + 19 = 33.
  expect_split(st, {60, 18, 1, 8, 33});
  EXPECT_EQ(st.macs, 18 * 8 * 8);
  EXPECT_EQ(st.unused_macs, 0);
}

// ---------------------------------------------------------------------------------------------
// (b) Several K tiles
// ---------------------------------------------------------------------------------------------

TEST(SystolicTiming, TwoKTiles4x4) {
  // FC 8 -> 4, batch 6 on 4x4: K = 8 = 2 K tiles, B = 6 >= R = 4.
  const LayerStats st = run_timed(timing_arch(4, 4), "type: fc, C: 8, M: 4, N: 6", 6);
  // Stream 0: 5..11. Tile 1 is in the FIFO at 2 and shifts 5..9 (from the start of stream 0),
  // hidden: stream 1 11..17 (s_1 = s_0 + max(B, R)). Last result 17 + 6 = 23, activation
  // 23..30. T = 1 + 4 + 1*6 + 6 + 6 + 7 = 30.
  expect_split(st, {30, 12, 1, 4, 13});
  EXPECT_EQ(st.passes, 2);
  EXPECT_EQ(st.macs, 6 * 8 * 4);
}

TEST(SystolicTiming, ThreeKTiles1x1Conv8x8) {
  // 1x1 conv C = 24 -> M = 8 on 4x4 pixels: B = 16 rows, K = 24 = 3 K tiles of 8.
  const LayerStats st = run_timed(
      timing_arch(8, 8), "type: conv, C: 24, M: 8, H: 4, W: 4, R: 1, S: 1, E: 4, F: 4", 16);
  // Streams at 9, 25, 41 (each tile's shift, 8 cycles, hides behind the 16-cycle stream
  // before it); last ends 57; last result 57 + 14 = 71; activation 71..88.
  // T = 1 + 8 + 2*16 + 16 + (8 + 8 - 2) + 17 = 88; non_matrix = 14 + 17 = 31.
  expect_split(st, {88, 48, 1, 8, 31});
  EXPECT_EQ(st.passes, 3);
  EXPECT_EQ(st.macs, 16 * 24 * 8);
}

// ---------------------------------------------------------------------------------------------
// (c) Several M tiles
// ---------------------------------------------------------------------------------------------

TEST(SystolicTiming, TwoMTiles4x4) {
  // FC 4 -> 8, batch 6 on 4x4: M = 8 = 2 M tiles of 4, one K tile each, B = 6.
  const LayerStats st = run_timed(timing_arch(4, 4), "type: fc, C: 4, M: 8, N: 6", 6);
  // Streams 5..11 (M tile 0, accumulator buffer 0) and 11..17 (M tile 1, buffer 1).
  // Activation 0: last result 11 + 6 = 17, 17..24. Activation 1: last result 17 + 6 = 23,
  // but the activation unit is busy until 24: 24..31. T = 31; non_matrix = 31 - 17 = 14.
  expect_split(st, {31, 12, 1, 4, 14});
  EXPECT_EQ(st.passes, 2);
  EXPECT_EQ(st.macs, 6 * 4 * 8);
}

TEST(SystolicTiming, TwoByTwoTiles1x1Conv8x8) {
  // 1x1 conv C = 16 -> M = 16 on 4x4 pixels on 8x8: 2 K tiles x 2 M tiles, B = 16.
  const LayerStats st = run_timed(
      timing_arch(8, 8), "type: conv, C: 16, M: 16, H: 4, W: 4, R: 1, S: 1, E: 4, F: 4", 16);
  // Streams (mt0,kt0) 9..25, (mt0,kt1) 25..41, (mt1,kt0) 41..57, (mt1,kt1) 57..73.
  // Activation of M tile 0: 41 + 14 = 55 .. 72; of M tile 1: 73 + 14 = 87 .. 104.
  // T = 1 + 8 + 3*16 + 16 + 14 + 17 = 104; non_matrix = 14 + 17 = 31.
  expect_split(st, {104, 64, 1, 8, 31});
  EXPECT_EQ(st.passes, 4);
  EXPECT_EQ(st.macs, 16 * 16 * 16);
  EXPECT_EQ(st.unused_macs, 0);
}

// ---------------------------------------------------------------------------------------------
// (d) Fewer rows than the array has rows: the weight shift is exposed
// ---------------------------------------------------------------------------------------------

TEST(SystolicTiming, ShiftExposed4x4) {
  // FC 8 -> 4, batch 2 on 4x4: 2 K tiles, B = 2 < R = 4.
  const LayerStats st = run_timed(timing_arch(4, 4), "type: fc, C: 8, M: 4, N: 2", 2);
  // Stream 0: 5..7. Tile 1 shifts 5..9: stream 1 9..11, a gap of R - B = 2 weight-shift
  // cycles. Last result 11 + 6 = 17, activation 17..20.
  // T = 1 + 4 + max(2, 4) + 2 + 6 + 3 = 20; weight_shift = 4 + 2 = 6; non_matrix = 6 + 3 = 9.
  expect_split(st, {20, 4, 1, 6, 9});
  EXPECT_EQ(st.passes, 2);
}

TEST(SystolicTiming, ShiftExposed8x8) {
  // FC 24 -> 8, batch 3 on 8x8: 3 K tiles, B = 3 < R = 8.
  const LayerStats st = run_timed(timing_arch(8, 8), "type: fc, C: 24, M: 8, N: 3", 3);
  // Streams at 9, 17, 25 (each tile shifts 8 cycles from the start of the stream before),
  // last ends 28, last result 28 + 14 = 42, activation 42..46.
  // T = 1 + 8 + 2*max(3, 8) + 3 + 14 + 4 = 46; weight_shift = 8 + 2*(8 - 3) = 18;
  // non_matrix = 14 + 4 = 18.
  expect_split(st, {46, 9, 1, 18, 18});
  EXPECT_EQ(st.passes, 3);
  EXPECT_EQ(st.unused_macs, 9 * 64 - 3 * 24 * 8);
}

// ---------------------------------------------------------------------------------------------
// (e) Several row chunks (pinned row_chunk)
// ---------------------------------------------------------------------------------------------

TEST(SystolicTiming, TwoRowChunks4x4) {
  // FC 4 -> 4, batch 16, row_chunk 8: two chunks of B = 8, the one tile fetched per chunk.
  const LayerStats st = run_timed(timing_arch(4, 4), "type: fc, C: 4, M: 4, N: 16", 8);
  // Chunk 0 (buffer 0) streams 5..13; the tile again (in the FIFO at 2, shifted 5..9) for
  // chunk 1 (buffer 1): 13..21. Activation 0: 13 + 6 = 19 .. 28; activation 1: last result
  // 21 + 6 = 27, activation unit free at 28: 28..37.
  // T = 1 + 4 + 8 (chunk 0) + 6 (its drain) + 2 * (8 + 1) (the two activations back to back)
  //   = 37; non_matrix = 37 - 21 = 16.
  expect_split(st, {37, 16, 1, 4, 16});
  EXPECT_EQ(st.passes, 2);
  EXPECT_EQ(st.dram.read_bytes[0], 2 * 16) << "the 16-byte tile is fetched once per chunk";
}

TEST(SystolicTiming, ThreeRowChunksAccumulatorWait4x4) {
  // FC 4 -> 4, batch 20, row_chunk 8: chunks of 8, 8, 4 rows.
  const LayerStats st = run_timed(timing_arch(4, 4), "type: fc, C: 4, M: 4, N: 20", 8);
  // Chunk 0: 5..13 (buffer 0), activation 19..28. Chunk 1: 13..21 (buffer 1), activation
  // 28..37 (unit busy until 28). Chunk 2 uses buffer 0 again: its tile is ready (shifted
  // 13..17) but it waits for activation 0 to end: streams 28..32, a 7-cycle non-matrix gap.
  // Last result 32 + 6 = 38, activation 38..43 (B + 1 = 5).
  // T = 43; non_matrix = 7 + (43 - 32) = 18.
  expect_split(st, {43, 20, 1, 4, 18});
  EXPECT_EQ(st.passes, 3);
  EXPECT_EQ(st.dram.read_bytes[0], 3 * 16);
}

TEST(SystolicTiming, RowChunksWithKTiles8x8) {
  // FC 16 -> 8, batch 48, row_chunk 16 on 8x8: 3 chunks x 2 K tiles = 6 streams of B = 16
  // (more tiles than the 4-deep FIFO: later fetches wait for room, hidden).
  const LayerStats st = run_timed(timing_arch(8, 8), "type: fc, C: 16, M: 8, N: 48", 16);
  // Streams back to back at 9 + 16i, i = 0..5, the last ends 105. Chunk c's activation: last
  // result at 9 + 16(2c + 1) + 16 + 14 = 55 + 32c, ends 72 + 32c, before chunk c + 2 (same
  // buffer) starts streaming at 73 + 32c and before chunk c + 1's activation (87 + 32c).
  // T = 1 + 8 + 5*16 + 16 + 14 + 17 = 136; non_matrix = 14 + 17 = 31.
  expect_split(st, {136, 96, 1, 8, 31});
  EXPECT_EQ(st.passes, 6);
  EXPECT_EQ(st.dram.read_bytes[0], 3 * 16 * 8) << "both 64-byte tiles once per chunk";
}

// ---------------------------------------------------------------------------------------------
// Weight-memory bound on a small array: a 1-byte bus, F = 16 cycles per 4x4 tile
// ---------------------------------------------------------------------------------------------
// Tile j is in the FIFO at 16(j + 1) (the channel is serial), shifts from then on (the shadow
// is free, s_{j-1} = 16j + 4 earlier), so s_j = 16(j + 1) + 4. For j >= 1 the gap before
// stream j is 16 - B: weight_stall min(16 - B, late = 16(j+1) - s_{j-1} = 16 - R) and
// weight_shift the rest, max(0, R - B).

TEST(SystolicTiming, WeightBound4x4) {
  // FC 16 -> 4, batch 6: 4 K tiles, B = 6 >= R.
  const LayerStats st = run_timed(timing_arch(4, 4, 8, 1), "type: fc, C: 16, M: 4, N: 6", 6);
  // Streams at 20, 36, 52, 68; the last ends 74; last result 74 + 6 = 80; activation 80..87.
  // T = 4*16 + 4 + 6 + 6 + 7 = 87. weight_stall = 16 + 3*(16 - 6) = 46, weight_shift = 4,
  // non_matrix = 87 - 74 = 13.
  expect_split(st, {87, 24, 46, 4, 13});
  EXPECT_EQ(st.passes, 4);
}

TEST(SystolicTiming, WeightBoundShiftExposed4x4) {
  // FC 32 -> 4, batch 2: 8 K tiles, B = 2 < R = 4.
  const LayerStats st = run_timed(timing_arch(4, 4, 8, 1), "type: fc, C: 32, M: 4, N: 2", 2);
  // Streams at 16(j + 1) + 4, the last (j = 7) 132..134; last result 140; activation 140..143.
  // T = 8*16 + 4 + 2 + 6 + 3 = 143. weight_stall = 16 + 7*(16 - 4) = 100,
  // weight_shift = 4 + 7*(4 - 2) = 18, non_matrix = 6 + 3 = 9.
  expect_split(st, {143, 16, 100, 18, 9});
  EXPECT_EQ(st.passes, 8);
}

// ---------------------------------------------------------------------------------------------
// A one-tile weight FIFO
// ---------------------------------------------------------------------------------------------
// Regression: with weight_fifo.depth_tiles: 1 the controller must fetch tile j + 1 before it
// shifts it in (it once shifted first and found the FIFO empty).

TEST(SystolicTiming, OneTileFifo4x4) {
  // As TwoKTiles4x4 with a FIFO of one tile. Tile 0: fetched 0..1, leaves the FIFO when its
  // shift starts at 1; tile 1 is then fetched 1..2 and shifts 5..9 (from the start of stream 0)
  // as before, so the timing does not change: T = 30.
  try {
    const LayerStats st = run_timed(timing_arch(4, 4, 512, 64, 1), "type: fc, C: 8, M: 4, N: 6", 6);
    expect_split(st, {30, 12, 1, 4, 13});
    EXPECT_EQ(st.passes, 2);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "simulation failed: " << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// The split of a layer must not depend on the layer before it
// ---------------------------------------------------------------------------------------------
// Regression: a tile's lateness counts from when this layer could first use the shadow
// registers, not from the previous layer's last stream; the same layer run first or second
// gets weight_stall 1, weight_shift 4.

TEST(SystolicTiming, IdenticalLayersSameSplit) {
  RunOptions opt;
  opt.arch_file = write_temp("arch.yaml", timing_arch(4, 4));
  opt.workload_file = write_temp("workload.yaml",
                                 "network: twice\nlayers:\n"
                                 "  - {name: first, type: fc, C: 4, M: 4, N: 6}\n"
                                 "  - {name: second, type: fc, C: 4, M: 4, N: 6}\n");
  opt.mapping_file =
      write_temp("mapping.yaml", "mappings:\n  first: {row_chunk: 6}\n  second: {row_chunk: 6}\n");
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 2u);
  // Both as in OneTile4x4: 24 cycles = 6 active + 1 stall + 4 shift + 13 non-matrix.
  expect_split(r.layers[0], {24, 6, 1, 4, 13});
  expect_split(r.layers[1], {24, 6, 1, 4, 13});
  EXPECT_EQ(r.total.output_check, "pass");
}

// ---------------------------------------------------------------------------------------------
// Bit-exact results
// ---------------------------------------------------------------------------------------------
// On tpu_v1 with an 8x8 array (all other parameters as shipped: 700 MHz core, 1066 MHz DDR3
// link behind a 2-cycle synchronizer, 100 ns latency, 34 GB/s), so small layers need many
// K and M tiles. Every layer: ofmap equal to the reference convolution, MACs exactly
// N*M*E*F*(C/G)*R*S (from the shape, E and F by hand), the number of streams
// G * ceil(rows / row_chunk) * ceil((M/G) / 8) * ceil(K / 8), each tile fetched once per
// stream, and the MAC-slot bookkeeping.

namespace {

struct Shape {
  std::string name;
  std::int64_t M = 1, C = 1, H = 1, W = 1, R = 1, S = 1;
  std::int64_t stride = 1, padding = 0, groups = 1;
  std::int64_t E = 1, F = 1;  // by hand
  bool fc = false;
  std::int64_t N = 1;
  std::int64_t macs(std::int64_t n) const { return n * M * E * F * (C / groups) * R * S; }
};

std::string yaml_of(const std::vector<Shape>& layers) {
  std::ostringstream os;
  os << "network: systolic_functional\nlayers:\n";
  for (const Shape& s : layers) {
    os << "  - name: " << s.name << "\n";
    if (s.fc)
      os << "    type: fc\n    C: " << s.C << "\n    H: " << s.H << "\n    W: " << s.W
         << "\n    M: " << s.M << "\n";
    else
      os << "    type: conv\n    M: " << s.M << "\n    C: " << s.C << "\n    H: " << s.H
         << "\n    W: " << s.W << "\n    R: " << s.R << "\n    S: " << s.S
         << "\n    stride: " << s.stride << "\n    padding: " << s.padding
         << "\n    groups: " << s.groups << "\n    E: " << s.E << "\n    F: " << s.F << "\n";
    if (s.N != 1) os << "    N: " << s.N << "\n";
  }
  return os.str();
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

std::int64_t row_chunk_of(const std::string& mapping) {
  std::smatch m;
  if (!std::regex_search(mapping, m, std::regex("row_chunk=([0-9]+)"))) return 0;
  return std::stoll(m[1].str());
}

constexpr std::int64_t kSmall = 8;  // the functional tests' array: 8 x 8

void expect_functional(const LayerStats& st, const Shape& s, std::int64_t n) {
  SCOPED_TRACE("layer " + s.name + " (" + st.mapping + ")");
  EXPECT_EQ(st.name, s.name);
  EXPECT_EQ(st.output_check, "pass") << "simulated ofmap differs from the reference";
  EXPECT_EQ(st.macs, s.macs(n));
  EXPECT_EQ(st.num_pes, kSmall * kSmall);
  EXPECT_GT(st.cycles, 0);
  const std::int64_t rows = n * s.E * s.F, K = (s.C / s.groups) * s.R * s.S, Mg = s.M / s.groups;
  const std::int64_t chunk = row_chunk_of(st.mapping);
  ASSERT_GT(chunk, 0) << "cannot read row_chunk from the mapping";
  const std::int64_t chunks = ceil_div(rows, chunk);
  EXPECT_EQ(st.passes, s.groups * chunks * ceil_div(Mg, kSmall) * ceil_div(K, kSmall));
  // Every weight is fetched from weight memory once per row chunk, one transfer per stream.
  EXPECT_EQ(st.dram.read_bytes[0], chunks * s.M * K);
  EXPECT_EQ(st.dram.reads[0], st.passes);
  std::int64_t sum = 0;
  for (const auto& [k, v] : st.cycle_breakdown) {
    EXPECT_GE(v, 0) << k;
    sum += v;
  }
  EXPECT_EQ(sum, st.cycles);
  EXPECT_GE(st.unused_macs, 0);
  EXPECT_EQ(st.macs + st.unused_macs, category(st, "array_active") * st.num_pes);
  EXPECT_NEAR(st.utilization,
              static_cast<double>(st.macs) / (static_cast<double>(st.cycles) * 64.0), 1e-12);
}

RunResult run_functional(const std::vector<Shape>& layers, RunOptions opt = RunOptions{}) {
  opt.arch_file = write_temp("arch8x8.yaml",
                             tpu_v1_with({{"name", "tpu_v1_8x8"}, {"rows", "8"}, {"cols", "8"}}));
  opt.workload_file = write_temp("workload.yaml", yaml_of(layers));
  opt.check = true;
  const RunResult r = dfsim::run_simulation(opt);
  EXPECT_EQ(r.layers.size(), layers.size());
  std::int64_t macs = 0;
  for (std::size_t i = 0; i < layers.size() && i < r.layers.size(); ++i) {
    const std::int64_t n = opt.batch ? *opt.batch : layers[i].N;
    expect_functional(r.layers[i], layers[i], n);
    macs += layers[i].macs(n);
  }
  EXPECT_EQ(r.total.output_check, "pass");
  EXPECT_EQ(r.total.macs, macs);
  return r;
}

}  // namespace

TEST(SystolicFunctional, Conv3x3Pad1) {
  // K = 4*3*3 = 36: 5 K tiles of 8 (the last 4); tiles span two filter rows (S*C = 12).
  Shape s{"c3x3"};
  s.M = 8;
  s.C = 4;
  s.H = 10;
  s.W = 10;
  s.R = 3;
  s.S = 3;
  s.padding = 1;
  s.E = 10;
  s.F = 10;  // (10 + 2 - 3) / 1 + 1
  run_functional({s});
}

TEST(SystolicFunctional, Stride2) {
  Shape a{"s2p1"};
  a.M = 8;
  a.C = 4;
  a.H = 15;
  a.W = 15;
  a.R = 3;
  a.S = 3;
  a.stride = 2;
  a.padding = 1;
  a.E = 8;
  a.F = 8;  // (15 + 2 - 3) / 2 + 1
  Shape b{"s2odd"};
  b.M = 7;
  b.C = 5;
  b.H = 9;
  b.W = 9;
  b.R = 3;
  b.S = 3;
  b.stride = 2;
  b.E = 4;
  b.F = 4;  // (9 - 3) / 2 + 1; M = 7 and K = 45: partial tiles both ways
  run_functional({a, b});
}

TEST(SystolicFunctional, LargeKernelsAndStrides) {
  Shape a{"k11s4"};
  a.M = 8;
  a.C = 3;
  a.H = 31;
  a.W = 31;
  a.R = 11;
  a.S = 11;
  a.stride = 4;
  a.E = 6;
  a.F = 6;  // (31 - 11) / 4 + 1
  Shape b{"k5p2"};
  b.M = 6;
  b.C = 4;
  b.H = 12;
  b.W = 12;
  b.R = 5;
  b.S = 5;
  b.padding = 2;
  b.E = 12;
  b.F = 12;  // (12 + 4 - 5) / 1 + 1
  run_functional({a, b});
}

TEST(SystolicFunctional, Pointwise1x1) {
  Shape s{"k1"};
  s.M = 16;
  s.C = 8;
  s.H = 8;
  s.W = 8;
  s.E = 8;
  s.F = 8;
  run_functional({s});
}

TEST(SystolicFunctional, GroupedConv) {
  Shape s{"grp2"};
  s.M = 8;
  s.C = 8;
  s.H = 10;
  s.W = 10;
  s.R = 3;
  s.S = 3;
  s.padding = 1;
  s.groups = 2;
  s.E = 10;
  s.F = 10;  // K = 4*9 = 36 per group
  Shape t{"grp4"};
  t.M = 40;
  t.C = 12;
  t.H = 7;
  t.W = 7;
  t.R = 3;
  t.S = 3;
  t.padding = 1;
  t.groups = 4;
  t.E = 7;
  t.F = 7;  // 10 filters per group: 2 M tiles per group; K = 3*9 = 27
  run_functional({s, t});
}

TEST(SystolicFunctional, Depthwise) {
  Shape s{"dw"};
  s.M = 8;
  s.C = 8;
  s.H = 10;
  s.W = 10;
  s.R = 3;
  s.S = 3;
  s.padding = 1;
  s.groups = 8;
  s.E = 10;
  s.F = 10;  // one channel per filter: K = 9, 2 K tiles, M/G = 1
  run_functional({s});
}

TEST(SystolicFunctional, FullyConnected) {
  Shape a{"fc"};
  a.fc = true;
  a.M = 10;
  a.C = 16;
  a.H = 4;
  a.W = 4;
  a.R = 4;
  a.S = 4;  // K = 256: 32 K tiles, 2 M tiles
  a.E = 1;
  a.F = 1;
  Shape b{"fc1x1"};
  b.fc = true;
  b.M = 10;
  b.C = 32;
  b.N = 5;  // five rows; no ReLU on FC layers: negative results too
  run_functional({a, b});
}

TEST(SystolicFunctional, Batch3ViaRunOptions) {
  Shape a{"b3conv"};
  a.M = 8;
  a.C = 4;
  a.H = 8;
  a.W = 8;
  a.R = 3;
  a.S = 3;
  a.padding = 1;
  a.E = 8;
  a.F = 8;
  Shape b{"b3fc"};
  b.fc = true;
  b.M = 12;
  b.C = 8;
  b.H = 8;
  b.W = 8;
  b.R = 8;
  b.S = 8;
  RunOptions opt;
  opt.batch = 3;
  const RunResult r = run_functional({a, b}, opt);
  EXPECT_EQ(r.info.batch, 3);
  ASSERT_EQ(r.layers.size(), 2u);
  EXPECT_EQ(r.layers[0].macs, 3 * 8 * 8 * 8 * 4 * 9);
  EXPECT_EQ(r.layers[1].macs, 3 * 12 * 8 * 8 * 8);
}

TEST(SystolicFunctional, ManyKTiles) {
  // C = 64, 3x3: K = 576 = 72 K tiles of 8.
  Shape s{"manyk"};
  s.M = 8;
  s.C = 64;
  s.H = 6;
  s.W = 6;
  s.R = 3;
  s.S = 3;
  s.padding = 1;
  s.E = 6;
  s.F = 6;
  const RunResult r = run_functional({s});
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_GE(r.layers[0].passes, 72);
}

TEST(SystolicFunctional, ManyMTiles) {
  // M = 20: M tiles of 8, 8, 4; K = 8*9 = 72: 9 K tiles.
  Shape s{"manym"};
  s.M = 20;
  s.C = 8;
  s.H = 6;
  s.W = 6;
  s.R = 3;
  s.S = 3;
  s.padding = 1;
  s.E = 6;
  s.F = 6;
  const RunResult r = run_functional({s});
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_GE(r.layers[0].passes, 27);
}

TEST(SystolicFunctional, PinnedRowChunksNotDividingRows) {
  // 49 output pixels in chunks of 10 (10, 10, 10, 10, 9) x 2 M tiles x 14 K tiles (K = 108).
  Shape s{"chunks"};
  s.M = 12;
  s.C = 12;
  s.H = 7;
  s.W = 7;
  s.R = 3;
  s.S = 3;
  s.padding = 1;
  s.E = 7;
  s.F = 7;
  RunOptions opt;
  opt.mapping_file = write_temp("mapping.yaml", "mappings:\n  chunks: {row_chunk: 10}\n");
  const RunResult r = run_functional({s}, opt);
  ASSERT_EQ(r.layers.size(), 1u);
  EXPECT_NE(r.layers[0].mapping.find("row_chunk=10 [pinned]"), std::string::npos)
      << r.layers[0].mapping;
  EXPECT_EQ(r.layers[0].passes, 5 * 2 * 14);
}

// ---------------------------------------------------------------------------------------------
// Roofline on configs/tpu_v1.yaml (Jouppi et al., ISCA 2017; shared/reference/tpu-v1.md)
// ---------------------------------------------------------------------------------------------
// 256 x 256 MACs at 700 MHz: 92 TOPS peak (2 ops per MAC). Weights come from DDR3 weight
// memory at about 34 GB/s; an FC layer does B MACs per weight byte at batch B, so its
// throughput is bounded by 2 * B * 34e9 ops/s. The paper's ridge point is about 1350 MACs per
// weight byte. Expected: min(92, 2 * B * 34e9 / 1e12) TOPS, within 15%.
// In the model a 64 KiB tile takes 65536 B / 34 GB/s = 1927.5 ns = ~1349 cycles to fetch and
// B cycles to stream, so at B = 1024 about (1349 - 1024) / 1349 = 24% of the cycles are
// weight stalls, and at B = 2048 the array streams nearly all the time.

namespace {

RunResult run_mlp(std::int64_t batch, bool check) {
  RunOptions opt;
  opt.arch_file = source_path("configs/tpu_v1.yaml");
  opt.workload_file = source_path("workloads/mlp_2048.yaml");
  opt.batch = batch;
  opt.check = check;
  const RunResult r = dfsim::run_simulation(opt);
  EXPECT_EQ(r.layers.size(), 5u);
  EXPECT_EQ(r.total.macs, 5 * batch * 2048 * 2048);
  // Throughput from the layer shapes and the simulated cycles at the 700 MHz core clock
  // (configs/tpu_v1.yaml), not from the simulator's own MAC count and seconds. Each layer's
  // cycles are rounded, so allow 1e-6.
  EXPECT_GT(r.total.cycles, 0);
  const double seconds = static_cast<double>(r.total.cycles) / 700e6;
  const double tops = 2.0 * static_cast<double>(5 * batch * 2048 * 2048) / seconds / 1e12;
  EXPECT_NEAR(r.total.tops(), tops, 1e-6 * tops);
  const double roof = std::min(92.0, 2.0 * static_cast<double>(batch) * 34e9 / 1e12);
  EXPECT_NEAR(tops, roof, 0.15 * roof) << "batch " << batch;
  EXPECT_LE(tops, 2.0 * 65536 * 700e6 / 1e12 * (1 + 1e-9)) << "above the array's peak";
  std::int64_t sum = 0;
  for (const auto& [k, v] : r.total.cycle_breakdown) sum += v;
  EXPECT_EQ(sum, r.total.cycles);
  return r;
}

double share(const RunResult& r, const std::string& key) {
  return static_cast<double>(category(r.total, key)) / static_cast<double>(r.total.cycles);
}

}  // namespace

TEST(SystolicRoofline, Mlp2048Batch16) {
  // Memory bound: 2 * 16 * 34e9 = 1.09 TOPS. The only run of the four with the check on.
  const RunResult r = run_mlp(16, true);
  EXPECT_EQ(r.total.output_check, "pass");
  EXPECT_GT(share(r, "weight_stall"), 0.5);
}

TEST(SystolicRoofline, Mlp2048Batch256) {
  // Memory bound: 2 * 256 * 34e9 = 17.4 TOPS.
  const RunResult r = run_mlp(256, false);
  EXPECT_GT(share(r, "weight_stall"), 0.5);
}

TEST(SystolicRoofline, Mlp2048Batch1024) {
  // Still below the ridge (~1350): 2 * 1024 * 34e9 = 69.6 TOPS; weight stalls are a large
  // share (~24%), though the array is active most of the time.
  const RunResult r = run_mlp(1024, false);
  EXPECT_GT(share(r, "weight_stall"), 0.15);
  EXPECT_GT(share(r, "array_active"), 0.5);
}

TEST(SystolicRoofline, Mlp2048Batch2048) {
  // Above the ridge: compute bound at the 92 TOPS peak; array_active dominates.
  const RunResult r = run_mlp(2048, false);
  EXPECT_GT(share(r, "array_active"), 0.9);
  EXPECT_LT(share(r, "weight_stall"), 0.05);
}

// ---------------------------------------------------------------------------------------------
// AlexNet conv3 on tpu_v1 at batch 1
// ---------------------------------------------------------------------------------------------

TEST(SystolicAlexNet, Conv3Batch1) {
  RunOptions opt;
  opt.arch_file = source_path("configs/tpu_v1.yaml");
  opt.workload_file = source_path("workloads/alexnet.yaml");
  opt.layers = {"conv3"};
  opt.batch = 1;
  opt.check = true;
  const RunResult r = dfsim::run_simulation(opt);
  ASSERT_EQ(r.layers.size(), 1u);
  const LayerStats& st = r.layers[0];
  EXPECT_EQ(st.output_check, "pass") << st.mapping;
  EXPECT_EQ(st.macs, 384LL * 13 * 13 * 256 * 3 * 3);  // 149,520,384
  EXPECT_EQ(st.num_pes, 65536);
  EXPECT_GT(st.utilization, 0.0);
  EXPECT_LE(st.utilization, 1.0);
  EXPECT_GE(st.unused_macs, 0);
  const std::int64_t active = category(st, "array_active");
  EXPECT_EQ(st.macs + st.unused_macs, active * 65536);
  // K = 256 * 9 = 2304 = 9 K tiles, M = 384 = 2 M tiles (256 + 128): 18 streams over the 169
  // output pixels. A K tile's 256 channels lie in one filter row (S*C = 768 = 3 * 256), so
  // each pixel is one unified-buffer access and every stream takes exactly its rows: 18 * 169
  // active cycles, of which the 128-column M tile leaves half the columns unused.
  EXPECT_EQ(active, 18 * 169);
  EXPECT_EQ(st.unused_macs, 9 * 169 * 256 * 128);
  std::int64_t sum = 0;
  for (const auto& [k, v] : st.cycle_breakdown) sum += v;
  EXPECT_EQ(sum, st.cycles);
}
