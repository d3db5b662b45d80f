// segmenta experiment create | analyze | plan | list: A/B tests with a frozen hold-out.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "segmenta/experiments.h"

namespace segmenta::cli {
namespace {

struct ExperimentFlags {
  std::string name;
  std::string segment;  // SEGMENTATION/SEGMENT
  std::string variants;
  double holdout = 0;
  std::string goal;
  std::string start;
  std::optional<double> baseline, lift;
  double alpha = 0.05, power = 0.8;
  std::string by;
};

std::string Fixed(double value, const char* format) {
  if (!std::isfinite(value)) return "n/a";
  char text[48];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string Percent(double share) { return Fixed(100 * share, "%.2f%%"); }

// SEG/NAME → the definition's segmentation and segment (split at the first '/').
Result<ExperimentDefinition> Definition(const ExperimentFlags& flags) {
  ExperimentDefinition d;
  d.name = flags.name;
  size_t slash = flags.segment.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == flags.segment.size()) {
    return Status::InvalidArgument(
        "--segment takes SEGMENTATION/SEGMENT, e.g. rfm/Champions; not '" + flags.segment + "'");
  }
  d.segmentation = flags.segment.substr(0, slash);
  d.segment = flags.segment.substr(slash + 1);
  Result<std::vector<ExperimentVariant>> variants = ParseExperimentVariants(flags.variants);
  if (!variants.ok()) return variants.status();
  d.variants = *variants;
  d.holdout = flags.holdout;
  d.goal = flags.goal;
  if (!flags.start.empty()) d.start = flags.start;
  d.baseline = flags.baseline;
  d.lift = flags.lift;
  return d;
}

int Create(const GlobalFlags& global, const ExperimentFlags& flags, const Output& out) {
  Result<ExperimentDefinition> definition = Definition(flags);
  if (!definition.ok()) return Fail(out, definition.status());
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<Experiment> made =
      CreateExperiment(*opened.project, *opened.workspace, *definition, "segmenta");
  if (!made.ok()) return Fail(out, made.status());
  if (out.json) {
    nlohmann::json json = ToJson(*made);
    json["ok"] = true;
    PrintJson(json);
    return 0;
  }
  const ExperimentDefinition& d = made->definition;
  std::cout << "Created experiment " << d.name << " in " << d.segmentation << "/" << d.segment
            << ": " << Thousands(made->customers) << " customers frozen as of " << *d.start
            << ".\n";
  std::vector<std::vector<std::string>> rows;
  for (const ExperimentVariant& v : d.variants) rows.push_back({v.name, Fixed(v.weight, "%g%%")});
  rows.push_back({kHoldoutArm, Fixed(d.holdout, "%g%%")});
  PrintTable({"arm", "weight"}, rows);
  std::cout << "Goal: " << d.goal << ".\n";
  if (made->plan) {
    std::cout << "Planned: " << Thousands(made->plan->per_arm) << " customers per arm.\n";
  }
  std::cout << "Audiences per arm: segmenta export --experiment " << d.name << " --variant "
            << d.variants.front().name << " ...\n";
  return 0;
}

void PrintArms(const std::vector<ArmResult>& arms) {
  std::vector<std::vector<std::string>> rows;
  for (const ArmResult& arm : arms) {
    if (arm.suppressed) {
      rows.push_back({arm.arm, "< min group", "", "", "", "", ""});
      continue;
    }
    std::vector<std::string> row = {arm.arm,
                                    Thousands(arm.customers),
                                    Thousands(arm.conversions),
                                    Percent(arm.conversion_rate),
                                    Fixed(arm.revenue_per_customer, "%.2f"),
                                    "",
                                    ""};
    if (arm.vs_holdout) {
      const ArmComparison& c = *arm.vs_holdout;
      row[5] = Fixed(100 * c.difference, "%+.2f") + " [" + Fixed(100 * c.ci_low, "%+.2f") + ", " +
               Fixed(100 * c.ci_high, "%+.2f") + "]";
      row[6] = c.p_value < 0.0001 ? "<0.0001" : Fixed(c.p_value, "%.4f");
    }
    rows.push_back(row);
  }
  PrintTable({"arm", "customers", "conversions", "rate", "revenue/customer",
              "vs hold-out, points [95% CI]", "p"},
             rows);
  for (const ArmResult& arm : arms) {
    if (!arm.vs_holdout) continue;
    const ArmComparison& c = *arm.vs_holdout;
    std::cout << "  " << c.summary << "; revenue per customer "
              << Fixed(c.revenue_difference, "%+.2f") << " [" << Fixed(c.revenue_ci_low, "%+.2f")
              << ", " << Fixed(c.revenue_ci_high, "%+.2f") << "]\n";
  }
}

int Analyze(const GlobalFlags& global, const ExperimentFlags& flags, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  std::optional<std::string> by;
  if (!flags.by.empty()) by = flags.by;
  Result<ExperimentAnalysis> analysis =
      AnalyzeExperiment(*opened.project, *opened.workspace, flags.name, by);
  if (!analysis.ok()) return Fail(out, analysis.status());
  if (out.json) {
    nlohmann::json json = ToJson(*analysis);
    json["ok"] = true;
    PrintJson(json);
    return 0;
  }
  const ExperimentDefinition& d = analysis->experiment.definition;
  std::cout << "Experiment " << d.name << ": " << d.segmentation << "/" << d.segment << ", goal "
            << d.goal << " from " << *d.start << " (window ends " << analysis->window_ends
            << ")\n\n";
  PrintArms(analysis->arms);
  for (const SegmentArms& segment : analysis->segments) {
    std::cout << "\n" << *analysis->by << " / " << segment.segment << "\n";
    PrintArms(segment.arms);
  }
  if (!analysis->warnings.empty()) std::cout << "\nWarnings:\n";
  for (const std::string& warning : analysis->warnings) std::cout << "  ! " << warning << "\n";
  return 0;
}

int Plan(const ExperimentFlags& flags, const Output& out) {
  if (!flags.baseline || !flags.lift) {
    return Fail(out, Status::InvalidArgument("experiment plan needs --baseline and --lift"));
  }
  Result<ExperimentPlan> plan =
      PlanExperiment({*flags.baseline, *flags.lift, flags.alpha, flags.power});
  if (!plan.ok()) return Fail(out, plan.status());
  if (out.json) {
    nlohmann::json json = ToJson(*plan);
    json["ok"] = true;
    PrintJson(json);
    return 0;
  }
  std::cout << Thousands(plan->per_arm) << " customers per arm (variant and hold-out each) to "
            << "detect " << Percent(plan->baseline) << " → "
            << Percent(plan->baseline * (1 + plan->lift)) << " (lift "
            << Fixed(100 * plan->lift, "%g%%")
            << ") with a two-sided two-proportion z-test at α = " << Fixed(plan->alpha, "%g")
            << " and power " << Fixed(plan->power, "%g") << ".\n";
  return 0;
}

int List(const GlobalFlags& global, const Output& out) {
  Opened opened = Open(global, out);
  if (opened.failed) return opened.failed;
  Result<std::vector<Experiment>> experiments = ListExperiments(*opened.project, *opened.workspace);
  if (!experiments.ok()) return Fail(out, experiments.status());
  if (out.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const Experiment& experiment : *experiments) list.push_back(ToJson(experiment));
    PrintJson({{"ok", true}, {"experiments", list}});
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const Experiment& e : *experiments) {
    const ExperimentDefinition& d = e.definition;
    std::string arms;
    for (const ExperimentVariant& v : d.variants)
      arms += v.name + ":" + Fixed(v.weight, "%g") + " ";
    arms += "holdout:" + Fixed(d.holdout, "%g");
    rows.push_back({d.name, d.segmentation + "/" + d.segment, arms, d.goal, *d.start,
                    e.suppressed ? "< min group" : Thousands(e.customers)});
  }
  if (rows.empty()) {
    std::cout << "No experiments yet: segmenta experiment create NAME --segment SEG/NAME ...\n";
    return 0;
  }
  PrintTable({"experiment", "segment", "arms", "goal", "start", "customers"}, rows);
  return 0;
}

}  // namespace

void AddExperimentVerb(CLI::App& app, const GlobalFlags& global, std::vector<Verb>& verbs) {
  auto flags = std::make_shared<ExperimentFlags>();
  CLI::App* command = app.add_subcommand("experiment", "A/B tests with a frozen hold-out");
  command->fallthrough();
  command->require_subcommand(1);

  CLI::App* create = command->add_subcommand("create", "Create an experiment in a segment");
  create->fallthrough();
  create->add_option("name", flags->name, "The experiment's name")->required();
  create->add_option("--segment", flags->segment, "SEGMENTATION/SEGMENT")->required();
  create->add_option("--variants", flags->variants, "NAME:PERCENT,... (e.g. A:45,B:45)")
      ->required();
  create->add_option("--holdout", flags->holdout, "The hold-out's percent (e.g. 10)")->required();
  create->add_option("--goal", flags->goal, "\"<event type> within <N>d\"")->required();
  create->add_option("--start", flags->start, "YYYY-MM-DD (default: the latest snapshot's as_of)");
  create->add_option("--baseline", flags->baseline, "Planned: the expected conversion rate");
  create->add_option("--lift", flags->lift, "Planned: the relative lift to detect (0.1 = +10%)");

  CLI::App* analyze = command->add_subcommand("analyze", "Results per arm against the hold-out");
  analyze->fallthrough();
  analyze->add_option("name", flags->name, "The experiment's name")->required();
  analyze->add_option("--by", flags->by, "Also per segment of this segmentation");

  CLI::App* plan = command->add_subcommand("plan", "Customers needed per arm");
  plan->fallthrough();
  plan->add_option("--baseline", flags->baseline, "Expected conversion rate (0.05 = 5%)");
  plan->add_option("--lift", flags->lift, "Relative lift to detect (0.1 = +10%)");
  plan->add_option("--alpha", flags->alpha, "Two-sided significance level (default 0.05)");
  plan->add_option("--power", flags->power, "Power (default 0.8)");

  CLI::App* list = command->add_subcommand("list", "The experiments");
  list->fallthrough();

  verbs.push_back({command, [=, &global](const Output& out) {
                     if (create->parsed()) return Create(global, *flags, out);
                     if (analyze->parsed()) return Analyze(global, *flags, out);
                     if (plan->parsed()) return Plan(*flags, out);
                     if (list->parsed()) return List(global, out);
                     return 2;
                   }});
}

}  // namespace segmenta::cli
