// Staging: makes one source file, whatever its format, readable by SQL as rows
// `(__line BIGINT, __hash BIGINT, <each source column> VARCHAR)` and collects the records
// that could not be read at all (malformed CSV, invalid UTF-8, invalid JSON) as rejects.
// Later steps map and validate the text columns with SQL, the same way for every format.
//
// A CSV file is not copied: SQL reads it through a row source (`segmenta_rows(N)`),
// parsing it in parallel at every scan, which costs less than storing 20M rows of text
// once. Its rejects, row count and duplicate candidates are known after the first full
// scan: call Collect() after it. JSON lines and Parquet go to a temporary table.
//
//   SEG_ASSIGN_OR_RETURN(StagedSource staged, StageSource(conn, source, "__stage", 8));
//   ... a query that reads every row of staged.from ...
//   SEG_RETURN_IF_ERROR(staged.Collect(conn));
//   SEG_RETURN_IF_ERROR(staged.WriteDuplicateCandidates(conn, "__dup_hashes"));
#ifndef SEGMENTA_INGEST_STAGE_H_
#define SEGMENTA_INGEST_STAGE_H_

#include <memory>
#include <string>
#include <vector>

#include "ingest/csv_reader.h"
#include "segmenta/project.h"
#include "store/database.h"

namespace segmenta::ingest {

class CsvRows;

class StagedSource {
 public:
  StagedSource();
  StagedSource(StagedSource&&) noexcept;
  StagedSource& operator=(StagedSource&&) noexcept;
  ~StagedSource();

  std::string from;                  // FROM item: segmenta_rows(N) or a temporary table
  std::vector<std::string> columns;  // source column names, in file order
  std::string description;           // how the file was read, for the report
  std::vector<CsvReject> rejects;    // unreadable records (complete after Collect())
  int64_t rows_staged = 0;           // readable records (after Collect())

  // Takes the rejects and the row count of a CSV file from the scans so far, scanning
  // the file once more if no query has read all of it.
  Status Collect(store::Connection& conn);
  // Creates temporary table `table(__hash BIGINT)`: the hashes of records that occur
  // more than once, a superset of the exact duplicates. After Collect().
  Status WriteDuplicateCandidates(store::Connection& conn, const std::string& table) const;
  // Bytes parsed by all scans so far (0 for a table); for progress.
  size_t bytes_read() const;
  size_t bytes() const;  // the size of the text to parse (0 for a table)

 private:
  friend Result<StagedSource> StageSource(store::Connection&, const SourceConfig&,
                                          const std::string&, int);
  std::unique_ptr<CsvRows> csv_;
  std::unique_ptr<store::RowSourceRegistration> registration_;
};

// `threads` > 1 lets large single-line-record CSV files be parsed on that many threads.
// `table` names the temporary table for formats that need one.
Result<StagedSource> StageSource(store::Connection& conn, const SourceConfig& source,
                                 const std::string& table, int threads);

}  // namespace segmenta::ingest

#endif  // SEGMENTA_INGEST_STAGE_H_
