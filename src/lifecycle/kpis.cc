// ComputeKpis: which snapshots and segmentations, the figures per snapshot from
// kpi_sql, and the definitions' divisions, nulls and suppression.
#include "segmenta/kpis.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/dialect.h"
#include "lifecycle/kpi_sql.h"
#include "segment/history.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta {
namespace {

using lifecycle::CampaignTotals;
using lifecycle::KpiWindow;
using lifecycle::SegmentTotals;

// Segmentation → its segments in display order, as a snapshot's models list them.
using SegmentLists = std::map<std::string, std::vector<std::string>>;

std::optional<double> Ratio(double numerator, double denominator) {
  if (denominator == 0) return std::nullopt;
  return numerator / denominator;
}

Status CheckDate(store::Connection& conn, const char* name,
                 const std::optional<std::string>& date) {
  if (!date) return Status::Ok();
  SEG_ASSIGN_OR_RETURN(int64_t valid,
                       conn.QueryInt("SELECT CAST(coalesce(regexp_full_match($1, "
                                     "'\\d{4}-\\d{2}-\\d{2}') AND TRY_CAST($1 AS DATE) IS NOT "
                                     "NULL, false) AS INTEGER)",
                                     {*date}));
  if (valid) return Status::Ok();
  return Status::InvalidArgument(std::string("kpis: ") + name +
                                 " must be a date YYYY-MM-DD, not '" + *date + "'");
}

Status CheckQuery(store::Connection& conn, const KpiQuery& query) {
  SEG_RETURN_IF_ERROR(CheckDate(conn, "from", query.from));
  SEG_RETURN_IF_ERROR(CheckDate(conn, "to", query.to));
  if (query.from && query.to && *query.from > *query.to) {
    return Status::InvalidArgument("kpis: from (" + *query.from + ") is after to (" + *query.to +
                                   "); swap them");
  }
  return Status::Ok();
}

Result<std::vector<SnapshotInfo>> SnapshotsInRange(Workspace& workspace, const KpiQuery& query) {
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> all, ListSnapshots(workspace));
  std::vector<SnapshotInfo> chosen;
  for (const SnapshotInfo& snapshot : all) {
    if (query.from && snapshot.as_of < *query.from) continue;
    if (query.to && snapshot.as_of > *query.to) continue;
    chosen.push_back(snapshot);
  }
  std::stable_sort(chosen.begin(), chosen.end(), [](const auto& a, const auto& b) {
    return a.as_of != b.as_of ? a.as_of < b.as_of : a.snapshot_id < b.snapshot_id;
  });
  return chosen;
}

Result<SegmentLists> ModelSegments(store::Connection& conn, int64_t snapshot_id) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT segmentation, CAST(json AS VARCHAR) FROM models WHERE snapshot_id = $1",
                 {snapshot_id}));
  SegmentLists lists;
  for (const auto& row : rows.rows) {
    nlohmann::json model = nlohmann::json::parse(store::ToText(row[1]), nullptr, false);
    std::vector<std::string>& segments = lists[store::ToText(row[0])];
    if (!model.is_object() || !model.contains("segments")) continue;
    for (const auto& segment : model["segments"]) {
      if (segment.is_string()) segments.push_back(segment.get<std::string>());
    }
  }
  return lists;
}

// The segmentations to report, the project's order first, then any other a chosen
// snapshot holds; NotFound naming the closest for an unknown one.
Result<std::vector<std::string>> ChooseSegmentations(store::Connection& conn,
                                                     const Project& project,
                                                     const std::string& wanted) {
  std::vector<std::string> names;
  for (const SegmentationConfig& config : project.segmentations) names.push_back(config.name);
  SEG_ASSIGN_OR_RETURN(store::Rows stored,
                       conn.Query("SELECT DISTINCT segmentation FROM models ORDER BY 1"));
  for (const auto& row : stored.rows) {
    std::string name = store::ToText(row[0]);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (wanted.empty()) return names;
  if (std::find(names.begin(), names.end(), wanted) != names.end()) {
    return std::vector<std::string>{wanted};
  }
  std::string hint = ClosestMatch(wanted, names);
  return Status::NotFound("no segmentation named '" + wanted + "'" +
                          (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

void AddNpsAndCsat(const SegmentTotals& t, int min_group_size, SegmentKpis& kpis) {
  if (t.nps_respondents >= min_group_size && t.nps_responses > 0) {
    kpis.nps = 100.0 * static_cast<double>(t.promoters - t.detractors) /
               static_cast<double>(t.nps_responses);
    kpis.nps_responses = t.nps_responses;
  }
  if (t.csat_respondents >= min_group_size && t.csat_responses > 0) {
    kpis.csat = 100.0 * static_cast<double>(t.satisfied) / static_cast<double>(t.csat_responses);
    kpis.csat_responses = t.csat_responses;
  }
}

SegmentKpis Derive(const SegmentTotals& t, int min_group_size) {
  SegmentKpis kpis;
  kpis.segment = t.segment;
  if (t.customers < min_group_size) {
    kpis.suppressed = true;
    return kpis;
  }
  auto real = [](int64_t count) { return static_cast<double>(count); };
  kpis.customers = t.customers;
  kpis.revenue = t.revenue;
  kpis.orders = t.orders;
  kpis.aov = Ratio(t.revenue, real(t.orders));
  kpis.repeat_rate = Ratio(real(t.repeat_buyers), real(t.buyers));
  kpis.retention_rate = Ratio(real(t.retained), real(t.ordered_previous));
  if (kpis.retention_rate) kpis.churn_rate = 1 - *kpis.retention_rate;
  kpis.conversion_rate = Ratio(real(t.converted), real(t.visitors));
  kpis.clv = t.clv;
  AddNpsAndCsat(t, min_group_size, kpis);
  kpis.new_customers = t.new_customers;
  // Without spend on the segment, CAC and ROI are unknown, not free.
  if (!t.spend) return kpis;
  kpis.spend = t.spend;
  kpis.cac = Ratio(*t.spend, real(t.new_customers));
  kpis.campaign_revenue = t.campaign_revenue;
  kpis.roi = Ratio(t.campaign_revenue - *t.spend, *t.spend);
  return kpis;
}

Result<bool> HasClv(store::Connection& conn, const std::string& features_table) {
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> columns, conn.Columns(features_table));
  return std::any_of(columns.begin(), columns.end(),
                     [](const store::ColumnInfo& column) { return column.name == "clv_12m"; });
}

// Adds one snapshot's KPIs to every chosen segmentation it holds.
Status AddSnapshot(store::Connection& conn, const Project& project, const KpiWindow& window,
                   const std::string& only, std::vector<SegmentationKpis>& out) {
  std::string features =
      DuckDbDialect().QuoteIdentifier(segment::FeaturesTableOf(window.snapshot_id));
  SEG_ASSIGN_OR_RETURN(bool has_clv, HasClv(conn, features));
  SEG_ASSIGN_OR_RETURN(std::vector<SegmentTotals> totals,
                       lifecycle::QuerySegmentTotals(conn, window, only, features, has_clv));
  SEG_ASSIGN_OR_RETURN(SegmentLists lists, ModelSegments(conn, window.snapshot_id));
  for (const SegmentTotals& t : totals) {
    std::vector<std::string>& segments = lists[t.segmentation];
    if (std::find(segments.begin(), segments.end(), t.segment) == segments.end()) {
      segments.push_back(t.segment);
    }
  }
  for (SegmentationKpis& segmentation : out) {
    auto found = lists.find(segmentation.segmentation);
    if (found == lists.end()) continue;
    SnapshotKpis snapshot{window.snapshot_id, window.as_of, {}};
    for (const std::string& segment : found->second) {
      SegmentTotals empty;
      empty.segment = segment;
      const SegmentTotals* figures = &empty;
      for (const SegmentTotals& t : totals) {
        if (t.segmentation == segmentation.segmentation && t.segment == segment) figures = &t;
      }
      snapshot.segments.push_back(Derive(*figures, project.min_group_size));
    }
    segmentation.snapshots.push_back(std::move(snapshot));
  }
  return Status::Ok();
}

Result<CampaignTable> Campaigns(store::Connection& conn, const KpiWindow& window,
                                int min_group_size) {
  SEG_ASSIGN_OR_RETURN(std::vector<CampaignTotals> totals,
                       lifecycle::QueryCampaignTotals(conn, window));
  CampaignTable table{window.snapshot_id, window.as_of, {}};
  for (const CampaignTotals& t : totals) {
    CampaignKpis campaign{t.campaign, t.channel, t.spend, false, {}, {}, {}};
    campaign.suppressed = t.buyers > 0 && t.buyers < min_group_size;
    if (!campaign.suppressed) {
      campaign.revenue = t.revenue;
      campaign.buyers = t.buyers;
      campaign.roi = Ratio(t.revenue - t.spend, t.spend);
    }
    table.campaigns.push_back(std::move(campaign));
  }
  return table;
}

}  // namespace

Result<KpiReport> ComputeKpis(const Project& project, Workspace& workspace, const KpiQuery& query) {
  store::Connection& conn = workspace.connection();
  SEG_RETURN_IF_ERROR(CheckQuery(conn, query));
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> names,
                       ChooseSegmentations(conn, project, query.segmentation));
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, SnapshotsInRange(workspace, query));
  KpiReport report;
  report.period_days = project.kpis.period_days;
  for (const std::string& name : names) report.segmentations.push_back({name, {}});
  std::optional<KpiWindow> latest;
  for (const SnapshotInfo& snapshot : snapshots) {
    SEG_ASSIGN_OR_RETURN(latest, lifecycle::MakeWindow(conn, snapshot.snapshot_id, snapshot.as_of,
                                                       project.kpis.period_days));
    SEG_RETURN_IF_ERROR(
        AddSnapshot(conn, project, *latest, query.segmentation, report.segmentations));
  }
  if (latest) {
    SEG_ASSIGN_OR_RETURN(report.campaigns, Campaigns(conn, *latest, project.min_group_size));
  }
  return report;
}

}  // namespace segmenta
