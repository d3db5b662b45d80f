#include "segment/value_segmenter.h"

#include <string>

namespace segmenta::segment {

std::vector<std::string> ValueSegmenter::Segments() const {
  if (config_.by == "churn_risk") return {"Low risk", "Medium risk", "High risk", "No purchase"};
  return {"High value", "Medium value", "Low value", "No purchase"};
}

Result<SegmenterResult> ValueSegmenter::Run(SegmentContext& context, const std::string& output) {
  const Dialect& sql = context.sql;
  const std::string id = sql.QuoteIdentifier("customer_id");
  SegmenterResult result;
  std::string select;
  std::vector<store::Value> cuts;  // $1, $2
  if (config_.by == "churn_risk") {
    const ValueOptions& value = context.project->value;
    const std::string p = sql.QuoteIdentifier("p_alive");
    select = "SELECT " + id + ", CASE WHEN " + p + " IS NULL THEN 'No purchase' WHEN " + p +
             " < $1 THEN 'High risk' WHEN " + p +
             " < $2 THEN 'Medium risk' ELSE 'Low risk' END AS segment, " + p + " AS score FROM " +
             context.features_table;
    cuts = {value.churn_high_below, value.churn_medium_below};
    result.model = {{"method", "value"},
                    {"by", "churn_risk"},
                    {"high_below", value.churn_high_below},
                    {"medium_below", value.churn_medium_below}};
  } else {
    const std::string clv = sql.QuoteIdentifier("clv_12m");
    // Share of buyers with at least this CLV (ties share a tier).
    const std::string top_share =
        "cume_dist() OVER (PARTITION BY " + clv + " IS NULL ORDER BY " + clv + " DESC)";
    select = "SELECT " + id + ", CASE WHEN " + clv + " IS NULL THEN 'No purchase' WHEN " +
             top_share + " <= $1 THEN 'High value' WHEN " + top_share +
             " <= $2 THEN 'Medium value' ELSE 'Low value' END AS segment, " + clv +
             " AS score FROM " + context.features_table;
    cuts = {config_.tiers[0], config_.tiers[1]};
    // Buyers with P(alive) but no CLV: the order-value model could not be fitted.
    SEG_ASSIGN_OR_RETURN(int64_t unpriced,
                         context.conn.QueryInt("SELECT count(*) FROM " + context.features_table +
                                               " WHERE " + sql.QuoteIdentifier("p_alive") +
                                               " IS NOT NULL AND " + clv + " IS NULL"));
    if (unpriced > 0) {
      return Status::DataError(
          "segmentation '" + config_.name +
          "': CLV needs the Gamma-Gamma order-value model, which could not be fitted (see "
          "`segmenta value fit`); use by = \"churn_risk\" or more repeat customers");
    }
    result.model = {{"method", "value"}, {"by", "clv"}, {"tiers", config_.tiers}};
  }
  SEG_RETURN_IF_ERROR(
      context.conn.Execute("CREATE OR REPLACE TEMP TABLE " + output + " AS " + select, cuts));
  return result;
}

}  // namespace segmenta::segment
