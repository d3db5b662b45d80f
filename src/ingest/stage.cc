#include "ingest/stage.h"

#include <algorithm>
#include <atomic>
#include <fstream>
#include <mutex>
#include <queue>

#include "engine/dialect.h"

namespace segmenta::ingest {
namespace {

const Dialect& Sql() { return DuckDbDialect(); }

// The record hash that narrows the search for exact duplicates, as a BIGINT.
std::string HashSql(const std::vector<std::string>& columns) {
  std::string list;
  for (const std::string& column : columns) list += (list.empty() ? "" : ", ") + column;
  return "CAST(hash(" + list + ") >> 1 AS BIGINT) AS __hash";
}

std::string Describe(const CsvDialect& dialect) {
  auto shown = [](char c) -> std::string {
    if (c == '\t') return "tab";
    if (c == '\0') return "none";
    return std::string("'") + c + "'";
  };
  return "CSV, delimiter " + shown(dialect.delimiter) +
         (dialect.delimiter_detected ? " (detected)" : "") + ", quote " + shown(dialect.quote) +
         ", " + (dialect.header ? "header" : "no header") +
         (dialect.header_detected ? " (detected)" : "") + ", " + dialect.encoding +
         (dialect.multiline ? ", multi-line records" : "");
}

// Parts of about this size keep every thread busy until the end of a file.
constexpr size_t kPartBytes = 32 << 20;

}  // namespace

// A CSV file as a row source: (line, __hash, columns…), one part per byte range. The
// first complete read of each part also records its rejects, row count and hashes.
class CsvRows final : public store::RowSource {
 public:
  struct PartResult {
    bool done = false;
    int64_t rows = 0;
    std::vector<CsvReject> rejects;
    std::vector<int64_t> hashes;  // sorted
  };

  CsvRows(CsvFile file, int threads) : file_(std::move(file)) {
    CsvRange whole = file_.Split(1).front();
    size_t parts =
        threads <= 1 ? 1 : std::max<size_t>(threads, (whole.end - whole.begin) / kPartBytes);
    ranges_ = file_.Split(static_cast<int>(std::min<size_t>(parts, 4096)));
    results_.resize(ranges_.size());
  }

  std::vector<std::string> number_columns() const override { return {"__line", "__hash"}; }
  std::vector<std::string> text_columns() const override { return file_.columns(); }
  size_t parts() const override { return ranges_.size(); }
  size_t estimated_rows() const override { return file_.EstimateRows(); }
  Result<std::unique_ptr<store::RowReader>> OpenPart(size_t part) override;

  const CsvFile& file() const { return file_; }
  size_t bytes() const { return ranges_.back().end - ranges_.front().begin; }
  size_t bytes_read() const { return bytes_read_.load(); }
  void AddBytesRead(size_t bytes) { bytes_read_ += bytes; }

  bool Collecting(size_t part) {
    std::lock_guard<std::mutex> lock(mutex_);
    return !results_[part].done;
  }
  void Complete(size_t part, PartResult result) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (results_[part].done) return;
    results_[part] = std::move(result);
    results_[part].done = true;
  }
  bool complete() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::all_of(results_.begin(), results_.end(), [](const auto& r) { return r.done; });
  }
  // Rejects in line order and the number of good rows; the rejects are moved out.
  int64_t TakeRejects(std::vector<CsvReject>& rejects) {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t rows = 0;
    for (PartResult& result : results_) {
      rows += result.rows;
      for (CsvReject& reject : result.rejects) rejects.push_back(std::move(reject));
      result.rejects.clear();
    }
    return rows;
  }
  // Hashes seen more than once across all parts (a merge of the sorted part lists).
  std::vector<int64_t> RepeatedHashes() {
    std::lock_guard<std::mutex> lock(mutex_);
    using Head = std::pair<int64_t, size_t>;  // value, part
    std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
    std::vector<size_t> next(results_.size(), 0);
    for (size_t part = 0; part < results_.size(); ++part) {
      if (!results_[part].hashes.empty()) heads.push({results_[part].hashes[0], part});
    }
    std::vector<int64_t> repeated;
    bool have_previous = false;
    int64_t previous = 0;
    while (!heads.empty()) {
      auto [value, part] = heads.top();
      heads.pop();
      if (have_previous && value == previous && (repeated.empty() || repeated.back() != value)) {
        repeated.push_back(value);
      }
      previous = value;
      have_previous = true;
      const std::vector<int64_t>& hashes = results_[part].hashes;
      if (++next[part] < hashes.size()) heads.push({hashes[next[part]], part});
    }
    return repeated;
  }

 private:
  CsvFile file_;
  std::vector<CsvRange> ranges_;
  std::atomic<size_t> bytes_read_{0};
  std::mutex mutex_;
  std::vector<PartResult> results_;
};

namespace {

class CsvPartReader final : public store::RowReader {
 public:
  CsvPartReader(CsvRows& rows, const CsvRange& range, size_t part)
      : rows_(rows), cursor_(rows.file(), range), part_(part), collect_(rows.Collecting(part)) {}

  Result<bool> Read(store::RowSink& sink) override {
    std::hash<std::string_view> hash;
    size_t before = cursor_.bytes_read();
    SEG_RETURN_IF_ERROR(cursor_.Next(
        sink.remaining(),
        [&](int64_t line, std::string_view record, const std::vector<std::string_view>& fields) {
          auto record_hash = static_cast<int64_t>(hash(record));
          sink.Append({line, record_hash}, fields);
          if (collect_) result_.hashes.push_back(record_hash);
          ++result_.rows;
          return Status::Ok();
        },
        [&](CsvReject reject) {
          if (collect_) result_.rejects.push_back(std::move(reject));
          return Status::Ok();
        }));
    rows_.AddBytesRead(cursor_.bytes_read() - before);
    if (!cursor_.done()) return false;
    if (collect_) {
      std::sort(result_.hashes.begin(), result_.hashes.end());
      rows_.Complete(part_, std::move(result_));
    }
    return true;
  }

 private:
  CsvRows& rows_;
  CsvCursor cursor_;
  size_t part_;
  bool collect_;
  CsvRows::PartResult result_;
};

}  // namespace

Result<std::unique_ptr<store::RowReader>> CsvRows::OpenPart(size_t part) {
  return std::unique_ptr<store::RowReader>(
      std::make_unique<CsvPartReader>(*this, ranges_[part], part));
}

StagedSource::StagedSource() = default;
StagedSource::StagedSource(StagedSource&&) noexcept = default;
StagedSource& StagedSource::operator=(StagedSource&&) noexcept = default;
StagedSource::~StagedSource() {
  registration_.reset();  // unregistered before the source goes
}

Status StagedSource::Collect(store::Connection& conn) {
  if (!csv_) return Status::Ok();
  if (!csv_->complete()) {
    SEG_RETURN_IF_ERROR(conn.Execute("SELECT count(*) FROM " + from));
  }
  rejects.clear();
  rows_staged = csv_->TakeRejects(rejects);
  return Status::Ok();
}

Status StagedSource::WriteDuplicateCandidates(store::Connection& conn,
                                              const std::string& table) const {
  std::string quoted = Sql().QuoteIdentifier(table);
  if (!csv_) {
    return conn.Execute("CREATE OR REPLACE TEMP TABLE " + quoted + " AS SELECT __hash FROM " +
                        from + " GROUP BY 1 HAVING count(*) > 1");
  }
  SEG_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " + quoted + " (__hash BIGINT)"));
  std::vector<int64_t> repeated = csv_->RepeatedHashes();
  if (repeated.empty()) return Status::Ok();
  SEG_ASSIGN_OR_RETURN(store::Appender appender, conn.MakeAppender(table));
  for (int64_t hash : repeated) {
    appender.Append(hash);
    SEG_RETURN_IF_ERROR(appender.EndRow());
  }
  return appender.Flush();
}

size_t StagedSource::bytes_read() const { return csv_ ? csv_->bytes_read() : 0; }
size_t StagedSource::bytes() const { return csv_ ? csv_->bytes() : 0; }

namespace {

// JSON lines: each line is read whole, then split into columns by its keys in SQL.
Result<StagedSource> StageJsonLines(store::Connection& conn, const SourceConfig& source,
                                    const std::string& table) {
  CsvOptions lines;
  lines.delimiter = '\x1f';  // never in a JSON line: control characters must be escaped
  lines.quote = '\0';
  lines.header = false;
  lines.encoding = source.csv.encoding;
  SourceConfig as_lines = source;
  as_lines.csv = lines;
  as_lines.format = SourceFormat::kCsv;
  SEG_ASSIGN_OR_RETURN(StagedSource raw, StageSource(conn, as_lines, table, 1));
  std::string raw_table = table + "_lines";
  std::string quoted_raw = Sql().QuoteIdentifier(raw_table);
  std::string json = Sql().QuoteIdentifier(raw.columns[0]);
  SEG_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " + quoted_raw +
                                   " AS SELECT __line, " + json + " FROM " + raw.from));
  SEG_RETURN_IF_ERROR(raw.Collect(conn));
  SEG_ASSIGN_OR_RETURN(store::Rows invalid,
                       conn.Query("SELECT __line, " + json + " FROM " + quoted_raw +
                                  " WHERE NOT coalesce(json_valid(" + json +
                                  "), false) OR "
                                  "json_type(" +
                                  json + ") <> 'OBJECT' ORDER BY __line"));
  StagedSource staged;
  staged.rejects = std::move(raw.rejects);
  for (const auto& row : invalid.rows) {
    std::string text = store::ToText(row[1]);
    staged.rejects.push_back(
        {std::get<int64_t>(row[0]), "", text.substr(0, 80), "not a JSON object on one line", text});
  }
  std::sort(staged.rejects.begin(), staged.rejects.end(),
            [](const CsvReject& a, const CsvReject& b) { return a.line < b.line; });
  SEG_ASSIGN_OR_RETURN(
      store::Rows keys,
      conn.Query("SELECT k FROM (SELECT unnest(json_keys(" + json + ")) AS k, __line FROM " +
                 quoted_raw + " WHERE coalesce(json_valid(" + json + "), false) AND json_type(" +
                 json + ") = 'OBJECT') GROUP BY k ORDER BY min(__line), k"));
  staged.from = Sql().QuoteIdentifier(table);
  staged.description =
      "JSON lines, " + (source.csv.encoding.empty() ? std::string("utf-8") : source.csv.encoding);
  std::string select = "SELECT __line, " + HashSql({json});
  for (const auto& row : keys.rows) {
    std::string key = store::ToText(row[0]);
    staged.columns.push_back(key);
    select += ", NULLIF(trim(" + json + "->>" +
              Sql().QuoteString("$." + Sql().QuoteIdentifier(key)) + "), '') AS " +
              Sql().QuoteIdentifier(key);
  }
  SEG_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " + staged.from + " AS " + select +
                                   " FROM " + quoted_raw + " WHERE coalesce(json_valid(" + json +
                                   "), false) AND json_type(" + json + ") = 'OBJECT'; DROP TABLE " +
                                   quoted_raw));
  SEG_ASSIGN_OR_RETURN(staged.rows_staged, conn.QueryInt("SELECT count(*) FROM " + staged.from));
  if (staged.columns.empty() && staged.rows_staged > 0) {
    return Status::DataError(source.file.string() + " has JSON objects without any keys");
  }
  return staged;
}

Status CheckParquetMagic(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + file.string());
  char magic[4] = {0, 0, 0, 0};
  in.read(magic, 4);
  if (in.gcount() == 0)
    return Status::DataError(file.string() + " is empty: there is nothing to load");
  if (std::string_view(magic, 4) != "PAR1") {
    return Status::DataError(file.string() +
                             " is not a Parquet file (it does not start with "
                             "PAR1); if it is CSV, name it .csv or set format = \"csv\"");
  }
  return Status::Ok();
}

Result<StagedSource> StageParquet(store::Connection& conn, const SourceConfig& source,
                                  const std::string& table) {
  SEG_RETURN_IF_ERROR(CheckParquetMagic(source.file));
  std::string scan = "read_parquet(" + Sql().QuoteString(source.file.string()) + ")";
  SEG_ASSIGN_OR_RETURN(store::Rows described, conn.Query("DESCRIBE SELECT * FROM " + scan));
  StagedSource staged;
  staged.from = Sql().QuoteIdentifier(table);
  staged.description = "Parquet";
  std::string select = "SELECT CAST(file_row_number + 1 AS BIGINT) AS __line";
  std::vector<std::string> quoted;
  for (const auto& row : described.rows) {
    std::string column = store::ToText(row[0]);
    staged.columns.push_back(column);
    quoted.push_back(Sql().QuoteIdentifier(column));
    select += ", NULLIF(trim(CAST(" + Sql().QuoteIdentifier(column) + " AS VARCHAR)), '') AS " +
              Sql().QuoteIdentifier(column);
  }
  select += ", " + HashSql(quoted);
  std::string with_row_numbers =
      "read_parquet(" + Sql().QuoteString(source.file.string()) + ", file_row_number = true)";
  SEG_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " + staged.from + " AS " + select +
                                   " FROM " + with_row_numbers));
  SEG_ASSIGN_OR_RETURN(staged.rows_staged, conn.QueryInt("SELECT count(*) FROM " + staged.from));
  if (staged.rows_staged == 0) {
    return Status::DataError(source.file.string() + " has a schema but no rows");
  }
  return staged;
}

}  // namespace

Result<StagedSource> StageSource(store::Connection& conn, const SourceConfig& source,
                                 const std::string& table, int threads) {
  if (!std::filesystem::exists(source.file)) {
    return Status::NotFound("source '" + source.name + "': file " + source.file.string() +
                            " does not exist");
  }
  switch (source.format) {
    case SourceFormat::kCsv: {
      SEG_ASSIGN_OR_RETURN(CsvFile file, CsvFile::Open(source.file, source.csv));
      StagedSource staged;
      staged.columns = file.columns();
      staged.description = Describe(file.dialect());
      staged.csv_ = std::make_unique<CsvRows>(std::move(file), threads);
      SEG_ASSIGN_OR_RETURN(store::RowSourceRegistration registration, conn.Register(*staged.csv_));
      staged.from = registration.FromSql();
      staged.registration_ =
          std::make_unique<store::RowSourceRegistration>(std::move(registration));
      return staged;
    }
    case SourceFormat::kJsonLines:
      return StageJsonLines(conn, source, table);
    case SourceFormat::kParquet:
      return StageParquet(conn, source, table);
  }
  return Status::Internal("unknown source format");
}

}  // namespace segmenta::ingest
