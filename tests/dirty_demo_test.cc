// End to end: a dirty demo project is generated, ingested, and every bad row the
// generator injected (data/dirty_manifest.csv) must be in quarantine at its line with
// the right reason; duplicates are counted, not lost; counts reconcile.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "segmenta/demo.h"
#include "segmenta/ingest.h"
#include "store/database.h"
#include "testing.h"

namespace segmenta {
namespace {

// The reason ingest must give for each kind of injected defect.
bool ReasonFits(const std::string& kind, const std::string& reason) {
  static const std::map<std::string, std::string> expected = {
      {"missing_id", "missing customer id"},
      {"broken_date", "unparseable time"},
      {"non_numeric_amount", "amount is not a number"},
      {"unknown_customer", "unknown customer"},
      {"stray_quote", "stray quote"},
      {"bad_encoding", "invalid UTF-8"},
  };
  auto found = expected.find(kind);
  return found != expected.end() && reason.find(found->second) != std::string::npos;
}

TEST(DirtyDemoIngestTest, EveryInjectedBadRowIsQuarantinedWithItsReason) {
  testing::TempDir dir;
  DemoOptions options;
  options.customers = 3000;
  options.seed = 7;
  options.dirty = true;
  Result<DemoSummary> summary = WriteDemoProject(options, dir.path());
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  Result<Project> project = LoadProject(dir.path());
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  Result<Workspace> workspace = Workspace::Open(project->workspace);
  ASSERT_TRUE(workspace.ok());
  Result<IngestReport> report = Ingest(*project, *workspace, {});
  ASSERT_TRUE(report.ok()) << report.status().ToString();

  std::map<std::pair<std::string, int64_t>, std::string> quarantined;  // (file, line) → reason
  Result<store::Rows> rows =
      workspace->connection().Query("SELECT file, line, reason FROM quarantine");
  ASSERT_TRUE(rows.ok());
  for (const auto& row : rows->rows) {
    quarantined[{store::ToText(row[0]), std::get<int64_t>(row[1])}] = store::ToText(row[2]);
  }

  std::ifstream manifest(dir / "data/dirty_manifest.csv");
  std::string line;
  std::getline(manifest, line);  // header
  int64_t listed = 0, duplicates = 0;
  while (std::getline(manifest, line)) {
    std::stringstream fields(line);
    std::string file, number, kind;
    std::getline(fields, file, ',');
    std::getline(fields, number, ',');
    std::getline(fields, kind, ',');
    if (kind == "duplicate") {
      ++duplicates;
      continue;
    }
    ++listed;
    auto found = quarantined.find({file, std::stoll(number)});
    ASSERT_NE(found, quarantined.end())
        << file << ":" << number << " (" << kind << ") not quarantined";
    EXPECT_TRUE(ReasonFits(kind, found->second))
        << file << ":" << number << " is " << kind << " but quarantined as: " << found->second;
  }
  EXPECT_GT(listed, 20);
  EXPECT_GT(duplicates, 0);
  EXPECT_EQ(static_cast<int64_t>(quarantined.size()), listed) << "quarantined rows nobody injected";

  for (const SourceReport& source : report->sources) {
    EXPECT_TRUE(source.reconciles()) << source.source;
  }
  const SourceReport& events = report->sources[1];
  EXPECT_EQ(events.duplicates, duplicates);
  EXPECT_EQ(report->sources[0].rows_loaded, summary->customers);
  EXPECT_EQ(events.rows_loaded, summary->events + duplicates);
}

}  // namespace
}  // namespace segmenta
