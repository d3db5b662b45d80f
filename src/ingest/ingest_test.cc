#include "segmenta/ingest.h"

#include <gtest/gtest.h>

#include "../tests/testing.h"
#include "store/database.h"

namespace segmenta {
namespace {

using segmenta::testing::TempDir;
using segmenta::testing::WriteFile;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Workspace> ws = Workspace::OpenInMemory();
    ASSERT_TRUE(ws.ok());
    workspace_ = std::make_unique<Workspace>(std::move(*ws));
  }

  Result<IngestReport> Run(const std::string& toml) {
    WriteFile(dir_ / "segmenta.toml", toml);
    SEG_ASSIGN_OR_RETURN(project_, LoadProject(dir_.path()));
    return Ingest(project_, *workspace_, {});
  }

  int64_t Count(const std::string& sql) { return *workspace_->connection().QueryInt(sql); }

  std::string Text(const std::string& sql) {
    Result<store::Rows> rows = workspace_->connection().Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() && !rows->rows.empty() ? store::ToText(rows->rows[0][0]) : "<none>";
  }

  int64_t ReasonRows(const SourceReport& report, const std::string& reason) {
    for (const ReasonCount& count : report.reasons) {
      if (count.reason == reason) return count.rows;
    }
    return 0;
  }

  TempDir dir_;
  Project project_;
  std::unique_ptr<Workspace> workspace_;
};

constexpr const char* kCustomersCsv =
    "customer_id,age,city,signup,interests\n"
    "C1,34,Cluj,2024-01-05,sports;travel\n"
    "C2,,Plovdiv,2024-02-01,\n"
    ",40,Porto,2024-03-01,books\n"        // 4: missing id
    "C3,forty,Milano,2024-03-02,books\n"  // 5: age not a number
    "C4,51,Kraków,2024-13-40,books\n"     // 6: bad date
    "C1,35,Cluj,2024-01-05,sports\n"      // 7: duplicate id
    "C5,28,\"Lisboa,3\n";                 // 8: stray quote

constexpr const char* kEventsCsv =
    "cid,when,kind,qty,price,order,channel\n"
    "C1,2026-01-02 10:00:00,purchase,2,10.5,O1,web\n"
    "C1,2026-01-03,purchase,1,-5,O2,web\n"       // negative purchase → refund
    "C2,20260104,visit,,,,app\n"                 // compact date
    ",2026-01-05,purchase,1,1,O3,web\n"          // 5: missing customer
    "C2,2026-02-30,purchase,1,1,O4,web\n"        // 6: bad date
    "C2,2026-01-06,purchase,x,1,O5,web\n"        // 7: amount not a number
    "C9,2026-01-07,purchase,1,1,O6,web\n"        // 8: unknown customer
    "C2,2026-01-08,purchase,,,O7,web\n"          // 9: purchase without amount
    "C2,2026-01-09,purchase,1,1,O8,web,extra\n"  // 10: wrong field count
    "C2,2026-01-10,Visit,,,,app\n"
    "C2,2026-01-10,Visit,,,,app\n"        // 12: exact duplicate
    "C1,2026-01-11,refund,1,3,O1,web\n";  // positive refund → negative

constexpr const char* kProject = R"(
[sources.customers]
file = "customers.csv"
kind = "customers"
id = "customer_id"
attributes = { age = "demographic:number", city = "geographic:category",
               signup = "demographic:date", interests = "psychographic:list" }

[sources.events]
file = "events.csv"
kind = "events"
customer = "cid"
time = "when"
type_column = "kind"
amount = "qty * price"
order_id = "order"
channel = "channel"
unknown_customers = "quarantine"
)";

TEST_F(IngestTest, EveryRowLoadsOrIsQuarantinedWithItsReason) {
  WriteFile(dir_ / "customers.csv", kCustomersCsv);
  WriteFile(dir_ / "events.csv", kEventsCsv);
  Result<IngestReport> report = Run(kProject);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->sources.size(), 2u);
  const SourceReport& customers = report->sources[0];
  EXPECT_EQ(customers.source, "customers");
  EXPECT_EQ(customers.rows_read, 7);
  EXPECT_EQ(customers.rows_loaded, 2);
  EXPECT_EQ(customers.rows_quarantined, 5);
  EXPECT_TRUE(customers.reconciles());
  EXPECT_EQ(ReasonRows(customers, "missing customer id"), 1);
  EXPECT_EQ(ReasonRows(customers, "age is not a number"), 1);
  EXPECT_EQ(ReasonRows(customers, "signup is not a date (YYYY-MM-DD)"), 1);
  EXPECT_EQ(ReasonRows(customers, "duplicate customer id"), 1);
  EXPECT_EQ(ReasonRows(customers, "unterminated quoted field (a stray quote)"), 1);

  const SourceReport& events = report->sources[1];
  EXPECT_EQ(events.rows_read, 12);
  EXPECT_EQ(events.rows_loaded, 6);
  EXPECT_EQ(events.rows_quarantined, 6);
  EXPECT_EQ(events.duplicates, 1);
  EXPECT_TRUE(events.reconciles());
  for (const char* reason :
       {"missing customer id", "unparseable time", "amount is not a number", "unknown customer",
        "purchase without an amount", "wrong number of fields"}) {
    EXPECT_EQ(ReasonRows(events, reason), 1) << reason;
  }
  EXPECT_EQ(Text("SELECT line || ' ' || column_name || ' ' || value FROM quarantine "
                 "WHERE reason = 'unparseable time'"),
            "6 when 2026-02-30");
  EXPECT_EQ(Text("SELECT value FROM quarantine WHERE reason = 'amount is not a number'"),
            "qty=x, price=1");
  EXPECT_EQ(Text("SELECT raw FROM quarantine WHERE reason = 'duplicate customer id'"),
            "C1,35,Cluj,2024-01-05,sports");
  EXPECT_EQ(Text("SELECT value FROM quarantine WHERE reason = 'duplicate customer id'"),
            "C1 (first at line 2)");
  EXPECT_EQ(Text("SELECT file FROM quarantine LIMIT 1"), "customers.csv");
  // Canonical values: refunds negative, types lower-case, lists split, dates typed.
  EXPECT_EQ(Text("SELECT type || ' ' || amount FROM events WHERE _line = 3"), "refund -5.0");
  EXPECT_EQ(Text("SELECT type || ' ' || amount FROM events WHERE _line = 13"), "refund -3.0");
  EXPECT_EQ(Text("SELECT amount FROM events WHERE _line = 2"), "21");
  EXPECT_EQ(Text("SELECT CAST(ts AS VARCHAR) FROM events WHERE _line = 4"), "2026-01-04 00:00:00");
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE type = 'visit'"), 3);
  EXPECT_EQ(Text("SELECT CAST(interests AS VARCHAR) FROM customers WHERE customer_id = 'C1'"),
            "[sports, travel]");
  EXPECT_EQ(Text("SELECT CAST(signup AS VARCHAR) FROM customers WHERE customer_id = 'C1'"),
            "2024-01-05");
  EXPECT_EQ(Text("SELECT coalesce(CAST(age AS VARCHAR), 'null') FROM customers "
                 "WHERE customer_id = 'C2'"),
            "null");
}

TEST_F(IngestTest, ReingestReplacesRowsInsteadOfDoublingThem) {
  WriteFile(dir_ / "customers.csv", kCustomersCsv);
  WriteFile(dir_ / "events.csv", kEventsCsv);
  ASSERT_TRUE(Run(kProject).ok());
  Result<IngestReport> again = Ingest(project_, *workspace_, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(Count("SELECT count(*) FROM events"), 6);
  EXPECT_EQ(Count("SELECT count(*) FROM customers"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM quarantine"), 11);
  EXPECT_EQ(Count("SELECT count(*) FROM ingest_runs"), 4);
}

TEST_F(IngestTest, UnknownCustomersAreCreatedWhenThePolicySaysSo) {
  WriteFile(dir_ / "events.csv", "cid,ts,amount\nA,2026-01-01,5\nB,2026-01-02,6\nA,2026-01-03,7\n");
  const char* toml = R"(
[sources.orders]
file = "events.csv"
kind = "events"
customer = "cid"
time = "ts"
type = "Purchase"
amount = "amount"
)";
  Result<IngestReport> report = Run(toml);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->sources[0].customers_created, 2);
  EXPECT_EQ(Count("SELECT count(*) FROM customers WHERE _source = 'auto:orders'"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE type = 'purchase'"), 3);
  ASSERT_TRUE(Ingest(project_, *workspace_, {}).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM customers"), 2);
}

TEST_F(IngestTest, CustomersOfAnotherSourceAreUpdatedInPlace) {
  WriteFile(dir_ / "events.csv", "cid,ts,amount\nA,2026-01-01,5\nB,2026-01-02,6\n");
  WriteFile(dir_ / "customers.csv", "id,city\nA,Cluj\nC,Porto\n");
  const char* toml = R"(
[sources.orders]
file = "events.csv"
kind = "events"
customer = "cid"
time = "ts"
type = "purchase"
amount = "amount"

[sources.people]
file = "customers.csv"
kind = "customers"
id = "id"
attributes = { city = "geographic:category" }
)";
  ASSERT_TRUE(Run(toml).ok());  // customers load first: A and C, then B is created
  EXPECT_EQ(Text("SELECT _source FROM customers WHERE customer_id = 'B'"), "auto:orders");
  WriteFile(dir_ / "customers.csv", "id,city\nA,Cluj\nB,Sofia\nC,Porto\n");
  Result<IngestReport> again = Ingest(project_, *workspace_, {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->sources[0].rows_loaded, 3);
  EXPECT_EQ(again->sources[1].customers_created, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM customers"), 3);
  EXPECT_EQ(Text("SELECT _source || ' ' || city FROM customers WHERE customer_id = 'B'"),
            "people Sofia");
}

// A file large enough to be read in several parts at once: lines, rejects and
// duplicates must come out as from one reader, whichever part they fall in.
TEST_F(IngestTest, ALargeFileReadInPartsKeepsLinesRejectsAndDuplicates) {
  std::string text = "cid,ts,amount,note\n";
  const int64_t kRows = 700000;  // ~40 MB
  for (int64_t row = 0; row < kRows; ++row) {
    std::string line = "C" + std::to_string(row % 1000) + ",2026-01-01 10:00:00," +
                       std::to_string(row) + ",a note that pads the line out to sixty\n";
    // Row r is on line r + 2, plus one for each duplicate line written before it.
    if (row == 123456) line = "C1,2026-01-01 10:00:00,12,\"stray quote\n";  // line 123459
    if (row == 654321) line = "C2,not a time,5,x\n";                        // line 654325
    text += line;
    if (row == 10 || row == 600000) text += line;  // duplicates in the first and last parts
  }
  WriteFile(dir_ / "events.csv", text);
  const char* toml = R"(
[workspace]
threads = 4

[sources.orders]
file = "events.csv"
kind = "events"
customer = "cid"
time = "ts"
type = "purchase"
amount = "amount"
dedupe = true
)";
  Result<IngestReport> report = Run(toml);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const SourceReport& orders = report->sources[0];
  EXPECT_EQ(orders.rows_read, kRows + 2);
  EXPECT_EQ(orders.duplicates, 2);
  EXPECT_EQ(orders.rows_quarantined, 4);
  EXPECT_EQ(orders.rows_loaded, kRows - 2);
  EXPECT_TRUE(orders.reconciles());
  EXPECT_EQ(Text("SELECT string_agg(line || ' ' || reason, '; ' ORDER BY line) FROM quarantine"),
            "13 duplicate row; 123459 unterminated quoted field (a stray quote); "
            "600004 duplicate row; 654325 unparseable time");
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE _line = 600003 AND amount = 600000"), 1);
  EXPECT_EQ(Count("SELECT max(_line) FROM events"), kRows + 3);
}

TEST_F(IngestTest, FilterAndDedupeAreCountedSoTheRowsAddUp) {
  WriteFile(dir_ / "events.csv",
            "cid,ts,amount,country\nA,2026-01-01,5,RO\nA,2026-01-01,5,RO\nB,2026-01-02,6,XX\n"
            "C,2026-01-03,7,\n");
  const char* toml = R"(
[sources.orders]
file = "events.csv"
kind = "events"
customer = "cid"
time = "ts"
type = "purchase"
amount = "amount"
filter = "country <> 'XX' and amount > 0"
dedupe = true
)";
  Result<IngestReport> report = Run(toml);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const SourceReport& orders = report->sources[0];
  EXPECT_EQ(orders.rows_read, 4);
  EXPECT_EQ(orders.rows_loaded, 1);
  EXPECT_EQ(orders.rows_filtered, 2);  // XX, and the NULL country (filter not true)
  EXPECT_EQ(orders.rows_quarantined, 1);
  EXPECT_EQ(orders.duplicates, 1);
  EXPECT_TRUE(orders.reconciles());
  EXPECT_EQ(Text("SELECT reason || ': ' || value FROM quarantine"),
            "duplicate row: same as line 2");
}

TEST_F(IngestTest, ParquetAndJsonLinesSources) {
  store::Connection& conn = workspace_->connection();
  std::string parquet = (dir_ / "events.parquet").string();
  ASSERT_TRUE(conn.Execute("COPY (SELECT 'P' || (i % 3) AS cid, TIMESTAMP '2026-01-01' + "
                           "INTERVAL (i) HOUR AS ts, i * 1.5 AS amount FROM range(10) t(i)) TO '" +
                           parquet + "' (FORMAT parquet)")
                  .ok());
  WriteFile(dir_ / "clicks.jsonl",
            "{\"user\": \"J1\", \"at\": \"2026-02-01T10:00:00\", \"campaign\": \"spring\"}\n"
            "not json at all\n"
            "[1, 2]\n"
            "{\"user\": \"J2\", \"at\": \"2026-02-02 11:00:00\"}\n");
  const char* toml = R"(
[sources.orders]
file = "events.parquet"
kind = "events"
customer = "cid"
time = "ts"
type = "purchase"
amount = "amount"

[sources.clicks]
file = "clicks.jsonl"
kind = "events"
customer = "user"
time = "at"
type = "email_click"
campaign = "campaign"
)";
  Result<IngestReport> report = Run(toml);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->sources.size(), 2u);
  const SourceReport& clicks = report->sources[0];
  EXPECT_EQ(clicks.rows_read, 4);
  EXPECT_EQ(clicks.rows_loaded, 2);
  EXPECT_EQ(ReasonRows(clicks, "not a JSON object on one line"), 2);
  EXPECT_EQ(Text("SELECT line FROM quarantine WHERE source = 'clicks' ORDER BY line"), "2");
  const SourceReport& orders = report->sources[1];
  EXPECT_EQ(orders.read_as, "Parquet");
  EXPECT_EQ(orders.rows_loaded, 10);
  EXPECT_EQ(Count("SELECT count(*) FROM events WHERE campaign = 'spring'"), 1);
  EXPECT_EQ(Text("SELECT sum(amount) FROM events WHERE _source = 'orders'"), "67.5");
}

TEST_F(IngestTest, AFileThatIsNotWhatItClaimsIsAClearError) {
  WriteFile(dir_ / "events.parquet", "cid,ts\nA,2026-01-01\n");
  Result<IngestReport> report = Run(R"(
[sources.orders]
file = "events.parquet"
kind = "events"
customer = "cid"
time = "ts"
type = "visit"
)");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kDataError);
  EXPECT_NE(report.status().message().find("is not a Parquet file"), std::string::npos);
}

TEST_F(IngestTest, AnUnknownColumnNamesTheProjectLineKeyAndClosestColumn) {
  WriteFile(dir_ / "events.csv", "customer_id,timestamp,amount\nA,2026-01-01,5\n");
  Result<IngestReport> report = Run(R"(
[sources.orders]
file = "events.csv"
kind = "events"
customer = "customer_id"
time = "timestamp"
type = "purchase"
amount = "amuont * 2"
)");
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = report.status().message();
  EXPECT_NE(message.find("segmenta.toml:2: key 'sources.orders.amount'"), std::string::npos)
      << message;
  EXPECT_NE(message.find("did you mean 'amount'?"), std::string::npos) << message;
}

TEST_F(IngestTest, AFailedIngestLeavesThePreviousLoadUntouched) {
  WriteFile(dir_ / "events.csv", "cid,ts\nA,2026-01-01\n");
  const char* toml = R"(
[sources.visits]
file = "events.csv"
kind = "events"
customer = "cid"
time = "ts"
type = "visit"
)";
  ASSERT_TRUE(Run(toml).ok());
  WriteFile(dir_ / "events.csv", "");
  Result<IngestReport> failed = Ingest(project_, *workspace_, {});
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("is empty"), std::string::npos);
  EXPECT_EQ(Count("SELECT count(*) FROM events"), 1);
}

constexpr const char* kSpendCsv =
    "campaign,channel,segment,period,cost\n"
    "spring,email,audiences/VIP care,2026-03-01..2026-03-31,310\n"
    "spring,ads,Win-back,2026-04,60\n"
    ",ads,,2026-05-02,0\n"
    "summer,ads,,2026-05-02,\n"               // 5: missing cost
    "summer,ads,,2026-05-02,-3\n"             // 6: negative
    "summer,ads,,2026-05-02,lots\n"           // 7: not a number
    "summer,ads,,,4\n"                        // 8: missing period
    "summer,ads,,2026-13,4\n"                 // 9: no 13th month
    "summer,ads,,May 2026,4\n"                // 10: not a period
    "summer,ads,,2026-05-31..2026-05-01,4\n"  // 11: backwards
    "summer,ads,,2026-02-30,4\n";             // 12: no such day

constexpr const char* kSpendProject = R"(
[sources.costs]
file = "spend.csv"
kind = "spend"
campaign = "campaign"
channel = "channel"
segment = "segment"
period = "period"
cost = "cost"
)";

TEST_F(IngestTest, SpendRowsLoadWithTheirPeriodsAndBadOnesAreQuarantined) {
  WriteFile(dir_ / "spend.csv", kSpendCsv);
  Result<IngestReport> report = Run(kSpendProject);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const SourceReport& costs = report->sources.at(0);
  EXPECT_EQ(costs.kind, "spend");
  EXPECT_EQ(costs.rows_read, 11);
  EXPECT_EQ(costs.rows_loaded, 3);
  EXPECT_EQ(costs.rows_quarantined, 8);
  EXPECT_TRUE(costs.reconciles());
  const std::string kNotAPeriod = "period is not YYYY-MM-DD, YYYY-MM or YYYY-MM-DD..YYYY-MM-DD";
  EXPECT_EQ(ReasonRows(costs, kNotAPeriod), 3);
  for (const char* reason : {"missing cost", "cost is negative", "cost is not a number",
                             "missing period", "period ends before it starts"}) {
    EXPECT_EQ(ReasonRows(costs, reason), 1) << reason;
  }
  EXPECT_EQ(Text("SELECT string_agg(line || ' ' || coalesce(column_name, '-') || ' ' || "
                 "coalesce(value, '-') || ' ' || reason, '; ' ORDER BY line) FROM quarantine"),
            "5 cost - missing cost; 6 cost -3 cost is negative; 7 cost lots cost is not a number; "
            "8 period - missing period; 9 period 2026-13 " +
                kNotAPeriod + "; 10 period May 2026 " + kNotAPeriod +
                "; 11 period 2026-05-31..2026-05-01 period ends before it starts; "
                "12 period 2026-02-30 " +
                kNotAPeriod);
  EXPECT_EQ(Text("SELECT string_agg(concat_ws(' ', coalesce(campaign, '-'), channel, "
                 "coalesce(segment, '-'), period_start, period_end, cost, _source, _line), "
                 "'; ' ORDER BY _line) FROM spend"),
            "spring email audiences/VIP care 2026-03-01 2026-03-31 310.0 costs 2; "
            "spring ads Win-back 2026-04-01 2026-04-30 60.0 costs 3; "
            "- ads - 2026-05-02 2026-05-02 0.0 costs 4");
  // Ingesting again replaces the source's rows.
  WriteFile(dir_ / "spend.csv", "campaign,channel,segment,period,cost\nfall,ads,x,2026-09,9\n");
  ASSERT_TRUE(Ingest(project_, *workspace_, {}).ok());
  EXPECT_EQ(Text("SELECT string_agg(campaign || ' ' || period_end, ',') FROM spend"),
            "fall 2026-09-30");
  EXPECT_EQ(Count("SELECT count(*) FROM quarantine"), 0);
}

}  // namespace
}  // namespace segmenta
