// The feature table against hand-computed golden values (tests/golden/features/, with the
// arithmetic in its README), plus options, column naming and export.
#include "segmenta/features.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "../../tests/testing.h"
#include "engine/dialect.h"
#include "store/database.h"

namespace segmenta {
namespace {

namespace fs = std::filesystem;

const fs::path kGolden = fs::path(SEGMENTA_SOURCE_DIR) / "tests" / "golden" / "features";

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream stream(line);
  std::string cell;
  while (std::getline(stream, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

// The expected table: header, then rows (plain CSV, no quoting; empty = NULL).
std::vector<std::vector<std::string>> ReadExpected() {
  std::ifstream in(kGolden / "expected.csv");
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) rows.push_back(SplitCsvLine(line));
  return rows;
}

// A number, or "a/b" for a fraction worked out by hand.
bool ParseExpected(const std::string& text, double& value) {
  size_t slash = text.find('/');
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  if (slash == std::string::npos) return end == text.c_str() + text.size();
  double denominator = std::strtod(text.c_str() + slash + 1, &end);
  value /= denominator;
  return end == text.c_str() + text.size();
}

void ExpectCell(const store::Value& actual, const std::string& expected, const std::string& where) {
  if (expected.empty()) {
    EXPECT_TRUE(store::IsNull(actual))
        << where << " = " << store::ToText(actual) << ", expected NULL";
    return;
  }
  double want = 0;
  if (std::holds_alternative<std::string>(actual) || !ParseExpected(expected, want)) {
    EXPECT_EQ(store::ToText(actual), expected) << where;
    return;
  }
  EXPECT_FALSE(store::IsNull(actual)) << where << " is NULL, expected " << expected;
  EXPECT_NEAR(store::ToDouble(actual), want, 1e-9) << where;
}

// The options expected.csv was computed with.
FeatureOptions GoldenOptions() {
  FeatureOptions options;
  options.as_of = "2024-07-01";
  options.top_categories = 2;
  options.top_channels = 2;
  options.holidays = {HolidayWindow{12, 20, 1, 6}, HolidayWindow{11, 25, 11, 30}};
  return options;
}

class FeaturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Workspace> workspace = Workspace::OpenInMemory();
    ASSERT_TRUE(workspace.ok()) << workspace.status().ToString();
    workspace_ = std::make_unique<Workspace>(std::move(*workspace));
  }

  store::Connection& Conn() { return workspace_->connection(); }

  void LoadGolden() {
    const Dialect& sql = DuckDbDialect();
    std::string customers = sql.QuoteString((kGolden / "customers.csv").string());
    std::string events = sql.QuoteString((kGolden / "events.csv").string());
    Status status = Conn().Execute(
        "INSERT INTO customers (customer_id, _source, _line) "
        "SELECT customer_id, 'golden', row_number() OVER () FROM read_csv(" +
        customers +
        ", header = true, columns = {'customer_id': 'VARCHAR'});"
        "INSERT INTO events SELECT customer_id, ts, type, amount, order_id, channel, category, "
        "campaign, score, props, 'golden', row_number() OVER () FROM read_csv(" +
        events +
        ", header = true, columns = {'customer_id': 'VARCHAR', 'ts': 'TIMESTAMP', "
        "'type': 'VARCHAR', 'amount': 'DOUBLE', 'order_id': 'VARCHAR', 'channel': 'VARCHAR', "
        "'category': 'VARCHAR', 'campaign': 'VARCHAR', 'score': 'DOUBLE', 'props': 'JSON'})");
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // One feature of one customer from the last build.
  store::Value Feature(const std::string& customer, const std::string& column) {
    const Dialect& sql = DuckDbDialect();
    Result<store::Rows> rows = Conn().Query(
        "SELECT " + sql.QuoteIdentifier(column) + " FROM features WHERE customer_id = $1",
        {customer});
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || rows->size() != 1) return {};
    return rows->rows[0][0];
  }

  std::unique_ptr<Workspace> workspace_;
};

TEST_F(FeaturesTest, GoldenTableMatchesHandComputedValues) {
  LoadGolden();
  Result<FeatureTable> table = BuildFeatures(*workspace_, GoldenOptions());
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<std::vector<std::string>> expected = ReadExpected();
  ASSERT_GT(expected.size(), 1u);
  EXPECT_EQ(table->as_of, "2024-07-01");
  EXPECT_EQ(table->customers, static_cast<int64_t>(expected.size() - 1));
  EXPECT_EQ(table->columns, expected[0]);

  Result<store::Rows> actual = Conn().Query("SELECT * FROM features ORDER BY customer_id");
  ASSERT_TRUE(actual.ok()) << actual.status().ToString();
  ASSERT_EQ(actual->columns, expected[0]);
  ASSERT_EQ(actual->size(), expected.size() - 1);
  for (size_t row_idx = 0; row_idx < actual->size(); ++row_idx) {
    const std::vector<std::string>& want = expected[row_idx + 1];
    ASSERT_EQ(want.size(), expected[0].size()) << "expected.csv line " << row_idx + 2;
    for (size_t col_idx = 0; col_idx < want.size(); ++col_idx) {
      ExpectCell(actual->rows[row_idx][col_idx], want[col_idx],
                 want[0] + "." + expected[0][col_idx]);
    }
  }
}

TEST_F(FeaturesTest, DefaultAsOfIsTheDayAfterTheNewestEvent) {
  LoadGolden();
  FeatureOptions options = GoldenOptions();
  options.as_of.reset();
  Result<FeatureTable> table = BuildFeatures(*workspace_, options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->as_of, "2024-07-06");  // newest event: c05's purchase at 2024-07-05 12:00
  // Now c05's purchases of 07-01 and 07-05 count too.
  EXPECT_EQ(std::get<int64_t>(Feature("c05", "frequency")), 3);
  EXPECT_EQ(std::get<int64_t>(Feature("c05", "recency_days")), 1);
}

TEST_F(FeaturesTest, NoEventsAtAllGiveProspectsAsOfToday) {
  ASSERT_TRUE(Conn().Execute("INSERT INTO customers VALUES ('a', 't', 1), ('b', 't', 2)").ok());
  Result<FeatureTable> table = BuildFeatures(*workspace_, FeatureOptions{});
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->customers, 2);
  EXPECT_EQ(table->as_of,
            store::ToText((*Conn().Query("SELECT CAST(current_date AS VARCHAR)")).rows[0][0]));
  EXPECT_EQ(std::get<std::string>(Feature("a", "journey_stage")), "prospect");
  EXPECT_EQ(std::get<int64_t>(Feature("b", "frequency")), 0);
}

TEST_F(FeaturesTest, JourneyThresholdsComeFromTheOptions) {
  LoadGolden();
  FeatureOptions options = GoldenOptions();
  options.new_days = 29;              // c11's first purchase is 30 days old: no longer new
  options.support_pending_days = 13;  // c08's support contact is 14 days old: no longer pending
  options.lapsed_days = 389;          // c13's gap of 390 days still reactivates; c18 lapsing
  ASSERT_TRUE(BuildFeatures(*workspace_, options).ok());
  EXPECT_EQ(std::get<std::string>(Feature("c11", "journey_stage")), "active");
  EXPECT_EQ(std::get<std::string>(Feature("c08", "journey_stage")), "lapsing");
  EXPECT_EQ(std::get<std::string>(Feature("c13", "journey_stage")), "reactivated");
  EXPECT_EQ(std::get<std::string>(Feature("c18", "journey_stage")), "lapsing");
  options.lapsed_days = 390;  // a gap of exactly lapsed_days does not reactivate
  ASSERT_TRUE(BuildFeatures(*workspace_, options).ok());
  EXPECT_EQ(std::get<std::string>(Feature("c13", "journey_stage")), "repeat");
}

TEST_F(FeaturesTest, DefaultHolidayWindowIsNov15ToDec31) {
  LoadGolden();
  FeatureOptions options = GoldenOptions();
  options.holidays = FeatureOptions{}.holidays;
  ASSERT_TRUE(BuildFeatures(*workspace_, options).ok());
  // c24: Nov 25, Nov 30, Dec 19, Dec 20, Dec 31 inside; Jan 6, Jan 7 outside.
  EXPECT_NEAR(std::get<double>(Feature("c24", "holiday_share")), 5.0 / 7, 1e-12);
  EXPECT_EQ(std::get<double>(Feature("c06", "holiday_share")), 0.0);  // Jan 2, Jan 3
  options.holidays.clear();
  ASSERT_TRUE(BuildFeatures(*workspace_, options).ok());
  EXPECT_EQ(std::get<double>(Feature("c24", "holiday_share")), 0.0);
}

TEST_F(FeaturesTest, TopListsOfZeroLeaveOutTheShareColumns) {
  LoadGolden();
  FeatureOptions options = GoldenOptions();
  options.top_categories = 0;
  options.top_channels = 0;
  Result<FeatureTable> table = BuildFeatures(*workspace_, options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  for (const std::string& column : table->columns) {
    EXPECT_EQ(column.find("_share_"), std::string::npos) << column;
  }
  EXPECT_EQ(std::get<std::string>(Feature("c21", "preferred_channel")), "app");
}

TEST_F(FeaturesTest, ShareColumnNamesAreSanitisedUniqueAndValuesQuoted) {
  ASSERT_TRUE(Conn()
                  .Execute("INSERT INTO customers VALUES ('a', 't', 1);"
                           "INSERT INTO events (customer_id, ts, type, amount, category, _source, "
                           "_line) VALUES "
                           "('a', '2024-01-01', 'purchase', 40, 'A b', 't', 1),"
                           "('a', '2024-01-01', 'purchase', 30, 'a-b', 't', 2),"
                           "('a', '2024-01-01', 'purchase', 20, 'it''s \"odd\" {:events}', 't', 3),"
                           "('a', '2024-01-01', 'purchase', 10, 'Z', 't', 4)")
                  .ok());
  FeatureOptions options;
  options.top_categories = 3;
  Result<FeatureTable> table = BuildFeatures(*workspace_, options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  std::vector<std::string> shares;
  for (const std::string& column : table->columns) {
    if (column.starts_with("category_share_")) shares.push_back(column);
  }
  EXPECT_EQ(shares, (std::vector<std::string>{"category_share_a_b", "category_share_a_b_2",
                                              "category_share_it_s__odd____events_"}));
  EXPECT_DOUBLE_EQ(std::get<double>(Feature("a", "category_share_a_b_2")), 0.3);
  EXPECT_DOUBLE_EQ(std::get<double>(Feature("a", "category_share_it_s__odd____events_")), 0.2);
}

TEST_F(FeaturesTest, PreferredChannelAmongManyChannels) {
  // 14 channels: too many to compare inline, so preferred_channel takes the grouping path.
  std::string sql =
      "INSERT INTO customers VALUES ('a', 't', 1), ('b', 't', 2), ('f', 't', 3);"
      "INSERT INTO events (customer_id, ts, type, amount, channel, _source, _line) VALUES "
      "('a', '2024-01-02', 'purchase', 50, 'ch13', 't', 1),"
      "('a', '2024-01-02', 'purchase', 50, 'ch07', 't', 2),"
      "('a', '2024-01-02', 'purchase', 20, 'ch01', 't', 3),"
      "('b', '2024-01-02', 'purchase', 20, 'ch00', 't', 4)";
  for (int channel_idx = 0; channel_idx < 14; ++channel_idx) {
    std::string channel = (channel_idx < 10 ? "ch0" : "ch1") + std::to_string(channel_idx % 10);
    sql += ",('f', '2024-01-01', 'purchase', " + std::to_string(100 + channel_idx) + ", '" +
           channel + "', 't', " + std::to_string(10 + channel_idx) + ")";
  }
  ASSERT_TRUE(Conn().Execute(sql).ok());
  FeatureOptions options;
  options.top_channels = 2;
  Result<FeatureTable> table = BuildFeatures(*workspace_, options);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(std::get<std::string>(Feature("a", "preferred_channel")), "ch07");  // tie with ch13
  EXPECT_EQ(std::get<std::string>(Feature("b", "preferred_channel")), "ch00");  // not a top one
  EXPECT_EQ(std::get<std::string>(Feature("f", "preferred_channel")), "ch13");
  // Top channels by revenue: ch13 (113 + 50), ch07 (107 + 50).
  EXPECT_NEAR(std::get<double>(Feature("a", "channel_share_ch13")), 50.0 / 120, 1e-12);
  EXPECT_NEAR(std::get<double>(Feature("f", "channel_share_ch07")), 107.0 / 1491, 1e-12);
  EXPECT_EQ(
      std::count_if(table->columns.begin(), table->columns.end(),
                    [](const std::string& column) { return column.starts_with("channel_share_"); }),
      2);
}

TEST_F(FeaturesTest, RejectsBadOptions) {
  LoadGolden();
  for (const char* as_of : {"2024-13-01", "2024-02-30", "01/07/2024", "2024-7-1", "x'; --"}) {
    FeatureOptions options;
    options.as_of = as_of;
    Result<FeatureTable> table = BuildFeatures(*workspace_, options);
    ASSERT_FALSE(table.ok()) << as_of;
    EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument) << as_of;
    EXPECT_NE(table.status().message().find(as_of), std::string::npos);
  }
  FeatureOptions negative = GoldenOptions();
  negative.top_categories = -1;
  EXPECT_EQ(BuildFeatures(*workspace_, negative).status().code(), StatusCode::kInvalidArgument);
  FeatureOptions bad_holiday = GoldenOptions();
  bad_holiday.holidays[0] = HolidayWindow{2, 30, 3, 1};  // there is no Feb 30
  EXPECT_EQ(BuildFeatures(*workspace_, bad_holiday).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FeaturesTest, WriteFeaturesWritesCsvAndParquet) {
  LoadGolden();
  ASSERT_TRUE(BuildFeatures(*workspace_, GoldenOptions()).ok());
  testing::TempDir dir;
  const Dialect& sql = DuckDbDialect();
  for (const std::string name : {"features.csv", "features.PARQUET"}) {
    Status status = WriteFeatures(*workspace_, dir / name);
    ASSERT_TRUE(status.ok()) << status.ToString();
    std::string reader = name.ends_with(".csv") ? "read_csv" : "read_parquet";
    Result<int64_t> rows = Conn().QueryInt("SELECT count(*) FROM " + reader + "(" +
                                           sql.QuoteString((dir / name).string()) + ")");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(*rows, 25) << name;
  }
  std::string csv = testing::ReadFile(dir / "features.csv");
  EXPECT_TRUE(csv.starts_with("customer_id,recency_days,frequency,")) << csv.substr(0, 80);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 2);
}

TEST_F(FeaturesTest, WriteFeaturesRejectsOtherExtensions) {
  LoadGolden();
  ASSERT_TRUE(BuildFeatures(*workspace_, GoldenOptions()).ok());
  testing::TempDir dir;
  Status status = WriteFeatures(*workspace_, dir / "features.xlsx");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("'.xlsx'"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find(".csv, .parquet"), std::string::npos) << status.message();
  EXPECT_FALSE(fs::exists(dir / "features.xlsx"));
  status = WriteFeatures(*workspace_, dir / "missing" / "features.csv");
  EXPECT_FALSE(status.ok());
}

TEST_F(FeaturesTest, WriteFeaturesBeforeBuildIsNotFound) {
  testing::TempDir dir;
  EXPECT_EQ(WriteFeatures(*workspace_, dir / "features.csv").code(), StatusCode::kNotFound);
}

TEST(FeatureListTest, DescribesEveryFeatureOfTheTable) {
  std::map<std::string, FeatureInfo> infos;
  for (const FeatureInfo& info : ListFeatures()) {
    EXPECT_FALSE(info.description.empty()) << info.name;
    EXPECT_TRUE(infos.emplace(info.name, info).second) << "listed twice: " << info.name;
  }
  EXPECT_EQ(infos.at("recency_days").type, FeatureType::kInteger);
  EXPECT_EQ(infos.at("monetary").type, FeatureType::kNumber);
  EXPECT_EQ(infos.at("journey_stage").type, FeatureType::kText);
  EXPECT_EQ(FeatureTypeName(infos.at("category_share_<category>").type), "number");
  EXPECT_TRUE(infos.count("channel_share_<channel>"));
  std::vector<std::string> header = ReadExpected().at(0);
  for (const std::string& column : header) {
    if (column == "customer_id" || column.find("_share_") != std::string::npos) continue;
    EXPECT_TRUE(infos.count(column)) << column << " is not listed";
  }
  EXPECT_EQ(infos.size(), header.size() - 1 - 4 + 2);  // 4 share columns ↔ 2 generated rows
}

}  // namespace
}  // namespace segmenta
