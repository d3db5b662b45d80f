#include "ingest/csv_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "ingest/encoding.h"

namespace segmenta::ingest {

namespace {

// ------------------------------------------------------------------ parsing

// Finds the end of the record starting at `pos` (the offset of its '\n', or the end).
size_t RecordEnd(std::string_view text, size_t pos, char quote, bool multiline) {
  if (!multiline || quote == '\0') {
    const void* newline = std::memchr(text.data() + pos, '\n', text.size() - pos);
    return newline ? static_cast<const char*>(newline) - text.data() : text.size();
  }
  bool quoted = false;
  for (; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == quote)
      quoted = !quoted;
    else if (c == '\n' && !quoted)
      return pos;
  }
  return text.size();
}

// Unquoted fields lose surrounding spaces (and tabs, unless tab is the delimiter):
// exports pad columns, and trimming here is far cheaper than trim() in SQL.
std::string_view TrimBlanks(std::string_view field, char delimiter) {
  auto blank = [delimiter](char c) { return c == ' ' || (c == '\t' && delimiter != '\t'); };
  while (!field.empty() && blank(field.front())) field.remove_prefix(1);
  while (!field.empty() && blank(field.back())) field.remove_suffix(1);
  return field;
}

// Splits one record (without its line break) into fields. Quoted fields with doubled
// quotes are unescaped into `scratch`, which must not reallocate (reserved by caller).
void SplitRecord(std::string_view record, const CsvDialect& dialect, std::string& scratch,
                 ParsedRecord& out) {
  out.fields.clear();
  out.error.clear();
  const char delimiter = dialect.delimiter;
  const char quote = dialect.quote;
  size_t pos = 0;
  while (true) {
    size_t field_index = out.fields.size();
    if (quote != '\0' && pos < record.size() && record[pos] == quote) {
      size_t start = scratch.size();
      size_t cursor = pos + 1;
      bool closed = false;
      while (cursor < record.size()) {
        const char* next = static_cast<const char*>(
            std::memchr(record.data() + cursor, quote, record.size() - cursor));
        size_t at = next ? next - record.data() : record.size();
        scratch.append(record.substr(cursor, at - cursor));
        if (!next) break;
        if (at + 1 < record.size() && record[at + 1] == quote) {
          scratch += quote;
          cursor = at + 2;
          continue;
        }
        cursor = at + 1;
        closed = true;
        break;
      }
      if (!closed) {
        out.error = "unterminated quoted field (a stray quote)";
        out.error_field = field_index;
        out.error_value = std::string(record.substr(pos));
        return;
      }
      if (cursor < record.size() && record[cursor] != delimiter) {
        size_t stop = record.find(delimiter, cursor);
        out.error = "text after a closing quote (a stray quote)";
        out.error_field = field_index;
        out.error_value = std::string(record.substr(
            pos, stop == std::string_view::npos ? std::string_view::npos : stop - pos));
        return;
      }
      out.fields.emplace_back(scratch.data() + start, scratch.size() - start);
      if (cursor >= record.size()) return;
      pos = cursor + 1;
      continue;
    }
    const char* next =
        static_cast<const char*>(std::memchr(record.data() + pos, delimiter, record.size() - pos));
    size_t end = next ? next - record.data() : record.size();
    std::string_view field = record.substr(pos, end - pos);
    if (quote != '\0' && field.find(quote) != std::string_view::npos) {
      out.error = "quote inside an unquoted field (a stray quote)";
      out.error_field = field_index;
      out.error_value = std::string(field);
      return;
    }
    field = TrimBlanks(field, delimiter);
    out.fields.push_back(field.empty() ? std::string_view() : field);
    if (!next) return;
    pos = end + 1;
  }
}

std::string_view StripCarriageReturn(std::string_view record) {
  if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
  return record;
}

// ------------------------------------------------------------------ sniffing

int CountOutsideQuotes(std::string_view line, char delimiter, char quote) {
  int count = 0;
  bool quoted = false;
  for (char c : line) {
    if (c == quote)
      quoted = !quoted;
    else if (c == delimiter && !quoted)
      ++count;
  }
  return count;
}

std::vector<std::string_view> SampleLines(std::string_view text, size_t start, size_t limit) {
  std::vector<std::string_view> lines;
  size_t pos = start;
  while (pos < text.size() && lines.size() < limit) {
    size_t end = RecordEnd(text, pos, '\0', false);
    std::string_view line = StripCarriageReturn(text.substr(pos, end - pos));
    if (!line.empty()) lines.push_back(line);
    pos = end + 1;
  }
  return lines;
}

// The candidate that splits the sample lines into the same number of fields most often.
char DetectDelimiter(const std::vector<std::string_view>& lines, char quote) {
  char best = ',';
  double best_score = -1;
  for (char candidate : {',', ';', '\t', '|'}) {
    std::map<int, int> counts;
    for (std::string_view line : lines) ++counts[CountOutsideQuotes(line, candidate, quote)];
    auto mode = std::max_element(counts.begin(), counts.end(),
                                 [](auto& a, auto& b) { return a.second < b.second; });
    if (mode == counts.end() || mode->first == 0) continue;
    double score = static_cast<double>(mode->second) / lines.size() * 1000 + mode->first;
    if (score > best_score) {
      best_score = score;
      best = candidate;
    }
  }
  return best;
}

bool LooksNumeric(std::string_view text) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+' ||
           c == ':' || c == ' ' || c == '/';
  });
}

// A first row of distinct, non-empty, non-numeric names is a header.
bool DetectHeader(const std::vector<std::string_view>& first_fields) {
  std::set<std::string_view> seen;
  for (std::string_view field : first_fields) {
    if (field.empty() || LooksNumeric(field) || !seen.insert(field).second) return false;
  }
  return true;
}

}  // namespace

// ------------------------------------------------------------------ CsvFile

struct CsvFile::Mapping {
  void* address = MAP_FAILED;
  size_t size = 0;
  ~Mapping() {
    if (address != MAP_FAILED) munmap(address, size);
  }
};

CsvFile::CsvFile(CsvFile&&) noexcept = default;
CsvFile& CsvFile::operator=(CsvFile&&) noexcept = default;
CsvFile::~CsvFile() = default;

Result<CsvFile> CsvFile::Open(const std::filesystem::path& path, const CsvOptions& options) {
  CsvFile file;
  file.path_ = path;
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) {
    return Status::NotFound("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  struct stat info {};
  ::fstat(fd, &info);
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path.string() + " is a directory, not a file");
  }
  file.mapping_ = std::make_unique<Mapping>();
  file.mapping_->size = static_cast<size_t>(info.st_size);
  if (info.st_size > 0) {
    file.mapping_->address = ::mmap(nullptr, info.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);
  if (info.st_size > 0 && file.mapping_->address == MAP_FAILED) {
    return Status::IoError("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  if (info.st_size > 0) ::madvise(file.mapping_->address, info.st_size, MADV_SEQUENTIAL);
  SEG_RETURN_IF_ERROR(file.Prepare(options));
  return file;
}

Status CsvFile::Prepare(const CsvOptions& options) {
  std::string name = path_.string();
  if (mapping_->size == 0) return Status::DataError(name + " is empty: there is nothing to load");
  text_ = std::string_view(static_cast<const char*>(mapping_->address), mapping_->size);
  if (text_.substr(0, 4) == "PAR1") {
    return Status::DataError(name +
                             " is a Parquet file, not CSV; name it .parquet or set "
                             "format = \"parquet\"");
  }
  dialect_.encoding = options.encoding.empty() ? "utf-8" : options.encoding;
  bool utf16_bom = text_.size() >= 2 && ((text_[0] == '\xFF' && text_[1] == '\xFE') ||
                                         (text_[0] == '\xFE' && text_[1] == '\xFF'));
  if (utf16_bom || dialect_.encoding == "utf-16") {
    bool big_endian = text_.size() >= 2 && text_[0] == '\xFE';
    size_t skip = utf16_bom ? 2 : 0;
    SEG_ASSIGN_OR_RETURN(std::string utf8, Utf16ToUtf8(text_.substr(skip), big_endian));
    transcoded_ = std::make_unique<std::string>(std::move(utf8));
    text_ = *transcoded_;
    dialect_.encoding = "utf-16";
  } else if (dialect_.encoding == "latin-1") {
    transcoded_ = std::make_unique<std::string>(Latin1ToUtf8(text_));
    text_ = *transcoded_;
  }
  size_t start = text_.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  std::string_view head = text_.substr(start, 65536);
  size_t nul = head.find('\0');
  if (nul != std::string_view::npos) {
    return Status::DataError(name + " does not look like a text CSV file (binary data at byte " +
                             std::to_string(start + nul) + "); check the file and its format");
  }
  dialect_.quote = options.quote.value_or('"');
  dialect_.multiline = options.multiline;
  std::vector<std::string_view> sample = SampleLines(text_, start, 50);
  if (sample.empty()) return Status::DataError(name + " holds only blank lines");
  dialect_.delimiter_detected = !options.delimiter.has_value();
  dialect_.delimiter = options.delimiter.value_or(DetectDelimiter(sample, dialect_.quote));

  std::string scratch;
  scratch.reserve(sample[0].size() + 1);
  ParsedRecord first;
  SplitRecord(sample[0], dialect_, scratch, first);
  if (!first.error.empty()) {
    return Status::DataError(name + ":1: cannot read the first line: " + first.error);
  }
  dialect_.header_detected = !options.header.has_value();
  dialect_.header = options.header.value_or(DetectHeader(first.fields));
  for (size_t col = 0; col < first.fields.size(); ++col) {
    columns_.push_back(dialect_.header ? std::string(first.fields[col])
                                       : "column" + std::to_string(col + 1));
  }
  data_start_ = start;
  data_first_line_ = 1;
  if (dialect_.header) {
    size_t end = RecordEnd(text_, start, dialect_.quote, dialect_.multiline);
    data_start_ = end + 1;
    data_first_line_ = 2;
    std::set<std::string> seen;
    for (const std::string& column : columns_) {
      if (!seen.insert(column).second) {
        return Status::DataError(name + ":1: the header names column '" + column +
                                 "' twice; rename one");
      }
    }
    if (data_start_ >= text_.size() ||
        text_.find_first_not_of("\r\n", data_start_) == std::string_view::npos) {
      return Status::DataError(name + " has a header but no data rows");
    }
  }
  return Status::Ok();
}

void CsvFile::Release(size_t from, size_t to) const {
  // Pages already parsed are dropped from memory: a file-backed mapping re-reads them
  // if ever touched again, so a multi-GB file never sits whole in resident memory.
  if (transcoded_ || mapping_->address == MAP_FAILED) return;
  static const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  size_t first = (from + kPage - 1) / kPage * kPage;
  size_t last = to / kPage * kPage;
  if (last > first) {
    ::madvise(static_cast<char*>(mapping_->address) + first, last - first, MADV_DONTNEED);
  }
}

std::string_view CsvFile::FieldAt(std::string_view raw, size_t offset) const {
  size_t start = offset, end = offset;
  while (start > 0 && raw[start - 1] != dialect_.delimiter) --start;
  while (end < raw.size() && raw[end] != dialect_.delimiter) ++end;
  return raw.substr(start, end - start);
}

std::string CsvFile::ColumnAt(std::string_view raw, size_t offset) const {
  size_t field = CountOutsideQuotes(raw.substr(0, offset), dialect_.delimiter, dialect_.quote);
  return field < columns_.size() ? columns_[field] : std::string();
}

std::vector<CsvRange> CsvFile::Split(int parts) const {
  constexpr size_t kMinimumPart = 16 << 20;
  size_t size = text_.size() > data_start_ ? text_.size() - data_start_ : 0;
  if (dialect_.multiline || parts <= 1 || size < 2 * kMinimumPart) {
    return {CsvRange{data_start_, text_.size(), data_first_line_}};
  }
  std::vector<CsvRange> ranges;
  size_t begin = data_start_;
  int64_t line = data_first_line_;
  auto add = [&](size_t end) {
    ranges.push_back({begin, end, line});
    line += std::count(text_.begin() + begin, text_.begin() + end, '\n');
    begin = end;
  };
  for (int part = 1; part < parts && begin < text_.size(); ++part) {
    size_t cut = data_start_ + size / parts * part;
    if (cut <= begin) continue;
    const void* newline = std::memchr(text_.data() + cut, '\n', text_.size() - cut);
    if (!newline) break;
    add(static_cast<const char*>(newline) - text_.data() + 1);
  }
  if (begin < text_.size()) add(text_.size());
  return ranges;
}

size_t CsvFile::EstimateRows() const {
  std::string_view data = text_.substr(data_start_);
  std::string_view head = data.substr(0, 1 << 20);
  size_t lines = std::count(head.begin(), head.end(), '\n');
  if (head.size() == data.size()) return lines + (head.empty() || head.back() == '\n' ? 0 : 1);
  return lines == 0 ? 1 : data.size() / (head.size() / lines);
}

Status CsvFile::Read(const CsvRowFn& on_row, const CsvRejectFn& on_reject,
                     const ProgressFn& on_progress) const {
  return ReadRange(CsvRange{data_start_, text_.size(), data_first_line_}, on_row, on_reject,
                   on_progress);
}

Status CsvFile::ReadRange(const CsvRange& range, const CsvRowFn& on_row,
                          const CsvRejectFn& on_reject, const ProgressFn& on_progress) const {
  constexpr size_t kRowsBetweenReports = 1 << 16;
  CsvCursor cursor(*this, range);
  while (!cursor.done()) {
    SEG_RETURN_IF_ERROR(cursor.Next(kRowsBetweenReports, on_row, on_reject));
    if (on_progress) on_progress(cursor.fraction());
  }
  if (on_progress) on_progress(1.0);
  return Status::Ok();
}

CsvCursor::CsvCursor(const CsvFile& file, const CsvRange& range)
    : file_(file),
      text_(file.text_.substr(0, range.end)),
      begin_(range.begin),
      pos_(range.begin),
      released_(range.begin),
      next_release_(range.begin + kReleaseEvery),
      line_(range.first_line) {}

double CsvCursor::fraction() const {
  if (text_.size() <= begin_) return 1.0;
  return static_cast<double>(std::min(pos_, text_.size()) - begin_) /
         static_cast<double>(text_.size() - begin_);
}

Status CsvCursor::Next(size_t max_rows, const CsvRowFn& on_row, const CsvRejectFn& on_reject) {
  const CsvDialect& dialect = file_.dialect_;
  const size_t expected = file_.columns_.size();
  const bool check_encoding = dialect.encoding == "utf-8";
  for (size_t rows = 0; rows < max_rows && pos_ < text_.size();) {
    size_t end = RecordEnd(text_, pos_, dialect.quote, dialect.multiline);
    std::string_view raw = StripCarriageReturn(text_.substr(pos_, end - pos_));
    int64_t record_line = line_;
    line_ += dialect.multiline ? 1 + std::count(raw.begin(), raw.end(), '\n') : 1;
    size_t record_start = pos_;
    pos_ = end + 1;
    if (pos_ >= next_release_ || pos_ >= text_.size()) {
      size_t upto = pos_ >= text_.size() ? text_.size() : record_start;
      file_.Release(released_, upto);
      released_ = upto;
      next_release_ = pos_ + kReleaseEvery;
    }
    if (raw.empty()) continue;  // blank lines are not records
    if (check_encoding) {
      size_t bad = FindInvalidUtf8(raw);
      if (bad != std::string_view::npos) {
        SEG_RETURN_IF_ERROR(on_reject(CsvReject{
            record_line, file_.ColumnAt(raw, bad), EscapeInvalidUtf8(file_.FieldAt(raw, bad)),
            "invalid UTF-8 (if the file is latin-1, declare encoding = \"latin-1\")",
            EscapeInvalidUtf8(raw)}));
        continue;
      }
    }
    scratch_.clear();
    scratch_.reserve(raw.size() + 1);
    SplitRecord(raw, dialect, scratch_, record_);
    if (!record_.error.empty()) {
      std::string column =
          record_.error_field < expected ? file_.columns_[record_.error_field] : std::string();
      SEG_RETURN_IF_ERROR(on_reject(
          CsvReject{record_line, column, record_.error_value, record_.error, std::string(raw)}));
      continue;
    }
    if (record_.fields.size() != expected) {
      SEG_RETURN_IF_ERROR(on_reject(CsvReject{
          record_line, "",
          std::to_string(record_.fields.size()) + " fields, expected " + std::to_string(expected),
          "wrong number of fields", std::string(raw)}));
      continue;
    }
    SEG_RETURN_IF_ERROR(on_row(record_line, raw, record_.fields));
    ++rows;
  }
  return Status::Ok();
}

}  // namespace segmenta::ingest
