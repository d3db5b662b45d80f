#include "segment/cluster_segmenter.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

#include "segment/cluster/pca.h"
#include "segment/cluster_columns.h"
#include "segment/cluster_fit.h"
#include "segment/cluster_labels.h"
#include "segment/format.h"
#include "segmenta/cluster_prepare.h"

namespace segmenta::segment {
namespace {

constexpr size_t kProjectionSample = 2000;  // customers drawn in the stored 2-D projection
constexpr double kSkewForLog = 1.0;         // default log1p above this skewness …
constexpr double kNegativeForLog = 0.01;    // … with at most this share below 0 (refunds)

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
    SEG_ASSIGN_OR_RETURN(Clustering fit, FitClustering(config_, data, k));
    fitting +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_started).count();
    search.push_back(ClusterFigures(config_, data, fit));
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

Result<ClusterExplainer> ClusterExplainer::FromModel(const json& model) {
  ClusterExplainer explainer;
  SEG_ASSIGN_OR_RETURN(explainer.preparation_,
                       PreparationModel::FromJson(model["preparation"]["model"]));
  const PreparationModel& preparation = explainer.preparation_;
  for (const auto& name : model["features"]) explainer.features_.push_back(name.get<std::string>());
  for (const auto& name : model["categories"]) {
    explainer.categories_.push_back(name.get<std::string>());
  }
  explainer.gamma_ = model.value("gamma", 0.0);
  for (const json& stored : model["clusters"]) {
    Cluster cluster;
    if (!stored["segment"].is_string()) {
      return Status::DataError("a stored cluster has no segment name; run again");
    }
    cluster.segment = stored["segment"].get<std::string>();
    cluster.centroid = StoredNumbers(stored["centroid"]);
    const json& modes = stored.value("mode", json::object());
    for (const CategoricalFeatureModel& feature : preparation.categorical) {
      auto mode = modes.find(feature.name);
      cluster.modes.push_back(mode != modes.end() && mode->is_string()
                                  ? std::optional(mode->get<std::string>())
                                  : std::nullopt);
    }
    const json& centers = stored.value("center", json::object());
    for (const NumericFeatureModel& feature : preparation.numeric) {
      auto center = centers.find(feature.name);
      cluster.center.push_back(center != centers.end() ? StoredNumber(*center)
                                                       : std::numeric_limits<double>::quiet_NaN());
    }
    explainer.clusters_.push_back(std::move(cluster));
  }
  return explainer;
}

Result<Loaded> ClusterExplainer::Load(store::Connection& conn, const std::string& features_table,
                                      const std::string& customer_id) const {
  const Dialect& sql = DuckDbDialect();
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> features, conn.Columns(features_table));
  std::set<std::string> in_features;
  for (const auto& column : features) in_features.insert(column.name);
  ColumnRefs refs;
  auto ref = [&](const std::string& name) {
    bool customer = !in_features.count(name);
    refs.reads_customers = refs.reads_customers || customer;
    return ColumnRef{name, std::string(customer ? "c." : "f.") + sql.QuoteIdentifier(name),
                     customer};
  };
  for (const std::string& name : features_) refs.numeric.push_back(ref(name));
  for (const std::string& name : categories_) refs.categorical.push_back(ref(name));
  SegmentContext context{conn, sql, features_table, "", "", {}, nullptr};
  return LoadColumns(context, refs, customer_id);
}

Status ClusterExplainer::Explain(const Row& row, Explanation& explanation) const {
  std::vector<std::pair<double, size_t>> distances;
  for (size_t index = 0; index < clusters_.size(); ++index) {
    const Cluster& cluster = clusters_[index];
    if (cluster.centroid.size() != row.prepared.size()) {
      return Status::DataError("the stored model of " + explanation.segmentation +
                               " does not match its preparation; run again");
    }
    double distance = Distance(row.prepared.data(), cluster.centroid.data(), row.prepared.size());
    for (size_t cat = 0; cat < cluster.modes.size() && gamma_ > 0; ++cat) {
      if (cluster.modes[cat] != row.categories[cat]) distance += gamma_;
    }
    distances.emplace_back(distance, index);
  }
  if (distances.empty()) return Status::Ok();
  std::sort(distances.begin(), distances.end());
  const Cluster& nearest = clusters_[distances[0].second];
  std::string line =
      "nearest " + nearest.segment + " (distance " + Fixed(std::sqrt(distances[0].first), 2) + ")";
  if (distances.size() < 2) {
    explanation.reasons.push_back(line);
    return Status::Ok();
  }
  const Cluster& second = clusters_[distances[1].second];
  line += ", then " + second.segment + " (" + Fixed(std::sqrt(distances[1].first), 2) + ")";
  explanation.reasons.push_back(line);
  std::string decided = DecidedBy(row, nearest, second);
  if (decided.back() == ';') explanation.reasons.push_back(decided.substr(0, decided.size() - 1));
  return Status::Ok();
}

// The features that decided: how much each adds to the second cluster's squared distance
// beyond the nearest's, the three largest, each ending in ';' ("decided by:" alone when
// none adds anything).
std::string ClusterExplainer::DecidedBy(const Row& row, const Cluster& nearest,
                                        const Cluster& second) const {
  std::vector<std::pair<double, size_t>> pulls;
  for (size_t feature = 0; feature < preparation_.numeric.size(); ++feature) {
    double value = row.prepared[feature];
    double far = second.centroid[feature], near = nearest.centroid[feature];
    double pull = (value - far) * (value - far) - (value - near) * (value - near);
    pulls.emplace_back(-pull, feature);
  }
  std::sort(pulls.begin(), pulls.end());
  std::string decided = "decided by:";
  for (size_t index = 0; index < std::min<size_t>(3, pulls.size()); ++index) {
    if (pulls[index].first >= 0) break;
    size_t feature = pulls[index].second;
    double value = row.numbers[feature];
    decided += " " + preparation_.numeric[feature].name + " " +
               (std::isnan(value) ? "missing" : Fixed(value, 2)) + " (" + nearest.segment + " ~" +
               Fixed(nearest.center[feature], 2) + ", " + second.segment + " ~" +
               Fixed(second.center[feature], 2) + ");";
  }
  return decided;
}

Status ExplainCluster(store::Connection& conn, const json& model, const std::string& features_table,
                      const std::string& customer_id, Explanation& explanation) {
  SEG_ASSIGN_OR_RETURN(ClusterExplainer explainer, ClusterExplainer::FromModel(model));
  SEG_ASSIGN_OR_RETURN(Loaded loaded, explainer.Load(conn, features_table, customer_id));
  if (loaded.ids.empty()) return Status::Ok();
  SEG_ASSIGN_OR_RETURN(PreparedData prepared, explainer.preparation().Apply(loaded.columns));
  std::vector<double> numbers;
  for (const NumericColumn& column : loaded.columns.numeric) numbers.push_back(column.values[0]);
  std::vector<std::string_view> categories;
  for (const CategoricalColumn& column : loaded.columns.categorical) {
    categories.emplace_back(column.values[0]);
  }
  return explainer.Explain(
      {{prepared.numeric.row(0), prepared.numeric.cols()}, numbers, categories}, explanation);
}

}  // namespace segmenta::segment
