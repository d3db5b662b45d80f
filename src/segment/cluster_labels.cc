// Stable cluster numbers across snapshots (see cluster_labels.h).
#include "segment/cluster_labels.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "segment/cluster/hungarian.h"

namespace segmenta::segment {

double StoredNumber(const json& value) {
  return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

std::vector<double> StoredNumbers(const json& values) {
  std::vector<double> numbers;
  if (!values.is_array()) return numbers;
  numbers.reserve(values.size());
  for (const json& value : values) numbers.push_back(StoredNumber(value));
  return numbers;
}

std::string SegmentName(int id) { return "cluster " + std::to_string(id); }

bool Mismatch(int32_t a, int32_t b) { return a < 0 || b < 0 || a != b; }

double Distance(const double* a, const double* b, size_t width) {
  double sum = 0;
  for (size_t col = 0; col < width; ++col) sum += (a[col] - b[col]) * (a[col] - b[col]);
  return sum;
}

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
      double centre = StoredNumber(cluster["center"][column.name]);
      if (!std::isfinite(centre)) {
        previous.unusable = "the previous snapshot's centre of " + column.name + " is not a number";
        return previous;
      }
      column.values.push_back(centre);
    }
    for (CategoricalColumn& column : centres.categorical) {
      const json& mode = cluster["mode"];
      if (!mode.contains(column.name) || !mode[column.name].is_string()) {
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

}  // namespace segmenta::segment
