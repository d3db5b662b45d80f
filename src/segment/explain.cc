// Explanations: why one customer is in their segments — RFM values against the
// thresholds, each rule clause with the customer's value, the journey thresholds, the
// value predictions against the tier cuts. The pieces the lookup index shares are
// declared in explain.h.
#include "segment/explain.h"

#include <algorithm>
#include <cmath>

#include "engine/dialect.h"
#include "segment/cluster_segmenter.h"
#include "segment/history.h"
#include "segment/rfm.h"
#include "segment/rules_segmenter.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta {

using nlohmann::json;

namespace segment {
namespace {

std::string Text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

std::string List(const json& values) {
  std::string text;
  for (const auto& value : values) text += (text.empty() ? "" : ", ") + Text(value.get<double>());
  return "[" + text + "]";
}

}  // namespace

Result<std::vector<StoredModel>> LoadModels(store::Connection& conn, int64_t snapshot_id) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query("SELECT segmentation, json FROM models WHERE snapshot_id = $1 "
                                  "ORDER BY rowid",
                                  {snapshot_id}));
  std::vector<StoredModel> models;
  models.reserve(rows.size());
  for (const auto& row : rows.rows) {
    models.push_back({store::ToText(row[0]), json::parse(store::ToText(row[1]), nullptr, false)});
  }
  return models;
}

std::vector<std::pair<std::string, std::string>> KnownSegments(
    const std::vector<StoredModel>& models) {
  std::vector<std::pair<std::string, std::string>> known;
  for (const StoredModel& stored : models) {
    for (const auto& segment : stored.model.value("segments", json::array())) {
      known.emplace_back(stored.segmentation, segment.get<std::string>());
    }
  }
  return known;
}

void ExplainRfm(const json& model, const CustomerView& view, Explanation& explanation) {
  auto value = [&](const std::string& name) -> double {
    for (const auto& [feature, text] : view.features) {
      if (feature == name && !text.empty()) return std::stod(text);
    }
    return NAN;
  };
  double frequency = value("frequency");
  if (!(frequency > 0)) {
    explanation.reasons.push_back("no purchase before " + view.as_of + " → No Purchase");
    return;
  }
  const json& thresholds = model["thresholds"];
  struct Metric {
    const char* name;
    const char* letter;
    bool reversed;
  };
  for (const Metric& metric : {Metric{"recency_days", "R", true}, Metric{"frequency", "F", false},
                               Metric{"monetary", "M", false}}) {
    std::vector<double> list = thresholds[metric.name].get<std::vector<double>>();
    double x = value(metric.name);
    int score = segment::RfmScore(list, x, metric.reversed);
    explanation.reasons.push_back(std::string(metric.name) + " " + Text(x) +
                                  " against thresholds " + List(thresholds[metric.name]) + " → " +
                                  metric.letter + " " + std::to_string(score) +
                                  (metric.reversed ? " (fewer days, higher score)" : ""));
  }
}

void ExplainJourney(const json& model, const CustomerView& view, Explanation& explanation) {
  std::string facts;
  for (const auto& [feature, text] : view.features) {
    if (feature == "recency_days" || feature == "tenure_days" || feature == "frequency") {
      facts += (facts.empty() ? "" : ", ") + feature + " " + (text.empty() ? "missing" : text);
    }
  }
  explanation.reasons.push_back(facts + "; thresholds: new ≤ " + model["new_days"].dump() +
                                " days of tenure, active ≤ " + model["active_days"].dump() +
                                " days since the last purchase, lapsed > " +
                                model["lapsed_days"].dump() + " days");
}

// Value tiers: the customer's predictions and the cut they were held against.
void ExplainValue(const json& model, const CustomerView& view, Explanation& explanation) {
  std::string facts;
  for (const auto& [feature, text] : view.features) {
    if (feature == "p_alive" || feature == "expected_purchases_90d" ||
        feature == "expected_order_value" || feature == "clv_12m") {
      facts += (facts.empty() ? "" : ", ") + feature + " " + (text.empty() ? "missing" : text);
    }
  }
  const std::string rule = model.value("by", "") == "churn_risk"
                               ? "high risk below p_alive " + model["high_below"].dump() +
                                     ", medium below " + model["medium_below"].dump()
                               : "high value: the top " + model["tiers"][0].dump() +
                                     " of buyers by clv_12m, medium " + "up to " +
                                     model["tiers"][1].dump();
  explanation.reasons.push_back((facts.empty() ? "no purchase" : facts) + "; " + rule);
}

Result<std::vector<ExplainedRule>> CompileRules(
    const Project& project, store::Connection& conn, const json& model, int64_t snapshot_id,
    const std::string& as_of, const std::vector<std::pair<std::string, std::string>>& known) {
  const Dialect& sql = DuckDbDialect();
  SegmentContext context{conn,
                         sql,
                         sql.QuoteIdentifier(FeaturesTableOf(snapshot_id)),
                         as_of,
                         "(SELECT segmentation, segment, customer_id FROM memberships WHERE "
                         "snapshot_id = " +
                             std::to_string(snapshot_id) + ")",
                         known,
                         &project};
  SEG_ASSIGN_OR_RETURN(context.recency_table, SnapshotRecencyTable(conn, snapshot_id));
  SEG_ASSIGN_OR_RETURN(rules::RuleSchema schema, BuildRuleSchema(context));
  std::vector<ExplainedRule> out;
  for (const auto& rule : model["rules"]) {
    ExplainedRule explained;
    explained.segment = rule["segment"].get<std::string>();
    Result<rules::CompiledRule> compiled =
        rules::CompileRule(rule["rule"].get<std::string>(), schema, sql, 1);
    explained.compiles = compiled.ok();
    if (compiled.ok()) {
      explained.compiled = std::move(*compiled);
      explained.rows = RuleRowsSql(context, explained.compiled, /*event_joins=*/false);
    } else {
      explained.error = compiled.status().message();
    }
    out.push_back(std::move(explained));
  }
  return out;
}

std::string ClauseSql(const ExplainedRule& rule, const rules::RuleClause& clause) {
  return "SELECT f." + DuckDbDialect().QuoteIdentifier("customer_id") + ", " + clause.value_sql +
         ", coalesce(" + clause.holds_sql + ", false) FROM " + rule.rows;
}

std::string RuleLineHead(const ExplainedRule& rule) {
  if (!rule.compiles) return rule.segment + ": rule no longer compiles: " + rule.error;
  return rule.segment + ":";
}

void AppendClause(std::string& line, const rules::RuleClause& clause, bool holds,
                  std::string_view value) {
  line += holds ? " ✓ " : " ✗ ";
  line += clause.text;
  line += " (";
  line += value.empty() ? std::string_view("missing") : value;
  line += ")";
}

namespace {

// Each rule's clauses for one customer, one statement per clause.
Status ExplainRules(const Project& project, store::Connection& conn, const json& model,
                    const CustomerView& view, Explanation& explanation,
                    const std::vector<std::pair<std::string, std::string>>& known) {
  SEG_ASSIGN_OR_RETURN(std::vector<ExplainedRule> rules,
                       CompileRules(project, conn, model, view.snapshot_id, view.as_of, known));
  for (const ExplainedRule& rule : rules) {
    std::string line = RuleLineHead(rule);
    for (const rules::RuleClause& clause : rule.compiled.clauses) {
      std::vector<store::Value> params = clause.params;
      params.push_back(view.customer_id);
      SEG_ASSIGN_OR_RETURN(store::Rows values,
                           conn.Query(ClauseSql(rule, clause) + " WHERE f." +
                                          DuckDbDialect().QuoteIdentifier("customer_id") + " = $" +
                                          std::to_string(params.size()),
                                      params));
      if (values.rows.empty()) continue;
      AppendClause(line, clause, std::get<bool>(values.rows[0][2]),
                   store::ToText(values.rows[0][1]));
    }
    explanation.reasons.push_back(line);
  }
  return Status::Ok();
}

}  // namespace
}  // namespace segment

Result<CustomerView> ExplainCustomer(const Project& project, Workspace& workspace,
                                     const std::string& customer_id) {
  store::Connection& conn = workspace.connection();
  const Dialect& sql = DuckDbDialect();
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, ListSnapshots(workspace));
  if (snapshots.empty()) return Status::NotFound("no snapshot yet: run `segmenta run` first");
  CustomerView view;
  view.customer_id = customer_id;
  view.snapshot_id = snapshots.back().snapshot_id;
  view.as_of = snapshots.back().as_of;
  std::string features = sql.QuoteIdentifier(segment::FeaturesTableOf(view.snapshot_id));
  SEG_ASSIGN_OR_RETURN(
      store::Rows row,
      conn.Query("SELECT * FROM " + features + " WHERE customer_id = $1", {customer_id}));
  if (row.rows.empty()) {
    SEG_ASSIGN_OR_RETURN(
        store::Rows near,
        conn.Query("SELECT customer_id FROM " + features +
                       " ORDER BY levenshtein(customer_id, $1), customer_id LIMIT 1",
                   {customer_id}));
    std::string hint = near.rows.empty() ? "" : store::ToText(near.rows[0][0]);
    return Status::NotFound("no customer '" + customer_id + "' in snapshot " +
                            std::to_string(view.snapshot_id) +
                            (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  for (size_t col = 1; col < row.columns.size(); ++col) {
    view.features.emplace_back(row.columns[col], store::ToText(row.rows[0][col]));
  }
  SEG_ASSIGN_OR_RETURN(std::vector<segment::StoredModel> models,
                       segment::LoadModels(conn, view.snapshot_id));
  std::vector<std::pair<std::string, std::string>> known = segment::KnownSegments(models);
  for (const segment::StoredModel& stored : models) {
    const json& model = stored.model;
    Explanation explanation;
    explanation.segmentation = stored.segmentation;
    explanation.method = model.value("method", "");
    SEG_ASSIGN_OR_RETURN(store::Rows segments,
                         conn.Query("SELECT segment FROM memberships WHERE snapshot_id = $1 AND "
                                    "segmentation = $2 AND customer_id = $3 ORDER BY segment",
                                    {view.snapshot_id, explanation.segmentation, customer_id}));
    for (const auto& segment : segments.rows) {
      explanation.segments.push_back(store::ToText(segment[0]));
    }
    if (explanation.method == "rfm") segment::ExplainRfm(model, view, explanation);
    if (explanation.method == "journey") segment::ExplainJourney(model, view, explanation);
    if (explanation.method == "value") segment::ExplainValue(model, view, explanation);
    if (model.contains("clusters")) {
      SEG_RETURN_IF_ERROR(
          segment::ExplainCluster(conn, model, features, view.customer_id, explanation));
    }
    if (explanation.method == "rules") {
      SEG_RETURN_IF_ERROR(segment::ExplainRules(project, conn, model, view, explanation, known));
    }
    view.explanations.push_back(std::move(explanation));
  }
  return view;
}

Result<std::string> SegmentationModelJson(Workspace& workspace, const std::string& segmentation) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT CAST(json AS VARCHAR) FROM models WHERE snapshot_id = (SELECT "
                 "max(snapshot_id) FROM snapshots) AND segmentation = $1",
                 {segmentation}));
  if (!rows.rows.empty()) return store::ToText(rows.rows[0][0]);
  SEG_ASSIGN_OR_RETURN(store::Rows names, conn.Query("SELECT DISTINCT segmentation FROM models"));
  std::vector<std::string> known;
  for (const auto& name : names.rows) known.push_back(store::ToText(name[0]));
  std::string hint = ClosestMatch(segmentation, known);
  return Status::NotFound("no segmentation '" + segmentation + "' in the latest snapshot" +
                          (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

Result<std::string> SegmentProfileJson(Workspace& workspace, const std::string& segmentation,
                                       const std::string& segment) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(
          "SELECT json FROM profiles WHERE snapshot_id = (SELECT max(snapshot_id) FROM "
          "snapshots) AND segmentation = $1 AND segment = $2",
          {segmentation, segment}));
  if (rows.rows.empty()) {
    SEG_ASSIGN_OR_RETURN(
        store::Rows names,
        workspace.connection().Query(
            "SELECT DISTINCT segment FROM profiles WHERE segmentation = $1", {segmentation}));
    std::vector<std::string> known;
    for (const auto& name : names.rows) known.push_back(store::ToText(name[0]));
    std::string hint = ClosestMatch(segment, known);
    return Status::NotFound("no segment '" + segment + "' in segmentation '" + segmentation +
                            "' of the latest snapshot" +
                            (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  return store::ToText(rows.rows[0][0]);
}

}  // namespace segmenta
