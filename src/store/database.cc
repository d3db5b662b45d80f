#include "store/database.h"

#include <duckdb.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <map>
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

struct RowSourceRegistry;

struct Connection::Impl {
  duckdb_connection handle = nullptr;
  RowSourceRegistry* registry = nullptr;
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

// ---------------------------------------------------------------- row sources

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

struct RowSourceRegistration::Impl {
  RowSourceRegistry* registry = nullptr;
  int64_t id = 0;
  ~Impl() {
    std::lock_guard<std::mutex> lock(registry->mutex);
    registry->sources.erase(id);
  }
};

RowSourceRegistration::RowSourceRegistration(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RowSourceRegistration::RowSourceRegistration(RowSourceRegistration&&) noexcept = default;
RowSourceRegistration& RowSourceRegistration::operator=(RowSourceRegistration&&) noexcept = default;
RowSourceRegistration::~RowSourceRegistration() = default;

std::string RowSourceRegistration::FromSql() const {
  return "segmenta_rows(" + std::to_string(impl_->id) + ")";
}

void RowSink::Append(std::initializer_list<int64_t> numbers,
                     const std::vector<std::string_view>& texts) {
  size_t col = 0;
  for (int64_t number : numbers) {
    if (col >= number_columns_) break;
    if (numbers_[col]) numbers_[col][rows_] = number;
    ++col;
  }
  for (size_t text_idx = 0; text_idx + number_columns_ < vectors_.size(); ++text_idx) {
    auto vector = static_cast<duckdb_vector>(vectors_[number_columns_ + text_idx]);
    if (!vector) continue;
    std::string_view text = text_idx < texts.size() ? texts[text_idx] : std::string_view();
    if (text.data() == nullptr) {
      duckdb_vector_ensure_validity_writable(vector);
      duckdb_validity_set_row_invalid(duckdb_vector_get_validity(vector), rows_);
      continue;
    }
    duckdb_vector_assign_string_element_len(vector, rows_, text.data(), text.size());
  }
  ++rows_;
}

// One scan of a source by one query: the parts not yet taken and the projection.
struct RowScan {
  RowSource* source = nullptr;
  size_t parts = 0;
  std::atomic<size_t> next_part{0};
  size_t number_columns = 0;
  size_t source_columns = 0;
  std::vector<idx_t> output_of;  // per source column: its output column, or npos
  std::vector<idx_t> unknown;    // output columns that are no source column (row ids)

  static constexpr idx_t kNotRead = static_cast<idx_t>(-1);

  RowSink SinkFor(duckdb_data_chunk chunk) const {
    RowSink sink;
    sink.number_columns_ = number_columns;
    sink.capacity_ = duckdb_vector_size();
    sink.vectors_.assign(source_columns, nullptr);
    sink.numbers_.assign(number_columns, nullptr);
    for (size_t col = 0; col < source_columns; ++col) {
      if (output_of[col] == kNotRead) continue;
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, output_of[col]);
      sink.vectors_[col] = vector;
      if (col < number_columns) {
        sink.numbers_[col] = static_cast<int64_t*>(duckdb_vector_get_data(vector));
      }
    }
    return sink;
  }

  void Finish(duckdb_data_chunk chunk, const RowSink& sink) const {
    for (idx_t col : unknown) {
      duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, col);
      duckdb_vector_ensure_validity_writable(vector);
      uint64_t* validity = duckdb_vector_get_validity(vector);
      for (size_t row = 0; row < sink.rows_; ++row) duckdb_validity_set_row_invalid(validity, row);
    }
    duckdb_data_chunk_set_size(chunk, sink.rows_);
  }
};

namespace {

struct RowScanThread {
  std::unique_ptr<RowReader> reader;
};

void AddResultColumns(duckdb_bind_info info, const std::vector<std::string>& names,
                      DUCKDB_TYPE type) {
  duckdb_logical_type logical = duckdb_create_logical_type(type);
  for (const std::string& name : names) duckdb_bind_add_result_column(info, name.c_str(), logical);
  duckdb_destroy_logical_type(&logical);
}

void RowsBind(duckdb_bind_info info) {
  auto* registry = static_cast<RowSourceRegistry*>(duckdb_bind_get_extra_info(info));
  duckdb_value id_value = duckdb_bind_get_parameter(info, 0);
  int64_t id = duckdb_get_int64(id_value);
  duckdb_destroy_value(&id_value);
  RowSource* source = registry->Find(id);
  if (!source) {
    duckdb_bind_set_error(info, ("segmenta_rows: no row source " + std::to_string(id)).c_str());
    return;
  }
  AddResultColumns(info, source->number_columns(), DUCKDB_TYPE_BIGINT);
  AddResultColumns(info, source->text_columns(), DUCKDB_TYPE_VARCHAR);
  duckdb_bind_set_cardinality(info, source->estimated_rows(), false);
  duckdb_bind_set_bind_data(info, source, nullptr);
}

void RowsInit(duckdb_init_info info) {
  auto* source = static_cast<RowSource*>(duckdb_init_get_bind_data(info));
  auto scan = std::make_unique<RowScan>();
  scan->source = source;
  scan->parts = source->parts();
  scan->number_columns = source->number_columns().size();
  scan->source_columns = scan->number_columns + source->text_columns().size();
  scan->output_of.assign(scan->source_columns, RowScan::kNotRead);
  for (idx_t out = 0; out < duckdb_init_get_column_count(info); ++out) {
    idx_t col = duckdb_init_get_column_index(info, out);
    if (col < scan->source_columns) {
      scan->output_of[col] = out;
    } else {
      scan->unknown.push_back(out);
    }
  }
  duckdb_init_set_max_threads(info, std::max<idx_t>(1, scan->parts));
  duckdb_init_set_init_data(info, scan.release(),
                            [](void* data) { delete static_cast<RowScan*>(data); });
}

void RowsThreadInit(duckdb_init_info info) {
  duckdb_init_set_init_data(info, new RowScanThread,
                            [](void* data) { delete static_cast<RowScanThread*>(data); });
}

void RowsFunction(duckdb_function_info info, duckdb_data_chunk output) {
  auto* scan = static_cast<RowScan*>(duckdb_function_get_init_data(info));
  auto* thread = static_cast<RowScanThread*>(duckdb_function_get_local_init_data(info));
  RowSink sink = scan->SinkFor(output);
  while (!sink.full()) {
    if (!thread->reader) {
      size_t part = scan->next_part.fetch_add(1);
      if (part >= scan->parts) break;
      Result<std::unique_ptr<RowReader>> reader = scan->source->OpenPart(part);
      if (!reader.ok()) {
        duckdb_function_set_error(info, reader.status().message().c_str());
        return;
      }
      thread->reader = std::move(*reader);
    }
    Result<bool> done = thread->reader->Read(sink);
    if (!done.ok()) {
      duckdb_function_set_error(info, done.status().message().c_str());
      return;
    }
    if (*done) thread->reader.reset();
  }
  scan->Finish(output, sink);
}

Status RegisterRowsFunction(duckdb_connection connection, RowSourceRegistry* registry) {
  duckdb_table_function function = duckdb_create_table_function();
  duckdb_table_function_set_name(function, "segmenta_rows");
  duckdb_logical_type bigint = duckdb_create_logical_type(DUCKDB_TYPE_BIGINT);
  duckdb_table_function_add_parameter(function, bigint);
  duckdb_destroy_logical_type(&bigint);
  duckdb_table_function_set_extra_info(function, registry, nullptr);
  duckdb_table_function_set_bind(function, RowsBind);
  duckdb_table_function_set_init(function, RowsInit);
  duckdb_table_function_set_local_init(function, RowsThreadInit);
  duckdb_table_function_set_function(function, RowsFunction);
  duckdb_table_function_supports_projection_pushdown(function, true);
  duckdb_state state = duckdb_register_table_function(connection, function);
  duckdb_destroy_table_function(&function);
  if (state == DuckDBError) return Status::Internal("cannot register segmenta_rows");
  return Status::Ok();
}

}  // namespace

Result<RowSourceRegistration> Connection::Register(RowSource& source) {
  auto impl = std::make_unique<RowSourceRegistration::Impl>();
  impl->registry = impl_->registry;
  std::lock_guard<std::mutex> lock(impl->registry->mutex);
  impl->id = impl->registry->next_id++;
  impl->registry->sources[impl->id] = &source;
  return RowSourceRegistration(std::move(impl));
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
