// `run` end to end on a small demo: snapshots, history, compare, and a run killed with
// SIGKILL at any moment leaving the previous snapshot intact.
#include "segmenta/segments.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "segmenta/demo.h"
#include "segmenta/ingest.h"
#include "store/database.h"
#include "testing.h"

namespace segmenta {
namespace {

class SegmentsTest : public testing::DemoWorkspaceTest<3000, 11> {
 protected:
  int64_t Count(const std::string& sql) { return *workspace_->connection().QueryInt(sql); }
};

TEST_F(SegmentsTest, RunWritesOneCompleteSnapshot) {
  Result<RunReport> run = RunSegmentations(project_, *workspace_, {});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->snapshot_id, 1);
  EXPECT_EQ(run->customers, 3000);
  ASSERT_FALSE(run->segmentations.empty());
  const SegmentationResult& rfm = run->segmentations[0];
  EXPECT_EQ(rfm.name, "rfm");
  int64_t total = 0;
  for (const SegmentSize& size : rfm.segments) total += size.customers;
  EXPECT_LE(total, 3000);  // suppressed segments count 0
  EXPECT_EQ(Count("SELECT count(*) FROM memberships WHERE segmentation = 'rfm'"), 3000);
  EXPECT_EQ(Count("SELECT count(*) FROM features_1"), 3000);
  EXPECT_EQ(Count("SELECT count(*) FROM models WHERE snapshot_id = 1"),
            static_cast<int64_t>(project_.segmentations.size()));
  EXPECT_GT(Count("SELECT count(*) FROM profiles WHERE snapshot_id = 1"), 5);
  EXPECT_EQ(Count("SELECT count(*) FROM membership_history WHERE exited_at IS NULL AND "
                  "segmentation = 'rfm'"),
            3000);
  Result<store::Rows> profile = workspace_->connection().Query(
      "SELECT json->>'name', json->>'play'->>'name', json->>'description' FROM profiles "
      "WHERE segment = 'Champions'");
  ASSERT_TRUE(profile.ok());
  ASSERT_EQ(profile->size(), 1u);
  EXPECT_FALSE(store::ToText(profile->rows[0][0]).empty());
  EXPECT_NE(store::ToText(profile->rows[0][2]).find("customers"), std::string::npos);
}

TEST_F(SegmentsTest, HistoryAnswersWhoWasInASegmentOnADate) {
  RunOptions earlier;
  earlier.as_of = "2026-05-01";
  ASSERT_TRUE(RunSegmentations(project_, *workspace_, earlier).ok());
  ASSERT_TRUE(RunSegmentations(project_, *workspace_, {}).ok());  // as of 2026-11-01
  Result<std::vector<std::string>> then =
      ListMembers(*workspace_, {"rfm", "Champions", std::string("2026-06-01"), 0});
  Result<std::vector<std::string>> now = ListMembers(*workspace_, {"rfm", "Champions", {}, 0});
  ASSERT_TRUE(then.ok() && now.ok());
  EXPECT_EQ(static_cast<int64_t>(then->size()),
            Count("SELECT count(*) FROM memberships WHERE snapshot_id = 1 AND segment = "
                  "'Champions'"));
  EXPECT_EQ(static_cast<int64_t>(now->size()),
            Count("SELECT count(*) FROM memberships WHERE snapshot_id = 2 AND segment = "
                  "'Champions'"));
  EXPECT_NE(*then, *now);
  Result<std::vector<std::string>> before =
      ListMembers(*workspace_, {"rfm", "Champions", std::string("2026-01-01"), 0});
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());
  Result<std::vector<std::string>> typo = ListMembers(*workspace_, {"rfm", "Champion", {}, 0});
  EXPECT_EQ(typo.status().code(), StatusCode::kNotFound);
  EXPECT_NE(typo.status().message().find("did you mean 'Champions'"), std::string::npos);

  Result<Comparison> comparison = CompareSnapshots(project_, *workspace_);
  ASSERT_TRUE(comparison.ok()) << comparison.status().ToString();
  EXPECT_EQ(comparison->a.as_of, "2026-05-01");
  EXPECT_EQ(comparison->b.as_of, "2026-11-01");
  const SegmentationComparison& rfm = comparison->segmentations.at(0);
  int64_t moved = 0, all = 0;
  for (const Migration& m : rfm.migrations) {
    all += m.customers;
    if (m.from != m.to) moved += m.customers;
  }
  EXPECT_GT(moved, 0);
  EXPECT_LE(all, 3000);
  // Privacy: no count under min_group_size (10) is shown.
  auto shown_ok = [](int64_t n) { return n == 0 || n >= 10; };
  for (const Migration& m : rfm.migrations) EXPECT_TRUE(m.suppressed || shown_ok(m.customers));
  int64_t gained = 0;
  for (const SizeChange& size : rfm.sizes) {
    EXPECT_TRUE(size.suppressed || (shown_ok(size.a) && shown_ok(size.b))) << size.segment;
    EXPECT_TRUE(!size.gained || shown_ok(*size.gained)) << size.segment;
    EXPECT_TRUE(!size.lost || shown_ok(*size.lost)) << size.segment;
    if (!size.suppressed && size.gained && size.lost) {
      EXPECT_EQ(size.b - size.a, *size.gained - *size.lost) << size.segment;
    }
    gained += size.gained.value_or(0);
  }
  EXPECT_GT(gained, 0);
  // A backfill (older as_of after newer ones) rebuilds the history consistently.
  RunOptions backfill;
  backfill.as_of = "2026-08-01";
  Result<RunReport> third = RunSegmentations(project_, *workspace_, backfill);
  ASSERT_TRUE(third.ok()) << third.status().ToString();
  Result<std::vector<std::string>> august =
      ListMembers(*workspace_, {"rfm", "Champions", std::string("2026-08-15"), 0});
  ASSERT_TRUE(august.ok());
  EXPECT_EQ(static_cast<int64_t>(august->size()),
            Count("SELECT count(*) FROM memberships WHERE snapshot_id = 3 AND segment = "
                  "'Champions'"));
  EXPECT_EQ(Count("SELECT count(*) FROM membership_history WHERE exited_at IS NULL AND "
                  "segmentation = 'rfm'"),
            3000);  // open intervals are those of the newest as_of (snapshot 2)
}

// Kills `segmenta run` at several moments; each time the workspace must open and hold
// exactly the snapshots that committed, each complete.
TEST_F(SegmentsTest, ARunKilledAtAnyMomentLeavesThePreviousSnapshotIntact) {
  ASSERT_TRUE(RunSegmentations(project_, *workspace_, {}).ok());
  workspace_.reset();  // the CLI opens the workspace itself
  std::string project_dir = (dir_->path() / "shop").string();
  for (int delay_ms : {5, 40, 120, 250, 400}) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      dup2(null, 2);
      execl(SEGMENTA_BINARY, SEGMENTA_BINARY, "-C", project_dir.c_str(), "run",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    Result<Workspace> ws = Workspace::Open(project_.workspace);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    store::Connection& conn = ws->connection();
    int64_t snapshots = *conn.QueryInt("SELECT count(*) FROM snapshots");
    ASSERT_GE(snapshots, 1);
    for (int64_t id = 1; id <= snapshots; ++id) {
      std::string snap = std::to_string(id);
      EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM memberships WHERE snapshot_id = " + snap +
                               " AND segmentation = 'rfm'"),
                3000)
          << "snapshot " << id << " after a kill at " << delay_ms << " ms";
      EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM features_" + snap), 3000);
    }
    EXPECT_EQ(*conn.QueryInt("SELECT count(*) FROM membership_history WHERE exited_at IS NULL "
                             "AND segmentation = 'rfm'"),
              3000);
  }
  Result<Workspace> ws = Workspace::Open(project_.workspace);
  ASSERT_TRUE(ws.ok());
  EXPECT_TRUE(RunSegmentations(project_, *ws, {}).ok());  // and it still runs
}

TEST_F(SegmentsTest, ForgetErasesTheCustomerEverywhereAndAuditsByHash) {
  ASSERT_TRUE(RunSegmentations(project_, *workspace_, {}).ok());
  const std::string id = "C0000007";
  ASSERT_GT(Count("SELECT count(*) FROM events WHERE customer_id = '" + id + "'"), 0);
  Result<int64_t> removed = ForgetCustomer(*workspace_, id);
  ASSERT_TRUE(removed.ok()) << removed.status().ToString();
  EXPECT_GT(*removed, 3);
  for (const char* table :
       {"customers", "events", "memberships", "membership_history", "features", "features_1"}) {
    EXPECT_EQ(
        Count(std::string("SELECT count(*) FROM ") + table + " WHERE customer_id = '" + id + "'"),
        0)
        << table;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM audit WHERE action = 'forget' AND object LIKE "
                  "'customer sha256:%' AND strpos(object || coalesce(detail, ''), '" +
                  id + "') = 0"),
            1);
  EXPECT_EQ(ForgetCustomer(*workspace_, id).status().code(), StatusCode::kNotFound);
}

// Previews that keep their event windows answer as those that aggregate the events, on
// the first call and on the next (from the kept tables), and again after an erasure,
// which retires the kept tables (they held the erased customer's counts).
TEST_F(SegmentsTest, PreviewsThatKeepTheirWindowsAgreeWithThoseThatDoNot) {
  ASSERT_TRUE(RunSegmentations(project_, *workspace_, {}).ok());
  const char* rules[] = {
      "count(purchase, 90d) >= 2", "sum(amount, 180d) > 100 and count(visit, 30d) >= 1",
      "count(email_click) >= 3 or sum(amount, 365d, purchase) between 10 and 500"};
  auto kept_tables = [&] {
    Result<store::Rows> rows = workspace_->connection().Query(
        "SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name LIKE "
        "'preview_window_%'");
    std::set<std::string> names;
    for (const auto& row : rows->rows) names.insert(store::ToText(row[0]));
    return names;
  };
  std::set<std::string> before;
  for (int round = 0; round < 3; ++round) {
    if (round == 2) {
      ASSERT_TRUE(ForgetCustomer(*workspace_, "C0000042").ok());
    }
    for (const char* rule : rules) {
      Result<RulePreview> plain = PreviewRule(project_, *workspace_, rule);
      Result<RulePreview> kept = PreviewRule(project_, *workspace_, rule, 10, true);
      ASSERT_TRUE(plain.ok()) << plain.status().ToString();
      ASSERT_TRUE(kept.ok()) << kept.status().ToString();
      EXPECT_GT(plain->customers, 0) << rule;
      EXPECT_EQ(kept->customers, plain->customers) << rule << " round " << round;
      EXPECT_EQ(kept->sample, plain->sample) << rule;
    }
    std::set<std::string> tables = kept_tables();
    EXPECT_EQ(tables.size(), 5u) << "round " << round;  // one per window, made once
    if (round == 1) {
      EXPECT_EQ(tables, before);
    }
    if (round == 2) {
      EXPECT_TRUE(std::none_of(tables.begin(), tables.end(),
                               [&](const std::string& name) { return before.count(name) > 0; }));
    }
    before = tables;
  }
}

TEST_F(SegmentsTest, ExplanationsPreviewAndReport) {
  ASSERT_TRUE(RunSegmentations(project_, *workspace_, {}).ok());
  Result<CustomerView> view = ExplainCustomer(project_, *workspace_, "C0000042");
  ASSERT_TRUE(view.ok()) << view.status().ToString();
  ASSERT_FALSE(view->explanations.empty());
  EXPECT_EQ(view->explanations[0].segmentation, "rfm");
  ASSERT_EQ(view->explanations[0].segments.size(), 1u);
  EXPECT_NE(view->explanations[0].reasons.at(0).find("thresholds"), std::string::npos);
  EXPECT_EQ(ExplainCustomer(project_, *workspace_, "C000004").status().code(),
            StatusCode::kNotFound);
  Result<RulePreview> preview = PreviewRule(project_, *workspace_, "frequency >= 5");
  ASSERT_TRUE(preview.ok()) << preview.status().ToString();
  EXPECT_EQ(preview->customers, Count("SELECT count(*) FROM features WHERE frequency >= 5"));
  EXPECT_EQ(preview->sample.size(), 10u);
  Result<RulePreview> typo = PreviewRule(project_, *workspace_, "frequncy >= 5");
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("did you mean 'frequency'"), std::string::npos);
  std::filesystem::path file = dir_->path() / "report.html";
  ASSERT_TRUE(WriteReport(project_, *workspace_, file).ok());
  std::string html = testing::ReadFile(file);
  EXPECT_NE(html.find("RFM grid"), std::string::npos);
  EXPECT_NE(html.find("Champions"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing to fetch
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // The heatmap's rows and columns are the five R and F scores.
  EXPECT_NE(html.find(">R5</text>"), std::string::npos);
  EXPECT_NE(html.find(">F5</text>"), std::string::npos);
  EXPECT_EQ(html.find(">R6</text>"), std::string::npos);
  EXPECT_EQ(html.find(">F6</text>"), std::string::npos);
}

SegmentationConfig Rules(const std::string& name,
                         std::vector<std::pair<std::string, std::string>> rules,
                         const std::string& overlap = "first") {
  SegmentationConfig config;
  config.name = name;
  config.method = "rules";
  config.rules = std::move(rules);
  config.overlap = overlap;
  return config;
}

TEST_F(SegmentsTest, SegmentationsRunInDependencyOrderAndCyclesAreNamed) {
  // Declared before the segmentation it reads: still runs after it.
  project_.segmentations.insert(
      project_.segmentations.begin(),
      Rules("early",
            {{"Top", "in_segment('late', 'Big') and frequency >= 2"}, {"Rest", "frequency >= 0"}}));
  project_.segmentations.push_back(Rules("late", {{"Big", "monetary > 500"}}));
  Result<RunReport> run = RunSegmentations(project_, *workspace_, {});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(Count("SELECT count(*) FROM memberships WHERE segmentation = 'early' AND segment = "
                  "'Top'"),
            Count("SELECT count(*) FROM features WHERE monetary > 500 AND frequency >= 2"));
  // overlap = first: Top customers are not also in Rest.
  EXPECT_EQ(Count("SELECT count(*) FROM memberships WHERE segmentation = 'early'"), 3000);

  project_.segmentations.push_back(Rules("loop_a", {{"A", "in_segment('loop_b', 'B')"}}));
  project_.segmentations.push_back(Rules("loop_b", {{"B", "in_segment('loop_a', 'A')"}}));
  Result<RunReport> cycle = RunSegmentations(project_, *workspace_, {});
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("cycle: loop_a → loop_b → loop_a"), std::string::npos)
      << cycle.status().message();
  EXPECT_EQ(Count("SELECT count(*) FROM snapshots"), 1);  // the failed run wrote nothing
}

TEST_F(SegmentsTest, SegmentsOfOneSegmentationReadEachOtherInOrderUnlessTheyLoop) {
  project_.segmentations.push_back(
      Rules("tiers",
            {{"Gold plus", "in_segment('tiers', 'Gold') and frequency >= 10"},
             {"Gold", "monetary > 1000"}},
            "all"));
  Result<RunReport> run = RunSegmentations(project_, *workspace_, {});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(Count("SELECT count(*) FROM memberships WHERE segmentation = 'tiers' AND segment = "
                  "'Gold plus'"),
            Count("SELECT count(*) FROM features WHERE monetary > 1000 AND frequency >= 10"));
  EXPECT_GT(Count("SELECT count(*) FROM memberships WHERE segmentation = 'tiers' AND segment = "
                  "'Gold plus'"),
            0);
  project_.segmentations.back().rules = {{"X", "in_segment('tiers', 'Y')"},
                                         {"Y", "in_segment('tiers', 'Z') or frequency > 3"},
                                         {"Z", "in_segment('tiers', 'X')"}};
  Result<RunReport> cycle = RunSegmentations(project_, *workspace_, {});
  ASSERT_FALSE(cycle.ok());
  EXPECT_NE(cycle.status().message().find("X → Y → Z → X"), std::string::npos)
      << cycle.status().message();
}

TEST_F(SegmentsTest, ABadGridNamesTheProjectFileLineAndCell) {
  SegmentationConfig config;
  config.name = "value";
  config.method = "rfm";
  config.line = 42;
  config.grid = {{"All", {"[1-5][1-4]"}}};
  project_.segmentations.push_back(config);
  Result<RunReport> run = RunSegmentations(project_, *workspace_, {});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(run.status().message().find("segmenta.toml:42: segmentation 'value': grid cell R1F5"),
            std::string::npos)
      << run.status().message();
}

}  // namespace
}  // namespace segmenta
