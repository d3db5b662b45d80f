// Value tiers (method = "value"): customers by their 12-month CLV (High / Medium / Low
// value: the top `tiers[0]` share of buyers, the next up to `tiers[1]`, the rest) or by
// churn risk from P(alive) ([value] churn_risk thresholds). Customers without a
// purchase are "No purchase". Reads the value features the run adds (value_run.h).
#ifndef SEGMENTA_SEGMENT_VALUE_SEGMENTER_H_
#define SEGMENTA_SEGMENT_VALUE_SEGMENTER_H_

#include <string>
#include <vector>

#include "segment/segmenter.h"

namespace segmenta::segment {

class ValueSegmenter : public Segmenter {
 public:
  explicit ValueSegmenter(const SegmentationConfig& config) : config_(config) {}
  std::vector<std::string> Segments() const override;
  Result<SegmenterResult> Run(SegmentContext& context, const std::string& output) override;

 private:
  SegmentationConfig config_;
};

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_VALUE_SEGMENTER_H_
