#include "segment/history.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "segmenta/project.h"
#include "segmenta/segments.h"
#include "segmenta/workspace.h"

namespace segmenta {
namespace segment {
namespace {

// Rebuilds membership_history from all snapshots: a customer's run of consecutive
// snapshots (in as_of order) in one segment is one interval, closed by the as_of of
// the first snapshot after it, if any.
Status RebuildHistory(store::Connection& conn) {
  return conn.Execute(R"sql(
DELETE FROM membership_history;
INSERT INTO membership_history
WITH ordered AS (
  SELECT snapshot_id, CAST(as_of AS TIMESTAMP) AS at_ts,
         row_number() OVER (ORDER BY as_of, snapshot_id) AS n,
         lead(CAST(as_of AS TIMESTAMP)) OVER (ORDER BY as_of, snapshot_id) AS next_at
  FROM snapshots),
member AS (
  SELECT m.segmentation, m.segment, m.customer_id, o.n, o.at_ts, o.next_at,
         o.n - row_number() OVER (PARTITION BY m.segmentation, m.segment, m.customer_id
                                  ORDER BY o.n) AS island
  FROM memberships m JOIN ordered o USING (snapshot_id))
SELECT segmentation, segment, customer_id, min(at_ts), arg_max_null(next_at, n)
FROM member GROUP BY segmentation, segment, customer_id, island
)sql");
}

}  // namespace

std::string FeaturesTableOf(int64_t snapshot_id) {
  return "features_" + std::to_string(snapshot_id);
}

std::string RecencyTableOf(int64_t snapshot_id) {
  return "event_recency_" + std::to_string(snapshot_id);
}

Result<std::string> SnapshotRecencyTable(store::Connection& conn, int64_t snapshot_id) {
  std::string name = RecencyTableOf(snapshot_id);
  SEG_ASSIGN_OR_RETURN(int64_t found,
                       conn.QueryInt("SELECT count(*) FROM information_schema.tables WHERE "
                                     "table_name = $1",
                                     {name}));
  return found > 0 ? "\"" + name + "\"" : std::string();
}

Status UpdateHistory(store::Connection& conn, int64_t snapshot_id, const std::string& as_of) {
  SEG_ASSIGN_OR_RETURN(
      int64_t later,
      conn.QueryInt("SELECT count(*) FROM snapshots WHERE snapshot_id <> $1 AND "
                    "(as_of > CAST($2 AS DATE) OR (as_of = CAST($2 AS DATE) AND snapshot_id > $1))",
                    {snapshot_id, as_of}));
  if (later > 0) return RebuildHistory(conn);
  std::string id = std::to_string(snapshot_id);
  // Close the intervals of those no longer in their segment, then open the new ones.
  SEG_RETURN_IF_ERROR(
      conn.Execute("UPDATE membership_history h SET exited_at = CAST($1 AS TIMESTAMP) "
                   "WHERE exited_at IS NULL AND NOT EXISTS (SELECT 1 FROM memberships m WHERE "
                   "m.snapshot_id = " +
                       id +
                       " AND m.segmentation = h.segmentation AND "
                       "m.segment = h.segment AND m.customer_id = h.customer_id)",
                   {as_of}));
  return conn.Execute(
      "INSERT INTO membership_history SELECT m.segmentation, m.segment, m.customer_id, "
      "CAST($1 AS TIMESTAMP), NULL FROM memberships m WHERE m.snapshot_id = " +
          id +
          " AND NOT EXISTS (SELECT 1 FROM membership_history h WHERE h.exited_at IS NULL AND "
          "m.segmentation = h.segmentation AND m.segment = h.segment AND "
          "m.customer_id = h.customer_id)",
      {as_of});
}

Result<std::vector<std::pair<std::string, std::vector<std::string>>>> SnapshotSegmentations(
    store::Connection& conn, int64_t snapshot_id) {
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      conn.Query("SELECT segmentation, json FROM models WHERE snapshot_id = $1 ORDER BY rowid",
                 {snapshot_id}));
  std::vector<std::pair<std::string, std::vector<std::string>>> result;
  for (const auto& row : rows.rows) {
    nlohmann::json model = nlohmann::json::parse(store::ToText(row[1]), nullptr, false);
    std::vector<std::string> segments;
    if (model.is_object() && model["segments"].is_array()) {
      for (const auto& segment : model["segments"]) {
        if (segment.is_string()) segments.push_back(segment.get<std::string>());
      }
    }
    result.emplace_back(store::ToText(row[0]), std::move(segments));
  }
  return result;
}

}  // namespace segment

Result<std::vector<SnapshotInfo>> ListSnapshots(Workspace& workspace) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       workspace.connection().Query(
                           "SELECT snapshot_id, CAST(date_trunc('second', created_at) AS VARCHAR), "
                           "CAST(as_of AS VARCHAR) FROM snapshots ORDER BY snapshot_id"));
  std::vector<SnapshotInfo> snapshots;
  for (const auto& row : rows.rows) {
    snapshots.push_back({std::get<int64_t>(row[0]), store::ToText(row[1]), store::ToText(row[2])});
  }
  return snapshots;
}

Result<std::vector<std::string>> ListMembers(Workspace& workspace, const MembersQuery& query) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(store::Rows known,
                       conn.Query("SELECT DISTINCT segmentation, segment FROM membership_history"));
  std::vector<std::string> segmentations, segments;
  for (const auto& row : known.rows) {
    std::string segmentation = store::ToText(row[0]);
    if (std::find(segmentations.begin(), segmentations.end(), segmentation) ==
        segmentations.end()) {
      segmentations.push_back(segmentation);
    }
    if (segmentation == query.segmentation) segments.push_back(store::ToText(row[1]));
  }
  auto not_found = [](const std::string& what, const std::string& name,
                      const std::vector<std::string>& names) {
    std::string hint = ClosestMatch(name, names);
    return Status::NotFound("no " + what + " '" + name + "' in any snapshot" +
                            (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  };
  if (segments.empty()) return not_found("segmentation", query.segmentation, segmentations);
  if (std::find(segments.begin(), segments.end(), query.segment) == segments.end()) {
    return not_found("segment", query.segment, segments);
  }
  if (query.at) {
    SEG_ASSIGN_OR_RETURN(int64_t valid,
                         conn.QueryInt("SELECT CAST(TRY_CAST($1 AS DATE) IS NOT NULL AND "
                                       "length($1) = 10 AS INTEGER)",
                                       {*query.at}));
    if (valid == 0) {
      return Status::InvalidArgument("--at must be a date YYYY-MM-DD, not '" + *query.at + "'");
    }
  }
  std::string sql =
      "SELECT customer_id FROM membership_history WHERE segmentation = $1 AND segment = $2 AND ";
  std::vector<store::Value> params = {query.segmentation, query.segment};
  if (query.at) {
    sql +=
        "entered_at <= CAST($3 AS TIMESTAMP) AND (exited_at IS NULL OR exited_at > "
        "CAST($3 AS TIMESTAMP))";
    params.push_back(*query.at);
  } else {
    sql += "exited_at IS NULL";
  }
  sql += " ORDER BY customer_id";
  if (query.limit > 0) sql += " LIMIT " + std::to_string(query.limit);
  SEG_ASSIGN_OR_RETURN(store::Rows rows, conn.Query(sql, params));
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows.rows) ids.push_back(store::ToText(row[0]));
  return ids;
}

}  // namespace segmenta
