// Features: one row per customer, as of a reference date — what every segmenter reads.
//
// BuildFeatures (re)builds the workspace table `features` from `customers` and `events`:
// one row for every customer (those without events included), column `customer_id`
// first, then the features of ListFeatures() in that order, with one
// `category_share_<c>` / `channel_share_<c>` column per top category and channel. Only
// events strictly before `as_of` count. The definitions are the contract of
// ARCHITECTURE.md ("Features") and are listed, with their NULL rules, by ListFeatures().
//
//   SEG_ASSIGN_OR_RETURN(segmenta::Workspace ws, segmenta::Workspace::Open(".segmenta"));
//   segmenta::FeatureOptions options;            // feature_options.h; or project.features
//   options.as_of = "2011-12-10";                // default: the day after the newest event
//   SEG_ASSIGN_OR_RETURN(segmenta::FeatureTable table, segmenta::BuildFeatures(ws, options));
//   std::cout << table.customers << " customers as of " << table.as_of << "\n";
//   SEG_RETURN_IF_ERROR(segmenta::WriteFeatures(ws, "features.parquet"));
//
// The table is built by one generated SQL statement — two GROUP BY passes over the
// events (purchases and refunds; everything else) plus small groupings of the purchases
// (orders, gaps between purchase days) — so it replaces the previous `features`
// atomically. Like the Workspace, these functions are not thread-safe: one caller per
// workspace at a time.
#ifndef SEGMENTA_FEATURES_H_
#define SEGMENTA_FEATURES_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "segmenta/feature_options.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

enum class FeatureType {
  kInteger,  // BIGINT: days and counts
  kNumber,   // DOUBLE: money, shares, rates
  kText,     // VARCHAR: preferred_channel, journey_stage
};

// "integer", "number" or "text".
std::string_view FeatureTypeName(FeatureType type);

// One feature as documented: `category_share_<category>` stands for the generated ones.
struct FeatureInfo {
  std::string name;
  FeatureType type;
  std::string description;
};

// What BuildFeatures made.
struct FeatureTable {
  std::string as_of;                 // "YYYY-MM-DD": events before this date counted
  int64_t customers = 0;             // rows of `features`
  std::vector<std::string> columns;  // customer_id, then the feature columns in order
};

// (Re)builds table `features`: one row per customer in `customers`, ordered by customer_id.
// Fails with InvalidArgument for a malformed as_of or option: top_categories and
// top_channels must be 0–100, the day thresholds >= 0, holiday windows real month-days.
// `progress`, when given, is called from this thread about five times a second with the
// share done (0 to 1), or -1 when the share is not known (as now).
Result<FeatureTable> BuildFeatures(Workspace& workspace, const FeatureOptions& options,
                                   const std::function<void(double)>& progress = {});

// Writes `features` (ordered by customer_id) to `file`: CSV with a header or Parquet, by the
// extension (.csv / .parquet, any case); any other extension is InvalidArgument. Writes a
// temporary file beside `file` and renames it, so readers never see half a file.
Status WriteFeatures(Workspace& workspace, const std::filesystem::path& file);

// The definitions, for docs and `segmenta features --list`.
std::vector<FeatureInfo> ListFeatures();

// A few figures about the last built `features` table, for run summaries.
struct FeatureSummary {
  int64_t buyers = 0;              // customers with at least one purchase
  double revenue = 0;              // net revenue over all customers
  double median_recency_days = 0;  // over buyers
  double median_frequency = 0;     // over buyers
  double median_monetary = 0;      // over buyers
  std::vector<std::pair<std::string, int64_t>> journey_stages;  // stage, customers; largest first
};

Result<FeatureSummary> SummariseFeatures(Workspace& workspace);

}  // namespace segmenta

#endif  // SEGMENTA_FEATURES_H_
