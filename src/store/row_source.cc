// Row sources: the registry of sources, the segmenta_rows table function that DuckDB
// reads them through, and Connection::Register.
#include <duckdb.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/database.h"
#include "store/database_impl.h"

namespace segmenta::store {

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

}  // namespace

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

Result<RowSourceRegistration> Connection::Register(RowSource& source) {
  auto impl = std::make_unique<RowSourceRegistration::Impl>();
  impl->registry = impl_->registry;
  std::lock_guard<std::mutex> lock(impl->registry->mutex);
  impl->id = impl->registry->next_id++;
  impl->registry->sources[impl->id] = &source;
  return RowSourceRegistration(std::move(impl));
}

}  // namespace segmenta::store
