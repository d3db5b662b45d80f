// The "Customer value" section of the HTML report: the snapshot's value models and the
// two diagnostic charts (holdout purchases by calibration frequency, cumulative repeat
// purchases week by week), as inline SVG.
#ifndef SEGMENTA_SEGMENT_VALUE_REPORT_H_
#define SEGMENTA_SEGMENT_VALUE_REPORT_H_

#include <cstdint>
#include <string>

#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::segment {

// The section's HTML, or "" when the snapshot has no value models.
Result<std::string> ValueReportSection(store::Connection& conn, int64_t snapshot_id);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_VALUE_REPORT_H_
