#include "rules/lexer.h"

#include <array>
#include <cstdio>

namespace segmenta::rules {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

class Lexer {
 public:
  explicit Lexer(std::string_view rule) : rule_(rule) {}

  Result<std::vector<Token>> Run() {
    while (pos_ < rule_.size()) {
      char c = rule_[pos_];
      if (IsSpace(c)) {
        ++pos_;
      } else if (IsDigit(c) || (c == '.' && IsDigit(At(pos_ + 1)))) {
        Number();
      } else if (IsLetter(c)) {
        Name();
      } else if (c == '\'' || c == '"') {
        SEG_RETURN_IF_ERROR(String(c));
      } else {
        SEG_RETURN_IF_ERROR(Symbol());
      }
    }
    tokens_.push_back({TokenKind::kEnd, "", {rule_.size(), rule_.size()}});
    return std::move(tokens_);
  }

 private:
  char At(size_t pos) const { return pos < rule_.size() ? rule_[pos] : '\0'; }

  void SkipDigits() {
    while (IsDigit(At(pos_))) ++pos_;
  }

  void Add(TokenKind kind, size_t begin) {
    tokens_.push_back({kind, std::string(rule_.substr(begin, pos_ - begin)), {begin, pos_}});
  }

  // digits [. digits] [e [+-] digits]; letters right after make it a window (30d).
  void Number() {
    size_t begin = pos_;
    SkipDigits();
    if (At(pos_) == '.' && IsDigit(At(pos_ + 1))) {
      ++pos_;
      SkipDigits();
    }
    size_t sign = (At(pos_ + 1) == '+' || At(pos_ + 1) == '-') ? 1 : 0;
    if ((At(pos_) == 'e' || At(pos_) == 'E') && IsDigit(At(pos_ + 1 + sign))) {
      pos_ += 1 + sign;
      SkipDigits();
    }
    if (!IsLetter(At(pos_))) return Add(TokenKind::kNumber, begin);
    while (IsLetter(At(pos_)) || IsDigit(At(pos_))) ++pos_;
    Add(TokenKind::kWindow, begin);
  }

  void Name() {
    size_t begin = pos_;
    while (IsLetter(At(pos_)) || IsDigit(At(pos_))) ++pos_;
    Add(TokenKind::kName, begin);
  }

  // A quote doubled inside the string stands for itself: 'it''s'.
  Status String(char quote) {
    size_t begin = pos_++;
    std::string value;
    while (pos_ < rule_.size()) {
      if (rule_[pos_] != quote) {
        value += rule_[pos_++];
      } else if (At(pos_ + 1) == quote) {
        value += quote;
        pos_ += 2;
      } else {
        ++pos_;
        tokens_.push_back({TokenKind::kString, std::move(value), {begin, pos_}});
        return Status::Ok();
      }
    }
    return ErrorAt(rule_, {begin, begin + 1},
                   std::string("unterminated text: expected a closing ") + quote);
  }

  Status Symbol() {
    if (rule_.substr(pos_, 2) == "==")
      return ErrorAt(rule_, {pos_, pos_ + 2}, "unexpected '=='; write '='");
    static constexpr std::array<std::string_view, 11> kSymbols = {"<=", ">=", "<>", "!=", "=", "<",
                                                                  ">",  "(",  ")",  ",",  "-"};
    for (std::string_view symbol : kSymbols) {
      if (rule_.substr(pos_, symbol.size()) != symbol) continue;
      size_t begin = pos_;
      pos_ += symbol.size();
      Add(TokenKind::kSymbol, begin);
      return Status::Ok();
    }
    return ErrorAt(rule_, {pos_, pos_ + 1}, UnexpectedCharacter());
  }

  std::string UnexpectedCharacter() const {
    std::string_view pair = rule_.substr(pos_, 2);
    if (pair == "&&") return "unexpected '&&'; write 'and'";
    if (pair == "||") return "unexpected '||'; write 'or'";
    unsigned char c = static_cast<unsigned char>(rule_[pos_]);
    if (c == '!') return "unexpected '!'; write 'not' or '!='";
    if (c >= 0x20 && c < 0x7F) return std::string("unexpected character '") + char(c) + "'";
    size_t length = Utf8Length(pos_);
    if (length > 1) return "unexpected character '" + std::string(rule_.substr(pos_, length)) + "'";
    std::array<char, 8> hex{};
    std::snprintf(hex.data(), hex.size(), "\\x%02X", c);
    return std::string("unexpected byte ") + hex.data();
  }

  // The length of the well-formed UTF-8 character at `pos`, or 1.
  size_t Utf8Length(size_t pos) const {
    unsigned char lead = static_cast<unsigned char>(rule_[pos]);
    size_t length = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (length == 1 || pos + length > rule_.size()) return 1;
    for (size_t byte_idx = 1; byte_idx < length; ++byte_idx) {
      if ((static_cast<unsigned char>(rule_[pos + byte_idx]) & 0xC0) != 0x80) return 1;
    }
    return length;
  }

  std::string_view rule_;
  size_t pos_ = 0;
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view rule) { return Lexer(rule).Run(); }

bool IsKeyword(const Token& token, std::string_view word) {
  return token.kind == TokenKind::kName && EqualsIgnoreCase(token.text, word);
}

}  // namespace segmenta::rules
