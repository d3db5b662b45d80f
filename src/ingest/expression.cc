#include "ingest/expression.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "segmenta/project.h"

namespace segmenta::ingest {
namespace {

enum class TokenKind { kNumber, kString, kName, kSymbol, kEnd };

struct Token {
  TokenKind kind;
  std::string text;
  size_t position;
};

Result<std::vector<Token>> Tokenize(std::string_view text) {
  std::vector<Token> tokens;
  size_t pos = 0;
  auto error = [&](const std::string& what) {
    return Status::InvalidArgument("at character " + std::to_string(pos + 1) + ": " + what);
  };
  while (pos < text.size()) {
    char c = text[pos];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++pos;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '.' && pos + 1 < text.size() && std::isdigit(text[pos + 1]))) {
      size_t start = pos;
      while (pos < text.size() && (std::isdigit(static_cast<unsigned char>(text[pos])) ||
                                   text[pos] == '.' || text[pos] == 'e' || text[pos] == 'E')) {
        ++pos;
      }
      tokens.push_back({TokenKind::kNumber, std::string(text.substr(start, pos - start)), start});
    } else if (c == '\'' || c == '"') {
      size_t start = pos++;
      std::string value;
      while (true) {
        if (pos >= text.size()) {
          pos = start;
          return error(std::string("unclosed ") + c);
        }
        if (text[pos] == c) {
          if (pos + 1 < text.size() && text[pos + 1] == c) {
            value += c;
            pos += 2;
            continue;
          }
          ++pos;
          break;
        }
        value += text[pos++];
      }
      tokens.push_back({c == '\'' ? TokenKind::kString : TokenKind::kName, value, start});
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t start = pos;
      while (pos < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_')) {
        ++pos;
      }
      tokens.push_back({TokenKind::kName, std::string(text.substr(start, pos - start)), start});
      tokens.back().kind = TokenKind::kName;
    } else {
      static const char* kSymbols[] = {"<=", ">=", "<>", "!=", "=", "<", ">",
                                       "+",  "-",  "*",  "/",  "(", ")", ","};
      bool matched = false;
      for (const char* symbol : kSymbols) {
        if (text.substr(pos, std::strlen(symbol)) == symbol) {
          tokens.push_back({TokenKind::kSymbol, symbol, pos});
          pos += std::strlen(symbol);
          matched = true;
          break;
        }
      }
      if (!matched) return error(std::string("unexpected '") + c + "'");
    }
  }
  tokens.push_back({TokenKind::kEnd, "", text.size()});
  return tokens;
}

bool IsKeyword(const Token& token, std::string_view word) {
  if (token.kind != TokenKind::kName || token.text.size() != word.size()) return false;
  return std::equal(word.begin(), word.end(), token.text.begin(), [](char a, char b) {
    return a == std::tolower(static_cast<unsigned char>(b));
  });
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::vector<std::string>& columns, const Dialect& dialect)
      : tokens_(std::move(tokens)), columns_(columns), dialect_(dialect) {}

  Result<CompiledExpression> Parse() {
    SEG_ASSIGN_OR_RETURN(CompiledExpression out, Or());
    if (Peek().kind != TokenKind::kEnd) return Error("unexpected '" + Peek().text + "'");
    out.columns = used_;
    out.is_column = tokens_.size() == 2 && tokens_[0].kind == TokenKind::kName;
    return out;
  }

 private:
  using Node = CompiledExpression;

  const Token& Peek() const { return tokens_[index_]; }
  const Token& Next() { return tokens_[index_++]; }
  bool AcceptSymbol(std::string_view symbol) {
    if (Peek().kind == TokenKind::kSymbol && Peek().text == symbol) {
      ++index_;
      return true;
    }
    return false;
  }
  bool AcceptKeyword(std::string_view word) {
    if (!IsKeyword(Peek(), word)) return false;
    ++index_;
    return true;
  }
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("at character " + std::to_string(Peek().position + 1) + ": " +
                                   what);
  }

  std::string Number(const Node& node) const {
    if (node.type == ExpressionType::kNumber) return node.sql;
    return dialect_.TryDouble(node.sql);
  }

  Result<Node> Or() {
    SEG_ASSIGN_OR_RETURN(Node left, And());
    while (AcceptKeyword("or")) {
      SEG_ASSIGN_OR_RETURN(Node right, And());
      left = {"(" + left.sql + " OR " + right.sql + ")", ExpressionType::kBool};
    }
    return left;
  }

  Result<Node> And() {
    SEG_ASSIGN_OR_RETURN(Node left, Not());
    while (AcceptKeyword("and")) {
      SEG_ASSIGN_OR_RETURN(Node right, Not());
      left = {"(" + left.sql + " AND " + right.sql + ")", ExpressionType::kBool};
    }
    return left;
  }

  Result<Node> Not() {
    if (AcceptKeyword("not")) {
      SEG_ASSIGN_OR_RETURN(Node inner, Not());
      return Node{"(NOT " + inner.sql + ")", ExpressionType::kBool};
    }
    return Comparison();
  }

  // Compares as numbers when either side is numeric, else as text.
  std::pair<std::string, std::string> Operands(const Node& left, const Node& right) const {
    if (left.type == ExpressionType::kNumber || right.type == ExpressionType::kNumber) {
      return {Number(left), Number(right)};
    }
    return {left.sql, right.sql};
  }

  Result<Node> Comparison() {
    SEG_ASSIGN_OR_RETURN(Node left, Additive());
    if (AcceptKeyword("is")) {
      bool negated = AcceptKeyword("not");
      if (!AcceptKeyword("null")) return Error("expected 'null' after 'is'");
      return Node{"(" + left.sql + (negated ? " IS NOT NULL)" : " IS NULL)"),
                  ExpressionType::kBool};
    }
    if (AcceptKeyword("in")) return InList(left);
    for (std::string_view op : {"=", "!=", "<>", "<=", ">=", "<", ">"}) {
      if (!AcceptSymbol(op)) continue;
      SEG_ASSIGN_OR_RETURN(Node right, Additive());
      auto [a, b] = Operands(left, right);
      std::string sql_op = op == "!=" ? "<>" : std::string(op);
      return Node{"(" + a + " " + sql_op + " " + b + ")", ExpressionType::kBool};
    }
    return left;
  }

  Result<Node> InList(const Node& left) {
    if (!AcceptSymbol("(")) return Error("expected '(' after 'in'");
    std::vector<Node> items;
    do {
      SEG_ASSIGN_OR_RETURN(Node item, Additive());
      items.push_back(std::move(item));
    } while (AcceptSymbol(","));
    if (!AcceptSymbol(")")) return Error("expected ')' to close the list");
    bool numeric = std::any_of(items.begin(), items.end(),
                               [](const Node& n) { return n.type == ExpressionType::kNumber; });
    std::string sql = "(" + (numeric ? Number(left) : left.sql) + " IN (";
    for (size_t item_idx = 0; item_idx < items.size(); ++item_idx) {
      if (item_idx) sql += ", ";
      sql += numeric ? Number(items[item_idx]) : items[item_idx].sql;
    }
    return Node{sql + "))", ExpressionType::kBool};
  }

  Result<Node> Additive() {
    SEG_ASSIGN_OR_RETURN(Node left, Multiplicative());
    while (true) {
      std::string op = Peek().text;
      if (!AcceptSymbol("+") && !AcceptSymbol("-")) return left;
      SEG_ASSIGN_OR_RETURN(Node right, Multiplicative());
      left = {"(" + Number(left) + " " + op + " " + Number(right) + ")", ExpressionType::kNumber};
    }
  }

  Result<Node> Multiplicative() {
    SEG_ASSIGN_OR_RETURN(Node left, Unary());
    while (true) {
      std::string op = Peek().text;
      if (!AcceptSymbol("*") && !AcceptSymbol("/")) return left;
      SEG_ASSIGN_OR_RETURN(Node right, Unary());
      std::string denominator = op == "/" ? "NULLIF(" + Number(right) + ", 0)" : Number(right);
      left = {"(" + Number(left) + " " + op + " " + denominator + ")", ExpressionType::kNumber};
    }
  }

  Result<Node> Unary() {
    if (AcceptSymbol("-")) {
      SEG_ASSIGN_OR_RETURN(Node inner, Unary());
      return Node{"(-" + Number(inner) + ")", ExpressionType::kNumber};
    }
    return Primary();
  }

  Result<Node> Primary() {
    const Token& token = Peek();
    switch (token.kind) {
      case TokenKind::kNumber: {
        char* end = nullptr;
        std::strtod(token.text.c_str(), &end);
        if (*end != '\0') return Error("'" + token.text + "' is not a number");
        Next();
        return Node{"CAST(" + token.text + " AS DOUBLE)", ExpressionType::kNumber};
      }
      case TokenKind::kString:
        Next();
        return Node{dialect_.QuoteString(token.text), ExpressionType::kText};
      case TokenKind::kName:
        return Column();
      case TokenKind::kSymbol:
        if (AcceptSymbol("(")) {
          SEG_ASSIGN_OR_RETURN(Node inner, Or());
          if (!AcceptSymbol(")")) return Error("expected ')'");
          return inner;
        }
        return Error("unexpected '" + token.text + "'");
      case TokenKind::kEnd:
        return Error("the expression ends too early");
    }
    return Error("unexpected input");
  }

  Result<Node> Column() {
    const Token& token = Next();
    std::string name = token.text;
    if (std::find(columns_.begin(), columns_.end(), name) == columns_.end()) {
      auto same_case = std::find_if(columns_.begin(), columns_.end(), [&](const std::string& c) {
        return c.size() == name.size() &&
               std::equal(c.begin(), c.end(), name.begin(), [](char a, char b) {
                 return std::tolower(static_cast<unsigned char>(a)) ==
                        std::tolower(static_cast<unsigned char>(b));
               });
      });
      if (same_case == columns_.end()) {
        std::string hint = ClosestMatch(name, columns_);
        index_--;
        return Error("unknown column '" + name + "'" +
                     (hint.empty() ? "" : "; did you mean '" + hint + "'?"));
      }
      name = *same_case;
    }
    if (std::find(used_.begin(), used_.end(), name) == used_.end()) used_.push_back(name);
    return Node{dialect_.QuoteIdentifier(name), ExpressionType::kText};
  }

  std::vector<Token> tokens_;
  const std::vector<std::string>& columns_;
  const Dialect& dialect_;
  size_t index_ = 0;
  std::vector<std::string> used_;
};

}  // namespace

Result<CompiledExpression> CompileExpression(std::string_view text,
                                             const std::vector<std::string>& columns,
                                             const Dialect& dialect) {
  SEG_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text));
  if (tokens.size() == 1) return Status::InvalidArgument("the expression is empty");
  return Parser(std::move(tokens), columns, dialect).Parse();
}

std::string AsNumber(const CompiledExpression& expression, const Dialect& dialect) {
  if (expression.type == ExpressionType::kNumber) return expression.sql;
  return dialect.TryDouble(expression.sql);
}

}  // namespace segmenta::ingest
