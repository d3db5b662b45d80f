// The segmenta binary end to end: exit codes, --json, -C, and the files it writes.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "testing.h"

namespace segmenta {
namespace {

using testing::CliRun;
CliRun Segmenta(const std::string& args) { return testing::RunSegmenta(args, false); }

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

TEST(CliTest, SegmentVerbsFromRunToForget) {
  testing::TempDir dir;
  std::string project = (dir / "shop").string();
  std::string c = "-C " + project + " ";
  ASSERT_EQ(Segmenta("init " + project + " --demo 1500 --seed 9").exit_code, 0);
  ASSERT_EQ(Segmenta(c + "ingest").exit_code, 0);
  EXPECT_EQ(Segmenta(c + "compare").exit_code, 1);  // no snapshot yet: a failure, explained
  CliRun first = Segmenta(c + "--json run --as-of 2026-06-01");
  ASSERT_EQ(first.exit_code, 0) << first.out;
  nlohmann::json run = nlohmann::json::parse(first.out);
  EXPECT_EQ(run["snapshot"], 1);
  EXPECT_EQ(run["segmentations"][0]["name"], "rfm");
  ASSERT_EQ(Segmenta(c + "run").exit_code, 0);

  nlohmann::json segments = nlohmann::json::parse(Segmenta(c + "--json segments").out);
  EXPECT_EQ(segments["snapshot"], 2);
  nlohmann::json compare = nlohmann::json::parse(Segmenta(c + "--json compare").out);
  EXPECT_EQ(compare["a"]["as_of"], "2026-06-01");
  EXPECT_EQ(compare["b"]["as_of"], "2026-11-01");
  EXPECT_FALSE(compare["segmentations"][0]["migrations"].empty());

  CliRun then = Segmenta(c + "--json members rfm Champions --at 2026-07-01");
  ASSERT_EQ(then.exit_code, 0) << then.out;
  EXPECT_GT(nlohmann::json::parse(then.out)["count"].get<int>(), 0);
  EXPECT_EQ(Segmenta(c + "members rfm Champs").exit_code, 1);  // NotFound, with a hint
  EXPECT_EQ(Segmenta(c + "members rfm Champions --at 2026-13-45").exit_code, 2);
  EXPECT_EQ(Segmenta(c + "segments --snapshot 99").exit_code, 1);
  ASSERT_EQ(Segmenta(c + "members rfm Champions --out champions.txt").exit_code, 0);
  EXPECT_FALSE(testing::ReadFile(dir / "shop/champions.txt").empty());

  nlohmann::json customer = nlohmann::json::parse(Segmenta(c + "--json customer C0000010").out);
  EXPECT_EQ(customer["customer_id"], "C0000010");
  // rfm, journey, audiences, 2 clusterings, value and churn tiers
  EXPECT_EQ(customer["segmentations"].size(), 7u);
  EXPECT_NE(Segmenta(c + "customer C0000010").out.find("p_alive"), std::string::npos);

  // The value models: fit, one customer's prediction, the holdout diagnostics.
  CliRun fit = Segmenta(c + "--json value fit");
  ASSERT_EQ(fit.exit_code, 0) << fit.out;
  nlohmann::json value = nlohmann::json::parse(fit.out)["value"];
  EXPECT_EQ(value["purchases"]["model"], "bgnbd");
  EXPECT_GT(value["purchases"]["params"]["r"].get<double>(), 0);
  EXPECT_GT(value["orders"]["params"]["p"].get<double>(), 0);
  nlohmann::json population = nlohmann::json::parse(fit.out)["population"];
  ASSERT_EQ(population.size(), 4u);  // 4, 13, 26, 52 weeks
  EXPECT_GT(population[3]["expected"].get<double>(), population[0]["expected"].get<double>());
  CliRun predicted = Segmenta(c + "--json value predict --customer C0000010");
  ASSERT_EQ(predicted.exit_code, 0) << predicted.out;
  nlohmann::json one = nlohmann::json::parse(predicted.out)["predictions"][0];
  EXPECT_GE(one["p_alive"].get<double>(), 0);
  EXPECT_LE(one["p_alive"].get<double>(), 1);
  CliRun diagnosed = Segmenta(c + "--json value diagnose --holdout-days 60");
  ASSERT_EQ(diagnosed.exit_code, 0) << diagnosed.out;
  nlohmann::json diagnostics = nlohmann::json::parse(diagnosed.out)["diagnostics"];
  EXPECT_FALSE(diagnostics["by_frequency"].empty());
  EXPECT_FALSE(diagnostics["tracking"].empty());
  EXPECT_EQ(Segmenta(c + "value fit --model nbd").exit_code, 2);  // names the models
  EXPECT_EQ(Segmenta(c + "show rfm Champions").exit_code, 0);
  // A cluster segmentation shows how k was chosen and every k's figures.
  CliRun model = Segmenta(c + "show behaviour");
  ASSERT_EQ(model.exit_code, 0) << model.out;
  EXPECT_NE(model.out.find("calinski-harabasz"), std::string::npos) << model.out;
  EXPECT_NE(model.out.find("matched to snapshot 1"), std::string::npos) << model.out;
  nlohmann::json cluster = nlohmann::json::parse(Segmenta(c + "--json show behaviour").out);
  EXPECT_EQ(cluster["model"]["k_search"].size(), 9u);
  EXPECT_EQ(Segmenta(c + "show behavior").exit_code, 1);  // NotFound, with a hint

  CliRun preview = Segmenta(c + "--json preview \"frequency >= 3\"");
  ASSERT_EQ(preview.exit_code, 0) << preview.out;
  EXPECT_GT(nlohmann::json::parse(preview.out)["customers"].get<int>(), 0);
  CliRun bad = Segmenta(c + "--json preview \"frequncy >= 3\"");
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(nlohmann::json::parse(bad.out)["error"].get<std::string>().find("^~~~"),
            std::string::npos);

  EXPECT_EQ(Segmenta(c + "report --out r.html").exit_code, 0);
  EXPECT_FALSE(testing::ReadFile(dir / "shop/r.html").empty());
  EXPECT_EQ(Segmenta(c + "forget C0000010").exit_code, 0);
  EXPECT_EQ(Segmenta(c + "customer C0000010").exit_code, 1);
  EXPECT_EQ(Segmenta(c + "forget C0000010").exit_code, 1);
}

TEST(CliTest, TokensAndAServerThatStopsCleanlyOnSigterm) {
  testing::TempDir dir;
  std::string project = (dir / "shop").string();
  ASSERT_EQ(Segmenta("init " + project + " --demo 300 --seed 3").exit_code, 0);
  ASSERT_EQ(Segmenta("-C " + project + " ingest").exit_code, 0);
  ASSERT_EQ(Segmenta("-C " + project + " run").exit_code, 0);
  EXPECT_EQ(Segmenta("-C " + project + " token create").exit_code, 2);  // no --role
  EXPECT_EQ(Segmenta("-C " + project + " token create --role root").exit_code, 2);
  CliRun made = Segmenta("-C " + project + " token create --role viewer --name t --json");
  ASSERT_EQ(made.exit_code, 0) << made.out;
  nlohmann::json token = nlohmann::json::parse(made.out);
  std::string secret = token["token"], id = token["token_id"];
  CliRun listed = Segmenta("-C " + project + " token list");
  EXPECT_NE(listed.out.find(id), std::string::npos);
  EXPECT_EQ(listed.out.find(secret), std::string::npos) << "only the hash is stored";

  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    execl(SEGMENTA_BINARY, SEGMENTA_BINARY, "-C", project.c_str(), "serve", "--port", "0", "--web",
          project.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string first;
  char c = 0;
  while (read(out[0], &c, 1) == 1 && c != '\n') first += c;
  ASSERT_EQ(first.rfind("Serving on http://127.0.0.1:", 0), 0u) << first;
  int port = std::stoi(first.substr(first.rfind(':') + 1));
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(client.Get("/v1/me", {{"Authorization", "Bearer " + secret}})->status, 200);
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; ++i) usleep(50000);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(out[0]);
  CliRun revoked = Segmenta("-C " + project + " token revoke " + id);
  EXPECT_EQ(revoked.exit_code, 0);
  EXPECT_NE(Segmenta("-C " + project + " token revoke nosuch").exit_code, 0);
}

}  // namespace
}  // namespace segmenta
