// Experiments end to end on a small project: create through the CLI, outcome events with
// a built-in lift ingested as an events source, the analysis checked against what was
// written; then the same through the HTTP API (list, create, analyze, plan, errors).
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "lifecycle/stats.h"
#include "segmenta/experiments.h"
#include "segmenta/ingest.h"
#include "segmenta/segments.h"
#include "segmenta/server.h"
#include "segmenta/tokens.h"
#include "testing.h"

namespace segmenta {
namespace {

using nlohmann::json;

constexpr int kCustomers = 3000;

constexpr const char* kProject = R"toml(
[workspace]
as_of = "2026-06-01"

[sources.customers]
file = "data/customers.csv"
kind = "customers"
id = "customer_id"
attributes = { tier = "demographic:category" }

[sources.history]
file = "data/history.csv"
kind = "events"
customer = "customer_id"
time = "ts"
type_column = "type"
amount = "amount"

[[segmentation]]
name = "audience"
method = "rules"
rules = { "Buyers" = "frequency >= 1" }

[[segmentation]]
name = "tier"
method = "rules"
rules = { "VIP" = "tier = 'vip'", "Gold" = "tier = 'gold'", "Standard" = "tier = 'standard'" }

[privacy]
min_group_size = 10
)toml";

constexpr const char* kOutcomesSource = R"toml(
[sources.outcomes]
file = "data/outcomes.csv"
kind = "events"
customer = "customer_id"
time = "ts"
type_column = "type"
amount = "amount"
)toml";

using testing::CliRun;
CliRun Segmenta(const std::string& args) { return testing::RunSegmenta(args, true); }

// What the outcome file gives each arm: the k-th customer of an arm (by id) converts
// when k % every == 0, buying 40 on 2026-06-03 and, in B, 20 more on 2026-06-10.
struct Outcome {
  int every = 0;
  double extra = 0;
};
const std::map<std::string, Outcome> kOutcomes = {
    {"A", {5, 0}}, {"B", {3, 20}}, {"holdout", {6, 0}}};

struct Expected {
  int64_t customers = 0, conversions = 0;
  double revenue = 0;
};

// An arm's revenue per customer: converters spent 40 + extra, everyone else 0 in the window.
stats::Sample RevenueSample(const std::string& arm, const Expected& e) {
  double value = 40 + kOutcomes.at(arm).extra, n = static_cast<double>(e.customers);
  double mean = e.revenue / n;
  double squares = static_cast<double>(e.conversions) * value * value;
  return {e.customers, mean, (squares - n * mean * mean) / (n - 1)};
}

class ExperimentsEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ostringstream customers, history;
    customers << "customer_id,tier\n";
    history << "customer_id,ts,type,amount\n";
    for (int idx = 0; idx < kCustomers; ++idx) {
      std::string id = "K" + std::to_string(10000 + idx);
      customers << id << ","
                << (idx % 250 == 0 ? "vip"
                    : idx % 7 == 0 ? "gold"
                                   : "standard")
                << "\n";
      history << id << ",2026-0" << 1 + idx % 5 << "-15 12:00:00,purchase," << 10 + idx % 90
              << "\n";
    }
    testing::WriteFile(dir_ / "shop/data/customers.csv", customers.str());
    testing::WriteFile(dir_ / "shop/data/history.csv", history.str());
    testing::WriteFile(dir_ / "shop/segmenta.toml", kProject);
    Result<Project> project = LoadProject(dir_ / "shop");
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    project_ = *project;
    Result<Workspace> ws = Workspace::Open(project_.workspace);
    ASSERT_TRUE(ws.ok());
    ASSERT_TRUE(Ingest(project_, *ws, {}).ok());
    Result<RunReport> run = RunSegmentations(project_, *ws, {});
    ASSERT_TRUE(run.ok()) << run.status().ToString();
  }

  // Writes the outcomes of experiment `name` (its arms read from the workspace), adds
  // them to the project as an events source and returns what each arm should show.
  std::map<std::string, Expected> WriteOutcomes(Workspace& ws, const std::string& name) {
    std::map<std::string, Expected> expected;
    std::ostringstream csv;
    csv << "customer_id,ts,type,amount\n";
    for (const auto& [arm, outcome] : kOutcomes) {
      Result<std::vector<std::string>> members = ExperimentMembers(ws, name, arm);
      EXPECT_TRUE(members.ok()) << members.status().ToString();
      Expected& e = expected[arm];
      e.customers = static_cast<int64_t>(members->size());
      for (size_t rank = 0; rank < members->size(); ++rank) {
        const std::string& id = (*members)[rank];
        if (rank % outcome.every == 0) {
          csv << id << ",2026-06-03 09:30:00,purchase,40\n";
          if (outcome.extra > 0)
            csv << id << ",2026-06-10 18:00:00,purchase," << outcome.extra << "\n";
          e.conversions++;
          e.revenue += 40 + outcome.extra;
        } else if (rank % 7 == 1) {
          csv << id << ",2026-06-15 00:00:00,purchase,99\n";  // just after the window
        } else if (rank % 7 == 2) {
          csv << id << ",2026-06-04 08:00:00,visit,\n";  // not the goal
        }
      }
    }
    csv << (*ExperimentMembers(ws, name, "A"))[1] << ",2026-06-20 10:00:00,visit,\n";
    testing::WriteFile(dir_ / "shop/data/outcomes.csv", csv.str());
    testing::WriteFile(dir_ / "shop/segmenta.toml", std::string(kProject) + kOutcomesSource);
    return expected;
  }

  std::string Cli(const std::string& args) { return "-C " + (dir_ / "shop").string() + " " + args; }

  testing::TempDir dir_;
  Project project_;
};

TEST_F(ExperimentsEndToEndTest, CreateIngestOutcomesAndAnalyzeFromTheCli) {
  CliRun wrong =
      Segmenta(Cli("experiment create promo --segment audience/Buyers --variants "
                   "A:45,B:40 --holdout 10 --goal 'purchase within 14d'"));
  EXPECT_EQ(wrong.exit_code, 2);
  EXPECT_NE(wrong.out.find("not 95"), std::string::npos) << wrong.out;
  CliRun typo =
      Segmenta(Cli("experiment create promo --segment audience/Buyers --variants "
                   "A:45,B:45 --holdout 10 --goal 'purchases within 14d'"));
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.out.find("did you mean 'purchase'"), std::string::npos) << typo.out;
  CliRun made =
      Segmenta(Cli("--json experiment create promo --segment audience/Buyers "
                   "--variants A:45,B:45 --holdout 10 --goal 'purchase within 14d'"));
  ASSERT_EQ(made.exit_code, 0) << made.out;
  json experiment = json::parse(made.out);
  EXPECT_EQ(experiment["customers"], kCustomers);
  EXPECT_EQ(experiment["start"], "2026-06-01");
  EXPECT_EQ(Segmenta(Cli("experiment create promo --segment audience/Buyers --variants A:45,B:45 "
                         "--holdout 10 --goal 'purchase within 14d'"))
                .exit_code,
            2);  // the name is taken

  std::map<std::string, Expected> expected;
  {
    Result<Workspace> ws = Workspace::Open(project_.workspace);
    ASSERT_TRUE(ws.ok());
    expected = WriteOutcomes(*ws, "promo");
  }
  CliRun ingest = Segmenta(Cli("--json ingest --source outcomes"));
  ASSERT_EQ(ingest.exit_code, 0) << ingest.out;

  CliRun analyze = Segmenta(Cli("--json experiment analyze promo --by tier"));
  ASSERT_EQ(analyze.exit_code, 0) << analyze.out;
  json result = json::parse(analyze.out);
  EXPECT_EQ(result["window_ends"], "2026-06-15");
  EXPECT_FALSE(result["provisional"].get<bool>());
  ASSERT_EQ(result["arms"].size(), 3u);
  const Expected& holdout = expected["holdout"];
  for (const json& arm : result["arms"]) {
    std::string name = arm["variant"];
    const Expected& e = expected[name];
    EXPECT_EQ(arm["customers"], e.customers) << name;
    EXPECT_EQ(arm["conversions"], e.conversions) << name;
    EXPECT_DOUBLE_EQ(arm["conversion_rate"].get<double>(),
                     static_cast<double>(e.conversions) / static_cast<double>(e.customers));
    EXPECT_NEAR(arm["revenue_per_customer"].get<double>(),
                e.revenue / static_cast<double>(e.customers), 1e-9);
    if (name == "holdout") {
      EXPECT_TRUE(arm["vs_holdout"].is_null());
      continue;
    }
    stats::ProportionComparison reference = stats::CompareProportions(
        e.conversions, e.customers, holdout.conversions, holdout.customers);
    const json& vs = arm["vs_holdout"];
    EXPECT_NEAR(vs["p_value"].get<double>(), reference.p_value, 1e-12 * reference.p_value + 1e-300);
    EXPECT_NEAR(vs["ci_low"].get<double>(), reference.ci_low, 1e-12);
    EXPECT_NEAR(vs["difference"].get<double>(), reference.difference, 1e-12);
    stats::MeanComparison revenue =
        stats::CompareMeans(RevenueSample(name, e), RevenueSample("holdout", holdout));
    EXPECT_NEAR(vs["revenue_ci_low"].get<double>(), revenue.ci_low, 1e-9);
    EXPECT_NEAR(vs["revenue_ci_high"].get<double>(), revenue.ci_high, 1e-9);
  }
  // B (33%, and more revenue) beats the hold-out (17%); A (20%) is not shown to.
  EXPECT_EQ(result["arms"][1]["vs_holdout"]["verdict"], "better");
  EXPECT_GT(result["arms"][1]["vs_holdout"]["revenue_ci_low"].get<double>(), 0);
  EXPECT_EQ(result["arms"][0]["vs_holdout"]["verdict"], "no_difference");
  EXPECT_EQ(result["planned_per_arm"],
            stats::SampleSizePerArm(
                static_cast<double>(holdout.conversions) / static_cast<double>(holdout.customers),
                0.1, 0.05, 0.8));
  ASSERT_EQ(result["by"].size(), 3u);
  int64_t by_customers = 0;
  for (const json& segment : result["by"]) {
    for (const json& arm : segment["arms"]) {
      // VIP holds 12 customers: every arm's cell is under min_group_size.
      EXPECT_EQ(arm["suppressed"].get<bool>(), segment["segment"] == "VIP") << segment["segment"];
      if (!arm["suppressed"].get<bool>()) by_customers += arm["customers"].get<int64_t>();
      if (arm["suppressed"].get<bool>()) {
        EXPECT_TRUE(arm["customers"].is_null());
      }
    }
  }
  EXPECT_EQ(by_customers, kCustomers - 12);

  CliRun text = Segmenta(Cli("experiment analyze promo"));
  EXPECT_NE(text.out.find("B converts better than the hold-out (+"), std::string::npos) << text.out;
  CliRun plan = Segmenta(Cli("--json experiment plan --baseline 0.05 --lift 0.1"));
  EXPECT_EQ(json::parse(plan.out)["per_arm"], 31234);
  CliRun list = Segmenta(Cli("experiment list --json"));
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_EQ(json::parse(list.out)["experiments"][0]["name"], "promo");
}

TEST_F(ExperimentsEndToEndTest, TheApiListsCreatesAndAnalyzes) {
  Result<Workspace> ws = Workspace::Open(project_.workspace);
  ASSERT_TRUE(ws.ok());
  ExperimentDefinition d{"promo", "audience",           "Buyers", {{"A", 45}, {"B", 45}},
                         10,      "purchase within 14d"};
  ASSERT_TRUE(CreateExperiment(project_, *ws, d, "test").ok());
  WriteOutcomes(*ws, "promo");
  ASSERT_TRUE(LoadProject(dir_ / "shop").ok());
  ASSERT_TRUE(Ingest(*LoadProject(dir_ / "shop"), *ws, {{"outcomes"}, {}}).ok());
  json library = ToJson(*AnalyzeExperiment(project_, *ws, "promo", std::string("tier")));
  std::map<Role, std::string> tokens;
  for (Role role : {Role::kAnalyst, Role::kViewer})
    tokens[role] = CreateToken(*ws, role, "t", 0, "test")->secret;
  testing::TestServer server(project_, std::move(*ws));
  ASSERT_TRUE(server.status().ok()) << server.status().ToString();
  httplib::Client client("127.0.0.1", server.port());
  auto auth = [&](Role role) {
    return httplib::Headers{{"Authorization", "Bearer " + tokens[role]}};
  };
  auto get = [&](const std::string& path) { return client.Get(path, auth(Role::kViewer)); };
  auto post = [&](const json& body, Role role) {
    return client.Post("/v1/experiments", auth(role), body.dump(), "application/json");
  };

  auto analysis = get("/v1/experiments/promo?by=tier");
  ASSERT_EQ(analysis->status, 200) << analysis->body;
  EXPECT_EQ(json::parse(analysis->body), library);
  for (const char* key :
       {"experiment", "window_ends", "provisional", "planned_per_arm", "arms", "warnings", "by"}) {
    EXPECT_TRUE(json::parse(analysis->body).contains(key)) << key;
  }
  EXPECT_TRUE(json::parse(get("/v1/experiments/promo")->body)["by"].is_null());
  EXPECT_EQ(get("/v1/experiments/promo?by=teir")->status, 400);
  EXPECT_EQ(get("/v1/experiments/nope")->status, 404);
  json list = json::parse(get("/v1/experiments")->body);
  ASSERT_EQ(list["experiments"].size(), 1u);
  EXPECT_EQ(list["experiments"][0]["customers"], kCustomers);
  EXPECT_EQ(list["experiments"][0]["variants"][1], (json{{"name", "B"}, {"weight", 45.0}}));

  json body = {{"name", "promo2"},  {"segmentation", "tier"},
               {"segment", "Gold"}, {"variants", {{{"name", "mail"}, {"weight", 80}}}},
               {"holdout", 20},     {"goal", "purchase within 7 days"},
               {"baseline", 0.05},  {"lift", 0.2}};
  EXPECT_EQ(post(body, Role::kViewer)->status, 403);
  auto created = post(body, Role::kAnalyst);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_EQ(json::parse(created->body)["window_days"], 7);
  EXPECT_GT(json::parse(created->body)["plan"]["per_arm"].get<int64_t>(), 1000);
  EXPECT_EQ(post(body, Role::kAnalyst)->status, 409);
  body["name"] = "promo3";
  body["holdout"] = 10;
  auto sum = post(body, Role::kAnalyst);
  EXPECT_EQ(sum->status, 400);
  EXPECT_NE(sum->body.find("not 90"), std::string::npos) << sum->body;
  EXPECT_EQ(json::parse(sum->body)["error"]["field"], "variants");
  body["holdout"] = 20;
  body["colour"] = "red";
  EXPECT_EQ(post(body, Role::kAnalyst)->status, 400);
  body.erase("colour");
  body["segment"] = "Gld";
  auto unknown = post(body, Role::kAnalyst);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_NE(unknown->body.find("did you mean 'Gold'"), std::string::npos) << unknown->body;
  EXPECT_EQ(json::parse(unknown->body)["error"]["field"], "segment");

  auto plan = get("/v1/experiment-plan?baseline=0.05&lift=0.1");
  ASSERT_EQ(plan->status, 200) << plan->body;
  EXPECT_EQ(
      json::parse(plan->body),
      (json{
          {"baseline", 0.05}, {"lift", 0.1}, {"alpha", 0.05}, {"power", 0.8}, {"per_arm", 31234}}));
  EXPECT_EQ(get("/v1/experiment-plan?baseline=0.05")->status, 400);
  EXPECT_EQ(get("/v1/experiment-plan?baseline=2&lift=0.1")->status, 400);
  EXPECT_EQ(get("/v1/experiment-plan?baseline=x&lift=0.1")->status, 400);
}

}  // namespace
}  // namespace segmenta
