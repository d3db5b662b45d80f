// Creating experiments (the frozen assignment), reading them back, their arms' members.
#include <algorithm>
#include <regex>

#include "lifecycle/experiment.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta {
namespace {

Status CheckGoalType(store::Connection& conn, const std::string& type) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query("SELECT DISTINCT type FROM event_types ORDER BY 1"));
  std::vector<std::string> types;
  for (const auto& row : rows.rows) types.push_back(store::ToText(row[0]));
  if (std::find(types.begin(), types.end(), type) != types.end()) return Status::Ok();
  std::string hint = ClosestMatch(type, types);
  return Status::InvalidArgument("the goal's event type '" + type + "' is not in the events" +
                                 (hint.empty() ? "" : "; did you mean '" + hint + "'?") +
                                 (types.empty() ? " (no events are loaded yet)" : ""));
}

Result<std::vector<std::string>> ExperimentNames(store::Connection& conn) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query("SELECT experiment_id FROM experiments ORDER BY 1"));
  std::vector<std::string> names;
  for (const auto& row : rows.rows) names.push_back(store::ToText(row[0]));
  return names;
}

Status NotFoundExperiment(store::Connection& conn, const std::string& name) {
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> names, ExperimentNames(conn));
  std::string hint = ClosestMatch(name, names);
  return Status::NotFound("no experiment '" + name + "'" +
                          (hint.empty() ? "; `segmenta experiment list` shows them"
                                        : "; did you mean '" + hint + "'?"));
}

// The start date: the given one (not before the first snapshot) or the latest
// snapshot's as_of.
Result<std::string> ResolveStart(Workspace& workspace, const std::optional<std::string>& start) {
  SEG_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, ListSnapshots(workspace));
  if (snapshots.empty()) {
    return Status::InvalidArgument(
        "there is no snapshot yet: run `segmenta run` first, so the segment's members can be "
        "frozen");
  }
  if (!start) return snapshots.back().as_of;
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  SEG_ASSIGN_OR_RETURN(int64_t valid,
                       workspace.connection().QueryInt(
                           "SELECT CAST(TRY_CAST($1 AS DATE) IS NOT NULL AS INTEGER)", {*start}));
  if (!std::regex_match(*start, kDate) || valid == 0) {
    return Status::InvalidArgument("the start must be a date YYYY-MM-DD, not '" + *start + "'");
  }
  std::string first = snapshots.front().as_of;
  for (const SnapshotInfo& snapshot : snapshots) first = std::min(first, snapshot.as_of);
  if (*start < first) {
    return Status::InvalidArgument("the start " + *start + " is before the first snapshot (as of " +
                                   first + "): nobody's membership is known then");
  }
  return *start;
}

// The segment's members on the start date; unknown names are a usage error here.
Result<std::vector<std::string>> FrozenMembers(const Project& project, Workspace& workspace,
                                               const ExperimentDefinition& d) {
  Result<std::vector<std::string>> members =
      ListMembers(workspace, {d.segmentation, d.segment, d.start, 0});
  if (!members.ok()) {
    if (members.status().code() != StatusCode::kNotFound) return members.status();
    return Status::InvalidArgument(members.status().message());
  }
  if (static_cast<int64_t>(members->size()) < project.min_group_size) {
    return Status::InvalidArgument(d.segmentation + "/" + d.segment + " had fewer than " +
                                   "privacy.min_group_size (" +
                                   std::to_string(project.min_group_size) + ") members on " +
                                   *d.start + ": too few for an experiment");
  }
  return members;
}

Status StoreAssignment(store::Connection& conn, const Experiment& experiment,
                       const std::vector<std::string>& members) {
  const ExperimentDefinition& d = experiment.definition;
  std::vector<experiment::ArmRange> ranges = experiment::ArmRanges(d);
  SEG_ASSIGN_OR_RETURN(store::Appender appender, conn.MakeAppender("experiment_assignments"));
  for (const std::string& customer : members) {
    int bucket = ExperimentBucket(d.name, customer);
    appender.Append(d.name);
    appender.Append(customer);
    appender.Append(experiment::ArmOf(ranges, bucket));
    appender.Append(int64_t{bucket});
    SEG_RETURN_IF_ERROR(appender.EndRow());
  }
  return appender.Flush();
}

std::string AuditDetail(const Experiment& experiment) {
  const ExperimentDefinition& d = experiment.definition;
  std::string arms;
  for (const ExperimentVariant& variant : d.variants) {
    arms += variant.name + " " + nlohmann::json(variant.weight).dump() + "%, ";
  }
  return d.segmentation + "/" + d.segment + "; " + arms + "holdout " +
         nlohmann::json(d.holdout).dump() + "%; goal " + d.goal + "; start " + *d.start + "; " +
         std::to_string(experiment.customers) + " customers";
}

// Experiments (all, or the one named) with their live assignment counts.
Result<std::vector<Experiment>> Select(const Project& project, Workspace& workspace,
                                       const std::optional<std::string>& name) {
  std::string sql =
      "SELECT e.json, (SELECT count(*) FROM experiment_assignments a WHERE a.experiment_id = "
      "e.experiment_id) FROM experiments e";
  std::vector<store::Value> params;
  if (name) {
    sql += " WHERE e.experiment_id = $1";
    params.push_back(*name);
  }
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(sql + " ORDER BY e.created_at, e.experiment_id", params));
  std::vector<Experiment> experiments;
  for (const auto& row : rows.rows) {
    SEG_ASSIGN_OR_RETURN(Experiment experiment, experiment::FromStoredJson(store::ToText(row[0])));
    experiment.customers = std::get<int64_t>(row[1]);
    experiment.suppressed = experiment.customers < project.min_group_size;
    if (experiment.suppressed) experiment.customers = 0;
    experiments.push_back(std::move(experiment));
  }
  return experiments;
}

}  // namespace

Result<Experiment> CreateExperiment(const Project& project, Workspace& workspace,
                                    const ExperimentDefinition& definition,
                                    const std::string& actor) {
  SEG_RETURN_IF_ERROR(experiment::CheckDefinition(definition));
  SEG_ASSIGN_OR_RETURN(experiment::Goal goal, experiment::ParseGoal(definition.goal));
  store::Connection& conn = workspace.connection();
  SEG_RETURN_IF_ERROR(CheckGoalType(conn, goal.event_type));
  Experiment made;
  made.definition = definition;
  made.goal_type = goal.event_type;
  made.window_days = goal.window_days;
  made.created_by = actor;
  if (definition.baseline.has_value() != definition.lift.has_value()) {
    return Status::InvalidArgument("--baseline and --lift go together (or neither)");
  }
  if (definition.baseline) {
    SEG_ASSIGN_OR_RETURN(made.plan, PlanExperiment({*definition.baseline, *definition.lift}));
  }
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> names, ExperimentNames(conn));
  if (std::find(names.begin(), names.end(), definition.name) != names.end()) {
    return Status::InvalidArgument("an experiment named '" + definition.name +
                                   "' exists; choose another name");
  }
  SEG_ASSIGN_OR_RETURN(made.definition.start, ResolveStart(workspace, definition.start));
  SEG_ASSIGN_OR_RETURN(std::vector<std::string> members,
                       FrozenMembers(project, workspace, made.definition));
  made.customers = static_cast<int64_t>(members.size());
  SEG_ASSIGN_OR_RETURN(
      store::Rows now,
      conn.Query("SELECT strftime(now() AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S')"));
  made.created_at = store::ToText(now.rows.at(0).at(0));
  SEG_RETURN_IF_ERROR(store::InTransaction(conn, [&]() -> Status {
    SEG_RETURN_IF_ERROR(conn.Execute(
        "INSERT INTO experiments (experiment_id, created_at, json) VALUES ($1, CAST($2 AS "
        "TIMESTAMP), $3)",
        {definition.name, made.created_at, experiment::ToStoredJson(made).dump()}));
    SEG_RETURN_IF_ERROR(StoreAssignment(conn, made, members));
    return AppendAudit(workspace, actor, "experiment create", "experiment " + definition.name,
                       AuditDetail(made));
  }));
  return made;
}

Result<Experiment> LoadExperiment(const Project& project, Workspace& workspace,
                                  const std::string& name) {
  SEG_ASSIGN_OR_RETURN(std::vector<Experiment> found, Select(project, workspace, name));
  if (found.empty()) return NotFoundExperiment(workspace.connection(), name);
  return std::move(found.front());
}

Result<std::vector<Experiment>> ListExperiments(const Project& project, Workspace& workspace) {
  return Select(project, workspace, std::nullopt);
}

Result<std::vector<std::string>> ExperimentMembers(Workspace& workspace, const std::string& name,
                                                   const std::string& arm) {
  store::Connection& conn = workspace.connection();
  SEG_ASSIGN_OR_RETURN(store::Rows stored,
                       conn.Query("SELECT json FROM experiments WHERE experiment_id = $1", {name}));
  if (stored.rows.empty()) return NotFoundExperiment(conn, name);
  SEG_ASSIGN_OR_RETURN(Experiment experiment,
                       experiment::FromStoredJson(store::ToText(stored.rows[0][0])));
  std::vector<std::string> arms;
  for (const experiment::ArmRange& range : experiment::ArmRanges(experiment.definition)) {
    arms.push_back(range.arm);
  }
  if (std::find(arms.begin(), arms.end(), arm) == arms.end()) {
    std::string hint = ClosestMatch(arm, arms);
    return Status::NotFound("experiment '" + name + "' has no arm '" + arm + "'" +
                            (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
  }
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       conn.Query("SELECT customer_id FROM experiment_assignments WHERE "
                                  "experiment_id = $1 AND variant = $2 ORDER BY customer_id",
                                  {name, arm}));
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows.rows) ids.push_back(store::ToText(row[0]));
  return ids;
}

}  // namespace segmenta
