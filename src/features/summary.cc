#include "segmenta/features.h"
#include "store/database.h"

namespace segmenta {

Result<FeatureSummary> SummariseFeatures(Workspace& workspace) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(
      store::Rows totals,
      conn.Query("SELECT count(*) FILTER (frequency > 0), coalesce(sum(monetary), 0), "
                 "coalesce(median(recency_days), 0), coalesce(median(frequency) FILTER "
                 "(frequency > 0), 0), coalesce(median(monetary) FILTER (frequency > 0), 0) "
                 "FROM features"));
  FeatureSummary summary;
  const auto& row = totals.rows[0];
  summary.buyers = std::get<int64_t>(row[0]);
  summary.revenue = store::ToDouble(row[1]);
  summary.median_recency_days = store::ToDouble(row[2]);
  summary.median_frequency = store::ToDouble(row[3]);
  summary.median_monetary = store::ToDouble(row[4]);
  SEG_ASSIGN_OR_RETURN(store::Rows stages,
                       conn.Query("SELECT journey_stage, count(*) FROM features GROUP BY 1 "
                                  "ORDER BY 2 DESC, 1"));
  for (const auto& stage : stages.rows) {
    summary.journey_stages.emplace_back(store::ToText(stage[0]), std::get<int64_t>(stage[1]));
  }
  return summary;
}

}  // namespace segmenta
