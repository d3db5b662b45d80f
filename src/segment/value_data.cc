#include "segment/value_data.h"

#include <algorithm>
#include <cctype>

#include "ingest/csv_reader.h"

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

std::string Lower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// The columns a summary file needs, and the names each goes by.
struct SummaryColumn {
  const char* what;
  std::vector<std::string> names;
  bool required;
};
const SummaryColumn kSummaryColumns[] = {
    {"id", {"id", "customer_id", "customer"}, true},
    {"x", {"x", "frequency"}, true},
    {"t_x", {"t_x", "recency"}, true},
    {"T", {"t"}, true},
    {"monetary", {"monetary_value", "monetary", "zbar", "m"}, false},
};

}  // namespace

Result<ValueData> ReadSummaryCsv(const std::filesystem::path& file) {
  CsvOptions options;
  options.header = true;
  SEG_ASSIGN_OR_RETURN(ingest::CsvFile csv, ingest::CsvFile::Open(file, options));
  const std::vector<std::string>& header = csv.columns();
  int at[5] = {-1, -1, -1, -1, -1};
  for (size_t column = 0; column < header.size(); ++column) {
    for (int w = 0; w < 5; ++w) {
      const std::vector<std::string>& names = kSummaryColumns[w].names;
      if (std::find(names.begin(), names.end(), Lower(header[column])) != names.end()) {
        at[w] = static_cast<int>(column);
      }
    }
  }
  for (int w = 0; w < 5; ++w) {
    if (kSummaryColumns[w].required && at[w] < 0) {
      return Status::DataError(file.string() + ":1: no column for " + kSummaryColumns[w].what +
                               "; the header needs id, frequency (or x), recency (or t_x), T "
                               "and optionally monetary_value");
    }
  }
  ValueData data;
  const bool has_value = at[4] >= 0;
  auto on_row = [&](int64_t line, std::string_view,
                    const std::vector<std::string_view>& fields) -> Status {
    const std::string where = file.string() + ":" + std::to_string(line) + ": ";
    double values[5] = {0, 0, 0, 0, 0};
    for (int w = 1; w < 5; ++w) {
      if (at[w] < 0) continue;
      const std::string text(fields[at[w]]);
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
    data.ids.emplace_back(fields[at[0]]);
    data.summary.x.push_back(values[1]);
    data.summary.t_x.push_back(values[2]);
    data.summary.T.push_back(values[3]);
    if (has_value) data.summary.monetary.push_back(values[4]);
    return Status::Ok();
  };
  // The whole file or nothing: a summary with a customer missing would bias the fit.
  auto on_reject = [&](const ingest::CsvReject& reject) -> Status {
    return Status::DataError(file.string() + ":" + std::to_string(reject.line) + ": " +
                             (reject.column.empty() ? "" : "column '" + reject.column + "': ") +
                             reject.reason);
  };
  SEG_RETURN_IF_ERROR(csv.Read(on_row, on_reject));
  return data;
}

}  // namespace segmenta::segment
