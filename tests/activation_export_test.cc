// Audience exports end to end on a hand-made shop of ten customers (every expected row
// worked out below), through the library, the CLI (a killed export leaves no file under
// its name) and the API (a real server on a loopback port).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "segmenta/exports.h"
#include "segmenta/segments.h"
#include "segmenta/server.h"
#include "segmenta/tokens.h"
#include "store/database.h"
#include "testing.h"

namespace segmenta {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kProject = R"toml(
[sources.customers]
file = "customers.csv"
kind = "customers"
id = "customer_id"
attributes = { email = "contact:text", phone = "contact:text", full_name = "contact:text", opt_in = "consent:category", age = "demographic:number" }

[sources.orders]
file = "orders.csv"
kind = "events"
customer = "customer_id"
time = "ts"
type = "purchase"
amount = "amount"

[[segmentation]]
name = "tiers"
method = "rules"
rules = { "Big" = "monetary >= 100", "Small" = "monetary < 100" }

[privacy]
min_group_size = 3

[export]
phone_country = "40"
)toml";

// Big (monetary >= 100): C01-C06, of whom C05 ("no") and C06 (empty) have no consent.
// Small: C07-C10, of whom only C07 and C10 have consent: 2, under min_group_size 3.
constexpr const char* kCustomers =
    "customer_id,email,phone,full_name,opt_in,age\n"
    "C01,Test@Example.COM,+40 712-345-678,Jane Doe,yes,30\n"
    "C02,a@b.c,0040712345678,,Y,41\n"
    "C03,,0712 345 678,,granted,52\n"
    "C04,d@e.f,not a phone,,subscribed,23\n"
    "C05,x@y.z,,,no,60\n"
    "C06,,,,,33\n"
    "C07,g@h.i,,,yes,44\n"
    "C08,,,,no,45\n"
    "C09,,,,no,46\n"
    "C10,,,,opt-in,47\n";
constexpr const char* kOrders =
    "customer_id,ts,amount\n"
    "C01,2026-01-05,150\nC02,2026-01-06,200\nC03,2026-01-07,300\nC04,2026-01-08,120\n"
    "C05,2026-01-09,500\nC06,2026-01-10,110\nC07,2026-01-11,50\nC08,2026-01-12,40\n"
    "C09,2026-01-13,30\nC10,2026-01-14,20\n";

// SHA-256 hex of the normalised values, from Python's hashlib.
constexpr const char* kTestEmail =  // "test@example.com"
    "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";
constexpr const char* kAbcEmail =  // "a@b.c"
    "d648b243a3e817eaa3309e00e183483f2867baadf522099f0c2121770536b25a";
constexpr const char* kDefEmail =  // "d@e.f"
    "0641a330eb3ca18cdfb95447fd8d9a72b1134f1b24501d8b1f8f7dbb6a6aadd0";
constexpr const char* kPhone =  // "+40712345678"
    "cd7b11e308a59fd9ab810bce5faf83933e2b151e12ef93a5add3fcafb9e169cb";
constexpr const char* kJaneDoe =  // "Jane Doe"
    "01332c876518a793b7c1b8dfaf6d4b404ff5db09b21c6627ca59710cc24f696a";

// The customer-match layout of Big: ids, the segment (a rule's score is 1), every
// contact attribute hashed, in the project's order (the attributes table's: by name).
std::string BigHashedCsv() {
  auto row = [](const std::string& id, const std::string& email, const std::string& name,
                const std::string& phone) {
    return id + ",tiers,Big,1.0," + email + "," + name + "," + phone + "\n";
  };
  return "customer_id,segmentation,segment,score,email_sha256,full_name_sha256,phone_sha256\n" +
         row("C01", kTestEmail, kJaneDoe, kPhone) + row("C02", kAbcEmail, "", kPhone) +
         row("C03", "", "", kPhone) + row("C04", kDefEmail, "", "");
}

void WriteShop(const fs::path& dir) {
  testing::WriteFile(dir / "segmenta.toml", kProject);
  testing::WriteFile(dir / "customers.csv", kCustomers);
  testing::WriteFile(dir / "orders.csv", kOrders);
}

Result<Workspace> IngestAndRun(const Project& project) {
  SEG_ASSIGN_OR_RETURN(Workspace ws, Workspace::Open(project.workspace));
  SEG_ASSIGN_OR_RETURN(IngestReport ingested, Ingest(project, ws, {}));
  (void)ingested;
  SEG_ASSIGN_OR_RETURN(RunReport run, RunSegmentations(project, ws, {}));
  (void)run;
  return ws;
}

// Files in `dir` whose name holds ".tmp-": temporaries left behind.
int Temporaries(const fs::path& dir) {
  int found = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    found += entry.path().filename().string().find(".tmp-") != std::string::npos;
  }
  return found;
}

// One shop for the suite (ingested and run once); each test writes into its own folder.
class ExportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shop_ = new testing::TempDir();
    WriteShop(shop_->path());
    Result<Project> project = LoadProject(shop_->path());
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    suite_project_ = new Project(*project);
    Result<Workspace> ws = IngestAndRun(*suite_project_);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ws_ = new Workspace(std::move(*ws));
  }
  static void TearDownTestSuite() {
    delete ws_;
    delete suite_project_;
    delete shop_;
  }
  void SetUp() override {
    dir_ = shop_->path() / ::testing::UnitTest::GetInstance()->current_test_info()->name();
    fs::create_directories(dir_);
    project_ = *suite_project_;
  }

  static ExportRequest Segment(const std::string& segment) {
    ExportRequest request;
    request.audience = {"tiers", segment, "", ""};
    return request;
  }
  Result<ExportSummary> Export(const ExportRequest& request, const std::string& name) {
    return ExportAudience(project_, *ws_, request, dir_ / name);
  }
  static std::vector<ExportRecord> Audit() { return *ListExports(*ws_, 100); }

  static inline testing::TempDir* shop_ = nullptr;
  static inline Project* suite_project_ = nullptr;
  static inline Workspace* ws_ = nullptr;
  fs::path dir_;
  Project project_;  // this test's copy
};

TEST_F(ExportTest, HashedCustomerMatchLayoutLeavesOutCustomersWithoutConsent) {
  ExportRequest request = Segment("Big");
  request.hash_pii = true;
  Result<ExportSummary> summary = Export(request, "big.csv");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(testing::ReadFile(dir_ / "big.csv"), BigHashedCsv());
  EXPECT_EQ(summary->customers, 4);
  EXPECT_EQ(summary->left_out_no_consent, 2);
  EXPECT_EQ(summary->invalid_phones, 1);  // C04's "not a phone"
  EXPECT_EQ(summary->hashed, (std::vector<std::string>{"email", "full_name", "phone"}));
  EXPECT_TRUE(summary->plain_pii.empty());
  EXPECT_EQ(Temporaries(dir_), 0);
  std::vector<ExportRecord> audit = Audit();
  ASSERT_FALSE(audit.empty());
  EXPECT_EQ(audit[0].actor, "segmenta");
  EXPECT_EQ(audit[0].audience, "tiers/Big");
  EXPECT_EQ(audit[0].detail,
            "customers: 4; format: csv; columns: customer_id,segmentation,segment,score,"
            "email_sha256,full_name_sha256,phone_sha256; hashed: email,full_name,phone; left out "
            "without consent: 2; unreadable phones: 1");
}

TEST_F(ExportTest, NamedColumnsAttributesFeaturesAndPlainPii) {
  ExportRequest request = Segment("Big");
  request.columns = {"age", "email", "monetary", "customer_id", "age"};
  Result<ExportSummary> summary = Export(request, "big.csv");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(testing::ReadFile(dir_ / "big.csv"),
            "customer_id,segmentation,segment,score,age,email,monetary\n"
            "C01,tiers,Big,1.0,30.0,Test@Example.COM,150.0\n"
            "C02,tiers,Big,1.0,41.0,a@b.c,200.0\n"
            "C03,tiers,Big,1.0,52.0,,300.0\n"
            "C04,tiers,Big,1.0,23.0,d@e.f,120.0\n");
  EXPECT_EQ(summary->plain_pii, std::vector<std::string>{"email"});
  std::string detail = Audit().at(0).detail;
  EXPECT_NE(detail.find("plain PII: email"), std::string::npos) << detail;
  EXPECT_EQ(detail.find('@'), std::string::npos) << "PII in the audit: " << detail;
  EXPECT_EQ(detail.find("C0"), std::string::npos) << "an id in the audit: " << detail;

  request.columns = {"emial"};
  Result<ExportSummary> typo = Export(request, "typo.csv");
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("did you mean 'email'"), std::string::npos)
      << typo.status().message();
  Result<ExportSummary> segment = Export(Segment("Bgi"), "typo.csv");
  EXPECT_EQ(segment.status().code(), StatusCode::kNotFound);
  EXPECT_NE(segment.status().message().find("did you mean 'Big'"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir_ / "typo.csv"));
}

TEST_F(ExportTest, TooSmallAfterTheConsentFilterIsRefusedAndWritesNothing) {
  size_t audited = Audit().size();
  Result<ExportSummary> refused = Export(Segment("Small"), "small.csv");
  ASSERT_EQ(refused.status().code(), StatusCode::kDataError);
  EXPECT_EQ(refused.status().exit_code(), 3);
  const std::string& message = refused.status().message();
  EXPECT_NE(message.find("2 customers with marketing consent (2 more have none"), std::string::npos)
      << message;
  EXPECT_NE(message.find("privacy.min_group_size (3)"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dir_ / "small.csv"));
  EXPECT_EQ(Temporaries(dir_), 0);
  EXPECT_EQ(Audit().size(), audited);

  ExportRequest everyone = Segment("Small");
  everyone.include_no_consent = true;
  Result<ExportSummary> summary = Export(everyone, "small.csv");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->customers, 4);
  EXPECT_EQ(summary->left_out_no_consent, 0);
  EXPECT_EQ(summary->without_consent_included, 2);
  EXPECT_NE(Audit().at(0).detail.find("consent ignored: 2 without consent included"),
            std::string::npos);
}

TEST_F(ExportTest, WithoutAConsentAttributeTheUserMustChoose) {
  for (SourceConfig& source : project_.sources) {
    for (Attribute& attribute : source.attributes) {
      if (attribute.role == AttributeRole::kConsent) attribute.role = AttributeRole::kDemographic;
    }
  }
  Result<ExportSummary> refused = Export(Segment("Big"), "big.csv");
  ASSERT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("role consent"), std::string::npos);
  EXPECT_NE(refused.status().message().find("--include-no-consent"), std::string::npos);
  ExportRequest everyone = Segment("Big");
  everyone.include_no_consent = true;
  Result<ExportSummary> summary = Export(everyone, "big.csv");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->customers, 6);
  EXPECT_NE(Audit().at(0).detail.find("no consent attribute declared"), std::string::npos);
}

TEST_F(ExportTest, AnExperimentVariantIsAnAudience) {
  ASSERT_TRUE(ws_->connection()
                  .Execute("INSERT INTO experiment_assignments SELECT 'spring', customer_id, "
                           "CASE WHEN customer_id <= 'C05' THEN 'A' ELSE 'holdout' END, 0 "
                           "FROM customers")
                  .ok());
  ExportRequest request;
  request.audience = {"", "", "spring", "A"};
  request.columns = {"age"};
  request.format = ExportFormat::kJsonLines;
  Result<ExportSummary> summary = Export(request, "spring-a.jsonl");
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->customers, 4);  // C05 has no consent
  EXPECT_EQ(summary->left_out_no_consent, 1);
  EXPECT_EQ(testing::ReadFile(dir_ / "spring-a.jsonl"),
            "{\"customer_id\":\"C01\",\"experiment\":\"spring\",\"variant\":\"A\",\"age\":30.0}\n"
            "{\"customer_id\":\"C02\",\"experiment\":\"spring\",\"variant\":\"A\",\"age\":41.0}\n"
            "{\"customer_id\":\"C03\",\"experiment\":\"spring\",\"variant\":\"A\",\"age\":52.0}\n"
            "{\"customer_id\":\"C04\",\"experiment\":\"spring\",\"variant\":\"A\",\"age\":23.0}\n");
  EXPECT_EQ(Audit().at(0).audience, "experiment:spring/A");

  request.audience.variant = "holdot";
  Result<ExportSummary> typo = Export(request, "x.jsonl");
  EXPECT_EQ(typo.status().code(), StatusCode::kNotFound);
  EXPECT_NE(typo.status().message().find("did you mean 'holdout'"), std::string::npos);
  request.audience = {"tiers", "", "spring", "A"};
  EXPECT_EQ(Export(request, "x.jsonl").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(ExportTest, ParquetReadsBackAndAFileThereIsReplacedWhole) {
  testing::WriteFile(dir_ / "big.parquet", "an older file");
  ExportRequest request = Segment("Big");
  request.hash_pii = true;
  request.format = ExportFormatFor("big.parquet");
  ASSERT_EQ(request.format, ExportFormat::kParquet);
  ASSERT_TRUE(Export(request, "big.parquet").ok());
  Result<store::Rows> rows = ws_->connection().Query(
      "SELECT customer_id, email_sha256, phone_sha256 FROM read_parquet($1) ORDER BY 1",
      {(dir_ / "big.parquet").string()});
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ(store::ToText(rows->rows[0][1]), kTestEmail);
  EXPECT_EQ(store::ToText(rows->rows[2][2]), kPhone);
  EXPECT_TRUE(store::IsNull(rows->rows[3][2]));
  EXPECT_EQ(Temporaries(dir_), 0);
  EXPECT_EQ(ExportFormatFor("x.JSONL"), ExportFormat::kJsonLines);
  EXPECT_EQ(ExportFormatFor("x.txt"), ExportFormat::kCsv);
  EXPECT_EQ(ParseExportFormat("parquet").value(), ExportFormat::kParquet);
  EXPECT_NE(ParseExportFormat("parket").status().message().find("did you mean 'parquet'"),
            std::string::npos);
  EXPECT_EQ(Export(request, "no/such/dir/big.parquet").status().code(), StatusCode::kIoError);
}

// ------------------------------------------------------------------------ the CLI

using testing::CliRun;
CliRun Segmenta(const std::string& args) { return testing::RunSegmenta(args, true); }

TEST(ExportCliTest, SummaryJsonAndExitCodes) {
  testing::TempDir dir;
  WriteShop(dir.path());
  Result<Project> project = LoadProject(dir.path());
  ASSERT_TRUE(project.ok());
  ASSERT_TRUE(IngestAndRun(*project).ok());
  std::string shop = "-C " + dir.path().string() + " ";
  CliRun text = Segmenta(shop + "export tiers Big --out big.csv --hash-pii");
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_EQ(text.out,
            "Wrote 4 customers of tiers/Big to big.csv (csv); 2 left out without marketing "
            "consent; hashed: email, full_name, phone.\n"
            "1 phone numbers could not be read as E.164 and were left empty ([export] "
            "phone_country reads national numbers).\n");
  EXPECT_EQ(testing::ReadFile(dir / "big.csv"), BigHashedCsv());
  CliRun json_run = Segmenta(shop +
                             "--json export tiers Small --out small.jsonl --include-no-consent "
                             "--columns age,email");
  ASSERT_EQ(json_run.exit_code, 0) << json_run.out;
  json summary = json::parse(json_run.out);
  EXPECT_EQ(summary["file"], "small.jsonl");
  EXPECT_EQ(summary["format"], "jsonl");
  EXPECT_EQ(summary["customers"], 4);
  EXPECT_EQ(summary["left_out_no_consent"], 0);
  EXPECT_EQ(summary["include_no_consent"], true);
  EXPECT_EQ(summary["plain_pii"], json::array({"email"}));
  EXPECT_EQ(summary["columns"],
            json::array({"customer_id", "segmentation", "segment", "score", "age", "email"}));
  EXPECT_EQ(summary["hashed"], json::array());
  EXPECT_EQ(summary["invalid_phones"], 0);
  EXPECT_EQ(Segmenta(shop + "export tiers Small --out small.csv").exit_code, 3);
  EXPECT_FALSE(fs::exists(dir / "small.csv"));
  EXPECT_EQ(Segmenta(shop + "export tiers Big --out x.csv --columns emial").exit_code, 2);
  EXPECT_EQ(Segmenta(shop + "export tiers --out x.csv").exit_code, 2);
  EXPECT_EQ(Segmenta(shop + "export tiers Big --out x.csv --format xml").exit_code, 2);
  EXPECT_EQ(Segmenta(shop + "export tiers Big").exit_code, 2);  // --out is required
}

// 200,000 customers in one experiment variant, written by the CLI; killed while it
// writes, it leaves no file under the final name; run again, it finishes one.
TEST(ExportCliTest, AKilledExportLeavesNoFileUnderItsName) {
  testing::TempDir dir;
  WriteShop(dir.path());
  Result<Project> project = LoadProject(dir.path());
  ASSERT_TRUE(project.ok());
  {
    Result<Workspace> ws = IngestAndRun(*project);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ASSERT_TRUE(ws->connection()
                    .Execute("INSERT INTO customers (customer_id, _source, email, phone, opt_in) "
                             "SELECT 'M' || lpad(CAST(i AS VARCHAR), 7, '0'), 'test', "
                             "'Person' || i || '@Example.com', '0712 ' || (100000 + i), 'yes' "
                             "FROM range(200000) t(i); "
                             "INSERT INTO experiment_assignments SELECT 'launch', "
                             "'M' || lpad(CAST(i AS VARCHAR), 7, '0'), 'A', i % 100 "
                             "FROM range(200000) t(i)")
                    .ok());
  }  // the CLI opens the workspace itself
  fs::path target = dir / "launch.csv";
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(SEGMENTA_BINARY, SEGMENTA_BINARY, "-C", dir.path().c_str(), "export", "--experiment",
          "launch", "--variant", "A", "--out", "launch.csv", "--hash-pii",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait until the temporary file has bytes in it, then kill.
  bool writing = false;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  bool exited = false;
  while (!writing && !exited && std::chrono::steady_clock::now() < deadline) {
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      std::error_code error;
      writing = writing || (entry.path().filename().string().rfind(".launch.csv.tmp-", 0) == 0 &&
                            fs::file_size(entry.path(), error) > 0);
    }
    exited = !writing && waitpid(child, &status, WNOHANG) == child;
    if (!writing) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!exited) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
  }
  ASSERT_TRUE(writing) << "the export finished (or failed) before it was seen writing";
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_FALSE(fs::exists(target)) << "a killed export left a file under its name";

  CliRun finished = Segmenta("-C " + dir.path().string() +
                             " --json export --experiment launch --variant A --out launch.csv "
                             "--hash-pii");
  ASSERT_EQ(finished.exit_code, 0) << finished.out;
  EXPECT_EQ(json::parse(finished.out)["customers"], 200000);
  std::string csv = testing::ReadFile(target);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 200001);
  EXPECT_EQ(csv.rfind("customer_id,experiment,variant,email_sha256,full_name_sha256,"
                      "phone_sha256\n",
                      0),
            0u);
}

// ------------------------------------------------------------------------ the API

class ExportApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    WriteShop(dir_->path());
    Result<Project> project = LoadProject(dir_->path());
    ASSERT_TRUE(project.ok());
    Result<Workspace> ws = IngestAndRun(*project);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    for (Role role : {Role::kAnalyst, Role::kViewer}) {
      Result<NewToken> made = CreateToken(*ws, role, "test", 0, "test");
      ASSERT_TRUE(made.ok());
      (*tokens_)[role] = made->secret;
    }
    workspace_dir_ = new fs::path(project->workspace);
    ServerOptions options = testing::TestServer::Quiet();
    options.threads = 4;
    server_ = new testing::TestServer(*project, std::move(*ws), options);
    ASSERT_TRUE(server_->status().ok()) << server_->status().ToString();
    port_ = server_->port();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete workspace_dir_;
    delete dir_;
  }

  static httplib::Result Post(const std::string& body, Role role = Role::kAnalyst) {
    httplib::Client client("127.0.0.1", port_);
    return client.Post("/v1/exports", {{"Authorization", "Bearer " + tokens_->at(role)}}, body,
                       "application/json");
  }
  static httplib::Result Get(const std::string& path, Role role = Role::kAnalyst) {
    httplib::Client client("127.0.0.1", port_);
    return client.Get(path, {{"Authorization", "Bearer " + tokens_->at(role)}});
  }
  static json Error(const httplib::Result& result) {
    return json::parse(result->body, nullptr, false).value("error", json::object());
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline fs::path* workspace_dir_ = nullptr;
  static inline testing::TestServer* server_ = nullptr;
  static inline int port_ = 0;
  static inline auto* tokens_ = new std::map<Role, std::string>();
};

TEST_F(ExportApiTest, TheFileIsTheAnswerAndTheExportIsListed) {
  auto answer = Post(R"({"segmentation": "tiers", "segment": "Big", "hash_pii": true})");
  ASSERT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(answer->body, BigHashedCsv());
  EXPECT_EQ(answer->get_header_value("Content-Type"), "text/csv");
  EXPECT_EQ(answer->get_header_value("Content-Disposition"),
            "attachment; filename=\"tiers-Big.csv\"");
  EXPECT_EQ(answer->get_header_value("X-Segmenta-Customers"), "4");
  EXPECT_EQ(answer->get_header_value("X-Segmenta-Left-Out-No-Consent"), "2");
  auto lines = Post(R"({"segmentation": "tiers", "segment": "Small", "format": "jsonl",
                        "include_no_consent": true, "columns": ["age"]})");
  ASSERT_EQ(lines->status, 200) << lines->body;
  EXPECT_EQ(lines->get_header_value("Content-Type"), "application/x-ndjson");
  EXPECT_EQ(std::count(lines->body.begin(), lines->body.end(), '\n'), 4);
  EXPECT_EQ(json::parse(lines->body.substr(0, lines->body.find('\n')))["age"], 44.0);
  auto parquet = Post(R"({"segmentation": "tiers", "segment": "Big", "format": "parquet"})");
  ASSERT_EQ(parquet->status, 200);
  EXPECT_EQ(parquet->get_header_value("Content-Type"), "application/vnd.apache.parquet");
  EXPECT_EQ(parquet->body.rfind("PAR1", 0), 0u);
  // Nothing is left in the workspace: the files were read and removed.
  std::error_code error;
  EXPECT_TRUE(fs::is_empty(*workspace_dir_ / "tmp", error)) << error.message();

  json listed = json::parse(Get("/v1/exports?limit=2")->body);
  ASSERT_EQ(listed["exports"].size(), 2u);
  EXPECT_EQ(listed["exports"][0]["object"], "tiers/Big");
  EXPECT_EQ(listed["exports"][0]["actor"].get<std::string>().rfind("token:", 0), 0u);
  EXPECT_EQ(listed["exports"][1]["object"], "tiers/Small");
  EXPECT_NE(listed["exports"][1]["detail"].get<std::string>().find("customers: 4"),
            std::string::npos);
  EXPECT_EQ(Get("/v1/exports?limit=0")->status, 400);
}

TEST_F(ExportApiTest, RefusalsAndBadRequests) {
  auto small = Post(R"({"segmentation": "tiers", "segment": "Small"})");
  EXPECT_EQ(small->status, 422);
  EXPECT_EQ(Error(small)["code"], "too_small");
  auto unknown = Post(R"({"segmentation": "tiers", "segment": "Bgi"})");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(Error(unknown)["field"], "segment");
  EXPECT_NE(Error(unknown)["message"].get<std::string>().find("did you mean 'Big'"),
            std::string::npos);
  auto column = Post(R"({"segmentation": "tiers", "segment": "Big", "columns": ["emial"]})");
  EXPECT_EQ(column->status, 400);
  EXPECT_EQ(Error(column)["field"], "columns");
  EXPECT_NE(column->body.find("did you mean 'email'"), std::string::npos);
  EXPECT_EQ(Error(Post(R"({"segmentation": "tiers", "segment": "Big", "format": "xml"})"))["field"],
            "format");
  EXPECT_EQ(
      Error(Post(R"({"segmentation": "tiers", "segment": "Big", "columns": "age"})"))["field"],
      "columns");
  EXPECT_EQ(Error(Post(R"({"segmentation": "tiers", "segment": "Big", "hash_pii": 1})"))["field"],
            "hash_pii");
  EXPECT_EQ(Error(Post(R"({"segmentation": "tiers", "segment": "Big", "where": 1})"))["code"],
            "unknown_field");
  EXPECT_EQ(Post(R"({"segmentation": "tiers"})")->status, 400);
  EXPECT_EQ(Post(R"({"segmentation": "tiers", "segment": "Big", "experiment": "x"})")->status, 400);
  auto experiment = Post(R"({"experiment": "nope", "variant": "A"})");
  EXPECT_EQ(experiment->status, 404);
  EXPECT_EQ(Error(experiment)["field"], "experiment");
  EXPECT_EQ(Post(R"({"segmentation": "tiers", "segment": "Big"})", Role::kViewer)->status, 403);
  EXPECT_EQ(Get("/v1/exports", Role::kViewer)->status, 403);
}

}  // namespace
}  // namespace segmenta
