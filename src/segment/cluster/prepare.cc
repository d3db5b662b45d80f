#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>

#include "segmenta/cluster_prepare.h"

// Preparation of feature columns for clustering (cluster_prepare.h); the model's JSON form
// is in prepare_json.cc.
namespace segmenta {
namespace {

// ---- options and names -----------------------------------------------------------

template <typename Enum, size_t N>
Result<Enum> ParseName(std::string_view name, const std::pair<std::string_view, Enum> (&table)[N],
                       std::string_view what) {
  std::string accepted;
  for (const auto& [text, value] : table) {
    if (text == name) return value;
    accepted += accepted.empty() ? "" : ", ";
    accepted += text;
  }
  return Status::InvalidArgument("unknown " + std::string(what) + " '" + std::string(name) +
                                 "' (expected one of: " + accepted + ")");
}

constexpr std::pair<std::string_view, NumericTransform> kTransforms[] = {
    {"none", NumericTransform::kNone}, {"log1p", NumericTransform::kLog1p}};
constexpr std::pair<std::string_view, Scaling> kScalings[] = {
    {"none", Scaling::kNone}, {"zscore", Scaling::kZScore}, {"robust", Scaling::kRobust}};
constexpr std::pair<std::string_view, CategoricalEncoding> kEncodings[] = {
    {"codes", CategoricalEncoding::kCodes}, {"one_hot", CategoricalEncoding::kOneHot}};

template <typename Enum, size_t N>
std::string_view NameOf(Enum value, const std::pair<std::string_view, Enum> (&table)[N]) {
  for (const auto& [text, entry] : table) {
    if (entry == value) return text;
  }
  return "?";
}

bool IsMissing(const CategoricalColumn& column, size_t row_idx) {
  return !column.missing.empty() && column.missing[row_idx] != 0;
}

void FinishReport(ColumnReport& report) {
  report.imputed_share =
      report.rows == 0 ? 0.0
                       : static_cast<double>(report.imputed) / static_cast<double>(report.rows);
}

// ---- input checks ------------------------------------------------------------------

// The common length of all columns, or an error when there are none or they differ.
Result<size_t> CheckColumns(const FeatureColumns& columns) {
  if (columns.numeric.empty() && columns.categorical.empty()) {
    return Status::InvalidArgument("prepare: no feature columns");
  }
  size_t rows = columns.numeric.empty() ? columns.categorical.front().values.size()
                                        : columns.numeric.front().values.size();
  std::set<std::string> names;
  auto check = [&](const std::string& name, size_t length) -> Status {
    if (!names.insert(name).second) {
      return Status::InvalidArgument("prepare: two feature columns are named '" + name + "'");
    }
    if (length == rows) return Status::Ok();
    return Status::InvalidArgument("prepare: column '" + name + "' has " + std::to_string(length) +
                                   " values, expected " + std::to_string(rows));
  };
  for (const NumericColumn& column : columns.numeric) {
    SEG_RETURN_IF_ERROR(check(column.name, column.values.size()));
  }
  for (const CategoricalColumn& column : columns.categorical) {
    SEG_RETURN_IF_ERROR(check(column.name, column.values.size()));
    if (!column.missing.empty() && column.missing.size() != rows) {
      return Status::InvalidArgument("prepare: column '" + column.name +
                                     "' has a missing-flag vector of the wrong length");
    }
  }
  return rows;
}

Status CheckOptions(const FeatureColumns& columns, const PrepareOptions& options) {
  for (const auto& named : options.numeric) {
    const std::string& name = named.first;
    bool known = std::any_of(columns.numeric.begin(), columns.numeric.end(),
                             [&name](const NumericColumn& column) { return column.name == name; });
    if (!known) {
      return Status::InvalidArgument("prepare: options name '" + name +
                                     "', which is not a numeric feature column");
    }
  }
  auto positive = [](double value) { return std::isfinite(value) && value > 0; };
  for (const auto& [name, feature] : options.numeric) {
    if (!positive(feature.weight)) {
      return Status::InvalidArgument("prepare: the weight of '" + name + "' must be > 0");
    }
  }
  if (!positive(options.numeric_default.weight)) {
    return Status::InvalidArgument("prepare: the default weight must be > 0");
  }
  if (!positive(options.one_hot_scale)) {
    return Status::InvalidArgument("prepare: one_hot_scale must be > 0");
  }
  return Status::Ok();
}

// ---- numeric features ----------------------------------------------------------------

// transform(value) for an observed value; counts a clamp.
double Transform(NumericTransform transform, double value, size_t& clamped) {
  if (transform == NumericTransform::kNone) return value;
  if (value < 0) {
    ++clamped;
    value = 0;
  }
  return std::log1p(value);
}

// Quantile q of `values` (linear interpolation between order statistics); reorders.
double Quantile(std::vector<double>& values, double q) {
  double position = q * static_cast<double>(values.size() - 1);
  size_t lower = static_cast<size_t>(position);
  std::nth_element(values.begin(), values.begin() + lower, values.end());
  double low = values[lower];
  if (lower + 1 >= values.size()) return low;
  double high = *std::min_element(values.begin() + lower + 1, values.end());
  return low + (position - static_cast<double>(lower)) * (high - low);
}

void FitZScore(const std::vector<double>& observed, NumericFeatureModel& model) {
  double sum = 0.0;
  for (double value : observed) sum += value;
  double mean = sum / static_cast<double>(observed.size()), squares = 0.0;
  for (double value : observed) squares += (value - mean) * (value - mean);
  double deviation = std::sqrt(squares / static_cast<double>(observed.size()));
  model.center = mean;
  model.degenerate = !(deviation > 0);
  model.scale = model.degenerate ? 1.0 : deviation;
}

void FitRobust(std::vector<double>& observed, double median, NumericFeatureModel& model) {
  double range = Quantile(observed, 0.75) - Quantile(observed, 0.25);
  model.center = median;
  model.degenerate = !(range > 0);
  model.scale = model.degenerate ? 1.0 : range;
}

Result<NumericFeatureModel> FitNumeric(const NumericColumn& column,
                                       const NumericFeatureOptions& options) {
  NumericFeatureModel model;
  model.name = column.name;
  model.transform = options.transform;
  model.scaling = options.scaling;
  model.weight = options.weight;
  std::vector<double> observed;
  observed.reserve(column.values.size());
  size_t clamped = 0;
  for (double value : column.values) {
    if (std::isnan(value)) continue;
    double transformed = Transform(model.transform, value, clamped);
    if (!std::isfinite(transformed)) {
      return Status::DataError("prepare: column '" + column.name + "' holds an infinite value");
    }
    observed.push_back(transformed);
  }
  if (observed.empty()) {
    return Status::DataError("prepare: column '" + column.name + "' has no non-missing value");
  }
  model.impute = Quantile(observed, 0.5);
  if (model.scaling == Scaling::kZScore) FitZScore(observed, model);
  if (model.scaling == Scaling::kRobust) FitRobust(observed, model.impute, model);
  return model;
}

double Scale(const NumericFeatureModel& model, double transformed) {
  if (model.degenerate && model.scaling == Scaling::kZScore) return 0.0;
  return std::sqrt(model.weight) * (transformed - model.center) / model.scale;
}

// Writes column `col_idx` of `out` and returns what happened.
Result<ColumnReport> WriteNumeric(const NumericFeatureModel& model, const NumericColumn& column,
                                  Matrix<double>& out, size_t col_idx) {
  ColumnReport report;
  report.rows = column.values.size();
  for (size_t row_idx = 0; row_idx < report.rows; ++row_idx) {
    double value = column.values[row_idx];
    double transformed = model.impute;
    if (std::isnan(value)) {
      ++report.imputed;
    } else {
      transformed = Transform(model.transform, value, report.clamped);
    }
    if (!std::isfinite(transformed)) {
      return Status::DataError("prepare: column '" + column.name + "' holds an infinite value");
    }
    out(row_idx, col_idx) = Scale(model, transformed);
  }
  FinishReport(report);
  return report;
}

// ---- categorical features --------------------------------------------------------------

Result<CategoricalFeatureModel> FitCategorical(const CategoricalColumn& column) {
  std::unordered_map<std::string_view, size_t> counts;
  for (size_t row_idx = 0; row_idx < column.values.size(); ++row_idx) {
    if (!IsMissing(column, row_idx)) ++counts[column.values[row_idx]];
  }
  if (counts.empty()) {
    return Status::DataError("prepare: column '" + column.name + "' has no non-missing value");
  }
  std::vector<std::pair<std::string_view, size_t>> sorted(counts.begin(), counts.end());
  std::sort(sorted.begin(), sorted.end());
  CategoricalFeatureModel model;
  model.name = column.name;
  size_t best = 0;
  for (size_t code = 0; code < sorted.size(); ++code) {
    model.levels.emplace_back(sorted[code].first);
    if (sorted[code].second > sorted[best].second) best = code;
  }
  model.impute = static_cast<int32_t>(best);
  return model;
}

ColumnReport WriteCategorical(const CategoricalFeatureModel& model, const CategoricalColumn& column,
                              size_t col_idx, PreparedData& out, size_t one_hot_offset,
                              double one_hot_scale) {
  std::unordered_map<std::string_view, int32_t> codes;
  for (size_t code = 0; code < model.levels.size(); ++code) {
    codes.emplace(model.levels[code], static_cast<int32_t>(code));
  }
  bool one_hot = out.model.encoding == CategoricalEncoding::kOneHot;
  ColumnReport report;
  report.rows = column.values.size();
  for (size_t row_idx = 0; row_idx < report.rows; ++row_idx) {
    int32_t code = model.impute;
    if (IsMissing(column, row_idx)) {
      ++report.imputed;
    } else {
      auto found = codes.find(column.values[row_idx]);
      code = found == codes.end() ? -1 : found->second;
      report.unseen += found == codes.end();
    }
    out.categories(row_idx, col_idx) = code;
    if (one_hot && code >= 0) out.numeric(row_idx, one_hot_offset + code) = one_hot_scale;
  }
  FinishReport(report);
  return report;
}

// ---- applying ------------------------------------------------------------------------

template <typename Column>
const Column* FindColumn(const std::vector<Column>& columns, const std::string& name) {
  for (const Column& column : columns) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

// Rows of the columns the model reads, checking that they exist and agree in length.
Result<size_t> ModelRows(const PreparationModel& model, const FeatureColumns& columns) {
  std::optional<size_t> rows;
  auto check = [&](const std::string& name, const size_t* length) -> Status {
    if (length == nullptr) return Status::NotFound("prepare: no feature column '" + name + "'");
    if (!rows) rows = *length;
    if (*rows == *length) return Status::Ok();
    return Status::InvalidArgument("prepare: column '" + name + "' has " + std::to_string(*length) +
                                   " values, expected " + std::to_string(*rows));
  };
  for (const NumericFeatureModel& feature : model.numeric) {
    const NumericColumn* column = FindColumn(columns.numeric, feature.name);
    size_t length = column ? column->values.size() : 0;
    SEG_RETURN_IF_ERROR(check(feature.name, column ? &length : nullptr));
  }
  for (const CategoricalFeatureModel& feature : model.categorical) {
    const CategoricalColumn* column = FindColumn(columns.categorical, feature.name);
    size_t length = column ? column->values.size() : 0;
    SEG_RETURN_IF_ERROR(check(feature.name, column ? &length : nullptr));
    if (column && !column->missing.empty() && column->missing.size() != length) {
      return Status::InvalidArgument("prepare: column '" + feature.name +
                                     "' has a missing-flag vector of the wrong length");
    }
  }
  if (!rows) return Status::InvalidArgument("prepare: the model has no features");
  return *rows;
}

}  // namespace

Result<NumericTransform> ParseNumericTransform(std::string_view name) {
  return ParseName(name, kTransforms, "transform");
}
Result<Scaling> ParseScaling(std::string_view name) {
  return ParseName(name, kScalings, "scaling");
}
Result<CategoricalEncoding> ParseCategoricalEncoding(std::string_view name) {
  return ParseName(name, kEncodings, "categorical encoding");
}
std::string_view ToString(NumericTransform transform) { return NameOf(transform, kTransforms); }
std::string_view ToString(Scaling scaling) { return NameOf(scaling, kScalings); }
std::string_view ToString(CategoricalEncoding encoding) { return NameOf(encoding, kEncodings); }

size_t PreparationModel::prepared_width() const {
  size_t width = numeric.size();
  if (encoding != CategoricalEncoding::kOneHot) return width;
  for (const CategoricalFeatureModel& feature : categorical) width += feature.levels.size();
  return width;
}

std::vector<std::string> PreparationModel::PreparedNames() const {
  std::vector<std::string> names;
  for (const NumericFeatureModel& feature : numeric) names.push_back(feature.name);
  if (encoding != CategoricalEncoding::kOneHot) return names;
  for (const CategoricalFeatureModel& feature : categorical) {
    for (const std::string& level : feature.levels) names.push_back(feature.name + "=" + level);
  }
  return names;
}

Result<PreparedData> PreparationModel::Apply(const FeatureColumns& columns) const {
  SEG_ASSIGN_OR_RETURN(size_t rows, ModelRows(*this, columns));
  PreparedData out;
  out.model = *this;
  out.numeric = Matrix<double>(rows, prepared_width());
  out.categories = Matrix<int32_t>(rows, categorical.size());
  out.numeric_names = PreparedNames();
  for (size_t col_idx = 0; col_idx < numeric.size(); ++col_idx) {
    const NumericColumn* column = FindColumn(columns.numeric, numeric[col_idx].name);
    SEG_ASSIGN_OR_RETURN(ColumnReport report,
                         WriteNumeric(numeric[col_idx], *column, out.numeric, col_idx));
    out.report.push_back(report);
  }
  size_t one_hot_offset = numeric.size();
  for (size_t col_idx = 0; col_idx < categorical.size(); ++col_idx) {
    const CategoricalFeatureModel& feature = categorical[col_idx];
    const CategoricalColumn* column = FindColumn(columns.categorical, feature.name);
    out.report.push_back(
        WriteCategorical(feature, *column, col_idx, out, one_hot_offset, one_hot_scale));
    one_hot_offset += feature.levels.size();
  }
  return out;
}

std::vector<double> PreparationModel::Unscale(std::span<const double> prepared) const {
  std::vector<double> original;
  for (size_t col_idx = 0; col_idx < numeric.size() && col_idx < prepared.size(); ++col_idx) {
    const NumericFeatureModel& feature = numeric[col_idx];
    double transformed = feature.center;
    if (!(feature.degenerate && feature.scaling == Scaling::kZScore)) {
      transformed += prepared[col_idx] / std::sqrt(feature.weight) * feature.scale;
    }
    bool log = feature.transform == NumericTransform::kLog1p;
    original.push_back(log ? std::expm1(transformed) : transformed);
  }
  return original;
}

std::vector<std::vector<double>> PreparationModel::LevelShares(
    std::span<const double> prepared) const {
  std::vector<std::vector<double>> shares;
  if (encoding != CategoricalEncoding::kOneHot || prepared.size() < prepared_width()) return shares;
  size_t offset = numeric.size();
  for (const CategoricalFeatureModel& feature : categorical) {
    std::vector<double>& feature_shares = shares.emplace_back();
    for (size_t code = 0; code < feature.levels.size(); ++code) {
      feature_shares.push_back(prepared[offset + code] / one_hot_scale);
    }
    offset += feature.levels.size();
  }
  return shares;
}

std::vector<std::string> PreparationModel::DecodeCategories(std::span<const int32_t> codes) const {
  std::vector<std::string> values;
  for (size_t col_idx = 0; col_idx < categorical.size() && col_idx < codes.size(); ++col_idx) {
    values.push_back(DecodeCategory(col_idx, codes[col_idx]));
  }
  return values;
}

std::string PreparationModel::DecodeCategory(size_t feature, int32_t code) const {
  if (feature >= categorical.size() || code < 0) return "";
  const std::vector<std::string>& levels = categorical[feature].levels;
  return static_cast<size_t>(code) < levels.size() ? levels[code] : "";
}

Result<PreparedData> Prepare(const FeatureColumns& columns, const PrepareOptions& options) {
  SEG_ASSIGN_OR_RETURN(size_t rows, CheckColumns(columns));
  if (rows == 0) return Status::InvalidArgument("prepare: the feature columns have no rows");
  SEG_RETURN_IF_ERROR(CheckOptions(columns, options));
  PreparationModel model;
  model.encoding = options.encoding;
  model.one_hot_scale = options.one_hot_scale;
  for (const NumericColumn& column : columns.numeric) {
    auto named = options.numeric.find(column.name);
    const NumericFeatureOptions& feature =
        named == options.numeric.end() ? options.numeric_default : named->second;
    SEG_ASSIGN_OR_RETURN(NumericFeatureModel fitted, FitNumeric(column, feature));
    model.numeric.push_back(std::move(fitted));
  }
  for (const CategoricalColumn& column : columns.categorical) {
    SEG_ASSIGN_OR_RETURN(CategoricalFeatureModel fitted, FitCategorical(column));
    model.categorical.push_back(std::move(fitted));
  }
  SEG_ASSIGN_OR_RETURN(PreparedData prepared, model.Apply(columns));
  for (size_t col_idx = 0; col_idx < model.numeric.size(); ++col_idx) {
    prepared.model.numeric[col_idx].fit = prepared.report[col_idx];
  }
  for (size_t col_idx = 0; col_idx < model.categorical.size(); ++col_idx) {
    prepared.model.categorical[col_idx].fit = prepared.report[model.numeric.size() + col_idx];
  }
  return prepared;
}

}  // namespace segmenta
