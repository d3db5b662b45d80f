// Mapping: the SQL that turns a staged source (text columns) into canonical rows and,
// for every row that cannot load, the reason, column and value.
//
// Validation is a list of Checks, tried in order; the first that holds quarantines
// the row. Adding a validation is adding a Check.
#ifndef SEGMENTA_INGEST_MAPPING_H_
#define SEGMENTA_INGEST_MAPPING_H_

#include <string>
#include <vector>

#include "ingest/stage.h"
#include "segmenta/project.h"

namespace segmenta::ingest {

struct Check {
  std::string condition;  // SQL over the staged row: true = the row is rejected
  std::string reason;     // short, stable text: reports group rows by it
  std::string column;     // the source column at fault
  std::string value;      // SQL for the offending value (text)
};

struct OutputColumn {
  std::string name;  // canonical column
  std::string sql;   // SQL over the staged row
};

// What a source maps to: the canonical columns, the checks, and extra FROM clauses.
struct Mapping {
  std::vector<OutputColumn> columns;
  std::vector<Check> checks;
  std::vector<std::string> joins;  // e.g. LEFT JOIN customers for unknown customers
};

// Names the project file, line and key when a configured column is not in the file.
Result<Mapping> MapEvents(const Project& project, const SourceConfig& source,
                          const StagedSource& staged);
Result<Mapping> MapCustomers(const Project& project, const SourceConfig& source,
                             const StagedSource& staged);
// kind = "spend": campaign, channel, segment, period_start, period_end (inclusive), cost.
Result<Mapping> MapSpend(const Project& project, const SourceConfig& source,
                         const StagedSource& staged);

// "CREATE TEMP TABLE <table> AS SELECT __line, __reason, <source columns>": the staged
// rows that do not load, with the first check that holds ('filtered' for rows the
// filter drops). Reads every staged row.
std::string RejectedTableSql(const Mapping& mapping, const StagedSource& staged,
                             const std::string& table);
// "SELECT __line, <canonical columns> FROM <staged>" minus the rows in `rejected`.
std::string LoadSelectSql(const Mapping& mapping, const StagedSource& staged,
                          const std::string& rejected);
// "INSERT INTO quarantine SELECT <prefix>, line, column, value, raw, reason, now()" for
// the rows of `rejected` (filtered ones excepted); `prefix` gives source and file.
// Reads only `rejected` (and the mapping's joins).
std::string QuarantineSql(const Mapping& mapping, const StagedSource& staged,
                          const std::string& rejected, const std::string& prefix, char delimiter);

}  // namespace segmenta::ingest

#endif  // SEGMENTA_INGEST_MAPPING_H_
