// RAII access to DuckDB for the rest of the library. This header does not include
// duckdb.h: only src/store/*.cc do. Every DuckDB error becomes a Status carrying the
// SQL's first line as context.
//
//   SEG_ASSIGN_OR_RETURN(store::Database db, store::Database::Open("ws.duckdb"));
//   store::Connection& conn = db.connection();
//   SEG_RETURN_IF_ERROR(conn.Execute("CREATE TABLE t(x INT)"));
//   SEG_ASSIGN_OR_RETURN(int64_t n, conn.QueryInt("SELECT count(*) FROM t"));
//
// A Connection is not thread-safe; use one per thread (Database::Connect).
#ifndef SEGMENTA_STORE_DATABASE_H_
#define SEGMENTA_STORE_DATABASE_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "segmenta/status.h"

namespace segmenta::store {

// One SQL value: NULL, integer, double, text or boolean. Dates and timestamps come
// back as text (ISO 8601).
using Value = std::variant<std::monostate, int64_t, double, std::string, bool>;

bool IsNull(const Value& value);
// Text form of a value for people and files ("" for NULL).
std::string ToText(const Value& value);
// Numeric form; NaN for NULL and non-numeric text.
double ToDouble(const Value& value);

// A small, fully materialised result. For large results write SQL that COPYs.
struct Rows {
  std::vector<std::string> columns;
  std::vector<std::vector<Value>> rows;

  size_t size() const { return rows.size(); }
  // Index of a column by name, or -1.
  int Column(std::string_view name) const;
};

class Appender;
class StagingWriter;

class Connection {
 public:
  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements, discarding results.
  Status Execute(std::string_view sql);
  // Runs one statement with positional parameters ($1, $2 … or ?).
  Status Execute(std::string_view sql, const std::vector<Value>& params);
  // Runs one statement and materialises its rows.
  Result<Rows> Query(std::string_view sql, const std::vector<Value>& params = {});
  // The first column of the first row as an integer (error when there is no row).
  Result<int64_t> QueryInt(std::string_view sql, const std::vector<Value>& params = {});

  // Runs a long statement while `on_progress(fraction)` is called from this thread
  // about five times a second (fraction in [0, 1], or -1 when unknown).
  Status ExecuteWithProgress(std::string_view sql,
                             const std::function<void(double)>& on_progress);

  Result<Appender> MakeAppender(const std::string& table);
  Result<StagingWriter> MakeStagingWriter(const std::string& table, size_t number_columns,
                                          size_t text_columns);

 private:
  friend class Database;
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Fast row-wise loading into an existing table, column by column in table order.
// Rows reach the table on Flush() or destruction; check Flush()'s Status.
class Appender {
 public:
  Appender(Appender&&) noexcept;
  Appender& operator=(Appender&&) noexcept;
  Appender(const Appender&) = delete;
  Appender& operator=(const Appender&) = delete;
  ~Appender();

  void AppendNull();
  void Append(int64_t value);
  void Append(double value);
  void Append(std::string_view value);
  Status EndRow();
  Status Flush();

 private:
  friend class Connection;
  struct Impl;
  explicit Appender(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Loads rows of (BIGINT …, VARCHAR …) through DuckDB data chunks: the fast path for
// staging parsed files. The table has number_columns BIGINTs, then text_columns texts.
// Append() is for one thread; for several, give each thread its own Batch (batches
// send full chunks under the writer's lock). Call Finish() once, after every batch
// has been flushed; the connection must not be used by others meanwhile.
class StagingWriter {
 public:
  class Batch {
   public:
    Batch(Batch&&) noexcept;
    Batch& operator=(Batch&&) noexcept;
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;
    ~Batch();

    // One row: its numbers, then one text per column (nullptr data = NULL).
    Status Append(std::initializer_list<int64_t> numbers,
                  const std::vector<std::string_view>& texts);
    // Sends the rows not yet sent.
    Status Flush();

   private:
    friend class StagingWriter;
    struct Impl;
    explicit Batch(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };

  StagingWriter(StagingWriter&&) noexcept;
  StagingWriter& operator=(StagingWriter&&) noexcept;
  StagingWriter(const StagingWriter&) = delete;
  StagingWriter& operator=(const StagingWriter&) = delete;
  ~StagingWriter();

  Batch NewBatch();
  // One row through the writer's own batch (single-threaded use).
  Status Append(std::initializer_list<int64_t> numbers,
                const std::vector<std::string_view>& texts);
  // Sends what is left and flushes into the table; call once at the end.
  Status Finish();

 private:
  friend class Connection;
  struct Impl;
  explicit StagingWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Owns a DuckDB database (a file, or in memory for an empty path) and one primary
// connection. Thread-safe for Connect(); each Connection is single-threaded.
class Database {
 public:
  static Result<Database> Open(const std::string& path);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  Connection& connection();
  Result<Connection> Connect();

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Runs `body` inside BEGIN/COMMIT; rolls back when it fails.
Status InTransaction(Connection& conn, const std::function<Status()>& body);

}  // namespace segmenta::store

#endif  // SEGMENTA_STORE_DATABASE_H_
