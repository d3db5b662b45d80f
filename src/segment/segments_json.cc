#include "segmenta/segments_json.h"

namespace segmenta {

using nlohmann::json;

json ToJson(const SnapshotInfo& snapshot) {
  return {{"snapshot_id", snapshot.snapshot_id},
          {"created_at", snapshot.created_at},
          {"as_of", snapshot.as_of}};
}

json ToJson(const SegmentSize& size) {
  json item = {{"segment", size.segment}, {"suppressed", size.suppressed}};
  if (!size.suppressed) {
    item["customers"] = size.customers;
    item["share"] = size.share;
    item["revenue"] = size.revenue;
  }
  return item;
}

json ToJson(const SegmentationResult& result) {
  return {
      {"name", result.name}, {"method", result.method}, {"segments", ToJsonArray(result.segments)}};
}

json ToJson(const HealthWarning& warning) {
  return {{"segmentation", warning.segmentation},
          {"segment", warning.segment},
          {"check", warning.check},
          {"message", warning.message}};
}

// Internal linkage, yet in namespace segmenta so that ToJsonArray finds them.
static json ToJson(const Migration& m) {
  json item = {{"from", m.from}, {"to", m.to}, {"suppressed", m.suppressed}};
  if (!m.suppressed) {
    item["customers"] = m.customers;
    item["revenue"] = m.revenue;
  }
  return item;
}

static json ToJson(const SizeChange& size) {
  json item = {{"segment", size.segment}, {"suppressed", size.suppressed}};
  if (!size.suppressed) {
    item["a"] = size.a;
    item["b"] = size.b;
  }
  item["gained"] = size.gained ? json(*size.gained) : json();
  item["lost"] = size.lost ? json(*size.lost) : json();
  return item;
}

static json ToJson(const SegmentationComparison& result) {
  return {{"segmentation", result.segmentation},
          {"migrations", ToJsonArray(result.migrations)},
          {"sizes", ToJsonArray(result.sizes)}};
}

static json ToJson(const Explanation& e) {
  return {{"segmentation", e.segmentation},
          {"method", e.method},
          {"segments", e.segments},
          {"reasons", e.reasons}};
}

json ToJson(const Comparison& comparison) {
  return {{"a", ToJson(comparison.a)},
          {"b", ToJson(comparison.b)},
          {"segmentations", ToJsonArray(comparison.segmentations)}};
}

json ToJson(const CustomerView& view) {
  json features = json::object();
  for (const auto& [name, value] : view.features) features[name] = value;
  return {{"customer_id", view.customer_id},
          {"snapshot_id", view.snapshot_id},
          {"as_of", view.as_of},
          {"features", features},
          {"segmentations", ToJsonArray(view.explanations)}};
}

}  // namespace segmenta
