#include "segment/health.h"

#include <cmath>
#include <map>

#include "engine/dialect.h"
#include "segment/format.h"

namespace segmenta::segment {
namespace {

constexpr double kTooBroad = 0.5;
constexpr size_t kTooManySegments = 12;
constexpr double kBigSwing = 0.25;
constexpr int kStaleDays = 30;
constexpr double kMostlyMissing = 0.8;

void CheckSegments(const SegmentationResult& segmentation, int min_group_size,
                   const std::map<std::string, int64_t>& previous,
                   std::vector<HealthWarning>& warnings) {
  size_t non_empty = 0;
  for (const SegmentSize& size : segmentation.segments) {
    auto warn = [&](const char* check, const std::string& message) {
      warnings.push_back({segmentation.name, size.segment, check, message});
    };
    if (size.suppressed) {
      warn("too_small", "fewer than " + std::to_string(min_group_size) +
                            " customers: too small to act on, and hidden in reports");
      ++non_empty;
      continue;
    }
    if (size.customers == 0) {
      warn("empty", "no customer is in it");
      continue;
    }
    ++non_empty;
    if (size.share > kTooBroad) {
      warn("too_broad",
           "holds " + Percent(size.share) + " of all customers: too broad to target differently");
    }
    auto before = previous.find(size.segment);
    if (before != previous.end() && before->second >= min_group_size) {
      double change = static_cast<double>(size.customers - before->second) / before->second;
      if (std::abs(change) > kBigSwing &&
          std::abs(size.customers - before->second) >= min_group_size) {
        warn("big_swing", std::string(change > 0 ? "grew" : "shrank") + " by " +
                              Percent(std::abs(change)) + " since the previous snapshot (" +
                              std::to_string(before->second) + " → " +
                              std::to_string(size.customers) + ")");
      }
    }
  }
  if (non_empty > kTooManySegments) {
    warnings.push_back({segmentation.name, "", "too_many_segments",
                        std::to_string(non_empty) + " segments: more than a team can act on (" +
                            std::to_string(kTooManySegments) + ")"});
  }
}

Status CheckData(store::Connection& conn, const RunReport& run,
                 std::vector<HealthWarning>& warnings) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows newest,
      conn.Query("SELECT date_diff('day', CAST(max(ts) AS DATE), CAST($1 AS DATE)) FROM events",
                 {run.as_of}));
  if (!newest.rows.empty() && !store::IsNull(newest.rows[0][0])) {
    auto days = static_cast<int64_t>(store::ToDouble(newest.rows[0][0]));
    if (days > kStaleDays) {
      warnings.push_back({"", "", "stale_data",
                          "the newest event is " + std::to_string(days) + " days before as_of " +
                              run.as_of + ": ingest fresh data"});
    }
  }
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> columns, conn.Columns("features"));
  std::string select;
  for (const store::ColumnInfo& column : columns) {
    select += std::string(select.empty() ? "" : ", ") + "avg(CASE WHEN " +
              DuckDbDialect().QuoteIdentifier(column.name) + " IS NULL THEN 1.0 ELSE 0.0 END)";
  }
  SEG_ASSIGN_OR_RETURN(store::Rows missing, conn.Query("SELECT " + select + " FROM features"));
  for (size_t col = 0; col < columns.size() && !missing.rows.empty(); ++col) {
    double share = store::ToDouble(missing.rows[0][col]);
    if (share > kMostlyMissing) {
      warnings.push_back(
          {"", "", "missing_features",
           "feature " + columns[col].name + " is missing for " + Percent(share) + " of customers"});
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::vector<HealthWarning>> CheckHealth(store::Connection& conn, const RunReport& run,
                                               int min_group_size) {
  std::vector<HealthWarning> warnings;
  SEG_RETURN_IF_ERROR(CheckData(conn, run, warnings));
  for (const SegmentationResult& segmentation : run.segmentations) {
    SEG_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query("SELECT segment, count(*) FROM memberships WHERE segmentation = $1 AND "
                   "snapshot_id = (SELECT max(snapshot_id) FROM snapshots) GROUP BY 1",
                   {segmentation.name}));
    std::map<std::string, int64_t> previous;
    for (const auto& row : rows.rows) previous[store::ToText(row[0])] = std::get<int64_t>(row[1]);
    CheckSegments(segmentation, min_group_size, previous, warnings);
  }
  return warnings;
}

}  // namespace segmenta::segment
