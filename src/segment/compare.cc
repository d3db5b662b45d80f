// Reading snapshots back: segment sizes of one snapshot, and how customers moved
// between two.
#include <algorithm>
#include <map>

#include "engine/dialect.h"
#include "segment/history.h"
#include "segment/profile.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta {
namespace {

Result<SnapshotInfo> FindSnapshot(Workspace& workspace, int64_t id, size_t from_end) {
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, ListSnapshots(workspace));
  if (id == 0) {
    if (snapshots.size() <= from_end) {
      return Status::NotFound(snapshots.empty()
                                  ? "no snapshot yet: run `segmenta run` first"
                                  : "only one snapshot: run `segmenta run` again (e.g. with "
                                    "another --as-of) to compare two");
    }
    return snapshots[snapshots.size() - 1 - from_end];
  }
  for (const SnapshotInfo& snapshot : snapshots) {
    if (snapshot.snapshot_id == id) return snapshot;
  }
  std::string range = snapshots.empty()
                          ? "there is none yet"
                          : "they are numbered " + std::to_string(snapshots.front().snapshot_id) +
                                " to " + std::to_string(snapshots.back().snapshot_id);
  return Status::NotFound("no snapshot " + std::to_string(id) + "; " + range);
}

// Per segment: members in A and in B, and who joined and left it (a customer in several
// segments of a multi-membership segmentation counts in each).
Result<std::vector<SizeChange>> SizeChanges(store::Connection& conn, const Comparison& comparison,
                                            const std::string& segmentation,
                                            const std::vector<std::string>& segments,
                                            int min_group_size) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("WITH a AS (SELECT customer_id, segment FROM memberships WHERE snapshot_id = "
                 "$1 AND segmentation = $3), b AS (SELECT customer_id, segment FROM memberships "
                 "WHERE snapshot_id = $2 AND segmentation = $3) "
                 "SELECT coalesce(a.segment, b.segment), count(a.customer_id), "
                 "count(b.customer_id), count(*) FILTER (WHERE a.customer_id IS NULL), "
                 "count(*) FILTER (WHERE b.customer_id IS NULL) "
                 "FROM a FULL JOIN b ON a.customer_id = b.customer_id AND a.segment = b.segment "
                 "GROUP BY 1",
                 {comparison.a.snapshot_id, comparison.b.snapshot_id, segmentation}));
  std::map<std::string, std::vector<int64_t>> found;
  for (const auto& row : rows.rows) {
    found[store::ToText(row[0])] = {std::get<int64_t>(row[1]), std::get<int64_t>(row[2]),
                                    std::get<int64_t>(row[3]), std::get<int64_t>(row[4])};
  }
  std::vector<std::string> order = segments;
  for (const auto& [segment, counts] : found) {
    if (std::find(order.begin(), order.end(), segment) == order.end()) order.push_back(segment);
  }
  auto small = [&](int64_t n) { return n > 0 && n < min_group_size; };
  std::vector<SizeChange> changes;
  for (const std::string& segment : order) {
    std::vector<int64_t> counts =
        found.count(segment) ? found[segment] : std::vector<int64_t>{0, 0, 0, 0};
    SizeChange change{segment, counts[0], counts[1], false, counts[2], counts[3]};
    if (small(counts[0]) || small(counts[1])) change = {segment, 0, 0, true, {}, {}};
    if (small(counts[2])) change.gained.reset();
    if (small(counts[3])) change.lost.reset();
    changes.push_back(change);
  }
  return changes;
}

}  // namespace

Result<RunReport> LoadSnapshot(const Project& project, Workspace& workspace, int64_t snapshot_id) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(SnapshotInfo info, FindSnapshot(workspace, snapshot_id, 0));
  RunReport report;
  report.snapshot_id = info.snapshot_id;
  report.as_of = info.as_of;
  std::string features =
      DuckDbDialect().QuoteIdentifier(segment::FeaturesTableOf(info.snapshot_id));
  SEG_ASSIGN_OR_RETURN(report.customers, conn.QueryInt("SELECT count(*) FROM " + features));
  SEG_ASSIGN_OR_RETURN(
      store::Rows took,
      conn.Query("SELECT coalesce(seconds, 0) FROM snapshots WHERE snapshot_id = $1",
                 {info.snapshot_id}));
  if (!took.rows.empty()) report.seconds = store::ToDouble(took.rows[0][0]);
  std::string memberships =
      "(SELECT * FROM memberships WHERE snapshot_id = " + std::to_string(info.snapshot_id) + ")";
  SEG_ASSIGN_OR_RETURN(auto segmentations, segment::SnapshotSegmentations(conn, info.snapshot_id));
  for (const auto& [name, segments] : segmentations) {
    SegmentationConfig config;
    config.name = name;
    for (const SegmentationConfig& configured : project.segmentations) {
      if (configured.name == name) config.method = configured.method;
    }
    SEG_ASSIGN_OR_RETURN(SegmentationResult sizes,
                         segment::SegmentSizes(conn, memberships, features, config, segments,
                                               report.customers, project.min_group_size));
    report.segmentations.push_back(std::move(sizes));
  }
  SEG_ASSIGN_OR_RETURN(store::Rows health,
                       conn.Query("SELECT coalesce(segmentation, ''), coalesce(segment, ''), "
                                  "check_name, message FROM health WHERE snapshot_id = $1",
                                  {info.snapshot_id}));
  for (const auto& row : health.rows) {
    report.health.push_back({store::ToText(row[0]), store::ToText(row[1]), store::ToText(row[2]),
                             store::ToText(row[3])});
  }
  return report;
}

Result<Comparison> CompareSnapshots(const Project& project, Workspace& workspace, int64_t a,
                                    int64_t b) {
  store::Connection& conn = workspace.connection();
  Comparison comparison;
  if (a == 0 && b == 0) {
    SEG_ASSIGN_OR_RETURN(comparison.a, FindSnapshot(workspace, 0, 1));
    SEG_ASSIGN_OR_RETURN(comparison.b, FindSnapshot(workspace, 0, 0));
  } else {
    SEG_ASSIGN_OR_RETURN(comparison.a, FindSnapshot(workspace, a, 0));
    SEG_ASSIGN_OR_RETURN(comparison.b, FindSnapshot(workspace, b, 0));
  }
  std::string features_b =
      DuckDbDialect().QuoteIdentifier(segment::FeaturesTableOf(comparison.b.snapshot_id));
  SEG_ASSIGN_OR_RETURN(auto segmentations,
                       segment::SnapshotSegmentations(conn, comparison.b.snapshot_id));
  for (const auto& [name, segments] : segmentations) {
    SegmentationComparison result{name, {}, {}};
    // Every customer of either snapshot, in their segment in A and in B ('' = none).
    SEG_ASSIGN_OR_RETURN(
        store::Rows rows,
        conn.Query("WITH a AS (SELECT customer_id, segment FROM memberships WHERE snapshot_id = "
                   "$1 AND segmentation = $3), b AS (SELECT customer_id, segment FROM memberships "
                   "WHERE snapshot_id = $2 AND segmentation = $3) "
                   "SELECT coalesce(a.segment, ''), coalesce(b.segment, ''), count(*), "
                   "coalesce(sum(f.monetary), 0) FROM a FULL JOIN b USING (customer_id) "
                   "LEFT JOIN " +
                       features_b +
                       " f USING (customer_id) GROUP BY 1, 2 "
                       "ORDER BY 1, 2",
                   {comparison.a.snapshot_id, comparison.b.snapshot_id, name}));
    for (const auto& row : rows.rows) {
      Migration migration{store::ToText(row[0]), store::ToText(row[1]), std::get<int64_t>(row[2]),
                          store::ToDouble(row[3])};
      if (migration.customers < project.min_group_size) {
        migration.customers = 0;
        migration.revenue = 0;
        migration.suppressed = true;
      }
      result.migrations.push_back(migration);
    }
    SEG_ASSIGN_OR_RETURN(std::vector<SizeChange> changes,
                         SizeChanges(conn, comparison, name, segments, project.min_group_size));
    result.sizes = std::move(changes);
    comparison.segmentations.push_back(std::move(result));
  }
  return comparison;
}

}  // namespace segmenta
