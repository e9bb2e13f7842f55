// The runner's LayerFeed: each layer's operands made just before the layer starts, the
// reference output and operand statistics computed next to the simulation, each ofmap checked
// as its layer ends and the layer's tensors then dropped. Memory holds about two layers (the
// one simulated and the next), not the network.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "arrays/array_model.hpp"
#include "run/run.hpp"

namespace dfsim {

// Throws ConfigError (naming the layer's file:line:column) when a layer takes the previous
// layer's output but the run starts with it, or the pooled output's shape is not its ifmap's.
// Needs the shapes only, so it runs before the simulation.
void check_chained_shapes(const Plan& plan);

// Reads every operand file of the run's layers (.npy, ONNX weights) and lets the style check
// their values (check_operands), one layer at a time: bad files and values the datapath cannot
// hold are refused before the simulation, not when their layer starts. Values computed in the
// run (a chained layer's input) are checked when their layer's operands are made.
void check_operand_files(const Plan& plan, std::uint64_t seed);

// The tensors a run holds at once, in bytes, at least: a layer's operands (the host's and the
// DRAM model's copy) and outputs (reference, simulated, DRAM copy) while the next layer's
// operands and reference output are made, at the largest such pair. `largest_layer` names the
// layer with the most bytes of its own.
double streamed_bytes_lower_bound(const std::vector<LayerPlan>& layers,
                                  std::string* largest_layer = nullptr);

class LayerStream final : public LayerFeed {
 public:
  // `threaded`: the operands and the reference are made on a second thread, one layer ahead of
  // the simulation; otherwise on the calling thread when a layer starts and ends. `check`:
  // compare each ofmap with the reference convolution (stats' output_check). Without
  // `outputs_computed` (a timing-only run whose model computes no output values) there is
  // nothing to check and the output density is unknown (NaN).
  LayerStream(const Plan& plan, std::uint64_t seed, bool check, bool threaded,
              bool outputs_computed = true);
  ~LayerStream() override;
  LayerStream(const LayerStream&) = delete;
  LayerStream& operator=(const LayerStream&) = delete;

  const LayerData& operands(std::size_t i) override;
  void layer_done(std::size_t i, const Tensor4& ofmap, LayerStats& s) override;

  // The most layers whose tensors (operands or reference output) were held at once.
  std::size_t most_layers_held() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return most_held_;
  }

 private:
  using Sizes = std::array<std::vector<std::pair<std::string, std::int64_t>>, 2>;
  struct Slot {
    std::unique_ptr<LayerData> data;
    Tensor4 expected;       // the reference output, while the check or the next layer needs it
    int expected_uses = 0;  // the check and a chained next layer, each drops one
    NonZeroCounts nonzeros;
    Sizes sizes;  // weights, ifmap: bits in every encoding
    bool operands_ready = false, host_done = false;
    std::exception_ptr error;
  };

  void produce();  // the second thread: every layer in order, one ahead of the simulation
  void make_operands(std::size_t i);
  void make_reference(std::size_t i);
  void release_expected(std::size_t i);  // under mutex_
  void host_step(std::size_t i);         // make_operands, then make_reference
  void note_held();                      // under mutex_

  const Plan& plan_;
  const std::uint64_t seed_;
  const bool check_;
  const bool outputs_computed_;
  std::vector<Slot> slots_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t layers_done_ = 0;  // by the simulation
  std::size_t most_held_ = 0;
  bool stop_ = false;
  std::thread producer_;  // last: started once the members it uses exist
};

}  // namespace dfsim
