// The KPIs as JSON: the shape of `segmenta kpis --json` and GET /v1/kpis.
#include <nlohmann/json.hpp>

#include "segmenta/kpis.h"

namespace segmenta {
namespace {

using nlohmann::json;

template <typename T>
json OrNull(const std::optional<T>& value) {
  return value ? json(*value) : json();
}

json ToJson(const SegmentKpis& kpis) {
  return {{"segment", kpis.segment},
          {"suppressed", kpis.suppressed},
          {"customers", OrNull(kpis.customers)},
          {"revenue", OrNull(kpis.revenue)},
          {"orders", OrNull(kpis.orders)},
          {"aov", OrNull(kpis.aov)},
          {"repeat_rate", OrNull(kpis.repeat_rate)},
          {"retention_rate", OrNull(kpis.retention_rate)},
          {"churn_rate", OrNull(kpis.churn_rate)},
          {"conversion_rate", OrNull(kpis.conversion_rate)},
          {"clv", OrNull(kpis.clv)},
          {"nps", OrNull(kpis.nps)},
          {"nps_responses", OrNull(kpis.nps_responses)},
          {"csat", OrNull(kpis.csat)},
          {"csat_responses", OrNull(kpis.csat_responses)},
          {"spend", OrNull(kpis.spend)},
          {"new_customers", OrNull(kpis.new_customers)},
          {"cac", OrNull(kpis.cac)},
          {"campaign_revenue", OrNull(kpis.campaign_revenue)},
          {"roi", OrNull(kpis.roi)}};
}

json ToJson(const SnapshotKpis& snapshot) {
  json segments = json::array();
  for (const SegmentKpis& segment : snapshot.segments) segments.push_back(ToJson(segment));
  return {{"snapshot_id", snapshot.snapshot_id}, {"as_of", snapshot.as_of}, {"segments", segments}};
}

json ToJson(const SegmentationKpis& segmentation) {
  json snapshots = json::array();
  for (const SnapshotKpis& snapshot : segmentation.snapshots) snapshots.push_back(ToJson(snapshot));
  return {{"segmentation", segmentation.segmentation}, {"snapshots", snapshots}};
}

json ToJson(const CampaignTable& table) {
  json campaigns = json::array();
  for (const CampaignKpis& campaign : table.campaigns) {
    campaigns.push_back({{"campaign", campaign.campaign},
                         {"channel", campaign.channel},
                         {"spend", campaign.spend},
                         {"suppressed", campaign.suppressed},
                         {"revenue", OrNull(campaign.revenue)},
                         {"buyers", OrNull(campaign.buyers)},
                         {"roi", OrNull(campaign.roi)}});
  }
  return {{"snapshot_id", table.snapshot_id}, {"as_of", table.as_of}, {"campaigns", campaigns}};
}

}  // namespace

json ToJson(const KpiReport& report) {
  json segmentations = json::array();
  for (const SegmentationKpis& segmentation : report.segmentations) {
    segmentations.push_back(ToJson(segmentation));
  }
  return {{"period_days", report.period_days},
          {"segmentations", segmentations},
          {"campaigns", report.campaigns ? ToJson(*report.campaigns) : json()}};
}

}  // namespace segmenta
