// What the value models read: per-customer summaries (x, t_x, T, mean repeat value)
// computed from the workspace's purchases, or read from a ready summary CSV (the layout
// of the lifetimes and BTYD packages).
//
// From events: transactions are events of type 'purchase' with an amount that is not
// negative (a free order is an order, unlike for the features' purchases); those on the
// same day merge into one (amounts summed). The calibration ends the day before
// `end` (the run's as_of: the models observe what the features observe); T runs from a
// customer's first purchase day to that last day. With a holdout end, the purchase days
// in [end, holdout_end) are counted per customer too.
#ifndef SEGMENTA_SEGMENT_VALUE_DATA_H_
#define SEGMENTA_SEGMENT_VALUE_DATA_H_

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/dialect.h"
#include "segmenta/value.h"
#include "store/database.h"

namespace segmenta::segment {

struct ValueData {
  std::vector<std::string> ids;  // customer ids, in the order of summary
  value::Summary summary;
  double unit_days = 7;         // days per time unit
  std::string calibration_end;  // the last day observed, YYYY-MM-DD ("" for a CSV)
  // With a holdout: purchase days in it per customer, and its length in units.
  std::vector<double> holdout;
  double holdout_length = 0;
  // For cumulative tracking: first purchase in units from the earliest one, and the
  // repeat purchase days of these customers per week from then to the holdout end.
  std::vector<double> first_purchase;
  std::vector<double> repeats_per_week;
};

// The summaries of every customer with a purchase before `end` (YYYY-MM-DD).
Result<ValueData> LoadValueData(store::Connection& conn, const Dialect& sql, const std::string& end,
                                double unit_days,
                                const std::optional<std::string>& holdout_end = std::nullopt);

// A CSV with a header naming the columns: an id (id, customer_id), x (frequency),
// t_x (recency), T and optionally the mean repeat value (monetary_value, monetary, zbar),
// in any order and case. A bad row is an error naming the file, line, column and value.
Result<ValueData> ReadSummaryCsv(const std::filesystem::path& file);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_VALUE_DATA_H_
