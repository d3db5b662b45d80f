// ExportAudience: the audience, its columns and the consent test (export_plan) in one
// query, counted, checked against privacy.min_group_size, COPYed to a temporary file
// beside the target, audited, and renamed onto the target.
#include <algorithm>
#include <cctype>
#include <system_error>

#include "activate/export_plan.h"
#include "core/crypto.h"
#include "engine/dialect.h"
#include "segment/history.h"
#include "segmenta/exports.h"
#include "store/database.h"

namespace segmenta {
namespace {

namespace fs = std::filesystem;

constexpr std::pair<ExportFormat, std::string_view> kFormats[] = {
    {ExportFormat::kCsv, "csv"},
    {ExportFormat::kJsonLines, "jsonl"},
    {ExportFormat::kParquet, "parquet"},
};

std::string CopyOptions(ExportFormat format) {
  switch (format) {
    case ExportFormat::kCsv:
      return "FORMAT csv, HEADER true";
    case ExportFormat::kJsonLines:
      return "FORMAT json";  // one object per line
    case ExportFormat::kParquet:
      return "FORMAT parquet";
  }
  return "FORMAT csv, HEADER true";
}

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : separator) + item;
  return joined;
}

Status CheckTarget(const fs::path& out_path) {
  if (out_path.filename().empty()) {
    return Status::InvalidArgument("the export needs a file name, not '" + out_path.string() + "'");
  }
  std::error_code error;
  if (fs::is_directory(out_path, error)) {
    return Status::InvalidArgument(out_path.string() + " is a directory; name a file in it");
  }
  fs::path dir = out_path.parent_path().empty() ? fs::path(".") : out_path.parent_path();
  if (!fs::is_directory(dir, error)) {
    return Status::IoError("cannot write " + out_path.string() + ": the directory " + dir.string() +
                           " does not exist");
  }
  return Status::Ok();
}

// The query's parts: what is written, from which rows, which of them are kept.
struct ExportQuery {
  std::string select;  // "a.customer_id, a."segment", ..., <expression> AS <name>"
  std::string from;    // " FROM (audience) a LEFT JOIN customers c ..."
  std::string kept = "true";
  std::vector<store::Value> params;

  std::string CopyTo(const fs::path& file, ExportFormat format) const {
    return "COPY (SELECT " + select + from + " WHERE " + kept + " ORDER BY a.customer_id) TO " +
           DuckDbDialect().QuoteString(file.string()) + " (" + CopyOptions(format) + ")";
  }
};

ExportQuery BuildQuery(const activate::AudienceSql& audience, const activate::ColumnPlan& columns,
                       const std::string& features_table) {
  std::vector<std::string> select = {"a.customer_id"};
  for (const std::string& name : audience.columns) {
    select.push_back("a." + DuckDbDialect().QuoteIdentifier(name));
  }
  select.insert(select.end(), columns.select.begin(), columns.select.end());
  std::string from =
      " FROM " + audience.select + " a LEFT JOIN customers c ON c.customer_id = a.customer_id";
  if (columns.reads_features) {
    from += " LEFT JOIN " + features_table + " f ON f.customer_id = a.customer_id";
  }
  return {Join(select, ", "), from, "true", audience.params};
}

// What the export will hold, before it is counted.
ExportSummary PlannedSummary(const ExportRequest& request, const activate::AudienceSql& audience,
                             const activate::ColumnPlan& columns, const fs::path& out_path) {
  ExportSummary summary;
  summary.file = out_path;
  summary.format = request.format;
  summary.audience = audience.name;
  summary.include_no_consent = request.include_no_consent;
  summary.columns = {"customer_id"};
  summary.columns.insert(summary.columns.end(), audience.columns.begin(), audience.columns.end());
  summary.columns.insert(summary.columns.end(), columns.names.begin(), columns.names.end());
  summary.hashed = columns.hashed;
  summary.plain_pii = columns.plain_pii;
  return summary;
}

struct Counts {
  int64_t consent = 0, no_consent = 0, unreadable = 0;
};

Result<Counts> Count(store::Connection& conn, const ExportQuery& query,
                     const activate::ColumnPlan& columns, const std::string& consents) {
  std::string sql = "SELECT count(*) FILTER (WHERE " + consents + "), count(*) FILTER (WHERE NOT " +
                    consents + ")";
  for (const std::string& unreadable : columns.unreadable) {
    sql += ", count(*) FILTER (WHERE " + query.kept + " AND " + unreadable + ")";
  }
  SEG_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(sql + query.from, query.params));
  Counts counts;
  const auto& row = rows.rows.at(0);
  counts.consent = std::get<int64_t>(row[0]);
  counts.no_consent = std::get<int64_t>(row[1]);
  for (size_t col_idx = 2; col_idx < row.size(); ++col_idx) {
    counts.unreadable += std::get<int64_t>(row[col_idx]);
  }
  return counts;
}

Status TooSmall(const activate::AudienceSql& audience, int64_t rows, const Counts& counts,
                bool include_no_consent, int min_group_size) {
  std::string why =
      "the export of " + audience.name + " would hold " + std::to_string(rows) + " customers";
  if (!include_no_consent && counts.no_consent > 0) {
    why += " with marketing consent (" + std::to_string(counts.no_consent) +
           " more have none and are left out)";
  }
  return Status::DataError(why + ", fewer than privacy.min_group_size (" +
                           std::to_string(min_group_size) +
                           "): a file that small could single people out, so none was written");
}

std::string AuditDetail(const ExportSummary& summary, bool consent_declared) {
  std::string detail = "customers: " + std::to_string(summary.customers) +
                       "; format: " + std::string(ToString(summary.format)) +
                       "; columns: " + Join(summary.columns, ",") +
                       "; hashed: " + (summary.hashed.empty() ? "none" : Join(summary.hashed, ","));
  if (!summary.plain_pii.empty()) detail += "; plain PII: " + Join(summary.plain_pii, ",");
  if (!summary.include_no_consent) {
    detail += "; left out without consent: " + std::to_string(summary.left_out_no_consent);
  } else if (consent_declared) {
    detail += "; consent ignored: " + std::to_string(summary.without_consent_included) +
              " without consent included";
  } else {
    detail += "; consent ignored: no consent attribute declared";
  }
  if (summary.invalid_phones > 0) {
    detail += "; unreadable phones: " + std::to_string(summary.invalid_phones);
  }
  return detail;
}

fs::path TemporaryBeside(const fs::path& out_path) {
  return out_path.parent_path() / ("." + out_path.filename().string() + ".tmp-" + RandomHex(6));
}

Status MoveInPlace(const fs::path& temp, const fs::path& out_path) {
  std::error_code error;
  fs::rename(temp, out_path, error);
  if (!error) return Status::Ok();
  return Status::IoError("cannot rename " + temp.string() + " to " + out_path.string() + ": " +
                         error.message());
}

}  // namespace

std::string_view ToString(ExportFormat format) {
  for (const auto& [value, name] : kFormats) {
    if (value == format) return name;
  }
  return "csv";
}

Result<ExportFormat> ParseExportFormat(std::string_view name) {
  if (name == "ndjson") return ExportFormat::kJsonLines;
  std::vector<std::string> names;
  for (const auto& [value, known] : kFormats) {
    if (known == name) return value;
    names.emplace_back(known);
  }
  std::string hint = ClosestMatch(name, names);
  return Status::InvalidArgument("unknown export format '" + std::string(name) +
                                 "'; use csv, jsonl or parquet" +
                                 (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

ExportFormat ExportFormatFor(const fs::path& file) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".parquet") return ExportFormat::kParquet;
  if (extension == ".jsonl" || extension == ".ndjson") return ExportFormat::kJsonLines;
  return ExportFormat::kCsv;
}

Result<ExportSummary> ExportAudience(const Project& project, Workspace& workspace,
                                     const ExportRequest& request, const fs::path& out_path) {
  SEG_RETURN_IF_ERROR(CheckTarget(out_path));
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(int64_t snapshot_id,
                       conn.QueryInt("SELECT coalesce(max(snapshot_id), 0) FROM snapshots"));
  SEG_ASSIGN_OR_RETURN(activate::AudienceSql audience,
                       activate::ResolveAudience(conn, request.audience, snapshot_id));
  std::string features_table =
      snapshot_id == 0 ? ""
                       : DuckDbDialect().QuoteIdentifier(segment::FeaturesTableOf(snapshot_id));
  SEG_ASSIGN_OR_RETURN(activate::ColumnPlan columns,
                       activate::PlanColumns(project, conn, request, features_table));
  SEG_ASSIGN_OR_RETURN(activate::ConsentPlan consent,
                       activate::PlanConsent(project, conn, request.include_no_consent));
  ExportQuery query = BuildQuery(audience, columns, features_table);
  if (!request.include_no_consent) query.kept = consent.consents;

  ExportSummary summary = PlannedSummary(request, audience, columns, out_path);
  fs::path temp = TemporaryBeside(out_path);
  Status done = store::InTransaction(conn, [&]() -> Status {
    SEG_ASSIGN_OR_RETURN(Counts counts, Count(conn, query, columns, consent.consents));
    int64_t rows = request.include_no_consent ? counts.consent + counts.no_consent : counts.consent;
    if (rows < project.min_group_size) {
      return TooSmall(audience, rows, counts, request.include_no_consent, project.min_group_size);
    }
    summary.left_out_no_consent = request.include_no_consent ? 0 : counts.no_consent;
    summary.without_consent_included =
        request.include_no_consent && consent.declared ? counts.no_consent : 0;
    summary.invalid_phones = counts.unreadable;
    SEG_ASSIGN_OR_RETURN(summary.customers,
                         conn.QueryInt(query.CopyTo(temp, request.format), query.params));
    return AppendAudit(workspace, request.actor, "export", audience.name,
                       AuditDetail(summary, consent.declared));
  });
  if (done.ok()) done = MoveInPlace(temp, out_path);
  if (!done.ok()) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return done;
  }
  return summary;
}

Result<std::vector<ExportRecord>> ListExports(Workspace& workspace, int64_t limit) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(
          "SELECT CAST(date_trunc('second', ts) AS VARCHAR), actor, coalesce(object, ''), "
          "coalesce(detail, '') FROM audit WHERE action = 'export' ORDER BY ts DESC, rowid DESC "
          "LIMIT $1",
          {std::max<int64_t>(limit, 0)}));
  std::vector<ExportRecord> records;
  for (const auto& row : rows.rows) {
    records.push_back({store::ToText(row[0]), store::ToText(row[1]), store::ToText(row[2]),
                       store::ToText(row[3])});
  }
  return records;
}

}  // namespace segmenta
