// Experiments: A/B tests inside a segment, with a frozen hold-out.
//
//   segmenta::ExperimentDefinition spring;
//   spring.name = "spring-promo";
//   spring.segmentation = "rfm";
//   spring.segment = "Champions";
//   spring.variants = {{"A", 45}, {"B", 45}};
//   spring.holdout = 10;
//   spring.goal = "purchase within 14d";
//   SEG_ASSIGN_OR_RETURN(segmenta::Experiment made,
//                        segmenta::CreateExperiment(project, ws, spring, "segmenta"));
//   ... send variant A and B their campaigns, ingest the events that follow ...
//   SEG_ASSIGN_OR_RETURN(segmenta::ExperimentAnalysis result,
//                        segmenta::AnalyzeExperiment(project, ws, "spring-promo", {}));
//
// Assignment: bucket = the first 8 bytes of SHA-256("<experiment>:<customer_id>") as a
// big-endian unsigned integer, mod 10000; the variants take consecutive bucket ranges
// in the order given (weights in percent: A 45 → buckets 0..4499), the hold-out last.
// The same experiment name and customer give the same bucket anywhere. At creation the
// segment's members on `start` (from the membership history) are assigned and stored:
// the assignment is frozen, so customers who join or leave the segment later change
// nothing. Conversions are customers with at least one goal event with
// start ≤ ts < start + window days; revenue is purchases and refunds in that window.
//
// Like the Workspace, not thread-safe. Values are plain data.
#ifndef SEGMENTA_EXPERIMENTS_H_
#define SEGMENTA_EXPERIMENTS_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "segmenta/project.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"

namespace segmenta {

constexpr int kExperimentBuckets = 10000;
constexpr const char* kHoldoutArm = "holdout";  // reserved: no variant may be called this

struct ExperimentVariant {
  std::string name;   // letters, digits, '_' and '-'
  double weight = 0;  // percent of the segment, in steps of 0.01
};

// A sample-size plan: customers per arm to detect baseline → baseline·(1 + lift).
struct ExperimentPlan {
  double baseline = 0;  // the hold-out's expected conversion rate, 0 < baseline < 1
  double lift = 0;      // relative change to detect (0.1 = +10 %)
  double alpha = 0.05;  // two-sided significance level
  double power = 0.8;   // 0.5 ≤ power < 1
  int64_t per_arm = 0;  // filled by PlanExperiment
};
// Fills `per_arm` (formula in src/lifecycle/stats.h); InvalidArgument for values out of
// range, naming the flag.
Result<ExperimentPlan> PlanExperiment(ExperimentPlan plan);

// "A:45,B:45" → variants (names and weights are checked by CreateExperiment).
Result<std::vector<ExperimentVariant>> ParseExperimentVariants(const std::string& text);

struct ExperimentDefinition {
  std::string name;  // letters, digits, '_', '-' and '.', up to 64
  std::string segmentation, segment;
  std::vector<ExperimentVariant> variants;  // in bucket order
  double holdout = 0;                       // percent; variants + holdout = 100
  std::string goal;                         // "<event type> within <N>d" (or "N days")
  std::optional<std::string> start;         // YYYY-MM-DD; default: the latest snapshot's as_of
  std::optional<double> baseline, lift;     // both or neither: the planned sample
};

struct Experiment {
  ExperimentDefinition definition;  // start always set
  std::string goal_type;            // the goal's event type
  int window_days = 0;
  std::string created_at;              // YYYY-MM-DD HH:MM:SS (UTC)
  std::string created_by;              // the actor
  std::optional<ExperimentPlan> plan;  // from baseline and lift, when given
  int64_t customers = 0;               // assigned
  bool suppressed = false;             // fewer than privacy.min_group_size: customers hidden (0)
};

// Checks the definition, assigns the segment's members on `start` and stores both, with
// an audit entry. InvalidArgument for a bad definition (weights not summing to 100, an
// unknown goal event type or segment — naming the closest), a name in use, a start
// before the first snapshot, or fewer members than privacy.min_group_size.
Result<Experiment> CreateExperiment(const Project& project, Workspace& workspace,
                                    const ExperimentDefinition& definition,
                                    const std::string& actor);
// NotFound (naming the closest) for an unknown name.
Result<Experiment> LoadExperiment(const Project& project, Workspace& workspace,
                                  const std::string& name);
// By creation time.
Result<std::vector<Experiment>> ListExperiments(const Project& project, Workspace& workspace);

// The customers of one arm ("holdout" for the hold-out), sorted: what a per-variant
// audience export sends. NotFound for an unknown experiment or arm.
Result<std::vector<std::string>> ExperimentMembers(Workspace& workspace, const std::string& name,
                                                   const std::string& arm);

// The bucket (0..9999) of a customer in an experiment.
int ExperimentBucket(const std::string& experiment, const std::string& customer_id);

// One arm against the hold-out (difference = arm − hold-out).
struct ArmComparison {
  double difference = 0, ci_low = 0, ci_high = 0;  // conversion rate, 95 % Wald
  std::optional<double> relative_lift;             // none when the hold-out rate is 0
  double z = 0, p_value = 1;                       // pooled two-proportion z-test
  double revenue_difference = 0, revenue_ci_low = 0, revenue_ci_high = 0;  // 95 % Welch
  std::string verdict;  // "better", "worse" or "no_difference" (at p < 0.05)
  std::string summary;  // "B converts better than the hold-out (+1.2 points, p = 0.003)"
};

struct ArmResult {
  std::string arm;  // the variant's name, or "holdout"
  int64_t customers = 0, conversions = 0;
  double conversion_rate = 0, revenue_per_customer = 0;
  bool suppressed = false;                  // fewer than privacy.min_group_size: figures hidden
  std::optional<ArmComparison> vs_holdout;  // none for the hold-out and suppressed arms
};

struct SegmentArms {
  std::string segment;
  std::vector<ArmResult> arms;
};

struct ExperimentAnalysis {
  Experiment experiment;
  std::string window_ends;   // start + window days: the first day not counted
  bool provisional = false;  // the newest event is before window_ends
  std::optional<int64_t> planned_per_arm;
  std::vector<ArmResult> arms;  // variants in order, then the hold-out
  std::vector<std::string> warnings;
  std::optional<std::string> by;  // the segmentation of `segments`
  std::vector<SegmentArms> segments;
};

// `by`: also per segment of that segmentation (customers' segments in the latest
// snapshot); InvalidArgument naming the closest when there is no such segmentation.
Result<ExperimentAnalysis> AnalyzeExperiment(const Project& project, Workspace& workspace,
                                             const std::string& name,
                                             const std::optional<std::string>& by);

// The JSON of the CLI's --json and the API (docs/openapi.yaml): suppressed counts null.
nlohmann::json ToJson(const ExperimentPlan& plan);          // baseline, lift, alpha, power, per_arm
nlohmann::json ToJson(const Experiment& experiment);        // name, segment, variants, customers...
nlohmann::json ToJson(const ExperimentAnalysis& analysis);  // experiment, arms, warnings, by

}  // namespace segmenta

#endif  // SEGMENTA_EXPERIMENTS_H_
