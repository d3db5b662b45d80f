#include "store/database.h"

#include <duckdb.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <thread>
#include <type_traits>

#include "store/database_impl.h"

namespace segmenta::store {
namespace {

// The first line of a statement, shortened: enough to say which SQL failed.
std::string SqlContext(std::string_view sql) {
  size_t start = sql.find_first_not_of(" \n\t");
  if (start == std::string_view::npos) return "(empty SQL)";
  std::string_view rest = sql.substr(start);
  std::string_view line = rest.substr(0, rest.find('\n'));
  if (line.size() > 120) return std::string(line.substr(0, 117)) + "...";
  return std::string(line);
}

Status FromDuckError(duckdb_error_type type, const char* message, std::string_view sql) {
  std::string text = std::string(message ? message : "unknown DuckDB error") +
                     " [while running: " + SqlContext(sql) + "]";
  switch (type) {
    case DUCKDB_ERROR_CONVERSION:
    case DUCKDB_ERROR_INVALID_INPUT:
    case DUCKDB_ERROR_OUT_OF_RANGE:
    case DUCKDB_ERROR_CONSTRAINT:
      return Status::DataError(std::move(text));
    case DUCKDB_ERROR_IO:
      return Status::IoError(std::move(text));
    case DUCKDB_ERROR_CATALOG:
      return Status::NotFound(std::move(text));
    default:
      return Status::Internal(std::move(text));
  }
}

struct ResultDeleter {
  void operator()(duckdb_result* result) const {
    duckdb_destroy_result(result);
    delete result;  // NOLINT: paired with the new in MakeResult
  }
};
using ResultPtr = std::unique_ptr<duckdb_result, ResultDeleter>;
ResultPtr MakeResult() { return ResultPtr(new duckdb_result{}); }

struct PreparedDeleter {
  void operator()(duckdb_prepared_statement stmt) const { duckdb_destroy_prepare(&stmt); }
};
using PreparedPtr =
    std::unique_ptr<std::remove_pointer_t<duckdb_prepared_statement>, PreparedDeleter>;

Value CellValue(duckdb_result* result, idx_t col, idx_t row) {
  if (duckdb_value_is_null(result, col, row)) return std::monostate{};
  switch (duckdb_column_type(result, col)) {
    case DUCKDB_TYPE_BOOLEAN:
      return duckdb_value_boolean(result, col, row);
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
      return duckdb_value_int64(result, col, row);
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UBIGINT:
      return duckdb_value_double(result, col, row);
    default: {
      char* text = duckdb_value_varchar(result, col, row);
      std::string out = text ? text : "";
      duckdb_free(text);
      return out;
    }
  }
}

Rows Materialise(duckdb_result* result) {
  Rows rows;
  idx_t column_count = duckdb_column_count(result);
  idx_t row_count = duckdb_row_count(result);
  for (idx_t col = 0; col < column_count; ++col) {
    rows.columns.emplace_back(duckdb_column_name(result, col));
  }
  rows.rows.reserve(row_count);
  for (idx_t row = 0; row < row_count; ++row) {
    std::vector<Value> values;
    values.reserve(column_count);
    for (idx_t col = 0; col < column_count; ++col) values.push_back(CellValue(result, col, row));
    rows.rows.push_back(std::move(values));
  }
  return rows;
}

duckdb_state Bind(duckdb_prepared_statement stmt, idx_t index, const Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return duckdb_bind_null(stmt, index);
  if (const auto* number = std::get_if<int64_t>(&value))
    return duckdb_bind_int64(stmt, index, *number);
  if (const auto* real = std::get_if<double>(&value)) return duckdb_bind_double(stmt, index, *real);
  if (const auto* flag = std::get_if<bool>(&value)) return duckdb_bind_boolean(stmt, index, *flag);
  const auto& text = std::get<std::string>(value);
  return duckdb_bind_varchar_length(stmt, index, text.data(), text.size());
}

}  // namespace

bool IsNull(const Value& value) { return std::holds_alternative<std::monostate>(value); }

std::string ToText(const Value& value) {
  if (IsNull(value)) return "";
  if (const auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  if (const auto* real = std::get_if<double>(&value)) {
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.10g", *real);
    return buffer;
  }
  return std::get<std::string>(value);
}

double ToDouble(const Value& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return static_cast<double>(*number);
  if (const auto* real = std::get_if<double>(&value)) return *real;
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? 1.0 : 0.0;
  if (const auto* text = std::get_if<std::string>(&value)) {
    char* end = nullptr;
    double parsed = std::strtod(text->c_str(), &end);
    if (end != text->c_str() && *end == '\0') return parsed;
  }
  return std::nan("");
}

int Rows::Column(std::string_view name) const {
  for (size_t col = 0; col < columns.size(); ++col) {
    if (columns[col] == name) return static_cast<int>(col);
  }
  return -1;
}

// ---------------------------------------------------------------- Connection

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

Status Connection::Execute(std::string_view sql) {
  ResultPtr result = MakeResult();
  std::string text(sql);
  if (duckdb_query(impl_->handle, text.c_str(), result.get()) == DuckDBError) {
    return FromDuckError(duckdb_result_error_type(result.get()), duckdb_result_error(result.get()),
                         sql);
  }
  return Status::Ok();
}

Status Connection::Execute(std::string_view sql, const std::vector<Value>& params) {
  if (params.empty()) return Execute(sql);
  Result<Rows> rows = Query(sql, params);
  return rows.ok() ? Status::Ok() : rows.status();
}

namespace {

// Runs `sql` with `params` bound, into `result` (which the caller destroys).
Status RunSql(duckdb_connection handle, std::string_view sql, const std::vector<Value>& params,
              duckdb_result* result) {
  std::string text(sql);
  if (params.empty()) {
    if (duckdb_query(handle, text.c_str(), result) == DuckDBError) {
      return FromDuckError(duckdb_result_error_type(result), duckdb_result_error(result), sql);
    }
    return Status::Ok();
  }
  duckdb_prepared_statement raw = nullptr;
  duckdb_state state = duckdb_prepare(handle, text.c_str(), &raw);
  PreparedPtr stmt(raw);
  if (state == DuckDBError) {
    return FromDuckError(DUCKDB_ERROR_PARSER, duckdb_prepare_error(raw), sql);
  }
  for (size_t index = 0; index < params.size(); ++index) {
    if (Bind(stmt.get(), index + 1, params[index]) == DuckDBError) {
      return Status::InvalidArgument("cannot bind parameter " + std::to_string(index + 1) +
                                     " [while running: " + SqlContext(sql) + "]");
    }
  }
  if (duckdb_execute_prepared(stmt.get(), result) == DuckDBError) {
    return FromDuckError(duckdb_result_error_type(result), duckdb_result_error(result), sql);
  }
  return Status::Ok();
}

}  // namespace

Result<Rows> Connection::Query(std::string_view sql, const std::vector<Value>& params) {
  ResultPtr result = MakeResult();
  SEG_RETURN_IF_ERROR(RunSql(impl_->handle, sql, params, result.get()));
  return Materialise(result.get());
}

Result<std::vector<ColumnInfo>> Connection::Columns(std::string_view relation) {
  SEG_ASSIGN_OR_RETURN(Rows rows, Query("DESCRIBE SELECT * FROM " + std::string(relation)));
  std::vector<ColumnInfo> columns;
  columns.reserve(rows.size());
  for (const auto& row : rows.rows) columns.push_back({ToText(row[0]), ToText(row[1])});
  return columns;
}

namespace {

struct ChunkDeleter {
  void operator()(duckdb_data_chunk chunk) const { duckdb_destroy_data_chunk(&chunk); }
};
using ChunkPtr = std::unique_ptr<std::remove_pointer_t<duckdb_data_chunk>, ChunkDeleter>;

void AppendColumn(duckdb_vector vector, idx_t size, ColumnData& column) {
  uint64_t* validity = duckdb_vector_get_validity(vector);
  if (!column.text) {
    const auto* values = static_cast<const double*>(duckdb_vector_get_data(vector));
    for (idx_t row = 0; row < size; ++row) {
      bool valid = validity == nullptr || duckdb_validity_row_is_valid(validity, row);
      column.numbers.push_back(valid ? values[row] : std::numeric_limits<double>::quiet_NaN());
    }
    return;
  }
  auto* values = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
  for (idx_t row = 0; row < size; ++row) {
    bool valid = validity == nullptr || duckdb_validity_row_is_valid(validity, row);
    column.missing.push_back(valid ? 0 : 1);
    if (!valid) {
      column.texts.emplace_back();
      continue;
    }
    column.texts.emplace_back(duckdb_string_t_data(&values[row]),
                              duckdb_string_t_length(values[row]));
  }
}

}  // namespace

Result<std::vector<ColumnData>> Connection::QueryColumns(std::string_view sql,
                                                         const std::vector<Value>& params) {
  ResultPtr result = MakeResult();
  SEG_RETURN_IF_ERROR(RunSql(impl_->handle, sql, params, result.get()));
  std::vector<ColumnData> columns(duckdb_column_count(result.get()));
  for (idx_t col = 0; col < columns.size(); ++col) {
    columns[col].name = duckdb_column_name(result.get(), col);
    duckdb_type type = duckdb_column_type(result.get(), col);
    if (type != DUCKDB_TYPE_DOUBLE && type != DUCKDB_TYPE_VARCHAR) {
      return Status::Internal("column " + columns[col].name +
                              " is neither DOUBLE nor VARCHAR [while running: " + SqlContext(sql) +
                              "]");
    }
    columns[col].text = type == DUCKDB_TYPE_VARCHAR;
  }
  while (ChunkPtr chunk{duckdb_fetch_chunk(*result)}) {
    idx_t size = duckdb_data_chunk_get_size(chunk.get());
    if (size == 0) break;
    for (idx_t col = 0; col < columns.size(); ++col) {
      AppendColumn(duckdb_data_chunk_get_vector(chunk.get(), col), size, columns[col]);
    }
  }
  return columns;
}

Result<int64_t> Connection::QueryInt(std::string_view sql, const std::vector<Value>& params) {
  SEG_ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  if (rows.rows.empty() || rows.rows[0].empty()) {
    return Status::Internal("query returned no row [while running: " + SqlContext(sql) + "]");
  }
  const Value& value = rows.rows[0][0];
  if (IsNull(value)) return int64_t{0};
  return static_cast<int64_t>(ToDouble(value));
}

// ---------------------------------------------------------------- Appender

struct Appender::Impl {
  duckdb_appender handle = nullptr;
  ~Impl() {
    if (handle) duckdb_appender_destroy(&handle);
  }
  Status Check(duckdb_state state, const char* what) const {
    if (state != DuckDBError) return Status::Ok();
    const char* message = duckdb_appender_error(handle);
    return Status::Internal(std::string("appender ") + what + ": " +
                            (message ? message : "unknown error"));
  }
};

Appender::Appender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Appender::Appender(Appender&&) noexcept = default;
Appender& Appender::operator=(Appender&&) noexcept = default;
Appender::~Appender() = default;

void Appender::AppendNull() { duckdb_append_null(impl_->handle); }
void Appender::Append(int64_t value) { duckdb_append_int64(impl_->handle, value); }
void Appender::Append(double value) { duckdb_append_double(impl_->handle, value); }
void Appender::Append(std::string_view value) {
  duckdb_append_varchar_length(impl_->handle, value.data(), value.size());
}
Status Appender::EndRow() { return impl_->Check(duckdb_appender_end_row(impl_->handle), "row"); }
Status Appender::Flush() { return impl_->Check(duckdb_appender_flush(impl_->handle), "flush"); }

Result<Appender> Connection::MakeAppender(const std::string& table) {
  auto impl = std::make_unique<Appender::Impl>();
  if (duckdb_appender_create(impl_->handle, nullptr, table.c_str(), &impl->handle) == DuckDBError) {
    const char* message = impl->handle ? duckdb_appender_error(impl->handle) : nullptr;
    return Status::Internal("cannot append to " + table + ": " +
                            (message ? message : "unknown error"));
  }
  return Appender(std::move(impl));
}

// ---------------------------------------------------------------- Database

struct Database::Impl {
  duckdb_database handle = nullptr;
  std::unique_ptr<RowSourceRegistry> registry = std::make_unique<RowSourceRegistry>();
  std::unique_ptr<Connection> primary;
  ~Impl() {
    primary.reset();  // connections close before their database
    if (handle) duckdb_close(&handle);
  }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;
Database::~Database() = default;

Result<Database> Database::Open(const std::string& path) {
  auto impl = std::make_unique<Impl>();
  char* error = nullptr;
  duckdb_config config = nullptr;
  duckdb_create_config(&config);
  duckdb_set_config(config, "autoinstall_known_extensions", "false");
  duckdb_set_config(config, "autoload_known_extensions", "false");
  duckdb_state state =
      duckdb_open_ext(path.empty() ? nullptr : path.c_str(), &impl->handle, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    return Status::IoError("cannot open database " + (path.empty() ? ":memory:" : path) + ": " +
                           message);
  }
  Database database(std::move(impl));
  SEG_ASSIGN_OR_RETURN(Connection primary, database.Connect());
  database.impl_->primary = std::make_unique<Connection>(std::move(primary));
  SEG_RETURN_IF_ERROR(
      RegisterRowsFunction(database.impl_->primary->impl_->handle, database.impl_->registry.get()));
  return database;
}

Connection& Database::connection() { return *impl_->primary; }

Result<Connection> Database::Connect() {
  auto impl = std::make_unique<Connection::Impl>();
  if (duckdb_connect(impl_->handle, &impl->handle) == DuckDBError) {
    return Status::Internal("cannot connect to the database");
  }
  impl->registry = impl_->registry.get();
  return Connection(std::move(impl));
}

Status RunWatched(const std::function<Status()>& body, const std::function<void()>& tick) {
  std::atomic<bool> done{false};
  Status status;
  std::thread worker([&] {
    status = body();
    done = true;
  });
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (!done) tick();
  }
  worker.join();
  return status;
}

Status InTransaction(Connection& conn, const std::function<Status()>& body) {
  SEG_RETURN_IF_ERROR(conn.Execute("BEGIN TRANSACTION"));
  Status status = body();
  if (!status.ok()) {
    (void)conn.Execute("ROLLBACK");
    return status;
  }
  return conn.Execute("COMMIT");
}

}  // namespace segmenta::store
