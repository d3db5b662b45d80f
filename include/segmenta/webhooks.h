// Webhooks: after each snapshot, the customers who entered and left the segments a
// [[webhook]] names, POSTed as signed JSON batches, retried with back-off, every
// attempt logged, undelivered batches kept for the next round.
//
//   SEG_ASSIGN_OR_RETURN(segmenta::RunReport run, segmenta::RunSegmentations(project, ws, {}));
//   SEG_ASSIGN_OR_RETURN(segmenta::DeliveryReport sent, segmenta::DeliverWebhooks(project, ws));
//   for (const auto& hook : sent.webhooks) std::cout << hook.webhook << " " << hook.undelivered;
//
// A delivery round first plans, per webhook, every snapshot not yet planned (a webhook
// never planned starts at the latest snapshot): per matching segment, who entered (in
// the snapshot, not in the previous one; everyone for the first snapshot) and who
// exited, split into batches of `batch_size` customers, in one transaction. It then
// sends every undelivered batch in creation order. Each batch's id is stable (webhook,
// snapshot, segmentation, segment, part) and is its Idempotency-Key: a receiver may see
// a batch again, always with the same id and body. A delivered batch keeps only its
// counts; its customer ids are deleted. docs/guide.md ("Webhooks") gives the body, the
// headers and how a receiver checks the signature.
//
// Blocks while it sends (timeouts, back-off). Like the Workspace, not thread-safe.
#ifndef SEGMENTA_WEBHOOKS_H_
#define SEGMENTA_WEBHOOKS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

struct DeliveryOptions {
  std::string webhook;  // only this [[webhook]]; "" = all of them
  // Who asked, for an audit entry of the round ("" = none: the rounds after a run).
  std::string actor;
};

// One webhook's part of a delivery round.
struct WebhookDelivery {
  std::string webhook;
  int64_t planned = 0;      // batches planned in this round
  int64_t delivered = 0;    // batches delivered in this round
  int64_t undelivered = 0;  // batches still waiting after it (pending or failed)
  int64_t attempts = 0;     // HTTP requests made in this round
  std::string error;        // the last failure of the round; "" when none
};

struct DeliveryReport {
  std::vector<WebhookDelivery> webhooks;  // in segmenta.toml order
  int64_t delivered() const;
  int64_t undelivered() const;
};

// Plans what is missing and sends every undelivered batch (see the top of this file).
// A receiver that is down is not an error: its batches stay undelivered, with the
// reason. InvalidArgument (naming the closest) for an unknown options.webhook.
Result<DeliveryReport> DeliverWebhooks(const Project& project, Workspace& workspace,
                                       const DeliveryOptions& options = {});

// Where each [[webhook]] stands.
struct WebhookStatus {
  std::string name;
  std::string url;  // without user-info or query: safe to show
  std::vector<std::string> segments;
  int64_t pending = 0, delivered = 0, failed = 0;  // batches
  std::string last_attempt_at;                     // UTC "YYYY-MM-DD HH:MM:SS"; "" = never
  std::string last_error;                          // of the oldest undelivered batch; "" = none
  // Patterns that name no segment of the latest snapshot (with the closest name).
  std::vector<std::string> warnings;
};
Result<std::vector<WebhookStatus>> WebhookStatuses(const Project& project, Workspace& workspace);

// One batch, as listed by the API. Counts under privacy.min_group_size are hidden.
struct WebhookBatch {
  std::string id;  // also the Idempotency-Key
  std::string webhook;
  int64_t snapshot_id = 0;
  std::string segmentation, segment;
  int part = 0, parts = 0;
  std::optional<int64_t> entered, exited;  // nullopt: suppressed
  std::string status;                      // pending, delivered or failed
  int attempts = 0;
  std::string last_error;
};
// The latest `limit` batches, newest first.
Result<std::vector<WebhookBatch>> RecentWebhookBatches(const Project& project, Workspace& workspace,
                                                       int limit);

// One line for people: "crm: 3 batches delivered, 1 waiting (5 attempts) — last error:
// HTTP 500", or "crm: nothing to send (...)".
std::string Summary(const WebhookDelivery& delivery);

// "https://user:pw@host/p?q=1" → "https://host/p": what may be shown or logged.
std::string DisplayUrl(const std::string& url);

// JSON for --json and the API (docs/openapi.yaml: WebhookStatus, WebhookBatch).
nlohmann::json ToJson(const WebhookDelivery& delivery);
nlohmann::json ToJson(const WebhookStatus& status);
nlohmann::json ToJson(const WebhookBatch& batch);

}  // namespace segmenta

#endif  // SEGMENTA_WEBHOOKS_H_
