#include "segmenta/workspace.h"

#include <system_error>

#include "store/database.h"
#include "store/migrations.h"

namespace segmenta {

Workspace::Workspace(std::filesystem::path dir, std::shared_ptr<store::Database> database)
    : dir_(std::move(dir)), database_(std::move(database)) {}
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;
Workspace::~Workspace() = default;

store::Database& Workspace::database() { return *database_; }
store::Connection& Workspace::connection() {
  return session_ ? *session_ : database_->connection();
}

Result<Workspace> Workspace::Session() {
  SEG_ASSIGN_OR_RETURN(store::Connection conn, database_->Connect());
  Workspace session(dir_, database_);
  session.session_ = std::make_unique<store::Connection>(std::move(conn));
  session.schema_version_ = schema_version_;
  return session;
}

Status AppendAudit(Workspace& workspace, const std::string& actor, const std::string& action,
                   const std::string& object, const std::string& detail) {
  return workspace.connection().Execute("INSERT INTO audit VALUES (now(), $1, $2, $3, $4)",
                                        {actor, action, object, detail});
}

int LatestSchemaVersion() { return store::Migrations().back().version; }

Result<Workspace> Workspace::Open(const std::filesystem::path& dir,
                                  const WorkspaceOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::IoError("cannot create workspace " + dir.string() + ": " + error.message());
  }
  SEG_ASSIGN_OR_RETURN(store::Database db,
                       store::Database::Open((dir / "segmenta.duckdb").string()));
  Workspace workspace(dir, std::make_shared<store::Database>(std::move(db)));
  SEG_RETURN_IF_ERROR(workspace.Configure(options));
  SEG_RETURN_IF_ERROR(workspace.Migrate().WithContext("workspace " + dir.string()));
  return workspace;
}

Result<Workspace> Workspace::OpenInMemory() {
  SEG_ASSIGN_OR_RETURN(store::Database db, store::Database::Open(""));
  Workspace workspace({}, std::make_shared<store::Database>(std::move(db)));
  SEG_RETURN_IF_ERROR(workspace.Migrate());
  return workspace;
}

Status Workspace::Configure(const WorkspaceOptions& options) {
  store::Connection& conn = connection();
  // Rows carry their line numbers, so scans need not keep file order: cheaper inserts.
  SEG_RETURN_IF_ERROR(conn.Execute("SET preserve_insertion_order = false"));
  SEG_RETURN_IF_ERROR(conn.Execute("SET memory_limit = $1", {options.memory_limit})
                          .WithContext("[workspace] memory_limit"));
  if (options.threads > 0) {
    SEG_RETURN_IF_ERROR(conn.Execute("SET threads = " + std::to_string(options.threads)));
  }
  if (!dir_.empty()) {
    SEG_RETURN_IF_ERROR(conn.Execute("SET temp_directory = $1", {(dir_ / "tmp").string()}));
  }
  return Status::Ok();
}

Status Workspace::Migrate() {
  store::Connection& conn = connection();
  SEG_RETURN_IF_ERROR(
      conn.Execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
                   "description VARCHAR, applied_at TIMESTAMP NOT NULL)"));
  SEG_ASSIGN_OR_RETURN(int64_t current, conn.QueryInt("SELECT max(version) FROM schema_version"));
  if (current > LatestSchemaVersion()) {
    return Status::InvalidArgument("the workspace has schema version " + std::to_string(current) +
                                   " but this segmenta knows up to " +
                                   std::to_string(LatestSchemaVersion()) +
                                   "; upgrade segmenta to open it");
  }
  for (const store::Migration& migration : store::Migrations()) {
    if (migration.version <= current) continue;
    SEG_RETURN_IF_ERROR(store::InTransaction(conn, [&] {
                          SEG_RETURN_IF_ERROR(conn.Execute(migration.sql));
                          return conn.Execute(
                              "INSERT INTO schema_version VALUES ($1, $2, now())",
                              {int64_t{migration.version}, std::string(migration.description)});
                        }).WithContext("migration " + std::to_string(migration.version)));
  }
  schema_version_ = LatestSchemaVersion();
  return Status::Ok();
}

}  // namespace segmenta
