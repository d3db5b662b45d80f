// The rules segmenter (method = "rules"): named segments written in the rule language
// (src/rules/rule.h) over features, customer attributes and events.
//
// Each segment's rule is evaluated in dependency order: in_segment() naming another
// segmentation reads its final membership (that segmentation runs first); naming a
// segment of the same segmentation reads whether that segment's rule holds. Cycles are
// errors that name the cycle. Overlap: "first" puts a customer in the first segment, in
// the order written, whose rule holds; "all" in every one.
#ifndef SEGMENTA_SEGMENT_RULES_SEGMENTER_H_
#define SEGMENTA_SEGMENT_RULES_SEGMENTER_H_

#include <string>
#include <vector>

#include "rules/rule.h"
#include "segment/segmenter.h"

namespace segmenta::segment {

// What rules may name in a run: the features table's columns and the customers'
// attributes (contact attributes, personal data, excepted), event types, segments.
// Rows come from RuleRowsSql(): features `f`, joined with customers `c` when the
// compiled rule reads an attribute, and with the rule's event aggregates unless
// `event_joins` is false (for its clauses, which read events themselves).
Result<rules::RuleSchema> BuildRuleSchema(const SegmentContext& context);
std::string RuleRowsSql(const SegmentContext& context, const rules::CompiledRule& rule,
                        bool event_joins = true);

// Creates table `table(customer_id, <one TIMESTAMP column per event type>)`: each
// customer's latest event of each type before the context's as_of, so that had() in
// rules and previews compares one column instead of searching 20M events.
Status BuildEventRecency(const SegmentContext& context, const std::string& table);

// A segment name's dependency cycle within `edges` (name → names it reads), as
// "a → b → a", or "" when there is none; `order` gets a valid evaluation order.
std::string OrderByDependencies(const std::vector<std::string>& names,
                                const std::vector<std::vector<std::string>>& edges,
                                std::vector<size_t>& order);

class RulesSegmenter : public Segmenter {
 public:
  explicit RulesSegmenter(SegmentationConfig config) : config_(std::move(config)) {}
  std::vector<std::string> Segments() const override;
  Result<std::vector<std::string>> Prepare(SegmentContext& context) override;
  Result<SegmenterResult> Run(SegmentContext& context, const std::string& output) override;

 private:
  Status Error(const std::string& message) const;
  SegmentationConfig config_;
  std::vector<rules::CompiledRule> compiled_;  // by rule, as written
  std::vector<size_t> order_;                  // evaluation order
};

}  // namespace segmenta::segment

#endif  // SEGMENTA_SEGMENT_RULES_SEGMENTER_H_
