#include "segmenta/demo.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "demo/demo_test_util.h"

namespace segmenta {
namespace {

using demo_test::DemoProject;
using demo_test::IsValidUtf8;
using demo_test::kTestCustomers;
using demo_test::ReadFile;
using demo_test::SmallOptions;
using demo_test::SplitCommas;
using demo_test::TestDir;
namespace fs = std::filesystem;

constexpr char kCustomersHeader[] =
    "customer_id,email,age,gender,income_band,education,occupation,country,region,city,"
    "interests,lifestyle,marketing_opt_in,signup_date,phone";
constexpr char kEventsHeader[] =
    "customer_id,ts,type,amount,order_id,channel,category,campaign,score";

bool InHolidayWindow(const std::string& ts) {
  const std::string month_day = ts.substr(5, 5);
  return month_day >= "11-15" && month_day <= "12-31";
}

// One clean and one dirty project shared by the read-only tests.
class DemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clean_ = std::make_unique<DemoProject>("clean", SmallOptions());
    dirty_ = std::make_unique<DemoProject>("dirty_small", SmallOptions(true));
  }
  static void TearDownTestSuite() {
    clean_.reset();
    dirty_.reset();
  }

  // customer_id -> behaviour, from truth.csv.
  static std::map<std::string, std::string> Truth() {
    std::map<std::string, std::string> truth;
    const std::vector<std::string> lines = clean_->Lines("truth.csv");
    for (size_t line_idx = 1; line_idx < lines.size(); ++line_idx) {
      const std::vector<std::string> fields = SplitCommas(lines[line_idx]);
      truth[fields[0]] = fields[1];
    }
    return truth;
  }

  static inline std::unique_ptr<DemoProject> clean_;
  static inline std::unique_ptr<DemoProject> dirty_;
};

TEST_F(DemoTest, WritesFilesWithExactHeaders) {
  EXPECT_EQ(clean_->Lines("customers.csv").at(0), kCustomersHeader);
  EXPECT_EQ(clean_->Lines("events.csv").at(0), kEventsHeader);
  EXPECT_EQ(clean_->Lines("truth.csv").at(0), "customer_id,behaviour");
  EXPECT_FALSE(fs::exists(clean_->dir() / "data" / "dirty_manifest.csv"));
  EXPECT_EQ(dirty_->Lines("dirty_manifest.csv").at(0), "file,line,kind");
  const std::string toml = ReadFile(clean_->dir() / "segmenta.toml");
  for (const char* expected :
       {"[sources.customers]\nfile = \"data/customers.csv\"\nkind = \"customers\"\n",
        "interests = \"psychographic:list\"", "phone = \"contact:text\" }\n",
        "[sources.spend]\nfile = \"data/spend.csv\"\nkind = \"spend\"\n",
        "type_column = \"type\"\n", "unknown_customers = \"quarantine\"\n",
        "[[segmentation]]\nname = \"rfm\"\nmethod = \"rfm\"\n",
        "[privacy]\nmin_group_size = 10\n"}) {
    EXPECT_NE(toml.find(expected), std::string::npos) << expected;
  }
}

// Phones in the forms people write them, CSAT answers after support contacts, and a
// spend row for every sale (two channels) and every month (newsletter and prospecting).
TEST_F(DemoTest, WritesPhonesSurveysAndSpend) {
  const std::vector<std::string> customers = clean_->Lines("customers.csv");
  int64_t phones = 0, national = 0;
  for (size_t line_idx = 1; line_idx < customers.size(); ++line_idx) {
    const std::string phone = SplitCommas(customers[line_idx]).back();
    if (phone.empty()) continue;
    ++phones;
    national += phone[0] == '0' && phone[1] != '0';
    EXPECT_TRUE(phone[0] == '+' || phone[0] == '0') << phone;
  }
  EXPECT_GT(phones, static_cast<int64_t>(customers.size() - 1) * 9 / 10);
  EXPECT_GT(national, 0);
  int64_t surveys = 0;
  for (const std::string& line : clean_->Lines("events.csv")) {
    const std::vector<std::string> f = SplitCommas(line);
    if (f[2] != "csat") continue;
    ++surveys;
    EXPECT_GE(std::stoi(f[8]), 1);
    EXPECT_LE(std::stoi(f[8]), 5);
  }
  EXPECT_GT(surveys, 0);
  const std::vector<std::string> spend = clean_->Lines("spend.csv");
  EXPECT_EQ(spend.at(0), "campaign,channel,segment,period,cost");
  EXPECT_NE(ReadFile(clean_->dir() / "data" / "spend.csv")
                .find("black_friday,search,rfm/Champions,2024-11-22..2024-11-30,"),
            std::string::npos);
  EXPECT_NE(ReadFile(clean_->dir() / "data" / "spend.csv")
                .find("prospecting_2026_10,ads,journey/new,2026-10,"),
            std::string::npos);
}

TEST_F(DemoTest, SummaryMatchesFiles) {
  const DemoSummary& summary = clean_->summary();
  EXPECT_EQ(summary.customers, kTestCustomers);
  EXPECT_EQ(static_cast<int64_t>(clean_->Lines("events.csv").size()) - 1, summary.events);
  EXPECT_EQ(summary.bad_customer_rows + summary.bad_event_rows, 0);
  EXPECT_EQ(dirty_->summary().events, summary.events);
  EXPECT_GT(dirty_->summary().bad_event_rows, 0);
}

TEST(DemoDeterminismTest, SameOptionsGiveIdenticalBytesOnAnyThreadCount) {
  DemoOptions one_thread = SmallOptions(true);
  one_thread.threads = 1;
  DemoOptions four_threads = one_thread;
  four_threads.threads = 4;
  const DemoProject first("det1", one_thread);
  const DemoProject second("det4", four_threads);
  for (const char* file : {"customers.csv", "events.csv", "truth.csv", "dirty_manifest.csv"}) {
    EXPECT_EQ(ReadFile(first.dir() / "data" / file), ReadFile(second.dir() / "data" / file))
        << file;
  }
  EXPECT_EQ(ReadFile(first.dir() / "segmenta.toml"), ReadFile(second.dir() / "segmenta.toml"));
}

TEST(DemoDeterminismTest, DifferentSeedGivesDifferentData) {
  DemoOptions other = SmallOptions();
  other.seed = 7;
  const DemoProject base("seed42", SmallOptions());
  const DemoProject changed("seed7", other);
  EXPECT_NE(ReadFile(base.dir() / "data" / "events.csv"),
            ReadFile(changed.dir() / "data" / "events.csv"));
  EXPECT_NE(ReadFile(base.dir() / "data" / "customers.csv"),
            ReadFile(changed.dir() / "data" / "customers.csv"));
}

TEST(DemoOptionsTest, RefusesAnExistingProjectAndBadOptions) {
  const DemoProject existing("existing", SmallOptions());
  Result<DemoSummary> again = WriteDemoProject(SmallOptions(), existing.dir());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);

  DemoOptions no_customers = SmallOptions();
  no_customers.customers = 0;
  EXPECT_EQ(WriteDemoProject(no_customers, TestDir("bad")).status().code(),
            StatusCode::kInvalidArgument);
  DemoOptions bad_threads = SmallOptions();
  bad_threads.threads = -1;
  EXPECT_EQ(WriteDemoProject(bad_threads, TestDir("bad")).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(TestDir("bad")));
}

TEST_F(DemoTest, EveryCustomerIsInTruthExactlyOnce) {
  const std::map<std::string, std::string> truth = Truth();
  const std::vector<std::string> lines = clean_->Lines("customers.csv");
  ASSERT_EQ(lines.size(), kTestCustomers + 1);
  ASSERT_EQ(truth.size(), kTestCustomers);
  std::set<std::string> seen;
  for (size_t line_idx = 1; line_idx < lines.size(); ++line_idx) {
    const std::vector<std::string> fields = SplitCommas(lines[line_idx]);
    ASSERT_EQ(fields.size(), 15u) << lines[line_idx];
    EXPECT_TRUE(truth.contains(fields[0])) << fields[0];
    EXPECT_TRUE(seen.insert(fields[0]).second) << "duplicate id " << fields[0];
  }
  EXPECT_EQ(lines[1].substr(0, 9), "C0000001,");
}

TEST_F(DemoTest, CleanFilesAreWellFormedUtf8WithoutQuotes) {
  for (const char* file : {"customers.csv", "events.csv", "truth.csv"}) {
    const std::string contents = ReadFile(clean_->dir() / "data" / file);
    EXPECT_TRUE(IsValidUtf8(contents)) << file;
    EXPECT_EQ(contents.find('"'), std::string::npos) << file;
    EXPECT_EQ(contents.find('\r'), std::string::npos) << file;
  }
  const std::string customers = ReadFile(clean_->dir() / "data" / "customers.csv");
  for (const char* native : {"București", "Łódź", "Plovdiv", "Kraków", "München"}) {
    EXPECT_NE(customers.find(native), std::string::npos) << native;
  }
}

TEST_F(DemoTest, EventsAreValidAndReferenceKnownCustomers) {
  const std::map<std::string, std::string> truth = Truth();
  const std::vector<std::string> lines = clean_->Lines("events.csv");
  std::map<std::string, std::string> purchase_owner;  // order_id -> customer_id
  for (size_t line_idx = 1; line_idx < lines.size(); ++line_idx) {
    const std::vector<std::string> f = SplitCommas(lines[line_idx]);
    ASSERT_EQ(f.size(), 9u) << lines[line_idx];
    ASSERT_TRUE(truth.contains(f[0])) << lines[line_idx];
    ASSERT_TRUE(demo_test::IsWindowTimestamp(f[1])) << lines[line_idx];
    const bool money = f[2] == "purchase" || f[2] == "refund";
    EXPECT_EQ(money, !f[3].empty()) << lines[line_idx];
    EXPECT_EQ(f[2] == "feedback" || f[2] == "csat", !f[8].empty()) << lines[line_idx];
    if (f[2] == "purchase") {
      EXPECT_GT(std::stod(f[3]), 0) << lines[line_idx];
      EXPECT_TRUE(purchase_owner.emplace(f[4], f[0]).second) << "order reused " << f[4];
    } else if (f[2] == "refund") {
      EXPECT_LT(std::stod(f[3]), 0) << lines[line_idx];
      EXPECT_EQ(purchase_owner[f[4]], f[0]) << "refund without earlier purchase " << f[4];
    } else if (f[2] == "feedback") {
      EXPECT_GE(std::stoi(f[8]), 0);
      EXPECT_LE(std::stoi(f[8]), 10);
    } else if (f[2].starts_with("email_")) {
      EXPECT_FALSE(f[7].empty()) << lines[line_idx];
    }
  }
  EXPECT_EQ(purchase_owner.size(), clean_->summary().orders);
}

TEST_F(DemoTest, AboutTwentyEventsPerCustomer) {
  const double per_customer =
      static_cast<double>(clean_->summary().events) / clean_->summary().customers;
  EXPECT_GT(per_customer, 15);
  EXPECT_LT(per_customer, 27);
}

TEST_F(DemoTest, PurchasesPeakInTheHolidayWindow) {
  int64_t holiday = 0;
  int64_t other = 0;
  for (const std::string& line : clean_->Lines("events.csv")) {
    const std::vector<std::string> fields = SplitCommas(line);
    if (fields[2] != "purchase") continue;
    (InHolidayWindow(fields[1]) ? holiday : other) += 1;
  }
  constexpr double kHolidayDays = 2 * 47;  // Nov 15 – Dec 31 of 2024 and 2025
  const double holiday_rate = holiday / kHolidayDays;
  const double other_rate = other / (730 - kHolidayDays);
  EXPECT_GT(holiday_rate, 1.5 * other_rate);
}

TEST_F(DemoTest, BehaviourTypesArePresentAndBehaveDifferently) {
  const std::map<std::string, std::string> truth = Truth();
  std::map<std::string, int64_t> customers;
  for (const auto& [id, behaviour] : truth) ++customers[behaviour];
  for (const char* behaviour : {"champion", "loyal_regular", "bargain_hunter", "holiday_shopper",
                                "new_customer", "lapsed", "browser"}) {
    EXPECT_GT(customers[behaviour], kTestCustomers / 40) << behaviour;
  }
  EXPECT_EQ(customers.size(), 7u);

  std::map<std::string, std::string> first_purchase;
  std::map<std::string, std::string> last_purchase;
  std::map<std::string, double> spend;
  std::map<std::string, int64_t> orders;
  for (const std::string& line : clean_->Lines("events.csv")) {
    const std::vector<std::string> f = SplitCommas(line);
    if (f[2] != "purchase") continue;
    if (!first_purchase.contains(f[0])) first_purchase[f[0]] = f[1];
    last_purchase[f[0]] = f[1];
    spend[truth.at(f[0])] += std::stod(f[3]);
    ++orders[truth.at(f[0])];
  }
  for (const auto& [id, behaviour] : truth) {
    SCOPED_TRACE(id + " " + behaviour);
    EXPECT_EQ(behaviour == "browser", !last_purchase.contains(id));
    if (behaviour == "lapsed") {
      EXPECT_LT(last_purchase[id], "2026-02-01");
    } else if (behaviour == "champion") {
      EXPECT_GE(last_purchase[id], "2026-10-01");
    } else if (behaviour == "new_customer") {
      EXPECT_GE(first_purchase[id], "2026-09-01");
    }
  }
  const auto aov = [&](const char* behaviour) { return spend[behaviour] / orders[behaviour]; };
  EXPECT_LT(aov("bargain_hunter") * 2, aov("loyal_regular"));
  EXPECT_LT(aov("loyal_regular"), aov("champion"));
  EXPECT_GT(orders["champion"] / customers["champion"],
            2 * orders["loyal_regular"] / customers["loyal_regular"] - 1);
}

}  // namespace
}  // namespace segmenta
