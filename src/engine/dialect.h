// SQL dialects: the one place where engine-specific SQL syntax lives. Feature, ingest
// and (later) rule and RFM SQL are written against this interface, so adding an engine
// (ClickHouse, PostgreSQL) is adding a Dialect, not editing the generators.
//
//   const Dialect& sql = DuckDbDialect();
//   std::string expr = sql.DaysBetween("max(ts)", sql.DateLiteral("2026-11-01"));
#ifndef SEGMENTA_ENGINE_DIALECT_H_
#define SEGMENTA_ENGINE_DIALECT_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace segmenta {

// The SQL type a bound parameter is read as (see Dialect::Parameter).
enum class SqlType { kInteger, kBigint, kDouble, kText, kDate, kBool };

class Dialect {
 public:
  virtual ~Dialect() = default;

  virtual std::string name() const = 0;
  // "weird ""name""" — always quoted, so any column name is safe.
  virtual std::string QuoteIdentifier(std::string_view name) const = 0;
  // 'it''s' — a string literal with quotes doubled.
  virtual std::string QuoteString(std::string_view text) const = 0;
  virtual std::string DateLiteral(std::string_view iso_date) const = 0;
  // Whole days from date(from) to date(to), as an integer expression.
  virtual std::string DaysBetween(std::string_view from, std::string_view to) const = 0;
  // `ts` shifted by a whole number of days (negative = earlier).
  virtual std::string AddDays(std::string_view ts, int days) const = 0;
  // NULL instead of an error when the text is not a number / timestamp.
  virtual std::string TryDouble(std::string_view expr) const = 0;
  virtual std::string TryTimestamp(std::string_view expr) const = 0;
  // Timestamp from text with a strftime-style format; NULL when it does not match.
  virtual std::string TryTimestampFormat(std::string_view expr, std::string_view format) const = 0;
  virtual std::string ToDate(std::string_view expr) const = 0;
  virtual std::string Month(std::string_view expr) const = 0;
  virtual std::string DayOfMonth(std::string_view expr) const = 0;
  // The value of `arg` at the row with the largest `key` in a group.
  virtual std::string ArgMax(std::string_view arg, std::string_view key) const = 0;
  // The value of `arg` at the row with the smallest `key` in a group.
  virtual std::string ArgMin(std::string_view arg, std::string_view key) const = 0;
  // Like ArgMax, but deterministic on ties: among rows sharing the largest numeric `key`,
  // the smallest `arg`.
  virtual std::string ArgMaxSmallestOnTies(std::string_view arg, std::string_view key) const = 0;
  // The text at top-level `key` of a JSON value; NULL when absent.
  virtual std::string JsonText(std::string_view json, std::string_view key) const = 0;
  // Aggregate `function` (count, sum, min, max, arg_max) over the rows where `condition`
  // holds; `args` are its arguments (none for count: the matching rows are counted).
  virtual std::string AggregateIf(std::string_view function, const std::vector<std::string>& args,
                                  std::string_view condition) const = 0;
  // Bound parameter `index` ($1, $2 …) read as `type`, so that the engine never takes its
  // type from the other operand (a BIGINT column would round a 2.5 bound beside it).
  virtual std::string Parameter(size_t index, SqlType type) const = 0;
  // The DATE `days` days before `date`; `days` is an SqlType::kInteger expression.
  virtual std::string DateMinusDays(std::string_view date, std::string_view days) const = 0;
  // Whether the list `list` holds `value`; NULL when the list is NULL.
  virtual std::string ListContains(std::string_view list, std::string_view value) const = 0;
  // Any value as text (NULL stays NULL).
  virtual std::string ToText(std::string_view expr) const = 0;
};

// The embedded default engine.
const Dialect& DuckDbDialect();

}  // namespace segmenta

#endif  // SEGMENTA_ENGINE_DIALECT_H_
