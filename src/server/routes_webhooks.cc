// Webhook routes: where each [[webhook]] stands with its latest batches, and a retry.
#include "segmenta/webhooks.h"
#include "server/http.h"
#include "server/routes.h"

namespace segmenta::server {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

void ListWebhooks(State& state, const Request& req, Response& res, const Caller&) {
  std::optional<int64_t> limit = IntParam(req, res, "limit", 50, 1, 1000);
  if (!limit) return;
  auto ws = state.sessions.Acquire();
  Result<std::vector<WebhookStatus>> statuses = WebhookStatuses(state.project, *ws);
  if (!statuses.ok()) return SendStatus(res, statuses.status());
  Result<std::vector<WebhookBatch>> recent =
      RecentWebhookBatches(state.project, *ws, static_cast<int>(*limit));
  if (!recent.ok()) return SendStatus(res, recent.status());
  json webhooks = json::array(), batches = json::array();
  for (const WebhookStatus& status : *statuses) webhooks.push_back(ToJson(status));
  for (const WebhookBatch& batch : *recent) batches.push_back(ToJson(batch));
  SendJson(res, 200, {{"webhooks", webhooks}, {"recent", batches}});
}

void Retry(State& state, const Request& req, Response& res, const Caller& caller) {
  std::optional<json> body = ParseBody(req, res, {"webhook"}, /*required=*/false);
  if (!body) return;
  std::optional<std::string> webhook = StringField(*body, res, "webhook", "", 200);
  if (!webhook) return;
  std::lock_guard writer(state.write);
  auto ws = state.sessions.Acquire();
  Result<DeliveryReport> report = DeliverWebhooks(state.project, *ws, {*webhook, caller.Actor()});
  if (!report.ok()) {
    bool named = report.status().code() == StatusCode::kInvalidArgument;
    return SendStatus(res, report.status(), named ? "webhook" : "");
  }
  json webhooks = json::array();
  for (const WebhookDelivery& delivery : report->webhooks) webhooks.push_back(ToJson(delivery));
  SendJson(res, 200,
           {{"delivered", report->delivered()},
            {"undelivered", report->undelivered()},
            {"webhooks", webhooks}});
}

}  // namespace

std::vector<Route> WebhookRoutes() {
  return {
      {"GET", "/v1/webhooks", Role::kAnalyst, ListWebhooks},
      {"POST", "/v1/webhooks/retry", Role::kAdmin, Retry},
  };
}

}  // namespace segmenta::server
