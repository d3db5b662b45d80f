// Experiments on a hand-made workspace: definitions, buckets (against Python's hashlib),
// deterministic and frozen assignment, the goal window and suppression.
#include "lifecycle/experiment.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "segment/format.h"
#include "segmenta/experiments.h"
#include "store/database.h"

namespace segmenta {
namespace {

// A workspace with one snapshot (as of 2026-01-01) where seg/all holds C0000..C0599,
// and purchase and visit events known.
class ExperimentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Workspace> ws = Workspace::OpenInMemory();
    ASSERT_TRUE(ws.ok());
    workspace_ = std::make_unique<Workspace>(std::move(*ws));
    Exec("INSERT INTO event_types VALUES ('purchase'), ('refund'), ('visit')");
    AddSnapshot(1, "2026-01-01", 'C', 0, 600);
  }

  void Exec(const std::string& sql, const std::vector<store::Value>& params = {}) {
    Status status = workspace_->connection().Execute(sql, params);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // Snapshot `id` as of `as_of` with seg/all = prefix + [first, end); the history follows.
  void AddSnapshot(int64_t id, const std::string& as_of, char prefix, int first, int end) {
    Exec("INSERT INTO snapshots VALUES ($1, now(), CAST($2 AS DATE), 'h', 'f', 1)", {id, as_of});
    Exec("UPDATE membership_history SET exited_at = CAST($1 AS TIMESTAMP) WHERE exited_at IS NULL",
         {as_of});
    AddMembers(id, as_of, prefix, first, end);
  }

  // prefix + [first, end) join seg/all in snapshot `id`.
  void AddMembers(int64_t id, const std::string& as_of, char prefix, int first, int end) {
    const std::string ids = "SELECT printf('%s%04d', $1, n) AS customer_id FROM range($2, $3) t(n)";
    std::vector<store::Value> range = {std::string(1, prefix), int64_t{first}, int64_t{end}};
    Exec("INSERT INTO memberships SELECT " + std::to_string(id) +
             ", 'seg', customer_id, 'all', "
             "NULL FROM (" +
             ids + ")",
         range);
    range.push_back(as_of);
    Exec(
        "INSERT INTO membership_history SELECT 'seg', 'all', customer_id, CAST($4 AS "
        "TIMESTAMP), NULL FROM (" +
            ids + ")",
        range);
  }

  void Event(const std::string& customer, const std::string& ts, const std::string& type,
             double amount) {
    Exec(
        "INSERT INTO events (customer_id, ts, type, amount, _source, _line) VALUES ($1, "
        "CAST($2 AS TIMESTAMP), $3, $4, 'test', 0)",
        {customer, ts, type, amount});
  }

  static ExperimentDefinition Definition(const std::string& name) {
    ExperimentDefinition d;
    d.name = name;
    d.segmentation = "seg";
    d.segment = "all";
    d.variants = {{"A", 45}, {"B", 45}};
    d.holdout = 10;
    d.goal = "purchase within 14d";
    return d;
  }

  Result<Experiment> Create(const ExperimentDefinition& d) {
    return CreateExperiment(project_, *workspace_, d, "test");
  }

  std::string ErrorOf(const ExperimentDefinition& d) {
    Result<Experiment> made = Create(d);
    EXPECT_FALSE(made.ok());
    return made.ok() ? "" : made.status().message();
  }

  std::map<std::string, std::string> Assignment(const std::string& name) {
    Result<store::Rows> rows = workspace_->connection().Query(
        "SELECT customer_id, variant FROM experiment_assignments WHERE experiment_id = $1", {name});
    std::map<std::string, std::string> arm_of;
    for (const auto& row : rows->rows) arm_of[store::ToText(row[0])] = store::ToText(row[1]);
    return arm_of;
  }

  Project project_;  // min_group_size 10
  std::unique_ptr<Workspace> workspace_;
};

TEST(ExperimentBucketTest, MatchesPythonHashlib) {
  // int.from_bytes(hashlib.sha256(b"<experiment>:<id>").digest()[:8], "big") % 10000
  EXPECT_EQ(ExperimentBucket("spring-promo", "C1"), 3407);
  EXPECT_EQ(ExperimentBucket("spring-promo", "C2"), 2596);
  EXPECT_EQ(ExperimentBucket("exp", "12345"), 8085);
  EXPECT_EQ(ExperimentBucket("x", ""), 1744);
}

TEST(ExperimentBucketTest, SharesOver100kIdsMatchTheWeights) {
  ExperimentDefinition d;
  d.variants = {{"A", 45}, {"B", 33.5}, {"C", 1.5}};
  d.holdout = 20;
  std::vector<experiment::ArmRange> ranges = experiment::ArmRanges(d);
  ASSERT_EQ(ranges.size(), 4u);
  EXPECT_EQ(ranges[0].end, 4500);
  EXPECT_EQ(ranges[1].end, 7850);
  EXPECT_EQ(ranges[3].first, 8000);
  std::map<std::string, int> counts;
  constexpr int kIds = 100000;
  for (int idx = 0; idx < kIds; ++idx) {
    counts[experiment::ArmOf(ranges,
                             ExperimentBucket("shares", "customer-" + std::to_string(idx)))]++;
  }
  for (const auto& [arm, weight] : std::vector<std::pair<std::string, double>>{
           {"A", 0.45}, {"B", 0.335}, {"C", 0.015}, {"holdout", 0.2}}) {
    double se = std::sqrt(weight * (1 - weight) / kIds);
    EXPECT_NEAR(counts[arm] / static_cast<double>(kIds), weight, 4 * se) << arm;
  }
}

TEST(ExperimentDefinitionTest, GoalsAndVariantsParse) {
  Result<experiment::Goal> goal = experiment::ParseGoal("purchase within 14d");
  ASSERT_TRUE(goal.ok());
  EXPECT_EQ(goal->event_type, "purchase");
  EXPECT_EQ(goal->window_days, 14);
  goal = experiment::ParseGoal(" Email_Click within 1 day");
  ASSERT_TRUE(goal.ok());
  EXPECT_EQ(goal->event_type, "email_click");
  EXPECT_EQ(experiment::ParseGoal("visit within 30 days")->window_days, 30);
  EXPECT_FALSE(experiment::ParseGoal("purchase in 14d").ok());
  EXPECT_FALSE(experiment::ParseGoal("purchase within 0d").ok());
  Result<std::vector<ExperimentVariant>> variants = ParseExperimentVariants("A:45, B-2:44.5");
  ASSERT_TRUE(variants.ok());
  ASSERT_EQ(variants->size(), 2u);
  EXPECT_EQ((*variants)[1].name, "B-2");
  EXPECT_DOUBLE_EQ((*variants)[1].weight, 44.5);
  EXPECT_FALSE(ParseExperimentVariants("A45").ok());
}

TEST_F(ExperimentTest, MistakesAreExplained) {
  ExperimentDefinition d = Definition("bad");
  d.variants = {{"A", 45}, {"B", 40}};
  EXPECT_NE(ErrorOf(d).find("must sum to 100%, not 95 (A 45 + B 40 + holdout 10)"),
            std::string::npos);
  d = Definition("bad");
  d.variants = {{"A", 45}, {"Holdout", 45}};
  EXPECT_NE(ErrorOf(d).find("reserved"), std::string::npos);
  d.variants = {{"A b", 45}, {"B", 45}};
  EXPECT_NE(ErrorOf(d).find("variant name 'A b'"), std::string::npos);
  d = Definition("bad");
  d.goal = "purchse within 14d";
  EXPECT_NE(ErrorOf(d).find("did you mean 'purchase'"), std::string::npos);
  d = Definition("bad");
  d.segment = "al";
  EXPECT_NE(ErrorOf(d).find("did you mean 'all'"), std::string::npos);
  d = Definition("bad");
  d.start = "2025-12-31";
  EXPECT_NE(ErrorOf(d).find("before the first snapshot (as of 2026-01-01)"), std::string::npos);
  d.start = "2026-02-30";
  EXPECT_NE(ErrorOf(d).find("must be a date"), std::string::npos);
  d = Definition("bad");
  d.baseline = 0.05;
  EXPECT_NE(ErrorOf(d).find("go together"), std::string::npos);
  ASSERT_TRUE(Create(Definition("taken")).ok());
  EXPECT_NE(ErrorOf(Definition("taken")).find("exists"), std::string::npos);
  Result<Experiment> missing = LoadExperiment(project_, *workspace_, "takne");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("did you mean 'taken'"), std::string::npos);
  Result<int64_t> audits = workspace_->connection().QueryInt(
      "SELECT count(*) FROM audit WHERE action = 'experiment create'");
  EXPECT_EQ(*audits, 1);
}

TEST_F(ExperimentTest, AssignmentIsTheHashStoredAndTheSameAnywhere) {
  ExperimentDefinition d = Definition("det");
  d.baseline = 0.05;
  d.lift = 0.1;
  Result<Experiment> made = Create(d);
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  EXPECT_EQ(*made->definition.start, "2026-01-01");
  EXPECT_EQ(made->customers, 600);
  ASSERT_TRUE(made->plan.has_value());
  EXPECT_EQ(made->plan->per_arm, 31234);
  Result<store::Rows> rows = workspace_->connection().Query(
      "SELECT customer_id, variant, bucket FROM experiment_assignments WHERE experiment_id = "
      "'det'");
  ASSERT_EQ(rows->size(), 600u);
  std::vector<experiment::ArmRange> ranges = experiment::ArmRanges(d);
  for (const auto& row : rows->rows) {
    int bucket = ExperimentBucket("det", store::ToText(row[0]));
    EXPECT_EQ(std::get<int64_t>(row[2]), bucket);
    EXPECT_EQ(store::ToText(row[1]), experiment::ArmOf(ranges, bucket));
  }
  // Another workspace, same members: the same arms.
  std::map<std::string, std::string> here = Assignment("det");
  SetUp();
  ASSERT_TRUE(Create(d).ok());
  EXPECT_EQ(Assignment("det"), here);
  // The stored definition reads back whole.
  Result<Experiment> loaded = LoadExperiment(project_, *workspace_, "det");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->definition.variants.size(), 2u);
  EXPECT_EQ(loaded->goal_type, "purchase");
  EXPECT_EQ(loaded->window_days, 14);
  EXPECT_EQ(loaded->created_by, "test");
  EXPECT_EQ(loaded->plan->per_arm, 31234);
  Result<std::vector<std::string>> b = ExperimentMembers(*workspace_, "det", "B");
  ASSERT_TRUE(b.ok());
  int64_t in_b = 0;
  for (const auto& [customer, arm] : here) in_b += arm == "B";
  EXPECT_EQ(static_cast<int64_t>(b->size()), in_b);
  EXPECT_EQ(ExperimentMembers(*workspace_, "det", "C").status().code(), StatusCode::kNotFound);
}

TEST_F(ExperimentTest, TheAssignmentIsFrozenAtStart) {
  ASSERT_TRUE(Create(Definition("frozen")).ok());
  std::map<std::string, std::string> before = Assignment("frozen");
  // A month later C0000..C0099 have left the segment and D0000..D0199 joined.
  AddSnapshot(2, "2026-02-01", 'C', 100, 600);
  AddMembers(2, "2026-02-01", 'D', 0, 200);
  EXPECT_EQ(Assignment("frozen"), before);
  Result<ExperimentAnalysis> analysis = AnalyzeExperiment(project_, *workspace_, "frozen", {});
  ASSERT_TRUE(analysis.ok()) << analysis.status().ToString();
  int64_t analysed = 0;
  for (const ArmResult& arm : analysis->arms) analysed += arm.customers;
  EXPECT_EQ(analysed, 600);  // the C customers frozen on 2026-01-01, leavers included
  // Starting between snapshots takes the members on that day; after the latest, the
  // latest snapshot's.
  ExperimentDefinition mid = Definition("mid");
  mid.start = "2026-01-20";
  EXPECT_EQ(Create(mid)->customers, 600);
  ExperimentDefinition later = Definition("later");
  later.start = "2026-03-01";
  ASSERT_TRUE(Create(later).ok());
  std::map<std::string, std::string> late = Assignment("later");
  EXPECT_EQ(late.size(), 700u);
  EXPECT_EQ(late.count("C0000"), 0u);
  EXPECT_EQ(late.count("D0199"), 1u);
  // No start: the latest snapshot's as_of.
  EXPECT_EQ(*Create(Definition("now"))->definition.start, "2026-02-01");
}

TEST_F(ExperimentTest, ConversionsAndRevenueCountOnlyTheGoalWindow) {
  ASSERT_TRUE(Create(Definition("window")).ok());
  std::map<std::string, std::string> arm_of = Assignment("window");
  std::map<std::string, int64_t> customers, conversions;
  std::map<std::string, double> revenue;
  int index = 0;
  for (const auto& [customer, arm] : arm_of) {
    customers[arm]++;
    switch (index++ % 5) {
      case 0:  // converts at the very start, buys 40, refunds 10
        Event(customer, "2026-01-01 00:00:00", "purchase", 40);
        Event(customer, "2026-01-03 10:00:00", "refund", -10);
        conversions[arm]++;
        revenue[arm] += 30;
        break;
      case 1:  // the last second of the window
        Event(customer, "2026-01-14 23:59:59", "purchase", 25);
        conversions[arm]++;
        revenue[arm] += 25;
        break;
      case 2:  // just after the window, and before the start: neither counts
        Event(customer, "2026-01-15 00:00:00", "purchase", 99);
        Event(customer, "2025-12-31 23:59:59", "purchase", 99);
        break;
      case 3:  // a visit is not the goal
        Event(customer, "2026-01-05 12:00:00", "visit", 0);
        break;
      default:
        break;
    }
  }
  Result<ExperimentAnalysis> analysis = AnalyzeExperiment(project_, *workspace_, "window", {});
  ASSERT_TRUE(analysis.ok()) << analysis.status().ToString();
  EXPECT_EQ(analysis->window_ends, "2026-01-15");
  EXPECT_FALSE(analysis->provisional);  // the newest event is 2026-01-15
  ASSERT_EQ(analysis->arms.size(), 3u);
  for (const ArmResult& arm : analysis->arms) {
    EXPECT_EQ(arm.customers, customers[arm.arm]) << arm.arm;
    EXPECT_EQ(arm.conversions, conversions[arm.arm]) << arm.arm;
    EXPECT_DOUBLE_EQ(arm.revenue_per_customer, revenue[arm.arm] / customers[arm.arm]) << arm.arm;
    EXPECT_EQ(arm.vs_holdout.has_value(), arm.arm != "holdout");
  }
  // Planned from the hold-out's rate with a 10% lift: far more than 60 per arm.
  ASSERT_TRUE(analysis->planned_per_arm.has_value());
  EXPECT_GT(*analysis->planned_per_arm, 1000);
  ASSERT_EQ(analysis->warnings.size(), 1u);  // every arm below the planned sample
  EXPECT_NE(analysis->warnings[0].find("below the planned sample of " +
                                       segment::Count(*analysis->planned_per_arm)),
            std::string::npos)
      << analysis->warnings[0];
  EXPECT_NE(analysis->warnings[0].find("A (" + std::to_string(customers["A"]) + "), B ("),
            std::string::npos)
      << analysis->warnings[0];
  Exec("DELETE FROM events WHERE ts >= TIMESTAMP '2026-01-14 00:00:00'");
  analysis = AnalyzeExperiment(project_, *workspace_, "window", {});
  ASSERT_TRUE(analysis.ok());
  EXPECT_TRUE(analysis->provisional);
  EXPECT_NE(analysis->warnings[0].find("provisional until 2026-01-15"), std::string::npos);
}

TEST_F(ExperimentTest, SmallArmsAndCellsAreSuppressed) {
  ExperimentDefinition d = Definition("small");
  d.variants = {{"A", 49}, {"B", 49}};
  d.holdout = 2;  // about 12 of 600
  ASSERT_TRUE(Create(d).ok());
  project_.min_group_size = 20;
  Result<ExperimentAnalysis> analysis = AnalyzeExperiment(project_, *workspace_, "small", {});
  ASSERT_TRUE(analysis.ok());
  const ArmResult& holdout = analysis->arms.back();
  EXPECT_TRUE(holdout.suppressed);
  EXPECT_EQ(holdout.customers, 0);
  EXPECT_FALSE(analysis->arms[0].suppressed);
  EXPECT_FALSE(analysis->arms[0].vs_holdout.has_value());  // nothing to compare with
  nlohmann::json json = ToJson(*analysis);
  EXPECT_TRUE(json["arms"][2]["customers"].is_null());
  EXPECT_TRUE(json["arms"][2]["conversion_rate"].is_null());
  // Per segment of a segmentation where one cell is tiny.
  Exec(
      "INSERT INTO memberships SELECT 1, 'size', customer_id, CASE WHEN customer_id < 'C0015' "
      "THEN 'tiny' ELSE 'rest' END, NULL FROM memberships WHERE segmentation = 'seg'");
  analysis = AnalyzeExperiment(project_, *workspace_, "small", std::string("size"));
  ASSERT_TRUE(analysis.ok()) << analysis.status().ToString();
  ASSERT_EQ(analysis->segments.size(), 2u);
  EXPECT_EQ(analysis->segments[1].segment, "tiny");
  for (const ArmResult& arm : analysis->segments[1].arms) EXPECT_TRUE(arm.suppressed);
  Result<ExperimentAnalysis> typo =
      AnalyzeExperiment(project_, *workspace_, "small", std::string("sise"));
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("did you mean 'size'"), std::string::npos);
}

}  // namespace
}  // namespace segmenta
