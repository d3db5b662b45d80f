// The rule language: segments written as conditions over one customer's features,
// attributes and events, compiled to SQL with bound parameters (never pasted values).
//
//   recency_days > 180 and frequency >= 3
//   country in ('Romania', 'Bulgaria') and not (age between 18 and 25)
//   had(purchase, within 30d) or count(email_click, 90d) >= 2
//   sum(amount, 90d) > 500 and in_segment("rfm", "Champions")
//   last_feedback_score is null
//
// Text → tokens → AST (hand-written recursive descent) → checked against a RuleSchema
// (unknown column or function → an error with a caret under it and the closest valid
// name) → SQL over one row of the rule's FROM (see RuleSchema::row).
//
//   RuleSchema schema = ...;
//   SEG_ASSIGN_OR_RETURN(CompiledRule rule, CompileRule("frequency >= 3", schema, sql, 1));
//   conn.Query("SELECT count(*) FROM features f" + rule.event_joins + " WHERE " + rule.sql,
//              rule.params);
//
// The language (keywords, column and function names in any case; the full grammar is
// in parser.h):
//   a or b, a and b, not a, (a)        not binds tighter than and, and than or
//   x = != <> < <= > >= y              a column or function beside a value, or two
//                                      columns (or functions) of one type
//   x [not] in (v1, v2, …)             x [not] between a and b (numbers and dates)
//   x is [not] null                    list contains 'text' (list columns only)
//   values: 3, -2.5, 1e3, 'text' or "text" (a quote doubled inside: 'it''s'), true,
//   false; a date column takes 'YYYY-MM-DD'. A true/false column is a condition alone.
//   had(type [, [within] window])      true when the customer has such an event
//   count(type [, [within] window])    the number of such events
//   sum(amount [, [within] window] [, type])   net purchase + refund amount (purchases
//                                      with amount > 0, as the features count them), or
//                                      the amounts of one event type; 0 when none
//   in_segment(segmentation, segment)  membership in a segment of the run being built
//   Event types and segment names are bare words or quoted. Windows: Nd, Nw (7N days),
//   Nm (30N days), Ny (365N days), one day to 100 years; an event counts when
//   as_of − N days ≤ date(ts) < as_of. Without a window: every event before as_of.
//
// Missing values follow SQL's three-valued logic unchanged: a comparison with NULL is
// unknown, `not unknown` is unknown, `unknown or true` is true, `unknown and false` is
// false, and a customer is in the segment only when the rule is true. So neither
// `x > 3` nor `not (x > 3)` holds for a NULL x; `x is null` does.
#ifndef SEGMENTA_RULES_RULE_H_
#define SEGMENTA_RULES_RULE_H_

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/dialect.h"
#include "segmenta/status.h"
#include "store/database.h"

namespace segmenta::rules {

enum class ValueType { kNumber, kText, kDate, kList, kBool };

struct RuleColumn {
  std::string name;  // as written in rules (a feature or attribute name)
  ValueType type;
  std::string sql;  // the SQL that reads it from the row, e.g. f."recency_days"
};

// What a rule may name, and where the SQL it compiles to reads from.
struct RuleSchema {
  std::vector<RuleColumn> columns;
  // The row's customer id, e.g. f."customer_id": events and segments are matched on it.
  std::string customer_id_sql;
  // SQL of the reference date (a DATE), e.g. DATE '2026-11-01': windows such as
  // `within 30d` mean as_of − 30 days ≤ event date < as_of, the features' convention.
  std::string as_of_sql;
  // The events table (customer_id, ts, type, amount, …) and the memberships of the run
  // being built (segmentation, segment, customer_id), for had/count/sum/in_segment.
  std::string events_table = "events";
  std::string memberships_table = "memberships";
  // Known event types (had/count/sum accept these and warn of nothing else: an unknown
  // type is an error naming the closest known one).
  std::vector<std::string> event_types;
  // Segments that in_segment() may name: (segmentation, segment).
  std::vector<std::pair<std::string, std::string>> segments;
  // Optional, for speed: event type → SQL of the customer's latest event of that type
  // before as_of (a TIMESTAMP, NULL when none), readable from the row. had() on such a
  // type compares it instead of searching the events.
  std::map<std::string, std::string> last_event_sql;
  // Optional, for speed: a table (row, value) that already holds count() or sum()
  // (`function`) of the events of `type` ("" for sum: net revenue) within `days` (0: ever)
  // before as_of, for each row (`window_row_sql`, e.g. f.rowid) whose customer has such
  // events; nullopt when there is none. count() and sum() then join it on the row instead
  // of aggregating the events.
  std::function<std::optional<std::string>(std::string_view function, const std::string& type,
                                           int64_t days)>
      window_table;
  std::string window_row_sql;
};

// One top-level `and`-ed clause of a rule, for explanations: its text as written, SQL
// giving the value it reads for a customer (as text: a column's value, an event count
// or sum, "yes"/"no" for had/in_segment; several joined by ", "), and the clause alone
// as a boolean. Their parameters are numbered from $1, independently of the rule's.
// value_sql and holds_sql share `params` (value_sql may use only some of them), so run
// them in one statement: SELECT <value_sql>, <holds_sql> FROM … A missing value reads
// as the text 'null', so value_sql is never NULL.
struct RuleClause {
  std::string text;       // e.g. "recency_days > 180"
  std::string value_sql;  // e.g. CAST(f."recency_days" AS VARCHAR)
  std::string holds_sql;  // e.g. (f."recency_days" > $1)
  std::vector<store::Value> params;
};

struct CompiledRule {
  std::string sql;                   // boolean SQL; uses $first_param, $first_param+1, …
  std::vector<store::Value> params;  // the values bound to those parameters, in order
  // LEFT JOINs that `sql` reads count() and sum() from (" LEFT JOIN (…) alias ON …",
  // empty when it calls neither): append them to the row's FROM. They use `params` too.
  std::string event_joins;
  // in_segment() references, (segmentation, segment): the rule's dependencies.
  std::vector<std::pair<std::string, std::string>> segment_refs;
  std::vector<RuleClause> clauses;  // the top-level and-ed clauses (one if no top-level and)
};

// Compiles `text`. Parameters are numbered from `first_param` ($1 when 1) so that
// several rules can share one statement. Errors are InvalidArgument, with the rule,
// a caret line under the offending token and, when one is close, "did you mean …?".
Result<CompiledRule> CompileRule(std::string_view text, const RuleSchema& schema,
                                 const Dialect& sql, size_t first_param);

}  // namespace segmenta::rules

#endif  // SEGMENTA_RULES_RULE_H_
