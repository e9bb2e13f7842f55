#include "run/layer_stream.hpp"

#include <algorithm>
#include <limits>

#include "base/sim_error.hpp"
#include "workload/encoding.hpp"
#include "workload/tensor.hpp"

namespace dfsim {

namespace {

std::string shape_text(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  return "[" + std::to_string(n) + "][" + std::to_string(c) + "][" + std::to_string(h) + "][" +
         std::to_string(w) + "]";
}

// Bytes of a layer's tensors (16-bit values) while it simulates: the ifmap and weights twice
// (host, DRAM model), the ofmap three times (reference, simulated, DRAM model); and while it is
// made next to the one simulated: its operands and reference output once.
struct LayerBytes {
  double simulated = 0, made = 0;
};
LayerBytes layer_bytes(const Layer& l) {
  const auto d = [](std::int64_t v) { return static_cast<double>(v); };
  const double ofmap = d(l.N) * d(l.M) * d(l.E()) * d(l.F());
  const double operands = d(l.N) * d(l.C) * d(l.H) * d(l.W) + d(l.weights());
  return {2 * (2 * operands + 3 * ofmap), 2 * (operands + ofmap)};
}

double density_of(const Tensor4& t) {
  const auto nz = std::count_if(t.data.begin(), t.data.end(), [](Value v) { return v; });
  return t.data.empty() ? 0 : static_cast<double>(nz) / static_cast<double>(t.data.size());
}

}  // namespace

void check_chained_shapes(const Plan& plan) {
  for (std::size_t i = 0; i < plan.layers.size(); ++i) {
    const Layer& l = plan.layers[i].layer;
    if (!l.input_from_previous) continue;
    if (i == 0)
      throw ConfigError(l.where + ": input_from: previous, but the run starts with this layer");
    const Layer& prev = plan.layers[i - 1].layer;
    const auto [h, w] = pooled_size(prev.E(), prev.F(), l.input_pool);
    if (prev.N != l.N || prev.M != l.C || h != l.H || w != l.W)
      throw ConfigError(l.where + ": layer '" + l.name + "': input_from: previous gives " +
                        shape_text(prev.N, prev.M, h, w) + ", the layer needs " +
                        shape_text(l.N, l.C, l.H, l.W) + " (add or fix input_pool)");
  }
}

void check_operand_files(const Plan& plan, std::uint64_t seed) {
  for (const LayerPlan& lp : plan.layers) {
    const Layer& l = lp.layer;
    if (l.ifmap_file.empty() && l.weights_file.empty()) continue;
    // A generated operand fits by construction (its layer's declared widths).
    plan.style->check_operands(l, make_layer_data(l, seed));
  }
}

double streamed_bytes_lower_bound(const std::vector<LayerPlan>& layers,
                                  std::string* largest_layer) {
  double most = 0, largest = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerBytes b = layer_bytes(layers[i].layer);
    const double next = i + 1 < layers.size() ? layer_bytes(layers[i + 1].layer).made : 0;
    most = std::max(most, b.simulated + next);
    if (b.simulated > largest) {
      largest = b.simulated;
      if (largest_layer) *largest_layer = layers[i].layer.name;
    }
  }
  return most;
}

LayerStream::LayerStream(const Plan& plan, std::uint64_t seed, bool check, bool threaded,
                         bool outputs_computed)
    : plan_(plan),
      seed_(seed),
      check_(check && outputs_computed),
      outputs_computed_(outputs_computed),
      slots_(plan.layers.size()) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const bool next_chained =
        i + 1 < slots_.size() && plan_.layers[i + 1].layer.input_from_previous;
    slots_[i].expected_uses = (check_ ? 1 : 0) + (next_chained ? 1 : 0);
  }
  if (threaded) producer_ = std::thread([this] { produce(); });
}

LayerStream::~LayerStream() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (producer_.joinable()) producer_.join();
}

// Operands from the seed or the workload's files; a chained layer's ifmap is the previous
// layer's reference output (which the simulation reproduces bit for bit), pooled.
void LayerStream::make_operands(std::size_t i) {
  const Layer& l = plan_.layers[i].layer;
  Slot& slot = slots_[i];
  auto data = std::make_unique<LayerData>(make_layer_data(l, seed_));
  if (l.input_from_previous) {
    data->ifmap = pool(slots_[i - 1].expected, l.input_pool);
    const std::lock_guard<std::mutex> lock(mutex_);
    release_expected(i - 1);
  }
  plan_.style->check_operands(l, *data);
  slot.nonzeros = count_nonzeros(l, *data);
  const auto weights =
      encoded_bits_all(data->weights.data.data(), l.M, l.C_per_group() * l.R * l.S, 16);
  const auto ifmap = encoded_bits_all(data->ifmap.data.data(), l.N * l.C * l.H, l.W, 16);
  for (std::size_t k = 0; k < kAllEncodings.size(); ++k) {
    slot.sizes[0].push_back({to_string(kAllEncodings[k]), weights[k]});
    slot.sizes[1].push_back({to_string(kAllEncodings[k]), ifmap[k]});
  }
  slot.data = std::move(data);
}

void LayerStream::make_reference(std::size_t i) {
  Slot& slot = slots_[i];
  if (slot.expected_uses == 0) return;
  const Layer& l = plan_.layers[i].layer;
  slot.expected = reference_conv(l, *slot.data, plan_.style->arithmetic(l));
}

// Drops layer i's reference output once neither the check nor the next layer needs it.
void LayerStream::release_expected(std::size_t i) {
  Slot& slot = slots_[i];
  if (--slot.expected_uses <= 0) slot.expected = Tensor4();
}

void LayerStream::note_held() {
  const auto held = std::count_if(slots_.begin(), slots_.end(), [](const Slot& s) {
    return s.data != nullptr || !s.expected.data.empty();
  });
  most_held_ = std::max(most_held_, static_cast<std::size_t>(held));
}

void LayerStream::host_step(std::size_t i) {
  Slot& slot = slots_[i];
  try {
    make_operands(i);
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      slot.operands_ready = true;
      note_held();
    }
    changed_.notify_all();
    make_reference(i);
  } catch (...) {
    const std::lock_guard<std::mutex> lock(mutex_);
    slot.error = std::current_exception();
    slot.operands_ready = true;
  }
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    slot.host_done = true;
    note_held();
  }
  changed_.notify_all();
}

void LayerStream::produce() {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    {
      // One layer ahead: layer i is made while layer i - 1 simulates.
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return stop_ || i <= layers_done_ + 1; });
      if (stop_) return;
    }
    host_step(i);
    if (slots_[i].error) return;  // the simulation stops at this layer
  }
}

const LayerData& LayerStream::operands(std::size_t i) {
  Slot& slot = slots_.at(i);
  if (!producer_.joinable() && !slot.operands_ready) host_step(i);
  std::exception_ptr error;
  {
    // The producer may still be running the reference (and may record its error) after it
    // published the operands: the error is read under the lock.
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return slot.operands_ready; });
    error = slot.error;
  }
  if (error) std::rethrow_exception(error);
  return *slot.data;
}

void LayerStream::layer_done(std::size_t i, const Tensor4& ofmap, LayerStats& s) {
  Slot& slot = slots_.at(i);
  if (!producer_.joinable() && !slot.host_done) host_step(i);
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return slot.host_done; });
  }
  if (slot.error) std::rethrow_exception(slot.error);
  const Layer& l = plan_.layers[i].layer;
  s.weight_bits_by_format = slot.sizes[0];
  s.ifmap_bits_by_format = slot.sizes[1];
  s.weights = l.weights();
  s.output_density =
      outputs_computed_ ? density_of(ofmap) : std::numeric_limits<double>::quiet_NaN();
  s.declared_output_density = l.output_density;
  s.accumulator_bits = l.accumulator_bits();
  s.nz_weights = slot.nonzeros.weights;
  s.nz_macs = slot.nonzeros.macs;
  if (check_) s.output_check = ofmap == slot.expected ? "pass" : "fail";
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    slot.data.reset();
    if (check_) release_expected(i);
    ++layers_done_;
  }
  changed_.notify_all();
}

}  // namespace dfsim
