// Cluster segmentations end to end on the demo: the latent behaviour types recovered,
// every k's figures stored, labels kept across runs with different --as-of,
// explanations, determinism, configuration errors.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "segmenta/cluster_metrics.h"
#include "segmenta/demo.h"
#include "segmenta/ingest.h"
#include "segmenta/segments.h"
#include "store/database.h"
#include "testing.h"

namespace segmenta {
namespace {

using json = nlohmann::json;

class ClusterSegmentsTest : public testing::DemoWorkspaceTest<4000, 5> {
 protected:
  // Keeps only the named segmentations of the demo project.
  SegmentationConfig& Only(const std::string& name) {
    std::vector<SegmentationConfig> kept;
    for (SegmentationConfig& config : project_.segmentations) {
      if (config.name == name) kept.push_back(config);
    }
    project_.segmentations = kept;
    return project_.segmentations.front();
  }

  RunReport Run(const std::string& as_of = "") {
    RunOptions options;
    if (!as_of.empty()) options.as_of = as_of;
    Result<RunReport> run = RunSegmentations(project_, *workspace_, options);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? *run : RunReport{};
  }

  json Model(int64_t snapshot, const std::string& segmentation) {
    Result<store::Rows> rows = workspace_->connection().Query(
        "SELECT CAST(json AS VARCHAR) FROM models WHERE snapshot_id = $1 AND segmentation = $2",
        {snapshot, segmentation});
    EXPECT_TRUE(rows.ok() && rows->size() == 1);
    return json::parse(store::ToText(rows->rows[0][0]));
  }

  // customer → segment in one snapshot.
  std::map<std::string, std::string> Members(int64_t snapshot, const std::string& segmentation) {
    Result<store::Rows> rows = workspace_->connection().Query(
        "SELECT customer_id, segment FROM memberships WHERE snapshot_id = $1 AND "
        "segmentation = $2",
        {snapshot, segmentation});
    EXPECT_TRUE(rows.ok());
    std::map<std::string, std::string> members;
    for (const auto& row : rows->rows) members[store::ToText(row[0])] = store::ToText(row[1]);
    return members;
  }

  Status RunError() {
    Result<RunReport> run = RunSegmentations(project_, *workspace_, {});
    return run.ok() ? Status::Ok() : run.status();
  }
};

// The adjusted Rand index between the run's clusters and the demo's hidden types.
double AgreementWithTruth(store::Connection& conn, const std::filesystem::path& truth,
                          const std::string& segmentation) {
  Result<store::Rows> rows = conn.Query(
      "SELECT m.segment, t.behaviour FROM memberships m JOIN read_csv('" + truth.string() +
          "') t USING (customer_id) WHERE m.segmentation = $1 AND m.snapshot_id = (SELECT "
          "max(snapshot_id) FROM snapshots) ORDER BY m.customer_id",
      {segmentation});
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::map<std::string, int32_t> segment_codes, type_codes;
  std::vector<int32_t> segments, types;
  for (const auto& row : rows->rows) {
    auto code = [](std::map<std::string, int32_t>& codes, const std::string& name) {
      return codes.emplace(name, static_cast<int32_t>(codes.size())).first->second;
    };
    segments.push_back(code(segment_codes, store::ToText(row[0])));
    types.push_back(code(type_codes, store::ToText(row[1])));
  }
  return AdjustedRandIndex(segments, types);
}

TEST_F(ClusterSegmentsTest, KMeansFindsTheDemosHiddenBehaviourTypes) {
  Only("behaviour");
  RunReport run = Run();
  double ari = AgreementWithTruth(workspace_->connection(),
                                  dir_->path() / "shop" / "data" / "truth.csv", "behaviour");
  EXPECT_GE(ari, 0.75);
  json model = Model(run.snapshot_id, "behaviour");
  EXPECT_GE(model["k"].get<int>(), 6);
  EXPECT_LE(model["k"].get<int>(), 8);
}

TEST_F(ClusterSegmentsTest, EveryKOfTheSearchIsReportedWithItsFigures) {
  Only("behaviour");
  RunReport run = Run();
  json model = Model(run.snapshot_id, "behaviour");
  ASSERT_EQ(model["k_search"].size(), 9u);
  for (int k = 2; k <= 10; ++k) {
    const json& figures = model["k_search"][k - 2];
    EXPECT_EQ(figures["k"], k);
    for (const char* figure : {"inertia", "silhouette", "calinski_harabasz", "davies_bouldin"}) {
      EXPECT_TRUE(figures[figure].is_number()) << k << " " << figure;
    }
  }
  EXPECT_NE(model["k_chosen_by"].get<std::string>().find("silhouette"), std::string::npos);
  EXPECT_EQ(model["clusters"].size(), model["k"].get<size_t>());
  // The stored picture: 2,000 customers with their cluster numbers, and the centres.
  const json& projection = model["projection"];
  ASSERT_EQ(projection["points"].size(), 2000u);
  std::set<int> ids;
  for (const json& cluster : model["clusters"]) ids.insert(cluster["id"].get<int>());
  for (const json& point : projection["points"]) EXPECT_TRUE(ids.count(point[2].get<int>()));
  EXPECT_EQ(projection["centroids"].size(), ids.size());
  // Skewed money and counts are log1p-transformed by default, and the choice is stated.
  bool logged = false;
  for (const json& choice : model["preparation"]["choices"]) {
    if (choice["feature"] == "monetary") logged = choice["transform"] == "log1p";
  }
  EXPECT_TRUE(logged);
  // The report draws the projection.
  std::filesystem::path report = dir_->path() / "report.html";
  ASSERT_TRUE(WriteReport(project_, *workspace_, report).ok());
  std::string html = testing::ReadFile(report);
  EXPECT_NE(html.find("first two principal components"), std::string::npos);
  size_t circles = 0;
  for (size_t at = html.find("<circle"); at != std::string::npos; at = html.find("<circle", at + 1))
    ++circles;
  EXPECT_GT(circles, 1900u);
}

TEST_F(ClusterSegmentsTest, LabelsStayPutAcrossRunsWithDifferentAsOf) {
  for (SegmentationConfig& config : project_.segmentations) {
    if (config.name == "behaviour") config.k = "7";
  }
  Only("behaviour");
  RunReport first = Run("2026-10-01");
  RunReport second = Run();
  ASSERT_NE(first.as_of, second.as_of);
  json matching = Model(second.snapshot_id, "behaviour")["matching"];
  EXPECT_EQ(matching["previous_snapshot"], first.snapshot_id);
  EXPECT_TRUE(matching["new"].empty()) << matching.dump();
  EXPECT_TRUE(matching["vanished"].empty()) << matching.dump();
  std::map<std::string, std::string> before = Members(first.snapshot_id, "behaviour");
  std::map<std::string, std::string> after = Members(second.snapshot_id, "behaviour");
  size_t kept = 0, both = 0;
  for (const auto& [customer, segment] : after) {
    auto found = before.find(customer);
    if (found == before.end()) continue;
    ++both;
    kept += found->second == segment;
  }
  ASSERT_GT(both, 3000u);
  EXPECT_GE(static_cast<double>(kept) / both, 0.8) << kept << " of " << both;
}

TEST_F(ClusterSegmentsTest, TheSameRunTwiceGivesTheSameClusters) {
  Only("profiles");
  RunReport first = Run();
  RunReport second = Run();
  EXPECT_EQ(Members(first.snapshot_id, "profiles"), Members(second.snapshot_id, "profiles"));
  json model = Model(second.snapshot_id, "profiles");
  EXPECT_EQ(model["method"], "kprototypes");
  EXPECT_GT(model["gamma"].get<double>(), 0);
  EXPECT_EQ(model["k"], 6);
  for (const json& cluster : model["clusters"]) {
    EXPECT_TRUE(cluster["mode"].contains("country")) << cluster.dump();
  }
}

TEST_F(ClusterSegmentsTest, ACustomerIsExplainedByItsNearestClusters) {
  Only("behaviour");
  Run();
  Result<CustomerView> view = ExplainCustomer(project_, *workspace_, "C0000010");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_EQ(view->explanations.size(), 1u);
  const Explanation& explanation = view->explanations[0];
  ASSERT_EQ(explanation.segments.size(), 1u);
  ASSERT_GE(explanation.reasons.size(), 1u);
  EXPECT_EQ(explanation.reasons[0].find("nearest " + explanation.segments[0] + " "), 0u)
      << explanation.reasons[0];
  EXPECT_NE(explanation.reasons[0].find(", then cluster "), std::string::npos);
}

TEST_F(ClusterSegmentsTest, MixturesGiveProbabilitiesAndBic) {
  SegmentationConfig& config = Only("behaviour");
  config.method = "gmm";
  config.covariance = "diagonal";
  config.k = "auto";
  config.k_min = 3;
  config.k_max = 5;
  RunReport run = Run();
  json model = Model(run.snapshot_id, "behaviour");
  EXPECT_EQ(model["k_chosen_by"], "lowest BIC");
  double best = 1e300;
  for (const json& figures : model["k_search"]) best = std::min(best, figures["bic"].get<double>());
  EXPECT_EQ(model["k_search"][model["k"].get<int>() - 3]["bic"].get<double>(), best);
  Result<store::Rows> scores = workspace_->connection().Query(
      "SELECT min(score), max(score) FROM memberships WHERE segmentation = 'behaviour'");
  ASSERT_TRUE(scores.ok());
  EXPECT_GT(store::ToDouble(scores->rows[0][0]), 0.0);
  EXPECT_LE(store::ToDouble(scores->rows[0][1]), 1.0);
}

TEST_F(ClusterSegmentsTest, ConfigurationMistakesAreClearErrors) {
  SegmentationConfig& config = Only("behaviour");
  config.features = {"recency_days", "monetry"};
  Status status = RunError();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("segmenta.toml:"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("did you mean 'monetary'?"), std::string::npos)
      << status.message();
  config.features = {"recency_days", "email"};
  status = RunError();
  EXPECT_NE(status.message().find("personal"), std::string::npos) << status.message();
  config.features = {"recency_days", "country"};
  status = RunError();
  EXPECT_NE(status.message().find("categories"), std::string::npos) << status.message();
  config.features = {"recency_days", "frequency", "recency_days"};
  status = RunError();
  EXPECT_NE(status.message().find("listed twice"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("segmenta.toml:"), std::string::npos) << status.message();
  config.features = {"recency_days"};
  config.method = "kprototypes";
  status = RunError();
  EXPECT_NE(status.message().find("name the categories"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace segmenta
