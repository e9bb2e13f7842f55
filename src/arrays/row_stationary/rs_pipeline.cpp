// The row-stationary controller's schedule, replayed on a timeline of core cycles without
// simulating: the estimate's cycle count (rs_pipeline_cycles in rs_tiling.hpp).
#include <algorithm>
#include <array>
#include <vector>

#include "arrays/row_stationary/rs_tiling.hpp"

namespace dfsim {

namespace {

using Key = std::array<std::int64_t, 5>;

// A set of tile buffers in the GLB (ifmap or filter): which tile each holds, when it is
// free for the next load and when its tile is ready.
struct TileBuffers {
  std::int64_t count = 1;
  std::array<Key, 2> key{};
  std::array<bool, 2> valid{};
  std::array<double, 2> free{}, ready{};
  int next = 0;
  int find(const Key& k) const {
    for (int b = 0; b < 2; ++b)
      if (valid[b] && key[b] == k) return b;
    return -1;
  }
};

struct Pass {
  std::int64_t g;
  Chunk nb, sg, mb, cb;
};

class RsSchedule {
 public:
  RsSchedule(const ArchConfig& a, const Layer& l, const RsMapping& m, const RsGlbPlan& plan)
      : a_(a),
        l_(l),
        m_(m),
        tiling_(a, l, m),
        bpc_(dram_bytes_per_link_cycle(a)),
        core_per_link_(a.clocks.core_mhz / a.clocks.link_mhz),
        round_trip_(dram_round_trip_core_cycles(a)) {
    ifmap_.count = plan.ifmap_buffers;
    filters_.count = plan.filter_buffers;
  }

  double run() {
    std::vector<Pass> list;
    const std::int64_t qr = m_.q * m_.r, pt = m_.p * m_.t, Cg = l_.C_per_group();
    for (std::int64_t g = 0; g < l_.groups; ++g)
      RsTiling::for_each_chunk(l_.N, m_.n, [&](Chunk nb) {
        RsTiling::for_each_chunk(l_.E(), m_.rows_per_strip_group(), [&](Chunk sg) {
          RsTiling::for_each_chunk(l_.M_per_group(), pt, [&](Chunk mb) {
            RsTiling::for_each_chunk(Cg, qr, [&](Chunk cb) {
              list.push_back({g, nb, sg, mb, cb});
            });
          });
        });
      });
    ensure_ifmap(list.front());
    ensure_filters(list.front());
    for (std::size_t k = 0; k < list.size(); ++k) {
      const Pass& p = list[k];
      const int ib = ensure_ifmap(p), fb = ensure_filters(p);
      if (ifmap_.count == 2 && k + 1 < list.size() && ifmap_key(list[k + 1]) != ifmap_key(p))
        ensure_ifmap(list[k + 1]);
      pass(p, ib, fb);
      if (k + 1 < list.size()) ensure_filters(list[k + 1]);
      if (p.cb.begin + p.cb.size == Cg) write_back(p);
    }
    return std::max(prev_pass_end_, last_done_);
  }

 private:
  // A transfer's requests on the shared DRAM channel, issued at `issue`: when its last data
  // has arrived.
  double dram(double issue, const DmaCost& c) {
    const double start = std::max(issue, channel_free_);
    channel_free_ = start + c.link_cycles * core_per_link_;
    return channel_free_ + round_trip_;
  }
  // Cycles to write or read `bytes` through one GLB bank.
  double glb_cycles(std::int64_t bytes) const {
    return static_cast<double>((bytes * 8 + rs_params(a_).glb.bank_width_bits - 1) /
                               rs_params(a_).glb.bank_width_bits);
  }

  Key ifmap_key(const Pass& p) const {
    return m_.ifmap_resident ? Key{p.g, p.nb.begin, p.sg.begin, -1, -1}
                             : Key{p.g, p.nb.begin, p.sg.begin, p.mb.begin, p.cb.begin};
  }

  // Loads a tile into the next buffer (unless one holds it); returns the buffer.
  template <typename Cost>
  int load(TileBuffers& bufs, const Key& key, Cost&& cost, std::int64_t block_bytes) {
    const int found = bufs.find(key);
    if (found >= 0) return found;
    const int b = bufs.next;
    bufs.next = (bufs.next + 1) % static_cast<int>(bufs.count);
    const double t0 = std::max(dma_time_, bufs.free[b]);
    dma_time_ = t0;
    const DmaCost c = cost();
    bufs.ready[b] = c.requests > 0 ? dram(t0, c) + glb_cycles(block_bytes) : t0;
    bufs.key[b] = key;
    bufs.valid[b] = true;
    return b;
  }
  int ensure_ifmap(const Pass& p) {
    const std::int64_t nch = m_.ifmap_resident ? l_.C_per_group() : p.cb.size;
    const auto [lo, hi] = tiling_.stored_rows(p.sg);
    return load(
        ifmap_, ifmap_key(p), [&] { return tiling_.ifmap_tile_dma(bpc_, p.sg, p.nb.size, nch); },
        (hi - lo) * l_.W * 2);
  }
  int ensure_filters(const Pass& p) {
    return load(
        filters_, Key{p.g, p.mb.begin, p.cb.begin, 0, 0},
        [&] { return tiling_.filter_tile_dma(bpc_, p.mb.size, p.cb.size); },
        p.cb.size * l_.R * l_.S * 2);
  }

  void pass(const Pass& p, int ib, int fb) {
    const RsPassShape ps =
        tiling_.shape(p.nb.size, p.sg.size, p.mb.size, p.cb.size, p.cb.begin == 0);
    const RsPassCycles c = rs_pass_cycles(a_, l_, ps);
    const double start =
        std::max({prev_pass_end_, ifmap_.ready[ib], filters_.ready[fb], psum_free_});
    prev_pass_end_ = start + static_cast<double>(c.total);
    ifmap_.free[ib] = prev_pass_end_;
    // The filters stay in the spads: their GLB buffer frees once they are delivered.
    filters_.free[fb] = start + 1 + static_cast<double>(c.filters);
  }

  // The finished psum tile leaves through the output unit: the GLB read (the psum banks in
  // parallel, one bank's share each) frees the tile; the DRAM writes follow.
  void write_back(const Pass& p) {
    const double t0 = std::max(dma_time_, prev_pass_end_);
    dma_time_ = t0;
    const std::int64_t bytes = p.sg.size * p.mb.size * p.nb.size * l_.F() * a_.data.psum_bits / 8;
    const double read_end = t0 + glb_cycles(std::min(bytes, rs_params(a_).glb.bank_bytes));
    psum_free_ = read_end;
    last_done_ = std::max(
        last_done_, dram(read_end, tiling_.ofmap_tile_dma(bpc_, p.nb.size, p.sg.size, p.mb.size)));
  }

  const ArchConfig& a_;
  const Layer& l_;
  const RsMapping& m_;
  const RsTiling tiling_;
  const double bpc_, core_per_link_, round_trip_;
  TileBuffers ifmap_, filters_;
  double dma_time_ = 0, prev_pass_end_ = 0, psum_free_ = 0, last_done_ = 0, channel_free_ = 0;
};

}  // namespace

double rs_pipeline_cycles(const ArchConfig& a, const Layer& l, const RsMapping& m,
                          const RsGlbPlan& plan) {
  return RsSchedule(a, l, m, plan).run();
}

}  // namespace dfsim
