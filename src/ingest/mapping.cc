#include "ingest/mapping.h"

#include <algorithm>
#include <utility>

#include "engine/dialect.h"
#include "ingest/expression.h"

namespace segmenta::ingest {
namespace {

const Dialect& Sql() { return DuckDbDialect(); }

// Reads the configured column names and expressions of one source against the
// columns its file really has.
class SourceColumns {
 public:
  SourceColumns(const Project& project, const SourceConfig& source, const StagedSource& staged)
      : project_(project), source_(source), staged_(staged) {}

  Status Error(const std::string& key, const std::string& message) const {
    return Status::InvalidArgument(project_.file.string() + ":" + std::to_string(source_.line) +
                                   ": key 'sources." + source_.name + "." + key + "': " + message);
  }

  // A configured expression (often one bare column) compiled against the file.
  Result<CompiledExpression> Expression(const std::string& key, const std::string& text) const {
    Result<CompiledExpression> compiled = CompileExpression(text, staged_.columns, Sql());
    if (compiled.ok()) return compiled;
    return Error(key, "'" + text + "' " + compiled.status().message() + " (the file " +
                          source_.file.filename().string() + " has columns " + ColumnList() + ")");
  }

  // A configured value that must be one column; returns its text SQL, '' as NULL.
  // (Staging already trimmed unquoted fields.)
  Result<std::string> Column(const std::string& key, const std::string& name) const {
    SEG_ASSIGN_OR_RETURN(CompiledExpression compiled, Expression(key, Sql().QuoteIdentifier(name)));
    return "NULLIF(" + compiled.sql + ", '')";
  }

  std::string ColumnList() const {
    std::string out;
    for (size_t col = 0; col < staged_.columns.size() && col < 12; ++col) {
      out += (col ? ", " : "") + staged_.columns[col];
    }
    return out + (staged_.columns.size() > 12 ? ", …" : "");
  }

 private:
  const Project& project_;
  const SourceConfig& source_;
  const StagedSource& staged_;
};

// Text of the source columns an expression reads, for the quarantine's value.
std::string ValueOf(const CompiledExpression& expression) {
  if (expression.columns.size() == 1) return Sql().QuoteIdentifier(expression.columns[0]);
  std::string sql = "concat_ws(', '";
  for (const std::string& column : expression.columns) {
    sql += ", " + Sql().QuoteString(column + "=") + " || coalesce(" +
           Sql().QuoteIdentifier(column) + ", 'NULL')";
  }
  return sql + ")";
}

// The name a mapped output has inside the mapping query ("__amount").
std::string Typed(const std::string& name) { return Sql().QuoteIdentifier("__" + name); }

std::string AnyNotNull(const CompiledExpression& expression) {
  if (expression.columns.empty()) return "false";
  std::string sql = "(";
  for (size_t col = 0; col < expression.columns.size(); ++col) {
    sql += (col ? " OR " : "") + Sql().QuoteIdentifier(expression.columns[col]) + " IS NOT NULL";
  }
  return sql + ")";
}

std::string TimeSql(const std::string& text, const std::string& format) {
  if (!format.empty()) return Sql().TryTimestampFormat(text, format);
  return "COALESCE(" + Sql().TryTimestamp(text) + ", " + Sql().TryTimestampFormat(text, "%Y%m%d") +
         ", " + Sql().TryTimestampFormat(text, "%Y%m%d%H%M%S") + ")";
}

// A numeric field: its SQL, plus the check that it is a number when present. The
// check reads the typed output `typed` (e.g. "__amount") so the cast runs once.
Status AddNumber(const SourceColumns& columns, const std::string& key, const std::string& text,
                 const std::string& typed, Mapping& mapping, std::string& sql) {
  if (text.empty()) {
    sql = "CAST(NULL AS DOUBLE)";
    return Status::Ok();
  }
  SEG_ASSIGN_OR_RETURN(CompiledExpression expression, columns.Expression(key, text));
  sql = AsNumber(expression, Sql());
  mapping.checks.push_back(
      {typed + " IS NULL AND " + AnyNotNull(expression) + " AND " + ValueOf(expression) + " <> ''",
       key + " is not a number", text, ValueOf(expression)});
  return Status::Ok();
}

Status AddFilter(const SourceColumns& columns, const SourceConfig& source, Mapping& mapping) {
  if (source.filter.empty()) return Status::Ok();
  SEG_ASSIGN_OR_RETURN(CompiledExpression filter, columns.Expression("filter", source.filter));
  if (filter.type != ExpressionType::kBool) {
    return columns.Error("filter", "'" + source.filter +
                                       "' is not a condition; write e.g. "
                                       "Country <> 'Unsold' and Quantity > 0");
  }
  // First check: rows the filter does not keep are counted as filtered, not quarantined.
  mapping.checks.insert(mapping.checks.begin(),
                        {"NOT coalesce(" + filter.sql + ", false)", "filtered", "", "NULL"});
  return Status::Ok();
}

// A spend period's first and last day (inclusive) from its text: a day (YYYY-MM-DD), a
// month (YYYY-MM) or a range (YYYY-MM-DD..YYYY-MM-DD); NULL for anything else.
std::pair<std::string, std::string> PeriodSql(const std::string& text) {
  auto matches = [&](const char* pattern) {
    return "regexp_full_match(" + text + ", " + Sql().QuoteString(pattern) + ")";
  };
  std::string day = matches(R"(\d{4}-\d{2}-\d{2})");
  std::string month = matches(R"(\d{4}-\d{2})");
  std::string range = matches(R"(\d{4}-\d{2}-\d{2}\s*\.\.\s*\d{4}-\d{2}-\d{2})");
  std::string first_of_month = "TRY_CAST(" + text + " || '-01' AS DATE)";
  std::string start = "CASE WHEN " + day + " THEN TRY_CAST(" + text + " AS DATE) WHEN " + month +
                      " THEN " + first_of_month + " WHEN " + range + " THEN TRY_CAST(left(" + text +
                      ", 10) AS DATE) END";
  std::string end = "CASE WHEN " + day + " THEN TRY_CAST(" + text + " AS DATE) WHEN " + month +
                    " THEN CAST(" + first_of_month +
                    " + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) WHEN " + range +
                    " THEN TRY_CAST(right(" + text + ", 10) AS DATE) END";
  return {start, end};
}

}  // namespace

Result<Mapping> MapEvents(const Project& project, const SourceConfig& source,
                          const StagedSource& staged) {
  SourceColumns columns(project, source, staged);
  Mapping mapping;
  SEG_ASSIGN_OR_RETURN(std::string customer, columns.Column("customer", source.customer));
  SEG_ASSIGN_OR_RETURN(std::string time_text, columns.Column("time", source.time));
  std::string ts = TimeSql(time_text, source.time_format);
  std::string type = Sql().QuoteString(source.type);
  if (!source.type_column.empty()) {
    SEG_ASSIGN_OR_RETURN(std::string type_text, columns.Column("type_column", source.type_column));
    type = "lower(" + type_text + ")";
  } else {
    std::string lowered = source.type;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), ::tolower);
    type = Sql().QuoteString(lowered);
  }
  mapping.checks.push_back({"__customer_id IS NULL", "missing customer id", source.customer,
                            Sql().QuoteIdentifier(source.customer)});
  mapping.checks.push_back(
      {"__ts IS NULL", "unparseable time", source.time, Sql().QuoteIdentifier(source.time)});
  mapping.checks.push_back({"__type IS NULL", "missing event type", source.type_column, "NULL"});
  std::string amount, score;
  SEG_RETURN_IF_ERROR(AddNumber(columns, "amount", source.amount, "__amount", mapping, amount));
  SEG_RETURN_IF_ERROR(AddNumber(columns, "score", source.score, "__score", mapping, score));
  mapping.checks.push_back({"__type IN ('purchase', 'refund') AND __amount IS NULL",
                            "purchase without an amount", source.amount, "NULL"});
  if (source.unknown_customers == UnknownCustomers::kQuarantine) {
    mapping.joins.push_back(
        "LEFT JOIN (SELECT customer_id AS __known_id FROM customers) ON __known_id = " + customer);
    mapping.checks.push_back({"__known_id IS NULL", "unknown customer", source.customer, customer});
  }
  SEG_RETURN_IF_ERROR(AddFilter(columns, source, mapping));

  std::string signed_amount =
      "CASE WHEN " + type + " = 'refund' THEN -abs(" + amount + ") ELSE " + amount + " END";
  std::string final_type = "CASE WHEN " + type + " = 'purchase' AND (" + amount +
                           ") < 0 THEN 'refund' ELSE " + type + " END";
  mapping.columns = {
      {"customer_id", customer}, {"ts", ts}, {"type", final_type}, {"amount", signed_amount}};
  for (auto [name, configured] : {std::pair{"order_id", &source.order_id},
                                  {"channel", &source.channel},
                                  {"category", &source.category},
                                  {"campaign", &source.campaign}}) {
    std::string sql = "CAST(NULL AS VARCHAR)";
    if (!configured->empty()) {
      SEG_ASSIGN_OR_RETURN(sql, columns.Column(name, *configured));
    }
    mapping.columns.push_back({name, sql});
  }
  mapping.columns.push_back({"score", score});
  std::string props = "CAST(NULL AS JSON)";
  if (!source.props.empty()) {
    props = "json_object(";
    for (size_t prop_idx = 0; prop_idx < source.props.size(); ++prop_idx) {
      SEG_ASSIGN_OR_RETURN(std::string value, columns.Column("props", source.props[prop_idx]));
      props += (prop_idx ? ", " : "") + Sql().QuoteString(source.props[prop_idx]) + ", " + value;
    }
    props += ")";
  }
  mapping.columns.push_back({"props", props});
  return mapping;
}

Result<Mapping> MapCustomers(const Project& project, const SourceConfig& source,
                             const StagedSource& staged) {
  SourceColumns columns(project, source, staged);
  Mapping mapping;
  SEG_ASSIGN_OR_RETURN(std::string id, columns.Column("id", source.id));
  mapping.columns.push_back({"customer_id", id});
  mapping.checks.push_back({"__customer_id IS NULL", "missing customer id", source.id,
                            Sql().QuoteIdentifier(source.id)});
  mapping.joins.push_back("LEFT JOIN (SELECT min(__line) AS __first_line, " + id +
                          " AS __first_id FROM " + staged.from +
                          " GROUP BY 2) ON __first_id = " + id);
  mapping.checks.push_back({"__first_line < __line", "duplicate customer id", source.id,
                            id + " || ' (first at line ' || __first_line || ')'"});
  for (const Attribute& attribute : source.attributes) {
    std::string key = "attributes." + attribute.name;
    SEG_ASSIGN_OR_RETURN(std::string text, columns.Column(key, attribute.column));
    std::string raw = Sql().QuoteIdentifier(attribute.column);
    std::string sql = text;
    if (attribute.type == AttributeType::kNumber) {
      sql = Sql().TryDouble(text);
      mapping.checks.push_back({text + " IS NOT NULL AND " + Typed(attribute.name) + " IS NULL",
                                attribute.name + " is not a number", attribute.column, raw});
    } else if (attribute.type == AttributeType::kDate) {
      sql = "TRY_CAST(" + text + " AS DATE)";
      mapping.checks.push_back({text + " IS NOT NULL AND " + Typed(attribute.name) + " IS NULL",
                                attribute.name + " is not a date (YYYY-MM-DD)", attribute.column,
                                raw});
    } else if (attribute.type == AttributeType::kList) {
      sql = "list_filter(list_transform(string_split(" + text +
            ", ';'), x -> trim(x)), "
            "x -> x <> '')";
    }
    mapping.columns.push_back({attribute.name, sql});
  }
  SEG_RETURN_IF_ERROR(AddFilter(columns, source, mapping));
  return mapping;
}

Result<Mapping> MapSpend(const Project& project, const SourceConfig& source,
                         const StagedSource& staged) {
  SourceColumns columns(project, source, staged);
  Mapping mapping;
  for (auto [name, configured] : {std::pair{"campaign", &source.campaign},
                                  {"channel", &source.channel},
                                  {"segment", &source.segment}}) {
    std::string sql = "CAST(NULL AS VARCHAR)";
    if (!configured->empty()) {
      SEG_ASSIGN_OR_RETURN(sql, columns.Column(name, *configured));
    }
    mapping.columns.push_back({name, sql});
  }
  SEG_ASSIGN_OR_RETURN(std::string period, columns.Column("period", source.period));
  auto [start, end] = PeriodSql(period);
  mapping.columns.push_back({"period_start", start});
  mapping.columns.push_back({"period_end", end});
  std::string raw_period = Sql().QuoteIdentifier(source.period);
  mapping.checks.push_back({period + " IS NULL", "missing period", source.period, "NULL"});
  mapping.checks.push_back({"__period_start IS NULL OR __period_end IS NULL",
                            "period is not YYYY-MM-DD, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD",
                            source.period, raw_period});
  mapping.checks.push_back(
      {"__period_end < __period_start", "period ends before it starts", source.period, raw_period});
  std::string cost;
  SEG_RETURN_IF_ERROR(AddNumber(columns, "cost", source.cost, "__cost", mapping, cost));
  SEG_ASSIGN_OR_RETURN(CompiledExpression cost_expression, columns.Expression("cost", source.cost));
  std::string cost_value = ValueOf(cost_expression);
  mapping.checks.push_back({"__cost IS NULL", "missing cost", source.cost, "NULL"});
  mapping.checks.push_back(
      {"NOT isfinite(__cost)", "cost is not a number", source.cost, cost_value});
  mapping.checks.push_back({"__cost < 0", "cost is negative", source.cost, cost_value});
  mapping.columns.push_back({"cost", cost});
  SEG_RETURN_IF_ERROR(AddFilter(columns, source, mapping));
  return mapping;
}

std::string RejectedTableSql(const Mapping& mapping, const StagedSource& staged,
                             const std::string& table) {
  // Outputs are computed once as "__<name>" for the checks to read; DuckDB prunes the
  // ones no check uses.
  std::string inner = "SELECT *";
  for (const OutputColumn& output : mapping.columns) {
    inner += ", " + output.sql + " AS " + Typed(output.name);
  }
  inner += " FROM " + staged.from;
  for (const std::string& join : mapping.joins) inner += " " + join;
  std::string reason = "CASE";
  for (const Check& check : mapping.checks) {
    reason += " WHEN " + check.condition + " THEN " + Sql().QuoteString(check.reason);
  }
  std::string columns;
  for (const std::string& column : staged.columns) columns += ", " + Sql().QuoteIdentifier(column);
  return "CREATE OR REPLACE TEMP TABLE " + Sql().QuoteIdentifier(table) +
         " AS SELECT * FROM (SELECT __line, " + reason + " END AS __reason" + columns + " FROM (" +
         inner + ")) WHERE __reason IS NOT NULL";
}

std::string LoadSelectSql(const Mapping& mapping, const StagedSource& staged,
                          const std::string& rejected) {
  std::string sql = "SELECT __line";
  for (const OutputColumn& output : mapping.columns) {
    sql += ", " + output.sql + " AS " + Sql().QuoteIdentifier(output.name);
  }
  return sql + " FROM " + staged.from + " ANTI JOIN (SELECT __line AS __rejected_line FROM " +
         Sql().QuoteIdentifier(rejected) + ") ON __rejected_line = __line";
}

std::string QuarantineSql(const Mapping& mapping, const StagedSource& staged,
                          const std::string& rejected, const std::string& prefix, char delimiter) {
  std::string column = "CASE __reason", value = "CASE __reason";
  for (const Check& check : mapping.checks) {
    std::string when = " WHEN " + Sql().QuoteString(check.reason) + " THEN ";
    column += when + (check.column.empty() ? "NULL" : Sql().QuoteString(check.column));
    value += when + "CAST(" + check.value + " AS VARCHAR)";
  }
  std::string raw = "concat_ws(" + Sql().QuoteString(std::string(1, delimiter));
  for (const std::string& col : staged.columns) {
    raw += ", coalesce(" + Sql().QuoteIdentifier(col) + ", '')";
  }
  std::string sql = "INSERT INTO quarantine SELECT " + prefix + ", __line, " + column + " END, " +
                    value + " END, " + raw + "), __reason, now() FROM (SELECT * FROM " +
                    Sql().QuoteIdentifier(rejected) + " WHERE __reason <> 'filtered')";
  for (const std::string& join : mapping.joins) sql += " " + join;
  return sql;
}

}  // namespace segmenta::ingest
