// The HTTP API end to end: a demo workspace behind a real server on a loopback port,
// called with a real HTTP client. Routes against docs/openapi.yaml both ways, tokens
// and roles, privacy, every write, and hostile input.
#include "segmenta/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "segmenta/segments.h"
#include "segmenta/tokens.h"
#include "store/database.h"
#include "testing.h"

namespace segmenta {
namespace {

using nlohmann::json;

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    DemoOptions demo;
    demo.customers = 2000;
    demo.seed = 5;
    ASSERT_TRUE(WriteDemoProject(demo, dir_->path() / "shop").ok());
    Result<Project> project = LoadProject(dir_->path() / "shop");
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    project_ = new Project(*project);
    Result<Workspace> ws = Workspace::Open(project_->workspace);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ASSERT_TRUE(Ingest(*project_, *ws, {}).ok());
    RunOptions earlier;
    earlier.as_of = "2026-08-01";
    ASSERT_TRUE(RunSegmentations(*project_, *ws, earlier).ok());
    ASSERT_TRUE(RunSegmentations(*project_, *ws, {}).ok());
    for (Role role : {Role::kAdmin, Role::kAnalyst, Role::kViewer}) {
      Result<NewToken> made = CreateToken(*ws, role, "test", 0, "test");
      ASSERT_TRUE(made.ok()) << made.status().ToString();
      (*tokens_)[role] = made->secret;
    }
    // A token that expired yesterday.
    Result<NewToken> aged = CreateToken(*ws, Role::kAdmin, "aged", 1, "test");
    ASSERT_TRUE(aged.ok());
    ASSERT_TRUE(ws->connection()
                    .Execute("UPDATE api_tokens SET expires_at = now() - INTERVAL 1 DAY WHERE "
                             "token_id = $1",
                             {aged->info.token_id})
                    .ok());
    expired_ = new std::string(aged->secret);
    web_ = new testing::TempDir();
    testing::WriteFile(web_->path() / "index.html", "<!doctype html><title>dashboard</title>");
    ServerOptions options;
    options.port = 0;
    options.web_dir = web_->path();
    options.max_body_bytes = 64 * 1024;
    options.read_timeout_seconds = 1;
    options.threads = 8;
    options.log = [](const std::string& line) {
      std::lock_guard lock(log_mutex_);
      log_->push_back(line);
    };
    server_ = new testing::TestServer(*project_, std::move(*ws), options);
    ASSERT_TRUE(server_->status().ok()) << server_->status().ToString();
    port_ = server_->port();
  }

  static void TearDownTestSuite() {
    delete server_;
    delete project_;
    delete web_;
    delete dir_;
  }

  static httplib::Headers Auth(Role role) {
    return {{"Authorization", "Bearer " + tokens_->at(role)}};
  }
  static httplib::Client Client() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(60, 0);
    return client;
  }
  static httplib::Result Get(const std::string& path, Role role) {
    return Client().Get(path, Auth(role));
  }
  static httplib::Result Post(const std::string& path, const std::string& body, Role role) {
    return Client().Post(path, Auth(role), body, "application/json");
  }
  static json Body(const httplib::Result& result) { return json::parse(result->body); }
  // The error code of an answer (asserting it is one).
  static std::string Code(const httplib::Result& result) {
    json body = json::parse(result->body, nullptr, false);
    EXPECT_TRUE(body.contains("error")) << result->body;
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
  static std::string AnyMember(const std::string& segmentation, const std::string& segment) {
    auto page =
        Get("/v1/segmentations/" + segmentation + "/segments/" + segment + "/members?limit=1",
            Role::kAnalyst);
    return Body(page)["customers"][0];
  }
  // Sends raw bytes and returns what the server answered (until it closed).
  static std::string Raw(const std::string& request) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    EXPECT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
    std::string answer;
    char buffer[4096];
    ssize_t got = 0;
    while ((got = recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, got);
    close(fd);
    return answer;
  }

  static inline testing::TempDir* dir_ = nullptr;
  static inline testing::TempDir* web_ = nullptr;
  static inline Project* project_ = nullptr;
  static inline testing::TestServer* server_ = nullptr;
  static inline int port_ = 0;
  static inline std::string* expired_ = nullptr;
  static inline auto* tokens_ = new std::map<Role, std::string>();
  static inline std::mutex log_mutex_;
  static inline auto* log_ = new std::vector<std::string>();
};

// (method, path) → x-role of every operation in docs/openapi.yaml.
std::map<std::pair<std::string, std::string>, std::string> SpecRoutes() {
  std::ifstream spec(std::string(SEGMENTA_SOURCE_DIR) + "/docs/openapi.yaml");
  std::map<std::pair<std::string, std::string>, std::string> routes;
  std::string line, path, method;
  std::regex path_line(R"(^  (/v1/\S*):\s*$)"),
      method_line(R"(^    (get|post|delete|put|patch):\s*$)"),
      role_line(R"(^      x-role:\s*(\w+)\s*$)");
  std::smatch match;
  while (std::getline(spec, line)) {
    if (std::regex_match(line, match, path_line)) path = match[1];
    if (std::regex_match(line, match, method_line)) {
      method = match[1];
      std::transform(method.begin(), method.end(), method.begin(), ::toupper);
      routes[{method, path}] = "";
    }
    if (std::regex_match(line, match, role_line)) routes[{method, path}] = match[1];
  }
  return routes;
}

TEST_F(ServerTest, EveryRouteIsInTheSpecAndEverySpecRouteIsServed) {
  auto spec = SpecRoutes();
  ASSERT_GT(spec.size(), 15u);
  std::set<std::pair<std::string, std::string>> served;
  for (const ApiRoute& route : ApiRoutes()) {
    served.insert({route.method, route.path});
    auto found = spec.find({route.method, route.path});
    ASSERT_NE(found, spec.end()) << route.method << " " << route.path << " is not in openapi.yaml";
    EXPECT_EQ(found->second, route.role) << route.method << " " << route.path << ": x-role";
  }
  for (const auto& [key, role] : spec) {
    EXPECT_TRUE(served.count(key)) << key.first << " " << key.second << " is in the spec only";
  }
}

TEST_F(ServerTest, TokensAndRoles) {
  EXPECT_EQ(Client().Get("/v1/health")->status, 200);
  EXPECT_EQ(Client().Get("/v1/version")->status, 200);
  auto none = Client().Get("/v1/segmentations");
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  EXPECT_EQ(Client().Get("/v1/me", {{"Authorization", "Bearer sgm_0000"}})->status, 401);
  EXPECT_EQ(Client().Get("/v1/me", {{"Authorization", "Basic abc"}})->status, 401);
  EXPECT_EQ(Body(Get("/v1/me", Role::kViewer))["role"], "viewer");
  EXPECT_EQ(Get("/v1/segmentations", Role::kViewer)->status, 200);
  std::string member = AnyMember("rfm", "Champions");
  EXPECT_EQ(Get("/v1/segmentations/rfm/segments/Champions/members", Role::kViewer)->status, 403);
  EXPECT_EQ(Code(Get("/v1/customers/" + member, Role::kViewer)), "forbidden");
  EXPECT_EQ(Get("/v1/customers/" + member, Role::kAnalyst)->status, 200);
  EXPECT_EQ(Client().Delete("/v1/customers/" + member, Auth(Role::kAnalyst))->status, 403);
  EXPECT_EQ(Post("/v1/runs", "{}", Role::kAnalyst)->status, 403);
  EXPECT_EQ(Get("/v1/tokens", Role::kAnalyst)->status, 403);

  // Created over the API, used, revoked: then refused.
  auto made = Post("/v1/tokens", R"({"role": "viewer", "name": "crm"})", Role::kAdmin);
  ASSERT_EQ(made->status, 201) << made->body;
  std::string secret = Body(made)["token"], id = Body(made)["token_id"];
  httplib::Headers headers = {{"Authorization", "Bearer " + secret}};
  EXPECT_EQ(Client().Get("/v1/me", headers)->status, 200);
  auto listed = Get("/v1/tokens", Role::kAdmin);
  EXPECT_EQ(listed->body.find(secret), std::string::npos) << "a secret in the list";
  EXPECT_NE(listed->body.find(id), std::string::npos);
  EXPECT_EQ(Client().Delete("/v1/tokens/" + id, Auth(Role::kAdmin))->status, 200);
  auto revoked = Client().Get("/v1/me", headers);
  EXPECT_EQ(revoked->status, 401);
  EXPECT_NE(revoked->body.find("revoked"), std::string::npos);
  EXPECT_EQ(Client().Delete("/v1/tokens/nosuchtoken", Auth(Role::kAdmin))->status, 404);
}

TEST_F(ServerTest, AnExpiredTokenIsRefused) {
  auto expired = Client().Get("/v1/me", {{"Authorization", "Bearer " + *expired_}});
  EXPECT_EQ(expired->status, 401);
  EXPECT_NE(expired->body.find("expired"), std::string::npos) << expired->body;
  auto made = Post("/v1/tokens", R"({"role": "viewer", "expires_days": 1})", Role::kAdmin);
  ASSERT_EQ(made->status, 201);
  EXPECT_EQ(
      Client()
          .Get("/v1/me", {{"Authorization", "Bearer " + Body(made)["token"].get<std::string>()}})
          ->status,
      200);
  auto never = Post("/v1/tokens", R"({"role": "viewer", "expires_days": 0})", Role::kAdmin);
  EXPECT_EQ(never->status, 400);
  EXPECT_EQ(Body(never)["error"]["field"], "expires_days");
  EXPECT_EQ(Body(Post("/v1/tokens", R"({"role": "root"})", Role::kAdmin))["error"]["field"],
            "role");
}

TEST_F(ServerTest, AggregatesAndPrivacy) {
  json overview = Body(Get("/v1/segmentations", Role::kViewer));
  EXPECT_EQ(overview["customers"], 2000);
  EXPECT_EQ(overview["snapshot"]["as_of"], "2026-11-01");
  for (const auto& segmentation : overview["segmentations"]) {
    for (const auto& segment : segmentation["segments"]) {
      if (segment["suppressed"]) {
        EXPECT_FALSE(segment.contains("customers")) << segment;
      } else {
        EXPECT_GE(segment["customers"].get<int64_t>(), 10) << segment;
      }
    }
  }
  json grid = Body(Get("/v1/segmentations/rfm/grid", Role::kViewer));
  EXPECT_EQ(grid["bins"], 5);
  for (const auto& cell : grid["cells"]) {
    EXPECT_EQ(cell.contains("customers"), !cell["suppressed"].get<bool>());
  }
  EXPECT_EQ(Code(Get("/v1/segmentations/journey/grid", Role::kViewer)), "not_rfm");
  json projection = Body(Get("/v1/segmentations/behaviour/projection", Role::kViewer));
  EXPECT_GT(projection["points"].size(), 100u);
  json profile = Body(Get("/v1/segmentations/rfm/segments/Champions", Role::kViewer));
  EXPECT_FALSE(profile["suppressed"]);
  EXPECT_TRUE(profile["profile"].contains("description"));
  auto unknown = Get("/v1/segmentations/rfn", Role::kViewer);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_NE(Body(unknown)["error"]["message"].get<std::string>().find("did you mean 'rfm'"),
            std::string::npos);
  // A rule that selects one customer: counted but not shown.
  std::string member = AnyMember("rfm", "Champions");
  std::string monetary =
      Body(Get("/v1/customers/" + member, Role::kAnalyst))["features"]["monetary"];
  double value = std::stod(monetary);
  std::string rule =
      "monetary between " + std::to_string(value - 0.001) + " and " + std::to_string(value + 0.001);
  json one = Body(Post("/v1/preview", json{{"rule", rule}}.dump(), Role::kAnalyst));
  EXPECT_TRUE(one["suppressed"]) << one;
  EXPECT_FALSE(one.contains("customers"));
  EXPECT_TRUE(one["sample"].empty());
  json many =
      Body(Post("/v1/preview", R"({"rule": "frequency >= 1", "sample": 3})", Role::kAnalyst));
  EXPECT_GT(many["customers"].get<int64_t>(), 100);
  EXPECT_EQ(many["sample"].size(), 3u);
  json viewer = Body(Post("/v1/preview", R"({"rule": "frequency >= 1"})", Role::kViewer));
  EXPECT_EQ(viewer["customers"], many["customers"]);
  EXPECT_TRUE(viewer["sample"].empty()) << "ids are for analysts";
  json compare = Body(Get("/v1/compare", Role::kViewer));
  EXPECT_EQ(compare["a"]["as_of"], "2026-08-01");
  EXPECT_EQ(Get("/v1/compare?a=1", Role::kViewer)->status, 400);
  auto report = Get("/v1/report", Role::kViewer);
  EXPECT_EQ(report->status, 200);
  EXPECT_NE(report->body.find("<svg"), std::string::npos);
}

TEST_F(ServerTest, MembersCustomersAndExports) {
  json page = Body(
      Get("/v1/segmentations/rfm/segments/Champions/members?limit=5&offset=2", Role::kAnalyst));
  EXPECT_EQ(page["customers"].size(), 5u);
  EXPECT_GT(page["total"].get<int64_t>(), 7);
  json then = Body(Get("/v1/segmentations/rfm/segments/Champions/members?at=2026-08-15&limit=1000",
                       Role::kAnalyst));
  EXPECT_EQ(then["at"], "2026-08-15");
  EXPECT_EQ(Get("/v1/segmentations/rfm/segments/Champions/members?limit=0", Role::kAnalyst)->status,
            400);
  EXPECT_EQ(
      Get("/v1/segmentations/rfm/segments/Champions/members?at=2026-02-30", Role::kAnalyst)->status,
      400);
  std::string id = page["customers"][0];
  json customer = Body(Get("/v1/customers/" + id, Role::kAnalyst));
  EXPECT_EQ(customer["customer_id"], id);
  EXPECT_FALSE(customer["segmentations"].empty());
  auto missing = Get("/v1/customers/NOPE", Role::kAnalyst);
  EXPECT_EQ(missing->status, 404);
  auto csv =
      Post("/v1/exports", R"({"segmentation": "rfm", "segment": "Champions"})", Role::kAnalyst);
  ASSERT_EQ(csv->status, 200);
  EXPECT_EQ(csv->get_header_value("Content-Type"), "text/csv");
  EXPECT_EQ(csv->body.rfind("customer_id,segmentation,segment,score\n", 0), 0u);
  // Log lines name routes, never customer ids or secrets.
  std::lock_guard lock(log_mutex_);
  ASSERT_FALSE(log_->empty());
  for (const std::string& line : *log_) {
    EXPECT_EQ(line.find(id), std::string::npos) << line;
    for (const auto& [role, secret] : *tokens_) EXPECT_EQ(line.find(secret), std::string::npos);
  }
}

TEST_F(ServerTest, HostileInputGetsA4xxAndTheServerKeepsServing) {
  auto malformed = Post("/v1/preview", R"({"rule": "frequency >= 1")", Role::kViewer);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_EQ(Code(malformed), "malformed_json");
  EXPECT_EQ(Code(Post("/v1/preview", R"(["frequency"])", Role::kViewer)), "invalid_body");
  auto unknown = Post("/v1/preview", R"({"rule": "frequency >= 1", "limit": 5})", Role::kViewer);
  EXPECT_EQ(unknown->status, 400);
  EXPECT_EQ(Body(unknown)["error"]["field"], "limit");
  EXPECT_EQ(Code(Post("/v1/preview", R"({"rule": 42})", Role::kViewer)), "invalid_field");
  auto big =
      Post("/v1/preview", json{{"rule", std::string(100 * 1024, 'x')}}.dump(), Role::kViewer);
  EXPECT_EQ(big->status, 413);
  EXPECT_EQ(Code(big), "too_large");
  for (std::string rule : {"frequency >= 1; DROP TABLE customers", "1=1 OR '' = ''--",
                           "frequency >= 1) UNION SELECT * FROM api_tokens --"}) {
    auto answer = Post("/v1/preview", json{{"rule", rule}}.dump(), Role::kViewer);
    EXPECT_EQ(answer->status, 400) << rule << " → " << answer->body;
    EXPECT_EQ(Code(answer), "invalid_rule");
  }
  // Quotes inside a string literal stay in the literal: a bound parameter, no injection.
  json quoted =
      Body(Post("/v1/preview", json{{"rule", "country = 'x'' OR 1=1 --'"}}.dump(), Role::kViewer));
  EXPECT_EQ(quoted["customers"], 0) << quoted;
  for (const char* path : {"/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
                           "/..%2f..%2fetc/passwd", "/assets/../../../etc/passwd"}) {
    std::string answer =
        Raw(std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(answer.rfind("HTTP/1.1 4", 0) == 0) << path << " → " << answer.substr(0, 80);
    EXPECT_EQ(answer.find("root:"), std::string::npos);
  }
  EXPECT_EQ(Client().Get("/")->status, 200);
  EXPECT_EQ(Code(Client().Get("/v1/nothing")), "not_found");
  std::string garbage = Raw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(garbage.empty() || garbage.rfind("HTTP/1.1 4", 0) == 0) << garbage;
  auto events = Post("/v1/events", R"({"events": [{"customer_id": "C1", "time": "2026-01-01",
                                       "type": "visit", "secret_field": 1}]})",
                     Role::kAdmin);
  EXPECT_EQ(Code(events), "unknown_field");
  EXPECT_EQ(Body(events)["error"]["field"], "events[0].secret_field");
  // A slow client is cut off after the read timeout while others are served.
  auto started = std::chrono::steady_clock::now();
  std::thread slow([] {
    std::string answer = Raw("GET /v1/health HTTP/1.1\r\nHost: x\r\n");  // never finishes
    EXPECT_TRUE(answer.empty() || answer.rfind("HTTP/1.1 4", 0) == 0) << answer;
  });
  EXPECT_EQ(Client().Get("/v1/health")->status, 200);
  slow.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_LT(seconds, 10) << "the slow client was not cut off";
  EXPECT_EQ(Get("/v1/segmentations", Role::kViewer)->status, 200);
}

TEST_F(ServerTest, EventsAreCheckedLikeIngestAndAppended) {
  std::string id = AnyMember("rfm", "Champions");
  json batch = {
      {"events",
       {{{"customer_id", id},
         {"time", "2026-11-02T10:00:00"},
         {"type", "purchase"},
         {"amount", 42.5},
         {"order_id", "API-1"}},
        {{"customer_id", id}, {"time", "not a time"}, {"type", "visit"}},
        {{"customer_id", id}, {"time", "2026-11-02"}, {"type", "purchase"}},
        {{"customer_id", "NOBODY"}, {"time", "2026-11-02"}, {"type", "visit"}},
        {{"customer_id", id}, {"time", "2026-11-03"}, {"type", "visit"}, {"amount", "lots"}}}}};
  auto answer = Post("/v1/events", batch.dump(), Role::kAdmin);
  ASSERT_EQ(answer->status, 200) << answer->body;
  json report = Body(answer);
  EXPECT_EQ(report["received"], 5);
  EXPECT_EQ(report["appended"].get<int64_t>() + report["rejected"].size(), 5u) << report;
  std::map<int, std::string> reasons;
  for (const auto& row : report["rejected"]) reasons[row["index"]] = row["reason"];
  EXPECT_EQ(reasons[1], "unparseable time") << report;
  EXPECT_EQ(reasons[2], "purchase without an amount") << report;
  EXPECT_EQ(reasons[3], "unknown customer") << report;
  EXPECT_TRUE(reasons[4].find("not a number") != std::string::npos) << report;
  EXPECT_EQ(report["appended"], 1);
  // No copy of the batch is left behind where erasure could not reach it.
  std::error_code error;
  EXPECT_TRUE(std::filesystem::is_empty(project_->workspace / "api", error)) << error.message();
  EXPECT_EQ(Post("/v1/events", R"({"events": "x"})", Role::kAdmin)->status, 400);
  EXPECT_EQ(Post("/v1/events", R"({"events": []})", Role::kAnalyst)->status, 403);
}

TEST_F(ServerTest, ARunOverHttpMakesANewSnapshotAndErasureIsComplete) {
  auto bad = Post("/v1/runs", R"({"as_of": "yesterday"})", Role::kAdmin);
  EXPECT_EQ(bad->status, 400);
  auto started = Post("/v1/runs", "", Role::kAdmin);
  ASSERT_EQ(started->status, 202) << started->body;
  int64_t run = Body(started)["run_id"];
  EXPECT_EQ(Post("/v1/runs", "", Role::kAdmin)->status, 409);
  json state;
  for (int i = 0; i < 600; ++i) {
    state = Body(Get("/v1/runs/" + std::to_string(run), Role::kViewer));
    if (state["state"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(state["state"], "succeeded") << state;
  EXPECT_EQ(state["snapshot_id"], 3);
  EXPECT_EQ(Body(Get("/v1/health", Role::kViewer))["snapshot"]["snapshot_id"], 3);
  EXPECT_EQ(Get("/v1/runs/99", Role::kViewer)->status, 404);

  std::string id = AnyMember("rfm", "Loyal");
  ASSERT_EQ(Get("/v1/customers/" + id, Role::kAnalyst)->status, 200);
  auto erased = Client().Delete("/v1/customers/" + id, Auth(Role::kAdmin));
  ASSERT_EQ(erased->status, 200) << erased->body;
  EXPECT_GT(Body(erased)["rows_removed"].get<int64_t>(), 0);
  EXPECT_EQ(Get("/v1/customers/" + id, Role::kAnalyst)->status, 404);
  EXPECT_EQ(Client().Delete("/v1/customers/" + id, Auth(Role::kAdmin))->status, 404);
  json members =
      Body(Get("/v1/segmentations/rfm/segments/Loyal/members?limit=1000", Role::kAnalyst));
  for (const auto& member : members["customers"]) EXPECT_NE(member, id);
}

}  // namespace
}  // namespace segmenta
