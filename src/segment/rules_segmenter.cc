#include "segment/rules_segmenter.h"

#include <algorithm>
#include <functional>
#include <set>

namespace segmenta::segment {
namespace {

constexpr const char* kHits = "__rule_hits";
// The alias of the recency table in rule SQL.
const std::string kRecency = "recency";
const char* const kKnownEventTypes[] = {
    "purchase",   "refund",     "visit",       "cart_add",        "cart_abandon",
    "email_sent", "email_open", "email_click", "support_contact", "feedback"};

rules::ValueType TypeOf(const std::string& sql_type) {
  if (sql_type.ends_with("[]")) return rules::ValueType::kList;
  if (sql_type == "VARCHAR") return rules::ValueType::kText;
  if (sql_type == "DATE" || sql_type.starts_with("TIMESTAMP")) return rules::ValueType::kDate;
  if (sql_type == "BOOLEAN") return rules::ValueType::kBool;
  return rules::ValueType::kNumber;
}

// The event types present: recorded by ingest; a workspace ingested before that was
// recorded is scanned.
Result<std::vector<std::string>> EventTypes(store::Connection& conn) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows, conn.Query("SELECT type FROM event_types ORDER BY 1"));
  if (rows.rows.empty()) {
    SEG_ASSIGN_OR_RETURN(rows, conn.Query("SELECT DISTINCT type FROM events ORDER BY 1"));
  }
  std::vector<std::string> types;
  for (const auto& row : rows.rows) types.push_back(store::ToText(row[0]));
  return types;
}

}  // namespace

std::string RuleRowsSql(const SegmentContext& context, const rules::CompiledRule& rule,
                        bool event_joins) {
  std::string id = context.sql.QuoteIdentifier("customer_id");
  // Attribute columns are read as c."name" (BuildRuleSchema); values are parameters,
  // so the prefix in the SQL means an attribute is read.
  bool reads_attributes = rule.sql.find("c.\"") != std::string::npos;
  for (const rules::RuleClause& clause : rule.clauses) {
    reads_attributes = reads_attributes || clause.value_sql.find("c.\"") != std::string::npos;
  }
  std::string rows = context.features_table + " f";
  if (reads_attributes) rows += " JOIN customers c ON c." + id + " = f." + id;
  if (!context.recency_table.empty() && rule.sql.find(kRecency + ".\"") != std::string::npos) {
    rows += " LEFT JOIN " + context.recency_table + " " + kRecency + " ON " + kRecency + "." + id +
            " = f." + id;
  }
  if (event_joins) rows += rule.event_joins;
  return rows;
}

Status BuildEventRecency(const SegmentContext& context, const std::string& table) {
  const Dialect& sql = context.sql;
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> types, EventTypes(context.conn));
  std::string select = "SELECT " + sql.QuoteIdentifier("customer_id");
  std::string ts = sql.QuoteIdentifier("ts");
  for (const std::string& type : types) {
    if (type == "customer_id") continue;
    select += ", max(" + ts + ") FILTER (WHERE " + sql.QuoteIdentifier("type") + " = " +
              sql.QuoteString(type) + ") AS " + sql.QuoteIdentifier(type);
  }
  return context.conn.Execute("CREATE OR REPLACE TABLE " + table + " AS " + select +
                              " FROM events WHERE " + ts + " < CAST(" +
                              sql.DateLiteral(context.as_of) + " AS TIMESTAMP) GROUP BY 1");
}

Result<rules::RuleSchema> BuildRuleSchema(const SegmentContext& context) {
  const Dialect& sql = context.sql;
  rules::RuleSchema schema;
  schema.customer_id_sql = "f." + sql.QuoteIdentifier("customer_id");
  schema.as_of_sql = sql.DateLiteral(context.as_of);
  schema.memberships_table = context.memberships_table;
  std::set<std::string> names;
  SEG_ASSIGN_OR_RETURN(auto features, context.conn.Columns(context.features_table));
  for (const auto& [name, type] : features) {
    if (name == "customer_id") continue;
    schema.columns.push_back({name, TypeOf(type), "f." + sql.QuoteIdentifier(name)});
    names.insert(name);
  }
  std::set<std::string> personal = ContactAttributes(*context.project);
  SEG_ASSIGN_OR_RETURN(auto attributes, context.conn.Columns("customers"));
  for (const auto& [name, type] : attributes) {
    if (name == "customer_id" || name.starts_with("_") || personal.count(name) ||
        names.count(name)) {
      continue;
    }
    schema.columns.push_back({name, TypeOf(type), "c." + sql.QuoteIdentifier(name)});
  }
  std::set<std::string> types(std::begin(kKnownEventTypes), std::end(kKnownEventTypes));
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> seen, EventTypes(context.conn));
  types.insert(seen.begin(), seen.end());
  schema.event_types.assign(types.begin(), types.end());
  if (!context.recency_table.empty()) {
    SEG_ASSIGN_OR_RETURN(auto recency, context.conn.Columns(context.recency_table));
    for (const auto& [type, sql_type] : recency) {
      if (type == "customer_id") continue;
      schema.last_event_sql[type] = std::string(kRecency) + "." + sql.QuoteIdentifier(type);
    }
  }
  schema.segments = context.known_segments;
  return schema;
}

std::string OrderByDependencies(const std::vector<std::string>& names,
                                const std::vector<std::vector<std::string>>& edges,
                                std::vector<size_t>& order) {
  enum class Mark { kNew, kOpen, kDone };
  std::vector<Mark> marks(names.size(), Mark::kNew);
  std::vector<size_t> path;
  std::string cycle;
  order.clear();
  std::function<bool(size_t)> visit = [&](size_t node) {
    if (marks[node] == Mark::kDone) return true;
    if (marks[node] == Mark::kOpen) {
      auto start = std::find(path.begin(), path.end(), node);
      for (auto it = start; it != path.end(); ++it) cycle += names[*it] + " → ";
      cycle += names[node];
      return false;
    }
    marks[node] = Mark::kOpen;
    path.push_back(node);
    for (const std::string& next : edges[node]) {
      auto found = std::find(names.begin(), names.end(), next);
      if (found != names.end() && !visit(static_cast<size_t>(found - names.begin()))) return false;
    }
    path.pop_back();
    marks[node] = Mark::kDone;
    order.push_back(node);
    return true;
  };
  for (size_t node = 0; node < names.size(); ++node) {
    if (!visit(node)) return cycle;
  }
  return "";
}

Status RulesSegmenter::Error(const std::string& message) const {
  return Status::InvalidArgument("segmentation '" + config_.name + "': " + message);
}

std::vector<std::string> RulesSegmenter::Segments() const {
  std::vector<std::string> segments;
  for (const auto& [segment, rule] : config_.rules) segments.push_back(segment);
  return segments;
}

Result<std::vector<std::string>> RulesSegmenter::Prepare(SegmentContext& context) {
  if (config_.rules.empty()) {
    return Error("method \"rules\" needs rules = { \"Segment name\" = \"rule\", … }");
  }
  if (config_.overlap != "first" && config_.overlap != "all") {
    return Error("overlap must be \"first\" or \"all\", not '" + config_.overlap + "'");
  }
  SEG_ASSIGN_OR_RETURN(rules::RuleSchema schema, BuildRuleSchema(context));
  compiled_.clear();
  std::set<std::string> others;
  std::vector<std::vector<std::string>> edges;
  for (const auto& [segment, text] : config_.rules) {
    Result<rules::CompiledRule> rule = rules::CompileRule(text, schema, context.sql, 1);
    if (!rule.ok()) return Error("segment '" + segment + "': " + rule.status().message());
    edges.emplace_back();
    for (const auto& [segmentation, name] : rule->segment_refs) {
      if (segmentation == config_.name) {
        edges.back().push_back(name);
      } else {
        others.insert(segmentation);
      }
    }
    compiled_.push_back(std::move(*rule));
  }
  std::string cycle = OrderByDependencies(Segments(), edges, order_);
  if (!cycle.empty()) return Error("segments read each other in a cycle: " + cycle);
  return std::vector<std::string>(others.begin(), others.end());
}

Result<SegmenterResult> RulesSegmenter::Run(SegmentContext& context, const std::string& output) {
  const Dialect& sql = context.sql;
  store::Connection& conn = context.conn;
  SEG_RETURN_IF_ERROR(conn.Execute(std::string("DELETE FROM ") + kHits));
  for (size_t index : order_) {
    std::string rows = RuleRowsSql(context, compiled_[index]);
    const std::string& segment = config_.rules[index].first;
    SEG_RETURN_IF_ERROR(conn.Execute(
        std::string("INSERT INTO ") + kHits + " SELECT " + sql.QuoteString(config_.name) + ", " +
            sql.QuoteString(segment) + ", " + std::to_string(index) + ", f." +
            sql.QuoteIdentifier("customer_id") + " FROM " + rows + " WHERE " + compiled_[index].sql,
        compiled_[index].params));
  }
  std::string pick = config_.overlap == "first"
                         ? "SELECT customer_id, arg_min(segment, position) AS segment FROM " +
                               std::string(kHits) + " GROUP BY customer_id"
                         : "SELECT customer_id, segment FROM " + std::string(kHits);
  SEG_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " + output +
                                   " AS SELECT customer_id, segment, 1.0 AS score FROM (" + pick +
                                   ")"));
  SegmenterResult result;
  nlohmann::json list = nlohmann::json::array();
  for (size_t index = 0; index < config_.rules.size(); ++index) {
    nlohmann::json clauses = nlohmann::json::array();
    for (const rules::RuleClause& clause : compiled_[index].clauses) clauses.push_back(clause.text);
    list.push_back({{"segment", config_.rules[index].first},
                    {"rule", config_.rules[index].second},
                    {"clauses", clauses}});
  }
  result.model = {{"method", "rules"}, {"overlap", config_.overlap}, {"rules", list}};
  return result;
}

}  // namespace segmenta::segment
