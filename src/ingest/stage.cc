#include "ingest/stage.h"

#include <fstream>
#include <set>
#include <thread>

#include "engine/dialect.h"

namespace segmenta::ingest {
namespace {

const Dialect& Sql() { return DuckDbDialect(); }

std::string CreateStagingTable(const std::string& table, const std::vector<std::string>& columns) {
  std::string sql = "CREATE OR REPLACE TEMP TABLE " + Sql().QuoteIdentifier(table) +
                    " (line BIGINT, __hash BIGINT";
  for (const std::string& column : columns) sql += ", " + Sql().QuoteIdentifier(column) + " VARCHAR";
  return sql + ")";
}

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

// Reads the file's ranges on `threads` threads, each filling its own batch of chunks.
Result<StagedSource> StageCsv(store::Connection& conn, const SourceConfig& source,
                              const std::string& table, const StageProgressFn& progress,
                              int threads) {
  SEG_ASSIGN_OR_RETURN(CsvFile csv, CsvFile::Open(source.file, source.csv));
  StagedSource staged{table, csv.columns(), {}, 0, Describe(csv.dialect())};
  SEG_RETURN_IF_ERROR(conn.Execute(CreateStagingTable(table, staged.columns)));
  SEG_ASSIGN_OR_RETURN(store::StagingWriter writer,
                       conn.MakeStagingWriter(table, 2, staged.columns.size()));
  std::vector<CsvRange> ranges = csv.Split(threads);
  std::vector<std::vector<CsvReject>> rejects(ranges.size());
  std::vector<int64_t> rows(ranges.size(), 0);
  std::vector<Status> results(ranges.size());
  auto read = [&](size_t part) {
    store::StagingWriter::Batch batch = writer.NewBatch();
    std::hash<std::string_view> hash;
    Status status = csv.ReadRange(
        ranges[part],
        [&](int64_t line, std::string_view record, const std::vector<std::string_view>& fields) {
          ++rows[part];
          return batch.Append({line, static_cast<int64_t>(hash(record))}, fields);
        },
        [&](CsvReject reject) {
          rejects[part].push_back(std::move(reject));
          return Status::Ok();
        },
        part == 0 ? progress : StageProgressFn());
    results[part] = status.ok() ? batch.Flush() : status;
  };
  {
    std::vector<std::jthread> workers;
    for (size_t part = 1; part < ranges.size(); ++part) workers.emplace_back(read, part);
    read(0);
  }
  for (size_t part = 0; part < ranges.size(); ++part) {
    SEG_RETURN_IF_ERROR(results[part]);
    staged.rows_staged += rows[part];
    for (CsvReject& reject : rejects[part]) staged.rejects.push_back(std::move(reject));
  }
  SEG_RETURN_IF_ERROR(writer.Finish());
  return staged;
}

// JSON lines: each line is staged whole, then split into columns by its keys in SQL.
Result<StagedSource> StageJsonLines(store::Connection& conn, const SourceConfig& source,
                                    const std::string& table, const StageProgressFn& progress) {
  CsvOptions lines;
  lines.delimiter = '\x1f';  // never in a JSON line: control characters must be escaped
  lines.quote = '\0';
  lines.header = false;
  lines.encoding = source.csv.encoding;
  SourceConfig as_lines = source;
  as_lines.csv = lines;
  std::string raw_table = table + "_lines";
  SEG_ASSIGN_OR_RETURN(StagedSource raw, StageCsv(conn, as_lines, raw_table, progress, 1));
  std::string quoted_raw = Sql().QuoteIdentifier(raw_table);
  std::string json = Sql().QuoteIdentifier(raw.columns[0]);
  SEG_ASSIGN_OR_RETURN(store::Rows invalid,
                       conn.Query("SELECT line, " + json + " FROM " + quoted_raw +
                                  " WHERE NOT coalesce(json_valid(" + json + "), false) OR "
                                  "json_type(" + json + ") <> 'OBJECT' ORDER BY line"));
  for (const auto& row : invalid.rows) {
    std::string text = store::ToText(row[1]);
    raw.rejects.push_back({std::get<int64_t>(row[0]), "", text.substr(0, 80),
                           "not a JSON object on one line", text});
  }
  SEG_ASSIGN_OR_RETURN(
      store::Rows keys,
      conn.Query("SELECT k FROM (SELECT unnest(json_keys(" + json + ")) AS k, line FROM " +
                 quoted_raw + " WHERE coalesce(json_valid(" + json + "), false) AND json_type(" +
                 json + ") = 'OBJECT') GROUP BY k ORDER BY min(line), k"));
  StagedSource staged{table, {}, std::move(raw.rejects), 0, "JSON lines, " + source.csv.encoding};
  if (source.csv.encoding.empty()) staged.description = "JSON lines, utf-8";
  std::string select = "SELECT line, " + HashSql({json});
  for (const auto& row : keys.rows) {
    std::string key = store::ToText(row[0]);
    staged.columns.push_back(key);
    select += ", NULLIF(trim(" + json + "->>" +
              Sql().QuoteString("$." + Sql().QuoteIdentifier(key)) + "), '') AS " +
              Sql().QuoteIdentifier(key);
  }
  SEG_RETURN_IF_ERROR(conn.Execute(
      "CREATE OR REPLACE TEMP TABLE " + Sql().QuoteIdentifier(table) + " AS " + select + " FROM " +
      quoted_raw + " WHERE coalesce(json_valid(" + json + "), false) AND json_type(" + json +
      ") = 'OBJECT'; DROP TABLE " + quoted_raw));
  SEG_ASSIGN_OR_RETURN(staged.rows_staged,
                       conn.QueryInt("SELECT count(*) FROM " + Sql().QuoteIdentifier(table)));
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
  if (in.gcount() == 0) return Status::DataError(file.string() + " is empty: there is nothing to load");
  if (std::string_view(magic, 4) != "PAR1") {
    return Status::DataError(file.string() + " is not a Parquet file (it does not start with "
                             "PAR1); if it is CSV, name it .csv or set format = \"csv\"");
  }
  return Status::Ok();
}

Result<StagedSource> StageParquet(store::Connection& conn, const SourceConfig& source,
                                  const std::string& table) {
  SEG_RETURN_IF_ERROR(CheckParquetMagic(source.file));
  std::string scan = "read_parquet(" + Sql().QuoteString(source.file.string()) + ")";
  SEG_ASSIGN_OR_RETURN(store::Rows described, conn.Query("DESCRIBE SELECT * FROM " + scan));
  StagedSource staged{table, {}, {}, 0, "Parquet"};
  std::string select = "SELECT CAST(file_row_number + 1 AS BIGINT) AS line";
  std::vector<std::string> quoted;
  for (const auto& row : described.rows) {
    std::string column = store::ToText(row[0]);
    staged.columns.push_back(column);
    quoted.push_back(Sql().QuoteIdentifier(column));
    select += ", NULLIF(trim(CAST(" + Sql().QuoteIdentifier(column) + " AS VARCHAR)), '') AS " +
              Sql().QuoteIdentifier(column);
  }
  select += ", " + HashSql(quoted);
  std::string with_row_numbers = "read_parquet(" + Sql().QuoteString(source.file.string()) +
                                 ", file_row_number = true)";
  SEG_RETURN_IF_ERROR(conn.Execute("CREATE OR REPLACE TEMP TABLE " +
                                   Sql().QuoteIdentifier(table) + " AS " + select + " FROM " +
                                   with_row_numbers));
  SEG_ASSIGN_OR_RETURN(staged.rows_staged,
                       conn.QueryInt("SELECT count(*) FROM " + Sql().QuoteIdentifier(table)));
  if (staged.rows_staged == 0) {
    return Status::DataError(source.file.string() + " has a schema but no rows");
  }
  return staged;
}

}  // namespace

Result<StagedSource> StageSource(store::Connection& conn, const SourceConfig& source,
                                 const std::string& table, const StageProgressFn& progress,
                                 int threads) {
  if (!std::filesystem::exists(source.file)) {
    return Status::NotFound("source '" + source.name + "': file " + source.file.string() +
                            " does not exist");
  }
  switch (source.format) {
    case SourceFormat::kCsv:
      return StageCsv(conn, source, table, progress, threads);
    case SourceFormat::kJsonLines:
      return StageJsonLines(conn, source, table, progress);
    case SourceFormat::kParquet:
      return StageParquet(conn, source, table);
  }
  return Status::Internal("unknown source format");
}

}  // namespace segmenta::ingest
