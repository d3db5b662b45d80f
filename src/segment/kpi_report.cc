#include "segment/kpi_report.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "segment/format.h"
#include "segmenta/kpis.h"

namespace segmenta::segment {
namespace {

constexpr int kSparkWidth = 90, kSparkHeight = 24;
constexpr const char* kMissing = "–";

std::string Money(const std::optional<double>& value) {
  return value ? Count(std::llround(*value)) : kMissing;
}
std::string Decimal(const std::optional<double>& value, int decimals) {
  return value ? Fixed(*value, decimals) : kMissing;
}
std::string Rate(const std::optional<double>& value) {
  return value ? Percent(*value, 1) : kMissing;
}
std::string Score(const std::optional<double>& value, const std::optional<int64_t>& responses) {
  if (!value) return kMissing;
  return Fixed(*value, 1) + " <span class=\"muted\">(" + Count(responses.value_or(0)) + ")</span>";
}

// The segment's revenue in each snapshot that shows it, oldest first, as a polyline.
std::string RevenueTrend(const SegmentationKpis& segmentation, const std::string& segment) {
  std::vector<double> values;
  std::string label;
  for (const SnapshotKpis& snapshot : segmentation.snapshots) {
    for (const SegmentKpis& kpis : snapshot.segments) {
      if (kpis.segment != segment || !kpis.revenue) continue;
      values.push_back(*kpis.revenue);
      label += (label.empty() ? "" : " → ") + snapshot.as_of + ": " + Money(kpis.revenue);
    }
  }
  if (values.size() < 2) return kMissing;
  auto [low, high] = std::minmax_element(values.begin(), values.end());
  double span = std::max(*high - *low, 1e-9);
  double step = (kSparkWidth - 8.0) / static_cast<double>(values.size() - 1);
  std::ostringstream svg;
  svg << "<svg role=\"img\" aria-label=\"revenue " << HtmlEscape(label) << "\" width=\""
      << kSparkWidth << "\" height=\"" << kSparkHeight << "\"><title>" << HtmlEscape(label)
      << "</title><polyline fill=\"none\" stroke=\"#3b6ea8\" stroke-width=\"2\" points=\"";
  for (size_t idx = 0; idx < values.size(); ++idx) {
    double y = 4 + (kSparkHeight - 8) * (1 - (values[idx] - *low) / span);
    svg << Fixed(4 + step * static_cast<double>(idx), 1) << "," << Fixed(y, 1) << " ";
  }
  svg << "\"/></svg>";
  return svg.str();
}

std::string SegmentRow(const SegmentationKpis& segmentation, const SegmentKpis& s,
                       int min_group_size) {
  std::ostringstream html;
  html << "<tr><td>" << HtmlEscape(s.segment) << "</td>";
  if (s.suppressed) {
    html << "<td colspan=\"14\" class=\"muted\">withheld (fewer than " << min_group_size
         << " customers)</td></tr>";
    return html.str();
  }
  for (const std::string& cell :
       {Count(s.customers.value_or(0)), Money(s.revenue), Decimal(s.aov, 2), Rate(s.repeat_rate),
        Rate(s.retention_rate), Rate(s.churn_rate), Rate(s.conversion_rate), Decimal(s.clv, 2),
        Score(s.nps, s.nps_responses), Score(s.csat, s.csat_responses), Money(s.spend),
        Decimal(s.cac, 2), Rate(s.roi), RevenueTrend(segmentation, s.segment)}) {
    html << "<td>" << cell << "</td>";
  }
  html << "</tr>";
  return html.str();
}

std::string SegmentationTable(const SegmentationKpis& segmentation, int min_group_size) {
  const SnapshotKpis& latest = segmentation.snapshots.back();
  std::ostringstream html;
  html << "<h3>" << HtmlEscape(segmentation.segmentation) << " (snapshot " << latest.snapshot_id
       << ", as of " << latest.as_of << ")</h3><table class=\"kpis\"><tr><th>segment</th>"
       << "<th>customers</th><th>revenue</th><th>AOV</th><th>repeat</th><th>retention</th>"
       << "<th>churn</th><th>conversion</th><th>CLV</th><th>NPS (n)</th><th>CSAT (n)</th>"
       << "<th>spend</th><th>CAC</th><th>ROI</th><th>revenue trend</th></tr>";
  for (const SegmentKpis& segment : latest.segments) {
    html << SegmentRow(segmentation, segment, min_group_size);
  }
  html << "</table>";
  return html.str();
}

std::string CampaignSection(const CampaignTable& table) {
  if (table.campaigns.empty()) return "";
  std::ostringstream html;
  html << "<h3>Campaigns (as of " << table.as_of << ")</h3><table><tr><th>campaign</th>"
       << "<th>channel</th><th>spend</th><th>revenue</th><th>buyers</th><th>ROI</th></tr>";
  for (const CampaignKpis& c : table.campaigns) {
    html << "<tr><td>" << HtmlEscape(c.campaign) << "</td><td>" << HtmlEscape(c.channel)
         << "</td><td>" << Money(c.spend) << "</td>";
    if (c.suppressed) {
      html << "<td colspan=\"3\" class=\"muted\">withheld (small group)</td></tr>";
    } else {
      html << "<td>" << Money(c.revenue) << "</td><td>" << Count(c.buyers.value_or(0))
           << "</td><td>" << Rate(c.roi) << "</td></tr>";
    }
  }
  html << "</table>";
  return html.str();
}

}  // namespace

Result<std::string> KpiReportSection(const Project& project, Workspace& workspace) {
  SEG_ASSIGN_OR_RETURN(KpiReport report, ComputeKpis(project, workspace, {}));
  std::ostringstream html;
  for (const SegmentationKpis& segmentation : report.segmentations) {
    if (!segmentation.snapshots.empty()) {
      html << SegmentationTable(segmentation, project.min_group_size);
    }
  }
  if (html.tellp() == 0) return std::string();
  if (report.campaigns) html << CampaignSection(*report.campaigns);
  return "<h2>KPIs</h2><p class=\"muted\">Over the " + std::to_string(report.period_days) +
         " days before each as_of; revenue trend over the snapshots. – : no denominator "
         "(or too few respondents).</p>" +
         html.str();
}

}  // namespace segmenta::segment
