// The HTML report opened in headless Chromium (Debian's chromium, installed by
// scripts/setup.sh) with every network request made impossible: it must render, and
// the screenshot is kept next to the test binary (report_screenshot.png) to look at.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>

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

}  // namespace
}  // namespace segmenta
