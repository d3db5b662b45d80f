#include "segment/profile.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include "segment/format.h"

namespace segmenta::segment {
namespace {

constexpr const char* kCategoryShare = "category_share_";
// Features whose percentiles (p10, median, p90) profiles show; every numeric feature
// gets its mean and standard deviation (quantiles cost a sort per feature and segment).
const char* const kSummarised[] = {"recency_days",    "frequency",      "monetary",
                                   "avg_order_value", "tenure_days",    "interpurchase_days_mean",
                                   "revenue_trend",   "email_open_rate"};

// The numeric columns of the features table.
Result<std::vector<std::string>> NumericColumns(store::Connection& conn,
                                                const std::string& features) {
  SEG_ASSIGN_OR_RETURN(std::vector<store::ColumnInfo> all, conn.Columns(features));
  std::vector<std::string> columns;
  for (const store::ColumnInfo& column : all) {
    const std::string& type = column.type;
    if (type == "DOUBLE" || type == "BIGINT" || type == "INTEGER" || type == "HUGEINT") {
      columns.push_back(column.name);
    }
  }
  return columns;
}

struct Summary {
  double mean = NAN, sd = NAN, p10 = NAN, median = NAN, p90 = NAN;
};
using Summaries = std::map<std::string, Summary>;  // by column

// `SELECT <keys>, then per column mean, sd, p10, median, p90 FROM <from> GROUP BY <keys>`
// (percentiles NULL outside kSummarised); one sort per column gives all three.
std::string SummarySql(const Dialect& sql, const std::vector<std::string>& columns,
                       const std::vector<std::string>& keys, const std::string& from) {
  std::string inner = "SELECT ", outer = "SELECT ";
  for (size_t index = 0; index < keys.size(); ++index) {
    std::string alias = "k" + std::to_string(index);
    inner += (index ? ", " : "") + keys[index] + " AS " + alias;
    outer += (index ? ", " : "") + alias;
  }
  for (size_t index = 0; index < columns.size(); ++index) {
    std::string col = "CAST(f." + sql.QuoteIdentifier(columns[index]) + " AS DOUBLE)";
    std::string n = std::to_string(index);
    bool summarised = std::find(std::begin(kSummarised), std::end(kSummarised), columns[index]) !=
                      std::end(kSummarised);
    inner += ", avg(" + col + ") AS a" + n + ", stddev_pop(" + col + ") AS s" + n;
    if (summarised) inner += ", quantile_cont(" + col + ", [0.1, 0.5, 0.9]) AS q" + n;
    outer += ", a" + n + ", s" + n;
    outer += summarised ? ", q" + n + "[1], q" + n + "[2], q" + n + "[3]" : ", NULL, NULL, NULL";
  }
  return outer + " FROM (" + inner + " FROM " + from + " GROUP BY ALL)";
}

Summaries ReadSummaries(const std::vector<store::Value>& row, size_t first,
                        const std::vector<std::string>& columns) {
  Summaries summaries;
  for (size_t col = 0; col < columns.size(); ++col) {
    size_t at = first + col * 5;
    summaries[columns[col]] = {store::ToDouble(row[at]), store::ToDouble(row[at + 1]),
                               store::ToDouble(row[at + 2]), store::ToDouble(row[at + 3]),
                               store::ToDouble(row[at + 4])};
  }
  return summaries;
}

nlohmann::json Number(double value) {
  if (std::isnan(value)) return nullptr;
  return std::round(value * 1000) / 1000;
}

// (seg mean − base mean) / base standard deviation.
double Difference(const Summary& segment, const Summary& base) {
  if (std::isnan(segment.mean) || std::isnan(base.mean) || !(base.sd > 0)) return 0;
  return (segment.mean - base.mean) / base.sd;
}

struct Play {
  const char* name;
  const char* why;
  std::function<bool(const Summaries&, const Summaries&)> applies;
};

double Mean(const Summaries& s, const char* column) {
  auto found = s.find(column);
  return found == s.end() ? NAN : found->second.mean;
}
double Median(const Summaries& s, const char* column) {
  auto found = s.find(column);
  return found == s.end() ? NAN : found->second.median;
}

// The playbook, first match wins.
const std::vector<Play>& Playbook() {
  static const auto* plays = new std::vector<Play>{
      {"Onboarding", "they have not bought yet: a first-purchase offer and a welcome series",
       [](const Summaries& s, const Summaries&) { return !(Mean(s, "frequency") > 0); }},
      {"Onboarding",
       "most bought for the first time recently: welcome them and suggest a second order",
       [](const Summaries& s, const Summaries&) { return Median(s, "tenure_days") <= 60; }},
      {"VIP care",
       "they spend far above the base and bought recently: early access, personal service",
       [](const Summaries& s, const Summaries& b) {
         return Mean(s, "monetary") > 2 * Mean(b, "monetary") &&
                Median(s, "recency_days") <= Median(b, "recency_days");
       }},
      {"Win-back", "valuable customers who stopped buying: a personal win-back offer",
       [](const Summaries& s, const Summaries& b) {
         return Median(s, "recency_days") > 180 && Mean(s, "frequency") >= Mean(b, "frequency");
       }},
      {"Reward", "frequent and recent buyers: loyalty rewards, referrals",
       [](const Summaries& s, const Summaries& b) {
         return Mean(s, "frequency") > Mean(b, "frequency") &&
                Median(s, "recency_days") <= Median(b, "recency_days");
       }},
      {"Re-engage", "they have drifted away: a reminder with a reason to come back",
       [](const Summaries& s, const Summaries&) { return Median(s, "recency_days") > 90; }},
      {"Upsell", "active but below-average spend: bundles and cross-category suggestions",
       [](const Summaries&, const Summaries&) { return true; }},
  };
  return *plays;
}

struct Category {
  std::string name;
  double share = 0, lift = 0;
};

std::vector<Category> TopCategories(const Summaries& segment, const Summaries& base) {
  std::vector<Category> categories;
  for (const auto& [column, summary] : segment) {
    if (!column.starts_with(kCategoryShare) || std::isnan(summary.mean)) continue;
    double base_mean = base.at(column).mean;
    categories.push_back({column.substr(std::string(kCategoryShare).size()), summary.mean,
                          base_mean > 0 ? summary.mean / base_mean : 0});
  }
  std::sort(categories.begin(), categories.end(),
            [](const Category& a, const Category& b) { return a.share > b.share; });
  if (categories.size() > 3) categories.resize(3);
  return categories;
}

std::string PersonaName(const Summaries& s, const Summaries& b,
                        const std::vector<Category>& categories) {
  if (!(Mean(s, "frequency") > 0)) return "Prospects";
  double value = Mean(s, "monetary") / Mean(b, "monetary");
  std::string words = value > 1.5 ? "High-value" : value < 0.6 ? "Low-spend" : "Mid-value";
  double recency = Median(s, "recency_days"), base_recency = Median(b, "recency_days");
  words += recency <= 0.6 * base_recency  ? " active"
           : recency > 1.5 * base_recency ? " lapsed"
                                          : " occasional";
  if (!categories.empty() && categories[0].lift > 1.2) words += " " + categories[0].name;
  return words + " buyers";
}

nlohmann::json Profile(const SegmentSize& size, double total_revenue, const Summaries& s,
                       const Summaries& b, int64_t customers) {
  nlohmann::json numbers = nlohmann::json::object();
  std::vector<std::pair<std::string, double>> differences;
  for (const auto& [column, summary] : s) {
    const Summary& base = b.at(column);
    numbers[column] = {{"mean", Number(summary.mean)},   {"median", Number(summary.median)},
                       {"p10", Number(summary.p10)},     {"p90", Number(summary.p90)},
                       {"base_mean", Number(base.mean)}, {"base_median", Number(base.median)}};
    if (!column.starts_with(kCategoryShare))
      differences.emplace_back(column, Difference(summary, base));
  }
  std::sort(differences.begin(), differences.end(),
            [](const auto& x, const auto& y) { return std::abs(x.second) > std::abs(y.second); });
  if (differences.size() > 5) differences.resize(5);
  nlohmann::json distinguishing = nlohmann::json::array();
  std::string stands_out;
  for (const auto& [column, difference] : differences) {
    distinguishing.push_back({{"feature", column}, {"difference", Number(difference)}});
    stands_out += (stands_out.empty() ? "" : ", ") + column + " (" + (difference >= 0 ? "+" : "") +
                  Fixed(difference, 1) + " sd)";
  }
  std::vector<Category> categories = TopCategories(s, b);
  nlohmann::json top = nlohmann::json::array();
  for (const Category& category : categories) {
    top.push_back({{"category", category.name},
                   {"share", Number(category.share)},
                   {"lift", Number(category.lift)}});
  }
  const Play* play = nullptr;
  for (const Play& candidate : Playbook()) {
    if (candidate.applies(s, b)) {
      play = &candidate;
      break;
    }
  }
  double revenue_share = total_revenue != 0 ? size.revenue / total_revenue : 0;
  std::string description =
      std::to_string(size.customers) + " customers (" + Fixed(100 * size.share, 1) +
      "% of the base) bring " + Fixed(100 * revenue_share, 1) + "% of net revenue. On average " +
      "they placed " + Fixed(Mean(s, "frequency"), 1) + " orders (base " +
      Fixed(Mean(b, "frequency"), 1) + ") and spent " + Fixed(Mean(s, "monetary"), 0) + " (base " +
      Fixed(Mean(b, "monetary"), 0) + "); the median last purchase was " +
      Fixed(Median(s, "recency_days"), 0) + " days ago (base " +
      Fixed(Median(b, "recency_days"), 0) + ")." +
      (categories.empty() ? ""
                          : " Top category: " + categories[0].name + " (lift " +
                                Fixed(categories[0].lift, 2) + ").") +
      (stands_out.empty() ? "" : " They differ most in " + stands_out + ".");
  return {{"segment", size.segment},
          {"customers", size.customers},
          {"share", Number(size.share)},
          {"revenue", Number(size.revenue)},
          {"revenue_share", Number(revenue_share)},
          {"base_customers", customers},
          {"numbers", numbers},
          {"top_categories", top},
          {"distinguishing", distinguishing},
          {"name", PersonaName(s, b, categories)},
          {"description", description},
          {"play", {{"name", play->name}, {"why", play->why}}}};
}

}  // namespace

Result<SegmentationResult> SegmentSizes(store::Connection& conn, const std::string& memberships,
                                        const std::string& features,
                                        const SegmentationConfig& config,
                                        const std::vector<std::string>& segments, int64_t customers,
                                        int min_group_size) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query("SELECT m.segment, count(*), coalesce(sum(f.monetary), 0) FROM " +
                                      memberships + " m JOIN " + features +
                                      " f USING (customer_id) WHERE m.segmentation = $1 GROUP BY 1",
                                  {config.name}));
  std::map<std::string, std::pair<int64_t, double>> found;
  for (const auto& row : rows.rows) {
    found[store::ToText(row[0])] = {std::get<int64_t>(row[1]), store::ToDouble(row[2])};
  }
  std::vector<std::string> order = segments;
  for (const auto& [segment, size] : found) {
    if (std::find(order.begin(), order.end(), segment) == order.end()) order.push_back(segment);
  }
  SegmentationResult result{config.name, config.method, {}};
  for (const std::string& segment : order) {
    auto [count, revenue] =
        found.count(segment) ? found[segment] : std::pair<int64_t, double>{0, 0};
    SegmentSize size{segment, count, customers > 0 ? double(count) / customers : 0, revenue};
    if (count > 0 && count < min_group_size) size = {segment, 0, 0, 0, true};
    result.segments.push_back(size);
  }
  return result;
}

Result<std::vector<SegmentProfile>> BuildProfiles(const SegmentContext& context,
                                                  const std::string& memberships,
                                                  const std::vector<SegmentationResult>& results,
                                                  int min_group_size) {
  store::Connection& conn = context.conn;
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> columns,
                       NumericColumns(conn, context.features_table));
  SEG_ASSIGN_OR_RETURN(store::Rows base_rows,
                       conn.Query(SummarySql(context.sql, columns, {"sum(f.monetary)"},
                                             context.features_table + " f")));
  double total_revenue = store::ToDouble(base_rows.rows.at(0).at(0));
  Summaries base = ReadSummaries(base_rows.rows[0], 1, columns);
  // Every segment of every segmentation in one grouping.
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query(SummarySql(context.sql, columns, {"m.segmentation", "m.segment"},
                                             memberships + " m JOIN " + context.features_table +
                                                 " f USING (customer_id)")));
  std::map<std::pair<std::string, std::string>, Summaries> by_segment;
  for (const auto& row : rows.rows) {
    by_segment[{store::ToText(row[0]), store::ToText(row[1])}] = ReadSummaries(row, 2, columns);
  }
  std::vector<SegmentProfile> profiles;
  for (const SegmentationResult& sizes : results) {
    for (const SegmentSize& size : sizes.segments) {
      SegmentProfile profile{sizes.name, size.segment, {}};
      if (size.suppressed) {
        profile.json = {
            {"segment", size.segment}, {"suppressed", true}, {"min_group_size", min_group_size}};
      } else if (size.customers == 0) {
        profile.json = {{"segment", size.segment}, {"customers", 0}};
      } else {
        auto base_customers = static_cast<int64_t>(std::llround(size.customers / size.share));
        profile.json = Profile(size, total_revenue, by_segment[{sizes.name, size.segment}], base,
                               base_customers);
      }
      profiles.push_back(std::move(profile));
    }
  }
  return profiles;
}

}  // namespace segmenta::segment
