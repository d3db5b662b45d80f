// The [[segmentation]] tables and the [value] settings of segmenta.toml (see
// segmentations.h).
#include "project/segmentations.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>

namespace segmenta::project_internal {
namespace {

const std::vector<std::string>& Methods() {
  static const std::vector<std::string> methods = {"rfm", "rules", "kmeans", "kprototypes",
                                                   "gmm", "value", "journey"};
  return methods;
}

// The entries of an inline table in the order they are written (toml++ keeps them
// sorted by key): rules are tried in that order.
std::vector<std::pair<std::string, const toml::node*>> InWrittenOrder(const toml::table& table) {
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [key, node] : table) {
    entries.emplace_back(std::string(key.str()), &node);
  }
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto& x = a.second->source().begin;
    const auto& y = b.second->source().begin;
    return std::pair(x.line, x.column) < std::pair(y.line, y.column);
  });
  return entries;
}

// The keys of kmeans, kprototypes and gmm segmentations.
Status ParseClusterKeys(TableReader& reader, SegmentationConfig& config) {
  SEG_RETURN_IF_ERROR(reader.StringList("categories", config.categories));
  if (const toml::node* range = reader.Node("k_range")) {
    const auto* list = range->as_array();
    bool valid =
        list && list->size() == 2 && list->get(0)->as_integer() && list->get(1)->as_integer();
    if (valid) {
      config.k_min = static_cast<int>(list->get(0)->as_integer()->get());
      config.k_max = static_cast<int>(list->get(1)->as_integer()->get());
    }
    if (!valid || config.k_min < 2 || config.k_max < config.k_min || config.k_max > 50) {
      return reader.Error(
          range, "k_range",
          "expected [lowest, highest] with 2 ≤ lowest ≤ highest ≤ 50, e.g. [2, 10]");
    }
  }
  if (!config.k.empty() && config.k != "auto") {
    long long k = std::stoll(config.k);
    if (k < 1 || k > 200)
      return reader.Error(reader.Node("k"), "k", "expected 1 to 200 or \"auto\"");
  }
  if (const toml::node* transforms = reader.Node("transforms")) {
    const auto* table = transforms->as_table();
    if (!table) return reader.Error(transforms, "transforms", "expected { feature = \"log1p\" }");
    for (const auto& [feature, value] : *table) {
      const auto* text = value.as_string();
      if (!text || (text->get() != "log1p" && text->get() != "none")) {
        return reader.Error(&value, "transforms", "each transform is \"log1p\" or \"none\"");
      }
      config.transforms[std::string(feature.str())] = text->get();
    }
  }
  SEG_RETURN_IF_ERROR(reader.Choice("scaling", config.scaling, {"zscore", "robust", "none"}));
  if (config.scaling.empty()) config.scaling = "zscore";
  SEG_RETURN_IF_ERROR(reader.Integer("seed", config.seed, 0, 2147483647));
  SEG_RETURN_IF_ERROR(reader.Integer("restarts", config.restarts, 1, 100));
  SEG_RETURN_IF_ERROR(reader.Choice("covariance", config.covariance, {"full", "diagonal"}));
  if (config.covariance.empty()) config.covariance = "full";
  if (const toml::node* gamma = reader.Node("gamma")) {
    std::optional<double> value = gamma->value<double>();
    if (!value || *value < 0)
      return reader.Error(gamma, "gamma", "expected a number ≥ 0, e.g. 0.5");
    config.gamma = *value;
  }
  return Status::Ok();
}

// [a, b] with min ≤ a < b ≤ max, or absent.
Status Pair(TableReader& reader, std::string_view key, double& first, double& second, double min,
            double max, std::string_view example) {
  const toml::node* node = reader.Node(key);
  if (!node) return Status::Ok();
  const auto* list = node->as_array();
  std::optional<double> a, b;
  if (list && list->size() == 2)
    a = list->get(0)->value<double>(), b = list->get(1)->value<double>();
  if (!a || !b || !(*a >= min && *a < *b && *b <= max)) {
    return reader.Error(node, key,
                        "expected [lower, upper] with " + FormatNumber(min) +
                            " ≤ lower < upper ≤ " + FormatNumber(max) + ", e.g. " +
                            std::string(example));
  }
  first = *a, second = *b;
  return Status::Ok();
}

// The keys of value segmentations.
Status ParseValueKeys(TableReader& reader, SegmentationConfig& config) {
  SEG_RETURN_IF_ERROR(reader.Choice("by", config.by, {"clv", "churn_risk"}));
  if (config.by.empty()) config.by = "clv";
  return Pair(reader, "tiers", config.tiers[0], config.tiers[1], 0.0, 1.0, "[0.2, 0.5]");
}

Result<SegmentationConfig> ParseSegmentation(const toml::table& table,
                                             const std::filesystem::path& file,
                                             const std::set<std::string>& seen) {
  TableReader reader(table, "segmentation", file);
  SegmentationConfig config;
  config.line = reader.line();
  SEG_RETURN_IF_ERROR(reader.Required("name", config.name, "rfm"));
  if (seen.count(config.name)) {
    return reader.Error(table.get("name"), "name",
                        "segmentation '" + config.name + "' is declared twice; names are unique");
  }
  SEG_RETURN_IF_ERROR(reader.Choice("method", config.method, Methods()));
  if (config.method.empty()) {
    return reader.Error(nullptr, "method", "is required: one of " + JoinQuoted(Methods()));
  }
  SEG_RETURN_IF_ERROR(reader.StringList("features", config.features));
  if (const toml::node* k = reader.Node("k")) {
    if (const auto* number = k->as_integer())
      config.k = std::to_string(number->get());
    else if (const auto* text = k->as_string(); text && text->get() == "auto")
      config.k = "auto";
    else
      return reader.Error(k, "k", "expected a number of segments or \"auto\"");
  }
  if (const toml::node* rules = reader.Node("rules")) {
    const auto* rule_table = rules->as_table();
    if (!rule_table)
      return reader.Error(rules, "rules", "expected { \"Segment\" = \"expression\" }");
    for (const auto& [segment, expression] : InWrittenOrder(*rule_table)) {
      const auto* text = expression->as_string();
      if (!text) return reader.Error(expression, "rules", "each rule is a string expression");
      config.rules.emplace_back(segment, text->get());
    }
  }
  SEG_RETURN_IF_ERROR(reader.Choice("overlap", config.overlap, {"first", "all"}));
  if (config.overlap.empty()) config.overlap = "first";
  SEG_RETURN_IF_ERROR(reader.Integer("bins", config.bins, 2, 9));
  if (const toml::node* grid = reader.Node("grid")) {
    const auto* grid_table = grid->as_table();
    if (!grid_table) {
      return reader.Error(grid, "grid", "expected { \"Segment\" = [\"5[4-5]\", …] }");
    }
    for (const auto& [segment, cells] : InWrittenOrder(*grid_table)) {
      std::vector<std::string> patterns;
      if (const auto* one = cells->as_string()) patterns.push_back(one->get());
      if (const auto* list = cells->as_array()) {
        for (const toml::node& cell : *list) {
          if (const auto* text = cell.as_string()) patterns.push_back(text->get());
        }
      }
      if (patterns.empty()) {
        return reader.Error(cells, "grid", "each segment takes R/F cells such as \"5[4-5]\"");
      }
      config.grid.emplace_back(segment, std::move(patterns));
    }
  }
  SEG_RETURN_IF_ERROR(ParseClusterKeys(reader, config));
  SEG_RETURN_IF_ERROR(ParseValueKeys(reader, config));
  SEG_RETURN_IF_ERROR(reader.CheckNoUnknownKeys());
  return config;
}

}  // namespace

Status ParseValue(const toml::table& root, const std::filesystem::path& file, ValueOptions& value) {
  const toml::node* node = root.get("value");
  if (!node) return Status::Ok();
  TableReader top(root, "", file);
  const auto* table = node->as_table();
  if (!table) return top.Error(node, "value", "expected a table: [value]");
  TableReader reader(*table, "value", file);
  value.declared = true;
  value.line = reader.line();
  SEG_RETURN_IF_ERROR(reader.Choice("model", value.model, {"bgnbd", "paretonbd"}));
  if (value.model.empty()) value.model = "bgnbd";
  SEG_RETURN_IF_ERROR(reader.Choice("unit", value.unit, {"weeks", "days"}));
  if (value.unit.empty()) value.unit = "weeks";
  SEG_RETURN_IF_ERROR(reader.Number("discount_rate", value.discount_rate, 0, 10, "0.1"));
  SEG_RETURN_IF_ERROR(reader.Number("penalty", value.penalty, 0, 1000, "0.001"));
  SEG_RETURN_IF_ERROR(Pair(reader, "churn_risk", value.churn_high_below, value.churn_medium_below,
                           0.0, 1.0, "[0.3, 0.7]"));
  SEG_RETURN_IF_ERROR(reader.Integer("holdout_days", value.holdout_days, 0, 3650));
  return reader.CheckNoUnknownKeys();
}

Status ParseSegmentations(const toml::table& root, const std::filesystem::path& file,
                          Project& project) {
  const toml::node* node = root.get("segmentation");
  if (!node) return Status::Ok();
  TableReader reader(root, "", file);
  const auto* array = node->as_array();
  if (!array) return reader.Error(node, "segmentation", "write each as [[segmentation]]");
  std::set<std::string> seen;
  for (const toml::node& item : *array) {
    const auto* table = item.as_table();
    if (!table) return reader.Error(&item, "segmentation", "write each as [[segmentation]]");
    SEG_ASSIGN_OR_RETURN(SegmentationConfig config, ParseSegmentation(*table, file, seen));
    seen.insert(config.name);
    project.segmentations.push_back(std::move(config));
  }
  return Status::Ok();
}

}  // namespace segmenta::project_internal
