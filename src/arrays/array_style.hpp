// Array styles as plug-ins. An array style (row stationary, systolic weight stationary, planar
// tiled, ...) owns its parameters, mapper, estimate, mapping format, arithmetic and SystemC top
// level; shared code (configuration, planning, the CLI, statistics) reaches them only through
// ArrayStyleDescriptor (base/config/array_style_registry.hpp), ArrayStyle and LayerMapping, and
// finds a style by the architecture's `array:` name in the registry that each style joins from its
// own source file. docs/architecture.md walks through adding one.
#pragma once

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "base/config/arch_config.hpp"
#include "base/config/array_style_registry.hpp"
#include "base/config/config_node.hpp"
#include "base/energy/energy_table.hpp"
#include "mapper/search.hpp"
#include "workload/layer.hpp"
#include "workload/tensor.hpp"

namespace dfsim {

class ArrayModel;
class Tracer;
struct LayerJob;

// One layer's mapping on an array style, with the style's estimate of it.
class LayerMapping {
 public:
  virtual ~LayerMapping() = default;
  virtual std::string text() const = 0;  // one line, as tables and stats.json show it
  virtual std::string yaml() const = 0;  // a YAML flow map in the --mapping format
  // The estimate's style-specific counts for `dfsim map`, e.g. ", passes 12, DRAM 4096 B".
  virtual std::string estimate_details() const = 0;
  virtual std::int64_t estimate_cycles() const = 0;  // position-free (see place_cycles)
  virtual double estimate_energy_pj() const = 0;
  virtual std::int64_t candidates_evaluated() const = 0;
  virtual const PredictedTraffic& predicted_traffic() const = 0;
  // Cycles the layer's place in a run adds to its estimate (e.g. a first layer that loads its
  // input from DRAM, a last one that writes its output back).
  virtual std::int64_t place_cycles(bool /*first*/, bool /*last*/) const { return 0; }
};

// The convolution geometry an array style's datapath runs beyond uniform layers (one stride,
// the same padding on all four sides, no dilation: Layer::uniform).
struct GeometrySupport {
  bool per_axis = false;  // a stride per axis and a padding per side
  bool dilation = false;  // filter taps more than one input apart
};

class ArrayStyle {
 public:
  explicit ArrayStyle(const ArchConfig& arch) : arch_(arch) {}
  ArrayStyle(const ArrayStyle&) = delete;
  ArrayStyle& operator=(const ArrayStyle&) = delete;
  virtual ~ArrayStyle() = default;
  // Everything of a layer the mapper and its estimate read: layers with the same view
  // (layer_key) get the same mapping and estimate.
  virtual Layer estimate_view(const Layer& layer) const = 0;
  // The k best mappings of a view by the estimate, best first. Throws ConfigError when no
  // mapping fits the array.
  virtual std::vector<std::shared_ptr<const LayerMapping>> best(const Layer& view,
                                                                std::size_t k) const = 0;
  // A user's mapping (a node of the --mapping file), checked against the array; errors name
  // the node's file:line:column.
  virtual std::shared_ptr<const LayerMapping> pinned(const Layer& view,
                                                     const ConfigNode& node) const = 0;
  virtual GeometrySupport geometry_support() const = 0;
  // Why this array cannot run the layer's geometry (naming what the layer has that the array
  // lacks), or "". Checked before the layer is mapped.
  std::string refusal(const Layer& layer) const;
  // The fixed-point arithmetic of the datapath (the reference convolution follows it).
  virtual Arithmetic arithmetic(const Layer& layer) const;
  // The weight width an imported (ONNX) model is quantized to.
  virtual int import_weight_bits() const { return 16; }
  // Throws ConfigError when a layer's operand values do not fit the datapath.
  virtual void check_operands(const Layer& /*layer*/, const LayerData& /*data*/) const {}
  // Whether this architecture's cycles, traffic or energy depend on the values its datapath
  // computes (an ofmap encoded by its values, outputs kept sparse): a timing-only run then
  // still computes them. Operand values (gating, sparse operands) are always available.
  virtual bool timing_needs_outputs() const { return true; }
  // The SystemC top level that runs the jobs.
  virtual std::unique_ptr<ArrayModel> make_model(std::vector<LayerJob> jobs,
                                                 Tracer* trace) const = 0;
  // The priced actions and the sized parts (for the area report) of this architecture.
  virtual const EnergyTable& energy_table() const = 0;

 protected:
  const ArchConfig arch_;  // a copy: the mapper and the model refer to it
};

// The style the architecture names (its descriptor in the registry makes it).
std::unique_ptr<ArrayStyle> make_array_style(const ArchConfig& arch, Objective objective);

// A registry entry for a style class constructed as Style(arch, objective), with the
// functions that read its YAML keys, describe it and size its storage.
template <typename Style>
class StyleDescriptor final : public ArrayStyleDescriptor {
 public:
  using Parse = void (*)(const ConfigNode& root, ArchConfig& arch);
  using Describe = void (*)(std::ostream& os, const ArchConfig& arch);
  using Storage = std::int64_t (*)(const ArchConfig& arch);
  StyleDescriptor(std::vector<std::string> keys, Parse parse, Describe describe, Storage storage)
      : keys_(std::move(keys)), parse_(parse), describe_(describe), storage_(storage) {}
  std::vector<std::string> keys() const override { return keys_; }
  void parse(const ConfigNode& root, ArchConfig& arch) const override { parse_(root, arch); }
  void describe(std::ostream& os, const ArchConfig& arch) const override { describe_(os, arch); }
  std::int64_t onchip_storage_bytes(const ArchConfig& arch) const override {
    return storage_(arch);
  }
  std::unique_ptr<ArrayStyle> make(const ArchConfig& arch, Objective objective) const override {
    return std::make_unique<Style>(arch, objective);
  }

 private:
  std::vector<std::string> keys_;
  Parse parse_;
  Describe describe_;
  Storage storage_;
};

// The LayerMapping of a mapper whose results have `mapping`, `estimate` (cycles, energy_pj,
// traffic) and `candidates_evaluated`. The style declares `details_of(result)` and
// `place_cycles_of(result, first, last)` next to its result type (found by argument-dependent
// lookup; a missing one is a compile error, never a silent default).
template <typename Result>
class ResultMapping final : public LayerMapping {
 public:
  explicit ResultMapping(Result r) : result(std::move(r)) {}
  Result result;
  std::string text() const override {
    std::ostringstream os;
    os << result.mapping;
    return os.str();
  }
  std::string yaml() const override { return to_yaml(result.mapping); }
  std::string estimate_details() const override { return details_of(result); }
  std::int64_t estimate_cycles() const override { return result.estimate.cycles; }
  double estimate_energy_pj() const override { return result.estimate.energy_pj; }
  std::int64_t candidates_evaluated() const override { return result.candidates_evaluated; }
  const PredictedTraffic& predicted_traffic() const override { return result.estimate.traffic; }
  std::int64_t place_cycles(bool first, bool last) const override {
    return place_cycles_of(result, first, last);
  }
};

// The result a style's model reads from its job's mapping (the registry guarantees the type).
template <typename Result>
const Result& result_of(const LayerMapping& m) {
  return dynamic_cast<const ResultMapping<Result>&>(m).result;
}

// A style made of a mapper class (map/best/evaluate_pinned/estimate_view, as the shipped
// mappers have), a parser of its pinned mappings and a model class constructed as
// Model("accelerator", arch, jobs, trace) that says whether its timing depends on the outputs
// it computes (static bool timing_needs_outputs(const ArchConfig&)) and which geometry its
// datapath runs (static GeometrySupport geometry_support()).
template <typename Mapper, typename Model, auto parse_mapping>
class MapperStyle : public ArrayStyle {
 public:
  MapperStyle(const ArchConfig& arch, Objective objective)
      : ArrayStyle(arch), mapper_(arch_, objective) {}
  Layer estimate_view(const Layer& layer) const override { return Mapper::estimate_view(layer); }
  std::vector<std::shared_ptr<const LayerMapping>> best(const Layer& view,
                                                        std::size_t k) const override {
    std::vector<std::shared_ptr<const LayerMapping>> out;
    for (auto& r : mapper_.best(view, k))
      out.push_back(std::make_shared<ResultMapping<std::decay_t<decltype(r)>>>(std::move(r)));
    return out;
  }
  std::shared_ptr<const LayerMapping> pinned(const Layer& view,
                                             const ConfigNode& node) const override {
    auto r = mapper_.evaluate_pinned(view, parse_mapping(node), node.where());
    return std::make_shared<ResultMapping<decltype(r)>>(std::move(r));
  }
  std::unique_ptr<ArrayModel> make_model(std::vector<LayerJob> jobs, Tracer* trace) const override {
    return std::make_unique<Model>("accelerator", arch_, std::move(jobs), trace);
  }
  const EnergyTable& energy_table() const override { return mapper_.energy_table(); }
  bool timing_needs_outputs() const override { return Model::timing_needs_outputs(arch_); }
  GeometrySupport geometry_support() const override { return Model::geometry_support(); }

 protected:
  Mapper mapper_;
};

}  // namespace dfsim
