// Health checks after every run: the mistakes the segmentation literature warns about.
#ifndef SEGMENTA_SEGMENT_HEALTH_H_
#define SEGMENTA_SEGMENT_HEALTH_H_

#include <vector>

#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta::segment {

// too_broad (a segment holds over half the base), too_small (under min_group_size),
// empty (a segment nobody is in), too_many_segments (> 12 non-empty), big_swing (a
// segment grew or shrank by over a quarter against the latest snapshot), stale_data
// (newest event over 30 days before as_of), missing_features (a feature NULL for over
// 80% of customers). Reads the `features` table and the previous snapshot.
Result<std::vector<HealthWarning>> CheckHealth(store::Connection& conn, const RunReport& run,
                                               int min_group_size);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_HEALTH_H_
