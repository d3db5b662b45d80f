#include "demo/dirty.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "demo/demo_test_util.h"
#include "segmenta/demo.h"

namespace segmenta {
namespace {

using demo_internal::AppendEventDefect;
using demo_internal::DirtyKind;
using demo_internal::Rng;
using demo_test::DemoProject;
using demo_test::IsNumber;
using demo_test::IsValidUtf8;
using demo_test::IsWindowTimestamp;
using demo_test::SmallOptions;
using demo_test::SplitCommas;
using demo_test::SplitCsv;

struct ManifestEntry {
  std::string file;  // "customers.csv" or "events.csv"
  size_t line = 0;   // 1-based physical line
  std::string kind;
};

class DirtyDemoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clean_ = std::make_unique<DemoProject>("dirty_test_clean", SmallOptions());
    dirty_ = std::make_unique<DemoProject>("dirty_test_dirty", SmallOptions(true));
  }
  static void TearDownTestSuite() {
    clean_.reset();
    dirty_.reset();
  }

  static std::vector<ManifestEntry> Manifest() {
    std::vector<ManifestEntry> entries;
    const std::vector<std::string> lines = dirty_->Lines("dirty_manifest.csv");
    for (size_t line_idx = 1; line_idx < lines.size(); ++line_idx) {
      const std::vector<std::string> fields = SplitCommas(lines[line_idx]);
      EXPECT_EQ(fields.size(), 3u) << lines[line_idx];
      EXPECT_TRUE(fields[0].starts_with("data/")) << lines[line_idx];
      entries.push_back({fields[0].substr(5), std::stoul(fields[1]), fields[2]});
    }
    return entries;
  }

  // Listed line numbers per file.
  static std::map<std::string, std::set<size_t>> ListedLines() {
    std::map<std::string, std::set<size_t>> listed;
    for (const ManifestEntry& entry : Manifest()) listed[entry.file].insert(entry.line);
    return listed;
  }

  static std::set<std::string> CustomerIds() {
    std::set<std::string> ids;
    const std::vector<std::string> lines = clean_->Lines("customers.csv");
    for (size_t line_idx = 1; line_idx < lines.size(); ++line_idx) {
      ids.insert(SplitCommas(lines[line_idx])[0]);
    }
    return ids;
  }

  static inline std::unique_ptr<DemoProject> clean_;
  static inline std::unique_ptr<DemoProject> dirty_;
};

// Checks that the entry's line of `lines` (the whole file) shows the defect it names.
void ExpectDefect(const ManifestEntry& entry, const std::vector<std::string>& lines,
                  const std::set<std::string>& customer_ids) {
  const std::string& line = lines[entry.line - 1];
  SCOPED_TRACE(entry.file + ":" + std::to_string(entry.line) + " " + entry.kind + ": " + line);
  const std::vector<std::string> fields = SplitCsv(line);
  if (entry.kind == "missing_id") {
    EXPECT_TRUE(line.starts_with(","));
  } else if (entry.kind == "broken_date") {
    EXPECT_FALSE(IsWindowTimestamp(fields.at(1)));
  } else if (entry.kind == "non_numeric_amount") {
    EXPECT_EQ(fields.at(2), "purchase");
    EXPECT_FALSE(IsNumber(fields.at(3)));
  } else if (entry.kind == "duplicate") {
    const auto earlier_end = lines.begin() + static_cast<int64_t>(entry.line) - 1;
    EXPECT_NE(std::find(lines.begin() + 1, earlier_end, line), earlier_end);
  } else if (entry.kind == "stray_quote") {
    EXPECT_EQ(std::count(line.begin(), line.end(), '"') % 2, 1);
  } else if (entry.kind == "bad_encoding") {
    EXPECT_FALSE(IsValidUtf8(line));
  } else if (entry.kind == "unknown_customer") {
    EXPECT_FALSE(fields.at(0).empty());
    EXPECT_FALSE(customer_ids.contains(fields.at(0)));
  } else {
    ADD_FAILURE() << "unexpected kind";
  }
}

TEST_F(DirtyDemoTest, EveryListedLineHoldsItsDefect) {
  const std::set<std::string> customer_ids = CustomerIds();
  std::map<std::string, std::vector<std::string>> files;
  for (const char* file : {"customers.csv", "events.csv"}) files[file] = dirty_->Lines(file);
  for (const ManifestEntry& entry : Manifest()) {
    const std::vector<std::string>& lines = files.at(entry.file);
    ASSERT_GE(entry.line, 2u);
    ASSERT_LE(entry.line, lines.size());
    ExpectDefect(entry, lines, customer_ids);
  }
}

TEST_F(DirtyDemoTest, UnlistedLinesAreGood) {
  const std::set<std::string> customer_ids = CustomerIds();
  const std::map<std::string, std::set<size_t>> listed = ListedLines();
  const std::vector<std::string> events = dirty_->Lines("events.csv");
  for (size_t line_idx = 1; line_idx < events.size(); ++line_idx) {
    if (listed.at("events.csv").contains(line_idx + 1)) continue;
    const std::string& line = events[line_idx];
    const std::vector<std::string> fields = SplitCommas(line);
    ASSERT_EQ(fields.size(), 9u) << line;
    EXPECT_TRUE(customer_ids.contains(fields[0])) << line;
    EXPECT_TRUE(IsWindowTimestamp(fields[1])) << line;
    EXPECT_TRUE(fields[3].empty() || IsNumber(fields[3])) << line;
    EXPECT_TRUE(IsValidUtf8(line) && line.find('"') == std::string::npos) << line;
  }
  const std::vector<std::string> customers = dirty_->Lines("customers.csv");
  for (size_t line_idx = 1; line_idx < customers.size(); ++line_idx) {
    if (listed.at("customers.csv").contains(line_idx + 1)) continue;
    const std::string& line = customers[line_idx];
    EXPECT_EQ(SplitCommas(line).size(), 15u) << line;
    EXPECT_TRUE(customer_ids.contains(SplitCommas(line)[0])) << line;
    EXPECT_TRUE(IsValidUtf8(line) && line.find('"') == std::string::npos) << line;
  }
}

TEST_F(DirtyDemoTest, DroppingListedLinesGivesTheCleanFiles) {
  const std::map<std::string, std::set<size_t>> listed = ListedLines();
  for (const char* file : {"customers.csv", "events.csv"}) {
    const std::vector<std::string> dirty_lines = dirty_->Lines(file);
    std::vector<std::string> kept;
    for (size_t line_idx = 0; line_idx < dirty_lines.size(); ++line_idx) {
      if (!listed.at(file).contains(line_idx + 1)) kept.push_back(dirty_lines[line_idx]);
    }
    EXPECT_EQ(kept, clean_->Lines(file)) << file;
  }
  EXPECT_EQ(dirty_->Lines("truth.csv"), clean_->Lines("truth.csv"));
}

TEST_F(DirtyDemoTest, AboutHalfAPercentOfEachFileIsBadWithEveryKind) {
  std::map<std::string, std::set<std::string>> kinds;
  std::map<std::string, double> bad_rows;
  for (const ManifestEntry& entry : Manifest()) {
    kinds[entry.file].insert(entry.kind);
    ++bad_rows[entry.file];
  }
  const DemoSummary& summary = dirty_->summary();
  EXPECT_EQ(bad_rows["customers.csv"], summary.bad_customer_rows);
  EXPECT_EQ(bad_rows["events.csv"], summary.bad_event_rows);
  EXPECT_NEAR(bad_rows["events.csv"] / summary.events, 0.005, 0.002);
  EXPECT_NEAR(bad_rows["customers.csv"] / summary.customers, 0.005, 0.004);
  EXPECT_EQ(kinds["events.csv"].size(), 7u);
  for (const std::string& kind : kinds["customers.csv"]) {
    EXPECT_TRUE(kind == "missing_id" || kind == "stray_quote" || kind == "bad_encoding") << kind;
  }
}

TEST(DirtyRowTest, EachEventDefectChangesOneThing) {
  const std::string good =
      "C0000007,2025-12-01 10:00:00,purchase,12.50,O00000001,web,books,black_friday,";
  const auto defect = [&](DirtyKind kind) {
    Rng rng(1);
    std::string out;
    AppendEventDefect(out, good + "\n", kind, rng);
    EXPECT_TRUE(out.ends_with("\n"));
    out.pop_back();
    return out;
  };
  EXPECT_EQ(defect(DirtyKind::kDuplicate), good);
  EXPECT_EQ(defect(DirtyKind::kMissingId), good.substr(8));
  EXPECT_EQ(defect(DirtyKind::kUnknownCustomer), "C0000007x" + good.substr(8));
  EXPECT_EQ(SplitCsv(defect(DirtyKind::kNonNumericAmount)).size(), 9u);
  EXPECT_FALSE(IsNumber(SplitCsv(defect(DirtyKind::kNonNumericAmount))[3]));
  EXPECT_FALSE(IsValidUtf8(defect(DirtyKind::kBadEncoding)));
  EXPECT_FALSE(IsWindowTimestamp(SplitCommas(defect(DirtyKind::kBrokenDate))[1]));
}

}  // namespace
}  // namespace segmenta
