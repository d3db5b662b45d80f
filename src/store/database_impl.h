// Private to src/store: the Impl structs that database.cc and row_source.cc share, and
// the registration of the segmenta_rows table function. Includes duckdb.h, so only
// src/store/*.cc may include it.
#ifndef SEGMENTA_STORE_DATABASE_IMPL_H_
#define SEGMENTA_STORE_DATABASE_IMPL_H_

#include <duckdb.h>

#include <cstdint>
#include <map>
#include <mutex>

#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::store {

// The sources registered with one database, by id; the table function's extra info.
struct RowSourceRegistry {
  std::mutex mutex;
  std::map<int64_t, RowSource*> sources;
  int64_t next_id = 1;

  RowSource* Find(int64_t id) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = sources.find(id);
    return found == sources.end() ? nullptr : found->second;
  }
};

struct Connection::Impl {
  duckdb_connection handle = nullptr;
  RowSourceRegistry* registry = nullptr;
  ~Impl() {
    if (handle) duckdb_disconnect(&handle);
  }
};

// Registers the table function segmenta_rows(id) on `connection`, reading the sources
// of `registry`.
Status RegisterRowsFunction(duckdb_connection connection, RowSourceRegistry* registry);

}  // namespace segmenta::store

#endif  // SEGMENTA_STORE_DATABASE_IMPL_H_
