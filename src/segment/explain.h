// The pieces of a customer's explanation (ExplainCustomer, segments.h) that the server's
// lookup index (src/server/lookup.h) shares, so that both give the same lines:
//
//   - the stored models of a snapshot, in the order the run wrote them;
//   - rfm, journey and value reasons: pure functions of the model and the customer's
//     features as text;
//   - rules reasons: each rule compiled against the snapshot, one SQL statement per
//     top-level clause (for one customer, or for all of them at once), and the line
//     built from the clauses' outcomes.
//
// Cluster reasons live beside their segmenter (ClusterExplainer, cluster_segmenter.h).
#ifndef SEGMENTA_SEGMENT_EXPLAIN_H_
#define SEGMENTA_SEGMENT_EXPLAIN_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/rule.h"
#include "segmenta/project.h"
#include "segmenta/segments.h"
#include "store/database.h"

namespace segmenta::segment {

// One row of `models`: a segmentation and its model (a discarded JSON value when the
// stored text does not parse).
struct StoredModel {
  std::string segmentation;
  nlohmann::json model;
};

// The models of snapshot `snapshot_id`, in rowid order (the order of the explanations).
Result<std::vector<StoredModel>> LoadModels(store::Connection& conn, int64_t snapshot_id);
// (segmentation, segment) for every segment the models list: what in_segment() may name.
std::vector<std::pair<std::string, std::string>> KnownSegments(
    const std::vector<StoredModel>& models);

// RFM values against the model's thresholds, or "no purchase before …".
void ExplainRfm(const nlohmann::json& model, const CustomerView& view, Explanation& explanation);
// Tenure, recency and frequency against the journey thresholds.
void ExplainJourney(const nlohmann::json& model, const CustomerView& view,
                    Explanation& explanation);
// The value predictions against the tier cuts.
void ExplainValue(const nlohmann::json& model, const CustomerView& view, Explanation& explanation);

// One rule of a rules model, compiled against the snapshot it explains.
struct ExplainedRule {
  std::string segment;
  bool compiles = false;
  std::string error;             // why it no longer compiles
  rules::CompiledRule compiled;  // when it compiles
  std::string rows;              // the FROM its clauses read: features f, customers c, …
};

// Compiles each rule of a rules `model` against snapshot `snapshot_id` (as of `as_of`),
// whose segments `known` lists.
Result<std::vector<ExplainedRule>> CompileRules(
    const Project& project, store::Connection& conn, const nlohmann::json& model,
    int64_t snapshot_id, const std::string& as_of,
    const std::vector<std::pair<std::string, std::string>>& known);

// `SELECT f.customer_id, <value as text>, <holds> FROM <rows>` for one clause: every
// customer with a row, each once; add `WHERE f.customer_id = $<params + 1>` for one.
// Binds clause.params.
std::string ClauseSql(const ExplainedRule& rule, const rules::RuleClause& clause);

// The start of a rule's reason line: "<segment>:", or the whole line when the rule no
// longer compiles (then no clause follows).
std::string RuleLineHead(const ExplainedRule& rule);
// Appends one clause the customer has a row for: " ✓ <clause> (<value>)", ✗ when it
// does not hold, "missing" for an empty value.
void AppendClause(std::string& line, const rules::RuleClause& clause, bool holds,
                  std::string_view value);

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_EXPLAIN_H_
