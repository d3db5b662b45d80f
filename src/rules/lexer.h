// The rule language's tokens: names, numbers, 'text' or "text", windows (30d, 4w, 6m,
// 1y) and the symbols = != <> < <= > >= ( ) , -. Keywords are names, compared without
// regard to case (IsKeyword).
#ifndef SEGMENTA_RULES_LEXER_H_
#define SEGMENTA_RULES_LEXER_H_

#include <string>
#include <string_view>
#include <vector>

#include "rules/error.h"
#include "segmenta/status.h"

namespace segmenta::rules {

enum class TokenKind {
  kName,    // recency_days, and, had
  kNumber,  // 3, 2.5, 1e3
  kString,  // 'text' or "text"; `text` holds the value, quotes undoubled
  kWindow,  // a number with letters right after it: 30d (checked by the parser)
  kSymbol,  // = != <> < <= > >= ( ) , -
  kEnd,     // after the last token
};

struct Token {
  TokenKind kind;
  std::string text;
  Span span;
};

// The tokens of `rule`, ending with one kEnd. Errors (an unterminated string, a
// character that starts no token) point at the character.
Result<std::vector<Token>> Tokenize(std::string_view rule);

// Whether `token` is the name `word` (lower case), in any case.
bool IsKeyword(const Token& token, std::string_view word);

}  // namespace segmenta::rules

#endif  // SEGMENTA_RULES_LEXER_H_
