// KPIs: per segment and per snapshot — customers, revenue, orders, AOV, repeat,
// retention and churn rates, visitor conversion, CLV, NPS and CSAT, and the marketing
// spend against it (CAC, ROI) — over the `[kpis] period_days` before each as_of.
//
//   SEG_ASSIGN_OR_RETURN(segmenta::KpiReport kpis,
//                        segmenta::ComputeKpis(project, workspace, {.segmentation = "rfm"}));
//   for (const segmenta::SnapshotKpis& snapshot : kpis.segmentations[0].snapshots) ...
//   std::string json = segmenta::ToJson(kpis).dump();  // the CLI's --json and GET /v1/kpis
//
// The definitions (docs/guide.md, "KPIs") are the contract: for a snapshot with as_of A
// and P = period_days, the window is W = [A − P days, A) and the one before it
// W' = [A − 2P, A − P). Nothing is stored: each call computes from the memberships, the
// events and the `spend` table. Values are std::nullopt where a denominator is 0, for
// segments under privacy.min_group_size members ("suppressed"), and for NPS / CSAT with
// fewer respondents than that. Plain data; like the Workspace, not thread-safe.
#ifndef SEGMENTA_KPIS_H_
#define SEGMENTA_KPIS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

struct KpiQuery {
  std::string segmentation;         // "" = every segmentation
  std::optional<std::string> from;  // YYYY-MM-DD: snapshots with as_of on or after it
  std::optional<std::string> to;    // YYYY-MM-DD: snapshots with as_of on or before it
};

struct SegmentKpis {
  std::string segment;
  bool suppressed = false;  // fewer members than min_group_size: every value is nullopt
  std::optional<int64_t> customers;
  std::optional<double> revenue;  // purchases and refunds in W
  std::optional<int64_t> orders;  // distinct orders (amount > 0) in W
  std::optional<double> aov;
  std::optional<double> repeat_rate, retention_rate, churn_rate, conversion_rate;
  std::optional<double> clv;  // mean clv_12m (value models); nullopt without them
  std::optional<double> nps;  // −100..100
  std::optional<int64_t> nps_responses;
  std::optional<double> csat;  // 0..100
  std::optional<int64_t> csat_responses;
  std::optional<double> spend;  // cost of this segment's spend rows, pro rata inside W
  std::optional<int64_t> new_customers;
  std::optional<double> cac;
  std::optional<double> campaign_revenue;  // revenue in W from campaigns with spend here
  std::optional<double> roi;
};

struct SnapshotKpis {
  int64_t snapshot_id = 0;
  std::string as_of;
  std::vector<SegmentKpis> segments;  // display order
};

struct SegmentationKpis {
  std::string segmentation;
  std::vector<SnapshotKpis> snapshots;  // ascending as_of
};

// One campaign over the window of the latest snapshot in range: its spend (every
// segment), and the purchases that name it (every customer).
struct CampaignKpis {
  std::string campaign;
  std::string channel;  // the spend rows' channels, comma-separated
  double spend = 0;
  bool suppressed = false;  // 1 to min_group_size − 1 buyers: revenue, buyers, roi hidden
  std::optional<double> revenue;
  std::optional<int64_t> buyers;
  std::optional<double> roi;
};

struct CampaignTable {
  int64_t snapshot_id = 0;
  std::string as_of;
  std::vector<CampaignKpis> campaigns;  // by spend, largest first
};

struct KpiReport {
  int period_days = 90;
  std::vector<SegmentationKpis> segmentations;  // the project's order
  std::optional<CampaignTable> campaigns;       // nullopt when no snapshot is in range
};

// InvalidArgument for a malformed date or from after to; NotFound (naming the closest)
// for a segmentation no snapshot holds and the project does not declare.
Result<KpiReport> ComputeKpis(const Project& project, Workspace& workspace, const KpiQuery& query);

// {"period_days", "segmentations": [{"segmentation", "snapshots": [{"snapshot_id",
// "as_of", "segments": [{"segment", "suppressed", "customers", …, "roi"}]}]}],
// "campaigns": {"snapshot_id", "as_of", "campaigns": [...]} | null}; nullopt → null.
nlohmann::json ToJson(const KpiReport& report);

}  // namespace segmenta

#endif  // SEGMENTA_KPIS_H_
