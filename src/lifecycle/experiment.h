// Internals of experiments (include/segmenta/experiments.h): definition checks, the
// bucket ranges of the arms, and the stored JSON form.
#ifndef SEGMENTA_LIFECYCLE_EXPERIMENT_H_
#define SEGMENTA_LIFECYCLE_EXPERIMENT_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "segmenta/experiments.h"

namespace segmenta::experiment {

struct Goal {
  std::string event_type;
  int window_days = 0;
};
// "<event type> within <N>d", "... within N days" (1 ≤ N ≤ 3650); InvalidArgument with
// the grammar otherwise. The type is not checked here.
Result<Goal> ParseGoal(const std::string& text);

// Names, weights (steps of 0.01, summing with the hold-out to 100) and the name.
Status CheckDefinition(const ExperimentDefinition& definition);

// One arm's buckets: [first, end).
struct ArmRange {
  std::string arm;
  int first = 0, end = 0;
};
// The variants in order, then the hold-out; together 0..kExperimentBuckets.
std::vector<ArmRange> ArmRanges(const ExperimentDefinition& definition);
// The arm holding `bucket`.
const std::string& ArmOf(const std::vector<ArmRange>& ranges, int bucket);

// The `experiments.json` column, and back.
nlohmann::json ToStoredJson(const Experiment& experiment);
Result<Experiment> FromStoredJson(const std::string& text);

}  // namespace segmenta::experiment

#endif  // SEGMENTA_LIFECYCLE_EXPERIMENT_H_
