// Ingest: loads a project's sources into the workspace's canonical tables.
//
//   SEG_ASSIGN_OR_RETURN(segmenta::IngestReport report,
//                        segmenta::Ingest(project, workspace, {}));
//   for (const segmenta::SourceReport& source : report.sources) {
//     assert(source.reconciles());  // read = loaded + quarantined + filtered
//   }
//
// Every record either loads or lands in the `quarantine` table with its line, column,
// value and reason; rows a source's `filter` excludes are counted as filtered.
// Customers sources load first, then events. Re-ingesting a source replaces its rows,
// all in one transaction per source: a failure leaves the previous load untouched.
// Not thread-safe: one ingest per workspace at a time.
#ifndef SEGMENTA_INGEST_H_
#define SEGMENTA_INGEST_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

struct ReasonCount {
  std::string reason;
  int64_t rows = 0;
};

struct SourceReport {
  std::string source;
  std::string file;
  std::string kind;       // "customers", "events" or "spend"
  std::string read_as;    // how the file was read: format, delimiter, header, encoding
  int64_t rows_read = 0;  // records in the file (the header and blank lines excluded)
  int64_t rows_loaded = 0;
  int64_t rows_quarantined = 0;
  int64_t rows_filtered = 0;
  int64_t duplicates = 0;         // exact copies of an earlier row (kept unless dedupe = true)
  int64_t customers_created = 0;  // unknown customers created (unknown_customers = "create")
  double seconds = 0;
  std::vector<ReasonCount> reasons;  // quarantined rows by reason, most frequent first

  bool reconciles() const { return rows_read == rows_loaded + rows_quarantined + rows_filtered; }
};

struct IngestReport {
  std::vector<SourceReport> sources;
  int64_t customers = 0;  // rows in customers after the ingest
  int64_t events = 0;     // rows in events after the ingest

  int64_t quarantined() const;
};

struct IngestOptions {
  std::vector<std::string> only;  // source names to ingest; empty = all
  // Called with (source name, fraction done in [0, 1]) during long steps.
  std::function<void(const std::string& source, double fraction)> progress;
};

Result<IngestReport> Ingest(const Project& project, Workspace& workspace,
                            const IngestOptions& options);

// Loads one source that the project need not declare (the server's batches of posted
// events) exactly like a declared one: the same checks, rows quarantined with their
// line, column, value and reason, a row in ingest_runs. A source of the same name is
// replaced, so a batch appends when its name is new.
Result<SourceReport> IngestSource(const Project& project, Workspace& workspace,
                                  const SourceConfig& source);

// One row of the quarantine table.
struct QuarantinedRow {
  std::string source;
  std::string file;
  int64_t line = 0;
  std::string column;
  std::string value;
  std::string reason;
  std::string raw;
};

struct QuarantineQuery {
  std::string source;  // empty = every source
  std::string reason;  // empty = every reason
  int64_t limit = 50;
};

// Quarantined rows by source and line.
Result<std::vector<QuarantinedRow>> ListQuarantine(Workspace& workspace,
                                                   const QuarantineQuery& query);

}  // namespace segmenta

#endif  // SEGMENTA_INGEST_H_
