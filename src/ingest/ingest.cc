#include "segmenta/ingest.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "engine/dialect.h"
#include "ingest/mapping.h"
#include "ingest/stage.h"
#include "store/database.h"

namespace segmenta {
namespace {

using ingest::Mapping;
using ingest::StagedSource;

const Dialect& Sql() { return DuckDbDialect(); }
std::string Quote(const std::string& name) { return Sql().QuoteIdentifier(name); }

constexpr const char* kStage = "__stage";
constexpr const char* kRejected = "__rejected";
constexpr const char* kRejects = "__rejects";
constexpr const char* kDuplicates = "__duplicates";
constexpr const char* kCandidates = "__duplicate_hashes";

std::string ShownPath(const Project& project, const std::filesystem::path& file) {
  std::filesystem::path relative = file.lexically_relative(project.root);
  if (!relative.empty() && *relative.begin() != "..") return relative.string();
  return file.string();
}

std::string SqlType(AttributeType type) {
  switch (type) {
    case AttributeType::kNumber:
      return "DOUBLE";
    case AttributeType::kDate:
      return "DATE";
    case AttributeType::kList:
      return "VARCHAR[]";
    case AttributeType::kCategory:
    case AttributeType::kText:
      return "VARCHAR";
  }
  return "VARCHAR";
}

// Later exact copies of a staged row: (__dup_line, __first_copy, its columns). The
// record hashes narrow the candidates so only rows that collide are compared.
Result<int64_t> FindDuplicates(store::Connection& conn, const StagedSource& staged) {
  SEG_RETURN_IF_ERROR(staged.WriteDuplicateCandidates(conn, kCandidates));
  SEG_ASSIGN_OR_RETURN(int64_t candidates,
                       conn.QueryInt(std::string("SELECT count(*) FROM ") + kCandidates));
  std::string columns;
  for (const std::string& column : staged.columns) columns += ", " + Quote(column);
  std::string partition = columns.empty() ? "__hash" : columns.substr(2);
  std::string sql = "CREATE OR REPLACE TEMP TABLE " + std::string(kDuplicates) + " AS ";
  if (candidates == 0) {
    sql += "SELECT __line AS __dup_line, __line AS __first_copy" + columns + " FROM " +
           staged.from + " LIMIT 0";
  } else {
    sql += "SELECT __line AS __dup_line, __first_copy" + columns +
           " FROM (SELECT *, min(__line) OVER (PARTITION BY " + partition +
           ") AS __first_copy FROM " + staged.from + " SEMI JOIN " + kCandidates +
           " USING (__hash)) WHERE __line > __first_copy";
  }
  SEG_RETURN_IF_ERROR(conn.Execute(sql));
  return conn.QueryInt(std::string("SELECT count(*) FROM ") + kDuplicates);
}

// With `dedupe`, duplicates not rejected for another reason are rejected as such.
Status RejectDuplicates(store::Connection& conn, const StagedSource& staged, Mapping& mapping) {
  mapping.joins.push_back(std::string("LEFT JOIN (SELECT __dup_line, __first_copy FROM ") +
                          kDuplicates + ") ON __dup_line = __line");
  mapping.checks.push_back(
      {"__dup_line IS NOT NULL", "duplicate row", "", "'same as line ' || __first_copy"});
  std::string columns;
  for (const std::string& column : staged.columns) columns += ", " + Quote(column);
  return conn.Execute(std::string("INSERT INTO ") + kRejected + " SELECT __dup_line, " +
                      "'duplicate row'" + columns + " FROM " + kDuplicates + " ANTI JOIN " +
                      kRejected + " ON __line = __dup_line");
}

Status StageRejects(store::Connection& conn, const StagedSource& staged) {
  SEG_RETURN_IF_ERROR(conn.Execute(std::string("CREATE OR REPLACE TEMP TABLE ") + kRejects +
                                   " (line BIGINT, column_name VARCHAR, value VARCHAR, raw "
                                   "VARCHAR, reason VARCHAR)"));
  SEG_ASSIGN_OR_RETURN(store::Appender appender, conn.MakeAppender(kRejects));
  for (const ingest::CsvReject& reject : staged.rejects) {
    appender.Append(reject.line);
    if (reject.column.empty()) {
      appender.AppendNull();
    } else {
      appender.Append(std::string_view(reject.column));
    }
    appender.Append(std::string_view(ingest::EscapeInvalidUtf8(reject.value)));
    appender.Append(std::string_view(ingest::EscapeInvalidUtf8(reject.raw)));
    appender.Append(std::string_view(reject.reason));
    SEG_RETURN_IF_ERROR(appender.EndRow());
  }
  return appender.Flush();
}

Status EnsureAttributeColumns(store::Connection& conn, const SourceConfig& source) {
  SEG_ASSIGN_OR_RETURN(store::Rows existing,
                       conn.Query("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name = 'customers'"));
  for (const Attribute& attribute : source.attributes) {
    std::string type = SqlType(attribute.type);
    auto found = std::find_if(existing.rows.begin(), existing.rows.end(), [&](const auto& row) {
      return store::ToText(row[0]) == attribute.name;
    });
    if (found != existing.rows.end() && store::ToText((*found)[1]) == type) continue;
    if (found != existing.rows.end()) {
      SEG_RETURN_IF_ERROR(
          conn.Execute("ALTER TABLE customers DROP COLUMN " + Quote(attribute.name)));
    }
    SEG_RETURN_IF_ERROR(
        conn.Execute("ALTER TABLE customers ADD COLUMN " + Quote(attribute.name) + " " + type));
  }
  return Status::Ok();
}

class SourceIngest {
 public:
  SourceIngest(const Project& project, const SourceConfig& source, store::Connection& conn)
      : project_(project), source_(source), conn_(conn) {
    report_.source = source.name;
    report_.file = ShownPath(project, source.file);
    report_.kind = source.kind == SourceKind::kCustomers ? "customers"
                   : source.kind == SourceKind::kSpend   ? "spend"
                                                         : "events";
  }

  // Two reads of the staged rows: the first finds the rows that cannot load (and
  // the file's unreadable records and duplicates), the second loads the others.
  Result<SourceReport> Run(const std::function<void(double)>& progress) {
    auto started = std::chrono::steady_clock::now();
    SEG_ASSIGN_OR_RETURN(staged_, ingest::StageSource(conn_, source_, kStage, ReaderThreads()));
    report_.read_as = staged_.description;
    Mapping mapping;
    if (source_.kind == SourceKind::kCustomers) {
      SEG_ASSIGN_OR_RETURN(mapping, ingest::MapCustomers(project_, source_, staged_));
    } else if (source_.kind == SourceKind::kSpend) {
      SEG_ASSIGN_OR_RETURN(mapping, ingest::MapSpend(project_, source_, staged_));
    } else {
      SEG_ASSIGN_OR_RETURN(mapping, ingest::MapEvents(project_, source_, staged_));
    }
    SEG_RETURN_IF_ERROR(Watched(progress, 0.0, 0.45, [&] {
      return conn_.Execute(ingest::RejectedTableSql(mapping, staged_, kRejected));
    }));
    SEG_RETURN_IF_ERROR(staged_.Collect(conn_));
    SEG_ASSIGN_OR_RETURN(report_.duplicates, FindDuplicates(conn_, staged_));
    if (source_.dedupe) SEG_RETURN_IF_ERROR(RejectDuplicates(conn_, staged_, mapping));
    SEG_RETURN_IF_ERROR(StageRejects(conn_, staged_));
    SEG_RETURN_IF_ERROR(Watched(progress, 0.5, 0.95, [&] {
      return store::InTransaction(conn_, [&] { return Load(mapping); });
    }));
    report_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    SEG_RETURN_IF_ERROR(RecordRun());
    SEG_RETURN_IF_ERROR(CountReasons());
    if (progress) progress(1.0);
    return report_;
  }

  ~SourceIngest() {
    for (const char* table : {kStage, kRejected, kRejects, kDuplicates, kCandidates}) {
      (void)conn_.Execute(std::string("DROP TABLE IF EXISTS ") + table);
    }
  }

 private:
  std::string SourceLiteral() const { return Sql().QuoteString(source_.name); }

  // Runs `body` while reporting the share of the staged file parsed since it began as
  // progress from `from` to `to`.
  Status Watched(const std::function<void(double)>& progress, double from, double to,
                 const std::function<Status()>& body) {
    if (progress) progress(from);
    if (!progress || staged_.bytes() == 0) return body();
    size_t base = staged_.bytes_read();
    auto bytes = static_cast<double>(staged_.bytes());
    return store::RunWatched(body, [&] {
      double share = static_cast<double>(staged_.bytes_read() - base) / bytes;
      progress(from + (to - from) * std::min(share, 1.0));
    });
  }

  int ReaderThreads() const {
    int cores = static_cast<int>(std::thread::hardware_concurrency());
    int wanted = project_.engine.threads > 0 ? project_.engine.threads : cores;
    return std::clamp(wanted, 1, 8);
  }

  Status Load(const Mapping& mapping) {
    SEG_RETURN_IF_ERROR(Quarantine(mapping));
    if (source_.kind == SourceKind::kCustomers) {
      SEG_RETURN_IF_ERROR(LoadCustomers(mapping));
    } else if (source_.kind == SourceKind::kSpend) {
      SEG_RETURN_IF_ERROR(LoadSpend(mapping));
    } else {
      SEG_RETURN_IF_ERROR(LoadEvents(mapping));
    }
    SEG_ASSIGN_OR_RETURN(report_.rows_filtered,
                         conn_.QueryInt(std::string("SELECT count(*) FROM ") + kRejected +
                                        " WHERE __reason = 'filtered'"));
    report_.rows_read = staged_.rows_staged + static_cast<int64_t>(staged_.rejects.size());
    SEG_ASSIGN_OR_RETURN(
        report_.rows_quarantined,
        conn_.QueryInt("SELECT count(*) FROM quarantine WHERE source = $1", {source_.name}));
    return Status::Ok();
  }

  Status Quarantine(const Mapping& mapping) {
    std::string prefix = SourceLiteral() + ", " + Sql().QuoteString(report_.file);
    SEG_RETURN_IF_ERROR(conn_.Execute("DELETE FROM quarantine WHERE source = " + SourceLiteral() +
                                      "; INSERT INTO quarantine SELECT " + prefix +
                                      ", line, column_name, value, raw, reason, now() FROM " +
                                      kRejects));
    SEG_ASSIGN_OR_RETURN(int64_t rejected,
                         conn_.QueryInt(std::string("SELECT count(*) FROM ") + kRejected));
    if (rejected == 0) return Status::Ok();
    return conn_.Execute(ingest::QuarantineSql(mapping, staged_, kRejected, prefix,
                                               source_.csv.delimiter.value_or(',')));
  }

  Status LoadEvents(const Mapping& mapping) {
    std::string source = SourceLiteral();
    SEG_RETURN_IF_ERROR(conn_.Execute("DELETE FROM events WHERE _source = " + source));
    SEG_ASSIGN_OR_RETURN(
        report_.rows_loaded,
        conn_.QueryInt("INSERT INTO events SELECT customer_id, ts, type, amount, order_id, "
                       "channel, category, campaign, score, props, " +
                       source + ", __line FROM (" +
                       ingest::LoadSelectSql(mapping, staged_, kRejected) + ")"));
    if (source_.unknown_customers != UnknownCustomers::kCreate) return Status::Ok();
    std::string owner = Sql().QuoteString("auto:" + source_.name);
    SEG_RETURN_IF_ERROR(
        conn_.Execute("DELETE FROM customers WHERE _source = " + owner +
                      " AND customer_id NOT IN (SELECT DISTINCT customer_id FROM events)"));
    SEG_ASSIGN_OR_RETURN(
        report_.customers_created,
        conn_.QueryInt(
            "INSERT INTO customers (customer_id, _source) SELECT DISTINCT e.customer_id, " + owner +
            " FROM events e ANTI JOIN customers c USING (customer_id) "
            "WHERE e._source = " +
            source));
    return Status::Ok();
  }

  Status LoadSpend(const Mapping& mapping) {
    std::string source = SourceLiteral();
    SEG_RETURN_IF_ERROR(conn_.Execute("DELETE FROM spend WHERE _source = " + source));
    SEG_ASSIGN_OR_RETURN(
        report_.rows_loaded,
        conn_.QueryInt("INSERT INTO spend SELECT campaign, channel, segment, period_start, "
                       "period_end, cost, " +
                       source + ", __line FROM (" +
                       ingest::LoadSelectSql(mapping, staged_, kRejected) + ")"));
    return Status::Ok();
  }

  Status LoadCustomers(const Mapping& mapping) {
    SEG_RETURN_IF_ERROR(EnsureAttributeColumns(conn_, source_));
    std::string names = "customer_id, _source, _line";
    std::string values = "customer_id, " + SourceLiteral() + ", __line";
    std::string updates = "_source = EXCLUDED._source, _line = EXCLUDED._line";
    for (const ingest::OutputColumn& column : mapping.columns) {
      if (column.name == "customer_id") continue;
      names += ", " + Quote(column.name);
      values += ", " + Quote(column.name);
      updates += ", " + Quote(column.name) + " = EXCLUDED." + Quote(column.name);
    }
    SEG_RETURN_IF_ERROR(conn_.Execute("DELETE FROM customers WHERE _source = " + SourceLiteral()));
    // Customers of other sources (or created for unknown ids in events) are updated in
    // place; a plain insert is twice as fast when there are none.
    SEG_ASSIGN_OR_RETURN(int64_t others, conn_.QueryInt("SELECT count(*) FROM customers"));
    std::string on_conflict =
        others == 0 ? "" : " ON CONFLICT (customer_id) DO UPDATE SET " + updates;
    SEG_ASSIGN_OR_RETURN(
        report_.rows_loaded,
        conn_.QueryInt("INSERT INTO customers (" + names + ") SELECT " + values + " FROM (" +
                       ingest::LoadSelectSql(mapping, staged_, kRejected) + ")" + on_conflict));
    return Status::Ok();
  }

  Status RecordRun() {
    return conn_.Execute(
        "INSERT INTO ingest_runs VALUES ($1, $2, now(), $3, $4, $5, $6, $7, $8, $9)",
        {source_.name, report_.file, report_.seconds, report_.rows_read, report_.rows_loaded,
         report_.rows_quarantined, report_.rows_filtered, report_.duplicates,
         report_.customers_created});
  }

  Status CountReasons() {
    SEG_ASSIGN_OR_RETURN(store::Rows rows,
                         conn_.Query("SELECT reason, count(*) FROM quarantine WHERE source = $1 "
                                     "GROUP BY reason ORDER BY 2 DESC, 1",
                                     {source_.name}));
    for (const auto& row : rows.rows) {
      report_.reasons.push_back({store::ToText(row[0]), std::get<int64_t>(row[1])});
    }
    return Status::Ok();
  }

  const Project& project_;
  const SourceConfig& source_;
  store::Connection& conn_;
  StagedSource staged_;
  SourceReport report_;
};

bool Selected(const IngestOptions& options, const std::string& name) {
  return options.only.empty() ||
         std::find(options.only.begin(), options.only.end(), name) != options.only.end();
}

}  // namespace

int64_t IngestReport::quarantined() const {
  int64_t total = 0;
  for (const SourceReport& source : sources) total += source.rows_quarantined;
  return total;
}

Result<IngestReport> Ingest(const Project& project, Workspace& workspace,
                            const IngestOptions& options) {
  for (const std::string& name : options.only) {
    bool known = std::any_of(project.sources.begin(), project.sources.end(),
                             [&](const SourceConfig& source) { return source.name == name; });
    if (!known) {
      std::vector<std::string> names;
      for (const SourceConfig& source : project.sources) names.push_back(source.name);
      std::string hint = ClosestMatch(name, names);
      return Status::InvalidArgument("no source named '" + name + "' in " + project.file.string() +
                                     (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
    }
  }
  if (project.sources.empty()) {
    return Status::InvalidArgument(project.file.string() +
                                   " declares no sources; add a [sources.NAME] table");
  }
  IngestReport report;
  store::Connection& conn = workspace.connection();
  for (const SourceConfig& source : project.sources) {
    if (!Selected(options, source.name)) continue;
    SourceIngest run(project, source, conn);
    SEG_ASSIGN_OR_RETURN(SourceReport source_report, run.Run([&](double done) {
      if (options.progress) options.progress(source.name, done);
    }));
    report.sources.push_back(std::move(source_report));
  }
  SEG_RETURN_IF_ERROR(
      conn.Execute("DELETE FROM event_types; INSERT INTO event_types SELECT DISTINCT type FROM "
                   "events"));
  SEG_ASSIGN_OR_RETURN(report.customers, conn.QueryInt("SELECT count(*) FROM customers"));
  SEG_ASSIGN_OR_RETURN(report.events, conn.QueryInt("SELECT count(*) FROM events"));
  return report;
}

Result<SourceReport> IngestSource(const Project& project, Workspace& workspace,
                                  const SourceConfig& source) {
  store::Connection& conn = workspace.connection();
  SourceIngest run(project, source, conn);
  SEG_ASSIGN_OR_RETURN(SourceReport report, run.Run(nullptr));
  if (source.kind == SourceKind::kEvents) {
    SEG_RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO event_types SELECT DISTINCT type FROM events WHERE _source = $1 EXCEPT "
        "SELECT type FROM event_types",
        {source.name}));
  }
  return report;
}

Result<std::vector<QuarantinedRow>> ListQuarantine(Workspace& workspace,
                                                   const QuarantineQuery& query) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(
          "SELECT source, file, line, column_name, value, reason, raw FROM quarantine "
          "WHERE ($1 = '' OR source = $1) AND ($2 = '' OR reason = $2) "
          "ORDER BY source, line LIMIT $3",
          {query.source, query.reason, query.limit}));
  std::vector<QuarantinedRow> out;
  for (const auto& row : rows.rows) {
    out.push_back({store::ToText(row[0]), store::ToText(row[1]),
                   store::IsNull(row[2]) ? 0 : std::get<int64_t>(row[2]), store::ToText(row[3]),
                   store::ToText(row[4]), store::ToText(row[5]), store::ToText(row[6])});
  }
  return out;
}

}  // namespace segmenta
