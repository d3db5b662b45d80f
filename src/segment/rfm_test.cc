#include "segment/rfm.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "segmenta/workspace.h"

namespace segmenta::segment {
namespace {

const std::string kGolden = std::string(SEGMENTA_SOURCE_DIR) + "/tests/golden/rfm/";

class RfmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Workspace> ws = Workspace::OpenInMemory();
    ASSERT_TRUE(ws.ok());
    workspace_ = std::make_unique<Workspace>(std::move(*ws));
    ASSERT_TRUE(conn()
                    .Execute("CREATE TABLE features AS SELECT * FROM read_csv('" + kGolden +
                             "features.csv', columns = {'customer_id': 'VARCHAR', "
                             "'recency_days': 'INTEGER', 'frequency': 'BIGINT', "
                             "'monetary': 'DOUBLE'}, header = true)")
                    .ok());
  }
  store::Connection& conn() { return workspace_->connection(); }

  // customer → "segment|score" after running `config`.
  std::map<std::string, std::string> Run(const SegmentationConfig& config,
                                         nlohmann::json* model = nullptr) {
    Result<RfmGrid> grid = RfmGrid::Make(config, config.bins);
    EXPECT_TRUE(grid.ok()) << grid.status().ToString();
    RfmSegmenter rfm(*grid);
    SegmentContext context{conn(), DuckDbDialect(), "features", "2026-01-01", "", {}, nullptr};
    Result<SegmenterResult> result = rfm.Run(context, "__out");
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    if (model && result.ok()) *model = result->model;
    std::map<std::string, std::string> out;
    Result<store::Rows> rows = conn().Query(
        "SELECT customer_id, segment, coalesce(CAST(CAST(score AS INTEGER) AS VARCHAR), '') "
        "FROM __out");
    for (const auto& row : rows->rows) {
      out[store::ToText(row[0])] = store::ToText(row[1]) + "|" + store::ToText(row[2]);
    }
    return out;
  }

  std::unique_ptr<Workspace> workspace_;
};

TEST_F(RfmTest, MatchesTheHandComputedGoldenFile) {
  SegmentationConfig config;
  config.name = "rfm";
  nlohmann::json model;
  std::map<std::string, std::string> got = Run(config, &model);
  std::ifstream expected(kGolden + "expected.csv");
  std::string line;
  std::getline(expected, line);  // header
  int rows = 0;
  while (std::getline(expected, line)) {
    // customer_id,r,f,m,segment,score
    std::vector<std::string> cells;
    size_t start = 0;
    for (size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1) {
      cells.push_back(line.substr(start, comma - start));
    }
    cells.push_back(line.substr(start));
    ASSERT_EQ(cells.size(), 6u) << line;
    EXPECT_EQ(got[cells[0]], cells[4] + "|" + cells[5]) << cells[0];
    ++rows;
  }
  EXPECT_EQ(rows, 12);
  EXPECT_EQ(got.size(), 12u);
  EXPECT_EQ(model["thresholds"]["recency_days"], nlohmann::json({10.0, 48.0, 102.0, 220.0}));
  EXPECT_EQ(model["thresholds"]["frequency"], nlohmann::json({1.0, 2.0, 3.8, 8.0}));
  EXPECT_EQ(model["thresholds"]["monetary"], nlohmann::json({44.0, 130.0, 300.0, 560.0}));
  EXPECT_EQ(model["buyers"], 10);
  EXPECT_EQ(RfmScore({10, 48, 102, 220}, 10, /*reversed=*/true), 5);
  EXPECT_EQ(RfmScore({44, 130, 300, 560}, 300, /*reversed=*/false), 3);
}

TEST_F(RfmTest, BinsAndAGridAreConfigurable) {
  SegmentationConfig config;
  config.name = "value";
  config.bins = 3;
  config.grid = {{"Best", {"3[2-3]"}}, {"Rest", {"[1-2][1-3]", "31"}}};
  std::map<std::string, std::string> got = Run(config);
  // Tertiles: h = 9/3 = 3 and 6, so the thresholds are x3 and x6 of each sorted list:
  // recency [30, 120], frequency [2, 5], monetary [100, 300].
  EXPECT_EQ(got["C01"], "Best|333");
  EXPECT_EQ(got["C04"], "Best|322");  // recency 30, frequency 5, monetary 300: all ties
  EXPECT_EQ(got["C05"], "Rest|222");  // 60 > 30; 3 > 2; 300 > 100
  EXPECT_EQ(got["C11"], "No Purchase|");
}

TEST(RfmGridTest, TheDefaultGridCoversEveryCellOnce) {
  SegmentationConfig config;
  config.name = "rfm";
  Result<RfmGrid> grid = RfmGrid::Make(config, 5);
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->Name(5, 5), "Champions");
  EXPECT_EQ(grid->Name(1, 5), "Can't Lose Them");
  EXPECT_EQ(grid->Name(4, 1), "Promising");
  EXPECT_EQ(grid->Name(5, 1), "New Customers");
  EXPECT_EQ(grid->Name(3, 3), "Need Attention");
  EXPECT_EQ(grid->Name(4, 2), "Potential Loyalists");
  EXPECT_EQ(grid->order.size(), 10u);
  config.bins = 4;
  Result<RfmGrid> plain = RfmGrid::Make(config, 4);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->Name(2, 3), "R2F3");
}

TEST(RfmGridTest, BadGridsAreErrorsNamingTheCell) {
  SegmentationConfig config;
  config.name = "rfm";
  config.grid = {{"A", {"[1-5][1-5]"}}, {"B", {"55"}}};
  Result<RfmGrid> overlap = RfmGrid::Make(config, 5);
  ASSERT_FALSE(overlap.ok());
  EXPECT_NE(overlap.status().message().find("R5F5 is in both 'A' and 'B'"), std::string::npos);
  config.grid = {{"A", {"[1-5][1-4]"}}};
  Result<RfmGrid> gap = RfmGrid::Make(config, 5);
  ASSERT_FALSE(gap.ok());
  EXPECT_NE(gap.status().message().find("R1F5 belongs to no segment"), std::string::npos);
  config.grid = {{"A", {"6x"}}};
  EXPECT_FALSE(RfmGrid::Make(config, 5).ok());
}

}  // namespace
}  // namespace segmenta::segment
