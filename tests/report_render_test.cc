// The HTML report opened in headless Chromium (Debian's chromium, installed by
// scripts/setup.sh) with every network request made impossible: it must render, and
// the screenshot is kept next to the test binary (report_screenshot.png) to look at.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "kpis_golden.h"
#include "segmenta/demo.h"
#include "segmenta/ingest.h"
#include "segmenta/segments.h"
#include "testing.h"

namespace segmenta {
namespace {

std::string Shell(const std::string& command, int& exit_code) {
  std::string out;
  FILE* pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return out;
  std::array<char, 4096> buffer;
  size_t read = 0;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), read);
  int status = pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(ReportRenderTest, RendersInHeadlessChromiumWithoutNetwork) {
  testing::TempDir dir;
  DemoOptions demo;
  demo.customers = 2000;
  demo.seed = 5;
  ASSERT_TRUE(WriteDemoProject(demo, dir / "shop").ok());
  Result<Project> project = LoadProject(dir / "shop");
  ASSERT_TRUE(project.ok());
  Result<Workspace> ws = Workspace::Open(project->workspace);
  ASSERT_TRUE(ws.ok());
  ASSERT_TRUE(Ingest(*project, *ws, {}).ok());
  RunOptions earlier;
  earlier.as_of = "2026-08-01";
  ASSERT_TRUE(RunSegmentations(*project, *ws, earlier).ok());
  ASSERT_TRUE(RunSegmentations(*project, *ws, {}).ok());
  std::filesystem::path html = dir / "report.html";
  ASSERT_TRUE(WriteReport(*project, *ws, html).ok());

  // No route to anywhere: a proxy that does not exist, and no name resolves.
  std::string chromium =
      "chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
      "--no-first-run --proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' "
      "--user-data-dir=" +
      (dir / "profile").string() + " ";
  int code = -1;
  std::string dom = Shell(chromium + "--dump-dom file://" + html.string(), code);
  ASSERT_EQ(code, 0) << "is chromium installed? (scripts/setup.sh installs it)";
  EXPECT_NE(dom.find("Customer segments"), std::string::npos);
  EXPECT_NE(dom.find("RFM grid"), std::string::npos);
  EXPECT_NE(dom.find("Since the previous snapshot"), std::string::npos);
  EXPECT_NE(dom.find("Customer value"), std::string::npos);
  EXPECT_NE(dom.find("cumulative repeat purchases by week"), std::string::npos);
  EXPECT_NE(dom.find("<h2>KPIs</h2>"), std::string::npos);
  EXPECT_NE(dom.find("revenue trend"), std::string::npos);
  EXPECT_NE(dom.find("<svg"), std::string::npos);

  std::filesystem::path png =
      std::filesystem::path(SEGMENTA_BINARY).parent_path() / "report_screenshot.png";
  std::filesystem::remove(png);
  Shell(chromium + "--window-size=1280,3000 --screenshot=" + png.string() + " file://" +
            html.string(),
        code);
  ASSERT_EQ(code, 0);
  std::string image = testing::ReadFile(png);
  ASSERT_GT(image.size(), 8u);
  EXPECT_EQ(image.substr(1, 3), "PNG");
  EXPECT_GT(image.size(), 40'000u) << "a blank page compresses to a few KB";
}

// The KPI section on the hand-computed workspace (tests/golden/kpis/README.md): the
// latest snapshot's figures, the suppressed segment withheld, the revenue trends.
TEST(ReportRenderTest, TheKpiSectionShowsTheGoldenFigures) {
  testing::TempDir dir;
  Project project;
  std::unique_ptr<Workspace> ws;
  ASSERT_NO_FATAL_FAILURE(testing::MakeKpiGoldenWorkspace(dir.path(), project, ws));
  std::filesystem::path file = dir / "report.html";
  ASSERT_TRUE(WriteReport(project, *ws, file).ok());
  std::string html = testing::ReadFile(file);
  size_t start = html.find("<h2>KPIs</h2>");
  ASSERT_NE(start, std::string::npos);
  std::string section = html.substr(start, html.find("<h2>", start + 1) - start);
  EXPECT_NE(section.find("tiers (snapshot 2, as of 2026-03-31)"), std::string::npos);
  // Gold: customers, revenue, AOV, repeat, retention, churn, conversion, CLV, NPS, CSAT,
  // spend, CAC, ROI.
  EXPECT_NE(section.find("<tr><td>Gold</td><td>4</td><td>250</td><td>125.00</td><td>66.7%</td>"
                         "<td>50.0%</td><td>50.0%</td><td>33.3%</td><td>–</td><td>25.0 <span "
                         "class=\"muted\">(4)</span></td><td>66.7 <span class=\"muted\">(3)"
                         "</span></td><td>100</td><td>–</td><td>-50.0%</td>"),
            std::string::npos)
      << section;
  EXPECT_NE(section.find("<tr><td>Silver</td><td>3</td><td>80</td><td>40.00</td><td>50.0%</td>"
                         "<td>100.0%</td><td>0.0%</td><td>100.0%</td><td>–</td><td>–</td><td>–"
                         "</td><td>300</td><td>300.00</td><td>-73.3%</td>"),
            std::string::npos)
      << section;
  EXPECT_NE(section.find("<tr><td>Tiny</td><td colspan=\"14\" class=\"muted\">withheld"),
            std::string::npos);
  EXPECT_EQ(section.find("999"), std::string::npos) << "the withheld customer's purchase";
  EXPECT_NE(section.find("aria-label=\"revenue 2026-03-01: 190 → 2026-03-31: 250\""),
            std::string::npos);
  EXPECT_NE(section.find("<td>summer</td><td>ads</td><td>300</td><td>280</td><td>3</td>"
                         "<td>-6.7%</td>"),
            std::string::npos);
}

}  // namespace
}  // namespace segmenta
