// The SQL behind the KPIs: per segment of one snapshot, the counts and sums the
// definitions divide (kpis.cc turns them into rates and applies suppression), and the
// per-campaign table. Every window bound comes from DuckDB's own date arithmetic.
#ifndef SEGMENTA_LIFECYCLE_KPI_SQL_H_
#define SEGMENTA_LIFECYCLE_KPI_SQL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::lifecycle {

// A snapshot's windows: W = [window_start, as_of), W' = [previous_start, window_start).
struct KpiWindow {
  int64_t snapshot_id = 0;
  std::string as_of;           // YYYY-MM-DD
  std::string window_start;    // as_of − period_days
  std::string previous_start;  // as_of − 2 × period_days
  int period_days = 0;
};
Result<KpiWindow> MakeWindow(store::Connection& conn, int64_t snapshot_id, const std::string& as_of,
                             int period_days);

// The raw figures of one segment in one snapshot (names as in the guide's KPI table).
struct SegmentTotals {
  std::string segmentation, segment;
  int64_t customers = 0;
  double revenue = 0;
  int64_t orders = 0;
  int64_t repeat_buyers = 0;  // ≥ 2 orders before as_of
  int64_t buyers = 0;         // ≥ 1 order before as_of
  int64_t ordered_previous = 0, retained = 0;
  int64_t visitors = 0, converted = 0;
  int64_t nps_responses = 0, promoters = 0, detractors = 0, nps_respondents = 0;
  int64_t csat_responses = 0, satisfied = 0, csat_respondents = 0;
  int64_t new_customers = 0;
  std::optional<double> clv;    // nullopt: no clv_12m column or no value
  std::optional<double> spend;  // nullopt: no spend row for the segment overlaps W
  double campaign_revenue = 0;
};

// Segments with at least one member, of `segmentation` ("" = all) in the window's
// snapshot. `features_table` (quoted) is the snapshot's feature table: frequency and
// tenure_days are read from it, and clv_12m when `has_clv`.
Result<std::vector<SegmentTotals>> QuerySegmentTotals(store::Connection& conn,
                                                      const KpiWindow& window,
                                                      const std::string& segmentation,
                                                      const std::string& features_table,
                                                      bool has_clv);

struct CampaignTotals {
  std::string campaign, channel;
  double spend = 0;
  double revenue = 0;
  int64_t buyers = 0;
};
// Campaigns with spend rows overlapping W, largest spend first.
Result<std::vector<CampaignTotals>> QueryCampaignTotals(store::Connection& conn,
                                                        const KpiWindow& window);

}  // namespace segmenta::lifecycle

#endif  // SEGMENTA_LIFECYCLE_KPI_SQL_H_
