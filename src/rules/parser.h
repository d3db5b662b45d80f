// The rule's syntax tree, built by a hand-written recursive descent parser. The parser
// knows the grammar only; names, types and function arguments are checked afterwards
// against a RuleSchema (check.h).
//
//   rule      := or END
//   or        := and ("or" and)*
//   and       := not ("and" not)*
//   not       := "not" not | "(" or ")" | predicate
//   predicate := operand [ cmp operand
//                        | "is" ["not"] "null"
//                        | ["not"] "in" "(" value ("," value)* ")"
//                        | ["not"] "between" operand "and" operand
//                        | "contains" operand ]
//   operand   := value | name | name "(" [arg ("," arg)*] ")"
//   value     := ["-"] number | 'text' | "text" | true | false
//   arg       := name | 'text' | "text" | ["within"] window
//   cmp       := = | != | <> | < | <= | > | >=
#ifndef SEGMENTA_RULES_PARSER_H_
#define SEGMENTA_RULES_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rules/error.h"
#include "rules/rule.h"
#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::rules {

enum class NodeKind {
  kOr,        // children: the conditions
  kAnd,       // children: the conditions
  kNot,       // children[0]
  kCompare,   // text: the operator; children: left, right
  kIn,        // negated: not in; children[0] the operand, then the values
  kBetween,   // negated: not between; children: operand, low, high
  kIsNull,    // negated: is not null; children[0]
  kContains,  // children: the list operand, the value
  kColumn,    // text: the name as written
  kNumber,    // text: the number as written ("-3", "2.5")
  kString,    // text: the value, quotes removed
  kBool,      // text: "true" or "false"
  kCall,      // text: the function name as written (keyword_span); children: arguments
  kWord,      // a bare-word argument: text
  kWindow,    // a window argument: days (30d = 30, 4w = 28, 6m = 180, 1y = 365)
};

enum class Function { kNone, kHad, kCount, kSum, kInSegment };

struct Node {
  NodeKind kind;
  Span span;          // the source it was parsed from (groups: with their parentheses)
  Span keyword_span;  // calls: the name; comparisons: the operator; in/between/is/contains
  std::string text;
  bool negated = false;
  int64_t days = 0;
  std::vector<Node> children;

  // Filled by CheckRule:
  ValueType type = ValueType::kBool;   // of an operand: its value's type
  const RuleColumn* column = nullptr;  // kColumn
  store::Value value;                  // literals, as bound
  Function function = Function::kNone;
  std::string event_type;             // had/count/sum; "" = net revenue (sum)
  int64_t window_days = 0;            // had/count/sum; 0 = ever before as_of
  std::string segmentation, segment;  // in_segment
};

bool IsLiteral(const Node& node);

// Nesting deeper than this (parentheses and `not`) is an error, so that no input can
// exhaust the stack.
inline constexpr int kMaxDepth = 64;

// The tree of `rule`; errors point at the token where the grammar stopped.
Result<Node> ParseRule(std::string_view rule);

}  // namespace segmenta::rules

#endif  // SEGMENTA_RULES_PARSER_H_
