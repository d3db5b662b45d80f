// RunSegmentations: features → every segmenter in dependency order → profiles and
// health → one snapshot, written in one transaction.
#include <chrono>
#include <map>

#include "engine/dialect.h"
#include "segment/health.h"
#include "segment/history.h"
#include "segment/profile.h"
#include "segment/rules_segmenter.h"
#include "segment/segmenter.h"
#include "segment/value_run.h"
#include "segmenta/features.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta {
namespace {

using segment::Segmenter;

constexpr const char* kRunMemberships = "__run_memberships";
constexpr const char* kOutput = "__segment_out";
// The latest event per customer and type, as of the run (kept per snapshot).
constexpr const char* kRecency = "event_recency";

struct Planned {
  const SegmentationConfig* config;
  std::unique_ptr<Segmenter> segmenter;
  std::vector<std::string> depends_on;
  nlohmann::json model;
};

Status CreateRunTables(store::Connection& conn) {
  return conn.Execute(std::string("CREATE OR REPLACE TEMP TABLE ") + kRunMemberships +
                      " (segmentation VARCHAR, segment VARCHAR, customer_id VARCHAR, score "
                      "DOUBLE); CREATE OR REPLACE TEMP TABLE __rule_hits (segmentation VARCHAR, "
                      "segment VARCHAR, position INTEGER, customer_id VARCHAR)");
}

// The segmenters of the project, prepared and in the order they must run.
Result<std::vector<Planned>> Plan(const Project& project, segment::SegmentContext& context) {
  std::vector<Planned> planned;
  for (const SegmentationConfig& config : project.segmentations) {
    SEG_ASSIGN_OR_RETURN(std::unique_ptr<Segmenter> segmenter,
                         segment::MakeSegmenter(config, project));
    for (const std::string& name : segmenter->Segments()) {
      context.known_segments.emplace_back(config.name, name);
    }
    planned.push_back({&config, std::move(segmenter), {}, {}});
  }
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> edges;
  for (Planned& plan : planned) {
    Result<std::vector<std::string>> depends = plan.segmenter->Prepare(context);
    if (!depends.ok()) {
      return Status::InvalidArgument(project.file.string() + ":" +
                                     std::to_string(plan.config->line) + ": " +
                                     depends.status().message());
    }
    names.push_back(plan.config->name);
    edges.push_back(*depends);
  }
  std::vector<size_t> order;
  std::string cycle = segment::OrderByDependencies(names, edges, order);
  if (!cycle.empty()) {
    return Status::InvalidArgument(project.file.string() +
                                   ": segmentations read each other in a cycle: " + cycle);
  }
  std::vector<Planned> ordered;
  ordered.reserve(order.size());
  for (size_t index : order) ordered.push_back(std::move(planned[index]));
  return ordered;
}

std::string DataFingerprint(store::Connection& conn) {
  Result<store::Rows> rows = conn.Query(
      "SELECT count(*), CAST(max(ts) AS VARCHAR), CAST(round(sum(amount), 2) AS VARCHAR), "
      "(SELECT count(*) FROM customers) FROM events");
  if (!rows.ok() || rows->rows.empty()) return "";
  std::string print;
  for (const auto& value : rows->rows[0]) print += store::ToText(value) + "/";
  return print;
}

std::string ConfigHash(const Project& project) {
  std::string text;
  for (const SegmentationConfig& config : project.segmentations) {
    text += config.name + "|" + config.method + "|" + config.overlap + "|" +
            std::to_string(config.bins) + "|";
    for (const auto& [segment, rule] : config.rules) text += segment + "=" + rule + ";";
    for (const auto& [segment, cells] : config.grid) {
      text += segment + ":";
      for (const std::string& cell : cells) text += cell + ",";
    }
    for (const std::string& feature : config.features) text += feature + ",";
    for (const std::string& category : config.categories) text += category + ",";
    for (const auto& [feature, transform] : config.transforms) text += feature + transform;
    text += config.k + "|" + std::to_string(config.k_min) + "-" + std::to_string(config.k_max) +
            "|" + config.scaling + "|" + std::to_string(config.seed) + "|" +
            std::to_string(config.restarts) + "|" + config.covariance + "|" +
            std::to_string(config.gamma) + "|" + config.by + std::to_string(config.tiers[0]) +
            std::to_string(config.tiers[1]);
  }
  const ValueOptions& value = project.value;
  text += value.model + value.unit + std::to_string(value.discount_rate) +
          std::to_string(value.penalty) + std::to_string(value.churn_high_below) +
          std::to_string(value.churn_medium_below) + std::to_string(value.holdout_days);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016zx", std::hash<std::string>{}(text));
  return hex;
}

// Everything of the run, inside one transaction.
Status WriteSnapshot(store::Connection& conn, const Dialect& sql, RunReport& report,
                     const Project& project, const std::vector<Planned>& planned,
                     const std::vector<segment::SegmentProfile>& profiles,
                     const nlohmann::json& value) {
  SEG_ASSIGN_OR_RETURN(report.snapshot_id,
                       conn.QueryInt("SELECT coalesce(max(snapshot_id), 0) + 1 FROM snapshots"));
  std::string id = std::to_string(report.snapshot_id);
  SEG_RETURN_IF_ERROR(conn.Execute(
      "INSERT INTO snapshots (snapshot_id, created_at, as_of, config_hash, data_fingerprint, "
      "seconds) VALUES ($1, now(), CAST($2 AS DATE), $3, $4, $5)",
      {report.snapshot_id, report.as_of, ConfigHash(project), DataFingerprint(conn),
       report.seconds}));
  SEG_RETURN_IF_ERROR(conn.Execute("INSERT INTO memberships SELECT " + id +
                                   ", segmentation, customer_id, segment, score FROM " +
                                   kRunMemberships));
  for (const Planned& plan : planned) {
    SEG_RETURN_IF_ERROR(conn.Execute("INSERT INTO models VALUES ($1, $2, $3)",
                                     {report.snapshot_id, plan.config->name, plan.model.dump()}));
  }
  if (!value.is_null()) {
    SEG_RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO value_models VALUES ($1, $2, $3)",
        {report.snapshot_id, value["model"].dump(),
         value.contains("diagnostics") ? value["diagnostics"].dump() : std::string("null")}));
  }
  for (const segment::SegmentProfile& profile : profiles) {
    SEG_RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO profiles VALUES ($1, $2, $3, $4)",
        {report.snapshot_id, profile.segmentation, profile.segment, profile.json.dump()}));
  }
  for (const HealthWarning& warning : report.health) {
    SEG_RETURN_IF_ERROR(
        conn.Execute("INSERT INTO health VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), $4, $5)",
                     {report.snapshot_id, warning.segmentation, warning.segment, warning.check,
                      warning.message}));
  }
  // The run's tables become the snapshot's (a rename, not a copy); `features` stays
  // readable as a view of the newest.
  std::string features = sql.QuoteIdentifier(segment::FeaturesTableOf(report.snapshot_id));
  SEG_RETURN_IF_ERROR(conn.Execute(
      "ALTER TABLE " + sql.QuoteIdentifier("features") + " RENAME TO " + features +
      "; CREATE VIEW " + sql.QuoteIdentifier("features") + " AS SELECT * FROM " + features));
  SEG_RETURN_IF_ERROR(
      conn.Execute("ALTER TABLE " + sql.QuoteIdentifier(kRecency) + " RENAME TO " +
                   sql.QuoteIdentifier(segment::RecencyTableOf(report.snapshot_id))));
  return segment::UpdateHistory(conn, report.snapshot_id, report.as_of);
}

}  // namespace

Result<RunReport> RunSegmentations(const Project& project, Workspace& workspace,
                                   const RunOptions& options) {
  auto started = std::chrono::steady_clock::now();
  auto progress = [&](const std::string& step, double done) {
    if (options.progress) options.progress(step, done);
  };
  if (project.segmentations.empty()) {
    return Status::InvalidArgument(project.file.string() +
                                   " declares no segmentation; add [[segmentation]] with name "
                                   "and method (rfm, rules, journey)");
  }
  store::Connection& conn = workspace.connection();
  const Dialect& sql = DuckDbDialect();
  FeatureOptions feature_options = project.features;
  if (options.as_of) feature_options.as_of = options.as_of;
  SEG_ASSIGN_OR_RETURN(
      FeatureTable table,
      BuildFeatures(workspace, feature_options, [&](double done) { progress("features", done); }));
  RunReport report;
  report.as_of = table.as_of;
  report.customers = table.customers;
  nlohmann::json value;
  if (segment::ValueModelsNeeded(project)) {
    progress("value models", -1);
    SEG_ASSIGN_OR_RETURN(value, segment::AddValueFeatures(conn, sql, project, table.as_of,
                                                          sql.QuoteIdentifier("features")));
  }
  SEG_RETURN_IF_ERROR(CreateRunTables(conn));
  segment::SegmentContext context{conn, sql,     sql.QuoteIdentifier("features"), table.as_of, "",
                                  {},   &project};
  context.memberships_table = std::string("(SELECT segmentation, segment, customer_id FROM ") +
                              kRunMemberships +
                              " UNION ALL SELECT segmentation, segment, customer_id FROM "
                              "__rule_hits)";
  progress("events", -1);
  SEG_RETURN_IF_ERROR(segment::BuildEventRecency(context, sql.QuoteIdentifier(kRecency)));
  context.recency_table = sql.QuoteIdentifier(kRecency);
  SEG_ASSIGN_OR_RETURN(std::vector<Planned> planned, Plan(project, context));
  for (size_t index = 0; index < planned.size(); ++index) {
    Planned& plan = planned[index];
    progress(plan.config->name, static_cast<double>(index) / planned.size());
    auto segmenter_started = std::chrono::steady_clock::now();
    SEG_ASSIGN_OR_RETURN(segment::SegmenterResult result, plan.segmenter->Run(context, kOutput));
    plan.model = std::move(result.model);
    plan.model["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - segmenter_started).count();
    plan.model["segments"] = plan.segmenter->Segments();
    SEG_RETURN_IF_ERROR(conn.Execute(std::string("INSERT INTO ") + kRunMemberships + " SELECT " +
                                     sql.QuoteString(plan.config->name) +
                                     ", segment, customer_id, score FROM " + kOutput));
  }
  progress("profiles", -1);
  for (const Planned& plan : planned) {
    SEG_ASSIGN_OR_RETURN(
        SegmentationResult sizes,
        segment::SegmentSizes(conn, kRunMemberships, "features", *plan.config,
                              plan.segmenter->Segments(), table.customers, project.min_group_size));
    report.segmentations.push_back(std::move(sizes));
  }
  SEG_ASSIGN_OR_RETURN(std::vector<segment::SegmentProfile> profiles,
                       segment::BuildProfiles(context, kRunMemberships, report.segmentations,
                                              project.min_group_size));
  SEG_ASSIGN_OR_RETURN(report.health, segment::CheckHealth(conn, report, project.min_group_size));
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  progress("snapshot", -1);
  SEG_RETURN_IF_ERROR(store::InTransaction(
      conn, [&] { return WriteSnapshot(conn, sql, report, project, planned, profiles, value); }));
  (void)conn.Execute(std::string("DROP TABLE IF EXISTS ") + kRunMemberships +
                     "; DROP TABLE IF EXISTS __rule_hits; DROP TABLE IF EXISTS " + kOutput);
  return report;
}

}  // namespace segmenta
