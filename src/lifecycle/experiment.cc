// Experiment definitions: names, weights, the goal's grammar, buckets and plans.
#include "lifecycle/experiment.h"

#include <cmath>
#include <cstdio>
#include <regex>
#include <set>

#include "core/crypto.h"
#include "lifecycle/stats.h"

namespace segmenta {
namespace experiment {
namespace {

// A weight in percent as buckets (0.01 % each); -1 when it is not a multiple of 0.01.
int Buckets(double weight) {
  double scaled = weight * (kExperimentBuckets / 100.0);
  double rounded = std::round(scaled);
  return std::fabs(scaled - rounded) < 1e-6 ? static_cast<int>(rounded) : -1;
}

// 45 → "45", 12.5 → "12.5".
std::string Percent(double weight) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", weight);
  std::string out = text;
  while (out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

Status CheckWeight(const std::string& arm, double weight) {
  if (!std::isfinite(weight) || weight <= 0 || weight > 100 || Buckets(weight) < 0) {
    return Status::InvalidArgument("the weight of '" + arm +
                                   "' must be a percentage above 0 in steps of 0.01, not " +
                                   Percent(weight));
  }
  return Status::Ok();
}

Status CheckVariantNames(const std::vector<ExperimentVariant>& variants) {
  static const std::regex kName("[A-Za-z0-9_-]{1,32}");
  std::set<std::string> seen;
  for (const ExperimentVariant& variant : variants) {
    if (!std::regex_match(variant.name, kName)) {
      return Status::InvalidArgument("variant name '" + variant.name +
                                     "' must be 1 to 32 letters, digits, '_' or '-'");
    }
    std::string lower = variant.name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == kHoldoutArm) {
      return Status::InvalidArgument(
          "'holdout' is reserved for the hold-out (--holdout); name the variant otherwise");
    }
    if (!seen.insert(variant.name).second) {
      return Status::InvalidArgument("variant '" + variant.name + "' is named twice");
    }
  }
  return Status::Ok();
}

Status CheckWeights(const ExperimentDefinition& definition) {
  int total = 0;
  std::string terms;
  for (const ExperimentVariant& variant : definition.variants) {
    SEG_RETURN_IF_ERROR(CheckWeight(variant.name, variant.weight));
    total += Buckets(variant.weight);
    terms += variant.name + " " + Percent(variant.weight) + " + ";
  }
  SEG_RETURN_IF_ERROR(CheckWeight(kHoldoutArm, definition.holdout));
  total += Buckets(definition.holdout);
  terms += "holdout " + Percent(definition.holdout);
  if (total != kExperimentBuckets) {
    return Status::InvalidArgument("the variants and the hold-out must sum to 100%, not " +
                                   Percent(total * 100.0 / kExperimentBuckets) + " (" + terms +
                                   ")");
  }
  return Status::Ok();
}

}  // namespace

Result<Goal> ParseGoal(const std::string& text) {
  static const std::regex kGoal(R"(\s*(\S+)\s+within\s+(\d{1,4})\s*(d|days?)\s*)",
                                std::regex::icase);
  std::smatch match;
  int days = 0;
  if (std::regex_match(text, match, kGoal)) days = std::stoi(match[2].str());
  if (days < 1 || days > 3650) {
    return Status::InvalidArgument("goal '" + text +
                                   "' must read '<event type> within <N>d' (or 'N days', N from "
                                   "1 to 3650), e.g. 'purchase within 14d'");
  }
  Goal goal{match[1].str(), days};
  for (char& c : goal.event_type)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return goal;
}

Status CheckDefinition(const ExperimentDefinition& definition) {
  static const std::regex kName("[A-Za-z0-9_.-]{1,64}");
  if (!std::regex_match(definition.name, kName)) {
    return Status::InvalidArgument("experiment name '" + definition.name +
                                   "' must be 1 to 64 letters, digits, '_', '-' or '.'");
  }
  if (definition.segmentation.empty() || definition.segment.empty()) {
    return Status::InvalidArgument("the segment must be given as SEGMENTATION/SEGMENT");
  }
  if (definition.variants.empty()) {
    return Status::InvalidArgument("an experiment needs at least one variant, e.g. A:45,B:45");
  }
  SEG_RETURN_IF_ERROR(CheckVariantNames(definition.variants));
  return CheckWeights(definition);
}

std::vector<ArmRange> ArmRanges(const ExperimentDefinition& definition) {
  std::vector<ArmRange> ranges;
  int first = 0;
  for (const ExperimentVariant& variant : definition.variants) {
    int end = first + Buckets(variant.weight);
    ranges.push_back({variant.name, first, end});
    first = end;
  }
  ranges.push_back({kHoldoutArm, first, kExperimentBuckets});
  return ranges;
}

const std::string& ArmOf(const std::vector<ArmRange>& ranges, int bucket) {
  for (const ArmRange& range : ranges) {
    if (bucket < range.end) return range.arm;
  }
  return ranges.back().arm;
}

}  // namespace experiment

Result<std::vector<ExperimentVariant>> ParseExperimentVariants(const std::string& text) {
  static const std::regex kItem(R"(\s*([^:,\s]+)\s*:\s*([0-9]+(\.[0-9]+)?)\s*)");
  std::vector<ExperimentVariant> variants;
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t comma = text.find(',', begin);
    std::string item = text.substr(begin, comma == std::string::npos ? comma : comma - begin);
    std::smatch match;
    if (!std::regex_match(item, match, kItem)) {
      return Status::InvalidArgument(
          "--variants takes NAME:PERCENT pairs separated by commas, "
          "e.g. A:45,B:45; '" +
          item + "' is not one");
    }
    variants.push_back({match[1].str(), std::stod(match[2].str())});
    if (comma == std::string::npos) break;
    begin = comma + 1;
  }
  return variants;
}

int ExperimentBucket(const std::string& experiment, const std::string& customer_id) {
  std::string digest = Sha256Hex(experiment + ":" + customer_id);
  uint64_t value = std::stoull(digest.substr(0, 16), nullptr, 16);
  return static_cast<int>(value % kExperimentBuckets);
}

Result<ExperimentPlan> PlanExperiment(ExperimentPlan plan) {
  auto bad = [](const std::string& what) { return Status::InvalidArgument(what); };
  if (!(plan.baseline > 0 && plan.baseline < 1)) {
    return bad("baseline must be a conversion rate between 0 and 1 (0.05 = 5%)");
  }
  double target = plan.baseline * (1 + plan.lift);
  if (!std::isfinite(plan.lift) || plan.lift == 0 || !(target > 0 && target < 1)) {
    return bad(
        "lift must be a relative change (0.1 = +10%), not 0, that keeps "
        "baseline × (1 + lift) between 0 and 1");
  }
  if (!(plan.alpha > 0 && plan.alpha < 1)) return bad("alpha must be between 0 and 1 (e.g. 0.05)");
  if (!(plan.power >= 0.5 && plan.power < 1))
    return bad("power must be from 0.5 to below 1 (e.g. 0.8)");
  plan.per_arm = stats::SampleSizePerArm(plan.baseline, plan.lift, plan.alpha, plan.power);
  return plan;
}

}  // namespace segmenta
