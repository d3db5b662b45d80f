// Planning webhook batches: who entered and who exited each matching segment at a
// snapshot, split into numbered batches with stable ids, stored until delivered.
#ifndef SEGMENTA_ACTIVATE_WEBHOOK_PLAN_H_
#define SEGMENTA_ACTIVATE_WEBHOOK_PLAN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta::activate {

// ORDER BY for batches in the order they were planned (deliveries go in this order).
inline constexpr const char* kBatchCreationOrder =
    "created_at, snapshot_id, segmentation, segment, part";

// Whether "segmentation/segment" or "segmentation/*" among `patterns` names the segment.
bool MatchesSegment(const std::vector<std::string>& patterns, const std::string& segmentation,
                    const std::string& segment);

// The id of part `part` (1-based) of a segment's changes at a snapshot, for a webhook:
// 32 hex digits of a SHA-256 over the webhook, the snapshot (id and creation time, so
// that a rebuilt workspace does not reuse ids), segmentation and segment, then "-part".
std::string BatchId(const std::string& webhook, int64_t snapshot_id,
                    const std::string& snapshot_created_at, const std::string& segmentation,
                    const std::string& segment, int part);

// Plans every snapshot after the last one planned for this webhook (for a webhook never
// planned: the latest snapshot only), each in one transaction that also records it as
// planned, so planning twice plans nothing. Returns the number of batches planned.
Result<int64_t> PlanWebhook(const WebhookConfig& config, Workspace& workspace);

}  // namespace segmenta::activate

#endif  // SEGMENTA_ACTIVATE_WEBHOOK_PLAN_H_
