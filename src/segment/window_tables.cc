#include "segment/window_tables.h"

#include "core/crypto.h"
#include "engine/dialect.h"

namespace segmenta::segment {
namespace {

constexpr int kMaxTables = 8;  // per connection; about 30 MB each on 1M customers

// The events count() and sum() read, as the rule compiler selects them.
std::string EventsWhere(const Dialect& sql, const std::string& type, int64_t days,
                        const std::string& as_of) {
  std::string date = "DATE " + sql.QuoteString(as_of);
  std::string where = type.empty() ? "((type = 'purchase' AND amount > 0) OR type = 'refund')"
                                   : "type = " + sql.QuoteString(type);
  where += " AND ts < CAST(" + date + " AS TIMESTAMP)";
  if (days > 0) {
    where += " AND ts >= CAST(" + sql.DateMinusDays(date, std::to_string(days)) + " AS TIMESTAMP)";
  }
  return where;
}

}  // namespace

Result<WindowTables> WindowTables::Open(store::Connection& conn, int64_t snapshot_id,
                                        const std::string& as_of,
                                        const std::string& features_table) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows version,
      conn.Query("SELECT (SELECT count(*) FROM ingest_runs), (SELECT count(*) FROM audit WHERE "
                 "action = 'forget')"));
  std::string prefix =
      "preview_window_" +
      Sha256Hex(std::to_string(snapshot_id) + "/" + as_of + "/" +
                store::ToText(version.rows.at(0)[0]) + "/" + store::ToText(version.rows[0][1]))
          .substr(0, 12) +
      "_";
  SEG_ASSIGN_OR_RETURN(
      store::Rows tables,
      conn.Query("SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE "
                 "'preview\\_window\\_%' ESCAPE '\\'"));
  int current = 0;
  for (const auto& row : tables.rows) current += store::ToText(row[0]).rfind(prefix, 0) == 0;
  for (const auto& row : tables.rows) {
    std::string name = store::ToText(row[0]);
    if (name.rfind(prefix, 0) == 0 && current < kMaxTables) continue;
    SEG_RETURN_IF_ERROR(
        conn.Execute("DROP TABLE IF EXISTS temp.main." + DuckDbDialect().QuoteIdentifier(name)));
  }
  return WindowTables(conn, prefix, as_of, features_table);
}

std::optional<std::string> WindowTables::Table(std::string_view function, const std::string& type,
                                               int64_t days) {
  if (function != "count" && function != "sum") return std::nullopt;
  const Dialect& sql = DuckDbDialect();
  std::string name =
      prefix_ +
      Sha256Hex(std::string(function) + "/" + type + "/" + std::to_string(days)).substr(0, 12);
  std::string table = "temp.main." + sql.QuoteIdentifier(name);
  std::string value = function == "count" ? "count(*)" : "sum(amount)";
  // Keyed by the feature table's row: the previews join on an integer, not on the id.
  Status made =
      conn_->Execute("CREATE TEMP TABLE IF NOT EXISTS " + sql.QuoteIdentifier(name) +
                     " AS SELECT f.rowid AS row, a.value FROM " + features_table_ +
                     " f JOIN (SELECT customer_id, " + value + " AS value FROM events WHERE " +
                     EventsWhere(sql, type, days, as_of_) + " GROUP BY 1) a USING (customer_id)");
  if (!made.ok()) return std::nullopt;
  return table;
}

}  // namespace segmenta::segment
