#include "segment/cluster_segmenter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "segment/cluster/hungarian.h"
#include "segment/cluster/pca.h"
#include "segment/format.h"
#include "segmenta/cluster_metrics.h"
#include "segmenta/cluster_prepare.h"
#include "segmenta/kmeans.h"
#include "segmenta/kprototypes.h"
#include "segmenta/mixture.h"

namespace segmenta::segment {
namespace {

using json = nlohmann::json;

constexpr size_t kSilhouetteSample = 10000;  // rows the silhouette of each k is computed on
constexpr size_t kProjectionSample = 2000;   // customers drawn in the stored 2-D projection
constexpr double kSkewForLog = 1.0;          // default log1p above this skewness …
constexpr double kNegativeForLog = 0.01;     // … with at most this share below 0 (refunds)

// A column a cluster segmentation reads: from the features (f) or the customers (c).
struct ColumnRef {
  std::string name;
  std::string sql;
  bool from_customers = false;
};

struct ColumnRefs {
  std::vector<ColumnRef> numeric;
  std::vector<ColumnRef> categorical;
  bool reads_customers = false;
};

bool IsNumericType(const std::string& type) {
  for (const char* prefix : {"DOUBLE", "FLOAT", "BIGINT", "INTEGER", "HUGEINT", "SMALLINT",
                             "TINYINT", "DECIMAL", "UBIGINT", "UINTEGER", "USMALLINT"}) {
    if (type.starts_with(prefix)) return true;
  }
  return false;
}

std::string SegmentName(int id) { return "cluster " + std::to_string(id); }

// Where each configured name is read from; errors name the closest column.
Result<ColumnRefs> ResolveColumns(SegmentContext& context, const SegmentationConfig& config) {
  const Dialect& sql = context.sql;
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> features,
                       context.conn.Columns(context.features_table));
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> customers, context.conn.Columns("customers"));
  std::set<std::string> personal;
  for (const SourceConfig& source : context.project->sources) {
    for (const Attribute& attribute : source.attributes) {
      if (attribute.role == AttributeRole::kContact) personal.insert(attribute.name);
    }
  }
  std::map<std::string, std::pair<std::string, bool>> known;  // name → (type, customers)
  for (const auto& column : customers) {
    if (column.name == "customer_id" || column.name.starts_with("_") || personal.count(column.name))
      continue;
    known[column.name] = {column.type, true};
  }
  for (const auto& column : features) {
    if (column.name != "customer_id") known[column.name] = {column.type, false};
  }
  std::vector<std::string> names;
  names.reserve(known.size());
  for (const auto& [name, info] : known) names.push_back(name);
  auto resolve = [&](const std::string& name, bool numeric) -> Result<ColumnRef> {
    auto found = known.find(name);
    if (found == known.end()) {
      std::string hint = ClosestMatch(name, names);
      return Status::InvalidArgument(
          "segmentation '" + config.name + "': " +
          (personal.count(name)
               ? "'" + name + "' is personal contact data and is never clustered on"
               : "no feature or attribute '" + name + "'" +
                     (hint.empty() ? "" : "; did you mean '" + hint + "'?")));
    }
    if (numeric && !IsNumericType(found->second.first)) {
      return Status::InvalidArgument("segmentation '" + config.name + "': '" + name + "' is " +
                                     found->second.first +
                                     ", not a number; list it under "
                                     "categories");
    }
    bool customer = found->second.second;
    return ColumnRef{name, std::string(customer ? "c." : "f.") + sql.QuoteIdentifier(name),
                     customer};
  };
  ColumnRefs refs;
  for (const std::string& name : config.features) {
    SEG_ASSIGN_OR_RETURN(ColumnRef ref, resolve(name, true));
    refs.reads_customers = refs.reads_customers || ref.from_customers;
    refs.numeric.push_back(std::move(ref));
  }
  for (const std::string& name : config.categories) {
    SEG_ASSIGN_OR_RETURN(ColumnRef ref, resolve(name, false));
    refs.reads_customers = refs.reads_customers || ref.from_customers;
    refs.categorical.push_back(std::move(ref));
  }
  return refs;
}

struct Loaded {
  std::vector<std::string> ids;
  FeatureColumns columns;
};

// The columns of every customer (or of one, with `customer_id`), in customer id order.
Result<Loaded> LoadColumns(SegmentContext& context, const ColumnRefs& refs,
                           const std::string& customer_id = "") {
  const Dialect& sql = context.sql;
  std::string id = sql.QuoteIdentifier("customer_id");
  std::string select = "SELECT CAST(f." + id + " AS VARCHAR)";
  for (const ColumnRef& ref : refs.numeric) select += ", CAST(" + ref.sql + " AS DOUBLE)";
  for (const ColumnRef& ref : refs.categorical) select += ", CAST(" + ref.sql + " AS VARCHAR)";
  select += " FROM " + context.features_table + " f";
  if (refs.reads_customers) select += " JOIN customers c ON c." + id + " = f." + id;
  std::vector<store::Value> params;
  if (!customer_id.empty()) {
    select += " WHERE f." + id + " = $1";
    params.push_back(customer_id);
  }
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> data,
                       context.conn.QueryColumns(select + " ORDER BY 1", params));
  Loaded loaded;
  loaded.ids = std::move(data[0].texts);
  for (size_t index = 0; index < refs.numeric.size(); ++index) {
    loaded.columns.numeric.push_back(
        {refs.numeric[index].name, std::move(data[1 + index].numbers)});
  }
  for (size_t index = 0; index < refs.categorical.size(); ++index) {
    store::ColumnData& column = data[1 + refs.numeric.size() + index];
    loaded.columns.categorical.push_back(
        {refs.categorical[index].name, std::move(column.texts), std::move(column.missing)});
  }
  return loaded;
}

// Sample skewness of the observed values (0 when fewer than 3 or constant).
double Skewness(const std::vector<double>& values) {
  double n = 0, mean = 0;
  for (double value : values) {
    if (std::isnan(value)) continue;
    n += 1;
    mean += (value - mean) / n;
  }
  if (n < 3) return 0;
  double m2 = 0, m3 = 0;
  for (double value : values) {
    if (std::isnan(value)) continue;
    double delta = value - mean;
    m2 += delta * delta;
    m3 += delta * delta * delta;
  }
  m2 /= n;
  m3 /= n;
  return m2 > 0 ? m3 / std::pow(m2, 1.5) : 0;
}

// The preparation: log1p where configured, or by default for skewed non-negative
// columns; the configured scaling; categories as codes (k-prototypes) or one-hot.
Result<PrepareOptions> PrepareOptionsFor(const SegmentationConfig& config,
                                         const FeatureColumns& columns, json& choices) {
  PrepareOptions options;
  SEG_ASSIGN_OR_RETURN(options.numeric_default.scaling, ParseScaling(config.scaling));
  options.encoding =
      config.method == "kprototypes" ? CategoricalEncoding::kCodes : CategoricalEncoding::kOneHot;
  for (const NumericColumn& column : columns.numeric) {
    NumericFeatureOptions feature = options.numeric_default;
    std::string reason;
    auto configured = config.transforms.find(column.name);
    if (configured != config.transforms.end()) {
      SEG_ASSIGN_OR_RETURN(feature.transform, ParseNumericTransform(configured->second));
      reason = "configured";
    } else {
      double observed = 0, negative = 0;
      for (double value : column.values) {
        if (std::isnan(value)) continue;
        observed += 1;
        negative += value < 0 ? 1 : 0;
      }
      double negative_share = observed > 0 ? negative / observed : 0;
      double skew = Skewness(column.values);
      bool log = negative_share <= kNegativeForLog && skew > kSkewForLog;
      feature.transform = log ? NumericTransform::kLog1p : NumericTransform::kNone;
      reason =
          "skewness " + Fixed(skew, 2) +
          (negative > 0 ? ", " + Percent(negative_share, 1) + " below 0" + (log ? " (clamped)" : "")
                        : "");
    }
    options.numeric[column.name] = feature;
    choices.push_back({{"feature", column.name},
                       {"transform", std::string(ToString(feature.transform))},
                       {"scaling", config.scaling},
                       {"why", reason}});
  }
  for (const auto& [name, transform] : config.transforms) {
    if (!options.numeric.count(name)) {
      return Status::InvalidArgument("segmentation '" + config.name + "': transforms names '" +
                                     name + "', which is not among its features");
    }
  }
  return options;
}

// One clustering of the prepared data.
struct Clustering {
  int k = 0;
  std::vector<int32_t> labels;
  Matrix<double> centroids;  // k × prepared width
  Matrix<int32_t> modes;     // k-prototypes: k × categories
  double cost = 0;           // inertia, k-prototypes cost, or −log-likelihood
  double gamma = 0;
  double bic = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> probability;  // gmm: each row's probability of its cluster
  json extra = json::object();
};

Result<Clustering> FitKMeans(const SegmentationConfig& config, const PreparedData& data, int k) {
  KMeansOptions options;
  options.k = k;
  options.restarts = config.restarts;
  options.seed = static_cast<uint64_t>(config.seed);
  SEG_ASSIGN_OR_RETURN(KMeansFit<double> fit, RunKMeans(data.numeric.view(), options));
  Clustering out;
  out.k = k;
  out.labels = std::move(fit.labels);
  out.centroids = std::move(fit.centroids);
  out.cost = fit.inertia;
  out.extra = {{"iterations", fit.iterations}, {"converged", fit.converged}};
  return out;
}

Result<Clustering> FitKPrototypes(const SegmentationConfig& config, const PreparedData& data,
                                  int k) {
  KPrototypesOptions options;
  options.k = k;
  options.restarts = config.restarts;
  options.seed = static_cast<uint64_t>(config.seed);
  if (config.gamma >= 0) options.gamma = config.gamma;
  SEG_ASSIGN_OR_RETURN(KPrototypesFit fit,
                       RunKPrototypes(data.numeric.view(), data.categories.view(), options));
  Clustering out;
  out.k = k;
  out.labels = std::move(fit.labels);
  out.centroids = std::move(fit.centroids);
  out.modes = std::move(fit.modes);
  out.cost = fit.cost;
  out.gamma = fit.gamma;
  out.extra = {{"iterations", fit.iterations}, {"converged", fit.converged}};
  return out;
}

Result<Clustering> FitMixture(const SegmentationConfig& config, const PreparedData& data, int k) {
  GaussianMixtureOptions options;
  options.k = k;
  options.covariance = config.covariance == "full" ? Covariance::kFull : Covariance::kDiagonal;
  options.restarts = config.restarts;
  options.seed = static_cast<uint64_t>(config.seed);
  SEG_ASSIGN_OR_RETURN(GaussianMixtureFit fit, FitGaussianMixture(data.numeric.view(), options));
  Clustering out;
  out.k = k;
  out.labels = std::move(fit.labels);
  out.centroids = std::move(fit.means);
  out.cost = -fit.log_likelihood;
  out.bic = fit.bic;
  out.probability.resize(out.labels.size());
  for (size_t row = 0; row < out.labels.size(); ++row) {
    out.probability[row] = fit.probabilities(row, out.labels[row]);
  }
  out.extra = {{"iterations", fit.iterations},
               {"converged", fit.converged},
               {"weights", fit.weights},
               {"log_likelihood", fit.log_likelihood}};
  return out;
}

Result<Clustering> Fit(const SegmentationConfig& config, const PreparedData& data, int k) {
  if (static_cast<size_t>(k) > data.numeric.rows()) {
    return Status::InvalidArgument("segmentation '" + config.name + "': k = " + std::to_string(k) +
                                   " but there are only " + std::to_string(data.numeric.rows()) +
                                   " customers");
  }
  if (config.method == "kprototypes") return FitKPrototypes(config, data, k);
  if (config.method == "gmm") return FitMixture(config, data, k);
  return FitKMeans(config, data, k);
}

json FigureOrNull(const Result<double>& value) {
  return value.ok() && std::isfinite(*value) ? json(*value) : json(nullptr);
}

// The quality figures of one clustering. Silhouette, Calinski–Harabasz and
// Davies–Bouldin are Euclidean, on the prepared numeric columns (for k-prototypes the
// categories are left out of them).
json Figures(const SegmentationConfig& config, const PreparedData& data, const Clustering& fit) {
  MatrixView<double> view = data.numeric.view();
  SilhouetteOptions silhouette;
  silhouette.sample_size = kSilhouetteSample;
  silhouette.seed = static_cast<uint64_t>(config.seed);
  json figures = {{"k", fit.k},
                  {config.method == "gmm" ? "neg_log_likelihood" : "inertia", fit.cost},
                  {"silhouette", FigureOrNull(Silhouette(view, fit.labels, silhouette))},
                  {"calinski_harabasz", FigureOrNull(CalinskiHarabasz(view, fit.labels, fit.k))},
                  {"davies_bouldin", FigureOrNull(DaviesBouldin(view, fit.labels, fit.k))}};
  if (config.method == "gmm") figures["bic"] = fit.bic;
  return figures;
}

// The stated rule: for mixtures the lowest BIC; otherwise, among the k whose sampled
// silhouette is within kSilhouetteSlack of the highest, the previous snapshot's k (so
// the number of segments does not churn on near-ties), else the smallest (simpler
// segmentations win near-ties); the smallest k when no k has a silhouette.
constexpr double kSilhouetteSlack = 0.01;

size_t PickK(const SegmentationConfig& config, const json& search, int previous_k) {
  size_t best = 0;
  if (config.method == "gmm") {
    for (size_t index = 1; index < search.size(); ++index) {
      if (search[index]["bic"].get<double>() < search[best]["bic"].get<double>()) best = index;
    }
    return best;
  }
  double top = -std::numeric_limits<double>::infinity();
  for (const json& figures : search) {
    if (!figures["silhouette"].is_null()) top = std::max(top, figures["silhouette"].get<double>());
  }
  std::vector<size_t> near;
  for (size_t index = 0; index < search.size(); ++index) {
    const json& silhouette = search[index]["silhouette"];
    if (!silhouette.is_null() && silhouette.get<double>() >= top - kSilhouetteSlack) {
      near.push_back(index);
    }
  }
  for (size_t index : near) {
    if (search[index]["k"].get<int>() == previous_k) return index;
  }
  return near.empty() ? 0 : near.front();
}

std::string PickRule(const SegmentationConfig& config) {
  if (config.method == "gmm") return "lowest BIC";
  return "among the k with a silhouette within " + Fixed(kSilhouetteSlack, 2) +
         " of the highest (on a seeded sample of " + Count(kSilhouetteSample) +
         " customers): the previous snapshot's k, else the smallest";
}

// ----------------------------------------------------------------- stable labels

// Categories differ when their codes do, or when either is unknown (−1), as in
// k-prototypes.
bool Mismatch(int32_t a, int32_t b) { return a < 0 || b < 0 || a != b; }

// Squared Euclidean distance between two prepared-space rows.
double Distance(const double* a, const double* b, size_t width) {
  double sum = 0;
  for (size_t col = 0; col < width; ++col) sum += (a[col] - b[col]) * (a[col] - b[col]);
  return sum;
}

// The previous snapshot's clusters moved into this run's prepared space: their centres
// (original units) and categories prepared with this run's parameters.
struct PreviousClusters {
  int64_t snapshot_id = 0;
  std::vector<int> ids;
  Matrix<double> centroids;
  Matrix<int32_t> modes;
  int next_id = 1;
  std::string unusable;  // why they cannot be matched, or ""
};

Result<PreviousClusters> LoadPrevious(store::Connection& conn, const SegmentationConfig& config,
                                      const PreparedData& data) {
  PreviousClusters previous;
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT snapshot_id, CAST(json AS VARCHAR) FROM models WHERE segmentation = $1 "
                 "ORDER BY snapshot_id DESC LIMIT 1",
                 {config.name}));
  if (rows.rows.empty()) return previous;
  previous.snapshot_id = std::get<int64_t>(rows.rows[0][0]);
  json model = json::parse(store::ToText(rows.rows[0][1]), nullptr, false);
  if (model.is_discarded() || model.value("method", "") != config.method ||
      !model.contains("clusters")) {
    previous.unusable = "the previous snapshot's model is not a " + config.method + " model";
    return previous;
  }
  previous.next_id = model.value("next_id", 1);
  FeatureColumns centres;
  for (const NumericFeatureModel& feature : data.model.numeric) {
    centres.numeric.push_back({feature.name, {}});
  }
  for (const CategoricalFeatureModel& feature : data.model.categorical) {
    centres.categorical.push_back({feature.name, {}, {}});
  }
  for (const json& cluster : model["clusters"]) {
    previous.ids.push_back(cluster["id"].get<int>());
    for (NumericColumn& column : centres.numeric) {
      if (!cluster["center"].contains(column.name)) {
        previous.unusable = "the previous snapshot clustered on other features";
        return previous;
      }
      column.values.push_back(cluster["center"][column.name].get<double>());
    }
    for (CategoricalColumn& column : centres.categorical) {
      const json& mode = cluster["mode"];
      if (!mode.contains(column.name)) {
        previous.unusable = "the previous snapshot clustered on other categories";
        return previous;
      }
      column.values.push_back(mode[column.name].get<std::string>());
    }
  }
  SEG_ASSIGN_OR_RETURN(PreparedData moved, data.model.Apply(centres));
  // One-hot: the previous clusters' level shares, not only their most frequent level.
  std::vector<std::string> names = data.model.PreparedNames();
  for (size_t row = 0; row < previous.ids.size(); ++row) {
    const json& shares = model["clusters"][row].value("levels", json::object());
    for (size_t col = data.model.numeric_features(); col < names.size(); ++col) {
      size_t eq = names[col].find('=');
      std::string category = names[col].substr(0, eq), level = names[col].substr(eq + 1);
      double share = shares.contains(category) ? shares[category].value(level, 0.0) : 0.0;
      moved.numeric(row, col) = share * data.model.one_hot_scale;
    }
  }
  previous.centroids = std::move(moved.numeric);
  previous.modes = std::move(moved.categories);
  return previous;
}

// Numbers for this run's clusters: the matched previous cluster's, else new ones. With
// no previous clusters, 1..k by decreasing size.
std::vector<int> StableIds(const Clustering& fit, const PreviousClusters& previous,
                           const std::vector<int64_t>& sizes, json& matching) {
  std::vector<int> ids(fit.k, 0);
  int next = previous.next_id;
  matching = {{"previous_snapshot", previous.snapshot_id}};
  if (previous.ids.empty() || !previous.unusable.empty()) {
    if (!previous.unusable.empty()) matching["not_matched_because"] = previous.unusable;
    std::vector<int> order(fit.k);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return sizes[a] > sizes[b]; });
    for (int cluster : order) ids[cluster] = next++;
    matching["new"] = json::array();
    for (int id : ids) matching["new"].push_back(SegmentName(id));
    return ids;
  }
  size_t width = fit.centroids.cols();
  Matrix<double> cost(fit.k, previous.ids.size());
  for (int row = 0; row < fit.k; ++row) {
    for (size_t col = 0; col < previous.ids.size(); ++col) {
      double distance = Distance(fit.centroids.row(row), previous.centroids.row(col), width);
      for (size_t cat = 0; cat < fit.modes.cols(); ++cat) {
        if (Mismatch(fit.modes(row, cat), previous.modes(col, cat))) distance += fit.gamma;
      }
      cost(row, col) = distance;
    }
  }
  std::vector<int> match = cluster::MatchMinimumCost(cost);
  json matched = json::array(), fresh = json::array(), vanished = json::array();
  std::vector<bool> used(previous.ids.size(), false);
  for (int row = 0; row < fit.k; ++row) {
    if (match[row] >= 0) {
      ids[row] = previous.ids[match[row]];
      used[match[row]] = true;
      matched.push_back(
          {{"segment", SegmentName(ids[row])}, {"distance", std::sqrt(cost(row, match[row]))}});
    }
  }
  for (int row = 0; row < fit.k; ++row) {
    if (match[row] < 0) {
      ids[row] = next++;
      fresh.push_back(SegmentName(ids[row]));
    }
  }
  for (size_t col = 0; col < used.size(); ++col) {
    if (!used[col]) vanished.push_back(SegmentName(previous.ids[col]));
  }
  matching["matched"] = matched;
  matching["new"] = fresh;
  matching["vanished"] = vanished;
  return ids;
}

// ----------------------------------------------------------------- outputs

// Each customer's score: the probability of its cluster (gmm), else 1 − d1/d2, the
// relative margin between the nearest and second-nearest centre (1 at the centre, 0 on
// the boundary; 1 when k = 1).
std::vector<double> Confidence(const Clustering& fit, const PreparedData& data) {
  size_t rows = data.numeric.rows(), width = data.numeric.cols();
  std::vector<double> score(rows, 1.0);
  for (size_t row = 0; row < rows; ++row) {
    if (!fit.probability.empty()) {
      score[row] = fit.probability[row];
      continue;
    }
    double first = std::numeric_limits<double>::infinity(), second = first;
    for (int cluster = 0; cluster < fit.k; ++cluster) {
      double distance = Distance(data.numeric.row(row), fit.centroids.row(cluster), width);
      for (size_t cat = 0; cat < fit.modes.cols(); ++cat) {
        if (Mismatch(data.categories(row, cat), fit.modes(cluster, cat))) distance += fit.gamma;
      }
      if (distance < first) {
        second = first;
        first = distance;
      } else if (distance < second) {
        second = distance;
      }
    }
    if (std::isfinite(second) && second > 0) score[row] = 1.0 - std::sqrt(first / second);
  }
  return score;
}

Status WriteMembership(store::Connection& conn, const std::string& output,
                       const std::vector<std::string>& ids, const std::vector<int32_t>& labels,
                       const std::vector<int>& stable, const std::vector<double>& score) {
  SEG_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " + output +
                                   " (customer_id VARCHAR, segment VARCHAR, score DOUBLE)"));
  SEG_ASSIGN_OR_RETURN(store::Appender appender, conn.MakeAppender(output));
  std::vector<std::string> names;
  names.reserve(stable.size());
  for (int id : stable) names.push_back(SegmentName(id));
  for (size_t row = 0; row < ids.size(); ++row) {
    appender.Append(ids[row]);
    appender.Append(names[labels[row]]);
    appender.Append(score[row]);
    SEG_RETURN_IF_ERROR(appender.EndRow());
  }
  return appender.Flush();
}

std::vector<size_t> SampleRows(size_t rows, size_t count, uint64_t seed) {
  std::vector<size_t> order(rows);
  std::iota(order.begin(), order.end(), size_t{0});
  count = std::min(count, rows);
  std::mt19937_64 random(seed);
  for (size_t index = 0; index < count; ++index) {
    std::uniform_int_distribution<size_t> pick(index, rows - 1);
    std::swap(order[index], order[pick(random)]);
  }
  order.resize(count);
  std::sort(order.begin(), order.end());
  return order;
}

double Round(double value, int decimals) {
  double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// A 2-D PCA picture of a seeded sample of customers ([x, y, cluster number]) and of the
// centres, for the dashboard.
Result<json> Projection(const SegmentationConfig& config, const PreparedData& data,
                        const Clustering& fit, const std::vector<int>& stable) {
  size_t width = data.numeric.cols();
  if (width < 2) return json(nullptr);
  SEG_ASSIGN_OR_RETURN(cluster::Pca pca, cluster::FitPca(data.numeric.view(), 2));
  std::vector<size_t> rows =
      SampleRows(data.numeric.rows(), kProjectionSample, static_cast<uint64_t>(config.seed));
  Matrix<double> sample(rows.size(), width);
  for (size_t index = 0; index < rows.size(); ++index) {
    std::copy_n(data.numeric.row(rows[index]), width, sample.row(index));
  }
  Matrix<double> points = cluster::Project(pca, sample.view());
  Matrix<double> centres = cluster::Project(pca, fit.centroids.view());
  json out = {{"method", "pca"},
              {"explained_variance_ratio", pca.explained_variance_ratio},
              {"points", json::array()},
              {"centroids", json::array()}};
  for (size_t index = 0; index < rows.size(); ++index) {
    out["points"].push_back(
        {Round(points(index, 0), 4), Round(points(index, 1), 4), stable[fit.labels[rows[index]]]});
  }
  for (int cluster = 0; cluster < fit.k; ++cluster) {
    out["centroids"].push_back(
        {Round(centres(cluster, 0), 4), Round(centres(cluster, 1), 4), stable[cluster]});
  }
  return out;
}

// The clusters as the model stores them: number, size, centre in prepared and original
// units, and categories (the mode, and level shares in one-hot mode).
json ClusterList(const PreparedData& data, const Clustering& fit, const std::vector<int>& stable,
                 const std::vector<int64_t>& sizes) {
  json clusters = json::array();
  for (int cluster = 0; cluster < fit.k; ++cluster) {
    std::span<const double> centroid(fit.centroids.row(cluster), fit.centroids.cols());
    std::vector<double> original = data.model.Unscale(centroid);
    json center = json::object(), mode = json::object(), levels = json::object();
    for (size_t feature = 0; feature < original.size(); ++feature) {
      center[data.model.numeric[feature].name] = original[feature];
    }
    std::vector<std::vector<double>> shares = data.model.LevelShares(centroid);
    for (size_t cat = 0; cat < data.model.categorical.size(); ++cat) {
      const CategoricalFeatureModel& feature = data.model.categorical[cat];
      if (!fit.modes.empty()) {
        mode[feature.name] = data.model.DecodeCategory(cat, fit.modes(cluster, cat));
        continue;
      }
      size_t top = std::max_element(shares[cat].begin(), shares[cat].end()) - shares[cat].begin();
      mode[feature.name] = feature.levels[top];
      for (size_t level = 0; level < feature.levels.size(); ++level) {
        levels[feature.name][feature.levels[level]] = shares[cat][level];
      }
    }
    clusters.push_back({{"id", stable[cluster]},
                        {"segment", SegmentName(stable[cluster])},
                        {"size", sizes[cluster]},
                        {"centroid", std::vector<double>(centroid.begin(), centroid.end())},
                        {"center", center},
                        {"mode", mode},
                        {"levels", levels}});
  }
  std::sort(clusters.begin(), clusters.end(),
            [](const json& a, const json& b) { return a["id"] < b["id"]; });
  return clusters;
}

json Preparation(const PreparedData& data, const json& choices) {
  json out = {{"model", data.model.ToJson()}, {"choices", choices}, {"imputed", json::object()}};
  for (const NumericFeatureModel& feature : data.model.numeric) {
    if (feature.fit.imputed > 0) out["imputed"][feature.name] = feature.fit.imputed;
  }
  for (const CategoricalFeatureModel& feature : data.model.categorical) {
    if (feature.fit.imputed > 0) out["imputed"][feature.name] = feature.fit.imputed;
  }
  return out;
}

}  // namespace

std::vector<std::string> ClusterSegmenter::Segments() const {
  if (!segments_.empty()) return segments_;
  int count = config_.k.empty() || config_.k == "auto" ? config_.k_max : std::stoi(config_.k);
  std::vector<std::string> names;
  for (int id = 1; id <= count; ++id) names.push_back(SegmentName(id));
  return names;
}

Result<std::vector<std::string>> ClusterSegmenter::Prepare(SegmentContext& context) {
  if (config_.features.empty() && config_.method != "kprototypes") {
    return Status::InvalidArgument("segmentation '" + config_.name +
                                   "': name the features to cluster on, e.g. features = "
                                   "[\"recency_days\", \"frequency\", \"monetary\"]");
  }
  if (config_.method == "kprototypes" && config_.categories.empty()) {
    return Status::InvalidArgument("segmentation '" + config_.name +
                                   "': kprototypes clusters numbers and categories; name the "
                                   "categories (categories = [\"country\"]) or use kmeans");
  }
  SEG_ASSIGN_OR_RETURN(ColumnRefs refs, ResolveColumns(context, config_));
  return std::vector<std::string>{};
}

Result<SegmenterResult> ClusterSegmenter::Run(SegmentContext& context, const std::string& output) {
  json seconds = json::object();  // per step, for bench/ and for people wondering
  auto started = std::chrono::steady_clock::now();
  auto lap = [&](const char* step) {
    auto now = std::chrono::steady_clock::now();
    seconds[step] = std::chrono::duration<double>(now - started).count();
    started = now;
  };
  SEG_ASSIGN_OR_RETURN(ColumnRefs refs, ResolveColumns(context, config_));
  SEG_ASSIGN_OR_RETURN(Loaded loaded, LoadColumns(context, refs));
  lap("read");
  if (loaded.ids.empty()) {
    return Status::DataError("segmentation '" + config_.name + "': there are no customers");
  }
  json choices = json::array();
  SEG_ASSIGN_OR_RETURN(PrepareOptions options, PrepareOptionsFor(config_, loaded.columns, choices));
  SEG_ASSIGN_OR_RETURN(PreparedData data, segmenta::Prepare(loaded.columns, options));
  lap("prepare");
  bool automatic = config_.k.empty() || config_.k == "auto";
  int low = automatic ? config_.k_min : std::stoi(config_.k);
  int high =
      automatic ? std::min<int>(config_.k_max, static_cast<int>(loaded.ids.size()) - 1) : low;
  if (high < low) high = low;
  json search = json::array();
  std::vector<Clustering> fits;
  double fitting = 0;
  for (int k = low; k <= high; ++k) {
    auto fit_started = std::chrono::steady_clock::now();
    SEG_ASSIGN_OR_RETURN(Clustering fit, Fit(config_, data, k));
    fitting +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_started).count();
    search.push_back(Figures(config_, data, fit));
    fits.push_back(std::move(fit));
  }
  lap("search");
  seconds["fit"] = fitting;
  seconds["figures"] = seconds["search"].get<double>() - fitting;
  seconds.erase("search");
  SEG_ASSIGN_OR_RETURN(PreviousClusters previous, LoadPrevious(context.conn, config_, data));
  int previous_k = previous.unusable.empty() ? static_cast<int>(previous.ids.size()) : 0;
  size_t best = PickK(config_, search, previous_k);
  Clustering& fit = fits[best];
  std::vector<int64_t> sizes(fit.k, 0);
  for (int32_t label : fit.labels) ++sizes[label];
  json matching;
  std::vector<int> stable = StableIds(fit, previous, sizes, matching);
  lap("match");
  SEG_RETURN_IF_ERROR(
      WriteMembership(context.conn, output, loaded.ids, fit.labels, stable, Confidence(fit, data)));
  lap("write");
  SEG_ASSIGN_OR_RETURN(json projection, Projection(config_, data, fit, stable));
  lap("projection");
  std::vector<int> ordered = stable;
  std::sort(ordered.begin(), ordered.end());
  segments_.clear();
  for (int id : ordered) segments_.push_back(SegmentName(id));
  SegmenterResult result;
  result.model = {
      {"method", config_.method},
      {"features", config_.features},
      {"categories", config_.categories},
      {"seed", config_.seed},
      {"restarts", config_.restarts},
      {"preparation", Preparation(data, choices)},
      {"k", fit.k},
      {"k_search", search},
      {"k_chosen_by", automatic ? PickRule(config_) : "configured"},
      {"fit", fit.extra},
      {"clusters", ClusterList(data, fit, stable, sizes)},
      {"next_id", std::max(previous.next_id, *std::max_element(stable.begin(), stable.end()) + 1)},
      {"matching", matching},
      {"projection", projection},
      {"step_seconds", seconds}};
  if (config_.method == "kprototypes") result.model["gamma"] = fit.gamma;
  if (config_.method == "gmm") result.model["covariance"] = config_.covariance;
  result.quality = search[best];
  return result;
}

// ----------------------------------------------------------------- explanations

Status ExplainCluster(store::Connection& conn, const json& model, const std::string& features_table,
                      const std::string& customer_id, Explanation& explanation) {
  SEG_ASSIGN_OR_RETURN(PreparationModel preparation,
                       PreparationModel::FromJson(model["preparation"]["model"]));
  ColumnRefs refs;
  const Dialect& sql = DuckDbDialect();
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> features, conn.Columns(features_table));
  std::set<std::string> in_features;
  for (const auto& column : features) in_features.insert(column.name);
  auto ref = [&](const std::string& name) {
    bool customer = !in_features.count(name);
    refs.reads_customers = refs.reads_customers || customer;
    return ColumnRef{name, std::string(customer ? "c." : "f.") + sql.QuoteIdentifier(name),
                     customer};
  };
  for (const auto& name : model["features"]) refs.numeric.push_back(ref(name.get<std::string>()));
  for (const auto& name : model["categories"]) {
    refs.categorical.push_back(ref(name.get<std::string>()));
  }
  SegmentContext context{conn, sql, features_table, "", "", {}, nullptr};
  SEG_ASSIGN_OR_RETURN(Loaded loaded, LoadColumns(context, refs, customer_id));
  if (loaded.ids.empty()) return Status::Ok();
  SEG_ASSIGN_OR_RETURN(PreparedData row, preparation.Apply(loaded.columns));
  const json& clusters = model["clusters"];
  double gamma = model.value("gamma", 0.0);
  std::vector<std::pair<double, size_t>> distances;
  for (size_t index = 0; index < clusters.size(); ++index) {
    std::vector<double> centroid = clusters[index]["centroid"].get<std::vector<double>>();
    double distance = Distance(row.numeric.row(0), centroid.data(), centroid.size());
    for (size_t cat = 0; cat < preparation.categorical.size() && gamma > 0; ++cat) {
      const std::string& name = preparation.categorical[cat].name;
      if (clusters[index]["mode"][name] != loaded.columns.categorical[cat].values[0]) {
        distance += gamma;
      }
    }
    distances.emplace_back(distance, index);
  }
  std::sort(distances.begin(), distances.end());
  const json& nearest = clusters[distances[0].second];
  std::string line = "nearest " + nearest["segment"].get<std::string>() + " (distance " +
                     Fixed(std::sqrt(distances[0].first), 2) + ")";
  if (distances.size() < 2) {
    explanation.reasons.push_back(line);
    return Status::Ok();
  }
  const json& second = clusters[distances[1].second];
  line += ", then " + second["segment"].get<std::string>() + " (" +
          Fixed(std::sqrt(distances[1].first), 2) + ")";
  explanation.reasons.push_back(line);
  // The features that decided: how much each adds to the second cluster's squared
  // distance beyond the nearest's.
  std::vector<double> near = nearest["centroid"].get<std::vector<double>>();
  std::vector<double> far = second["centroid"].get<std::vector<double>>();
  std::vector<std::pair<double, size_t>> pulls;
  for (size_t feature = 0; feature < preparation.numeric.size(); ++feature) {
    double value = row.numeric(0, feature);
    double pull = (value - far[feature]) * (value - far[feature]) -
                  (value - near[feature]) * (value - near[feature]);
    pulls.emplace_back(-pull, feature);
  }
  std::sort(pulls.begin(), pulls.end());
  std::string decided = "decided by:";
  for (size_t index = 0; index < std::min<size_t>(3, pulls.size()); ++index) {
    if (pulls[index].first >= 0) break;
    const std::string& name = preparation.numeric[pulls[index].second].name;
    double value = loaded.columns.numeric[pulls[index].second].values[0];
    decided += " " + name + " " + (std::isnan(value) ? "missing" : Fixed(value, 2)) + " (" +
               nearest["segment"].get<std::string>() + " ~" +
               Fixed(nearest["center"][name].get<double>(), 2) + ", " +
               second["segment"].get<std::string>() + " ~" +
               Fixed(second["center"][name].get<double>(), 2) + ");";
  }
  if (decided.back() == ';') explanation.reasons.push_back(decided.substr(0, decided.size() - 1));
  return Status::Ok();
}

}  // namespace segmenta::segment
