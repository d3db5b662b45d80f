// Segment sizes and profiles (personas): who is in a segment, against the whole base.
#ifndef SEGMENTA_SEGMENT_PROFILE_H_
#define SEGMENTA_SEGMENT_PROFILE_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "segment/segmenter.h"
#include "segmenta/segments.h"

namespace segmenta::segment {

struct SegmentProfile {
  std::string segmentation;
  std::string segment;
  nlohmann::json json;
};

// Sizes of `segments` (display order; others found in the table follow) in
// `memberships(segmentation, segment, customer_id)`, with revenue from `features`.
Result<SegmentationResult> SegmentSizes(store::Connection& conn, const std::string& memberships,
                                        const std::string& features,
                                        const SegmentationConfig& config,
                                        const std::vector<std::string>& segments, int64_t customers,
                                        int min_group_size);

// A profile per segment of each of `results`: size, shares, numeric summaries (mean, median,
// p10, p90) beside the base, top categories with lift, the most distinguishing
// features, a generated name and description, and a recommended play. A segment
// smaller than `min_group_size` gets only {"suppressed": true}.
Result<std::vector<SegmentProfile>> BuildProfiles(const SegmentContext& context,
                                                  const std::string& memberships,
                                                  const std::vector<SegmentationResult>& results,
                                                  int min_group_size);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_PROFILE_H_
