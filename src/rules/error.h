// Rule errors: the message, the rule's line and a caret line under the offending token.
//
//   at column 1: unknown column 'recency_day'; did you mean 'recency_days'?
//     recency_day > 180
//     ^~~~~~~~~~~
#ifndef SEGMENTA_RULES_ERROR_H_
#define SEGMENTA_RULES_ERROR_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "segmenta/status.h"

namespace segmenta::rules {

// Bytes [begin, end) of the rule's text.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// InvalidArgument: "at [line L, ]column C: <message>", then the rule's line and a caret
// line: `^` under the span's first character and `~` under the rest of it on that line.
// Columns count UTF-8 characters, so the caret stays under the token.
Status ErrorAt(std::string_view rule, Span span, std::string_view message);

// The 1-based column of byte `pos` on its line, in UTF-8 characters.
size_t ColumnOf(std::string_view rule, size_t pos);

// "; did you mean 'x'?" with the closest of `candidates`, or "" when none is close.
std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates);

// "; did you mean 'x'?" as DidYouMean, or else the known names when there are few
// ("; known: 'a', 'b'"), or "; no <what> is known" when there are none.
std::string KnownNamesHint(std::string_view word, const std::vector<std::string>& known,
                           std::string_view what);

// The name in `known` equal to `name`, or else equal but for case; nullptr when none.
const std::string* FindName(const std::vector<std::string>& known, std::string_view name);

// ASCII case-insensitive equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace segmenta::rules

#endif  // SEGMENTA_RULES_ERROR_H_
