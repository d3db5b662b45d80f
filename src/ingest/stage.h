// Staging: reads one source file, whatever its format, into a temporary table
// `<table>(line BIGINT, <each source column> VARCHAR)` and collects the records that
// could not be read at all (malformed CSV, invalid UTF-8, invalid JSON) as rejects.
// Later steps map and validate text columns with SQL, the same way for every format.
#ifndef SEGMENTA_INGEST_STAGE_H_
#define SEGMENTA_INGEST_STAGE_H_

#include <string>
#include <vector>

#include "ingest/csv_reader.h"
#include "segmenta/project.h"
#include "store/database.h"

namespace segmenta::ingest {

struct StagedSource {
  std::string table;                 // temporary table name
  std::vector<std::string> columns;  // source column names, in file order
  std::vector<CsvReject> rejects;    // unreadable records
  int64_t rows_staged = 0;
  std::string description;           // how the file was read, for the report
};

using StageProgressFn = std::function<void(double fraction)>;

// `threads` > 1 reads large single-line-record CSV files in that many parts at once.
Result<StagedSource> StageSource(store::Connection& conn, const SourceConfig& source,
                                 const std::string& table, const StageProgressFn& progress,
                                 int threads);

}  // namespace segmenta::ingest

#endif  // SEGMENTA_INGEST_STAGE_H_
