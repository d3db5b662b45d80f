// Segments: run every segmentation of the project into an immutable snapshot, and ask
// about the result — sizes, members (now or on a past date), how segments moved
// between snapshots.
//
//   SEG_ASSIGN_OR_RETURN(segmenta::RunReport run, segmenta::RunSegmentations(project, ws, {}));
//   for (const auto& s : run.segmentations) ...
//   SEG_ASSIGN_OR_RETURN(auto members, segmenta::ListMembers(ws, {"rfm", "Champions"}));
//
// A run writes one snapshot in one transaction (memberships, models, profiles, health
// warnings and a copy of the feature table used): a run that fails or is killed leaves
// the previous snapshots as they were. Like the Workspace, not thread-safe.
#ifndef SEGMENTA_SEGMENTS_H_
#define SEGMENTA_SEGMENTS_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

struct RunOptions {
  std::optional<std::string> as_of;  // overrides the project's as_of
  // Called from this thread with a step name and the share done (-1: unknown).
  std::function<void(const std::string& step, double done)> progress;
};

struct SegmentSize {
  std::string segment;
  int64_t customers = 0;    // 0 shown for a suppressed (too small) segment
  double share = 0;         // of all customers
  double revenue = 0;       // net revenue (monetary) of its members
  bool suppressed = false;  // fewer members than privacy.min_group_size
};

struct SegmentationResult {
  std::string name;
  std::string method;
  std::vector<SegmentSize> segments;  // display order
};

struct HealthWarning {
  std::string segmentation;  // "" for warnings about the data
  std::string segment;       // "" for the whole segmentation
  std::string check;         // too_broad, too_small, stale_data, missing_features, ...
  std::string message;
};

struct RunReport {
  int64_t snapshot_id = 0;
  std::string as_of;
  int64_t customers = 0;
  std::vector<SegmentationResult> segmentations;
  std::vector<HealthWarning> health;
  double seconds = 0;
};

// Builds the features and runs every [[segmentation]] into a new snapshot.
Result<RunReport> RunSegmentations(const Project& project, Workspace& workspace,
                                   const RunOptions& options);

struct SnapshotInfo {
  int64_t snapshot_id = 0;
  std::string created_at;
  std::string as_of;
};
Result<std::vector<SnapshotInfo>> ListSnapshots(Workspace& workspace);

// Sizes of the segments of one snapshot (the latest when 0), all segmentations.
Result<RunReport> LoadSnapshot(const Project& project, Workspace& workspace,
                               int64_t snapshot_id = 0);

struct MembersQuery {
  std::string segmentation;
  std::string segment;
  std::optional<std::string> at;  // YYYY-MM-DD: members on that date (from the history)
  int64_t limit = 0;              // 0: all
};
// Customer ids, sorted. Unknown segmentation or segment → NotFound naming the closest.
Result<std::vector<std::string>> ListMembers(Workspace& workspace, const MembersQuery& query);

struct Migration {
  std::string from, to;  // segments in snapshot A and B ("" = not a member)
  int64_t customers = 0;
  double revenue = 0;       // net revenue in B of those customers
  bool suppressed = false;  // fewer than privacy.min_group_size: counts hidden (0)
};
struct SizeChange {
  std::string segment;
  int64_t a = 0, b = 0;     // customers in snapshot A and B
  bool suppressed = false;  // either side under privacy.min_group_size: a and b hidden (0)
  // Customers in the segment in B but not in A, and in A but not in B; nullopt when
  // under privacy.min_group_size.
  std::optional<int64_t> gained, lost;
};
struct SegmentationComparison {
  std::string segmentation;
  std::vector<Migration> migrations;  // non-empty cells only
  std::vector<SizeChange> sizes;      // display order
};
struct Comparison {
  SnapshotInfo a, b;
  std::vector<SegmentationComparison> segmentations;
};
// A and B default to the two latest snapshots.
Result<Comparison> CompareSnapshots(const Project& project, Workspace& workspace, int64_t a = 0,
                                    int64_t b = 0);

// Why one customer is where they are, in the latest snapshot.
struct Explanation {
  std::string segmentation;
  std::string method;
  std::vector<std::string> segments;  // the customer's segments (none: not in any)
  std::vector<std::string> reasons;   // one line each: thresholds, rule clauses, values
};
struct CustomerView {
  std::string customer_id;
  int64_t snapshot_id = 0;
  std::string as_of;
  std::vector<std::pair<std::string, std::string>> features;  // name → value as text
  std::vector<Explanation> explanations;
};
// NotFound (naming the closest id) for a customer not in the latest snapshot.
Result<CustomerView> ExplainCustomer(const Project& project, Workspace& workspace,
                                     const std::string& customer_id);

// The stored model (JSON text) of one segmentation in the latest snapshot: thresholds,
// rules, or for clusters the preparation, k search figures, centres and matching.
// NotFound (naming the closest segmentation) when there is none.
Result<std::string> SegmentationModelJson(Workspace& workspace, const std::string& segmentation);

// The stored profile (JSON text) of one segment in the latest snapshot.
Result<std::string> SegmentProfileJson(Workspace& workspace, const std::string& segmentation,
                                       const std::string& segment);

// How many customers of the latest snapshot a rule selects, and a few of them: for
// writing rules. InvalidArgument with a caret under the mistake for a bad rule.
struct RulePreview {
  int64_t customers = 0;
  int64_t base = 0;
  std::vector<std::string> sample;  // up to `sample` ids, sorted
  double milliseconds = 0;
};
// With `keep_windows`, the per-customer results of count() and sum() over each event
// window are kept in this workspace handle's connection (temporary tables, dropped when
// the data or the snapshot changes), so the next preview reading the same window skips
// the events: for a long-lived handle such as a server session.
Result<RulePreview> PreviewRule(const Project& project, Workspace& workspace,
                                const std::string& rule, int sample = 10,
                                bool keep_windows = false);

// Erases one customer from every table that holds them — customers, events,
// quarantined rows, every snapshot's features and memberships, the history, experiment
// assignments, webhook batches not yet delivered — in one
// transaction, and records it in `audit` with the id's SHA-256, never the id.
// Profiles are aggregates and stay. Returns the number of rows removed.
// `actor` is who asked, for the audit entry (the CLI: "segmenta"; the API: the token).
Result<int64_t> ForgetCustomer(Workspace& workspace, const std::string& customer_id,
                               const std::string& actor = "segmenta");

// The RFM grid of an rfm segmentation: customers per (R, F) score cell, with the cell's
// segment. Cells under privacy.min_group_size are suppressed (customers 0).
struct RfmCell {
  int r = 0, f = 0;
  int64_t customers = 0;
  std::string segment;
  bool suppressed = false;
};
struct RfmGrid {
  int bins = 0;  // scores run 1..bins (0: no customer with a score)
  std::vector<RfmCell> cells;
};
Result<RfmGrid> LoadRfmGrid(Workspace& workspace, int64_t snapshot_id,
                            const std::string& segmentation, int min_group_size);

// Writes the latest snapshot as one self-contained HTML file (no scripts, no network
// request: charts are inline SVG): overview, segment sizes, the RFM grid as a heatmap,
// profile cards, moves since the previous snapshot, health warnings, customer value when
// the value models ran, and per-segment KPIs with the campaigns' spend and return. Groups
// below privacy.min_group_size are withheld.
Status WriteReport(const Project& project, Workspace& workspace, const std::filesystem::path& file);

}  // namespace segmenta

#endif  // SEGMENTA_SEGMENTS_H_
