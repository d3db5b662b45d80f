// Webhooks against a real receiver on a loopback port that fails on purpose (500s, a
// stall past the timeout, a 400, being down), checks every signature with its own
// OpenSSL HMAC and records what arrives by Idempotency-Key. What arrives is compared with
// the entered/exited sets computed here from the snapshots' memberships.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "activate/webhook_plan.h"
#include "segmenta/ingest.h"
#include "segmenta/segments.h"
#include "segmenta/server.h"
#include "segmenta/tokens.h"
#include "segmenta/webhooks.h"
#include "store/database.h"
#include "testing.h"

namespace segmenta {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr const char* kSecretEnv = "SEGMENTA_TEST_WEBHOOK_SECRET";
constexpr const char* kCrmSecret = "crm-signing-secret-7f3a";
constexpr const char* kAdsSecret = "ads-inline-secret-91bc";

// The receiver's own check of "t=<t>,v1=<hex>": HMAC-SHA256(secret, "<t>.<body>").
bool SignatureValid(const std::string& secret, const std::string& header, const std::string& body) {
  size_t comma = header.find(",v1=");
  if (header.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  std::string t = header.substr(2, comma - 2), given = header.substr(comma + 4);
  long long sent = std::stoll(t);
  long long now = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  if (std::llabs(now - sent) > 300) return false;
  std::string message = t + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &size);
  std::string hex;
  char digits[3];
  for (unsigned int pos = 0; pos < size; ++pos) {
    std::snprintf(digits, sizeof digits, "%02x", mac[pos]);
    hex += digits;
  }
  return given == hex;
}

// A webhook receiver: /hooks/crm and /hooks/ads, each with its secret.
class Receiver {
 public:
  struct Hit {
    std::string path, key, body, signature;
    int answered = 0;  // the status answered; -1: stalled past the sender's timeout
    double at = 0;     // seconds since the receiver was made
  };
  // What to answer the `seen`-th request (1-based) for the `order`-th distinct key
  // (0-based); -1: stall past the sender's timeout, then 200.
  std::function<int(size_t order, int seen)> answer = [](size_t, int) { return 200; };

  int Start(int port = 0) {
    server_ = std::make_unique<httplib::Server>();
    for (const char* name : {"crm", "ads"}) {
      server_->Post(std::string("/hooks/") + name,
                    [this, name](const httplib::Request& req, httplib::Response& res) {
                      Handle(name, req, res);
                    });
    }
    if (port == 0) {
      port = server_->bind_to_any_port("127.0.0.1");
    } else {
      EXPECT_TRUE(server_->bind_to_port("127.0.0.1", port));
    }
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    return port;
  }
  void Stop() {
    if (!server_) return;
    server_->stop();
    thread_.join();
    server_.reset();
  }
  ~Receiver() { Stop(); }

  std::vector<Hit> hits() {
    std::lock_guard lock(mutex_);
    return hits_;
  }
  int rejected() {
    std::lock_guard lock(mutex_);
    return rejected_;
  }

 private:
  void Handle(const std::string& name, const httplib::Request& req, httplib::Response& res) {
    std::string secret = name == "crm" ? kCrmSecret : kAdsSecret;
    bool good = SignatureValid(secret, req.get_header_value("Segmenta-Signature"), req.body) &&
                req.get_header_value("Content-Type") == "application/json" &&
                req.get_header_value("User-Agent").rfind("segmenta/", 0) == 0 &&
                (name == "crm" || (req.get_header_value("Authorization") == "Basic dXNlcjpwdw==" &&
                                   req.get_param_value("src") == "segmenta"));
    std::string key = req.get_header_value("Idempotency-Key");
    std::unique_lock lock(mutex_);
    if (!good || key.empty()) {
      ++rejected_;
      res.status = 401;
      return;
    }
    if (!order_.count(key)) order_.emplace(key, order_.size());
    int seen = ++seen_[key];
    int status = answer(order_[key], seen);
    double at = std::chrono::duration<double>(Clock::now() - made_).count();
    hits_.push_back({name, key, req.body, req.get_header_value("Segmenta-Signature"), status, at});
    lock.unlock();
    if (status < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      status = 200;
    }
    res.status = status;
    res.set_content("{}", "application/json");
  }

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Hit> hits_;
  std::map<std::string, size_t> order_;
  std::map<std::string, int> seen_;
  int rejected_ = 0;
  Clock::time_point made_ = Clock::now();
};

// Who is in each (segmentation, segment) of a snapshot, straight from memberships.
using Members = std::map<std::pair<std::string, std::string>, std::set<std::string>>;
Members SnapshotMembers(Workspace& ws, int64_t snapshot_id) {
  Members members;
  Result<store::Rows> rows = ws.connection().Query(
      "SELECT segmentation, segment, customer_id FROM memberships WHERE snapshot_id = $1",
      {snapshot_id});
  EXPECT_TRUE(rows.ok());
  for (const auto& row : rows->rows) {
    members[{store::ToText(row[0]), store::ToText(row[1])}].insert(store::ToText(row[2]));
  }
  return members;
}

struct Changes {
  std::set<std::string> entered, exited;
  bool operator==(const Changes&) const = default;
};
using ChangeMap = std::map<std::pair<std::string, std::string>, Changes>;

// Expected: per segment (filtered), members of `now` not in `then`, and the reverse.
ChangeMap Expected(const Members& then, const Members& now, const std::string& only_segment) {
  ChangeMap changes;
  std::set<std::pair<std::string, std::string>> segments;
  for (const auto& [segment, ids] : then) segments.insert(segment);
  for (const auto& [segment, ids] : now) segments.insert(segment);
  for (const auto& segment : segments) {
    if (segment.first != "audiences") continue;
    if (!only_segment.empty() && segment.second != only_segment) continue;
    static const std::set<std::string> kNone;
    const auto& a = then.count(segment) ? then.at(segment) : kNone;
    const auto& b = now.count(segment) ? now.at(segment) : kNone;
    Changes change;
    for (const std::string& id : b) {
      if (!a.count(id)) change.entered.insert(id);
    }
    for (const std::string& id : a) {
      if (!b.count(id)) change.exited.insert(id);
    }
    if (!change.entered.empty() || !change.exited.empty()) changes[segment] = change;
  }
  return changes;
}

// What arrived for one webhook and snapshot, checking the batches' shape on the way:
// one body per key (byte-identical repeats), sorted lists, parts 1..n of batch_size,
// entered before exited, and no customer change in two batches.
ChangeMap Received(const std::vector<Receiver::Hit>& hits, const std::string& webhook,
                   int64_t snapshot_id, int batch_size) {
  std::map<std::string, std::string> body_by_key;
  for (const Receiver::Hit& hit : hits) {
    if (hit.path != webhook) continue;
    auto [it, fresh] = body_by_key.emplace(hit.key, hit.body);
    EXPECT_EQ(it->second, hit.body) << "a repeat of " << hit.key << " changed its bytes";
  }
  std::map<std::pair<std::string, std::string>, std::map<int, json>> parts;
  for (const auto& [key, text] : body_by_key) {
    json body = json::parse(text);
    EXPECT_EQ(body["id"], key);
    EXPECT_EQ(body["webhook"], webhook);
    if (body["snapshot_id"] != snapshot_id) continue;
    EXPECT_EQ(body.size(), 10u) << text;
    auto segment =
        std::make_pair(body["segmentation"].get<std::string>(), body["segment"].get<std::string>());
    EXPECT_TRUE(parts[segment].emplace(body["part"].get<int>(), body).second);
  }
  ChangeMap received;
  for (const auto& [segment, by_part] : parts) {
    std::vector<std::string> sequence;
    for (const auto& [part, body] : by_part) {
      EXPECT_EQ(body["parts"], by_part.size());
      size_t size = body["entered"].size() + body["exited"].size();
      EXPECT_TRUE(part == static_cast<int>(by_part.size())
                      ? size <= static_cast<size_t>(batch_size)
                      : size == static_cast<size_t>(batch_size));
      for (const auto& id : body["entered"]) sequence.push_back(id);
      for (const auto& id : body["exited"]) sequence.push_back(id);
      for (const auto& id : body["entered"]) received[segment].entered.insert(id);
      for (const auto& id : body["exited"]) received[segment].exited.insert(id);
    }
    Changes& change = received[segment];
    EXPECT_EQ(sequence.size(), change.entered.size() + change.exited.size()) << "a repeated id";
    std::vector<std::string> expected(change.entered.begin(), change.entered.end());
    expected.insert(expected.end(), change.exited.begin(), change.exited.end());
    EXPECT_EQ(sequence, expected) << "entered (sorted) then exited (sorted), across parts";
  }
  return received;
}

// 40 customers buying at staggered dates; rules that customers enter and leave.
void WriteOrders(const std::filesystem::path& file) {
  using namespace std::chrono;
  std::string csv = "customer,date,amount\n";
  for (int customer = 1; customer <= 40; ++customer) {
    sys_days day = sys_days{2025y / September / 1} + days{customer * 37 % 240};
    for (int purchase = 0; purchase < 1 + customer % 4; ++purchase) {
      year_month_day date{day + days{purchase * (10 + customer % 3 * 15)}};
      char line[64];
      std::snprintf(line, sizeof line, "c%02d,%04d-%02u-%02u,%d\n", customer,
                    static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                    static_cast<unsigned>(date.day()), 20 + customer * 3);
      csv += line;
    }
  }
  testing::WriteFile(file, csv);
}

std::string ProjectToml(int port, int crm_batch) {
  std::string base = "http://127.0.0.1:" + std::to_string(port);
  return R"toml(
[sources.orders]
file = "orders.csv"
kind = "events"
customer = "customer"
time = "date"
amount = "amount"
type = "purchase"

[[segmentation]]
name = "audiences"
method = "rules"
overlap = "all"
rules = { "Recent" = "recency_days <= 45", "Loyal" = "frequency >= 3", "Big" = "monetary >= 150" }

[[webhook]]
name = "crm"
url = ")toml" +
         base + R"toml(/hooks/crm"
secret_env = "SEGMENTA_TEST_WEBHOOK_SECRET"
segments = ["audiences/*"]
batch_size = )toml" +
         std::to_string(crm_batch) + R"toml(
timeout_seconds = 1
max_attempts = 4
backoff_seconds = 0.1

[[webhook]]
name = "ads"
url = "http://user:pw@127.0.0.1:)toml" +
         std::to_string(port) + R"toml(/hooks/ads?src=segmenta"
secret = "ads-inline-secret-91bc"
segments = ["audiences/Recent"]
timeout_seconds = 1
max_attempts = 3
backoff_seconds = 0.1
)toml";
}

class WebhooksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv(kSecretEnv, kCrmSecret, 1);
    port_ = receiver_.Start();
    WriteOrders(dir_ / "shop/orders.csv");
    testing::WriteFile(dir_ / "shop/segmenta.toml", ProjectToml(port_, 7));
    Result<Project> project = LoadProject(dir_ / "shop");
    ASSERT_TRUE(project.ok()) << project.status().ToString();
    project_ = *project;
    Result<Workspace> ws = Workspace::Open(project_.workspace);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    workspace_ = std::make_unique<Workspace>(std::move(*ws));
    Result<IngestReport> ingested = Ingest(project_, *workspace_, {});
    ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  }

  int64_t Run(const std::string& as_of) {
    RunOptions options;
    options.as_of = as_of;
    Result<RunReport> run = RunSegmentations(project_, *workspace_, options);
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? run->snapshot_id : 0;
  }
  DeliveryReport Deliver(const DeliveryOptions& options = {}) {
    Result<DeliveryReport> report = DeliverWebhooks(project_, *workspace_, options);
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : DeliveryReport{};
  }
  int64_t Count(const std::string& sql) { return *workspace_->connection().QueryInt(sql); }
  // Every text the webhook tables and the audit hold, for looking for secrets.
  std::string AllText() {
    std::string text;
    for (const char* table : {"webhook_batches", "webhook_attempts", "webhook_plans", "audit"}) {
      Result<store::Rows> rows =
          workspace_->connection().Query(std::string("SELECT * FROM ") + table);
      EXPECT_TRUE(rows.ok());
      for (const auto& row : rows->rows) {
        for (const auto& value : row) text += store::ToText(value) + "\n";
      }
    }
    return text;
  }
  // Both webhooks received exactly the changes from snapshot `then` (0: none) to `now`.
  void ExpectEverythingArrived(int64_t then, int64_t now) {
    Members before = then ? SnapshotMembers(*workspace_, then) : Members{};
    Members after = SnapshotMembers(*workspace_, now);
    std::vector<Receiver::Hit> hits = receiver_.hits();
    std::map<std::string, bool> answered_2xx;
    for (const Receiver::Hit& hit : hits) answered_2xx[hit.key] |= hit.answered == 200;
    for (const auto& [key, ok] : answered_2xx) EXPECT_TRUE(ok) << key << " never got a 2xx";
    ChangeMap crm = Expected(before, after, "");
    EXPECT_FALSE(crm.empty());
    EXPECT_EQ(Received(hits, "crm", now, 7), crm) << "snapshot " << now;
    EXPECT_EQ(Received(hits, "ads", now, 500), Expected(before, after, "Recent"))
        << "snapshot " << now;
  }

  testing::TempDir dir_;
  Receiver receiver_;
  int port_ = 0;
  Project project_;
  std::unique_ptr<Workspace> workspace_;
};

TEST_F(WebhooksTest, FlakyReceiverGetsEveryChangeOnceByKey) {
  // By the order keys first arrive: 500 twice; a stall past the 1 s timeout (twice in
  // all); a 400 on the first round only; otherwise 200.
  receiver_.answer = [](size_t order, int seen) {
    if (order % 5 == 1) return seen <= 2 ? 500 : 200;
    if (order % 5 == 2 && order < 10) return seen == 1 ? -1 : 200;
    if (order % 5 == 3) return seen == 1 ? 400 : 200;
    return 200;
  };
  int64_t first = Run("2026-03-01");
  DeliveryReport round = Deliver();
  ASSERT_EQ(round.webhooks.size(), 2u);
  int64_t refused = 0;
  for (const Receiver::Hit& hit : receiver_.hits()) refused += hit.answered == 400;
  EXPECT_GT(refused, 0);
  EXPECT_EQ(round.undelivered(), refused);  // a 400 stops that batch's round, not the others
  EXPECT_GT(round.delivered(), 5);
  EXPECT_EQ(round.webhooks[0].planned + round.webhooks[1].planned,
            Count("SELECT count(*) FROM webhook_batches"));

  // Every attempt is logged: 500, 500, 200; a timeout then 200; a 400.
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_attempts"),
            static_cast<int64_t>(receiver_.hits().size()));
  EXPECT_GT(Count("SELECT count(*) FROM webhook_batches WHERE attempts = 3 AND status = "
                  "'delivered' AND batch_id IN (SELECT batch_id FROM webhook_attempts WHERE "
                  "attempt = 2 AND http_status = 500)"),
            0);
  int64_t stalled = 0;
  for (const Receiver::Hit& hit : receiver_.hits()) stalled += hit.answered < 0;
  EXPECT_GT(stalled, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_attempts WHERE http_status IS NULL AND error "
                  "LIKE 'no answer within 1 s%'"),
            stalled);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_batches WHERE status = 'failed' AND last_error "
                  "LIKE 'HTTP 400%'"),
            refused);
  // Back-off: 0.1 s after the first failure, 0.2 s after the second.
  std::map<std::string, std::vector<double>> times;
  for (const Receiver::Hit& hit : receiver_.hits()) times[hit.key].push_back(hit.at);
  int checked = 0;
  for (const auto& [key, at] : times) {
    if (at.size() != 3) continue;
    EXPECT_GE(at[1] - at[0], 0.09) << key;
    EXPECT_GE(at[2] - at[1], 0.19) << key;
    EXPECT_LT(at[2] - at[1], 1.5) << key;
    ++checked;
  }
  EXPECT_GT(checked, 0);

  // The next round resends the refused batches; then everything has arrived.
  DeliveryReport retry = Deliver();
  EXPECT_EQ(retry.delivered(), refused);
  EXPECT_EQ(retry.undelivered(), 0);
  EXPECT_EQ(retry.webhooks[0].planned + retry.webhooks[1].planned, 0);
  ExpectEverythingArrived(0, first);  // the first snapshot: everyone entered
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_batch_members"), 0);
  EXPECT_EQ(receiver_.rejected(), 0);
}

TEST_F(WebhooksTest, BatchesWaitWhileTheReceiverIsDownAndRetryDeliversThem) {
  int64_t first = Run("2026-03-01");
  EXPECT_EQ(Deliver().undelivered(), 0);
  receiver_.Stop();
  int64_t second = Run("2026-06-01");
  auto started = Clock::now();
  DeliveryReport down = Deliver();
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  ASSERT_EQ(down.webhooks.size(), 2u);
  EXPECT_EQ(down.delivered(), 0);
  const WebhookDelivery& crm = down.webhooks[0];
  EXPECT_GT(crm.undelivered, 1);
  const WebhookDelivery& ads = down.webhooks[1];
  ASSERT_GT(ads.undelivered, 0);
  // The round stops at the first batch once its retries ran out: 4 then 3 attempts.
  EXPECT_EQ(crm.attempts, 4);
  EXPECT_EQ(ads.attempts, 3);
  EXPECT_NE(crm.error.find("could not connect"), std::string::npos) << crm.error;
  EXPECT_GE(seconds, 0.1 + 0.2 + 0.4 + 0.1 + 0.2 - 0.05);  // the back-off of both
  Result<store::Rows> gaps = workspace_->connection().Query(
      "SELECT attempt, epoch_ms(attempted_at) - epoch_ms(lag(attempted_at) OVER (ORDER BY "
      "attempt)) FROM webhook_attempts a JOIN webhook_batches b USING (batch_id) WHERE "
      "b.webhook = 'crm' AND b.snapshot_id = $1 ORDER BY attempt",
      {second});
  ASSERT_TRUE(gaps.ok());
  ASSERT_EQ(gaps->size(), 4u);
  for (size_t row = 1; row < 4; ++row) {
    EXPECT_GE(store::ToDouble(gaps->rows[row][1]), 100.0 * (1 << (row - 1)) - 5) << row;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_batches WHERE status = 'pending'"),
            crm.undelivered - 1 + ads.undelivered - 1);
  // Undelivered batches keep their customers; delivered ones only their counts.
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_batch_members"),
            Count("SELECT sum(entered + exited) FROM webhook_batches WHERE status <> "
                  "'delivered'"));
  Result<std::vector<WebhookStatus>> status = WebhookStatuses(project_, *workspace_);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)[0].pending + (*status)[0].failed, crm.undelivered);
  EXPECT_NE((*status)[0].last_error.find("could not connect"), std::string::npos);
  EXPECT_FALSE((*status)[0].last_attempt_at.empty());
  EXPECT_EQ((*status)[1].url, "http://127.0.0.1:" + std::to_string(port_) + "/hooks/ads");

  // Up again: a retry sends everything, in order; a third snapshot taken without a
  // delivery round (a crash after its commit) is planned by the next round.
  receiver_.Start(port_);
  DeliveryReport retry = Deliver({"", "test"});
  EXPECT_EQ(retry.undelivered(), 0);
  EXPECT_EQ(retry.delivered(), crm.undelivered + ads.undelivered);
  int64_t third = Run("2026-07-15");
  DeliveryReport repaired = Deliver();
  EXPECT_GT(repaired.webhooks[0].planned, 0);
  EXPECT_EQ(repaired.undelivered(), 0);
  ExpectEverythingArrived(0, first);
  ExpectEverythingArrived(first, second);
  ExpectEverythingArrived(second, third);
  // Planning is idempotent: nothing new to plan or send.
  size_t hits = receiver_.hits().size();
  DeliveryReport again = Deliver();
  EXPECT_EQ(again.webhooks[0].planned + again.webhooks[1].planned, 0);
  EXPECT_EQ(receiver_.hits().size(), hits);
  Result<int64_t> replanned = activate::PlanWebhook(project_.webhooks[0], *workspace_);
  EXPECT_EQ(*replanned, 0);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_plans WHERE webhook = 'crm'"), 3);
  EXPECT_EQ(Count("SELECT count(*) FROM webhook_batch_members"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM audit WHERE action = 'webhooks retry' AND detail = "
                  "'delivered " +
                  std::to_string(retry.delivered()) + ", undelivered 0'"),
            1);
  // No secret is ever stored, nor the URL's password.
  std::string text = AllText();
  for (std::string_view secret : {kCrmSecret, kAdsSecret, ":pw@"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }
}

TEST_F(WebhooksTest, MissingSecretVariableKeepsBatchesWithTheReason) {
  unsetenv(kSecretEnv);
  Run("2026-03-01");
  DeliveryReport report = Deliver();
  EXPECT_GT(report.webhooks[0].undelivered, 0);
  EXPECT_EQ(report.webhooks[0].attempts, 0);
  EXPECT_NE(report.webhooks[0].error.find(kSecretEnv), std::string::npos);
  EXPECT_EQ(report.webhooks[1].undelivered, 0);  // one webhook failing does not stop the other
  Result<std::vector<WebhookStatus>> status = WebhookStatuses(project_, *workspace_);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ((*status)[0].failed, report.webhooks[0].undelivered);
  EXPECT_NE((*status)[0].last_error.find(kSecretEnv), std::string::npos);
  EXPECT_TRUE((*status)[0].warnings.empty());
  setenv(kSecretEnv, kCrmSecret, 1);
  EXPECT_EQ(Deliver({"crm", ""}).undelivered(), 0);
  // A pattern with a typo matches nothing: the status says so.
  project_.webhooks[1].segments = {"audiences/Recnt", "audiences/Loyal"};
  status = WebhookStatuses(project_, *workspace_);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ((*status)[1].warnings.size(), 1u);
  EXPECT_NE((*status)[1].warnings[0].find("did you mean 'audiences/Recent'"), std::string::npos)
      << (*status)[1].warnings[0];
  Result<DeliveryReport> typo = DeliverWebhooks(project_, *workspace_, {"crn", ""});
  EXPECT_EQ(typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(typo.status().message().find("did you mean 'crm'"), std::string::npos);
}

TEST_F(WebhooksTest, PythonReceiverSnippetVerifiesTheSignature) {
  Run("2026-03-01");
  ASSERT_EQ(Deliver().undelivered(), 0);
  Receiver::Hit hit = receiver_.hits().at(0);
  // The guide's snippet (docs/guide.md, "Webhooks"), run by Debian's python3.
  testing::WriteFile(dir_ / "verify.py", R"py(
import hashlib, hmac, sys, time

def verify(secret: bytes, header: str, body: bytes, tolerance: int = 300) -> bool:
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret, fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - int(fields["t"])) <= tolerance
    return fresh and hmac.compare_digest(expected, fields["v1"])

body = open(sys.argv[3], "rb").read()
print("ok" if verify(sys.argv[1].encode(), sys.argv[2], body) else "bad")
)py");
  testing::WriteFile(dir_ / "body.json", hit.body);
  testing::WriteFile(dir_ / "tampered.json", hit.body + " ");
  const std::string& header = hit.signature;
  auto verify = [&](const std::string& secret, const std::string& file) {
    std::string command = "/usr/bin/python3 " + (dir_ / "verify.py").string() + " '" + secret +
                          "' '" + header + "' " + (dir_ / file).string();
    FILE* pipe = popen(command.c_str(), "r");
    char buffer[16] = {};
    size_t read = fread(buffer, 1, sizeof buffer - 1, pipe);
    pclose(pipe);
    return std::string(buffer, read);
  };
  EXPECT_EQ(verify(hit.path == "crm" ? kCrmSecret : kAdsSecret, "body.json"), "ok\n");
  EXPECT_EQ(verify(hit.path == "crm" ? kCrmSecret : kAdsSecret, "tampered.json"), "bad\n");
  EXPECT_EQ(verify("wrong", "body.json"), "bad\n");
}

struct CliRun {
  int exit_code = -1;
  std::string out, err;
};

CliRun Segmenta(const std::filesystem::path& project, const std::string& args) {
  std::filesystem::path err = project / "stderr.txt";
  std::string command =
      std::string(SEGMENTA_BINARY) + " -C " + project.string() + " " + args + " 2>" + err.string();
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  char buffer[4096];
  size_t read = 0;
  while ((read = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, read);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.err = testing::ReadFile(err);
  return run;
}

TEST_F(WebhooksTest, CliRunSendsAndRetryExitsOneWhileBatchesWait) {
  workspace_.reset();  // the CLI opens the workspace itself
  std::filesystem::path shop = dir_ / "shop";
  receiver_.Stop();
  CliRun first = Segmenta(shop, "--json run --as-of 2026-03-01");
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;  // the snapshot is written
  json sent = json::parse(first.out)["webhooks"];
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["webhook"], "crm");
  EXPECT_GT(sent[0]["undelivered"].get<int>(), 0);
  EXPECT_EQ(sent[0]["attempts"], 4);
  EXPECT_NE(sent[0]["error"].get<std::string>().find("could not connect"), std::string::npos);
  CliRun second = Segmenta(shop, "run --as-of 2026-06-01");
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_NE(second.out.find("crm: 0 batches delivered"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("segmenta webhooks retry"), std::string::npos) << second.out;

  CliRun status = Segmenta(shop, "--json webhooks status");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  json crm = json::parse(status.out)["webhooks"][0];
  EXPECT_GT(crm["pending"].get<int>() + crm["failed"].get<int>(), 0);
  EXPECT_EQ(crm["delivered"], 0);
  EXPECT_NE(crm["last_error"].get<std::string>().find("could not connect"), std::string::npos);
  EXPECT_EQ(json::parse(status.out)["webhooks"][1]["url"],
            "http://127.0.0.1:" + std::to_string(port_) + "/hooks/ads");
  CliRun waiting = Segmenta(shop, "webhooks retry");
  EXPECT_EQ(waiting.exit_code, 1);
  EXPECT_NE(waiting.err.find("still undelivered"), std::string::npos) << waiting.err;
  EXPECT_EQ(Segmenta(shop, "webhooks status").out.find(":pw@"), std::string::npos);

  receiver_.Start(port_);
  CliRun typo = Segmenta(shop, "webhooks retry --webhook crn");
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean 'crm'"), std::string::npos) << typo.err;
  CliRun only_crm = Segmenta(shop, "--json webhooks retry --webhook crm");
  EXPECT_EQ(only_crm.exit_code, 0) << only_crm.out;
  EXPECT_EQ(json::parse(only_crm.out)["webhooks"].size(), 1u);
  CliRun rest = Segmenta(shop, "webhooks retry");
  EXPECT_EQ(rest.exit_code, 0) << rest.out << rest.err;
  EXPECT_NE(rest.out.find("ads: "), std::string::npos) << rest.out;

  Result<Workspace> ws = Workspace::Open(project_.workspace);
  ASSERT_TRUE(ws.ok());
  workspace_ = std::make_unique<Workspace>(std::move(*ws));
  ExpectEverythingArrived(0, 1);
  ExpectEverythingArrived(1, 2);
}

TEST_F(WebhooksTest, ApiShowsBatchesRetriesAndRunJobsDeliver) {
  project_.webhooks[0].batch_size = 500;  // counts big enough to show
  std::map<Role, std::string> tokens;
  for (Role role : {Role::kAdmin, Role::kAnalyst, Role::kViewer}) {
    Result<NewToken> made = CreateToken(*workspace_, role, "test", 0, "test");
    ASSERT_TRUE(made.ok());
    tokens[role] = made->secret;
  }
  testing::TestServer server(project_, std::move(*workspace_));
  ASSERT_TRUE(server.status().ok()) << server.status().ToString();
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(60, 0);
  auto auth = [&](Role role) {
    return httplib::Headers{{"Authorization", "Bearer " + tokens[role]}};
  };
  auto run = [&](const std::string& as_of, int64_t id) {
    auto started = client.Post("/v1/runs", auth(Role::kAdmin), R"({"as_of": ")" + as_of + "\"}",
                               "application/json");
    ASSERT_EQ(started->status, 202) << started->body;
    json job;
    for (int tries = 0; tries < 600; ++tries) {
      job = json::parse(client.Get("/v1/runs/" + std::to_string(id), auth(Role::kAdmin))->body);
      if (job["state"] != "running") break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(job["state"], "succeeded") << job.dump();
  };

  run("2026-03-01", 1);
  auto listed = client.Get("/v1/webhooks", auth(Role::kAnalyst));
  ASSERT_EQ(listed->status, 200) << listed->body;
  json body = json::parse(listed->body);
  EXPECT_GT(body["webhooks"][0]["delivered"].get<int>(), 0);
  EXPECT_EQ(body["webhooks"][0]["pending"], 0);
  EXPECT_EQ(body["webhooks"][1]["url"], "http://127.0.0.1:" + std::to_string(port_) + "/hooks/ads");
  EXPECT_EQ(client.Get("/v1/webhooks", auth(Role::kViewer))->status, 403);

  receiver_.Stop();
  run("2026-06-01", 2);  // the run succeeds though its receiver is down
  body = json::parse(client.Get("/v1/webhooks?limit=100", auth(Role::kAnalyst))->body);
  EXPECT_GT(body["webhooks"][0]["pending"].get<int>() + body["webhooks"][0]["failed"].get<int>(),
            0);
  EXPECT_NE(body["webhooks"][0]["last_error"].get<std::string>().find("could not connect"),
            std::string::npos);
  int shown = 0, hidden = 0;
  for (const json& batch : body["recent"]) {
    EXPECT_EQ(batch.size(), 13u) << batch.dump();
    bool suppressed = batch["suppressed"];
    for (const char* count : {"entered", "exited"}) {
      if (batch[count].is_null()) continue;
      int n = batch[count];
      EXPECT_TRUE(n == 0 || n >= 10) << batch.dump();  // privacy.min_group_size
    }
    (suppressed ? hidden : shown) += 1;
  }
  EXPECT_GT(shown, 0);
  EXPECT_GT(hidden, 0);
  EXPECT_EQ(client.Get("/v1/webhooks?limit=0", auth(Role::kAnalyst))->status, 400);

  auto retry = [&](Role role, const std::string& request) {
    return client.Post("/v1/webhooks/retry", auth(role), request, "application/json");
  };
  EXPECT_EQ(retry(Role::kAnalyst, "{}")->status, 403);
  auto typo = retry(Role::kAdmin, R"({"webhook": "crn"})");
  EXPECT_EQ(typo->status, 400);
  EXPECT_NE(typo->body.find("did you mean 'crm'"), std::string::npos) << typo->body;
  EXPECT_EQ(retry(Role::kAdmin, R"({"hook": "crm"})")->status, 400);
  json down = json::parse(retry(Role::kAdmin, "")->body);
  EXPECT_EQ(down["delivered"], 0);
  EXPECT_GT(down["undelivered"].get<int>(), 0);
  receiver_.Start(port_);
  auto up = retry(Role::kAdmin, "{}");
  ASSERT_EQ(up->status, 200) << up->body;
  EXPECT_EQ(json::parse(up->body)["delivered"], down["undelivered"]);
  EXPECT_EQ(json::parse(up->body)["undelivered"], 0);
}

}  // namespace
}  // namespace segmenta
