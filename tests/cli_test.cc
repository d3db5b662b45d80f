// The segmenta binary end to end: exit codes, --json, -C, and the files it writes.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "testing.h"

namespace segmenta {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;
};

CliRun Segmenta(const std::string& args) {
  std::string command = std::string(SEGMENTA_BINARY) + " " + args + " 2>/dev/null";
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return run;
  std::array<char, 4096> buffer;
  size_t read = 0;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    run.out.append(buffer.data(), read);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(CliTest, DemoProjectIngestsAndBuildsFeatures) {
  testing::TempDir dir;
  std::string project = (dir / "shop").string();
  ASSERT_EQ(Segmenta("init " + project + " --demo 800 --seed 3").exit_code, 0);
  CliRun ingest = Segmenta("-C " + project + " --json ingest");
  ASSERT_EQ(ingest.exit_code, 0) << ingest.out;
  nlohmann::json report = nlohmann::json::parse(ingest.out);
  EXPECT_EQ(report["customers"], 800);
  for (const auto& source : report["sources"]) EXPECT_TRUE(source["reconciles"].get<bool>());
  CliRun features = Segmenta("-C " + project + " --json features --out out/features.csv");
  ASSERT_EQ(features.exit_code, 0) << features.out;
  nlohmann::json table = nlohmann::json::parse(features.out);
  EXPECT_EQ(table["as_of"], "2026-11-01");
  EXPECT_EQ(table["customers"], 800);
  std::string csv = testing::ReadFile(dir / "shop/out/features.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 801);
  EXPECT_EQ(csv.rfind("customer_id,recency_days,", 0), 0u) << csv.substr(0, 80);
}

TEST(CliTest, ExitCodesFollowTheContract) {
  testing::TempDir dir;
  std::string project = (dir / "dirty").string();
  ASSERT_EQ(Segmenta("init " + project + " --demo 500 --seed 5 --dirty").exit_code, 0);
  EXPECT_EQ(Segmenta("-C " + project + " ingest").exit_code, 3);  // rows were quarantined
  EXPECT_EQ(Segmenta("-C " + project + " ingest --accept-rejects").exit_code, 0);
  CliRun listed = Segmenta("-C " + project + " --json quarantine --limit 5");
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(listed.out)["rows"].size(), 5u);
  EXPECT_EQ(Segmenta("-C " + (dir / "nowhere").string() + " ingest").exit_code, 2);
  EXPECT_EQ(Segmenta("no-such-verb").exit_code, 2);
  EXPECT_EQ(Segmenta("-C " + project + " features --as-of 2026-99-01").exit_code, 2);
  testing::WriteFile(dir / "bad/segmenta.toml",
                     "[sources.x]\nfile = \"x.csv\"\nkind = \"events\"\n"
                     "customer = \"c\"\ntime = \"t\"\ntype = \"visit\"\n"
                     "colour = \"red\"\n");
  CliRun bad = Segmenta("-C " + (dir / "bad").string() + " --json ingest");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(nlohmann::json::parse(bad.out)["error"].get<std::string>().find(":7: key "
                                                                            "'sources.x.colour'"),
            std::string::npos);
  testing::WriteFile(dir / "empty/segmenta.toml",
                     "[sources.x]\nfile = \"x.csv\"\nkind = \"events\"\n"
                     "customer = \"c\"\ntime = \"t\"\ntype = \"visit\"\n");
  testing::WriteFile(dir / "empty/x.csv", "");
  EXPECT_EQ(Segmenta("-C " + (dir / "empty").string() + " ingest").exit_code, 3);
}

TEST(CliTest, InitRefusesToOverwriteAProject) {
  testing::TempDir dir;
  std::string project = (dir / "p").string();
  ASSERT_EQ(Segmenta("init " + project).exit_code, 0);
  EXPECT_EQ(Segmenta("init " + project).exit_code, 2);
  EXPECT_EQ(Segmenta("init " + project + " --demo 10").exit_code, 2);
}

}  // namespace
}  // namespace segmenta
