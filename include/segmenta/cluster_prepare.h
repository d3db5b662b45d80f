// Feature preparation for clustering: raw customer feature columns in, the matrices
// the clustering algorithms read out, plus a PreparationModel that records every step
// so that new customers are prepared exactly the same way later (scoring, snapshots).
//
//   segmenta::FeatureColumns columns;
//   columns.numeric.push_back({"monetary", monetary_values});      // NaN = missing
//   columns.categorical.push_back({"country", country_values, {}}); // no missing flags
//   segmenta::PrepareOptions options;
//   options.numeric["monetary"] = {segmenta::NumericTransform::kLog1p,
//                                  segmenta::Scaling::kZScore, 1.0};
//   SEG_ASSIGN_OR_RETURN(segmenta::PreparedData prepared, segmenta::Prepare(columns, options));
//   auto fit = segmenta::RunKPrototypes(prepared.numeric.view(), prepared.categories.view(), {});
//   nlohmann::json saved = prepared.model.ToJson();                  // store beside the fit
//   ...
//   SEG_ASSIGN_OR_RETURN(auto model, segmenta::PreparationModel::FromJson(saved));
//   SEG_ASSIGN_OR_RETURN(auto fresh, model.Apply(new_columns));      // no refitting
//
// Steps, per numeric feature, in this order:
//   1. transform: none, or log1p (for money and counts). Values below 0 are clamped to
//      0 before log1p (net spend can go negative through refunds) and counted in the
//      report (`clamped`).
//   2. missing values (NaN) imputed with the median of the transformed observed values,
//      counted in the report (`imputed`, `imputed_share`).
//   3. scaling, with statistics of the transformed observed values (missing ones left
//      out): none; zscore (x − mean) / std with the population std — a column whose
//      std is 0 becomes all 0 and is flagged `degenerate`; robust (x − median) / IQR,
//      quartiles by linear interpolation — an IQR of 0 falls back to 1 (the column is
//      only centred) and is flagged `degenerate`.
//   4. weight: the column is multiplied by sqrt(weight), so that the weight multiplies
//      the feature's share of the squared distance. Weights must be > 0.
// Per categorical feature: levels are the distinct non-missing values in byte order
// (code = position); missing values are imputed with the most frequent level (the
// smallest code on ties), counted in the report. `categories` holds the codes (n × q,
// int32). With CategoricalEncoding::kOneHot the numeric matrix also gets one column
// per level, named "feature=level", worth `one_hot_scale` for the row's level and 0
// otherwise; the default scale 1/√2 makes two differing categories add exactly 1 to
// the squared distance, as much as one standard deviation does on a z-scored column.
// At Apply time a value that was not seen when fitting gets code −1 (k-prototypes
// counts it as a mismatch against every mode) and all-zero one-hot columns, counted in
// the report (`unseen`).
//
// Ownership: FeatureColumns, PreparedData and PreparationModel are plain values.
// Thread-safety: all functions are reentrant; a const PreparationModel may be shared by
// threads calling Apply concurrently.
#ifndef SEGMENTA_CLUSTER_PREPARE_H_
#define SEGMENTA_CLUSTER_PREPARE_H_

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/matrix.h"
#include "segmenta/status.h"

namespace segmenta {

// One numeric feature column; NaN marks a missing value.
struct NumericColumn {
  std::string name;
  std::vector<double> values;
};

// One categorical feature column. `missing` is empty when no value is missing, or has
// one flag per row (non-zero = missing; the value at that row is then ignored).
struct CategoricalColumn {
  std::string name;
  std::vector<std::string> values;
  std::vector<uint8_t> missing;
};

// The raw columns of one batch of customers, all of the same length.
struct FeatureColumns {
  std::vector<NumericColumn> numeric;
  std::vector<CategoricalColumn> categorical;
};

enum class NumericTransform { kNone, kLog1p };
enum class Scaling { kNone, kZScore, kRobust };
enum class CategoricalEncoding { kCodes, kOneHot };

// "none" / "log1p"; "none" / "zscore" / "robust"; "codes" / "one_hot". Unknown names are
// InvalidArgument errors naming the accepted values.
Result<NumericTransform> ParseNumericTransform(std::string_view name);
Result<Scaling> ParseScaling(std::string_view name);
Result<CategoricalEncoding> ParseCategoricalEncoding(std::string_view name);
std::string_view ToString(NumericTransform transform);
std::string_view ToString(Scaling scaling);
std::string_view ToString(CategoricalEncoding encoding);

struct NumericFeatureOptions {
  NumericTransform transform = NumericTransform::kNone;
  Scaling scaling = Scaling::kZScore;
  double weight = 1.0;  // > 0; multiplies the feature's share of the squared distance
};

struct PrepareOptions {
  // Options per numeric feature by name; a name that is not a numeric column is an
  // InvalidArgument error. Features not named take `numeric_default`.
  std::map<std::string, NumericFeatureOptions> numeric;
  NumericFeatureOptions numeric_default;  // none, zscore, weight 1
  CategoricalEncoding encoding = CategoricalEncoding::kCodes;
  double one_hot_scale = 0.70710678118654752;  // 1/√2, see the header comment; > 0
};

// What happened to one column in one preparation (fit or Apply).
struct ColumnReport {
  size_t rows = 0;
  size_t imputed = 0;          // missing values replaced
  double imputed_share = 0.0;  // imputed / rows (0 when rows = 0)
  size_t clamped = 0;          // numeric, log1p: values below 0 raised to 0
  size_t unseen = 0;           // categorical, Apply: values not among the levels
};

// The fitted parameters of one numeric feature: prepared value =
// sqrt(weight) × (transform(x) − center) / scale, or 0 when `degenerate` under zscore.
struct NumericFeatureModel {
  std::string name;
  NumericTransform transform = NumericTransform::kNone;
  Scaling scaling = Scaling::kNone;
  double weight = 1.0;
  double impute = 0.0;      // replaces a missing value, in transformed units
  double center = 0.0;      // mean (zscore), median (robust) or 0 (none)
  double scale = 1.0;       // std (zscore), IQR (robust) or 1; 1 when degenerate
  bool degenerate = false;  // zscore with std 0, robust with IQR 0
  ColumnReport fit;         // what fitting saw
};

struct CategoricalFeatureModel {
  std::string name;
  std::vector<std::string> levels;  // code → value, in byte order
  int32_t impute = 0;               // code that replaces a missing value
  ColumnReport fit;
};

struct PreparedData;

// Everything needed to prepare new rows as the fitted ones were.
struct PreparationModel {
  std::vector<NumericFeatureModel> numeric;
  std::vector<CategoricalFeatureModel> categorical;
  CategoricalEncoding encoding = CategoricalEncoding::kCodes;
  double one_hot_scale = 0.70710678118654752;

  // {"version": 1, "encoding": "codes"|"one_hot", "one_hot_scale": s,
  //  "numeric": [{"name", "transform", "scaling", "weight", "impute", "center",
  //               "scale", "degenerate", "fit": {"rows", "imputed", "imputed_share",
  //               "clamped", "unseen"}}...],
  //  "categorical": [{"name", "levels": [...], "impute": code, "fit": {...}}...]}
  // FromJson(ToJson()) gives back an identical model (doubles round-trip exactly).
  nlohmann::json ToJson() const;
  static Result<PreparationModel> FromJson(const nlohmann::json& json);

  // Prepares `columns` with the stored parameters. Columns are found by name (extra
  // columns are ignored; a missing one is a NotFound error); lengths must agree. A
  // column entirely missing is imputed and reported, not an error.
  Result<PreparedData> Apply(const FeatureColumns& columns) const;

  // Number of numeric feature columns (p) and width of the prepared numeric matrix
  // (p, plus one column per level in one-hot mode).
  size_t numeric_features() const { return numeric.size(); }
  size_t prepared_width() const;
  // Names of the prepared numeric matrix's columns ("country=RO" for one-hot ones).
  std::vector<std::string> PreparedNames() const;

  // A prepared-space row (e.g. a centroid, prepared_width() values, or at least the
  // first p) back in original units: one value per numeric feature, undoing weight,
  // scaling and log1p. A degenerate zscore feature gives its mean.
  std::vector<double> Unscale(std::span<const double> prepared) const;
  // One-hot mode: per categorical feature, the share of each level implied by a
  // prepared-space row (a centroid's one-hot means / one_hot_scale). Empty otherwise.
  std::vector<std::vector<double>> LevelShares(std::span<const double> prepared) const;
  // A whole row of codes (e.g. a k-prototypes mode, q codes, column 0 first) back to
  // values; an unknown code (−1) gives "".
  std::vector<std::string> DecodeCategories(std::span<const int32_t> codes) const;
  // One code of categorical feature `feature` (0-based) back to its value; "" when the
  // feature or code is unknown.
  std::string DecodeCategory(size_t feature, int32_t code) const;
};

struct PreparedData {
  Matrix<double> numeric;      // n × prepared_width()
  Matrix<int32_t> categories;  // n × q codes (also filled in one-hot mode)
  std::vector<std::string> numeric_names;
  PreparationModel model;
  // This preparation's report: numeric features, then categorical ones, model order.
  std::vector<ColumnReport> report;
};

// Fits a PreparationModel on `columns` and prepares them. Errors (InvalidArgument):
// no columns, columns of different lengths, no rows, options naming an unknown
// feature, a weight or one_hot_scale not > 0, two columns with the same name;
// (DataError) a column with no non-missing value (named) or a non-finite number other
// than NaN.
Result<PreparedData> Prepare(const FeatureColumns& columns, const PrepareOptions& options = {});

}  // namespace segmenta

#endif  // SEGMENTA_CLUSTER_PREPARE_H_
