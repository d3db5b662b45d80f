// A strict, line-aware CSV reader: every record either reaches `on_row` with its line
// number or reaches `on_reject` with the line, column, value and reason. Nothing is
// skipped silently.
//
//   SEG_ASSIGN_OR_RETURN(CsvFile csv, CsvFile::Open("orders.csv", options));
//   SEG_RETURN_IF_ERROR(csv.Read(on_row, on_reject, on_progress));
//
// By default one record is one line, so a stray quote costs one row, not the rest of
// the file; `multiline` allows RFC 4180 quoted line breaks. Input must be valid UTF-8
// (a UTF-8 BOM is skipped); latin-1 is transcoded when declared, UTF-16 when declared
// or marked by a BOM. Not thread-safe.
#ifndef SEGMENTA_INGEST_CSV_READER_H_
#define SEGMENTA_INGEST_CSV_READER_H_

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/encoding.h"
#include "segmenta/project.h"
#include "segmenta/status.h"

namespace segmenta::ingest {

// A byte range of whole records, [begin, end), for reading a file in parallel.
struct CsvRange {
  size_t begin = 0;
  size_t end = 0;
  int64_t first_line = 1;  // the line number of the record at `begin`
};

// The fields of one record being split (reused from record to record).
struct ParsedRecord {
  std::vector<std::string_view> fields;
  std::string error;       // empty when the record parsed
  size_t error_field = 0;  // index of the field at fault
  std::string error_value;
};

// What was declared or detected about a file.
struct CsvDialect {
  char delimiter = ',';
  char quote = '"';  // '\0': no quoting
  bool header = true;
  std::string encoding = "utf-8";
  bool multiline = false;
  bool delimiter_detected = false;
  bool header_detected = false;
};

struct CsvReject {
  int64_t line = 0;
  std::string column;  // column name, or "" when the whole row is at fault
  std::string value;   // the offending text (invalid bytes written as \xNN)
  std::string reason;
  std::string raw;  // the whole record as read (invalid bytes written as \xNN)
};

// Fields of one good record; unquoted fields are trimmed of blanks, and a null
// string_view (data() == nullptr) is an empty unquoted field (SQL NULL); a quoted field
// is kept exactly. Valid until the callback returns.
// `record` is the record's text as read (without its line break).
using CsvRowFn = std::function<Status(int64_t line, std::string_view record,
                                      const std::vector<std::string_view>& fields)>;
using CsvRejectFn = std::function<Status(CsvReject reject)>;
using ProgressFn = std::function<void(double fraction)>;

class CsvFile {
 public:
  static Result<CsvFile> Open(const std::filesystem::path& path, const CsvOptions& options);

  CsvFile(CsvFile&&) noexcept;
  CsvFile& operator=(CsvFile&&) noexcept;
  ~CsvFile();

  const CsvDialect& dialect() const { return dialect_; }
  // Column names: from the header, or column1..columnN.
  const std::vector<std::string>& columns() const { return columns_; }

  // Reads every record after the header. Stops at the first error a callback returns.
  Status Read(const CsvRowFn& on_row, const CsvRejectFn& on_reject,
              const ProgressFn& on_progress = {}) const;

  // About how many records there are, from the length of the first ones.
  size_t EstimateRows() const;

  // Cuts the records into up to `parts` ranges at line breaks, to
  // be read on different threads at once; one range for multi-line files and small
  // files. Line numbers stay those of the whole file.
  std::vector<CsvRange> Split(int parts) const;
  Status ReadRange(const CsvRange& range, const CsvRowFn& on_row, const CsvRejectFn& on_reject,
                   const ProgressFn& on_progress = {}) const;

 private:
  friend class CsvCursor;
  struct Mapping;
  CsvFile() = default;
  Status Prepare(const CsvOptions& options);
  // Lets the kernel drop the mapped pages in [from, to) (already parsed).
  void Release(size_t from, size_t to) const;
  // The text between the delimiters around byte `offset` of a raw record.
  std::string_view FieldAt(std::string_view raw, size_t offset) const;
  // The column holding byte `offset` of a raw record.
  std::string ColumnAt(std::string_view raw, size_t offset) const;

  std::filesystem::path path_;
  std::unique_ptr<Mapping> mapping_;
  // The whole file as UTF-8 when it was not UTF-8 on disk; on the heap so that text_
  // stays valid when a CsvFile moves.
  std::unique_ptr<std::string> transcoded_;
  std::string_view text_;  // the bytes to parse (mapping or transcoded_)
  size_t data_start_ = 0;  // offset of the first data record
  int64_t data_first_line_ = 1;
  CsvDialect dialect_;
  std::vector<std::string> columns_;
};

// Reads the records of one range a few at a time, for callers that pull rows in
// chunks; one cursor per thread. The file must outlive it.
class CsvCursor {
 public:
  CsvCursor(const CsvFile& file, const CsvRange& range);

  // Reads records until `max_rows` of them reached `on_row` or the range ends; stops at
  // the first error a callback returns.
  Status Next(size_t max_rows, const CsvRowFn& on_row, const CsvRejectFn& on_reject);
  bool done() const { return pos_ >= text_.size(); }
  // Share of the range read, 0 to 1, and bytes read.
  double fraction() const;
  size_t bytes_read() const { return std::min(pos_, text_.size()) - begin_; }

 private:
  static constexpr size_t kReleaseEvery = 8 << 20;
  const CsvFile& file_;
  std::string_view text_;  // the file's text up to the range's end
  size_t begin_;
  size_t pos_;
  size_t released_;
  size_t next_release_;
  int64_t line_;
  std::string scratch_;
  ParsedRecord record_;
};

}  // namespace segmenta::ingest

#endif  // SEGMENTA_INGEST_CSV_READER_H_
