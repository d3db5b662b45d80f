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
// snapshot features_<id> and event_recency_<id>; api_tokens, spend, experiments and
// experiment_assignments, webhook_batches, webhook_batch_members, webhook_attempts and
// webhook_plans. A Workspace
// is movable, not copyable, and not thread-safe; Session() gives another handle on the
// same database, with its own connection, for another thread (the server keeps a few).
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

  // Another handle on this workspace's database with a connection of its own: it sees
  // what the others commit, and may be used on another thread than this one. The
  // database stays open while any handle on it lives.
  Result<Workspace> Session();

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
  Workspace(std::filesystem::path dir, std::shared_ptr<store::Database> database);
  Status Migrate();
  Status Configure(const WorkspaceOptions& options);

  std::filesystem::path dir_;
  std::shared_ptr<store::Database> database_;
  std::unique_ptr<store::Connection> session_;  // null: the database's primary connection
  int schema_version_ = 0;
};

// Appends one entry to the audit table: who (`actor`), did what, to what, and how much.
// Never give it a customer id or a secret.
Status AppendAudit(Workspace& workspace, const std::string& actor, const std::string& action,
                   const std::string& object, const std::string& detail);

// The number of the newest migration this build knows.
int LatestSchemaVersion();

}  // namespace segmenta

#endif  // SEGMENTA_WORKSPACE_H_
