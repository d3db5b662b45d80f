// The KPI definitions against a hand-computed golden file (tests/golden/kpis/, the
// arithmetic in its README): the library, the CLI's --json, GET /v1/kpis on a real
// server, ranges and errors.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "kpis_golden.h"
#include "segmenta/kpis.h"
#include "segmenta/segments.h"
#include "segmenta/server.h"
#include "segmenta/tokens.h"
#include "store/database.h"
#include "testing.h"

namespace segmenta {
namespace {

using nlohmann::json;

// Every key and value of `expected` in `actual` (numbers within 1e-9), and no key more.
void ExpectSameJson(const json& expected, const json& actual, const std::string& path) {
  if (expected.is_number() && actual.is_number()) {
    EXPECT_NEAR(expected.get<double>(), actual.get<double>(), 1e-9) << path;
    return;
  }
  ASSERT_EQ(expected.type_name(), std::string(actual.type_name())) << path << ": " << actual;
  if (expected.is_object()) {
    EXPECT_EQ(expected.size(), actual.size()) << path << ": " << actual.dump();
    for (const auto& [key, value] : expected.items()) {
      ASSERT_TRUE(actual.contains(key)) << path << "." << key;
      ExpectSameJson(value, actual[key], path + "." + key);
    }
  } else if (expected.is_array()) {
    ASSERT_EQ(expected.size(), actual.size()) << path;
    for (size_t idx = 0; idx < expected.size(); ++idx) {
      ExpectSameJson(expected[idx], actual[idx], path + "[" + std::to_string(idx) + "]");
    }
  } else {
    EXPECT_EQ(expected, actual) << path;
  }
}

// The golden workspace is built once for the suite; each test opens it.
class KpisGoldenTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    Project project;
    std::unique_ptr<Workspace> workspace;
    testing::MakeKpiGoldenWorkspace(dir_->path(), project, workspace);
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    Result<Project> project = LoadProject(dir_->path() / "shop");
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    project_ = *project;
    Result<Workspace> ws = Workspace::Open(project_.workspace);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    workspace_ = std::make_unique<Workspace>(std::move(*ws));
  }

  json Expected() {
    return json::parse(testing::ReadFile(testing::KpiGoldenDir() / "expected.json"));
  }

  static inline testing::TempDir* dir_ = nullptr;
  Project project_;
  std::unique_ptr<Workspace> workspace_;
};

TEST_F(KpisGoldenTest, EveryValueMatchesTheHandComputedFile) {
  Result<KpiReport> report = ComputeKpis(project_, *workspace_, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ExpectSameJson(Expected(), ToJson(*report), "kpis");
}

TEST_F(KpisGoldenTest, TheLibraryGivesTheSameNumbersAsTheJson) {
  Result<KpiReport> report = ComputeKpis(project_, *workspace_, {"tiers", {}, {}});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const SegmentKpis& gold = report->segmentations.at(0).snapshots.at(1).segments.at(0);
  EXPECT_EQ(gold.segment, "Gold");
  EXPECT_EQ(gold.customers, 4);
  EXPECT_DOUBLE_EQ(*gold.nps, 25);
  EXPECT_EQ(gold.nps_responses, 4);
  EXPECT_FALSE(gold.cac.has_value());  // no new customer in W: no denominator
  const SegmentKpis& tiny = report->segmentations.at(0).snapshots.at(1).segments.at(2);
  EXPECT_TRUE(tiny.suppressed);
  EXPECT_FALSE(tiny.customers.has_value());
  EXPECT_FALSE(tiny.revenue.has_value());
}

TEST_F(KpisGoldenTest, FromAndToPickSnapshotsByAsOf) {
  Result<KpiReport> report = ComputeKpis(project_, *workspace_, {"", "2026-03-02", std::nullopt});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->segmentations.at(0).snapshots.size(), 1u);
  json expected = Expected();
  ExpectSameJson(expected["segmentations"][0]["snapshots"][1],
                 ToJson(*report)["segmentations"][0]["snapshots"][0], "from");
  report = ComputeKpis(project_, *workspace_, {"", std::nullopt, "2026-03-01"});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->segmentations.at(0).snapshots.size(), 1u);
  EXPECT_EQ(report->segmentations[0].snapshots[0].as_of, "2026-03-01");
  EXPECT_EQ(report->campaigns->as_of, "2026-03-01");  // the window of the latest in range
  report = ComputeKpis(project_, *workspace_, {"", "2027-01-01", std::nullopt});
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->segmentations.at(0).snapshots.empty());
  EXPECT_FALSE(report->campaigns.has_value());
}

TEST_F(KpisGoldenTest, BadDatesAndUnknownSegmentationsAreClearErrors) {
  Result<KpiReport> bad = ComputeKpis(project_, *workspace_, {"", "2026-02-30", std::nullopt});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("from must be a date YYYY-MM-DD"), std::string::npos);
  bad = ComputeKpis(project_, *workspace_, {"", "2026-04-01", "2026-03-01"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  bad = ComputeKpis(project_, *workspace_, {"tier", {}, {}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().message().find("did you mean 'tiers'?"), std::string::npos)
      << bad.status().message();
}

// clv is the mean clv_12m of the members that have one, when the snapshot's feature
// table has the column (the value models ran); this workspace gets it by hand.
TEST(KpisClvTest, ClvIsTheMeanOfTheSnapshotsClv12m) {
  testing::TempDir dir;
  Project project;
  std::unique_ptr<Workspace> ws;
  ASSERT_NO_FATAL_FAILURE(testing::MakeKpiGoldenWorkspace(dir.path(), project, ws));
  ASSERT_TRUE(ws->connection()
                  .Execute("ALTER TABLE features_2 ADD COLUMN clv_12m DOUBLE; "
                           "UPDATE features_2 SET clv_12m = CASE customer_id WHEN 'G1' THEN 100 "
                           "WHEN 'G2' THEN 200 WHEN 'G4' THEN 300 WHEN 'S1' THEN 30 "
                           "WHEN 'S2' THEN 60 END")
                  .ok());
  Result<KpiReport> report = ComputeKpis(project, *ws, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const auto& snapshots = report->segmentations.at(0).snapshots;
  EXPECT_FALSE(snapshots.at(0).segments.at(0).clv.has_value());            // no column: no models
  EXPECT_DOUBLE_EQ(snapshots.at(1).segments.at(0).clv.value_or(-1), 200);  // (100+200+300)/3
  EXPECT_DOUBLE_EQ(snapshots.at(1).segments.at(1).clv.value_or(-1), 45);   // (30+60)/2
  EXPECT_FALSE(snapshots.at(1).segments.at(2).clv.has_value());            // suppressed
}

TEST_F(KpisGoldenTest, TheCliPrintsTheSameJsonAndAReadableTable) {
  workspace_.reset();  // the CLI opens the workspace file itself
  std::string base = std::string(SEGMENTA_BINARY) + " -C " + (dir_->path() / "shop").string();
  auto run = [](const std::string& command) {
    std::string out;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    char buffer[4096];
    for (size_t read; (read = fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, read);
    pclose(pipe);
    return out;
  };
  ExpectSameJson(Expected(), json::parse(run(base + " kpis --json")), "cli");
  std::string text = run(base + " kpis --segmentation tiers");
  for (const char* expected : {"tiers, snapshot 2 as of 2026-03-31 (the 30 days before)",
                               "< min group", "2026-03-01", "25.0 (4)", "-73.3%", "summer"}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " in\n" << text;
  }
  json error = json::parse(run(base + " kpis --json --from 2026-3-1"));
  EXPECT_NE(error.dump().find("from must be a date"), std::string::npos) << error;
}

TEST_F(KpisGoldenTest, TheApiAnswersTheSameJsonAndClearErrors) {
  Result<NewToken> token = CreateToken(*workspace_, Role::kViewer, "kpis", 0, "test");
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  testing::TestServer server(project_, std::move(*workspace_));
  ASSERT_TRUE(server.status().ok()) << server.status().ToString();
  httplib::Client client("127.0.0.1", server.port());
  httplib::Headers auth = {{"Authorization", "Bearer " + token->secret}};
  auto answer = client.Get("/v1/kpis", auth);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
  ExpectSameJson(Expected(), json::parse(answer->body), "api");
  auto error = [&](const std::string& path) {
    auto result = client.Get(path, auth);
    return std::to_string(result->status) + " " + json::parse(result->body)["error"].dump();
  };
  EXPECT_NE(error("/v1/kpis?from=2026-3-1").find("400"), std::string::npos);
  EXPECT_NE(error("/v1/kpis?to=2026-02-30").find("\"field\":\"to\""), std::string::npos);
  EXPECT_NE(error("/v1/kpis?from=2026-04-01&to=2026-03-01").find("400"), std::string::npos);
  std::string unknown = error("/v1/kpis?segmentation=tier");
  EXPECT_EQ(unknown.substr(0, 3), "404");
  EXPECT_NE(unknown.find("did you mean 'tiers'?"), std::string::npos) << unknown;
  auto one = client.Get("/v1/kpis?segmentation=tiers&from=2026-03-02", auth);
  EXPECT_EQ(json::parse(one->body)["segmentations"][0]["snapshots"].size(), 1u);
  EXPECT_EQ(client.Get("/v1/kpis")->status, 401);
}

}  // namespace
}  // namespace segmenta
