// Where webhooks stand: per-webhook counts, the latest batches, their JSON.
#include <algorithm>

#include "activate/webhook_http.h"
#include "activate/webhook_plan.h"
#include "segmenta/segments.h"
#include "segmenta/webhooks.h"
#include "store/database.h"

namespace segmenta {
namespace {

nlohmann::json TextOrNull(const std::string& text) {
  return text.empty() ? nlohmann::json() : nlohmann::json(text);
}

// "segmentation/segment" and "segmentation/*" for every segment of the latest snapshot;
// empty before the first run.
Result<std::vector<std::string>> KnownPatterns(const Project& project, Workspace& workspace) {
  Result<RunReport> latest = LoadSnapshot(project, workspace, 0);
  if (!latest.ok() && latest.status().code() == StatusCode::kNotFound) {
    return std::vector<std::string>{};
  }
  if (!latest.ok()) return latest.status();
  std::vector<std::string> known;
  for (const SegmentationResult& result : latest->segmentations) {
    known.push_back(result.name + "/*");
    for (const SegmentSize& size : result.segments) {
      known.push_back(result.name + "/" + size.segment);
    }
  }
  return known;
}

// A pattern with a typo sends nothing, silently: say so.
std::vector<std::string> Unmatched(const WebhookConfig& config,
                                   const std::vector<std::string>& known) {
  std::vector<std::string> warnings;
  for (const std::string& pattern : config.segments) {
    if (known.empty() || std::find(known.begin(), known.end(), pattern) != known.end()) continue;
    std::string hint = ClosestMatch(pattern, known);
    warnings.push_back("'" + pattern + "' names no segment of the latest snapshot" +
                       (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  return warnings;
}

}  // namespace

Result<std::vector<WebhookStatus>> WebhookStatuses(const Project& project, Workspace& workspace) {
  store::Connection& conn = workspace.connection();
  std::vector<WebhookStatus> statuses;
  std::vector<std::string> known;
  if (!project.webhooks.empty()) {
    SEG_ASSIGN_OR_RETURN(known, KnownPatterns(project, workspace));
  }
  for (const WebhookConfig& config : project.webhooks) {
    SEG_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query(
            std::string("SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE "
                        "status = 'delivered'), count(*) FILTER (WHERE status = 'failed'), "
                        "(SELECT strftime(max(a.attempted_at), '%Y-%m-%d %H:%M:%S') FROM "
                        "webhook_attempts a JOIN webhook_batches w USING (batch_id) WHERE "
                        "w.webhook = $1), (SELECT last_error FROM webhook_batches WHERE webhook = "
                        "$1 AND status <> 'delivered' ORDER BY ") +
                activate::kBatchCreationOrder + " LIMIT 1) FROM webhook_batches WHERE webhook = $1",
            {config.name}));
    const auto& row = rows.rows.at(0);
    statuses.push_back({config.name, DisplayUrl(config.url), config.segments,
                        std::get<int64_t>(row[0]), std::get<int64_t>(row[1]),
                        std::get<int64_t>(row[2]), store::ToText(row[3]), store::ToText(row[4]),
                        Unmatched(config, known)});
  }
  return statuses;
}

Result<std::vector<WebhookBatch>> RecentWebhookBatches(const Project& project, Workspace& workspace,
                                                       int limit) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(
          "SELECT batch_id, webhook, snapshot_id, segmentation, segment, part, parts, entered, "
          "exited, status, attempts, coalesce(last_error, '') FROM webhook_batches ORDER BY "
          "created_at DESC, snapshot_id DESC, webhook, segmentation, segment, part LIMIT $1",
          {int64_t{limit}}));
  auto shown = [&](const store::Value& value) -> std::optional<int64_t> {
    int64_t count = std::get<int64_t>(value);
    if (count > 0 && count < project.min_group_size) return std::nullopt;
    return count;
  };
  std::vector<WebhookBatch> batches;
  for (const auto& row : rows.rows) {
    batches.push_back({store::ToText(row[0]), store::ToText(row[1]), std::get<int64_t>(row[2]),
                       store::ToText(row[3]), store::ToText(row[4]),
                       static_cast<int>(store::ToDouble(row[5])),
                       static_cast<int>(store::ToDouble(row[6])), shown(row[7]), shown(row[8]),
                       store::ToText(row[9]), static_cast<int>(store::ToDouble(row[10])),
                       store::ToText(row[11])});
  }
  return batches;
}

std::string Summary(const WebhookDelivery& delivery) {
  if (delivery.attempts == 0 && delivery.undelivered == 0) {
    return delivery.webhook + ": nothing to send (no change in its segments, nothing waiting)";
  }
  auto batches = [](int64_t n) { return std::to_string(n) + (n == 1 ? " batch" : " batches"); };
  std::string line = delivery.webhook + ": " + batches(delivery.delivered) + " delivered, " +
                     std::to_string(delivery.undelivered) + " waiting (" +
                     std::to_string(delivery.attempts) +
                     (delivery.attempts == 1 ? " attempt)" : " attempts)");
  return delivery.error.empty() ? line : line + " — last error: " + delivery.error;
}

std::string DisplayUrl(const std::string& url) {
  Result<activate::WebhookUrl> parsed = activate::ParseWebhookUrl(url);
  return parsed.ok() ? parsed->display : "(not an http:// or https:// address)";
}

nlohmann::json ToJson(const WebhookDelivery& delivery) {
  return {{"webhook", delivery.webhook},     {"planned", delivery.planned},
          {"delivered", delivery.delivered}, {"undelivered", delivery.undelivered},
          {"attempts", delivery.attempts},   {"error", TextOrNull(delivery.error)}};
}

nlohmann::json ToJson(const WebhookStatus& status) {
  return {{"name", status.name},
          {"url", status.url},
          {"segments", status.segments},
          {"pending", status.pending},
          {"delivered", status.delivered},
          {"failed", status.failed},
          {"last_attempt_at", TextOrNull(status.last_attempt_at)},
          {"last_error", TextOrNull(status.last_error)},
          {"warnings", status.warnings}};
}

nlohmann::json ToJson(const WebhookBatch& batch) {
  auto count = [](const std::optional<int64_t>& n) {
    return n ? nlohmann::json(*n) : nlohmann::json();
  };
  return {{"id", batch.id},
          {"webhook", batch.webhook},
          {"snapshot_id", batch.snapshot_id},
          {"segmentation", batch.segmentation},
          {"segment", batch.segment},
          {"part", batch.part},
          {"parts", batch.parts},
          {"entered", count(batch.entered)},
          {"exited", count(batch.exited)},
          {"suppressed", !batch.entered || !batch.exited},
          {"status", batch.status},
          {"attempts", batch.attempts},
          {"last_error", TextOrNull(batch.last_error)}};
}

}  // namespace segmenta
