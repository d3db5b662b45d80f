// The compact storage of the customer lookup index (lookup.h), internal to it. Each
// column is coded (a code of 1, 2 or 4 bytes into its distinct values) when its values
// repeat, else kept as numbers; all of a row's codes and numbers then go into one
// fixed-size record per row (Records, laid out by RecordsBuilder), so that a lookup
// touches a few adjacent cache lines. Beside the records: the ids (IdIndex, a hash
// table) and packed codes (PackedCodes, the memberships).
#ifndef SEGMENTA_SERVER_LOOKUP_STORAGE_H_
#define SEGMENTA_SERVER_LOOKUP_STORAGE_H_

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace segmenta::server::lookup_internal {

// A column is coded while it has at most this share of distinct values (a code of up to
// 4 bytes plus the distinct values then costs less than 8 bytes a row) …
inline constexpr size_t kCodedShare = 4;
// … or at most this many, whatever the share (small tables).
inline constexpr size_t kAlwaysCoded = 256;

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

inline size_t CodeLimit(size_t rows) { return std::max(kAlwaysCoded, rows / kCodedShare); }

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

}  // namespace segmenta::server::lookup_internal

#endif  // SEGMENTA_SERVER_LOOKUP_STORAGE_H_
