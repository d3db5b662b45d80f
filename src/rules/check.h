// Checking a parsed rule against its schema: every name resolved (columns, functions,
// event types, segments; unknown ones are errors suggesting the closest known name),
// every operand typed, every literal converted to the value it is bound as.
#ifndef SEGMENTA_RULES_CHECK_H_
#define SEGMENTA_RULES_CHECK_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/parser.h"
#include "rules/rule.h"
#include "segmenta/status.h"

namespace segmenta::rules {

// Fills the checker's fields of `root`'s nodes; appends the in_segment() references to
// `segment_refs` (each pair once). `root` must stay beside `schema`: columns point into it.
Status CheckRule(std::string_view rule, const RuleSchema& schema, Node& root,
                 std::vector<std::pair<std::string, std::string>>& segment_refs);

}  // namespace segmenta::rules

#endif  // SEGMENTA_RULES_CHECK_H_
