#include "workload/scalesim_import.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <vector>

#include "base/config/config_node.hpp"
#include "base/text.hpp"

namespace dfsim {

namespace {

// One comma-separated field: its text without surrounding blanks and the 1-based column of
// its first character (of the field's start when it is blank).
struct Field {
  std::string text;
  std::int64_t column = 1;
};

std::vector<Field> split_row(const std::string& line) {
  std::vector<Field> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = std::min(line.find(',', start), line.size());
    std::size_t b = start, e = end;
    while (b < e && std::isspace(static_cast<unsigned char>(line[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(line[e - 1]))) --e;
    out.push_back({line.substr(b, e - b), static_cast<std::int64_t>(b == e ? start : b) + 1});
    if (end == line.size()) break;
    start = end + 1;
  }
  // Trailing empty fields and comments ("#dw" after the last comma), as SCALE-Sim ignores them.
  while (!out.empty() && (out.back().text.empty() || out.back().text[0] == '#')) out.pop_back();
  return out;
}

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

enum class Form { Conv, Gemm };

const std::vector<std::string> kConvColumns = {"Layer name",    "IFMAP Height", "IFMAP Width",
                                               "Filter Height", "Filter Width", "Channels",
                                               "Num Filter",    "Strides",      "Stride width"};
const std::vector<std::string> kGemmColumns = {"Layer", "M", "N", "K"};

// Reads one file's rows; `fail` errors carry FILE:LINE:COLUMN.
class TopologyReader {
 public:
  explicit TopologyReader(std::string origin) : origin_(std::move(origin)) {}

  Network read(const std::string& text) {
    Network net;
    net.name = std::filesystem::path(origin_).stem().string();
    net.source_file = origin_;
    std::set<std::string> names;
    bool header = true;
    std::size_t pos = 0;
    while (pos <= text.size()) {
      const std::size_t end = std::min(text.find('\n', pos), text.size());
      std::string row = text.substr(pos, end - pos);
      if (!row.empty() && row.back() == '\r') row.pop_back();
      ++line_;
      pos = end + 1;
      const std::vector<Field> fields = split_row(row);
      if (fields.empty() || (!fields[0].text.empty() && fields[0].text[0] == '#'))
        continue;  // blank, or a comment row
      if (header) {
        form_ = form_of(fields, row);
        header = false;
        continue;
      }
      Layer l = form_ == Form::Conv ? conv_layer(fields) : gemm_layer(fields);
      if (!names.insert(l.name).second)
        fail(fields[0].column, "duplicate layer name '" + l.name + "'");
      net.layers.push_back(l);
    }
    line_ = 1;  // what is missing is after the header
    if (header) fail(1, "the file is empty: expected SCALE-Sim's header row");
    if (net.layers.empty()) fail(1, "no layer rows after the header");
    return net;
  }

 private:
  [[noreturn]] void fail(std::int64_t column, const std::string& what) const {
    throw ConfigError(origin_ + ":" + std::to_string(line_) + ":" + std::to_string(column) + ": " +
                      what);
  }

  // The form the header names, every column as SCALE-Sim writes it (any case; the stride
  // column is "Strides" in its topology files and "Stride height" in the ones it writes).
  Form form_of(const std::vector<Field>& f, const std::string& row) {
    const auto named = [&f](const std::vector<std::string>& columns) {
      if (f.size() != columns.size()) return false;
      for (std::size_t i = 0; i < f.size(); ++i)
        if (lowercase(f[i].text) != lowercase(columns[i]) &&
            !(i == 7 && lowercase(f[i].text) == "stride height"))
          return false;
      return true;
    };
    if (named(kGemmColumns)) return Form::Gemm;
    if (named(kConvColumns) || named({kConvColumns.begin(), kConvColumns.end() - 1})) {
      conv_columns_ = f.size();
      return Form::Conv;
    }
    fail(1,
         "not a SCALE-Sim topology header: expected the conv columns (Layer name, IFMAP Height, "
         "IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides) or the GEMM "
         "columns (Layer, M, N, K), got '" +
             row + "'");
  }

  // Field i of the row as a dimension (1 to kMaxLayerDim).
  std::int64_t dim(const std::vector<Field>& f, std::size_t i,
                   const std::vector<std::string>& columns) const {
    const Field& x = f[i];
    const bool digits = !x.text.empty() && x.text.size() <= 9 &&
                        std::all_of(x.text.begin(), x.text.end(), [](char c) {
                          return std::isdigit(static_cast<unsigned char>(c));
                        });
    const std::int64_t v = digits ? std::stoll(x.text) : 0;
    if (v < 1 || v > kMaxLayerDim)
      fail(x.column, "column '" + columns[i] + "': '" + x.text + "' is not an integer from 1 to " +
                         std::to_string(kMaxLayerDim));
    return v;
  }

  Layer named(const std::vector<Field>& f) const {
    Layer l;
    l.name = f[0].text;
    if (l.name.empty())
      fail(f[0].column,
           "column '" + std::string(form_ == Form::Conv ? "Layer name" : "Layer") + "' is empty");
    l.where = origin_ + ":" + std::to_string(line_) + ":" + std::to_string(f[0].column);
    return l;
  }

  void check_size(const Layer& l, std::int64_t column) const {
    if (const std::string too_large = l.size_problem(); !too_large.empty()) fail(column, too_large);
  }

  Layer conv_layer(const std::vector<Field>& f) const {
    const std::vector<std::string>& cols = kConvColumns;
    if (f.size() != conv_columns_)
      fail(f.back().column, "expected " + std::to_string(conv_columns_) +
                                " values, one per header column, got " + std::to_string(f.size()));
    Layer l = named(f);
    l.H = dim(f, 1, cols);
    l.W = dim(f, 2, cols);
    l.R = dim(f, 3, cols);
    l.S = dim(f, 4, cols);
    l.C = dim(f, 5, cols);
    const std::int64_t filters = dim(f, 6, cols);
    l.stride_h = dim(f, 7, cols);
    l.stride_w = f.size() == 9 ? dim(f, 8, cols) : l.stride_h;
    if (l.R > l.H)
      fail(f[3].column,
           "column 'Filter Height': " + f[3].text + " exceeds the IFMAP Height " + f[1].text);
    if (l.S > l.W)
      fail(f[4].column,
           "column 'Filter Width': " + f[4].text + " exceeds the IFMAP Width " + f[2].text);
    // SCALE-Sim's E = ceil((H - R) / stride) + 1 counts a last window that reaches past the
    // ifmap; the imported ifmap is the rows and columns the windows read.
    l.H = ceil_div(l.H - l.R, l.stride_h) * l.stride_h + l.R;
    l.W = ceil_div(l.W - l.S, l.stride_w) * l.stride_w + l.S;
    if (std::max(l.H, l.W) > kMaxLayerDim)
      fail(f[7].column, "column 'Strides': the windows of stride " + f[7].text + " read " +
                            std::to_string(std::max(l.H, l.W)) + " rows or columns, more than " +
                            std::to_string(kMaxLayerDim));
    // SCALE-Sim runs a "DP" layer as one layer per channel, each with `filters` filters.
    const bool depthwise = l.name.find("DP") != std::string::npos;
    l.groups = depthwise ? l.C : 1;
    l.M = depthwise ? l.C * filters : filters;
    if (l.M > kMaxLayerDim)
      fail(f[6].column, "column 'Num Filter': the depthwise layer's Channels x Num Filter is " +
                            std::to_string(l.M) + ", more than " + std::to_string(kMaxLayerDim));
    check_size(l, f[0].column);
    return l;
  }

  Layer gemm_layer(const std::vector<Field>& f) const {
    if (f.size() != 4)
      fail(f.back().column, "expected 4 values (Layer, M, N, K), got " + std::to_string(f.size()));
    Layer l = named(f);
    l.H = dim(f, 1, kGemmColumns);  // M rows of the [M][K] operand, one output pixel each
    l.M = dim(f, 2, kGemmColumns);  // N columns of the product: filters
    l.C = dim(f, 3, kGemmColumns);  // K, the reduction: input channels of a 1 x 1 filter
    check_size(l, f[0].column);
    return l;
  }

  const std::string origin_;
  std::int64_t line_ = 0;
  std::size_t conv_columns_ = 8;  // the header's: 8, or 9 with the stride width
  Form form_ = Form::Conv;
};

}  // namespace

bool is_scalesim_topology(const std::string& path) {
  return path.size() > 4 && lowercase(path.substr(path.size() - 4)) == ".csv";
}

Network import_scalesim_topology(const std::string& path) {
  return import_scalesim_topology_from_string(read_input_file(path), path);
}

Network import_scalesim_topology_from_string(const std::string& text, const std::string& origin) {
  return TopologyReader(origin).read(text);
}

}  // namespace dfsim
