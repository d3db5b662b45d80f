// Issue 7's whole loop on the demo project, as an analyst would run it: two runs that
// send signed enter/exit webhooks to a real receiver, a hashed and consent-filtered
// audience export, an A/B test whose outcome events are ingested and analysed, and the
// KPIs with CAC and ROI — each checked against numbers computed here from the demo's
// own files, through the CLI, the API and the report.
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "core/crypto.h"
#include "segmenta/demo.h"
#include "segmenta/server.h"
#include "segmenta/tokens.h"
#include "testing.h"

namespace segmenta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSecret = "demo-signing-secret";

// Runs the CLI in `dir`; returns its exit code and stdout (stderr left out).
std::pair<int, std::string> Cli(const fs::path& dir, const std::string& args) {
  testing::CliRun run = testing::RunSegmenta("-C '" + dir.string() + "' " + args, false);
  return {run.exit_code, run.out};
}

std::vector<std::vector<std::string>> CsvRows(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string field; std::getline(split, field, ',');) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(std::move(fields));
  }
  return rows;
}

// Records every signed POST; refuses (401) a body whose signature does not verify.
struct Receiver {
  httplib::Server server;
  std::thread thread;
  std::mutex mutex;
  std::vector<json> batches;
  int bad_signatures = 0;
  int port = 0;

  Receiver() {
    server.Post("/hooks", [this](const httplib::Request& req, httplib::Response& res) {
      std::string header = req.get_header_value("Segmenta-Signature");
      size_t comma = header.find(",v1=");
      std::string t = header.substr(2, comma == std::string::npos ? 0 : comma - 2);
      std::string v1 = comma == std::string::npos ? "" : header.substr(comma + 4);
      std::lock_guard lock(mutex);
      if (header.rfind("t=", 0) != 0 || v1 != HmacSha256Hex(kSecret, t + "." + req.body)) {
        ++bad_signatures;
        res.status = 401;
        return;
      }
      batches.push_back(json::parse(req.body));
      res.status = 200;
    });
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
  }
  ~Receiver() {
    server.stop();
    thread.join();
  }
  // Customer ids entered (or exited) of one segment in one snapshot, over its batches.
  std::set<std::string> Ids(int64_t snapshot, const std::string& segment, const char* change) {
    std::lock_guard lock(mutex);
    std::set<std::string> ids;
    for (const json& batch : batches) {
      if (batch["snapshot_id"] != snapshot || batch["segment"] != segment) continue;
      for (const json& id : batch[change]) ids.insert(id.get<std::string>());
    }
    return ids;
  }
};

// Equal JSON, numbers to a relative 1e-9: sums of money may differ in their last bits
// between two computations (parallel floating-point addition).
void ExpectNear(const json& a, const json& b, const std::string& path = "") {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    EXPECT_LE(std::fabs(x - y), 1e-9 * std::max(1.0, std::fabs(x))) << path;
    return;
  }
  ASSERT_EQ(a.type(), b.type()) << path;
  if (a.is_structured()) {
    ASSERT_EQ(a.size(), b.size()) << path;
    for (auto it = a.begin(); it != a.end(); ++it) {
      std::string key = a.is_object() ? it.key() : std::to_string(std::distance(a.begin(), it));
      ExpectNear(*it, a.is_object() ? b.at(it.key()) : b.at(std::distance(a.begin(), it)),
                 path + "/" + key);
    }
    return;
  }
  EXPECT_EQ(a, b) << path;
}

std::set<std::string> Members(const fs::path& shop, const std::string& at) {
  auto [code, out] =
      Cli(shop, "--json members audiences Win-back" + (at.empty() ? "" : " --at " + at));
  EXPECT_EQ(code, 0) << out;
  json ids = json::parse(out)["customers"];
  return {ids.begin(), ids.end()};
}

// Customers with a purchase on [start, start + 14 days), from events files.
std::set<std::string> Converted(const std::vector<fs::path>& files) {
  std::set<std::string> ids;
  for (const fs::path& file : files) {
    for (const auto& row : CsvRows(file)) {
      if (row.size() < 3 || row[2] != "purchase") continue;
      std::string day = row[1].substr(0, 10);
      if (day >= "2026-08-01" && day < "2026-08-15") ids.insert(row[0]);
    }
  }
  return ids;
}

class ActivationDemoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DemoOptions demo;
    demo.customers = 3000;
    demo.seed = 42;
    ASSERT_TRUE(WriteDemoProject(demo, shop_).ok());
    std::ofstream toml(shop_ / "segmenta.toml", std::ios::app);
    toml << "\n[[webhook]]\nname = \"crm\"\nurl = \"http://127.0.0.1:" << receiver_.port
         << "/hooks\"\nsecret = \"" << kSecret
         << "\"\nsegments = [\"audiences/Win-back\", \"rfm/*\"]\nbatch_size = 100\n";
  }

  testing::TempDir dir_;
  fs::path shop_ = dir_.path() / "shop";
  Receiver receiver_;
};

TEST_F(ActivationDemoTest, ExportWebhooksExperimentAndKpisOnTheDemoProject) {
  ASSERT_EQ(Cli(shop_, "ingest").first, 0);
  auto first = Cli(shop_, "--json run --as-of 2026-08-01");
  ASSERT_EQ(first.first, 0) << first.second;
  auto second = Cli(shop_, "--json run");
  ASSERT_EQ(second.first, 0) << second.second;

  // Webhooks: every batch signed; the second run's batches say exactly who entered and
  // left Win-back between the two snapshots.
  EXPECT_EQ(receiver_.bad_signatures, 0);
  std::set<std::string> before = Members(shop_, "2026-08-01"), now = Members(shop_, "");
  std::set<std::string> entered, exited;
  std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                      std::inserter(entered, entered.end()));
  std::set_difference(before.begin(), before.end(), now.begin(), now.end(),
                      std::inserter(exited, exited.end()));
  ASSERT_FALSE(entered.empty());
  EXPECT_EQ(receiver_.Ids(1, "Win-back", "entered"), before);
  EXPECT_EQ(receiver_.Ids(2, "Win-back", "entered"), entered);
  EXPECT_EQ(receiver_.Ids(2, "Win-back", "exited"), exited);
  auto status = Cli(shop_, "--json webhooks status");
  EXPECT_EQ(json::parse(status.second)["webhooks"][0]["pending"], 0) << status.second;

  // A hashed, consent-filtered export: every row a member with consent, each email the
  // SHA-256 of the trimmed, lower-cased address in customers.csv.
  auto exported = Cli(shop_, "--json export audiences Win-back --hash-pii --out wb.csv");
  ASSERT_EQ(exported.first, 0) << exported.second;
  std::map<std::string, std::vector<std::string>> customers;
  for (auto& row : CsvRows(shop_ / "data" / "customers.csv")) customers[row[0]] = row;
  std::vector<std::vector<std::string>> rows = CsvRows(shop_ / "wb.csv");
  ASSERT_EQ(rows[0][4], "email_sha256");
  int64_t consenting = std::count_if(
      now.begin(), now.end(), [&](const std::string& id) { return customers[id][12] == "yes"; });
  EXPECT_EQ(static_cast<int64_t>(rows.size()) - 1, consenting);
  EXPECT_EQ(json::parse(exported.second)["left_out_no_consent"],
            static_cast<int64_t>(now.size()) - consenting);
  for (size_t row_idx = 1; row_idx < rows.size(); ++row_idx) {
    const std::vector<std::string>& customer = customers.at(rows[row_idx][0]);
    ASSERT_TRUE(now.count(rows[row_idx][0]));
    EXPECT_EQ(customer[12], "yes");
    std::string email = customer[1];
    std::transform(email.begin(), email.end(), email.begin(), ::tolower);
    EXPECT_EQ(rows[row_idx][4], Sha256Hex(email));
  }

  // An A/B test in Win-back from 2026-08-01; the campaign's outcome events (a purchase
  // for every third customer of B) are ingested as a source of their own.
  auto created = Cli(shop_,
                     "--json experiment create winback --segment audiences/Win-back --variants "
                     "A:45,B:45 --holdout 10 --goal 'purchase within 14d' --start 2026-08-01");
  ASSERT_EQ(created.first, 0) << created.second;
  std::map<std::string, std::set<std::string>> arms;
  for (const char* arm : {"A", "B", "holdout"}) {
    auto out = Cli(shop_, std::string("export --experiment winback --variant ") + arm +
                              " --include-no-consent --out " + arm + ".csv");
    ASSERT_EQ(out.first, 0) << out.second;
    for (auto& row : CsvRows(shop_ / (std::string(arm) + ".csv"))) {
      if (row[0] != "customer_id") arms[arm].insert(row[0]);
    }
  }
  EXPECT_EQ(arms["A"].size() + arms["B"].size() + arms["holdout"].size(), before.size());
  {
    std::ofstream outcomes(shop_ / "data" / "outcomes.csv");
    outcomes << "customer_id,ts,type,amount\n";
    int index = 0;
    for (const std::string& id : arms["B"]) {
      if (index++ % 3 == 0) outcomes << id << ",2026-08-05 12:00:00,purchase,40\n";
    }
    std::ofstream toml(shop_ / "segmenta.toml", std::ios::app);
    toml << "\n[sources.outcomes]\nfile = \"data/outcomes.csv\"\nkind = \"events\"\n"
            "customer = \"customer_id\"\ntime = \"ts\"\ntype_column = \"type\"\namount = "
            "\"amount\"\n";
  }
  ASSERT_EQ(Cli(shop_, "ingest --source outcomes").first, 0);
  auto analysis = Cli(shop_, "--json experiment analyze winback");
  ASSERT_EQ(analysis.first, 0) << analysis.second;
  std::set<std::string> converted =
      Converted({shop_ / "data" / "events.csv", shop_ / "data" / "outcomes.csv"});
  std::map<std::string, std::pair<double, double>> counts;  // arm → (customers, conversions)
  for (auto& [arm, ids] : arms) {
    double hits =
        std::count_if(ids.begin(), ids.end(), [&](auto& id) { return converted.count(id); });
    counts[arm] = {static_cast<double>(ids.size()), hits};
  }
  auto [n0, c0] = counts["holdout"];
  for (const json& arm : json::parse(analysis.second)["arms"]) {
    auto [n, c] = counts[arm["variant"].get<std::string>()];
    EXPECT_EQ(arm["customers"], n);
    EXPECT_EQ(arm["conversions"], c);
    if (arm["variant"] == "holdout") continue;
    double pooled = (c + c0) / (n + n0);
    double z = (c / n - c0 / n0) / std::sqrt(pooled * (1 - pooled) * (1 / n + 1 / n0));
    EXPECT_NEAR(arm["vs_holdout"]["z"].get<double>(), z, 1e-9);
    EXPECT_NEAR(arm["vs_holdout"]["p_value"].get<double>(), std::erfc(std::fabs(z) / std::sqrt(2)),
                1e-9);
  }
  EXPECT_EQ(json::parse(analysis.second)["arms"][1]["vs_holdout"]["verdict"], "better");

  // KPIs: spend on journey/new (prospecting ads) spread over the 90 days before
  // 2026-11-01 — 2026-08-03 .. 2026-10-31: 29 of August's 31 days, all of September and
  // October — gives its CAC.
  auto kpis = Cli(shop_, "--json kpis --segmentation journey");
  ASSERT_EQ(kpis.first, 0) << kpis.second;
  double month = 0;
  for (auto& row : CsvRows(shop_ / "data" / "spend.csv")) {
    if (row[0] == "prospecting_2026_09") month = std::stod(row[4]);
  }
  json latest = json::parse(kpis.second)["segmentations"][0]["snapshots"].back();
  for (const json& segment : latest["segments"]) {
    if (segment["segment"] != "new") continue;
    EXPECT_NEAR(segment["spend"].get<double>(), month * 29 / 31 + 2 * month, 1e-6);
    EXPECT_NEAR(segment["cac"].get<double>(),
                segment["spend"].get<double>() / segment["new_customers"].get<double>(), 1e-9);
    EXPECT_FALSE(segment["roi"].is_null());
  }

  // The same through the API (an analyst's token) and in the report.
  Result<Project> project = LoadProject(shop_);
  ASSERT_TRUE(project.ok());
  Result<Workspace> ws = Workspace::Open(project->workspace);
  ASSERT_TRUE(ws.ok());
  std::string token = CreateToken(*ws, Role::kAnalyst, "e2e", 0, "test")->secret;
  testing::TestServer server(*project, std::move(*ws));
  ASSERT_TRUE(server.status().ok()) << server.status().ToString();
  httplib::Client client("127.0.0.1", server.port());
  httplib::Headers auth = {{"Authorization", "Bearer " + token}};
  auto file =
      client.Post("/v1/exports", auth,
                  R"({"segmentation": "audiences", "segment": "Win-back", "hash_pii": true})",
                  "application/json");
  ASSERT_EQ(file->status, 200);
  EXPECT_EQ(file->body, testing::ReadFile(shop_ / "wb.csv"));
  ExpectNear(json::parse(client.Get("/v1/experiments/winback", auth)->body)["arms"],
             json::parse(analysis.second)["arms"]);
  ExpectNear(json::parse(client.Get("/v1/kpis?segmentation=journey", auth)->body)["segmentations"],
             json::parse(kpis.second)["segmentations"]);
  EXPECT_EQ(json::parse(client.Get("/v1/webhooks", auth)->body)["webhooks"][0]["pending"], 0);
  std::string report = client.Get("/v1/report", auth)->body;
  EXPECT_NE(report.find("KPIs"), std::string::npos);
  EXPECT_NE(report.find("prospecting_2026_10"), std::string::npos);
}

}  // namespace
}  // namespace segmenta
