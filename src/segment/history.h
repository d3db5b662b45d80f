// Snapshot bookkeeping: the membership history intervals, and the per-snapshot copy
// of the feature table.
#ifndef SEGMENTA_SEGMENT_HISTORY_H_
#define SEGMENTA_SEGMENT_HISTORY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::segment {

// "features_<id>": the feature table snapshot `id` used.
std::string FeaturesTableOf(int64_t snapshot_id);
// "event_recency_<id>": the customers' latest event per type as of snapshot `id`.
std::string RecencyTableOf(int64_t snapshot_id);
// The quoted recency table of snapshot `id`, or "" when it has none (snapshots written
// before it was kept).
Result<std::string> SnapshotRecencyTable(store::Connection& conn, int64_t snapshot_id);

// Brings membership_history up to date with snapshot `snapshot_id` (as of `as_of`):
// intervals [entered_at, exited_at) in as_of dates. A snapshot newer than all others
// closes and opens intervals; an older one (a backfill) rebuilds the history from
// every snapshot.
Status UpdateHistory(store::Connection& conn, int64_t snapshot_id, const std::string& as_of);

// The segmentations of a snapshot, each with its segments in display order (from the
// snapshot's models; segments without members included).
Result<std::vector<std::pair<std::string, std::vector<std::string>>>> SnapshotSegmentations(
    store::Connection& conn, int64_t snapshot_id);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_HISTORY_H_
