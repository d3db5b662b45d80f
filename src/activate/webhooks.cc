// Delivery rounds: plan, then send each undelivered batch with retries and back-off,
// logging every attempt.
#include "segmenta/webhooks.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <thread>

#include "activate/webhook_http.h"
#include "activate/webhook_plan.h"
#include "store/database.h"

namespace segmenta {
namespace {

using activate::Attempt;
using activate::WebhookUrl;

struct PendingBatch {
  std::string id;
  int64_t snapshot_id = 0;
  std::string as_of, segmentation, segment;
  int64_t part = 0, parts = 0, attempts = 0;
};

// What sending one batch in a round came to.
struct BatchOutcome {
  bool delivered = false;
  bool receiver_down = false;  // retries ran out on errors worth retrying
  int64_t attempts = 0;
  std::string error;
};

std::string UtcNowMicros() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()) %
                std::chrono::seconds(1);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[48];
  size_t length = std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(text + length, sizeof text - length, ".%06lld",
                static_cast<long long>(micros.count()));
  return text;
}

// The signing key: written in the file, or read from the environment now.
Result<std::string> Secret(const WebhookConfig& config) {
  if (!config.secret.empty()) return config.secret;
  const char* value = std::getenv(config.secret_env.c_str());
  if (value && *value) return std::string(value);
  return Status::InvalidArgument("the environment variable " + config.secret_env +
                                 " (secret_env of webhook '" + config.name +
                                 "') is not set; set it to the signing secret and retry");
}

Result<std::vector<PendingBatch>> Undelivered(store::Connection& conn, const std::string& webhook) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query(std::string("SELECT batch_id, snapshot_id, (SELECT CAST(as_of AS VARCHAR) FROM "
                             "snapshots s WHERE s.snapshot_id = b.snapshot_id), segmentation, "
                             "segment, part, parts, attempts FROM webhook_batches b WHERE webhook "
                             "= $1 AND status <> 'delivered' ORDER BY ") +
                     activate::kBatchCreationOrder,
                 {webhook}));
  std::vector<PendingBatch> batches;
  for (const auto& row : rows.rows) {
    batches.push_back({store::ToText(row[0]), std::get<int64_t>(row[1]), store::ToText(row[2]),
                       store::ToText(row[3]), store::ToText(row[4]),
                       static_cast<int64_t>(store::ToDouble(row[5])),
                       static_cast<int64_t>(store::ToDouble(row[6])),
                       static_cast<int64_t>(store::ToDouble(row[7]))});
  }
  return batches;
}

// The JSON body, rebuilt from the stored members: the same bytes at every attempt.
Result<std::string> Body(store::Connection& conn, const std::string& webhook,
                         const PendingBatch& batch) {
  SEG_ASSIGN_OR_RETURN(store::Rows members,
                       conn.Query("SELECT customer_id, change FROM webhook_batch_members WHERE "
                                  "batch_id = $1 ORDER BY change, customer_id",
                                  {batch.id}));
  nlohmann::ordered_json entered = nlohmann::ordered_json::array();
  nlohmann::ordered_json exited = nlohmann::ordered_json::array();
  for (const auto& row : members.rows) {
    (store::ToText(row[1]) == "entered" ? entered : exited).push_back(store::ToText(row[0]));
  }
  nlohmann::ordered_json body = {{"id", batch.id},
                                 {"webhook", webhook},
                                 {"snapshot_id", batch.snapshot_id},
                                 {"as_of", batch.as_of},
                                 {"segmentation", batch.segmentation},
                                 {"segment", batch.segment},
                                 {"part", batch.part},
                                 {"parts", batch.parts},
                                 {"entered", entered},
                                 {"exited", exited}};
  return body.dump();
}

// Logs one attempt and its result on the batch; a delivered batch loses its members.
Status Record(store::Connection& conn, const PendingBatch& batch, int64_t number,
              const std::string& at, const Attempt& attempt) {
  return store::InTransaction(conn, [&]() -> Status {
    SEG_RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO webhook_attempts VALUES ($1, $2, CAST($3 AS TIMESTAMP), $4, $5, $6)",
        {batch.id, number, at,
         attempt.http_status ? store::Value(int64_t{attempt.http_status}) : store::Value(),
         attempt.delivered() ? store::Value() : store::Value(attempt.error),
         attempt.milliseconds}));
    if (!attempt.delivered()) {
      return conn.Execute(
          "UPDATE webhook_batches SET status = 'failed', attempts = $2, last_error = $3 "
          "WHERE batch_id = $1",
          {batch.id, number, attempt.error});
    }
    SEG_RETURN_IF_ERROR(conn.Execute(
        "UPDATE webhook_batches SET status = 'delivered', attempts = $2, last_error = NULL, "
        "delivered_at = CAST($3 AS TIMESTAMP) WHERE batch_id = $1",
        {batch.id, number, at}));
    return conn.Execute("DELETE FROM webhook_batch_members WHERE batch_id = $1", {batch.id});
  });
}

// Up to max_attempts POSTs, waiting backoff × 2^(n−1) after the n-th failure.
Result<BatchOutcome> SendBatch(store::Connection& conn, const WebhookConfig& config,
                               const WebhookUrl& url, const std::string& secret,
                               const PendingBatch& batch) {
  SEG_ASSIGN_OR_RETURN(std::string body, Body(conn, config.name, batch));
  activate::SignedPost post{batch.id, body, secret, config.timeout_seconds};
  BatchOutcome outcome;
  for (int round_attempt = 1; round_attempt <= config.max_attempts; ++round_attempt) {
    std::string at = UtcNowMicros();
    Attempt attempt = activate::PostBatch(url, post);
    ++outcome.attempts;
    SEG_RETURN_IF_ERROR(Record(conn, batch, batch.attempts + outcome.attempts, at, attempt));
    outcome.delivered = attempt.delivered();
    outcome.error = attempt.error;
    if (outcome.delivered || !attempt.retryable()) return outcome;
    if (round_attempt < config.max_attempts) {
      double wait = config.backoff_seconds * std::pow(2.0, round_attempt - 1);
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    }
  }
  outcome.receiver_down = true;
  return outcome;
}

// Without a secret or a usable URL nothing can be sent: every undelivered batch says why.
Status MarkUnsendable(store::Connection& conn, const std::string& webhook,
                      const std::string& error) {
  return conn.Execute(
      "UPDATE webhook_batches SET status = 'failed', last_error = $2 WHERE webhook = $1 AND "
      "status <> 'delivered'",
      {webhook, error});
}

Result<int64_t> CountUndelivered(store::Connection& conn, const std::string& webhook) {
  return conn.QueryInt(
      "SELECT count(*) FROM webhook_batches WHERE webhook = $1 AND status <> 'delivered'",
      {webhook});
}

// One webhook's round; a receiver that fails is reported, not an error.
Result<WebhookDelivery> DeliverOne(const WebhookConfig& config, Workspace& workspace) {
  store::Connection& conn = workspace.connection();
  WebhookDelivery delivery;
  delivery.webhook = config.name;
  SEG_ASSIGN_OR_RETURN(delivery.planned, activate::PlanWebhook(config, workspace));
  SEG_ASSIGN_OR_RETURN(std::vector<PendingBatch> batches, Undelivered(conn, config.name));
  Result<std::string> secret = Secret(config);
  Result<WebhookUrl> url = activate::ParseWebhookUrl(config.url);
  Status usable = !secret.ok() ? secret.status() : url.status();
  if (!usable.ok() && !batches.empty()) {
    delivery.error = usable.message();
    SEG_RETURN_IF_ERROR(MarkUnsendable(conn, config.name, delivery.error));
  }
  for (size_t batch_idx = 0; usable.ok() && batch_idx < batches.size(); ++batch_idx) {
    SEG_ASSIGN_OR_RETURN(BatchOutcome outcome,
                         SendBatch(conn, config, *url, *secret, batches[batch_idx]));
    delivery.attempts += outcome.attempts;
    if (outcome.delivered) {
      ++delivery.delivered;
      continue;
    }
    delivery.error = outcome.error;
    if (outcome.receiver_down) break;  // the rest wait for the next round, in order
  }
  SEG_ASSIGN_OR_RETURN(delivery.undelivered, CountUndelivered(conn, config.name));
  return delivery;
}

Result<const WebhookConfig*> FindWebhook(const Project& project, const std::string& name) {
  std::vector<std::string> names;
  for (const WebhookConfig& config : project.webhooks) {
    if (config.name == name) return &config;
    names.push_back(config.name);
  }
  std::string hint = ClosestMatch(name, names);
  return Status::InvalidArgument("no [[webhook]] named '" + name + "' in segmenta.toml" +
                                 (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

}  // namespace

int64_t DeliveryReport::delivered() const {
  int64_t total = 0;
  for (const WebhookDelivery& hook : webhooks) total += hook.delivered;
  return total;
}

int64_t DeliveryReport::undelivered() const {
  int64_t total = 0;
  for (const WebhookDelivery& hook : webhooks) total += hook.undelivered;
  return total;
}

Result<DeliveryReport> DeliverWebhooks(const Project& project, Workspace& workspace,
                                       const DeliveryOptions& options) {
  std::vector<const WebhookConfig*> chosen;
  for (const WebhookConfig& config : project.webhooks) chosen.push_back(&config);
  if (!options.webhook.empty()) {
    SEG_ASSIGN_OR_RETURN(const WebhookConfig* config, FindWebhook(project, options.webhook));
    chosen = {config};
  }
  DeliveryReport report;
  for (const WebhookConfig* config : chosen) {
    SEG_ASSIGN_OR_RETURN(WebhookDelivery delivery, DeliverOne(*config, workspace));
    report.webhooks.push_back(std::move(delivery));
  }
  if (options.actor.empty()) return report;
  SEG_RETURN_IF_ERROR(
      AppendAudit(workspace, options.actor, "webhooks retry",
                  options.webhook.empty() ? "all webhooks" : "webhook " + options.webhook,
                  "delivered " + std::to_string(report.delivered()) + ", undelivered " +
                      std::to_string(report.undelivered())));
  return report;
}

}  // namespace segmenta
