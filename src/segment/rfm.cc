// RFM, exactly as ARCHITECTURE.md defines it: thresholds at the 1/n … (n−1)/n
// percentiles (linear interpolation) over the customers with a purchase (frequency >
// 0); F and M score = 1 + the number of thresholds below the value; R score = n − the
// number of thresholds below recency_days. Equal values therefore always get equal
// scores. Segment names come from the R/F grid; customers without a purchase are
// `No Purchase`. The membership score is the cell code r·100 + f·10 + m (e.g. 545).
#include "segment/rfm.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace segmenta::segment {
namespace {

constexpr const char* kNoPurchase = "No Purchase";
constexpr const char* kMetrics[] = {"recency_days", "frequency", "monetary"};

using GridSpec = std::vector<std::pair<std::string, std::vector<std::string>>>;

// The default grid for 5 bins: name, then its R/F cell patterns (R first).
const GridSpec& DefaultGrid() {
  static const GridSpec* grid = new GridSpec{
      {"Champions", {"5[4-5]"}},
      {"Loyal", {"[3-4][4-5]"}},
      {"Potential Loyalists", {"[4-5][2-3]"}},
      {"New Customers", {"51"}},
      {"Promising", {"41"}},
      {"Need Attention", {"33"}},
      {"About To Sleep", {"3[1-2]"}},
      {"Can't Lose Them", {"[1-2]5"}},
      {"At Risk", {"[1-2][3-4]"}},
      {"Hibernating", {"[1-2][1-2]"}},
  };
  return *grid;
}

// Shortest text that reads back as exactly `value`.
std::string Number(double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

// The scores "[1-2]" or "3" at `pos` cover; advances `pos`. Empty when malformed.
std::vector<int> ParseScores(std::string_view pattern, size_t& pos, int bins) {
  auto digit = [&](size_t at) {
    bool ok = at < pattern.size() && pattern[at] >= '1' && pattern[at] - '0' <= bins;
    return ok ? pattern[at] - '0' : 0;
  };
  if (pos < pattern.size() && pattern[pos] == '[') {
    int low = digit(pos + 1), high = digit(pos + 3);
    if (pattern.size() < pos + 5 || pattern[pos + 2] != '-' || pattern[pos + 4] != ']' ||
        low == 0 || high < low) {
      return {};
    }
    pos += 5;
    std::vector<int> scores;
    for (int score = low; score <= high; ++score) scores.push_back(score);
    return scores;
  }
  int score = digit(pos);
  if (score == 0) return {};
  pos += 1;
  return {score};
}

// The values at 0-based `positions` of the buyers' `metric`, sorted ascending.
Result<std::map<int64_t, double>> OrderStatistics(const SegmentContext& context, const char* metric,
                                                  const std::vector<int64_t>& positions) {
  std::string list;
  for (int64_t position : positions) list += (list.empty() ? "" : ", ") + std::to_string(position);
  std::string column = "CAST(" + context.sql.QuoteIdentifier(metric) + " AS DOUBLE)";
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       context.conn.Query("SELECT k, v FROM (SELECT " + column +
                                          " AS v, row_number() OVER (ORDER "
                                          "BY " +
                                          column + ") - 1 AS k FROM " + context.features_table +
                                          " WHERE " + context.sql.QuoteIdentifier("frequency") +
                                          " > 0) WHERE k IN (" + list + ")"));
  std::map<int64_t, double> values;
  for (const auto& row : rows.rows) values[std::get<int64_t>(row[0])] = store::ToDouble(row[1]);
  return values;
}

std::string CellName(int r, int f) { return "R" + std::to_string(r) + "F" + std::to_string(f); }

}  // namespace

int RfmScore(const std::vector<double>& thresholds, double value, bool reversed) {
  auto below = static_cast<int>(
      std::count_if(thresholds.begin(), thresholds.end(), [&](double t) { return t < value; }));
  return reversed ? static_cast<int>(thresholds.size()) + 1 - below : 1 + below;
}

Result<RfmGrid> RfmGrid::Make(const SegmentationConfig& config, int bins) {
  RfmGrid grid;
  grid.bins = bins;
  grid.names.assign(static_cast<size_t>(bins) * static_cast<size_t>(bins), "");
  std::string where = "segmentation '" + config.name + "'";
  const GridSpec& spec = config.grid.empty() && bins == 5 ? DefaultGrid() : config.grid;
  for (const auto& [name, patterns] : spec) {
    grid.order.push_back(name);
    for (const std::string& pattern : patterns) {
      size_t pos = 0;
      std::vector<int> rs = ParseScores(pattern, pos, bins);
      std::vector<int> fs = rs.empty() ? rs : ParseScores(pattern, pos, bins);
      if (fs.empty() || pos != pattern.size()) {
        return Status::InvalidArgument(where + ": grid cell '" + pattern + "' of '" + name +
                                       "' is not an R/F pattern; write two scores from 1 to " +
                                       std::to_string(bins) +
                                       ", each a digit or a range: \"5[4-5]\", \"[1-2][1-2]\"");
      }
      for (int r : rs) {
        for (int f : fs) {
          std::string& cell = grid.names[grid.Cell(r, f)];
          if (!cell.empty()) {
            return Status::InvalidArgument(where + ": grid cell " + CellName(r, f) +
                                           " is in both '" + cell + "' and '" + name +
                                           "'; each cell belongs to one segment");
          }
          cell = name;
        }
      }
    }
  }
  for (int r = 1; r <= bins; ++r) {
    for (int f = 1; f <= bins; ++f) {
      std::string& cell = grid.names[grid.Cell(r, f)];
      if (!spec.empty() && cell.empty()) {
        return Status::InvalidArgument(where + ": grid cell " + CellName(r, f) +
                                       " belongs to no segment; every R/F cell needs one");
      }
      if (spec.empty()) {
        cell = CellName(r, f);
        grid.order.push_back(cell);
      }
    }
  }
  return grid;
}

std::vector<std::string> RfmSegmenter::Segments() const {
  std::vector<std::string> segments = grid_.order;
  segments.push_back(kNoPurchase);
  return segments;
}

Result<SegmenterResult> RfmSegmenter::Run(SegmentContext& context, const std::string& output) {
  const Dialect& sql = context.sql;
  std::string frequency = sql.QuoteIdentifier("frequency");
  SEG_ASSIGN_OR_RETURN(int64_t buyers,
                       context.conn.QueryInt("SELECT count(*) FROM " + context.features_table +
                                             " WHERE " + frequency + " > 0"));
  // The thresholds: for percentile i/n over b sorted buyer values x, h = (b−1)·i/n and
  // threshold = x[⌊h⌋] + (x[⌊h⌋+1] − x[⌊h⌋])·frac(h), with frac(h) taken as an exact
  // fraction of integers, so 0.4·30 is 12, not 11.99999….
  RfmThresholds thresholds;
  std::vector<double>* lists[] = {&thresholds.recency, &thresholds.frequency, &thresholds.monetary};
  for (size_t metric = 0; metric < 3 && buyers > 0; ++metric) {
    std::vector<int64_t> positions;
    for (int i = 1; i < grid_.bins; ++i) {
      int64_t floor = (buyers - 1) * i / grid_.bins;
      positions.push_back(floor);
      positions.push_back(std::min(floor + 1, buyers - 1));
    }
    using Values = std::map<int64_t, double>;
    SEG_ASSIGN_OR_RETURN(Values values, OrderStatistics(context, kMetrics[metric], positions));
    for (int i = 1; i < grid_.bins; ++i) {
      int64_t floor = (buyers - 1) * i / grid_.bins;
      int64_t remainder = (buyers - 1) * i % grid_.bins;
      double low = values[floor];
      double high = values[std::min(floor + 1, buyers - 1)];
      lists[metric]->push_back(low + (high - low) * static_cast<double>(remainder) / grid_.bins);
    }
  }
  // Scores: count the thresholds below each value.
  auto below = [&](const std::vector<double>& list, const char* metric) {
    std::string count = "0";
    for (double threshold : list) {
      count += " + CASE WHEN " + sql.QuoteIdentifier(metric) + " > " + Number(threshold) +
               " THEN 1 ELSE 0 END";
    }
    return "(" + count + ")";
  };
  std::string n = std::to_string(grid_.bins);
  std::string r = "(" + n + " - " + below(thresholds.recency, "recency_days") + ")";
  std::string f = "(1 + " + below(thresholds.frequency, "frequency") + ")";
  std::string m = "(1 + " + below(thresholds.monetary, "monetary") + ")";
  std::string name = "CASE r * 100 + f";
  for (int rs = 1; rs <= grid_.bins; ++rs) {
    for (int fs = 1; fs <= grid_.bins; ++fs) {
      name +=
          " WHEN " + std::to_string(rs * 100 + fs) + " THEN " + sql.QuoteString(grid_.Name(rs, fs));
    }
  }
  name += " END";
  std::string scored = "SELECT " + sql.QuoteIdentifier("customer_id") + ", " + frequency +
                       " > 0 AS buyer, " + r + " AS r, " + f + " AS f, " + m + " AS m FROM " +
                       context.features_table;
  SEG_RETURN_IF_ERROR(context.conn.Execute(
      "CREATE OR REPLACE TEMP TABLE " + output + " AS SELECT customer_id, CASE WHEN buyer THEN " +
      name + " ELSE " + sql.QuoteString(kNoPurchase) +
      " END AS segment, CASE WHEN buyer THEN CAST(r * 100 + f * 10 + m AS DOUBLE) END AS score "
      "FROM (" +
      scored + ")"));
  SegmenterResult result;
  nlohmann::json cells = nlohmann::json::object();
  for (int rs = 1; rs <= grid_.bins; ++rs) {
    for (int fs = 1; fs <= grid_.bins; ++fs) cells[CellName(rs, fs)] = grid_.Name(rs, fs);
  }
  result.model = {{"method", "rfm"},
                  {"bins", grid_.bins},
                  {"buyers", buyers},
                  {"thresholds",
                   {{"recency_days", thresholds.recency},
                    {"frequency", thresholds.frequency},
                    {"monetary", thresholds.monetary}}},
                  {"grid", cells}};
  return result;
}

}  // namespace segmenta::segment
