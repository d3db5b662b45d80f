// segmenta kpis: per-segment KPIs of the latest snapshot in range, the revenue trend
// over the snapshots, and the campaigns' spend and return; --json gives the full series.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "segmenta/kpis.h"

namespace segmenta::cli {
namespace {

struct KpisFlags {
  std::string segmentation;
  std::string from;
  std::string to;
};

constexpr size_t kTrendSnapshots = 6;  // the trend table's columns

std::string Money(const std::optional<double>& value) {
  if (!value) return "-";
  std::string sign = *value < 0 ? "-" : "";
  return sign + Thousands(std::llround(std::fabs(*value)));
}

std::string Rate(const std::optional<double>& value) {
  if (!value) return "-";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * *value);
  return buffer;
}

std::string Score(const std::optional<double>& value, const std::optional<int64_t>& responses) {
  if (!value) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f (%lld)", *value,
                static_cast<long long>(responses.value_or(0)));
  return buffer;
}

std::string Number(const std::optional<int64_t>& value) { return value ? Thousands(*value) : "-"; }

void PrintLatest(const SnapshotKpis& snapshot) {
  std::vector<std::vector<std::string>> sales, marketing;
  for (const SegmentKpis& s : snapshot.segments) {
    if (s.suppressed) {
      sales.push_back({s.segment, "< min group"});
      marketing.push_back({s.segment, "< min group"});
      continue;
    }
    sales.push_back({s.segment, Number(s.customers), Money(s.revenue), Number(s.orders),
                     Money(s.aov), Rate(s.repeat_rate), Rate(s.retention_rate), Rate(s.churn_rate),
                     Rate(s.conversion_rate), Money(s.clv)});
    marketing.push_back({s.segment, Score(s.nps, s.nps_responses), Score(s.csat, s.csat_responses),
                         Money(s.spend), Number(s.new_customers), Money(s.cac),
                         Money(s.campaign_revenue), Rate(s.roi)});
  }
  PrintTable({"segment", "customers", "revenue", "orders", "aov", "repeat", "retention", "churn",
              "conversion", "clv"},
             sales);
  std::cout << "\n";
  PrintTable({"segment", "nps (n)", "csat (n)", "spend", "new", "cac", "campaign rev.", "roi"},
             marketing);
}

// Revenue per segment over the last snapshots.
void PrintTrend(const SegmentationKpis& segmentation) {
  const auto& snapshots = segmentation.snapshots;
  size_t first = snapshots.size() > kTrendSnapshots ? snapshots.size() - kTrendSnapshots : 0;
  std::vector<std::string> header = {"revenue"};
  for (size_t idx = first; idx < snapshots.size(); ++idx) header.push_back(snapshots[idx].as_of);
  std::vector<std::vector<std::string>> rows;
  for (const SegmentKpis& latest : snapshots.back().segments) {
    std::vector<std::string> row = {latest.segment};
    for (size_t idx = first; idx < snapshots.size(); ++idx) {
      std::string cell = "-";
      for (const SegmentKpis& s : snapshots[idx].segments) {
        if (s.segment == latest.segment) cell = s.suppressed ? "withheld" : Money(s.revenue);
      }
      row.push_back(cell);
    }
    rows.push_back(std::move(row));
  }
  std::cout << "\n";
  PrintTable(header, rows);
}

void PrintCampaigns(const CampaignTable& table) {
  if (table.campaigns.empty()) return;
  std::vector<std::vector<std::string>> rows;
  for (const CampaignKpis& c : table.campaigns) {
    if (c.suppressed) {
      rows.push_back({c.campaign, c.channel, Money(c.spend), "< min group"});
    } else {
      rows.push_back(
          {c.campaign, c.channel, Money(c.spend), Money(c.revenue), Number(c.buyers), Rate(c.roi)});
    }
  }
  std::cout << "\nCampaigns (as of " << table.as_of << ")\n";
  PrintTable({"campaign", "channel", "spend", "revenue", "buyers", "roi"}, rows);
}

void PrintReport(const KpiReport& report) {
  bool any = false;
  for (const SegmentationKpis& segmentation : report.segmentations) {
    if (segmentation.snapshots.empty()) continue;
    any = true;
    const SnapshotKpis& latest = segmentation.snapshots.back();
    std::cout << segmentation.segmentation << ", snapshot " << latest.snapshot_id << " as of "
              << latest.as_of << " (the " << report.period_days << " days before)\n";
    PrintLatest(latest);
    if (segmentation.snapshots.size() > 1) PrintTrend(segmentation);
    std::cout << "\n";
  }
  if (!any) std::cout << "No snapshot in range: run `segmenta run` first.\n";
  if (report.campaigns) PrintCampaigns(*report.campaigns);
}

int RunKpis(const GlobalFlags& global, const KpisFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  KpiQuery query;
  query.segmentation = flags.segmentation;
  if (!flags.from.empty()) query.from = flags.from;
  if (!flags.to.empty()) query.to = flags.to;
  Result<KpiReport> report = ComputeKpis(*opened.project, *opened.workspace, query);
  if (!report.ok()) return Fail(out, report.status());
  if (out.json) {
    PrintJson(ToJson(*report));
  } else {
    PrintReport(*report);
  }
  return 0;
}

}  // namespace

void AddKpisVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {
  auto flags = std::make_shared<KpisFlags>();
  CLI::App* command = app.add_subcommand(
      "kpis", "Per-segment KPIs over snapshots: revenue, retention, conversion, NPS, CAC, ROI");
  command->add_option("--segmentation", flags->segmentation, "One segmentation (default: all)");
  command->add_option("--from", flags->from, "Snapshots with as_of on or after this date");
  command->add_option("--to", flags->to, "Snapshots with as_of on or before this date");
  verbs.push_back(
      {command, [&global, flags](const Output& out) { return RunKpis(global, *flags, out); }});
}

}  // namespace segmenta::cli
