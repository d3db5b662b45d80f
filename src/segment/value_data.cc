#include "segment/value_data.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>

namespace segmenta::segment {
namespace {

// A transaction, as the value models count them: a purchase that is not negative. Unlike
// the features' purchases (amount > 0), a free order is still an order (CDNOW has some).
constexpr const char* kIsTransaction = "type = 'purchase' AND coalesce(amount, 0) >= 0";

// The purchase days before `before` (and from `from` when given), one row per customer
// and day with the day's amount.
std::string PurchaseDays(const Dialect& sql, const std::string& before) {
  return "SELECT customer_id, " + sql.ToDate("ts") +
         " AS day, sum(coalesce(amount, 0)) AS amount FROM events WHERE " +
         std::string(kIsTransaction) +
         " "
         "AND ts < " +
         sql.DateLiteral(before) + " GROUP BY customer_id, day";
}

std::string SummarySql(const Dialect& sql, const std::string& end, double unit_days,
                       const std::optional<std::string>& holdout_end) {
  const std::string unit = std::to_string(unit_days);
  const std::string last_day = sql.DateMinusDays(sql.DateLiteral(end), "1");
  std::string text = "WITH days AS (" + PurchaseDays(sql, end) +
                     "), per AS (SELECT customer_id, count(*) - 1 AS x, min(day) AS first_day, "
                     "max(day) AS last_day, sum(amount) - " +
                     sql.ArgMin("amount", "day") +
                     " AS repeat_amount FROM days GROUP BY customer_id)";
  if (holdout_end) {
    text += ", held AS (SELECT customer_id, count(DISTINCT " + sql.ToDate("ts") +
            ") AS n FROM events WHERE " + std::string(kIsTransaction) +
            " AND ts >= " + sql.DateLiteral(end) + " AND ts < " + sql.DateLiteral(*holdout_end) +
            " GROUP BY customer_id)";
  }
  text += " SELECT CAST(per.customer_id AS VARCHAR) AS id, CAST(x AS DOUBLE) AS x, " +
          sql.DaysBetween("first_day", "last_day") + " / " + unit + " AS t_x, " +
          sql.DaysBetween("first_day", last_day) + " / " + unit +
          " AS T, CASE WHEN x > 0 THEN repeat_amount / x ELSE 0 END AS monetary, " +
          sql.DaysBetween("(SELECT min(first_day) FROM per)", "first_day") + " / " + unit +
          " AS first_purchase";
  text += holdout_end ? ", CAST(coalesce(held.n, 0) AS DOUBLE) AS holdout FROM per LEFT JOIN held "
                        "ON held.customer_id = per.customer_id"
                      : " FROM per";
  return text + " ORDER BY per.customer_id";
}

// Repeat purchase days per week from the earliest first purchase, for customers whose
// first purchase is before `end`, counting days before `until`.
std::string RepeatsPerWeekSql(const Dialect& sql, const std::string& end,
                              const std::string& until) {
  return "WITH days AS (" + PurchaseDays(sql, until) +
         "), ranked AS (SELECT customer_id, day, row_number() OVER (PARTITION BY customer_id "
         "ORDER BY day) AS k, min(day) OVER (PARTITION BY customer_id) AS first_day FROM days), "
         "cohort AS (SELECT * FROM ranked WHERE first_day < " +
         sql.DateLiteral(end) + ") SELECT CAST(" +
         sql.DaysBetween("(SELECT min(first_day) FROM cohort)", "day") +
         " // 7 AS DOUBLE) AS week, CAST(count(*) AS DOUBLE) AS n FROM cohort WHERE k > 1 "
         "GROUP BY week ORDER BY week";
}

}  // namespace

Result<ValueData> LoadValueData(store::Connection& conn, const Dialect& sql, const std::string& end,
                                double unit_days, const std::optional<std::string>& holdout_end) {
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> columns,
                       conn.QueryColumns(SummarySql(sql, end, unit_days, holdout_end)));
  ValueData data;
  data.unit_days = unit_days;
  SEG_ASSIGN_OR_RETURN(
      store::Rows last,
      conn.Query("SELECT CAST(" + sql.DateMinusDays(sql.DateLiteral(end), "1") + " AS VARCHAR)"));
  data.calibration_end = store::ToText(last.rows[0][0]);
  data.ids = std::move(columns[0].texts);
  data.summary.x = std::move(columns[1].numbers);
  data.summary.t_x = std::move(columns[2].numbers);
  data.summary.T = std::move(columns[3].numbers);
  data.summary.monetary = std::move(columns[4].numbers);
  data.first_purchase = std::move(columns[5].numbers);
  if (!holdout_end) return data;
  data.holdout = std::move(columns[6].numbers);
  SEG_ASSIGN_OR_RETURN(int64_t days,
                       conn.QueryInt("SELECT " + sql.DaysBetween(sql.DateLiteral(end),
                                                                 sql.DateLiteral(*holdout_end))));
  data.holdout_length = static_cast<double>(days) / unit_days;
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnData> weeks,
                       conn.QueryColumns(RepeatsPerWeekSql(sql, end, *holdout_end)));
  // Whole weeks from the earliest first purchase to the holdout end, empty ones included.
  SEG_ASSIGN_OR_RETURN(int64_t span,
                       conn.QueryInt("SELECT coalesce(" +
                                     sql.DaysBetween("min(" + sql.ToDate("ts") + ")",
                                                     sql.DateLiteral(*holdout_end)) +
                                     ", 0) FROM events WHERE " + std::string(kIsTransaction) +
                                     " AND "
                                     "ts < " +
                                     sql.DateLiteral(end)));
  data.repeats_per_week.assign(static_cast<size_t>(std::max<int64_t>(0, span / 7)), 0.0);
  for (size_t k = 0; k < weeks[0].numbers.size(); ++k) {
    const size_t week = static_cast<size_t>(weeks[0].numbers[k]);
    if (week < data.repeats_per_week.size()) data.repeats_per_week[week] = weeks[1].numbers[k];
  }
  return data;
}

namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"')
        field += '"', ++i;
      else if (c == '"')
        quoted = false;
      else
        field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(field), field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

}  // namespace

Result<ValueData> ReadSummaryCsv(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Status::IoError("cannot read " + file.string());
  std::string line;
  if (!std::getline(in, line)) return Status::DataError(file.string() + ": the file is empty");
  const std::vector<std::string> header = SplitCsvLine(line);
  // Each wanted column and the names it goes by.
  const std::vector<std::pair<std::string, std::vector<std::string>>> wanted = {
      {"id", {"id", "customer_id", "customer"}},
      {"x", {"x", "frequency"}},
      {"t_x", {"t_x", "recency"}},
      {"T", {"t"}},
      {"monetary", {"monetary_value", "monetary", "zbar", "m"}}};
  std::vector<int> at(wanted.size(), -1);
  for (size_t column = 0; column < header.size(); ++column) {
    for (size_t w = 0; w < wanted.size(); ++w) {
      const auto& names = wanted[w].second;
      if (std::find(names.begin(), names.end(), Lower(header[column])) != names.end()) {
        at[w] = static_cast<int>(column);
      }
    }
  }
  for (size_t w = 0; w + 1 < wanted.size(); ++w) {
    if (at[w] < 0) {
      return Status::DataError(file.string() + ":1: no column for " + wanted[w].first +
                               "; the header needs id, frequency (or x), recency (or t_x), T "
                               "and optionally monetary_value");
    }
  }
  ValueData data;
  const bool has_value = at[4] >= 0;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty() || line == "\r") continue;
    const std::vector<std::string> fields = SplitCsvLine(line);
    const std::string where = file.string() + ":" + std::to_string(number) + ": ";
    double values[5] = {0, 0, 0, 0, 0};
    for (size_t w = 1; w < wanted.size(); ++w) {
      if (at[w] < 0) continue;
      if (static_cast<size_t>(at[w]) >= fields.size()) {
        return Status::DataError(where + "column '" + header[at[w]] + "' is missing");
      }
      const std::string& text = fields[at[w]];
      char* rest = nullptr;
      values[w] = std::strtod(text.c_str(), &rest);
      if (text.empty() || *rest != '\0') {
        return Status::DataError(where + "column '" + header[at[w]] + "': '" + text +
                                 "' is not a number");
      }
    }
    std::optional<double> monetary;
    if (has_value) monetary = values[4];
    Status valid = value::ValidateCustomer(values[1], values[2], values[3], monetary);
    if (!valid.ok()) return Status::DataError(where + valid.message());
    data.ids.push_back(fields[at[0]]);
    data.summary.x.push_back(values[1]);
    data.summary.t_x.push_back(values[2]);
    data.summary.T.push_back(values[3]);
    if (has_value) data.summary.monetary.push_back(values[4]);
  }
  return data;
}

}  // namespace segmenta::segment
