// webhooks status | retry: where each [[webhook]] stands, and resending what waits.
#include <iostream>
#include <memory>

#include "commands.h"
#include "segmenta/webhooks.h"

namespace segmenta::cli {
namespace {

struct WebhooksFlags {
  std::string webhook;  // retry: only this one
};

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

void PrintStatus(const WebhookStatus& status) {
  std::cout << status.name << " → " << status.url << "\n"
            << "  segments:     " << Join(status.segments) << "\n"
            << "  batches:      " << Thousands(status.pending) << " pending, "
            << Thousands(status.delivered) << " delivered, " << Thousands(status.failed)
            << " failed\n"
            << "  last attempt: "
            << (status.last_attempt_at.empty() ? "never" : status.last_attempt_at + " UTC") << "\n";
  if (!status.last_error.empty()) std::cout << "  last error:   " << status.last_error << "\n";
  for (const std::string& warning : status.warnings) std::cout << "  ! " << warning << "\n";
}

int RunStatus(const GlobalFlags& global, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<std::vector<WebhookStatus>> statuses = WebhookStatuses(*opened.project, *opened.workspace);
  if (!statuses.ok()) return Fail(out, statuses.status());
  if (out.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const WebhookStatus& status : *statuses) list.push_back(ToJson(status));
    PrintJson({{"ok", true}, {"webhooks", list}});
    return 0;
  }
  if (statuses->empty()) std::cout << "No [[webhook]] in segmenta.toml.\n";
  for (size_t idx = 0; idx < statuses->size(); ++idx) {
    if (idx > 0) std::cout << "\n";
    PrintStatus((*statuses)[idx]);
  }
  return 0;
}

int RunRetry(const GlobalFlags& global, const WebhooksFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<DeliveryReport> report =
      DeliverWebhooks(*opened.project, *opened.workspace, {flags.webhook, "segmenta"});
  if (!report.ok()) return Fail(out, report.status());
  int64_t waiting = report->undelivered();
  if (out.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const WebhookDelivery& delivery : report->webhooks) list.push_back(ToJson(delivery));
    PrintJson({{"ok", waiting == 0},
               {"delivered", report->delivered()},
               {"undelivered", waiting},
               {"webhooks", list}});
    return waiting == 0 ? 0 : 1;
  }
  if (report->webhooks.empty()) std::cout << "No [[webhook]] in segmenta.toml.\n";
  for (const WebhookDelivery& delivery : report->webhooks) std::cout << Summary(delivery) << "\n";
  if (waiting == 0) return 0;
  std::cerr << "segmenta: " << waiting << (waiting == 1 ? " batch is" : " batches are")
            << " still undelivered; `segmenta webhooks status` shows why, and `segmenta "
               "webhooks retry` sends them again.\n";
  return 1;
}

}  // namespace

void AddWebhooksVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {
  auto flags = std::make_shared<WebhooksFlags>();
  CLI::App* command =
      app.add_subcommand("webhooks", "Webhook deliveries of segment changes: status, retry");
  command->require_subcommand(1);
  command->add_subcommand("status", "Per webhook: batches pending, delivered, failed; last error");
  CLI::App* retry = command->add_subcommand(
      "retry", "Plan what is missing and resend every undelivered batch (exit 1 if some remain)");
  retry->add_option("--webhook", flags->webhook, "Only this [[webhook]] (its name)");
  verbs.push_back({command, [&global, flags, retry](const Output& out) {
                     return retry->parsed() ? RunRetry(global, *flags, out)
                                            : RunStatus(global, out);
                   }});
}

}  // namespace segmenta::cli
