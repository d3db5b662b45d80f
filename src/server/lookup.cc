// The customer lookup index (lookup.h). Build reads the latest snapshot in one
// transaction: a temporary table numbers the customers in id order, and every other
// query returns that row number beside its values. Each column is coded (a code of 1,
// 2 or 4 bytes into its distinct values) when its values repeat, else kept as numbers;
// all of a row's codes and numbers then go into one fixed-size record per row, so that
// a lookup touches a few adjacent cache lines. The explanations are built at lookup
// time by the functions ExplainCustomer calls (segment/explain.h, ClusterExplainer).
#include "server/lookup.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/dialect.h"
#include "segment/cluster_segmenter.h"
#include "segment/explain.h"
#include "segment/history.h"
#include "store/database.h"

namespace segmenta::server {
namespace {

using nlohmann::json;

// The customers of the snapshot numbered in id order, for the duration of Build.
constexpr const char* kRowsTable = "__lookup_rows";
// Feature columns read per query: bounds the transient copy of a 1M-row result.
constexpr size_t kBatchColumns = 8;
// A column is coded while it has at most this share of distinct values (a code of up to
// 4 bytes plus the distinct values then costs less than 8 bytes a row) …
constexpr size_t kCodedShare = 4;
// … or at most this many, whatever the share (small tables).
constexpr size_t kAlwaysCoded = 256;
// NULL among numbers: a NaN with a payload no computation produces, so that a NULL
// (rendered "") and a stored NaN (rendered "nan") stay apart.
constexpr uint64_t kNullBits = 0x7ff8'dead'beef'0001ULL;
// Integers below 2^53 survive the trip through DOUBLE exactly.
constexpr double kExactIntegers = 9007199254740992.0;

bool IsNullNumber(double value) { return std::bit_cast<uint64_t>(value) == kNullBits; }

// ------------------------------------------------------------------ compact storage

// Codes in 1, 2 or 4 bytes each, whichever the largest code needs.
class PackedCodes {
 public:
  PackedCodes() = default;
  PackedCodes(const std::vector<uint32_t>& codes, uint32_t largest)
      : width_(largest <= 0xff     ? 1
               : largest <= 0xffff ? 2
                                   : 4) {
    if (width_ == 1) narrow_.assign(codes.begin(), codes.end());
    if (width_ == 2) medium_.assign(codes.begin(), codes.end());
    if (width_ == 4) wide_ = codes;
  }

  uint32_t operator[](size_t row) const {
    if (width_ == 1) return narrow_[row];
    if (width_ == 2) return medium_[row];
    return wide_[row];
  }
  size_t bytes() const {
    return narrow_.capacity() + medium_.capacity() * 2 + wide_.capacity() * 4;
  }

 private:
  int width_ = 1;
  std::vector<uint8_t> narrow_;
  std::vector<uint16_t> medium_;
  std::vector<uint32_t> wide_;
};

// Texts back to back in one buffer; entry i is [ends_[i], ends_[i + 1]).
class TextPool {
 public:
  void Add(std::string_view text) {
    text_.append(text);
    ends_.push_back(text_.size());
  }
  std::string_view operator[](size_t index) const {
    return std::string_view(text_).substr(ends_[index], ends_[index + 1] - ends_[index]);
  }
  size_t size() const { return ends_.size() - 1; }
  size_t bytes() const { return text_.capacity() + ends_.capacity() * sizeof(size_t); }
  void Shrink() {
    text_.shrink_to_fit();
    ends_.shrink_to_fit();
  }

 private:
  std::string text_;
  std::vector<size_t> ends_{0};
};

// Where a row's value of one column sits in the row's record: a code of 1, 2 or 4
// bytes, or a number (8 bytes).
struct Field {
  uint32_t offset = 0;
  uint32_t width = 0;
};
constexpr uint32_t kNumberWidth = sizeof(double);

// Every per-row code and number of the index, one fixed-size record per row: a lookup
// reads a few adjacent cache lines instead of one line per column (the columns of a
// 1M-customer index do not fit in the caches, so each was a miss: 2× slower).
class Records {
 public:
  const uint8_t* operator[](size_t row) const { return bytes_.data() + row * size_; }
  size_t bytes() const { return bytes_.capacity(); }

  static uint32_t Code(const uint8_t* record, Field field) {
    const uint8_t* at = record + field.offset;
    if (field.width == 1) return *at;
    if (field.width == 2) {
      uint16_t code = 0;
      std::memcpy(&code, at, sizeof code);
      return code;
    }
    uint32_t code = 0;
    std::memcpy(&code, at, sizeof code);
    return code;
  }
  static double Number(const uint8_t* record, Field field) {
    double value = 0;
    std::memcpy(&value, record + field.offset, sizeof value);
    return value;
  }

 private:
  friend class RecordsBuilder;
  size_t size_ = 0;
  std::vector<uint8_t> bytes_;
};

// Collects the record's columns while Build reads them, each packed to its width, then
// lays them out row by row.
class RecordsBuilder {
 public:
  explicit RecordsBuilder(size_t rows) : rows_(rows) {}

  // Codes 0 … count − 1, in the fewest bytes that hold them.
  Field AddCodes(const std::vector<uint32_t>& codes, uint32_t count) {
    uint32_t width = count <= 0x100 ? 1 : count <= 0x10000 ? 2 : 4;
    std::vector<uint8_t> packed(rows_ * width);
    for (size_t row = 0; row < rows_; ++row) {
      if (width == 1) packed[row] = static_cast<uint8_t>(codes[row]);
      if (width == 2) {
        auto code = static_cast<uint16_t>(codes[row]);
        std::memcpy(&packed[row * width], &code, width);
      }
      if (width == 4) std::memcpy(&packed[row * width], &codes[row], width);
    }
    return Add(width, std::move(packed));
  }
  Field AddNumbers(const std::vector<double>& numbers) {
    std::vector<uint8_t> packed(rows_ * kNumberWidth);
    if (rows_ > 0) std::memcpy(packed.data(), numbers.data(), packed.size());
    return Add(kNumberWidth, std::move(packed));
  }

  Records Finish() {
    Records records;
    records.size_ = size_;
    records.bytes_.resize(rows_ * size_);
    constexpr size_t kBlock = 4096;  // rows per pass: the block's records stay in cache
    for (size_t first = 0; first < rows_; first += kBlock) {
      size_t end = std::min(rows_, first + kBlock);
      for (const auto& [field, packed] : columns_) {
        for (size_t row = first; row < end; ++row) {
          std::memcpy(&records.bytes_[row * size_ + field.offset], &packed[row * field.width],
                      field.width);
        }
      }
    }
    columns_.clear();
    return records;
  }

 private:
  Field Add(uint32_t width, std::vector<uint8_t> packed) {
    Field field{static_cast<uint32_t>(size_), width};
    size_ += width;
    columns_.emplace_back(field, std::move(packed));
    return field;
  }

  size_t rows_;
  size_t size_ = 0;
  std::vector<std::pair<Field, std::vector<uint8_t>>> columns_;
};

// Codes for `rows` keys (code = order of first appearance) and how many there are, or
// nullopt when there are more than `limit`. `first(row)` is called once per distinct
// key, in code order, with a row that holds it.
struct Coded {
  std::vector<uint32_t> codes;
  uint32_t count = 0;
};
template <typename Key, typename KeyOf, typename First>
std::optional<Coded> Encode(size_t rows, size_t limit, const KeyOf& key_of, const First& first) {
  std::unordered_map<Key, uint32_t> codes;
  Coded out;
  out.codes.resize(rows);
  for (size_t row = 0; row < rows; ++row) {
    auto [found, added] = codes.try_emplace(key_of(row), static_cast<uint32_t>(codes.size()));
    if (added) {
      if (codes.size() > limit) return std::nullopt;
      first(row);
    }
    out.codes[row] = found->second;
  }
  out.count = static_cast<uint32_t>(codes.size());
  return out;
}

size_t CodeLimit(size_t rows) { return std::max(kAlwaysCoded, rows / kCodedShare); }

// Texts: a code into the column's distinct texts.
struct TextColumn {
  Field field;
  TextPool texts;

  std::string_view operator()(const uint8_t* record) const {
    return texts[Records::Code(record, field)];
  }
  size_t bytes() const { return texts.bytes(); }

  static TextColumn From(RecordsBuilder& records, const std::vector<std::string_view>& values) {
    TextColumn column;
    std::optional<Coded> coded = Encode<std::string_view>(
        values.size(), std::numeric_limits<uint32_t>::max(),
        [&](size_t row) { return values[row]; },
        [&](size_t row) { column.texts.Add(values[row]); });
    column.field = records.AddCodes(coded->codes, coded->count);
    column.texts.Shrink();
    return column;
  }
};

// Numbers: a code into the column's distinct numbers (by bits) when they repeat enough,
// else the number itself.
struct NumberColumn {
  Field field;
  std::vector<double> distinct;  // when coded

  double operator()(const uint8_t* record) const {
    if (field.width == kNumberWidth) return Records::Number(record, field);
    return distinct[Records::Code(record, field)];
  }
  size_t bytes() const { return distinct.capacity() * sizeof(double); }

  static NumberColumn From(RecordsBuilder& records, const std::vector<double>& numbers) {
    NumberColumn column;
    std::optional<Coded> coded = Encode<uint64_t>(
        numbers.size(), CodeLimit(numbers.size()),
        [&](size_t row) { return std::bit_cast<uint64_t>(numbers[row]); },
        [&](size_t row) { column.distinct.push_back(numbers[row]); });
    if (!coded) {
      column.distinct = std::vector<double>();  // frees what Encode gathered
      column.field = records.AddNumbers(numbers);
      return column;
    }
    column.field = records.AddCodes(coded->codes, coded->count);
    column.distinct.shrink_to_fit();
    return column;
  }
};

// Customer id → row: ids in row order and an open-addressing table of rows.
class IdIndex {
 public:
  IdIndex() = default;
  explicit IdIndex(const std::vector<std::string>& ids) {
    for (const std::string& id : ids) ids_.Add(id);
    ids_.Shrink();
    size_t capacity = std::bit_ceil(std::max<size_t>(16, ids.size() * 2));
    slots_.assign(capacity, kEmpty);
    for (size_t row = 0; row < ids.size(); ++row) {
      size_t slot = Slot(ids[row]);
      while (slots_[slot] != kEmpty) slot = (slot + 1) & (slots_.size() - 1);
      slots_[slot] = static_cast<uint32_t>(row);
    }
  }

  std::optional<size_t> Find(std::string_view id) const {
    for (size_t slot = Slot(id);; slot = (slot + 1) & (slots_.size() - 1)) {
      if (slots_[slot] == kEmpty) return std::nullopt;
      if (ids_[slots_[slot]] == id) return slots_[slot];
    }
  }
  size_t size() const { return ids_.size(); }
  size_t bytes() const { return ids_.bytes() + slots_.capacity() * sizeof(uint32_t); }

 private:
  static constexpr uint32_t kEmpty = std::numeric_limits<uint32_t>::max();
  size_t Slot(std::string_view id) const {
    return std::hash<std::string_view>{}(id) & (slots_.size() - 1);
  }

  TextPool ids_;
  std::vector<uint32_t> slots_;
};

// ------------------------------------------------------------------ what the index holds

// How ExplainCustomer's store::ToText renders a column's values (store::Value's kinds).
enum class Kind { kInteger, kReal, kBoolean, kText };

// A number of a feature as ExplainCustomer shows it: store::ToText of the store::Value
// the column's type reads as.
std::string Render(Kind kind, double value) {
  if (IsNullNumber(value)) return "";
  if (kind == Kind::kBoolean) return store::ToText(value != 0);
  if (kind == Kind::kInteger) return store::ToText(static_cast<int64_t>(value));
  return store::ToText(value);
}

// One feature: a code into its distinct values as ExplainCustomer shows them, or, when
// they hardly repeat, the number itself, shown at lookup (NULL as kNullBits).
struct FeatureColumn {
  std::string name;
  Kind kind = Kind::kText;
  Field field;
  TextPool shown;  // when coded

  std::string Text(const uint8_t* record) const {
    if (field.width != kNumberWidth) return std::string(shown[Records::Code(record, field)]);
    return Render(kind, Records::Number(record, field));
  }
  size_t bytes() const { return shown.bytes(); }
};

// What a clause gave for a customer.
enum class Outcome : uint8_t { kNoRow, kFails, kHolds };

// One top-level clause of a rule: each row's code into the clause's distinct outcomes
// (no row: the customer is not among the rule's rows; else holds or not, and the value).
struct ClauseColumn {
  Field field;
  std::vector<Outcome> outcomes;
  TextPool values;
  size_t bytes() const { return outcomes.capacity() + values.bytes(); }
};

struct RulesModel {
  std::vector<segment::ExplainedRule> rules;
  std::vector<std::string> heads;                  // by rule: segment::RuleLineHead
  std::vector<std::vector<ClauseColumn>> clauses;  // by rule, by clause
};

// A cluster segmentation's inputs to ClusterExplainer::Explain, by row.
struct ClusterModel {
  segment::ClusterExplainer explainer;
  Field loaded;                        // 1 for the rows the explainer's load found
  std::vector<NumberColumn> prepared;  // by prepared column
  std::vector<NumberColumn> numbers;   // by numeric feature
  std::vector<TextColumn> categories;  // by category
};

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json member, moved not copied
struct Model {
  std::string segmentation;
  std::string method;
  json model;
  uint32_t first_pair = 0, end_pair = 0;  // its (segmentation, segment) codes
  std::optional<size_t> cluster, rules;   // into Data::clusters, Data::rules
};

}  // namespace

struct LookupData {
  int64_t snapshot_id = 0;
  std::string as_of;
  IdIndex ids;
  Records records;  // by row: every field below
  std::vector<FeatureColumn> features;
  // Memberships: each row's (segmentation, segment) codes, ascending, in CSR form.
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<uint32_t> member_offsets;
  PackedCodes members;
  std::vector<Model> models;
  std::vector<ClusterModel> clusters;
  std::vector<RulesModel> rules;

  Explanation Explain(const Model& model, const CustomerView& view, size_t row) const;
  size_t bytes() const;
};

namespace {

using Data = LookupData;

// What Build's steps share: the connection and the snapshot's features table.
struct Loader {
  Loader(const Project& project, store::Connection& conn, int64_t snapshot_id)
      : project(project),
        conn(conn),
        features_table(sql.QuoteIdentifier(segment::FeaturesTableOf(snapshot_id))) {}

  // Once the customers are numbered.
  void SetRows(size_t count) {
    rows = count;
    records = RecordsBuilder(count);
  }

  const Project& project;
  store::Connection& conn;
  const Dialect& sql = DuckDbDialect();
  std::string features_table;  // quoted
  size_t rows = 0;             // customers, numbered 0 … rows − 1 in kRowsTable
  RecordsBuilder records{0};

  std::string Rows() const { return kRowsTable; }
  std::string Id() const { return sql.QuoteIdentifier("customer_id"); }

  // Runs `select` (its first column the row number, as DOUBLE) and checks the rows.
  Result<std::vector<store::ColumnData>> Query(const std::string& select,
                                               const std::vector<store::Value>& params = {}) {
    SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> columns, conn.QueryColumns(select, params));
    for (double row : columns[0].numbers) {
      if (!(row >= 0 && row < static_cast<double>(rows))) {
        return Status::Internal("lookup index: a row number out of range");
      }
    }
    return columns;
  }
};

// The customer ids in row order, numbered in kRowsTable.
Result<std::vector<std::string>> NumberCustomers(Loader& loader) {
  SEG_RETURN_IF_ERROR(loader.conn.Execute(
      "CREATE OR REPLACE TEMP TABLE " + loader.Rows() + " AS SELECT CAST(" + loader.Id() +
      " AS VARCHAR) AS " + loader.Id() + ", row_number() OVER (ORDER BY " + loader.Id() +
      ") - 1 AS row FROM " + loader.features_table));
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> ids,
                       loader.conn.QueryColumns("SELECT " + loader.Id() + " FROM " + loader.Rows() +
                                                " ORDER BY row"));
  loader.SetRows(ids[0].texts.size());
  return std::move(ids[0].texts);
}

// ------------------------------------------------------------------ features

Kind KindOf(const std::string& type) {
  if (type == "BOOLEAN") return Kind::kBoolean;
  for (const char* name :
       {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}) {
    if (type == name) return Kind::kInteger;
  }
  for (const char* name : {"FLOAT", "DOUBLE", "HUGEINT", "UBIGINT"}) {
    if (type == name) return Kind::kReal;
  }
  return type.starts_with("DECIMAL") ? Kind::kReal : Kind::kText;
}

// Numbers are read as DOUBLE (exact for the integers of features), the rest as the text
// DuckDB gives for them.
std::string ReadSql(const Loader& loader, const FeatureColumn& column) {
  std::string name = "f." + loader.sql.QuoteIdentifier(column.name);
  return "CAST(" + name + (column.kind == Kind::kText ? " AS VARCHAR)" : " AS DOUBLE)");
}

// Rows where a DOUBLE column holds NaN itself (QueryColumns reads NULL as NaN too).
Result<std::vector<bool>> StoredNans(Loader& loader, const FeatureColumn& column) {
  std::vector<bool> nan(loader.rows, false);
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> rows,
      loader.Query("SELECT CAST(r.row AS DOUBLE) FROM " + loader.features_table + " f JOIN " +
                   loader.Rows() + " r ON r." + loader.Id() + " = f." + loader.Id() +
                   " WHERE isnan(f." + loader.sql.QuoteIdentifier(column.name) + ")"));
  for (double row : rows[0].numbers) nan[static_cast<size_t>(row)] = true;
  return nan;
}

// Marks NULLs with kNullBits; false when an integer column does not fit a DOUBLE.
Result<bool> MarkNulls(Loader& loader, const FeatureColumn& column, std::vector<double>& values) {
  bool any_nan = false, exact = true;
  for (double value : values) {
    any_nan = any_nan || std::isnan(value);
    exact = exact && !(std::fabs(value) >= kExactIntegers);
  }
  if (column.kind == Kind::kInteger && !exact) return false;
  if (!any_nan) return true;
  std::vector<bool> stored(loader.rows, false);
  if (column.kind == Kind::kReal) {
    SEG_ASSIGN_OR_RETURN(stored, StoredNans(loader, column));
  }
  for (size_t row = 0; row < values.size(); ++row) {
    if (std::isnan(values[row]) && !stored[row]) values[row] = std::bit_cast<double>(kNullBits);
  }
  return true;
}

// Codes the shown numbers when they repeat enough, else keeps the numbers.
void StoreNumbers(Loader& loader, FeatureColumn& column, const std::vector<double>& values) {
  std::vector<size_t> firsts;  // a row of each distinct value, in code order
  std::optional<Coded> coded = Encode<uint64_t>(
      values.size(), CodeLimit(values.size()),
      [&](size_t row) { return std::bit_cast<uint64_t>(values[row]); },
      [&](size_t row) { firsts.push_back(row); });
  if (!coded) {
    column.field = loader.records.AddNumbers(values);
    return;
  }
  for (size_t row : firsts) column.shown.Add(Render(column.kind, values[row]));
  column.shown.Shrink();
  column.field = loader.records.AddCodes(coded->codes, coded->count);
}

// How ExplainCustomer shows each distinct value of a text column, by the value's text
// as CAST gives it: store::ToText of the value as the store reads it, which is not
// always the CAST (lists, for one, read as "").
Result<std::unordered_map<std::string, std::string>> ShownTexts(Loader& loader,
                                                                const FeatureColumn& column) {
  std::string name = loader.sql.QuoteIdentifier(column.name);
  SEG_ASSIGN_OR_RETURN(
      store::Rows distinct,
      loader.conn.Query("SELECT DISTINCT " + name + ", CAST(" + name + " AS VARCHAR) FROM " +
                        loader.features_table + " WHERE " + name + " IS NOT NULL"));
  std::unordered_map<std::string, std::string> shown;
  for (const auto& row : distinct.rows) {
    shown.emplace(store::ToText(row[1]), store::ToText(row[0]));
  }
  return shown;
}

// A text column from its CAST texts by row (NULL read as ""), coded.
Status StoreTexts(Loader& loader, FeatureColumn& column, const std::vector<std::string>& texts) {
  SEG_ASSIGN_OR_RETURN(auto shown, ShownTexts(loader, column));
  std::optional<Coded> coded = Encode<std::string_view>(
      texts.size(), std::numeric_limits<uint32_t>::max(),
      [&](size_t row) { return std::string_view(texts[row]); },
      [&](size_t row) {
        auto found = shown.find(texts[row]);
        column.shown.Add(found == shown.end() ? "" : std::string_view(found->second));
      });
  column.field = loader.records.AddCodes(coded->codes, coded->count);
  column.shown.Shrink();
  return Status::Ok();
}

// Reads `batch` (columns of the features table) and stores them in row order; an
// integer column too large for a DOUBLE is read again as text.
Status LoadFeatureBatch(Loader& loader, std::vector<FeatureColumn*> batch) {
  std::string select = "SELECT CAST(r.row AS DOUBLE)";
  for (const FeatureColumn* column : batch) select += ", " + ReadSql(loader, *column);
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> data,
      loader.Query(select + " FROM " + loader.features_table + " f JOIN " + loader.Rows() +
                   " r ON r." + loader.Id() + " = f." + loader.Id()));
  const std::vector<double>& rows = data[0].numbers;
  for (size_t index = 0; index < batch.size(); ++index) {
    FeatureColumn& column = *batch[index];
    store::ColumnData& read = data[index + 1];
    if (column.kind == Kind::kText) {
      std::vector<std::string> texts(loader.rows);
      for (size_t at = 0; at < rows.size(); ++at) {
        texts[static_cast<size_t>(rows[at])].swap(read.texts[at]);
      }
      SEG_RETURN_IF_ERROR(StoreTexts(loader, column, texts));
      continue;
    }
    std::vector<double> values(loader.rows);
    for (size_t at = 0; at < rows.size(); ++at) {
      values[static_cast<size_t>(rows[at])] = read.numbers[at];
    }
    SEG_ASSIGN_OR_RETURN(bool fits, MarkNulls(loader, column, values));
    if (fits) {
      StoreNumbers(loader, column, values);
      continue;
    }
    column.kind = Kind::kText;
    SEG_RETURN_IF_ERROR(LoadFeatureBatch(loader, {&column}));
  }
  return Status::Ok();
}

// The features table's columns after the first (customer_id), as ExplainCustomer lists
// them.
Result<std::vector<FeatureColumn>> LoadFeatures(Loader& loader) {
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> info,
                       loader.conn.Columns(loader.features_table));
  std::vector<FeatureColumn> columns;
  for (size_t col = 1; col < info.size(); ++col) {
    columns.push_back({info[col].name, KindOf(info[col].type), {}, {}});
  }
  for (size_t start = 0; start < columns.size(); start += kBatchColumns) {
    std::vector<FeatureColumn*> batch;
    for (size_t col = start; col < std::min(columns.size(), start + kBatchColumns); ++col) {
      batch.push_back(&columns[col]);
    }
    SEG_RETURN_IF_ERROR(LoadFeatureBatch(loader, batch));
  }
  return columns;
}

// ------------------------------------------------------------------ memberships

// (row, code) pairs in any order → each row's codes, ascending, in CSR form.
void FillMembers(const std::vector<double>& row_of, const std::vector<double>& code_of, size_t rows,
                 Data& data) {
  data.member_offsets.assign(rows + 1, 0);
  for (double row : row_of) ++data.member_offsets[static_cast<size_t>(row) + 1];
  for (size_t row = 0; row < rows; ++row) {
    data.member_offsets[row + 1] += data.member_offsets[row];
  }
  std::vector<uint32_t> codes(row_of.size());
  std::vector<uint32_t> next(data.member_offsets.begin(), data.member_offsets.end() - 1);
  for (size_t at = 0; at < row_of.size(); ++at) {
    codes[next[static_cast<size_t>(row_of[at])]++] = static_cast<uint32_t>(code_of[at]);
  }
  for (size_t row = 0; row < rows; ++row) {
    std::sort(codes.begin() + data.member_offsets[row],
              codes.begin() + data.member_offsets[row + 1]);
  }
  data.members = PackedCodes(codes, data.pairs.empty() ? 0 : data.pairs.size() - 1);
}

// Each row's (segmentation, segment) codes in CSR form: codes number the snapshot's
// distinct pairs in (segmentation, segment) order, the order ExplainCustomer lists
// segments in, so a row's ascending codes list each segmentation's segments in order.
Status LoadMemberships(Loader& loader, Data& data) {
  std::string pairs =
      "SELECT DISTINCT segmentation, segment FROM memberships WHERE snapshot_id = $1";
  SEG_ASSIGN_OR_RETURN(store::Rows list,
                       loader.conn.Query(pairs + " ORDER BY 1, 2", {data.snapshot_id}));
  for (const auto& pair : list.rows) {
    data.pairs.emplace_back(store::ToText(pair[0]), store::ToText(pair[1]));
  }
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> rows,
      loader.Query("SELECT CAST(r.row AS DOUBLE), CAST(k.code AS DOUBLE) FROM memberships m "
                   "JOIN " +
                       loader.Rows() + " r ON r." + loader.Id() + " = m." + loader.Id() +
                       " JOIN (SELECT segmentation, segment, row_number() OVER (ORDER BY "
                       "segmentation, segment) - 1 AS code FROM (" +
                       pairs +
                       ")) k ON k.segmentation = m.segmentation AND k.segment = m.segment "
                       "WHERE m.snapshot_id = $1",
                   {data.snapshot_id}));
  FillMembers(rows[0].numbers, rows[1].numbers, loader.rows, data);
  return Status::Ok();
}

// ------------------------------------------------------------------ rules

// One clause for every customer: a code by row into its outcomes (kNoRow for the
// customers the rule has no row for).
Result<ClauseColumn> LoadClause(Loader& loader, const segment::ExplainedRule& rule,
                                const rules::RuleClause& clause) {
  std::string id = loader.Id();
  SEG_ASSIGN_OR_RETURN(
      std::vector<store::ColumnData> data,
      loader.Query("SELECT CAST(r.row AS DOUBLE), CAST(q.value AS VARCHAR), CAST(q.holds AS "
                   "DOUBLE) FROM (" +
                       segment::ClauseSql(rule, clause) + ") q (" + id + ", value, holds) JOIN " +
                       loader.Rows() + " r ON r." + id + " = q." + id,
                   clause.params));
  std::vector<std::string> keys(loader.rows);  // "" no row, else holds + value
  for (size_t at = 0; at < data[0].numbers.size(); ++at) {
    std::string& key = keys[static_cast<size_t>(data[0].numbers[at])];
    key = (data[2].numbers[at] != 0 ? "1" : "0") + data[1].texts[at];
  }
  ClauseColumn column;
  std::optional<Coded> coded = Encode<std::string_view>(
      loader.rows, std::numeric_limits<uint32_t>::max(),
      [&](size_t row) { return std::string_view(keys[row]); },
      [&](size_t row) {
        const std::string& key = keys[row];
        column.outcomes.push_back(key.empty()     ? Outcome::kNoRow
                                  : key[0] == '1' ? Outcome::kHolds
                                                  : Outcome::kFails);
        column.values.Add(key.empty() ? "" : std::string_view(key).substr(1));
      });
  column.field = loader.records.AddCodes(coded->codes, coded->count);
  column.values.Shrink();
  return column;
}

Result<RulesModel> LoadRules(Loader& loader, const Data& data, const json& model,
                             const std::vector<std::pair<std::string, std::string>>& known) {
  RulesModel out;
  SEG_ASSIGN_OR_RETURN(out.rules, segment::CompileRules(loader.project, loader.conn, model,
                                                        data.snapshot_id, data.as_of, known));
  for (const segment::ExplainedRule& rule : out.rules) {
    out.heads.push_back(segment::RuleLineHead(rule));
    out.clauses.emplace_back();
    for (const rules::RuleClause& clause : rule.compiled.clauses) {
      SEG_ASSIGN_OR_RETURN(ClauseColumn column, LoadClause(loader, rule, clause));
      out.clauses.back().push_back(std::move(column));
    }
  }
  return out;
}

// ------------------------------------------------------------------ clusters

// A column of every row: `value(at)` for the loaded rows (`rows[at]`), 0 elsewhere.
template <typename ValueAt>
NumberColumn Scatter(Loader& loader, const std::vector<size_t>& rows, const ValueAt& value) {
  std::vector<double> values(loader.rows, 0.0);
  for (size_t at = 0; at < rows.size(); ++at) values[rows[at]] = value(at);
  return NumberColumn::From(loader.records, values);
}

// The record's inputs to ClusterExplainer::Explain.
Status ExplainClusterRow(const ClusterModel& model, const uint8_t* record,
                         Explanation& explanation) {
  if (Records::Code(record, model.loaded) == 0) return Status::Ok();
  std::vector<double> prepared, numbers;
  std::vector<std::string_view> categories;
  for (const NumberColumn& column : model.prepared) prepared.push_back(column(record));
  for (const NumberColumn& column : model.numbers) numbers.push_back(column(record));
  for (const TextColumn& column : model.categories) categories.push_back(column(record));
  return model.explainer.Explain({prepared, numbers, categories}, explanation);
}

// The model's columns by row, in the records being built.
Result<ClusterModel> LoadCluster(Loader& loader, const Data& data, const json& model) {
  SEG_ASSIGN_OR_RETURN(segment::ClusterExplainer explainer,
                       segment::ClusterExplainer::FromModel(model));
  SEG_ASSIGN_OR_RETURN(segment::Loaded loaded, explainer.Load(loader.conn, loader.features_table));
  std::vector<size_t> rows;
  rows.reserve(loaded.ids.size());
  std::vector<uint32_t> found(loader.rows, 0);
  for (const std::string& id : loaded.ids) {
    std::optional<size_t> row = data.ids.Find(id);
    if (!row) return Status::Internal("lookup index: a cluster row of an unknown customer");
    rows.push_back(*row);
    found[*row] = 1;
  }
  ClusterModel out{std::move(explainer), loader.records.AddCodes(found, 2), {}, {}, {}};
  if (rows.empty()) return out;
  SEG_ASSIGN_OR_RETURN(PreparedData prepared, out.explainer.preparation().Apply(loaded.columns));
  for (size_t col = 0; col < prepared.numeric.cols(); ++col) {
    out.prepared.push_back(
        Scatter(loader, rows, [&](size_t at) { return prepared.numeric(at, col); }));
  }
  for (const NumericColumn& column : loaded.columns.numeric) {
    out.numbers.push_back(Scatter(loader, rows, [&](size_t at) { return column.values[at]; }));
  }
  for (const CategoricalColumn& column : loaded.columns.categorical) {
    std::vector<std::string_view> values(loader.rows);
    for (size_t at = 0; at < rows.size(); ++at) values[rows[at]] = column.values[at];
    out.categories.push_back(TextColumn::From(loader.records, values));
  }
  return out;
}

void ExplainRulesRow(const RulesModel& model, const uint8_t* record, Explanation& explanation) {
  for (size_t rule = 0; rule < model.rules.size(); ++rule) {
    std::string line = model.heads[rule];
    const std::vector<rules::RuleClause>& clauses = model.rules[rule].compiled.clauses;
    for (size_t clause = 0; clause < clauses.size(); ++clause) {
      const ClauseColumn& column = model.clauses[rule][clause];
      uint32_t code = Records::Code(record, column.field);
      if (column.outcomes[code] == Outcome::kNoRow) continue;
      segment::AppendClause(line, clauses[clause], column.outcomes[code] == Outcome::kHolds,
                            column.values[code]);
    }
    explanation.reasons.push_back(std::move(line));
  }
}

// ------------------------------------------------------------------ models

// The codes [first, end) of `segmentation`'s pairs (contiguous: the pairs are sorted).
void PairRange(const std::vector<std::pair<std::string, std::string>>& pairs,
               const std::string& segmentation, Model& model) {
  auto first = std::find_if(pairs.begin(), pairs.end(),
                            [&](const auto& pair) { return pair.first == segmentation; });
  auto end = std::find_if(first, pairs.end(),
                          [&](const auto& pair) { return pair.first != segmentation; });
  model.first_pair = static_cast<uint32_t>(first - pairs.begin());
  model.end_pair = static_cast<uint32_t>(end - pairs.begin());
}

Status LoadModels(Loader& loader, Data& data) {
  SEG_ASSIGN_OR_RETURN(std::vector<segment::StoredModel> stored,
                       segment::LoadModels(loader.conn, data.snapshot_id));
  std::vector<std::pair<std::string, std::string>> known = segment::KnownSegments(stored);
  for (segment::StoredModel& entry : stored) {
    Model model;
    model.segmentation = entry.segmentation;
    model.method = entry.model.value("method", "");
    PairRange(data.pairs, model.segmentation, model);
    if (entry.model.contains("clusters")) {
      SEG_ASSIGN_OR_RETURN(ClusterModel cluster, LoadCluster(loader, data, entry.model));
      model.cluster = data.clusters.size();
      data.clusters.push_back(std::move(cluster));
    }
    if (model.method == "rules") {
      SEG_ASSIGN_OR_RETURN(RulesModel rules, LoadRules(loader, data, entry.model, known));
      model.rules = data.rules.size();
      data.rules.push_back(std::move(rules));
    }
    model.model = std::move(entry.model);
    data.models.push_back(std::move(model));
  }
  return Status::Ok();
}

// The explainer's only failure (stored centroids that do not match the preparation) is
// the model's, not a customer's: tried on one customer here so that lookups cannot fail.
Status CheckClusters(const Data& data) {
  for (const Model& model : data.models) {
    if (!model.cluster) continue;
    const ClusterModel& cluster = data.clusters[*model.cluster];
    for (size_t row = 0; row < data.ids.size(); ++row) {
      if (Records::Code(data.records[row], cluster.loaded) == 0) continue;
      Explanation scratch;
      scratch.segmentation = model.segmentation;
      SEG_RETURN_IF_ERROR(ExplainClusterRow(cluster, data.records[row], scratch));
      break;
    }
  }
  return Status::Ok();
}

Status Load(const Project& project, Workspace& workspace, Data& data) {
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, ListSnapshots(workspace));
  if (snapshots.empty()) return Status::NotFound("no snapshot yet: run `segmenta run` first");
  data.snapshot_id = snapshots.back().snapshot_id;
  data.as_of = snapshots.back().as_of;
  Loader loader(project, workspace.connection(), data.snapshot_id);
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> ids, NumberCustomers(loader));
  data.ids = IdIndex(ids);
  ids = {};
  SEG_ASSIGN_OR_RETURN(data.features, LoadFeatures(loader));
  SEG_RETURN_IF_ERROR(LoadMemberships(loader, data));
  SEG_RETURN_IF_ERROR(LoadModels(loader, data));
  data.records = loader.records.Finish();
  SEG_RETURN_IF_ERROR(CheckClusters(data));
  return loader.conn.Execute(std::string("DROP TABLE ") + kRowsTable);
}

}  // namespace

Explanation LookupData::Explain(const Model& model, const CustomerView& view, size_t row) const {
  const uint8_t* record = records[row];
  Explanation explanation;
  explanation.segmentation = model.segmentation;
  explanation.method = model.method;
  for (size_t at = member_offsets[row]; at < member_offsets[row + 1]; ++at) {
    uint32_t code = members[at];
    if (code >= model.first_pair && code < model.end_pair) {
      explanation.segments.push_back(pairs[code].second);
    }
  }
  if (model.method == "rfm") segment::ExplainRfm(model.model, view, explanation);
  if (model.method == "journey") segment::ExplainJourney(model.model, view, explanation);
  if (model.method == "value") segment::ExplainValue(model.model, view, explanation);
  // Checked at Build (CheckCluster): the explainer's one failure is the model's.
  if (model.cluster) (void)ExplainClusterRow(clusters[*model.cluster], record, explanation);
  if (model.rules) ExplainRulesRow(rules[*model.rules], record, explanation);
  return explanation;
}

LookupIndex::LookupIndex(std::unique_ptr<const LookupData> data) : data_(std::move(data)) {}
LookupIndex::~LookupIndex() = default;

Result<std::shared_ptr<const LookupIndex>> LookupIndex::Build(const Project& project,
                                                              Workspace& workspace) {
  auto data = std::make_unique<Data>();
  // One transaction: every query sees the same snapshot even while a run or an erasure
  // commits on another connection; a failure rolls the temporary table back too.
  SEG_RETURN_IF_ERROR(store::InTransaction(workspace.connection(),
                                           [&] { return Load(project, workspace, *data); }));
  return std::shared_ptr<const LookupIndex>(new LookupIndex(std::move(data)));
}

int64_t LookupIndex::snapshot_id() const { return data_->snapshot_id; }
size_t LookupIndex::customers() const { return data_->ids.size(); }

size_t LookupData::bytes() const {
  size_t total = ids.bytes() + records.bytes() + member_offsets.capacity() * sizeof(uint32_t) +
                 members.bytes();
  for (const FeatureColumn& column : features) total += column.bytes();
  for (const ClusterModel& model : clusters) {
    for (const NumberColumn& column : model.prepared) total += column.bytes();
    for (const NumberColumn& column : model.numbers) total += column.bytes();
    for (const TextColumn& column : model.categories) total += column.bytes();
  }
  for (const RulesModel& model : rules) {
    for (const auto& clauses : model.clauses) {
      for (const ClauseColumn& column : clauses) total += column.bytes();
    }
  }
  return total;
}

size_t LookupIndex::bytes() const { return data_->bytes(); }

std::optional<CustomerView> LookupIndex::Find(std::string_view customer_id) const {
  const Data& data = *data_;
  std::optional<size_t> row = data.ids.Find(customer_id);
  if (!row) return std::nullopt;
  CustomerView view;
  view.customer_id = customer_id;
  view.snapshot_id = data.snapshot_id;
  view.as_of = data.as_of;
  view.features.reserve(data.features.size());
  for (const FeatureColumn& column : data.features) {
    view.features.emplace_back(column.name, column.Text(data.records[*row]));
  }
  view.explanations.reserve(data.models.size());
  for (const Model& model : data.models) {
    view.explanations.push_back(data.Explain(model, view, *row));
  }
  return view;
}

}  // namespace segmenta::server
