// What the customer lookup index (lookup.h) holds, internal to it: the features, the
// memberships and what the explanations read, in the compact storage of
// lookup_storage.h. LoadLookupData (lookup_load.cc) fills it from the latest snapshot;
// lookup.cc answers lookups from it.
#ifndef SEGMENTA_SERVER_LOOKUP_DATA_H_
#define SEGMENTA_SERVER_LOOKUP_DATA_H_

#include <bit>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "segment/cluster_segmenter.h"
#include "segment/explain.h"
#include "segmenta/project.h"
#include "segmenta/segments.h"
#include "segmenta/status.h"
#include "segmenta/workspace.h"
#include "server/lookup.h"
#include "server/lookup_storage.h"
#include "store/database.h"

namespace segmenta::server {
namespace lookup_internal {

// NULL among numbers: a NaN with a payload no computation produces, so that a NULL
// (rendered "") and a stored NaN (rendered "nan") stay apart.
inline constexpr uint64_t kNullBits = 0x7ff8'dead'beef'0001ULL;

inline bool IsNullNumber(double value) { return std::bit_cast<uint64_t>(value) == kNullBits; }

// How ExplainCustomer's store::ToText renders a column's values (store::Value's kinds).
enum class Kind { kInteger, kReal, kBoolean, kText };

// A number of a feature as ExplainCustomer shows it: store::ToText of the store::Value
// the column's type reads as.
inline std::string Render(Kind kind, double value) {
  if (IsNullNumber(value)) return "";
  if (kind == Kind::kBoolean) return store::ToText(value != 0);
  if (kind == Kind::kInteger) return store::ToText(static_cast<int64_t>(value));
  return store::ToText(value);
}

// One feature: a code into its distinct values as ExplainCustomer shows them, or, when
// they hardly repeat, the number itself, shown at lookup (NULL as kNullBits).
struct FeatureColumn {
  std::string name;
  Kind kind = Kind::kText;
  Field field;
  TextPool shown;  // when coded

  std::string Text(const uint8_t* record) const {
    if (field.width != kNumberWidth) return std::string(shown[Records::Code(record, field)]);
    return Render(kind, Records::Number(record, field));
  }
  size_t bytes() const { return shown.bytes(); }
};

// What a clause gave for a customer.
enum class Outcome : uint8_t { kNoRow, kFails, kHolds };

// One top-level clause of a rule: each row's code into the clause's distinct outcomes
// (no row: the customer is not among the rule's rows; else holds or not, and the value).
struct ClauseColumn {
  Field field;
  std::vector<Outcome> outcomes;
  TextPool values;
  size_t bytes() const { return outcomes.capacity() + values.bytes(); }
};

struct RulesModel {
  std::vector<segment::ExplainedRule> rules;
  std::vector<std::string> heads;                  // by rule: segment::RuleLineHead
  std::vector<std::vector<ClauseColumn>> clauses;  // by rule, by clause
};

// A cluster segmentation's inputs to ClusterExplainer::Explain, by row.
struct ClusterModel {
  segment::ClusterExplainer explainer;
  Field loaded;                        // 1 for the rows the explainer's load found
  std::vector<NumberColumn> prepared;  // by prepared column
  std::vector<NumberColumn> numbers;   // by numeric feature
  std::vector<TextColumn> categories;  // by category
};

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json member, moved not copied
struct Model {
  std::string segmentation;
  std::string method;
  nlohmann::json model;
  uint32_t first_pair = 0, end_pair = 0;  // its (segmentation, segment) codes
  std::optional<size_t> cluster, rules;   // into LookupData::clusters, ::rules
};

// The record's inputs to ClusterExplainer::Explain (lookup.cc). Its one failure
// (stored centroids that do not match the preparation) is the model's: LoadLookupData
// tries it once.
Status ExplainClusterRow(const ClusterModel& model, const uint8_t* record,
                         Explanation& explanation);

}  // namespace lookup_internal

struct LookupData {
  int64_t snapshot_id = 0;
  std::string as_of;
  lookup_internal::IdIndex ids;
  lookup_internal::Records records;  // by row: every field below
  std::vector<lookup_internal::FeatureColumn> features;
  // Memberships: each row's (segmentation, segment) codes, ascending, in CSR form.
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<uint32_t> member_offsets;
  lookup_internal::PackedCodes members;
  std::vector<lookup_internal::Model> models;
  std::vector<lookup_internal::ClusterModel> clusters;
  std::vector<lookup_internal::RulesModel> rules;

  Explanation Explain(const lookup_internal::Model& model, const CustomerView& view,
                      size_t row) const;
  size_t bytes() const;
};

// Fills `data` from the latest snapshot (lookup_load.cc), in the caller's transaction:
// NotFound when there is none. Numbers the customers in a temporary table, dropped at
// the end.
Status LoadLookupData(const Project& project, Workspace& workspace, LookupData& data);

}  // namespace segmenta::server

#endif  // SEGMENTA_SERVER_LOOKUP_DATA_H_
