// run, segments, members, compare: the verbs over snapshots.
#include <fstream>
#include <iostream>

#include "commands.h"
#include "segmenta/project.h"
#include "segmenta/segments.h"
#include "segmenta/segments_json.h"
#include "segmenta/webhooks.h"
#include "segmenta/workspace.h"

namespace segmenta::cli {
namespace {

std::string Percent(double share) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * share);
  return buffer;
}

nlohmann::json ToJson(const RunReport& report) {
  return {{"ok", true},
          {"snapshot", report.snapshot_id},
          {"as_of", report.as_of},
          {"customers", report.customers},
          {"segmentations", ToJsonArray(report.segmentations)},
          {"health", ToJsonArray(report.health)}};
}

void PrintReport(const RunReport& report) {
  std::cout << "Snapshot " << report.snapshot_id << " as of " << report.as_of << ": "
            << Thousands(report.customers) << " customers.\n";
  for (const SegmentationResult& result : report.segmentations) {
    std::cout << "\n" << result.name << " (" << result.method << ")\n";
    std::vector<std::vector<std::string>> rows;
    for (const SegmentSize& size : result.segments) {
      if (size.suppressed) {
        rows.push_back({size.segment, "< min group", "", ""});
      } else {
        rows.push_back({size.segment, Thousands(size.customers), Percent(size.share),
                        Thousands(static_cast<int64_t>(size.revenue))});
      }
    }
    PrintTable({"segment", "customers", "share", "revenue"}, rows);
  }
  if (!report.health.empty()) {
    std::cout << "\nHealth:\n";
    for (const HealthWarning& warning : report.health) {
      std::string where = warning.segmentation.empty() ? "data" : warning.segmentation;
      if (!warning.segment.empty()) where += " / " + warning.segment;
      std::cout << "  ! " << where << ": " << warning.message << " [" << warning.check << "]\n";
    }
  }
}

// Sends the snapshot's segment changes to the [[webhook]]s: one line each, or for --json
// {"webhooks": [...]} ({"webhooks_error": ...}). A receiver that is down does not fail
// the run: its batches wait for a retry.
nlohmann::json DeliverAfterRun(const Project& project, Workspace& workspace, const Output& out) {
  if (project.webhooks.empty()) return nlohmann::json::object();
  Result<DeliveryReport> sent = DeliverWebhooks(project, workspace);
  std::string retry = "the snapshot is written; resend with `segmenta webhooks retry`";
  if (!sent.ok()) {
    std::string error = "segmenta: webhooks: " + sent.status().message() + "; " + retry;
    if (!out.json) std::cerr << error << "\n";
    return {{"webhooks_error", sent.status().message()}};
  }
  nlohmann::json list = nlohmann::json::array();
  for (const WebhookDelivery& delivery : sent->webhooks) list.push_back(ToJson(delivery));
  if (out.json) return {{"webhooks", list}};
  std::cout << "\nWebhooks:\n";
  for (const WebhookDelivery& hook : sent->webhooks) std::cout << "  " << Summary(hook) << "\n";
  if (sent->undelivered() > 0) std::cout << "  Some batches wait: " << retry << ".\n";
  return nlohmann::json::object();
}

}  // namespace

int RunRun(const GlobalFlags& global, const RunFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  ProgressBar bar(out.progress);
  RunOptions options;
  if (!flags.as_of.empty()) options.as_of = flags.as_of;
  options.progress = [&](const std::string& step, double done) { bar.Update(step, done); };
  Result<RunReport> report = RunSegmentations(*opened.project, *opened.workspace, options);
  bar.Done();
  if (!report.ok()) return Fail(out, report.status());
  if (!out.json) PrintReport(*report);
  nlohmann::json sent = DeliverAfterRun(*opened.project, *opened.workspace, out);
  if (out.json) {
    nlohmann::json json = ToJson(*report);
    json["seconds"] = report->seconds;
    json.update(sent);
    PrintJson(json);
  }
  return 0;
}

int RunSegments(const GlobalFlags& global, const SegmentsFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<RunReport> report = LoadSnapshot(*opened.project, *opened.workspace, flags.snapshot);
  if (!report.ok()) return Fail(out, report.status());
  if (out.json) {
    PrintJson(ToJson(*report));
  } else {
    PrintReport(*report);
  }
  return 0;
}

int RunMembers(const GlobalFlags& global, const MembersFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  MembersQuery query{flags.segmentation, flags.segment, std::nullopt, flags.limit};
  if (!flags.at.empty()) query.at = flags.at;
  Result<std::vector<std::string>> ids = ListMembers(*opened.workspace, query);
  if (!ids.ok()) return Fail(out, ids.status());
  if (!flags.out.empty()) {
    std::filesystem::path file = flags.out;
    if (file.is_relative()) file = opened.project->root / file;
    std::ofstream stream(file);
    for (const std::string& id : *ids) stream << id << "\n";
    if (!stream) return Fail(out, Status::IoError("cannot write " + file.string()));
  }
  if (out.json) {
    PrintJson({{"ok", true}, {"count", ids->size()}, {"customers", *ids}, {"out", flags.out}});
  } else if (!flags.out.empty()) {
    std::cout << "Wrote " << Thousands(static_cast<int64_t>(ids->size())) << " customer ids to "
              << flags.out << "\n";
  } else {
    for (const std::string& id : *ids) std::cout << id << "\n";
  }
  return 0;
}

int RunCompare(const GlobalFlags& global, const CompareFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  if (flags.snapshots.size() == 1) {
    return Fail(out, Status::InvalidArgument("compare takes two snapshots (A B) or none"));
  }
  int64_t a = flags.snapshots.empty() ? 0 : flags.snapshots[0];
  int64_t b = flags.snapshots.empty() ? 0 : flags.snapshots[1];
  Result<Comparison> comparison = CompareSnapshots(*opened.project, *opened.workspace, a, b);
  if (!comparison.ok()) return Fail(out, comparison.status());
  if (out.json) {
    nlohmann::json json = ToJson(*comparison);
    json["ok"] = true;
    PrintJson(json);
    return 0;
  }
  std::cout << "Snapshot " << comparison->a.snapshot_id << " (as of " << comparison->a.as_of
            << ") → " << comparison->b.snapshot_id << " (as of " << comparison->b.as_of << ")\n";
  for (const SegmentationComparison& result : comparison->segmentations) {
    std::cout << "\n" << result.segmentation << ": sizes\n";
    std::vector<std::vector<std::string>> rows;
    auto figure = [](const std::optional<int64_t>& n) {
      return n ? Thousands(*n) : std::string("< min group");
    };
    for (const SizeChange& size : result.sizes) {
      if (size.suppressed) {
        rows.push_back(
            {size.segment, "< min group", "", "", figure(size.gained), figure(size.lost)});
        continue;
      }
      int64_t change = size.b - size.a;
      rows.push_back({size.segment, Thousands(size.a), Thousands(size.b),
                      (change > 0 ? "+" : "") + Thousands(change), figure(size.gained),
                      figure(size.lost)});
    }
    PrintTable({"segment", "A", "B", "change", "gained", "lost"}, rows);
    std::cout << "\n" << result.segmentation << ": moves (customers, their revenue in B)\n";
    rows.clear();
    for (const Migration& m : result.migrations) {
      if (m.from == m.to) continue;
      rows.push_back({m.from.empty() ? "(none)" : m.from, m.to.empty() ? "(none)" : m.to,
                      m.suppressed ? "< min group" : Thousands(m.customers),
                      m.suppressed ? "" : Thousands(static_cast<int64_t>(m.revenue))});
    }
    PrintTable({"from", "to", "customers", "revenue"}, rows);
  }
  return 0;
}

}  // namespace segmenta::cli
