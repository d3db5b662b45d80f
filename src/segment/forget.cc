// Preview of a rule being written, and erasure of one customer.
#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "engine/dialect.h"
#include "segment/history.h"
#include "segment/rules_segmenter.h"
#include "segment/window_tables.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta {

Result<RulePreview> PreviewRule(const Project& project, Workspace& workspace,
                                const std::string& rule, int sample, bool keep_windows) {
  auto started = std::chrono::steady_clock::now();
  store::Connection& conn = workspace.connection();
  const Dialect& sql = DuckDbDialect();
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, ListSnapshots(workspace));
  if (snapshots.empty()) return Status::NotFound("no snapshot yet: run `segmenta run` first");
  const SnapshotInfo& latest = snapshots.back();
  std::string id = std::to_string(latest.snapshot_id);
  // The segments each segmentation can produce, from the snapshot's models.
  SEG_ASSIGN_OR_RETURN(store::Rows known,
                       conn.Query("SELECT segmentation, unnest(CAST(json->'segments' AS "
                                  "VARCHAR[])) FROM models WHERE snapshot_id = " +
                                  id));
  segment::SegmentContext context{
      conn,
      sql,
      sql.QuoteIdentifier(segment::FeaturesTableOf(latest.snapshot_id)),
      latest.as_of,
      "(SELECT segmentation, segment, customer_id FROM memberships WHERE snapshot_id = " + id + ")",
      {},
      &project};
  for (const auto& row : known.rows) {
    context.known_segments.emplace_back(store::ToText(row[0]), store::ToText(row[1]));
  }
  SEG_ASSIGN_OR_RETURN(context.recency_table,
                       segment::SnapshotRecencyTable(conn, latest.snapshot_id));
  SEG_ASSIGN_OR_RETURN(rules::RuleSchema schema, segment::BuildRuleSchema(context));
  std::optional<segment::WindowTables> windows;
  if (keep_windows) {
    SEG_ASSIGN_OR_RETURN(windows,
                         segment::WindowTables::Open(conn, latest.snapshot_id, latest.as_of,
                                                     context.features_table));
    schema.window_table = [&](std::string_view function, const std::string& type, int64_t days) {
      return windows->Table(function, type, days);
    };
    schema.window_row_sql = "f.rowid";
  }
  SEG_ASSIGN_OR_RETURN(rules::CompiledRule compiled, rules::CompileRule(rule, schema, sql, 1));
  std::string rows = segment::RuleRowsSql(context, compiled);
  std::string customer = "f." + sql.QuoteIdentifier("customer_id");
  // One pass: the count and the smallest ids (a top-n, not a sort of every match).
  SEG_ASSIGN_OR_RETURN(store::Rows result,
                       conn.Query("SELECT count(*), CAST(to_json(min(" + customer + ", " +
                                      std::to_string(std::max(sample, 1)) + ")) AS VARCHAR) FROM " +
                                      rows + " WHERE " + compiled.sql,
                                  compiled.params));
  RulePreview preview;
  SEG_ASSIGN_OR_RETURN(preview.base,
                       conn.QueryInt("SELECT count(*) FROM " + context.features_table));
  preview.customers = std::get<int64_t>(result.rows.at(0)[0]);
  nlohmann::json ids = nlohmann::json::parse(store::ToText(result.rows[0][1]), nullptr, false);
  for (const auto& id : ids.is_array() ? ids : nlohmann::json::array()) {
    if (static_cast<int>(preview.sample.size()) < sample) preview.sample.push_back(id);
  }
  preview.milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return preview;
}

Result<int64_t> ForgetCustomer(Workspace& workspace, const std::string& customer_id,
                               const std::string& actor) {
  store::Connection& conn = workspace.connection();
  const Dialect& sql = DuckDbDialect();
  int64_t removed = 0;
  auto erase = [&](const std::string& statement) -> Status {
    SEG_ASSIGN_OR_RETURN(int64_t rows, conn.QueryInt(statement, {customer_id}));
    removed += rows;
    return Status::Ok();
  };
  Status status = store::InTransaction(conn, [&]() -> Status {
    SEG_ASSIGN_OR_RETURN(
        int64_t known,
        conn.QueryInt("SELECT count(*) FROM customers WHERE customer_id = $1", {customer_id}));
    if (known == 0) return Status::NotFound("no customer '" + customer_id + "' in the workspace");
    for (const char* table : {"customers", "events", "memberships", "membership_history",
                              "experiment_assignments", "webhook_batch_members"}) {
      SEG_RETURN_IF_ERROR(erase(std::string("DELETE FROM ") + table + " WHERE customer_id = $1"));
    }
    // Quarantined rows hold raw text: those with the id as one of their fields.
    SEG_RETURN_IF_ERROR(erase(
        "DELETE FROM quarantine WHERE list_contains(regexp_split_to_array(raw, '[,;\\t|]'), $1) "
        "OR value = $1"));
    SEG_ASSIGN_OR_RETURN(store::Rows tables,
                         conn.Query("SELECT table_name FROM information_schema.tables WHERE "
                                    "table_type = 'BASE TABLE' AND (table_name IN ('features', "
                                    "'event_recency') OR table_name "
                                    "LIKE 'features\\_%' ESCAPE '\\' OR table_name LIKE "
                                    "'event\\_recency\\_%' ESCAPE '\\')"));
    for (const auto& table : tables.rows) {
      SEG_RETURN_IF_ERROR(erase("DELETE FROM " + sql.QuoteIdentifier(store::ToText(table[0])) +
                                " WHERE customer_id = $1"));
    }
    return conn.Execute(
        "INSERT INTO audit VALUES (now(), $3, 'forget', 'customer sha256:' || sha256($1), $2)",
        {customer_id, "rows removed: " + std::to_string(removed), actor});
  });
  SEG_RETURN_IF_ERROR(status);
  return removed;
}

}  // namespace segmenta
