// Reading an experiment's outcome: per arm (and per segment) customers, conversions and
// revenue in the goal window, each variant against the hold-out, and the warnings.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "lifecycle/experiment.h"
#include "lifecycle/stats.h"
#include "segment/format.h"
#include "store/database.h"

namespace segmenta {
namespace {

constexpr double kAlpha = 0.05;
constexpr double kDefaultLift = 0.1;  // planned sample without a plan: a 10 % relative lift

// Per customer of the assignment: converted (a goal event in the window) and revenue
// (purchases and refunds in the window). Money is summed as DECIMAL(18,4): exact, so
// the figures do not depend on the order DuckDB's threads add them in.
// $1 experiment, $2 goal type, $3 start, $4 window days.
constexpr const char* kPerCustomer = R"sql(
WITH assigned AS (
  SELECT customer_id, variant FROM experiment_assignments WHERE experiment_id = $1),
window_events AS (
  SELECT customer_id,
         max(CASE WHEN type = $2 THEN 1 ELSE 0 END) AS converted,
         sum(CASE WHEN type IN ('purchase', 'refund')
                  THEN CAST(coalesce(amount, 0) AS DECIMAL(18, 4)) ELSE 0 END) AS revenue
  FROM events
  WHERE ts >= CAST($3 AS TIMESTAMP) AND ts < CAST($3 AS TIMESTAMP) + to_days(CAST($4 AS INTEGER))
    AND (type = $2 OR type IN ('purchase', 'refund'))
    AND customer_id IN (SELECT customer_id FROM assigned)
  GROUP BY customer_id),
per_customer AS (
  SELECT a.customer_id, a.variant, coalesce(w.converted, 0) AS converted,
         CAST(coalesce(w.revenue, 0) AS DECIMAL(18, 4)) AS revenue
  FROM assigned a LEFT JOIN window_events w USING (customer_id))
)sql";

struct Cell {
  int64_t customers = 0, conversions = 0;
  double revenue_mean = 0, revenue_variance = 0;
};
using Cells = std::map<std::string, Cell>;  // arm → figures

// (group → arm → cell); the group is "" without `by`.
Result<std::map<std::string, Cells>> Figures(Workspace& workspace, const Experiment& experiment,
                                             const std::optional<std::string>& by) {
  std::string sql = std::string(kPerCustomer) + "SELECT " + (by ? "m.segment" : "''") +
                    ", p.variant, count(*), sum(p.converted), sum(p.revenue), "
                    "sum(p.revenue * p.revenue) FROM per_customer p ";
  std::vector<store::Value> params = {experiment.definition.name, experiment.goal_type,
                                      *experiment.definition.start,
                                      int64_t{experiment.window_days}};
  if (by) {
    sql +=
        "JOIN memberships m ON m.customer_id = p.customer_id AND m.segmentation = $5 AND "
        "m.snapshot_id = (SELECT max(snapshot_id) FROM snapshots) ";
    params.push_back(*by);
  }
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       workspace.connection().Query(sql + "GROUP BY ALL", params));
  std::map<std::string, Cells> groups;
  for (const auto& row : rows.rows) {
    Cell& cell = groups[store::ToText(row[0])][store::ToText(row[1])];
    cell.customers = std::get<int64_t>(row[2]);
    cell.conversions = static_cast<int64_t>(store::ToDouble(row[3]));
    const double n = static_cast<double>(cell.customers), sum = store::ToDouble(row[4]);
    cell.revenue_mean = sum / n;
    // Sample variance from the exact sums (clamped: rounding may leave -0.000…).
    if (cell.customers > 1) {
      cell.revenue_variance =
          std::max(0.0, (store::ToDouble(row[5]) - sum * cell.revenue_mean) / (n - 1));
    }
  }
  return groups;
}

std::string Points(double difference) {
  double points = std::round(difference * 1000) / 10;
  char text[32];
  std::snprintf(text, sizeof text, "%+.1f", points == 0 ? 0.0 : points);
  return text;
}

std::string PValue(double p) {
  char text[32];
  if (p < 0.001) return "p < 0.001";
  std::snprintf(text, sizeof text, p < 0.01 ? "p = %.3f" : "p = %.2f", p);
  return text;
}

ArmComparison Compare(const std::string& arm, const Cell& a, const Cell& holdout) {
  stats::ProportionComparison rate =
      stats::CompareProportions(a.conversions, a.customers, holdout.conversions, holdout.customers);
  stats::MeanComparison revenue =
      stats::CompareMeans({a.customers, a.revenue_mean, a.revenue_variance},
                          {holdout.customers, holdout.revenue_mean, holdout.revenue_variance});
  ArmComparison c{
      rate.difference,    rate.ci_low,    rate.ci_high,    std::nullopt,    rate.z, rate.p_value,
      revenue.difference, revenue.ci_low, revenue.ci_high, "no_difference", ""};
  if (std::isfinite(rate.relative_lift)) c.relative_lift = rate.relative_lift;
  std::string figures = " (" + Points(rate.difference) + " points, " + PValue(rate.p_value) + ")";
  if (rate.p_value < kAlpha) {
    c.verdict = rate.difference > 0 ? "better" : "worse";
    c.summary = arm + " converts " + c.verdict + " than the hold-out" + figures;
  } else {
    c.summary = arm + ": no significant difference from the hold-out yet" + figures;
  }
  return c;
}

// The arms in order, suppressed under min_group_size, compared with the hold-out.
std::vector<ArmResult> Arms(const Experiment& experiment, const Cells& cells, int min_group_size) {
  std::vector<ArmResult> arms;
  for (const experiment::ArmRange& range : experiment::ArmRanges(experiment.definition)) {
    auto found = cells.find(range.arm);
    Cell cell = found == cells.end() ? Cell{} : found->second;
    ArmResult arm{range.arm, cell.customers, cell.conversions};
    arm.suppressed = cell.customers < std::max(1, min_group_size);
    if (!arm.suppressed) {
      arm.conversion_rate =
          static_cast<double>(cell.conversions) / static_cast<double>(cell.customers);
      arm.revenue_per_customer = cell.revenue_mean;
    } else {
      arm.customers = arm.conversions = 0;
    }
    arms.push_back(arm);
  }
  const ArmResult& holdout = arms.back();
  if (holdout.suppressed) return arms;
  const Cell& holdout_cell = cells.at(kHoldoutArm);
  for (size_t arm_idx = 0; arm_idx + 1 < arms.size(); ++arm_idx) {
    if (arms[arm_idx].suppressed) continue;
    arms[arm_idx].vs_holdout =
        Compare(arms[arm_idx].arm, cells.at(arms[arm_idx].arm), holdout_cell);
  }
  return arms;
}

// The planned sample per arm and how it was planned, for the warning.
std::optional<int64_t> Planned(const Experiment& experiment, const ArmResult& holdout,
                               std::string& how) {
  if (experiment.plan) {
    how = "planned for baseline " + segment::Percent(experiment.plan->baseline, 1) + " and lift " +
          segment::Percent(experiment.plan->lift, 1);
    return experiment.plan->per_arm;
  }
  double rate = holdout.conversion_rate;
  if (holdout.suppressed || !(rate > 0 && rate * (1 + kDefaultLift) < 1)) return std::nullopt;
  how = "to detect a 10% lift on the hold-out's " + segment::Percent(rate, 1);
  return stats::SampleSizePerArm(rate, kDefaultLift, kAlpha, 0.8);
}

Status AddWindow(Workspace& workspace, ExperimentAnalysis& analysis) {
  const Experiment& e = analysis.experiment;
  SEG_ASSIGN_OR_RETURN(
      store::Rows rows,
      workspace.connection().Query(
          "SELECT CAST(CAST(CAST($1 AS DATE) + to_days(CAST($2 AS INTEGER)) AS DATE) AS VARCHAR), "
          "CAST(CAST(max(ts) AS DATE) AS VARCHAR), max(ts) < CAST($1 AS DATE) + "
          "to_days(CAST($2 AS INTEGER)) FROM events",
          {*e.definition.start, int64_t{e.window_days}}));
  analysis.window_ends = store::ToText(rows.rows[0][0]);
  const store::Value& newest = rows.rows[0][1];
  analysis.provisional = store::IsNull(newest) || std::get<bool>(rows.rows[0][2]);
  if (analysis.provisional) {
    analysis.warnings.push_back(
        "results are provisional until " + analysis.window_ends + ": the goal window (" +
        std::to_string(e.window_days) + " days from " + *e.definition.start +
        ") is not over in the data" +
        (store::IsNull(newest) ? "" : " (newest event " + store::ToText(newest) + ")"));
  }
  return Status::Ok();
}

void AddSampleWarnings(ExperimentAnalysis& analysis) {
  std::string how;
  analysis.planned_per_arm = Planned(analysis.experiment, analysis.arms.back(), how);
  if (analysis.arms.back().suppressed) {
    analysis.warnings.push_back(
        "the hold-out has fewer than privacy.min_group_size customers: "
        "no variant is compared with it");
  }
  if (!analysis.planned_per_arm) return;
  std::string below;
  for (const ArmResult& arm : analysis.arms) {
    if (!arm.suppressed && arm.customers >= *analysis.planned_per_arm) continue;
    below += (below.empty() ? "" : ", ") + arm.arm + " (" +
             (arm.suppressed ? "under the minimum group size" : segment::Count(arm.customers)) +
             ")";
  }
  if (below.empty()) return;
  analysis.warnings.push_back("below the planned sample of " +
                              segment::Count(*analysis.planned_per_arm) + " customers per arm " +
                              how + " (α = 0.05, power 0.8): " + below +
                              "; a real difference may go undetected");
}

Status CheckBy(Workspace& workspace, const std::string& by) {
  SEG_ASSIGN_OR_RETURN(store::Rows rows,
                       workspace.connection().Query(
                           "SELECT DISTINCT segmentation FROM memberships WHERE snapshot_id = "
                           "(SELECT max(snapshot_id) FROM snapshots) ORDER BY 1"));
  std::vector<std::string> names;
  for (const auto& row : rows.rows) names.push_back(store::ToText(row[0]));
  if (std::find(names.begin(), names.end(), by) != names.end()) return Status::Ok();
  std::string hint = ClosestMatch(by, names);
  return Status::InvalidArgument("by: no segmentation '" + by + "' in the latest snapshot" +
                                 (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

}  // namespace

Result<ExperimentAnalysis> AnalyzeExperiment(const Project& project, Workspace& workspace,
                                             const std::string& name,
                                             const std::optional<std::string>& by) {
  ExperimentAnalysis analysis;
  SEG_ASSIGN_OR_RETURN(analysis.experiment, LoadExperiment(project, workspace, name));
  if (by) SEG_RETURN_IF_ERROR(CheckBy(workspace, *by));
  SEG_ASSIGN_OR_RETURN(auto all, Figures(workspace, analysis.experiment, std::nullopt));
  analysis.arms = Arms(analysis.experiment, all[""], project.min_group_size);
  SEG_RETURN_IF_ERROR(AddWindow(workspace, analysis));
  AddSampleWarnings(analysis);
  if (!by) return analysis;
  analysis.by = by;
  SEG_ASSIGN_OR_RETURN(auto groups, Figures(workspace, analysis.experiment, by));
  for (const auto& [group, cells] : groups) {
    analysis.segments.push_back({group, Arms(analysis.experiment, cells, project.min_group_size)});
  }
  return analysis;
}

}  // namespace segmenta
