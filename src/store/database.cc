#include "store/database.h"

#include <duckdb.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <thread>

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
using PreparedPtr = std::unique_ptr<std::remove_pointer_t<duckdb_prepared_statement>,
                                    PreparedDeleter>;

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
  if (const auto* number = std::get_if<int64_t>(&value)) return duckdb_bind_int64(stmt, index, *number);
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

struct Connection::Impl {
  duckdb_connection handle = nullptr;
  ~Impl() {
    if (handle) duckdb_disconnect(&handle);
  }
};

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

Result<Rows> Connection::Query(std::string_view sql, const std::vector<Value>& params) {
  std::string text(sql);
  ResultPtr result = MakeResult();
  if (params.empty()) {
    if (duckdb_query(impl_->handle, text.c_str(), result.get()) == DuckDBError) {
      return FromDuckError(duckdb_result_error_type(result.get()),
                           duckdb_result_error(result.get()), sql);
    }
    return Materialise(result.get());
  }
  duckdb_prepared_statement raw = nullptr;
  duckdb_state state = duckdb_prepare(impl_->handle, text.c_str(), &raw);
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
  if (duckdb_execute_prepared(stmt.get(), result.get()) == DuckDBError) {
    return FromDuckError(duckdb_result_error_type(result.get()), duckdb_result_error(result.get()),
                         sql);
  }
  return Materialise(result.get());
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

Status Connection::ExecuteWithProgress(std::string_view sql,
                                       const std::function<void(double)>& on_progress) {
  std::atomic<bool> done{false};
  Status status;
  std::thread worker([&] {
    status = Execute(sql);
    done = true;
  });
  while (!done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (done) break;
    duckdb_query_progress_type progress = duckdb_query_progress(impl_->handle);
    on_progress(progress.percentage < 0 ? -1.0 : progress.percentage / 100.0);
  }
  worker.join();
  return status;
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
  if (duckdb_appender_create(impl_->handle, nullptr, table.c_str(), &impl->handle) ==
      DuckDBError) {
    const char* message = impl->handle ? duckdb_appender_error(impl->handle) : nullptr;
    return Status::Internal("cannot append to " + table + ": " +
                            (message ? message : "unknown error"));
  }
  return Appender(std::move(impl));
}

// ---------------------------------------------------------------- StagingWriter

struct StagingWriter::Impl {
  duckdb_appender appender = nullptr;
  std::mutex mutex;  // guards appender: batches send chunks from several threads
  size_t number_columns = 0;
  size_t text_columns = 0;
  std::unique_ptr<Batch> default_batch;
  ~Impl() {
    default_batch.reset();
    if (appender) duckdb_appender_destroy(&appender);
  }
  Status Send(duckdb_data_chunk chunk) {
    std::lock_guard<std::mutex> lock(mutex);
    if (duckdb_append_data_chunk(appender, chunk) == DuckDBError) {
      const char* message = duckdb_appender_error(appender);
      return Status::Internal(std::string("staging append: ") + (message ? message : "error"));
    }
    return Status::Ok();
  }
};

struct StagingWriter::Batch::Impl {
  StagingWriter::Impl* writer = nullptr;
  duckdb_data_chunk chunk = nullptr;
  idx_t rows = 0;
  idx_t capacity = 0;
  ~Impl() {
    if (chunk) duckdb_destroy_data_chunk(&chunk);
  }
  Status Send() {
    if (rows == 0) return Status::Ok();
    duckdb_data_chunk_set_size(chunk, rows);
    Status status = writer->Send(chunk);
    duckdb_data_chunk_reset(chunk);
    rows = 0;
    return status;
  }
};

StagingWriter::Batch::Batch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StagingWriter::Batch::Batch(Batch&&) noexcept = default;
StagingWriter::Batch& StagingWriter::Batch::operator=(Batch&&) noexcept = default;
StagingWriter::Batch::~Batch() = default;

Status StagingWriter::Batch::Append(std::initializer_list<int64_t> numbers,
                                    const std::vector<std::string_view>& texts) {
  Impl& impl = *impl_;
  const StagingWriter::Impl& writer = *impl.writer;
  idx_t row = impl.rows;
  size_t number_idx = 0;
  for (int64_t number : numbers) {
    if (number_idx >= writer.number_columns) break;
    duckdb_vector vector = duckdb_data_chunk_get_vector(impl.chunk, number_idx++);
    static_cast<int64_t*>(duckdb_vector_get_data(vector))[row] = number;
  }
  for (size_t col = 0; col < writer.text_columns; ++col) {
    duckdb_vector vector = duckdb_data_chunk_get_vector(impl.chunk, writer.number_columns + col);
    std::string_view text = col < texts.size() ? texts[col] : std::string_view();
    if (text.data() == nullptr) {
      duckdb_vector_ensure_validity_writable(vector);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), row);
      continue;
    }
    duckdb_vector_assign_string_element_len(vector, row, text.data(), text.size());
  }
  if (++impl.rows == impl.capacity) return impl.Send();
  return Status::Ok();
}

Status StagingWriter::Batch::Flush() { return impl_->Send(); }

StagingWriter::StagingWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StagingWriter::StagingWriter(StagingWriter&&) noexcept = default;
StagingWriter& StagingWriter::operator=(StagingWriter&&) noexcept = default;
StagingWriter::~StagingWriter() = default;

StagingWriter::Batch StagingWriter::NewBatch() {
  std::vector<duckdb_logical_type> types;
  for (size_t col = 0; col < impl_->number_columns; ++col) {
    types.push_back(duckdb_create_logical_type(DUCKDB_TYPE_BIGINT));
  }
  for (size_t col = 0; col < impl_->text_columns; ++col) {
    types.push_back(duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR));
  }
  auto batch = std::make_unique<Batch::Impl>();
  batch->writer = impl_.get();
  batch->chunk = duckdb_create_data_chunk(types.data(), types.size());
  batch->capacity = duckdb_vector_size();
  for (duckdb_logical_type& type : types) duckdb_destroy_logical_type(&type);
  return Batch(std::move(batch));
}

Status StagingWriter::Append(std::initializer_list<int64_t> numbers,
                             const std::vector<std::string_view>& texts) {
  if (!impl_->default_batch) impl_->default_batch = std::make_unique<Batch>(NewBatch());
  return impl_->default_batch->Append(numbers, texts);
}

Status StagingWriter::Finish() {
  if (impl_->default_batch) SEG_RETURN_IF_ERROR(impl_->default_batch->Flush());
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (duckdb_appender_flush(impl_->appender) == DuckDBError) {
    const char* message = duckdb_appender_error(impl_->appender);
    return Status::Internal(std::string("staging flush: ") + (message ? message : "error"));
  }
  return Status::Ok();
}

Result<StagingWriter> Connection::MakeStagingWriter(const std::string& table,
                                                    size_t number_columns, size_t text_columns) {
  auto impl = std::make_unique<StagingWriter::Impl>();
  if (duckdb_appender_create(impl_->handle, nullptr, table.c_str(), &impl->appender) ==
      DuckDBError) {
    return Status::Internal("cannot append to " + table);
  }
  impl->number_columns = number_columns;
  impl->text_columns = text_columns;
  return StagingWriter(std::move(impl));
}

// ---------------------------------------------------------------- Database

struct Database::Impl {
  duckdb_database handle = nullptr;
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
  return database;
}

Connection& Database::connection() { return *impl_->primary; }

Result<Connection> Database::Connect() {
  auto impl = std::make_unique<Connection::Impl>();
  if (duckdb_connect(impl_->handle, &impl->handle) == DuckDBError) {
    return Status::Internal("cannot connect to the database");
  }
  return Connection(std::move(impl));
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
