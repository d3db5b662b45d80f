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

// One column of a large result, stored flat: DOUBLE columns as numbers (NaN for NULL),
// VARCHAR columns as texts (with `missing` marking NULLs).
struct ColumnData {
  std::string name;
  bool text = false;
  std::vector<double> numbers;
  std::vector<std::string> texts;
  std::vector<uint8_t> missing;  // texts only: 1 where NULL
};

struct ColumnInfo {
  std::string name;
  std::string type;  // DuckDB's type name: BIGINT, DOUBLE, VARCHAR, VARCHAR[], DATE, …
};
class RowSourceRegistration;
class RowSource;

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
  // The columns of a table, view or parenthesised query, in order.
  Result<std::vector<ColumnInfo>> Columns(std::string_view relation);
  // A large result read chunk by chunk into flat columns. Every column of `sql` must be
  // DOUBLE or VARCHAR (cast in the SQL); anything else is an Internal error.
  Result<std::vector<ColumnData>> QueryColumns(std::string_view sql,
                                               const std::vector<Value>& params = {});

  Result<Appender> MakeAppender(const std::string& table);
  // Makes `source` readable as a table; see RowSource.
  Result<RowSourceRegistration> Register(RowSource& source);

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

// ---------------------------------------------------------------- row sources
//
// Rows that C++ code produces while a query reads them, without storing them first:
// a registered RowSource is the table `segmenta_rows(<id>)` (RowSourceRegistration::
// FromSql()), with number columns (BIGINT) then text columns (VARCHAR). DuckDB reads it
// on several threads: each takes the next part, opens a RowReader on it and fills
// output chunks from it. A query may scan the same source more than once.
//
//   class Lines : public store::RowSource { ... };
//   Lines lines(...);
//   SEG_ASSIGN_OR_RETURN(store::RowSourceRegistration reg, conn.Register(lines));
//   SEG_RETURN_IF_ERROR(conn.Execute("INSERT INTO t SELECT * FROM " + reg.FromSql()));

// The output chunk being filled; only the columns the query reads are stored.
class RowSink {
 public:
  // Adds one row: its numbers, then one text per text column (nullptr data = NULL).
  // Must not be called when full().
  void Append(std::initializer_list<int64_t> numbers, const std::vector<std::string_view>& texts);
  size_t remaining() const { return capacity_ - rows_; }
  bool full() const { return rows_ >= capacity_; }

 private:
  friend struct RowScan;
  RowSink() = default;
  std::vector<void*> vectors_;  // per source column: its output vector, or nullptr
  std::vector<int64_t*> numbers_;
  size_t number_columns_ = 0;
  size_t rows_ = 0;
  size_t capacity_ = 0;
};

// Reads one part of a source.
class RowReader {
 public:
  virtual ~RowReader() = default;
  // Adds rows to `sink` until it is full or the part has no more; true at the part's end.
  virtual Result<bool> Read(RowSink& sink) = 0;
};

class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual std::vector<std::string> number_columns() const = 0;
  virtual std::vector<std::string> text_columns() const = 0;
  // Parts are read independently, in any order, on any thread.
  virtual size_t parts() const = 0;
  // About how many rows there are, for the query planner (it picks join sides by it).
  virtual size_t estimated_rows() const = 0;
  // Called from DuckDB's threads, concurrently: must be thread-safe.
  virtual Result<std::unique_ptr<RowReader>> OpenPart(size_t part) = 0;
};

// Keeps a RowSource readable by SQL until destroyed; the source must outlive it.
class RowSourceRegistration {
 public:
  RowSourceRegistration(RowSourceRegistration&&) noexcept;
  RowSourceRegistration& operator=(RowSourceRegistration&&) noexcept;
  RowSourceRegistration(const RowSourceRegistration&) = delete;
  RowSourceRegistration& operator=(const RowSourceRegistration&) = delete;
  ~RowSourceRegistration();

  // `segmenta_rows(<id>)`, for a FROM clause.
  std::string FromSql() const;

 private:
  friend class Connection;
  struct Impl;
  explicit RowSourceRegistration(std::unique_ptr<Impl> impl);
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

// Runs `body` on a worker thread while this thread calls `tick()` about five times a
// second (for progress reports); returns body's Status.
Status RunWatched(const std::function<Status()>& body, const std::function<void()>& tick);

// Runs `body` inside BEGIN/COMMIT; rolls back when it fails.
Status InTransaction(Connection& conn, const std::function<Status()>& body);

}  // namespace segmenta::store

#endif  // SEGMENTA_STORE_DATABASE_H_
