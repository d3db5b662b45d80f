// The customer lookup index (lookup.h): the lookups. Build loads the latest snapshot
// into a LookupData (lookup_data.h; LoadLookupData in lookup_load.cc, the compact
// storage in lookup_storage.h) in one transaction; Find reads a customer's record. The
// explanations are built at lookup time by the functions ExplainCustomer calls
// (segment/explain.h, ClusterExplainer).
#include "server/lookup.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "segment/cluster_segmenter.h"
#include "segment/explain.h"
#include "server/lookup_data.h"
#include "server/lookup_storage.h"
#include "store/database.h"

namespace segmenta::server {
namespace lookup_internal {

Status ExplainClusterRow(const ClusterModel& model, const uint8_t* record,
                         Explanation& explanation) {
  if (Records::Code(record, model.loaded) == 0) return Status::Ok();
  std::vector<double> prepared, numbers;
  std::vector<std::string_view> categories;
  for (const NumberColumn& column : model.prepared) prepared.push_back(column(record));
  for (const NumberColumn& column : model.numbers) numbers.push_back(column(record));
  for (const TextColumn& column : model.categories) categories.push_back(column(record));
  return model.explainer.Explain({prepared, numbers, categories}, explanation);
}

namespace {

void ExplainRulesRow(const RulesModel& model, const uint8_t* record, Explanation& explanation) {
  for (size_t rule = 0; rule < model.rules.size(); ++rule) {
    std::string line = model.heads[rule];
    const std::vector<rules::RuleClause>& clauses = model.rules[rule].compiled.clauses;
    for (size_t clause = 0; clause < clauses.size(); ++clause) {
      const ClauseColumn& column = model.clauses[rule][clause];
      uint32_t code = Records::Code(record, column.field);
      if (column.outcomes[code] == Outcome::kNoRow) continue;
      segment::AppendClause(line, clauses[clause], column.outcomes[code] == Outcome::kHolds,
                            column.values[code]);
    }
    explanation.reasons.push_back(std::move(line));
  }
}

}  // namespace
}  // namespace lookup_internal

namespace {

using namespace lookup_internal;
using Data = LookupData;

}  // namespace

Explanation LookupData::Explain(const Model& model, const CustomerView& view, size_t row) const {
  const uint8_t* record = records[row];
  Explanation explanation;
  explanation.segmentation = model.segmentation;
  explanation.method = model.method;
  for (size_t at = member_offsets[row]; at < member_offsets[row + 1]; ++at) {
    uint32_t code = members[at];
    if (code >= model.first_pair && code < model.end_pair) {
      explanation.segments.push_back(pairs[code].second);
    }
  }
  if (model.method == "rfm") segment::ExplainRfm(model.model, view, explanation);
  if (model.method == "journey") segment::ExplainJourney(model.model, view, explanation);
  if (model.method == "value") segment::ExplainValue(model.model, view, explanation);
  // Checked at Build (CheckCluster): the explainer's one failure is the model's.
  if (model.cluster) (void)ExplainClusterRow(clusters[*model.cluster], record, explanation);
  if (model.rules) ExplainRulesRow(rules[*model.rules], record, explanation);
  return explanation;
}

LookupIndex::LookupIndex(std::unique_ptr<const LookupData> data) : data_(std::move(data)) {}
LookupIndex::~LookupIndex() = default;

Result<std::shared_ptr<const LookupIndex>> LookupIndex::Build(const Project& project,
                                                              Workspace& workspace) {
  auto data = std::make_unique<Data>();
  // One transaction: every query sees the same snapshot even while a run or an erasure
  // commits on another connection; a failure rolls the temporary table back too.
  SEG_RETURN_IF_ERROR(store::InTransaction(
      workspace.connection(), [&] { return LoadLookupData(project, workspace, *data); }));
  return std::shared_ptr<const LookupIndex>(new LookupIndex(std::move(data)));
}

int64_t LookupIndex::snapshot_id() const { return data_->snapshot_id; }
size_t LookupIndex::customers() const { return data_->ids.size(); }

size_t LookupData::bytes() const {
  size_t total = ids.bytes() + records.bytes() + member_offsets.capacity() * sizeof(uint32_t) +
                 members.bytes();
  for (const FeatureColumn& column : features) total += column.bytes();
  for (const ClusterModel& model : clusters) {
    for (const NumberColumn& column : model.prepared) total += column.bytes();
    for (const NumberColumn& column : model.numbers) total += column.bytes();
    for (const TextColumn& column : model.categories) total += column.bytes();
  }
  for (const RulesModel& model : rules) {
    for (const auto& clauses : model.clauses) {
      for (const ClauseColumn& column : clauses) total += column.bytes();
    }
  }
  return total;
}

size_t LookupIndex::bytes() const { return data_->bytes(); }

std::optional<CustomerView> LookupIndex::Find(std::string_view customer_id) const {
  const Data& data = *data_;
  std::optional<size_t> row = data.ids.Find(customer_id);
  if (!row) return std::nullopt;
  CustomerView view;
  view.customer_id = customer_id;
  view.snapshot_id = data.snapshot_id;
  view.as_of = data.as_of;
  view.features.reserve(data.features.size());
  for (const FeatureColumn& column : data.features) {
    view.features.emplace_back(column.name, column.Text(data.records[*row]));
  }
  view.explanations.reserve(data.models.size());
  for (const Model& model : data.models) {
    view.explanations.push_back(data.Explain(model, view, *row));
  }
  return view;
}

}  // namespace segmenta::server
