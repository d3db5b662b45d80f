// The lookup index against ExplainCustomer on a demo workspace: the same view, field by
// field, for every customer of the latest snapshot (rfm, journey, rules with
// in_segment() and had(), k-means, k-prototypes and value segmentations).
#include "server/lookup.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "../../tests/testing.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta::server {
namespace {

// ExplainCustomer takes ~30 ms a customer whatever the size (dozens of queries), so the
// demo is small enough to compare every customer in a few seconds.
class LookupIndexTest : public testing::DemoWorkspaceTest<300, 5> {
 protected:
  // Two snapshots: the index must read the latest.
  void RunTwice() {
    RunOptions earlier;
    earlier.as_of = "2026-05-01";
    ASSERT_TRUE(RunSegmentations(project_, *workspace_, earlier).ok());
    Result<RunReport> run = RunSegmentations(project_, *workspace_, {});
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    latest_ = run->snapshot_id;
  }

  std::shared_ptr<const LookupIndex> Build() {
    Result<std::shared_ptr<const LookupIndex>> index = LookupIndex::Build(project_, *workspace_);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? *index : nullptr;
  }

  std::vector<std::string> Ids() {
    Result<store::Rows> rows = workspace_->connection().Query(
        "SELECT customer_id FROM features_" + std::to_string(latest_) + " ORDER BY 1");
    EXPECT_TRUE(rows.ok());
    std::vector<std::string> ids;
    for (const auto& row : rows->rows) ids.push_back(store::ToText(row[0]));
    return ids;
  }

  // Find(id) equals ExplainCustomer(id), field by field.
  void ExpectSameView(const LookupIndex& index, const std::string& id) {
    SCOPED_TRACE("customer " + id);
    Result<CustomerView> want = ExplainCustomer(project_, *workspace_, id);
    ASSERT_TRUE(want.ok()) << want.status().ToString();
    std::optional<CustomerView> got = index.Find(id);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->customer_id, want->customer_id);
    EXPECT_EQ(got->snapshot_id, want->snapshot_id);
    EXPECT_EQ(got->as_of, want->as_of);
    ASSERT_EQ(got->features.size(), want->features.size());
    for (size_t col = 0; col < want->features.size(); ++col) {
      EXPECT_EQ(got->features[col], want->features[col]);
    }
    ASSERT_EQ(got->explanations.size(), want->explanations.size());
    for (size_t index = 0; index < want->explanations.size(); ++index) {
      const Explanation& expected = want->explanations[index];
      const Explanation& actual = got->explanations[index];
      SCOPED_TRACE("segmentation " + expected.segmentation);
      EXPECT_EQ(actual.segmentation, expected.segmentation);
      EXPECT_EQ(actual.method, expected.method);
      EXPECT_EQ(actual.segments, expected.segments);
      EXPECT_EQ(actual.reasons, expected.reasons);
    }
  }

  int64_t latest_ = 0;
};

TEST_F(LookupIndexTest, FindGivesExplainCustomersViewForEveryCustomer) {
  ASSERT_NO_FATAL_FAILURE(RunTwice());
  std::shared_ptr<const LookupIndex> index = Build();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->snapshot_id(), latest_);
  std::vector<std::string> ids = Ids();
  ASSERT_EQ(index->customers(), ids.size());
  for (const std::string& id : ids) {
    ExpectSameView(*index, id);
    if (HasFailure()) break;  // one customer's differences are enough to read
  }
}

// The demo's features are BIGINT, DOUBLE and VARCHAR: add a column of every other kind
// ExplainCustomer renders (NULL, NaN, -0, integers past 2^53, dates, lists …).
TEST_F(LookupIndexTest, RendersEveryColumnTypeAsExplainCustomerDoes) {
  ASSERT_NO_FATAL_FAILURE(RunTwice());
  std::string table = "features_" + std::to_string(latest_);
  const char* columns[][2] = {
      {"t_bool", "BOOLEAN"},          {"t_int", "INTEGER"}, {"t_big", "BIGINT"},
      {"t_huge", "HUGEINT"},          {"t_real", "DOUBLE"}, {"t_float", "FLOAT"},
      {"t_decimal", "DECIMAL(12,3)"}, {"t_date", "DATE"},   {"t_ts", "TIMESTAMP"},
      {"t_list", "VARCHAR[]"},        {"t_text", "VARCHAR"}};
  for (const auto& [name, type] : columns) {
    ASSERT_TRUE(workspace_->connection()
                    .Execute("ALTER TABLE " + table + " ADD COLUMN " + name + " " + type)
                    .ok());
  }
  // Eight kinds of row by hash, NULL in each column for one of them.
  Status updated = workspace_->connection().Execute(
      "UPDATE " + table +
      " SET "
      "t_bool = CASE h WHEN 0 THEN NULL ELSE h % 2 = 0 END, "
      "t_int = CASE h WHEN 1 THEN NULL ELSE h * -12345 END, "
      "t_big = CASE h WHEN 2 THEN NULL WHEN 3 THEN 9007199254740993 "
      "ELSE h * 1000000007::BIGINT END, "
      "t_huge = CASE h WHEN 4 THEN NULL ELSE h * 170141183460469::HUGEINT END, "
      "t_real = CASE h WHEN 5 THEN NULL WHEN 6 THEN 'nan'::DOUBLE "
      "WHEN 7 THEN -0.0 WHEN 0 THEN 1e300 ELSE h / 7.0 END, "
      "t_float = CASE h WHEN 6 THEN NULL ELSE h / 3.0 END, "
      "t_decimal = CASE h WHEN 7 THEN NULL ELSE h * 1.125 END, "
      "t_date = CASE h WHEN 0 THEN NULL ELSE DATE '2026-01-31' + h END, "
      "t_ts = CASE h WHEN 1 THEN NULL "
      "ELSE TIMESTAMP '2026-01-31 10:20:30.5' + INTERVAL (h) HOUR END, "
      "t_list = CASE h WHEN 2 THEN NULL WHEN 3 THEN [] "
      "ELSE ['a b', 'c''d', NULL] END, "
      "t_text = CASE h WHEN 3 THEN NULL WHEN 4 THEN '' ELSE 'é ' || h END "
      "FROM (SELECT customer_id AS id, CAST(hash(customer_id) % 8 AS INTEGER) AS h FROM " +
      table + ") k WHERE k.id = customer_id");
  ASSERT_TRUE(updated.ok()) << updated.ToString();
  std::shared_ptr<const LookupIndex> index = Build();
  ASSERT_NE(index, nullptr);
  std::vector<std::string> ids = Ids();
  for (size_t at = 0; at < ids.size(); at += 5) {
    ExpectSameView(*index, ids[at]);
    if (HasFailure()) break;
  }
}

TEST_F(LookupIndexTest, UnknownIdsAreNotFound) {
  ASSERT_NO_FATAL_FAILURE(RunTwice());
  std::shared_ptr<const LookupIndex> index = Build();
  ASSERT_NE(index, nullptr);
  std::string known = Ids().front();
  EXPECT_TRUE(index->Find(known).has_value());
  EXPECT_FALSE(index->Find("").has_value());
  EXPECT_FALSE(index->Find("nobody").has_value());
  EXPECT_FALSE(index->Find(known + " ").has_value());
  EXPECT_FALSE(index->Find(known.substr(0, known.size() - 1)).has_value());
}

TEST_F(LookupIndexTest, NoSnapshotIsNotFound) {
  Result<std::shared_ptr<const LookupIndex>> index = LookupIndex::Build(project_, *workspace_);
  EXPECT_EQ(index.status().code(), StatusCode::kNotFound);
}

// Rows deleted from the snapshot (an erasure) leave the others where they were.
TEST_F(LookupIndexTest, AnErasedCustomerIsGoneAndTheOthersUnchanged) {
  ASSERT_NO_FATAL_FAILURE(RunTwice());
  std::vector<std::string> ids = Ids();
  ASSERT_TRUE(ForgetCustomer(*workspace_, ids[ids.size() / 2]).ok());
  std::shared_ptr<const LookupIndex> index = Build();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->customers(), ids.size() - 1);
  EXPECT_FALSE(index->Find(ids[ids.size() / 2]).has_value());
  for (size_t at : {size_t{0}, ids.size() / 2 - 1, ids.size() / 2 + 1, ids.size() - 1}) {
    ExpectSameView(*index, ids[at]);
  }
}

// Find is const: threads looking up at once see what one thread sees.
TEST_F(LookupIndexTest, ConcurrentFindsAgree) {
  ASSERT_NO_FATAL_FAILURE(RunTwice());
  std::shared_ptr<const LookupIndex> index = Build();
  ASSERT_NE(index, nullptr);
  std::vector<std::string> ids = Ids();
  std::vector<CustomerView> serial;
  serial.reserve(ids.size());
  for (const std::string& id : ids) serial.push_back(*index->Find(id));
  std::vector<int> differing(4, 0);
  std::vector<std::thread> threads;
  for (size_t thread = 0; thread < differing.size(); ++thread) {
    threads.emplace_back([&, thread] {
      for (size_t at = thread; at < ids.size(); at += 3) {
        std::optional<CustomerView> view = index->Find(ids[at]);
        bool same = view && view->features == serial[at].features &&
                    view->explanations.size() == serial[at].explanations.size();
        for (size_t model = 0; same && model < view->explanations.size(); ++model) {
          same = view->explanations[model].reasons == serial[at].explanations[model].reasons &&
                 view->explanations[model].segments == serial[at].explanations[model].segments;
        }
        differing[thread] += same ? 0 : 1;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : differing) EXPECT_EQ(count, 0);
}

// Not a benchmark (see the report for the 200k-customer figures): prints the mean time
// of Build and of Find on this small workspace.
TEST_F(LookupIndexTest, PrintsBuildAndFindTimes) {
  ASSERT_NO_FATAL_FAILURE(RunTwice());
  auto started = std::chrono::steady_clock::now();
  std::shared_ptr<const LookupIndex> index = Build();
  double build = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_NE(index, nullptr);
  std::vector<std::string> ids = Ids();
  constexpr int kRounds = 20;
  size_t found = 0;
  started = std::chrono::steady_clock::now();
  for (int round = 0; round < kRounds; ++round) {
    for (const std::string& id : ids) found += index->Find(id).has_value() ? 1 : 0;
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(found, ids.size() * kRounds);
  std::printf("[ lookup   ] %zu customers: Build %.3f s, %.0f bytes/customer; Find %.2f us mean\n",
              index->customers(), build,
              static_cast<double>(index->bytes()) / static_cast<double>(index->customers()),
              seconds * 1e6 / static_cast<double>(found));
}

}  // namespace
}  // namespace segmenta::server
