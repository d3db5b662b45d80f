// Tables of count() and sum() over event windows, kept for rule previews: a rule being
// typed reads the same windows again and again, and aggregating the events each time is
// most of a preview's cost on a large workspace. DuckDB temporary tables, so each
// connection (each server session) keeps its own; named after the snapshot and the
// data's version (ingest runs, erasures), so new data or an erasure makes new ones and the
// old ones are dropped.
#ifndef SEGMENTA_SEGMENT_WINDOW_TABLES_H_
#define SEGMENTA_SEGMENT_WINDOW_TABLES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::segment {

class WindowTables {
 public:
  // For the snapshot with reference date `as_of` (YYYY-MM-DD) and feature table
  // `features_table` (quoted): drops this connection's tables of other snapshots or data
  // versions, and all of them past a few.
  static Result<WindowTables> Open(store::Connection& conn, int64_t snapshot_id,
                                   const std::string& as_of, const std::string& features_table);

  // The table (row, value) of `function` ("count" or "sum") over the events of `type`
  // ("" for sum: net revenue) within `days` (0: ever) before as_of, `row` being the
  // customer's rowid in the feature table; made when missing; nullopt when it cannot be
  // made (the caller aggregates the events instead).
  std::optional<std::string> Table(std::string_view function, const std::string& type,
                                   int64_t days);

 private:
  WindowTables(store::Connection& conn, std::string prefix, std::string as_of,
               std::string features_table)
      : conn_(&conn),
        prefix_(std::move(prefix)),
        as_of_(std::move(as_of)),
        features_table_(std::move(features_table)) {}

  store::Connection* conn_;
  std::string prefix_;  // preview_window_<version>_
  std::string as_of_;
  std::string features_table_;
};

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_WINDOW_TABLES_H_
