// The RFM segmenter (method = "rfm"); see rfm.cc for the definition.
#ifndef SEGMENTA_SEGMENT_RFM_H_
#define SEGMENTA_SEGMENT_RFM_H_

#include <string>
#include <utility>
#include <vector>

#include "segment/segmenter.h"

namespace segmenta::segment {

// Which segment each R/F cell belongs to.
struct RfmGrid {
  int bins = 5;
  std::vector<std::string> names;  // by Cell(r, f)
  std::vector<std::string> order;  // segment names in display order

  // The configured grid, the default one for 5 bins, or "R<r>F<f>" names otherwise.
  // Every cell must belong to exactly one segment.
  static Result<RfmGrid> Make(const SegmentationConfig& config, int bins);
  size_t Cell(int r, int f) const {
    return static_cast<size_t>(r - 1) * static_cast<size_t>(bins) + static_cast<size_t>(f - 1);
  }
  const std::string& Name(int r, int f) const { return names[Cell(r, f)]; }
};

struct RfmThresholds {
  std::vector<double> recency, frequency, monetary;  // bins − 1 each; empty: no buyers
};

// Scores for one customer's values (R from recency_days, F from frequency, M from
// monetary), as the SQL computes them; for explanations and tests.
int RfmScore(const std::vector<double>& thresholds, double value, bool reversed);

class RfmSegmenter : public Segmenter {
 public:
  explicit RfmSegmenter(RfmGrid grid) : grid_(std::move(grid)) {}
  std::vector<std::string> Segments() const override;
  Result<SegmenterResult> Run(SegmentContext& context, const std::string& output) override;

 private:
  RfmGrid grid_;
};

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_RFM_H_
