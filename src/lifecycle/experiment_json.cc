// Experiments as JSON: the stored definition, and the CLI's and API's answers.
#include <cmath>

#include "lifecycle/experiment.h"

namespace segmenta {
namespace {

using nlohmann::json;

json VariantsJson(const ExperimentDefinition& definition) {
  json variants = json::array();
  for (const ExperimentVariant& variant : definition.variants) {
    variants.push_back({{"name", variant.name}, {"weight", variant.weight}});
  }
  return variants;
}

json Finite(double value) { return std::isfinite(value) ? json(value) : json(); }

json ToJson(const ArmComparison& c) {
  return {{"difference", Finite(c.difference)},
          {"ci_low", Finite(c.ci_low)},
          {"ci_high", Finite(c.ci_high)},
          {"relative_lift", c.relative_lift ? Finite(*c.relative_lift) : json()},
          {"z", Finite(c.z)},
          {"p_value", Finite(c.p_value)},
          {"revenue_difference", Finite(c.revenue_difference)},
          {"revenue_ci_low", Finite(c.revenue_ci_low)},
          {"revenue_ci_high", Finite(c.revenue_ci_high)},
          {"verdict", c.verdict},
          {"summary", c.summary}};
}

json ToJson(const ArmResult& arm) {
  auto figure = [&](const json& value) { return arm.suppressed ? json() : value; };
  return {{"variant", arm.arm},
          {"customers", figure(arm.customers)},
          {"conversions", figure(arm.conversions)},
          {"conversion_rate", figure(Finite(arm.conversion_rate))},
          {"revenue_per_customer", figure(Finite(arm.revenue_per_customer))},
          {"suppressed", arm.suppressed},
          {"vs_holdout", arm.vs_holdout ? ToJson(*arm.vs_holdout) : json()}};
}

json ArmsJson(const std::vector<ArmResult>& arms) {
  json list = json::array();
  for (const ArmResult& arm : arms) list.push_back(ToJson(arm));
  return list;
}

}  // namespace

namespace experiment {

json ToStoredJson(const Experiment& experiment) {
  const ExperimentDefinition& d = experiment.definition;
  return {{"name", d.name},
          {"segmentation", d.segmentation},
          {"segment", d.segment},
          {"variants", VariantsJson(d)},
          {"holdout", d.holdout},
          {"goal", d.goal},
          {"goal_type", experiment.goal_type},
          {"window_days", experiment.window_days},
          {"start", d.start.value_or("")},
          {"created_at", experiment.created_at},
          {"created_by", experiment.created_by},
          {"plan", experiment.plan ? ToJson(*experiment.plan) : json()}};
}

Result<Experiment> FromStoredJson(const std::string& text) {
  json stored = json::parse(text, nullptr, false);
  if (!stored.is_object()) return Status::Internal("an experiment's stored JSON is unreadable");
  try {
    Experiment experiment;
    ExperimentDefinition& d = experiment.definition;
    d.name = stored.at("name").get<std::string>();
    d.segmentation = stored.at("segmentation").get<std::string>();
    d.segment = stored.at("segment").get<std::string>();
    for (const json& variant : stored.at("variants")) {
      d.variants.push_back(
          {variant.at("name").get<std::string>(), variant.at("weight").get<double>()});
    }
    d.holdout = stored.at("holdout").get<double>();
    d.goal = stored.at("goal").get<std::string>();
    d.start = stored.at("start").get<std::string>();
    experiment.goal_type = stored.at("goal_type").get<std::string>();
    experiment.window_days = stored.at("window_days").get<int>();
    experiment.created_at = stored.at("created_at").get<std::string>();
    experiment.created_by = stored.at("created_by").get<std::string>();
    const json& plan = stored.at("plan");
    if (plan.is_object()) {
      experiment.plan =
          ExperimentPlan{plan.at("baseline").get<double>(), plan.at("lift").get<double>(),
                         plan.at("alpha").get<double>(), plan.at("power").get<double>(),
                         plan.at("per_arm").get<int64_t>()};
      d.baseline = experiment.plan->baseline;
      d.lift = experiment.plan->lift;
    }
    return experiment;
  } catch (const json::exception& error) {
    return Status::Internal(std::string("an experiment's stored JSON is incomplete: ") +
                            error.what());
  }
}

}  // namespace experiment

json ToJson(const ExperimentPlan& plan) {
  return {{"baseline", plan.baseline},
          {"lift", plan.lift},
          {"alpha", plan.alpha},
          {"power", plan.power},
          {"per_arm", plan.per_arm}};
}

json ToJson(const Experiment& experiment) {
  json out = experiment::ToStoredJson(experiment);
  out.erase("goal_type");
  out["customers"] = experiment.suppressed ? json() : json(experiment.customers);
  return out;
}

json ToJson(const ExperimentAnalysis& analysis) {
  const Experiment& experiment = analysis.experiment;
  const ExperimentDefinition& d = experiment.definition;
  json by;
  if (analysis.by) {
    by = json::array();
    for (const SegmentArms& segment : analysis.segments) {
      by.push_back({{"segment", segment.segment}, {"arms", ArmsJson(segment.arms)}});
    }
  }
  return {{"experiment",
           {{"name", d.name},
            {"segmentation", d.segmentation},
            {"segment", d.segment},
            {"goal", d.goal},
            {"window_days", experiment.window_days},
            {"start", d.start.value_or("")},
            {"holdout", d.holdout},
            {"variants", VariantsJson(d)}}},
          {"window_ends", analysis.window_ends},
          {"provisional", analysis.provisional},
          {"planned_per_arm", analysis.planned_per_arm ? json(*analysis.planned_per_arm) : json()},
          {"arms", ArmsJson(analysis.arms)},
          {"warnings", analysis.warnings},
          {"by", by}};
}

}  // namespace segmenta
