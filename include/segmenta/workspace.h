// Workspace: the DuckDB database holding a project's canonical tables.
//
// A workspace is a directory (by default `.segmenta/` beside segmenta.toml) with one
// database file, `segmenta.duckdb`. Opening it creates what is missing and applies
// numbered migrations, so an older workspace is upgraded in place:
//
//   SEG_ASSIGN_OR_RETURN(segmenta::Workspace ws, segmenta::Workspace::Open(".segmenta"));
//   int version = ws.schema_version();
//
// Tables (see docs/guide.md): customers, events, quarantine, ingest_runs, event_types,
// snapshots, memberships, models, profiles, health, membership_history, audit, and per
// snapshot features_<id> and event_recency_<id>; experiments, spend, api_tokens later. A Workspace
// is movable, not copyable, and not thread-safe.
#ifndef SEGMENTA_WORKSPACE_H_
#define SEGMENTA_WORKSPACE_H_

#include <filesystem>
#include <memory>
#include <string>

#include "segmenta/status.h"

namespace segmenta {

namespace store {
class Database;
class Connection;
}  // namespace store

// Resources the embedded engine may use ([workspace] in segmenta.toml).
struct WorkspaceOptions {
  std::string memory_limit = "2GB";  // DuckDB memory limit; larger work spills to dir/tmp
  int threads = 0;                   // 0 = all cores
};

class Workspace {
 public:
  // Opens (creating and migrating as needed) the workspace in `dir`.
  static Result<Workspace> Open(const std::filesystem::path& dir,
                                const WorkspaceOptions& options = {});
  // A throw-away workspace in memory, for tests and one-off runs.
  static Result<Workspace> OpenInMemory();

  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;
  ~Workspace();

  // The newest migration applied.
  int schema_version() const { return schema_version_; }
  // The directory (empty for an in-memory workspace).
  const std::filesystem::path& dir() const { return dir_; }

  // Library-internal access to the store.
  store::Database& database();
  store::Connection& connection();

 private:
  Workspace(std::filesystem::path dir, std::unique_ptr<store::Database> database);
  Status Migrate();
  Status Configure(const WorkspaceOptions& options);

  std::filesystem::path dir_;
  std::unique_ptr<store::Database> database_;
  int schema_version_ = 0;
};

// The number of the newest migration this build knows.
int LatestSchemaVersion();

}  // namespace segmenta

#endif  // SEGMENTA_WORKSPACE_H_
