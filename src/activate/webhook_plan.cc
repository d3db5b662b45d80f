#include "activate/webhook_plan.h"

#include <algorithm>

#include "core/crypto.h"
#include "store/database.h"

namespace segmenta::activate {
namespace {

// The customers who entered ($1 = snapshot) and exited ($2 = the previous snapshot, 0
// for none) segment $4 of segmentation $3.
constexpr const char* kChanges = R"sql(
(WITH now_in AS (SELECT DISTINCT customer_id FROM memberships
                 WHERE snapshot_id = $1 AND segmentation = $3 AND segment = $4),
      then_in AS (SELECT DISTINCT customer_id FROM memberships
                  WHERE snapshot_id = $2 AND segmentation = $3 AND segment = $4)
 SELECT customer_id, 'entered' AS change FROM now_in
 WHERE NOT EXISTS (SELECT 1 FROM then_in WHERE then_in.customer_id = now_in.customer_id)
 UNION ALL
 SELECT customer_id, 'exited' AS change FROM then_in
 WHERE NOT EXISTS (SELECT 1 FROM now_in WHERE now_in.customer_id = then_in.customer_id))
)sql";

struct Snapshot {
  int64_t id = 0;
  int64_t previous = 0;  // 0: none
  std::string created_at;
};

std::string BatchIdPrefix(const std::string& webhook, const Snapshot& snapshot,
                          const std::string& segmentation, const std::string& segment) {
  std::string key = webhook + '\x1f' + std::to_string(snapshot.id) + '\x1f' + snapshot.created_at +
                    '\x1f' + segmentation + '\x1f' + segment;
  return Sha256Hex(key).substr(0, 32);
}

// The snapshots to plan for `webhook`, oldest first.
Result<std::vector<Snapshot>> Unplanned(store::Connection& conn, const std::string& webhook) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT snapshot_id, CAST(created_at AS VARCHAR), coalesce(lag(snapshot_id) "
                 "OVER (ORDER BY snapshot_id), 0) FROM snapshots QUALIFY snapshot_id > "
                 "coalesce((SELECT max(snapshot_id) FROM webhook_plans WHERE webhook = $1), "
                 "(SELECT max(snapshot_id) - 1 FROM snapshots)) ORDER BY snapshot_id",
                 {webhook}));
  std::vector<Snapshot> snapshots;
  for (const auto& row : rows.rows) {
    snapshots.push_back(
        {std::get<int64_t>(row[0]), std::get<int64_t>(row[2]), store::ToText(row[1])});
  }
  return snapshots;
}

// Plans one segment's changes; returns the number of batches.
Result<int64_t> PlanSegment(store::Connection& conn, const WebhookConfig& config,
                            const Snapshot& snapshot, const std::string& segmentation,
                            const std::string& segment) {
  std::vector<store::Value> params = {snapshot.id, snapshot.previous, segmentation, segment};
  SEG_ASSIGN_OR_RETURN(
      store::Rows counts,
      conn.Query(std::string("SELECT count(*) FILTER (WHERE change = 'entered'), count(*) FILTER "
                             "(WHERE change = 'exited') FROM ") +
                     kChanges,
                 params));
  int64_t entered = std::get<int64_t>(counts.rows[0][0]);
  int64_t exited = std::get<int64_t>(counts.rows[0][1]);
  int64_t size = config.batch_size;
  int64_t parts = (entered + exited + size - 1) / size;
  std::string prefix = BatchIdPrefix(config.name, snapshot, segmentation, segment);
  for (int64_t part = 1; part <= parts; ++part) {
    int64_t first = (part - 1) * size, end = std::min(part * size, entered + exited);
    int64_t part_entered = std::clamp(entered - first, int64_t{0}, end - first);
    SEG_RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO webhook_batches (batch_id, webhook, snapshot_id, segmentation, segment, "
        "part, parts, entered, exited, status, attempts, created_at) VALUES ($1, $2, $3, $4, $5, "
        "$6, $7, $8, $9, 'pending', 0, CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP))",
        {prefix + "-" + std::to_string(part), config.name, snapshot.id, segmentation, segment, part,
         parts, part_entered, end - first - part_entered}));
  }
  if (parts == 0) return 0;
  params.push_back(prefix);
  params.push_back(size);
  SEG_RETURN_IF_ERROR(conn.Execute(
      std::string("INSERT INTO webhook_batch_members SELECT $5 || '-' || CAST((row_number() OVER "
                  "(ORDER BY change, customer_id) - 1) // $6 + 1 AS VARCHAR), customer_id, "
                  "change FROM ") +
          kChanges,
      params));
  return parts;
}

// Plans one snapshot, unless it was planned already; returns the number of batches.
Result<int64_t> PlanSnapshot(store::Connection& conn, const WebhookConfig& config,
                             const Snapshot& snapshot) {
  SEG_ASSIGN_OR_RETURN(int64_t done,
                       conn.QueryInt("SELECT count(*) FROM webhook_plans WHERE webhook = $1 AND "
                                     "snapshot_id = $2",
                                     {config.name, snapshot.id}));
  if (done > 0) return 0;
  SEG_ASSIGN_OR_RETURN(store::Rows segments,
                       conn.Query("SELECT DISTINCT segmentation, segment FROM memberships WHERE "
                                  "snapshot_id IN ($1, $2) ORDER BY 1, 2",
                                  {snapshot.id, snapshot.previous}));
  int64_t batches = 0;
  for (const auto& row : segments.rows) {
    std::string segmentation = store::ToText(row[0]), segment = store::ToText(row[1]);
    if (!MatchesSegment(config.segments, segmentation, segment)) continue;
    SEG_ASSIGN_OR_RETURN(int64_t parts, PlanSegment(conn, config, snapshot, segmentation, segment));
    batches += parts;
  }
  SEG_RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO webhook_plans VALUES ($1, $2, CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP))",
      {config.name, snapshot.id}));
  return batches;
}

}  // namespace

bool MatchesSegment(const std::vector<std::string>& patterns, const std::string& segmentation,
                    const std::string& segment) {
  return std::any_of(patterns.begin(), patterns.end(), [&](const std::string& pattern) {
    return pattern == segmentation + "/*" || pattern == segmentation + "/" + segment;
  });
}

std::string BatchId(const std::string& webhook, int64_t snapshot_id,
                    const std::string& snapshot_created_at, const std::string& segmentation,
                    const std::string& segment, int part) {
  Snapshot snapshot{snapshot_id, 0, snapshot_created_at};
  return BatchIdPrefix(webhook, snapshot, segmentation, segment) + "-" + std::to_string(part);
}

Result<int64_t> PlanWebhook(const WebhookConfig& config, Workspace& workspace) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(std::vector<Snapshot> snapshots, Unplanned(conn, config.name));
  int64_t batches = 0;
  for (const Snapshot& snapshot : snapshots) {
    Status planned = store::InTransaction(conn, [&]() -> Status {
      SEG_ASSIGN_OR_RETURN(int64_t count, PlanSnapshot(conn, config, snapshot));
      batches += count;
      return Status::Ok();
    });
    SEG_RETURN_IF_ERROR(planned.WithContext("planning webhook '" + config.name + "' for snapshot " +
                                            std::to_string(snapshot.id)));
  }
  return batches;
}

}  // namespace segmenta::activate
