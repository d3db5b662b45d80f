// The JSON form of segments' results, shared by `--json` on the CLI and the HTTP API
// (docs/openapi.yaml). Suppressed groups carry `"suppressed": true` and no counts.
#ifndef SEGMENTA_SEGMENTS_JSON_H_
#define SEGMENTA_SEGMENTS_JSON_H_

#include <nlohmann/json.hpp>

#include "segmenta/segments.h"

namespace segmenta {

nlohmann::json ToJson(const SnapshotInfo& snapshot);      // snapshot_id, created_at, as_of
nlohmann::json ToJson(const SegmentSize& size);           // segment, suppressed, counts
nlohmann::json ToJson(const SegmentationResult& result);  // name, method, segments
nlohmann::json ToJson(const HealthWarning& warning);
nlohmann::json ToJson(const Comparison& comparison);  // a, b, segmentations
nlohmann::json ToJson(const CustomerView& view);      // features, segmentations, reasons

// Lists of the above.
template <typename T>
nlohmann::json ToJsonArray(const std::vector<T>& items) {
  nlohmann::json list = nlohmann::json::array();
  for (const T& item : items) list.push_back(ToJson(item));
  return list;
}

}  // namespace segmenta

#endif  // SEGMENTA_SEGMENTS_JSON_H_
