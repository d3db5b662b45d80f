#include "segment/value_segmenter.h"

#include <string>

namespace segmenta::segment {
namespace {

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

}  // namespace

std::vector<std::string> ValueSegmenter::Segments() const {
  if (config_.by == "churn_risk") return {"Low risk", "Medium risk", "High risk", "No purchase"};
  return {"High value", "Medium value", "Low value", "No purchase"};
}

Result<SegmenterResult> ValueSegmenter::Run(SegmentContext& context, const std::string& output) {
  const Dialect& sql = context.sql;
  const std::string id = sql.QuoteIdentifier("customer_id");
  SegmenterResult result;
  std::string select;
  if (config_.by == "churn_risk") {
    const ValueOptions& value = context.project->value;
    const std::string p = sql.QuoteIdentifier("p_alive");
    select = "SELECT " + id + ", CASE WHEN " + p + " IS NULL THEN 'No purchase' WHEN " + p + " < " +
             Number(value.churn_high_below) + " THEN 'High risk' WHEN " + p + " < " +
             Number(value.churn_medium_below) +
             " THEN 'Medium risk' ELSE 'Low risk' END AS "
             "segment, " +
             p + " AS score FROM " + context.features_table;
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
             top_share + " <= " + Number(config_.tiers[0]) + " THEN 'High value' WHEN " +
             top_share + " <= " + Number(config_.tiers[1]) +
             " THEN 'Medium value' ELSE 'Low value' END AS segment, " + clv + " AS score FROM " +
             context.features_table;
    SEG_ASSIGN_OR_RETURN(
        int64_t predicted,
        context.conn.QueryInt("SELECT count(" + clv + ") FROM " + context.features_table));
    SEG_ASSIGN_OR_RETURN(int64_t buyers,
                         context.conn.QueryInt("SELECT count(" + sql.QuoteIdentifier("p_alive") +
                                               ") FROM " + context.features_table));
    if (predicted == 0 && buyers > 0) {
      return Status::DataError(
          "segmentation '" + config_.name +
          "': CLV needs the Gamma-Gamma order-value model, which could not be fitted (see "
          "`segmenta value fit`); use by = \"churn_risk\" or more repeat customers");
    }
    result.model = {{"method", "value"}, {"by", "clv"}, {"tiers", config_.tiers}};
  }
  SEG_RETURN_IF_ERROR(
      context.conn.Execute("CREATE OR REPLACE TEMP TABLE " + output + " AS " + select));
  return result;
}

}  // namespace segmenta::segment
