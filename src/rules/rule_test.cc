// Rules compiled against a small hand-made features / events / memberships database,
// run in DuckDB, and compared with the customers chosen by hand.
//
// NULL semantics are SQL's three-valued logic, unchanged: a comparison with a missing
// value is unknown; `not unknown` is unknown; `unknown or true` is true and
// `unknown and false` is false; a customer is selected only when the rule is true. So
// neither `recency_days > 180` nor `not (recency_days > 180)` selects a customer whose
// recency_days is NULL; `is null` does.
#include "rules/rule.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "store/database.h"

namespace segmenta::rules {
namespace {

using Ids = std::vector<std::string>;

// as_of is 2026-11-01: as_of-1 = 10-31, -7 = 10-25, -8 = 10-24, -30 = 10-02,
// -31 = 10-01, -90 = 08-03, -91 = 08-02.
constexpr const char* kSetup = R"sql(
CREATE TABLE features (customer_id VARCHAR, recency_days BIGINT, frequency BIGINT,
  monetary DOUBLE, country VARCHAR, signup_date DATE, vip BOOLEAN, interests VARCHAR[],
  last_feedback_score DOUBLE);
INSERT INTO features VALUES
  ('c1', 10, 5, 500.0, 'Romania', DATE '2024-01-15', true, ['sports', 'music'], 4.5),
  ('c2', 200, 1, 50.0, 'Bulgaria', DATE '2025-06-01', false, ['books'], NULL),
  ('c3', NULL, 0, 0.0, 'Germany', NULL, NULL, NULL, NULL),
  ('c4', 181, 3, 120.5, 'Romania', DATE '2026-10-31', false, [], 2.0),
  ('c5', 180, NULL, NULL, NULL, DATE '2026-11-01', true, ['sports'], NULL);
CREATE TABLE events (customer_id VARCHAR, ts TIMESTAMP, type VARCHAR, amount DOUBLE);
INSERT INTO events VALUES
  ('c1', '2026-10-31 10:00:00', 'purchase', 100.0),
  ('c1', '2026-10-02 00:00:00', 'purchase', 50.0),
  ('c1', '2026-10-20 12:00:00', 'refund', -30.0),
  ('c1', '2026-10-15 09:00:00', 'email_click', NULL),
  ('c1', '2026-10-16 09:00:00', 'email_click', NULL),
  ('c1', '2026-10-02 00:00:00', 'visit', NULL),
  ('c2', '2026-10-01 23:59:59', 'purchase', 200.0),
  ('c2', '2026-11-01 00:00:00', 'purchase', 999.0),
  ('c2', '2026-11-01 00:00:00', 'visit', NULL),
  ('c2', '2026-09-01 08:00:00', 'email_click', NULL),
  ('c3', '2026-10-01 23:59:59', 'visit', NULL),
  ('c4', '2026-08-02 12:00:00', 'purchase', 80.0),
  ('c4', '2026-08-03 00:00:00', 'purchase', 40.0),
  ('c4', '2026-10-30 10:00:00', 'purchase', 0.0),
  ('c4', '2026-10-31 23:59:59', 'visit', NULL),
  ('c5', '2026-10-10 10:00:00', 'refund', -20.0),
  ('c5', '2026-10-25 08:00:00', 'visit', NULL),
  ('c5', '2026-10-24 08:00:00', 'email_click', NULL);
CREATE TABLE memberships (segmentation VARCHAR, segment VARCHAR, customer_id VARCHAR);
INSERT INTO memberships VALUES
  ('rfm', 'Champions', 'c1'), ('rfm', 'Hibernating', 'c2'),
  ('lifecycle', 'active', 'c1'), ('lifecycle', 'active', 'c4');
)sql";

RuleSchema TestSchema() {
  RuleSchema schema;
  auto column = [&](const char* name, ValueType type) {
    schema.columns.push_back({name, type, std::string("f.\"") + name + "\""});
  };
  column("recency_days", ValueType::kNumber);
  column("frequency", ValueType::kNumber);
  column("monetary", ValueType::kNumber);
  column("country", ValueType::kText);
  column("signup_date", ValueType::kDate);
  column("vip", ValueType::kBool);
  column("interests", ValueType::kList);
  column("last_feedback_score", ValueType::kNumber);
  schema.customer_id_sql = "f.\"customer_id\"";
  schema.as_of_sql = "DATE '2026-11-01'";
  schema.event_types = {"purchase", "refund", "visit", "email_click", "email_open"};
  schema.segments = {{"rfm", "Champions"},
                     {"rfm", "Hibernating"},
                     {"rfm", "At Risk"},
                     {"lifecycle", "active"},
                     {"lifecycle", "lapsed"}};
  return schema;
}

class RuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<store::Database> db = store::Database::Open("");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_.emplace(std::move(*db));
    Status setup = conn().Execute(kSetup);
    ASSERT_TRUE(setup.ok()) << setup.ToString();
  }

  store::Connection& conn() { return db_->connection(); }

  Result<CompiledRule> Compile(std::string_view text, size_t first_param = 1) {
    return CompileRule(text, schema_, DuckDbDialect(), first_param);
  }

  // The customers the rule selects, in id order; {"<error>"} when it does not compile
  // or run.
  Ids Select(std::string_view text) {
    Result<CompiledRule> rule = Compile(text);
    if (!rule.ok()) {
      ADD_FAILURE() << text << "\n" << rule.status().ToString();
      return {"<error>"};
    }
    return Run(rule->sql, rule->params, rule->event_joins);
  }

  Ids Run(const std::string& where, const std::vector<store::Value>& params,
          const std::string& joins = "") {
    Result<store::Rows> rows = conn().Query(
        "SELECT f.customer_id FROM features f" + joins + " WHERE " + where + " ORDER BY 1", params);
    if (!rows.ok()) {
      ADD_FAILURE() << where << "\n" << rows.status().ToString();
      return {"<error>"};
    }
    Ids ids;
    for (const auto& row : rows->rows) ids.push_back(store::ToText(row[0]));
    return ids;
  }

  // The error message of a rule that must not compile.
  std::string Error(std::string_view text) {
    Result<CompiledRule> rule = Compile(text);
    if (rule.ok()) {
      ADD_FAILURE() << text << " compiled to " << rule->sql;
      return "";
    }
    EXPECT_EQ(rule.status().code(), StatusCode::kInvalidArgument) << text;
    return rule.status().message();
  }

  RuleSchema schema_ = TestSchema();
  std::optional<store::Database> db_;
};

// The caret line of an error: two spaces, then `^` under column `column` and `~` under
// the rest of a token `width` characters wide.
std::string Caret(size_t column, size_t width) {
  return "\n  " + std::string(column - 1, ' ') + "^" + std::string(width - 1, '~');
}

bool EndsWith(const std::string& text, const std::string& end) {
  return text.size() >= end.size() && text.compare(text.size() - end.size(), end.size(), end) == 0;
}

// ------------------------------------------------------------------ comparisons

TEST_F(RuleTest, ComparesNumbers) {
  EXPECT_EQ(Select("recency_days > 180"), (Ids{"c2", "c4"}));
  EXPECT_EQ(Select("recency_days >= 180"), (Ids{"c2", "c4", "c5"}));
  EXPECT_EQ(Select("recency_days < 180"), (Ids{"c1"}));
  EXPECT_EQ(Select("recency_days <= 180"), (Ids{"c1", "c5"}));
  EXPECT_EQ(Select("recency_days = 180"), (Ids{"c5"}));
  EXPECT_EQ(Select("recency_days != 180"), (Ids{"c1", "c2", "c4"}));
  EXPECT_EQ(Select("recency_days <> 180"), (Ids{"c1", "c2", "c4"}));
  EXPECT_EQ(Select("180 < recency_days"), (Ids{"c2", "c4"}));
  EXPECT_EQ(Select("frequency >= -1"), (Ids{"c1", "c2", "c3", "c4"}));
}

TEST_F(RuleTest, FractionsAreNotRoundedToTheColumnsType) {
  EXPECT_EQ(Select("frequency > 2.5"), (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("monetary > 120.4"), (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("monetary > 120.5"), (Ids{"c1"}));
  EXPECT_EQ(Select("monetary >= 1.205e2"), (Ids{"c1", "c4"}));
}

TEST_F(RuleTest, ComparesTextInEitherQuotes) {
  EXPECT_EQ(Select("country = 'Romania'"), (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("country = \"Romania\""), (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("country != 'Romania'"), (Ids{"c2", "c3"}));
  EXPECT_EQ(Select("country < 'C'"), (Ids{"c2"}));
}

TEST_F(RuleTest, ComparesDatesWrittenAsText) {
  EXPECT_EQ(Select("signup_date >= '2026-01-01'"), (Ids{"c4", "c5"}));
  EXPECT_EQ(Select("signup_date = '2026-11-01'"), (Ids{"c5"}));
  EXPECT_EQ(Select("signup_date < \"2025-01-01\""), (Ids{"c1"}));
}

TEST_F(RuleTest, TrueFalseColumns) {
  EXPECT_EQ(Select("vip"), (Ids{"c1", "c5"}));
  EXPECT_EQ(Select("not vip"), (Ids{"c2", "c4"}));
  EXPECT_EQ(Select("vip = false"), (Ids{"c2", "c4"}));
  EXPECT_EQ(Select("vip != TRUE"), (Ids{"c2", "c4"}));
  EXPECT_EQ(Select("vip in (true)"), (Ids{"c1", "c5"}));
}

TEST_F(RuleTest, ComparesTwoColumnsOfOneType) {
  EXPECT_EQ(Select("recency_days > frequency"), (Ids{"c1", "c2", "c4"}));
  EXPECT_EQ(Select("frequency > recency_days"), Ids{});
  EXPECT_EQ(Select("monetary >= frequency"), (Ids{"c1", "c2", "c3", "c4"}));
}

TEST_F(RuleTest, InAndNotIn) {
  EXPECT_EQ(Select("country in ('Romania', 'Bulgaria')"), (Ids{"c1", "c2", "c4"}));
  EXPECT_EQ(Select("country not in ('Romania')"), (Ids{"c2", "c3"}));
  EXPECT_EQ(Select("frequency in (0, 3, 2.5)"), (Ids{"c3", "c4"}));
  EXPECT_EQ(Select("signup_date in ('2024-01-15', '2026-11-01')"), (Ids{"c1", "c5"}));
}

TEST_F(RuleTest, BetweenAndNotBetweenIncludeBothEnds) {
  EXPECT_EQ(Select("recency_days between 180 and 200"), (Ids{"c2", "c4", "c5"}));
  EXPECT_EQ(Select("recency_days not between 180 and 200"), (Ids{"c1"}));
  EXPECT_EQ(Select("signup_date between '2025-01-01' and '2026-10-31'"), (Ids{"c2", "c4"}));
  EXPECT_EQ(Select("signup_date not between '2025-01-01' and '2026-10-31'"), (Ids{"c1", "c5"}));
  EXPECT_EQ(Select("frequency between 0 and recency_days"), (Ids{"c1", "c2", "c4"}));
}

TEST_F(RuleTest, IsNullAndIsNotNull) {
  EXPECT_EQ(Select("recency_days is null"), (Ids{"c3"}));
  EXPECT_EQ(Select("last_feedback_score is not null"), (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("interests is null"), (Ids{"c3"}));
}

TEST_F(RuleTest, ListColumnsWithContains) {
  EXPECT_EQ(Select("interests contains 'sports'"), (Ids{"c1", "c5"}));
  EXPECT_EQ(Select("INTERESTS CONTAINS \"books\""), (Ids{"c2"}));
  // c3's list is NULL: neither contains nor not contains holds.
  EXPECT_EQ(Select("not (interests contains 'sports')"), (Ids{"c2", "c4"}));
}

// ------------------------------------------------------------------ logic

TEST_F(RuleTest, NotBindsTighterThanAndWhichBindsTighterThanOr) {
  EXPECT_EQ(Select("frequency >= 5 or country = 'Germany' and recency_days is null"),
            (Ids{"c1", "c3"}));
  EXPECT_EQ(Select("(frequency >= 5 or country = 'Germany') and recency_days is null"),
            (Ids{"c3"}));
  EXPECT_EQ(Select("not vip and frequency >= 1"), (Ids{"c2", "c4"}));
  EXPECT_EQ(Select("not (vip and frequency >= 1)"), (Ids{"c2", "c3", "c4"}));
  EXPECT_EQ(Select("not not vip"), (Ids{"c1", "c5"}));
}

TEST_F(RuleTest, KeywordsColumnsAndFunctionsIgnoreCase) {
  EXPECT_EQ(Select("RECENCY_DAYS > 180 AND Country IN ('Romania') Or Vip Is Null"),
            (Ids{"c3", "c4"}));
  EXPECT_EQ(Select("HAD(Purchase, WITHIN 30D)"), (Ids{"c1", "c4"}));
}

TEST_F(RuleTest, NullsFollowSqlThreeValuedLogic) {
  // c3 has no recency_days: unknown, and not unknown is unknown.
  EXPECT_EQ(Select("recency_days > 3"), (Ids{"c1", "c2", "c4", "c5"}));
  EXPECT_EQ(Select("not (recency_days > 3)"), Ids{});
  EXPECT_EQ(Select("recency_days != 10"), (Ids{"c2", "c4", "c5"}));
  EXPECT_EQ(Select("recency_days not in (10, 200)"), (Ids{"c4", "c5"}));
  EXPECT_EQ(Select("recency_days not between 0 and 100"), (Ids{"c2", "c4", "c5"}));
  // unknown or true is true; unknown and false is false, so its negation is true.
  EXPECT_EQ(Select("recency_days > 180 or frequency = 0"), (Ids{"c2", "c3", "c4"}));
  EXPECT_EQ(Select("not (recency_days > 3 and frequency > 100)"), (Ids{"c1", "c2", "c3", "c4"}));
  EXPECT_EQ(Select("recency_days > 3 or recency_days is null"),
            (Ids{"c1", "c2", "c3", "c4", "c5"}));
}

// ------------------------------------------------------------------ events

TEST_F(RuleTest, HadEverCountsEventsBeforeAsOfOnly) {
  // c2's visit is on as_of itself.
  EXPECT_EQ(Select("had(visit)"), (Ids{"c1", "c3", "c4", "c5"}));
  EXPECT_EQ(Select("had('purchase')"), (Ids{"c1", "c2", "c4"}));
  EXPECT_EQ(Select("not had(\"refund\")"), (Ids{"c2", "c3", "c4"}));
}

TEST_F(RuleTest, WindowsHoldAsOfMinusNThroughTheDayBeforeAsOf) {
  // Visits: c1 on as_of-30, c2 on as_of, c3 at 23:59:59 on as_of-31, c4 at 23:59:59 on
  // as_of-1, c5 on as_of-7.
  EXPECT_EQ(Select("had(visit, within 30d)"), (Ids{"c1", "c4", "c5"}));
  EXPECT_EQ(Select("had(visit, 30d)"), (Ids{"c1", "c4", "c5"}));
  EXPECT_EQ(Select("had(visit, within 29d)"), (Ids{"c4", "c5"}));
  EXPECT_EQ(Select("had(visit, within 31d)"), (Ids{"c1", "c3", "c4", "c5"}));
  EXPECT_EQ(Select("had(visit, within 1d)"), (Ids{"c4"}));
  EXPECT_EQ(Select("had(visit, within 1w)"), (Ids{"c4", "c5"}));
  EXPECT_EQ(Select("had(visit, within 6d)"), (Ids{"c4"}));
  EXPECT_EQ(Select("had(visit, 1m)"), (Ids{"c1", "c4", "c5"}));
  // c5's email click is on as_of-8: outside 1w, inside 2w.
  EXPECT_EQ(Select("had(email_click, 1w)"), Ids{});
  EXPECT_EQ(Select("had(email_click, 2w)"), (Ids{"c5"}));
  EXPECT_EQ(Select("had(email_click, 1y)"), (Ids{"c1", "c2", "c5"}));
}

TEST_F(RuleTest, WindowUnitsAreDaysWeeksThirtyDayMonthsAndYears) {
  for (auto [window, days] : std::vector<std::pair<std::string, int64_t>>{
           {"30d", 30}, {"4w", 28}, {"6m", 180}, {"1y", 365}, {"2Y", 730}}) {
    Result<CompiledRule> rule = Compile("had(visit, " + window + ")");
    ASSERT_TRUE(rule.ok()) << rule.status().ToString();
    EXPECT_EQ(rule->params, (std::vector<store::Value>{std::string("visit"), days})) << window;
  }
}

TEST_F(RuleTest, CountIsANumber) {
  EXPECT_EQ(Select("count(email_click, 90d) >= 2"), (Ids{"c1"}));
  EXPECT_EQ(Select("count(email_click, 90d) = 1"), (Ids{"c2", "c5"}));
  EXPECT_EQ(Select("count(purchase) >= 2"), (Ids{"c1", "c4"}));
  // as_of-91 is outside 3m (90 days); as_of-90 inside.
  EXPECT_EQ(Select("count(purchase, 3m) = 0"), (Ids{"c3", "c5"}));
  EXPECT_EQ(Select("count(purchase, 90d) = 2 and count(purchase, 91d) = 3"), (Ids{"c4"}));
  EXPECT_EQ(Select("count(visit, 30d) > frequency"), Ids{});
}

TEST_F(RuleTest, SumIsNetPurchasesAndRefunds) {
  // Net in 90d: c1 100 + 50 - 30 = 120, c2 200, c3 0, c4 40, c5 -20. The zero-amount
  // purchase and c2's purchase on as_of are not counted.
  EXPECT_EQ(Select("sum(amount, 90d) > 100"), (Ids{"c1", "c2"}));
  EXPECT_EQ(Select("sum(amount, 90d) < 0"), (Ids{"c5"}));
  EXPECT_EQ(Select("sum(amount, 90d) = 0"), (Ids{"c3"}));
  EXPECT_EQ(Select("sum(amount, 90d) between 40 and 120"), (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("sum(amount) >= 120"), (Ids{"c1", "c2", "c4"}));
  EXPECT_EQ(Select("sum(amount, within 30d) = 120"), (Ids{"c1"}));
}

TEST_F(RuleTest, SumOfOneEventType) {
  EXPECT_EQ(Select("sum(amount, 30d, purchase) >= 150"), (Ids{"c1"}));
  EXPECT_EQ(Select("sum(amount, 30d, 'refund') < 0"), (Ids{"c1", "c5"}));
  EXPECT_EQ(Select("sum(amount, purchase) = 120"), (Ids{"c4"}));
}

TEST_F(RuleTest, InSegmentReadsTheMemberships) {
  EXPECT_EQ(Select("in_segment(\"rfm\", \"Champions\")"), (Ids{"c1"}));
  EXPECT_EQ(Select("not in_segment('lifecycle', 'active')"), (Ids{"c2", "c3", "c5"}));
  EXPECT_EQ(Select("in_segment(rfm, Hibernating) or in_segment(lifecycle, active)"),
            (Ids{"c1", "c2", "c4"}));
}

TEST_F(RuleTest, SegmentRefsAreTheRulesDependenciesOnce) {
  Result<CompiledRule> rule = Compile(
      "in_segment('rfm', 'Champions') or in_segment(\"rfm\", \"champions\") and "
      "in_segment(lifecycle, active)");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  using Refs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(rule->segment_refs, (Refs{{"rfm", "Champions"}, {"lifecycle", "active"}}));
  EXPECT_TRUE(Compile("frequency > 1")->segment_refs.empty());
}

TEST_F(RuleTest, TheHeadersExamplesCompile) {
  EXPECT_EQ(Select("recency_days > 180 and frequency >= 3"), (Ids{"c4"}));
  EXPECT_EQ(Select("country in ('Romania', 'Bulgaria') and not (frequency between 1 and 2)"),
            (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("had(purchase, within 30d) or count(email_click, 90d) >= 2"), (Ids{"c1", "c4"}));
  EXPECT_EQ(Select("sum(amount, 90d) > 100 and in_segment(\"rfm\", \"Champions\")"), (Ids{"c1"}));
  EXPECT_EQ(Select("last_feedback_score is null"), (Ids{"c2", "c3", "c5"}));
}

// ------------------------------------------------------------------ parameters

TEST_F(RuleTest, EveryValueIsABoundParameter) {
  Result<CompiledRule> rule = Compile(
      "country = 'Ro''mania; DROP TABLE features; --' or country = \"x\"\"y\" or "
      "had(email_click, 30d) or in_segment('rfm', 'At Risk') or frequency > 987654");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  for (const char* pasted : {"DROP", "mania", "x\"y", "email_click", "rfm", "At Risk", "987654"}) {
    EXPECT_EQ(rule->sql.find(pasted), std::string::npos) << pasted << " in " << rule->sql;
  }
  EXPECT_EQ(rule->params, (std::vector<store::Value>{
                              std::string("Ro'mania; DROP TABLE features; --"), std::string("x\"y"),
                              std::string("email_click"), int64_t{30}, std::string("rfm"),
                              std::string("At Risk"), int64_t{987654}}));
  EXPECT_EQ(Run(rule->sql, rule->params, rule->event_joins), (Ids{"c1", "c5"}));
}

TEST_F(RuleTest, ParametersAreNumberedFromFirstParam) {
  Result<CompiledRule> rule =
      Compile("country in ('Romania', 'Bulgaria') and frequency > 0 and had(purchase, 30d)", 5);
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  for (int index = 5; index <= 9; ++index) {
    EXPECT_NE(rule->sql.find("$" + std::to_string(index)), std::string::npos) << index;
  }
  for (const char* unused : {"$1 ", "$2", "$3", "$4", "$10"}) {
    EXPECT_EQ(rule->sql.find(unused), std::string::npos) << unused;
  }
  ASSERT_EQ(rule->params.size(), 5u);
  // $1..$4 belong to the rest of the statement.
  std::vector<store::Value> params = {std::string("x1"), std::string("x2"), std::string("x3"),
                                      std::string("x4")};
  params.insert(params.end(), rule->params.begin(), rule->params.end());
  std::string where = "f.customer_id NOT IN ($1, $2, $3, $4) AND " + rule->sql;
  EXPECT_EQ(Run(where, params), (Ids{"c1", "c4"}));
}

TEST_F(RuleTest, FirstParamZeroIsRefused) { EXPECT_FALSE(Compile("vip", 0).ok()); }

// ------------------------------------------------------------------ clauses

TEST_F(RuleTest, ClausesAreTheTopLevelAndedConditions) {
  Result<CompiledRule> rule = Compile(
      "recency_days > 180 and (country = 'Romania' or vip) and had(purchase, 90d) and "
      "not (frequency > 3)");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  ASSERT_EQ(rule->clauses.size(), 4u);
  EXPECT_EQ(rule->clauses[0].text, "recency_days > 180");
  EXPECT_EQ(rule->clauses[1].text, "(country = 'Romania' or vip)");
  EXPECT_EQ(rule->clauses[2].text, "had(purchase, 90d)");
  EXPECT_EQ(rule->clauses[3].text, "not (frequency > 3)");
  EXPECT_EQ(rule->clauses[0].params, (std::vector<store::Value>{int64_t{180}}));
  EXPECT_EQ(rule->clauses[1].params, (std::vector<store::Value>{std::string("Romania")}));
  EXPECT_EQ(rule->clauses[2].params,
            (std::vector<store::Value>{std::string("purchase"), int64_t{90}}));
  EXPECT_NE(rule->clauses[2].holds_sql.find("$1"), std::string::npos);
  EXPECT_EQ(rule->clauses[2].holds_sql.find("$3"), std::string::npos);
}

TEST_F(RuleTest, ClauseValuesAndHoldsRunPerCustomer) {
  Result<CompiledRule> rule = Compile(
      "recency_days > 180 and (country = 'Romania' or vip) and had(purchase, 90d) and "
      "count(visit) >= frequency");
  ASSERT_TRUE(rule.ok()) << rule.status().ToString();
  std::vector<std::vector<std::string>> expected = {
      // c1..c5: value, holds
      {"10", "false", "200", "true", "null", "null", "181", "true", "180", "false"},
      {"Romania, true", "true", "Bulgaria, false", "false", "Germany, null", "null",
       "Romania, false", "true", "null, true", "true"},
      {"yes", "true", "yes", "true", "no", "false", "yes", "true", "no", "false"},
      {"1, 5", "false", "0, 1", "false", "1, 0", "true", "1, 3", "false", "1, null", "null"},
  };
  for (size_t clause_idx = 0; clause_idx < rule->clauses.size(); ++clause_idx) {
    const RuleClause& clause = rule->clauses[clause_idx];
    Result<store::Rows> rows = conn().Query("SELECT " + clause.value_sql + ", " + clause.holds_sql +
                                                " FROM features f ORDER BY f.customer_id",
                                            clause.params);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString() << "\n" << clause.holds_sql;
    std::vector<std::string> got;
    for (const auto& row : rows->rows) {
      got.push_back(store::IsNull(row[0]) ? "<NULL>" : store::ToText(row[0]));
      got.push_back(store::IsNull(row[1]) ? "null" : store::ToText(row[1]));
    }
    EXPECT_EQ(got, expected[clause_idx]) << clause.text;
  }
}

TEST_F(RuleTest, ParenthesisedAndsAreClausesTooAndOrIsOne) {
  Result<CompiledRule> nested = Compile("(vip and frequency > 1) and country = 'Romania'");
  ASSERT_TRUE(nested.ok());
  ASSERT_EQ(nested->clauses.size(), 3u);
  EXPECT_EQ(nested->clauses[1].text, "frequency > 1");
  Result<CompiledRule> single = Compile("  vip or frequency > 1 ");
  ASSERT_TRUE(single.ok());
  ASSERT_EQ(single->clauses.size(), 1u);
  EXPECT_EQ(single->clauses[0].text, "vip or frequency > 1");
  EXPECT_EQ(single->clauses[0].holds_sql, single->sql);
  EXPECT_EQ(single->clauses[0].params, single->params);
}

// ------------------------------------------------------------------ errors

TEST_F(RuleTest, UnknownColumnShowsTheRuleACaretAndTheClosestName) {
  EXPECT_EQ(Error("recency_day > 180 and frequency >= 3"),
            "at column 1: unknown column 'recency_day'; did you mean 'recency_days'?\n"
            "  recency_day > 180 and frequency >= 3" +
                Caret(1, 11));
  std::string message = Error("frequency >= 3 and recncy_days > 180");
  EXPECT_NE(message.find("at column 20: unknown column 'recncy_days'; did you mean "
                         "'recency_days'?"),
            std::string::npos)
      << message;
  EXPECT_TRUE(EndsWith(message, Caret(20, 11))) << message;
  EXPECT_EQ(Error("zzz > 1"), "at column 1: unknown column 'zzz'\n  zzz > 1\n  ^~~");
}

TEST_F(RuleTest, UnknownFunctionEventTypeAndSegmentSuggestTheClosest) {
  std::string message = Error("vip and hda(purchase)");
  EXPECT_NE(message.find("at column 9: unknown function 'hda'; did you mean 'had'?"),
            std::string::npos)
      << message;
  EXPECT_TRUE(EndsWith(message, Caret(9, 3))) << message;
  message = Error("had(purchse, 30d)");
  EXPECT_NE(message.find("unknown event type 'purchse'; did you mean 'purchase'?"),
            std::string::npos)
      << message;
  EXPECT_TRUE(EndsWith(message, Caret(5, 7))) << message;
  message = Error("in_segment(\"rfm\", \"Champion\")");
  EXPECT_NE(message.find("unknown segment 'Champion' in 'rfm'; did you mean 'Champions'?"),
            std::string::npos)
      << message;
  EXPECT_TRUE(EndsWith(message, Caret(19, 10))) << message;
  EXPECT_NE(Error("in_segment(rfn, Champions)").find("did you mean 'rfm'?"), std::string::npos);
  EXPECT_NE(Error("frobnicate(1d)").find("the functions are had, count, sum and in_segment"),
            std::string::npos);
  EXPECT_NE(Error("had(xyzzy)").find("known: 'purchase', 'refund'"), std::string::npos);
}

TEST_F(RuleTest, TypeErrorsPointAtTheOffendingOperand) {
  struct Case {
    const char* rule;
    const char* message;
    size_t column, width;
  };
  for (const Case& test : std::vector<Case>{
           {"frequency = 'abc'", "expected a number to compare with 'frequency'", 13, 5},
           {"country > 5", "expected text in quotes", 11, 1},
           {"country between 'a' and 'b'", "between compares numbers or dates", 1, 7},
           {"sum(frequency, 90d) > 1", "sum() adds the events' amounts", 5, 9},
           {"sum(amont, 90d) > 1", "did you mean 'amount'?", 5, 5},
           {"signup_date > '2026-02-30'", "expected a date 'YYYY-MM-DD'", 15, 12},
           {"signup_date > 20260101", "expected a date", 15, 8},
           {"interests = 'x'", "'interests' is a list: test it with interests contains", 1, 9},
           {"interests in ('x')", "is a list", 1, 9},
           {"country contains 'x'", "contains tests a list column; 'country' is text", 1, 7},
           {"interests contains 3", "expected the text to look for", 20, 1},
           {"vip > true", "compare only with = or !=", 5, 1},
           {"vip = 1", "expected true or false", 7, 1},
           {"frequency", "expected a condition; 'frequency' is a number", 1, 9},
           {"count(visit, 30d)", "'count(visit, 30d)' is a number", 1, 17},
           {"vip and 3", "expected a condition such as frequency >= 3, found the value 3", 9, 1},
           {"1 = 1", "both sides are values", 1, 1},
           {"frequency = country", "cannot compare 'frequency' (a number) with 'country'", 13, 7},
           {"count(visit) = 'x'", "expected a number", 16, 3},
           {"had(visit) > 1", "compare only with = or !=", 12, 1},
           {"'x' is null", "expected a column or function before 'is'", 1, 3},
           {"had()", "had() needs an event type", 5, 1},
           {"had(visit, 30d, 2d)", "too many arguments to had()", 17, 2},
           {"had(30d)", "expected an event type", 5, 3},
           {"count(visit, purchase) > 1", "too many arguments to count()", 14, 8},
           {"in_segment('rfm')", "in_segment() needs a segment name", 17, 1},
       }) {
    std::string message = Error(test.rule);
    EXPECT_NE(message.find(test.message), std::string::npos) << test.rule << "\n" << message;
    EXPECT_TRUE(EndsWith(message, Caret(test.column, test.width))) << test.rule << "\n" << message;
  }
}

TEST_F(RuleTest, SyntaxErrorsSayWhatWasExpected) {
  struct Case {
    const char* rule;
    const char* message;
    size_t column, width;
  };
  for (const Case& test : std::vector<Case>{
           {"", "the rule is empty", 1, 1},
           {"   ", "the rule is empty", 4, 1},
           {"frequency >", "found the end of the rule", 12, 1},
           {"(frequency > 3", "expected ')' to close the '(' at column 1", 15, 1},
           {"frequency > 3)", "expected 'and', 'or' or the end of the rule, found ')'", 14, 1},
           {"frequency >= 3 vip", "expected 'and', 'or' or the end of the rule, found 'vip'", 16,
            3},
           {"country = 'Romania", "unterminated text: expected a closing '", 11, 1},
           {"country = \"Romania", "unterminated text", 11, 1},
           {"had(purchase, 30)", "expected a window", 15, 2},
           {"had(purchase, 30x)", "expected a window", 15, 3},
           {"had(purchase, 1.5d)", "expected a window", 15, 4},
           {"had(purchase, 0d)", "at least one day", 15, 2},
           {"had(purchase, 101y)", "at most 100 years", 15, 4},
           {"had(purchase, 9999999d)", "at most 100 years", 15, 8},
           {"had(purchase, within)", "a window such as 30d after 'within'", 21, 1},
           {"had(purchase", "expected ',' or ')' to close the '(' at column 4", 13, 1},
           {"frequency @ 3", "unexpected character '@'", 11, 1},
           {"frequency > 3 && vip", "write 'and'", 15, 1},
           {"frequency > 3 || vip", "write 'or'", 15, 1},
           {"frequency == 3", "write '='", 11, 2},
           {"!vip", "write 'not' or '!='", 1, 1},
           {"country in 'Romania'", "expected '(' after 'in'", 12, 9},
           {"country in ()", "expected a value (a number, 'text', true or false)", 13, 1},
           {"country in ('a' 'b')", "expected ',' or ')' in the list of values", 17, 3},
           {"'sports' in interests", "write interests contains 'sports'", 13, 9},
           {"frequency between 1 or 3", "expected 'and' of 'between", 21, 2},
           {"frequency not 3", "expected 'in' or 'between' after 'not'", 15, 1},
           {"frequency is nul", "expected 'null' after 'is'", 14, 3},
           {"frequency is not 3", "expected 'null' after 'is not'", 18, 1},
           {"country = null", "'null' is not a value", 11, 4},
           {"frequency > 30d", "goes inside had(), count() or sum()", 13, 3},
           {"and vip", "found 'and'", 1, 3},
           {"vip and", "found the end of the rule", 8, 1},
           {"()", "found ')'", 2, 1},
       }) {
    std::string message = Error(test.rule);
    EXPECT_NE(message.find(test.message), std::string::npos) << test.rule << "\n" << message;
    EXPECT_TRUE(EndsWith(message, Caret(test.column, test.width))) << test.rule << "\n" << message;
  }
}

TEST_F(RuleTest, NestingIsLimited) {
  std::string deep = std::string(100, '(') + "vip" + std::string(100, ')');
  EXPECT_NE(Error(deep).find("nests more than 64 levels"), std::string::npos);
  std::string nots;
  for (int level = 0; level < 100; ++level) nots += "not ";
  EXPECT_NE(Error(nots + "vip").find("nests more than 64 levels"), std::string::npos);
  std::string fine = std::string(30, '(') + "vip" + std::string(30, ')');
  EXPECT_EQ(Select(fine), (Ids{"c1", "c5"}));
}

TEST_F(RuleTest, MultiLineRulesNameTheLineAndShowIt) {
  EXPECT_EQ(Error("frequency >= 3\n  and recncy_days > 1"),
            "at line 2, column 7: unknown column 'recncy_days'; did you mean "
            "'recency_days'?\n"
            "    and recncy_days > 1" +
                Caret(7, 11));
}

TEST_F(RuleTest, CaretColumnsCountCharactersNotBytes) {
  std::string message = Error("country = 'Ōsaka' and frequencyy > 1");
  EXPECT_NE(message.find("at column 23:"), std::string::npos) << message;
  EXPECT_TRUE(EndsWith(message, Caret(23, 10))) << message;
  message = Error("país = 'x'");
  EXPECT_NE(message.find("at column 3: unexpected character 'í'"), std::string::npos) << message;
  message = Error("vip\tand \x01");
  EXPECT_NE(message.find("unexpected byte \\x01"), std::string::npos) << message;
  EXPECT_TRUE(EndsWith(message, "\n  vip and  " + Caret(9, 1))) << message;
}

// ------------------------------------------------------------------ robustness

const std::vector<std::string>& GrammarTokens() {
  static const std::vector<std::string> tokens = {"and",
                                                  "or",
                                                  "not",
                                                  "in",
                                                  "between",
                                                  "is",
                                                  "null",
                                                  "true",
                                                  "false",
                                                  "contains",
                                                  "within",
                                                  "AND",
                                                  "Not",
                                                  "had",
                                                  "count",
                                                  "sum",
                                                  "in_segment",
                                                  "hda",
                                                  "amount",
                                                  "purchase",
                                                  "visit",
                                                  "email_click",
                                                  "recency_days",
                                                  "frequency",
                                                  "monetary",
                                                  "country",
                                                  "signup_date",
                                                  "vip",
                                                  "interests",
                                                  "recency_day",
                                                  "rfm",
                                                  "Champions",
                                                  "30d",
                                                  "4w",
                                                  "6m",
                                                  "1y",
                                                  "0d",
                                                  "101y",
                                                  "3",
                                                  "2.5",
                                                  "-1",
                                                  "1e3",
                                                  "'Romania'",
                                                  "\"rfm\"",
                                                  "'2026-01-31'",
                                                  "'x''y'",
                                                  "\"Champions\"",
                                                  "=",
                                                  "!=",
                                                  "<>",
                                                  "<",
                                                  "<=",
                                                  ">",
                                                  ">=",
                                                  "(",
                                                  ")",
                                                  ",",
                                                  "-",
                                                  "'",
                                                  "\"",
                                                  "(",
                                                  ")",
                                                  ",",
                                                  "had(",
                                                  "count(",
                                                  "sum(amount,",
                                                  "in_segment(",
                                                  "\n",
                                                  "\t",
                                                  ";",
                                                  "$1",
                                                  "--",
                                                  "/*"};
  return tokens;
}

template <typename T>
const T& Pick(std::mt19937& random, const std::vector<T>& items) {
  return items[std::uniform_int_distribution<size_t>(0, items.size() - 1)(random)];
}

bool Chance(std::mt19937& random, int percent) {
  return std::uniform_int_distribution<int>(0, 99)(random) < percent;
}

// Rules drawn from the grammar, as tokens: mostly valid, so that mutating them reaches
// deep into the checker and the SQL writer.
class RuleGenerator {
 public:
  explicit RuleGenerator(std::mt19937& random) : random_(random) {}

  using Tokens = std::vector<std::string>;

  Tokens Condition(int depth) {
    switch (std::uniform_int_distribution<int>(0, depth > 2 ? 8 : 11)(random_)) {
      case 0:
        return Cat({{Pick(random_, kNumbers)}, {Pick(random_, kOps)}, NumberValue()});
      case 1:
        return Cat({{"country"}, {Pick(random_, kOps)}, {Pick(random_, kTexts)}});
      case 2:
        return Cat({{"signup_date"}, {Pick(random_, kOps)}, {Pick(random_, kDates)}});
      case 3:
        return In();
      case 4:
        return Cat({{Pick(random_, kNumbers)},
                    {Chance(random_, 30) ? "not between" : "between"},
                    NumberValue(),
                    {"and"},
                    NumberValue()});
      case 5:
        return Cat({{Pick(random_, kAll)}, {Chance(random_, 50) ? "is null" : "is not null"}});
      case 6:
        return {Chance(random_, 50) ? "vip" : "interests contains 'sports'"};
      case 7:
        return EventCondition();
      case 8:
        return {"in_segment(" + Pick(random_, kSegments) + ")"};
      case 9:
        return Cat({{"not", "("}, Condition(depth + 1), {")"}});
      default:
        return Cat({{"("},
                    Condition(depth + 1),
                    {Chance(random_, 50) ? "and" : "or"},
                    Condition(depth + 1),
                    {")"}});
    }
  }

 private:
  // Braced lists are evaluated in order, so the random draws are the same everywhere.
  static Tokens Cat(std::initializer_list<Tokens> parts) {
    Tokens out;
    for (const Tokens& part : parts) out.insert(out.end(), part.begin(), part.end());
    return out;
  }

  Tokens NumberValue() {
    return {Chance(random_, 80) ? Pick(random_, kNumberLiterals) : Pick(random_, kNumbers)};
  }

  Tokens In() {
    Tokens out = {"country", Chance(random_, 30) ? "not in" : "in", "("};
    int items = std::uniform_int_distribution<int>(1, 4)(random_);
    for (int item = 0; item < items; ++item) {
      if (item > 0) out.push_back(",");
      out.push_back(Pick(random_, kTexts));
    }
    out.push_back(")");
    return out;
  }

  Tokens EventCondition() {
    std::string window = Chance(random_, 30) ? "" : ", " + Pick(random_, kWindows);
    std::string type = Pick(random_, kTypes);
    switch (std::uniform_int_distribution<int>(0, 3)(random_)) {
      case 0:
        return {"had(" + type + window + ")"};
      case 1:
        return Cat({{"count(" + type + window + ")"}, {Pick(random_, kOps)}, NumberValue()});
      case 2:
        return Cat({{"sum(amount" + window + ")"}, {Pick(random_, kOps)}, NumberValue()});
      default:
        return Cat({{"sum(amount" + window + ", " + type + ")"}, {">="}, NumberValue()});
    }
  }

  std::mt19937& random_;
  const std::vector<std::string> kNumbers = {"recency_days", "frequency", "monetary",
                                             "last_feedback_score"};
  const std::vector<std::string> kAll = {"recency_days", "country",   "signup_date",
                                         "vip",          "interests", "frequency"};
  const std::vector<std::string> kOps = {"=", "!=", "<>", "<", "<=", ">", ">="};
  const std::vector<std::string> kNumberLiterals = {"3", "2.5", "-1", "180", "1e2", "0"};
  const std::vector<std::string> kTexts = {"'Romania'", "\"Bulgaria\"", "'x''y'", "''"};
  const std::vector<std::string> kDates = {"'2026-01-31'", "'2024-02-29'", "\"2026-11-01\""};
  const std::vector<std::string> kWindows = {"30d", "within 4w", "6m", "1y", "1d"};
  const std::vector<std::string> kTypes = {"purchase", "refund", "visit", "'email_click'",
                                           "\"email_open\""};
  const std::vector<std::string> kSegments = {"'rfm', 'Champions'", "\"lifecycle\", active"};
};

// One piece of noise: a grammar token or a random byte.
std::string Noise(std::mt19937& random) {
  if (Chance(random, 75)) return Pick(random, GrammarTokens());
  return std::string(1, static_cast<char>(std::uniform_int_distribution<int>(0, 255)(random)));
}

// A rule from the grammar with up to three tokens replaced, inserted or removed; or, one
// time in four, grammar tokens and random bytes in any order.
std::string RandomRule(std::mt19937& random, int iteration) {
  std::vector<std::string> tokens;
  if (iteration % 4 == 0) {
    for (int piece = std::uniform_int_distribution<int>(0, 14)(random); piece > 0; --piece) {
      tokens.push_back(Noise(random));
    }
  } else {
    RuleGenerator generator(random);
    tokens = generator.Condition(0);
    for (int mutation = std::uniform_int_distribution<int>(0, 3)(random) - 1; mutation > 0;
         --mutation) {
      size_t at = std::uniform_int_distribution<size_t>(0, tokens.size() - 1)(random);
      int kind = std::uniform_int_distribution<int>(0, 2)(random);
      if (kind == 0) tokens[at] = Noise(random);
      if (kind == 1) tokens.insert(tokens.begin() + at, Noise(random));
      if (kind == 2 && tokens.size() > 1) tokens.erase(tokens.begin() + at);
    }
  }
  std::string rule;
  for (const std::string& token : tokens) rule += token + (Chance(random, 90) ? " " : "");
  return rule;
}

TEST_F(RuleTest, RandomRulesNeverCrashAndThoseThatCompileRun) {
  std::mt19937 random(20261101);
  int compiled = 0;
  int failed = 0;
  for (int iteration = 0; iteration < 20000; ++iteration) {
    std::string text = RandomRule(random, iteration);
    size_t first_param = 1 + iteration % 7;
    Result<CompiledRule> rule = Compile(text, first_param);
    if (!rule.ok()) {
      ++failed;
      ASSERT_EQ(rule.status().code(), StatusCode::kInvalidArgument) << text;
      ASSERT_NE(rule.status().message().find("\n  "), std::string::npos) << text;
      ASSERT_NE(rule.status().message().find('^'), std::string::npos) << text;
      continue;
    }
    ASSERT_FALSE(rule->clauses.empty()) << text;
    // Running every compiled rule would take a while; one in four shows the SQL is valid.
    if (++compiled % 4 != 0) continue;
    std::vector<store::Value> params(first_param - 1, store::Value(int64_t{0}));
    params.insert(params.end(), rule->params.begin(), rule->params.end());
    std::string padding;
    for (size_t param = 1; param < first_param; ++param) {
      padding += "$" + std::to_string(param) + " = 0 AND ";
    }
    Result<store::Rows> rows = conn().Query(
        "SELECT count(*) FROM features f" + rule->event_joins + " WHERE " + padding + rule->sql,
        params);
    ASSERT_TRUE(rows.ok()) << text << "\n" << rule->sql << "\n" << rows.status().ToString();
  }
  EXPECT_GT(compiled, 5000);
  EXPECT_GT(failed, 5000);
}

}  // namespace
}  // namespace segmenta::rules

namespace segmenta::rules {
namespace {

// had() on a type with a latest-event column answers exactly as the search of the
// events does, windows, negation and customers without such events included.
TEST_F(RuleTest, HadFromTheLatestEventAgreesWithTheSearch) {
  const char* const rules[] = {"had(visit)",
                               "had(visit, within 30d)",
                               "not had(purchase, within 7d)",
                               "had(email_click, within 1w) or had(refund)",
                               "had(purchase, within 1d)",
                               "not had(email_open)",
                               "had(purchase, 8d) and not had(visit, within 30d)"};
  std::vector<Ids> searched;
  for (const char* rule : rules) searched.push_back(Select(rule));
  for (const char* type : {"purchase", "refund", "visit", "email_click", "email_open"}) {
    schema_.last_event_sql[type] =
        std::string(
            "(SELECT max(e.ts) FROM events e WHERE e.customer_id = f.\"customer_id\" "
            "AND e.type = '") +
        type + "' AND e.ts < TIMESTAMP '2026-11-01')";
  }
  for (size_t index = 0; index < std::size(rules); ++index) {
    Result<CompiledRule> compiled = Compile(rules[index]);
    ASSERT_TRUE(compiled.ok());
    EXPECT_EQ(compiled->sql.find("EXISTS"), std::string::npos) << rules[index];
    EXPECT_EQ(Run(compiled->sql, compiled->params, compiled->event_joins), searched[index])
        << rules[index];
  }
}

}  // namespace
}  // namespace segmenta::rules
