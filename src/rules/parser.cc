#include "rules/parser.h"

#include <algorithm>
#include <array>
#include <utility>

#include "rules/lexer.h"

namespace segmenta::rules {
namespace {

constexpr std::array<std::string_view, 7> kComparisons = {"=", "!=", "<>", "<", "<=", ">", ">="};
constexpr std::array<std::string_view, 11> kKeywords = {
    "and", "or", "not", "in", "between", "is", "null", "true", "false", "contains", "within"};

constexpr int64_t kMaxWindowDays = 36500;

bool IsReserved(const Token& token) {
  for (std::string_view word : kKeywords) {
    if (IsKeyword(token, word)) return true;
  }
  return false;
}

Span Join(Span first, Span last) { return {first.begin, last.end}; }

class Parser {
 public:
  Parser(std::string_view rule, std::vector<Token> tokens)
      : rule_(rule), tokens_(std::move(tokens)) {}

  Result<Node> Rule() {
    if (Peek().kind == TokenKind::kEnd) {
      return ErrorAt(rule_, Peek().span,
                     "the rule is empty; expected a condition such as frequency >= 3");
    }
    SEG_ASSIGN_OR_RETURN(Node root, Or());
    if (Peek().kind != TokenKind::kEnd) return Expected("'and', 'or' or the end of the rule");
    return root;
  }

 private:
  // Counts nesting on the way down and back up.
  class Depth {
   public:
    explicit Depth(int& depth) : depth_(++depth) {}
    ~Depth() { --depth_; }
    Depth(const Depth&) = delete;
    Depth& operator=(const Depth&) = delete;

   private:
    int& depth_;
  };

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(index_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& token = Peek();
    if (index_ + 1 < tokens_.size()) ++index_;
    return token;
  }
  bool AtSymbol(std::string_view symbol, size_t ahead = 0) const {
    return Peek(ahead).kind == TokenKind::kSymbol && Peek(ahead).text == symbol;
  }
  bool AtKeyword(std::string_view word, size_t ahead = 0) const {
    return IsKeyword(Peek(ahead), word);
  }
  bool AcceptSymbol(std::string_view symbol) {
    if (!AtSymbol(symbol)) return false;
    Next();
    return true;
  }
  bool AcceptKeyword(std::string_view word) {
    if (!AtKeyword(word)) return false;
    Next();
    return true;
  }

  std::string Describe(const Token& token) const {
    switch (token.kind) {
      case TokenKind::kEnd:
        return "the end of the rule";
      case TokenKind::kString:
        return "text " +
               std::string(rule_.substr(token.span.begin, token.span.end - token.span.begin));
      default:
        return "'" + token.text + "'";
    }
  }
  Status Expected(std::string_view what) const {
    return ErrorAt(rule_, Peek().span,
                   "expected " + std::string(what) + ", found " + Describe(Peek()));
  }
  Status TooDeep() const {
    return ErrorAt(rule_, Peek().span,
                   "the rule nests more than " + std::to_string(kMaxDepth) + " levels deep");
  }

  Result<Node> Or() { return Chain(NodeKind::kOr, "or", &Parser::And); }
  Result<Node> And() { return Chain(NodeKind::kAnd, "and", &Parser::Not); }

  // item (keyword item)*, as one node with all the items.
  Result<Node> Chain(NodeKind kind, std::string_view keyword, Result<Node> (Parser::*item)()) {
    SEG_ASSIGN_OR_RETURN(Node first, (this->*item)());
    if (!AtKeyword(keyword)) return first;
    Node chain{kind, first.span};
    chain.children.push_back(std::move(first));
    while (AcceptKeyword(keyword)) {
      SEG_ASSIGN_OR_RETURN(Node next, (this->*item)());
      chain.span.end = next.span.end;
      chain.children.push_back(std::move(next));
    }
    return chain;
  }

  Result<Node> Not() {
    Depth depth(depth_);
    if (depth_ > kMaxDepth) return TooDeep();
    if (AtKeyword("not")) {
      Span keyword = Next().span;
      SEG_ASSIGN_OR_RETURN(Node inner, Not());
      Node node{NodeKind::kNot, Join(keyword, inner.span), keyword};
      node.children.push_back(std::move(inner));
      return node;
    }
    if (AtSymbol("(")) return Group();
    return Predicate();
  }

  Result<Node> Group() {
    Span open = Next().span;
    SEG_ASSIGN_OR_RETURN(Node inner, Or());
    if (!AtSymbol(")")) {
      return Expected("')' to close the '(' at column " + Column(open));
    }
    Span close = Next().span;
    // Operands keep their own span, so that an error about one points at it alone.
    if (!IsOperand(inner)) inner.span = Join(open, close);
    return inner;
  }

  std::string Column(Span span) const { return std::to_string(ColumnOf(rule_, span.begin)); }

  static bool IsOperand(const Node& node) {
    return IsLiteral(node) || node.kind == NodeKind::kColumn || node.kind == NodeKind::kCall;
  }

  Result<Node> Predicate() {
    SEG_ASSIGN_OR_RETURN(Node left, Operand());
    for (std::string_view op : kComparisons) {
      if (AtSymbol(op)) return Comparison(std::move(left));
    }
    if (AtKeyword("is")) return IsNull(std::move(left));
    if (AtKeyword("contains")) return Binary(NodeKind::kContains, std::move(left));
    bool negated = AtKeyword("not");
    if (negated && !AtKeyword("in", 1) && !AtKeyword("between", 1)) {
      Next();
      return Expected("'in' or 'between' after 'not'");
    }
    if (negated) Next();
    if (AtKeyword("in")) return InList(std::move(left), negated);
    if (AtKeyword("between")) return Between(std::move(left), negated);
    return left;
  }

  // A node of `kind` whose keyword or operator is the next token, over `left` and one
  // more operand.
  Result<Node> Binary(NodeKind kind, Node left) {
    const Token& op = Next();
    Node node{kind, left.span, op.span, op.text};
    SEG_ASSIGN_OR_RETURN(Node right, Operand());
    node.span.end = right.span.end;
    node.children.push_back(std::move(left));
    node.children.push_back(std::move(right));
    return node;
  }

  Result<Node> Comparison(Node left) { return Binary(NodeKind::kCompare, std::move(left)); }

  Result<Node> IsNull(Node left) {
    Node node{NodeKind::kIsNull, left.span, Next().span};
    node.negated = AcceptKeyword("not");
    if (!AtKeyword("null"))
      return Expected(node.negated ? "'null' after 'is not'" : "'null' after 'is'");
    node.span.end = Next().span.end;
    node.keyword_span.end = node.span.end;
    node.children.push_back(std::move(left));
    return node;
  }

  Result<Node> InList(Node left, bool negated) {
    Node node{NodeKind::kIn, left.span, Next().span};
    node.negated = negated;
    if (Peek().kind == TokenKind::kName && left.kind == NodeKind::kString) {
      return ErrorAt(
          rule_, Peek().span,
          "to test whether a list holds a value write " + Peek().text + " contains " +
              std::string(rule_.substr(left.span.begin, left.span.end - left.span.begin)));
    }
    if (!AtSymbol("(")) return Expected("'(' after 'in'");
    Next();
    node.children.push_back(std::move(left));
    do {
      SEG_ASSIGN_OR_RETURN(Node value, Value("a value (a number, 'text', true or false)"));
      node.children.push_back(std::move(value));
    } while (AcceptSymbol(","));
    if (!AtSymbol(")")) return Expected("',' or ')' in the list of values");
    node.span.end = Next().span.end;
    return node;
  }

  Result<Node> Between(Node left, bool negated) {
    Node node{NodeKind::kBetween, left.span, Next().span};
    node.negated = negated;
    SEG_ASSIGN_OR_RETURN(Node low, Operand());
    if (!AcceptKeyword("and")) return Expected("'and' of 'between … and …'");
    SEG_ASSIGN_OR_RETURN(Node high, Operand());
    node.span.end = high.span.end;
    node.children.push_back(std::move(left));
    node.children.push_back(std::move(low));
    node.children.push_back(std::move(high));
    return node;
  }

  Result<Node> Operand() {
    const Token& token = Peek();
    if (token.kind == TokenKind::kName && !IsReserved(token)) {
      if (AtSymbol("(", 1)) return Call();
      Next();
      return Node{NodeKind::kColumn, token.span, token.span, token.text};
    }
    if (IsKeyword(token, "null")) {
      return ErrorAt(rule_, token.span,
                     "'null' is not a value; test for a missing value with 'is null' or "
                     "'is not null'");
    }
    if (token.kind == TokenKind::kWindow) {
      return ErrorAt(rule_, token.span, "a window such as 30d goes inside had(), count() or sum()");
    }
    return Value("a column, a function or a value (a number, 'text', true or false)");
  }

  // A literal; `expected` says what may stand here instead.
  Result<Node> Value(std::string_view expected) {
    const Token& token = Peek();
    if (token.kind == TokenKind::kString) {
      Next();
      return Node{NodeKind::kString, token.span, token.span, token.text};
    }
    if (IsKeyword(token, "true") || IsKeyword(token, "false")) {
      Next();
      return Node{NodeKind::kBool, token.span, token.span,
                  IsKeyword(token, "true") ? "true" : "false"};
    }
    bool minus = AtSymbol("-") && Peek(1).kind == TokenKind::kNumber;
    if (token.kind != TokenKind::kNumber && !minus) {
      return Expected(expected);
    }
    Span begin = Next().span;
    if (!minus) return Node{NodeKind::kNumber, begin, begin, token.text};
    const Token& number = Next();
    return Node{NodeKind::kNumber, Join(begin, number.span), Join(begin, number.span),
                "-" + number.text};
  }

  Result<Node> Call() {
    const Token& name = Next();
    Node node{NodeKind::kCall, name.span, name.span, name.text};
    Span open = Next().span;
    if (!AtSymbol(")")) {
      do {
        SEG_ASSIGN_OR_RETURN(Node argument, Argument());
        node.children.push_back(std::move(argument));
      } while (AcceptSymbol(","));
    }
    if (!AtSymbol(")")) {
      return Expected("',' or ')' to close the '(' at column " + Column(open));
    }
    node.span.end = Next().span.end;
    return node;
  }

  Result<Node> Argument() {
    const Token& token = Peek();
    if (IsKeyword(token, "within")) {
      Span keyword = Next().span;
      if (Peek().kind != TokenKind::kWindow) return Expected("a window such as 30d after 'within'");
      SEG_ASSIGN_OR_RETURN(Node window, Window());
      window.span.begin = keyword.begin;
      return window;
    }
    if (token.kind == TokenKind::kWindow) return Window();
    if (token.kind == TokenKind::kName) {
      Next();
      return Node{NodeKind::kWord, token.span, token.span, token.text};
    }
    if (token.kind == TokenKind::kString) {
      Next();
      return Node{NodeKind::kString, token.span, token.span, token.text};
    }
    if (token.kind == TokenKind::kNumber) {
      return ErrorAt(rule_, token.span, kWindowHelp);
    }
    return Expected("an argument (a name, 'text' or a window such as 30d)");
  }

  static constexpr std::string_view kWindowHelp =
      "expected a window: a whole number and d (days), w (weeks), m (months of 30 days) or "
      "y (years of 365 days), e.g. 30d";

  // <N>d, <N>w (7N days), <N>m (30N days), <N>y (365N days); 1 day to 100 years.
  Result<Node> Window() {
    const Token& token = Next();
    std::string_view text = token.text;
    size_t digits = text.find_first_not_of("0123456789");
    if (digits == 0 || digits != text.size() - 1) return ErrorAt(rule_, token.span, kWindowHelp);
    int64_t unit = UnitDays(text.back());
    if (unit == 0) return ErrorAt(rule_, token.span, kWindowHelp);
    if (digits > 6) return WindowTooLong(token);
    int64_t days = std::stoll(std::string(text.substr(0, digits))) * unit;
    if (days < 1) return ErrorAt(rule_, token.span, "a window holds at least one day");
    if (days > kMaxWindowDays) return WindowTooLong(token);
    Node node{NodeKind::kWindow, token.span, token.span, token.text};
    node.days = days;
    return node;
  }

  Status WindowTooLong(const Token& token) const {
    return ErrorAt(rule_, token.span,
                   "a window holds at most 100 years (36500 days); leave the window out to "
                   "count every event before as_of");
  }

  static int64_t UnitDays(char unit) {
    switch (unit) {
      case 'd':
      case 'D':
        return 1;
      case 'w':
      case 'W':
        return 7;
      case 'm':
      case 'M':
        return 30;
      case 'y':
      case 'Y':
        return 365;
      default:
        return 0;
    }
  }

  std::string_view rule_;
  std::vector<Token> tokens_;
  size_t index_ = 0;
  int depth_ = 0;
};

}  // namespace

bool IsLiteral(const Node& node) {
  return node.kind == NodeKind::kNumber || node.kind == NodeKind::kString ||
         node.kind == NodeKind::kBool;
}

Result<Node> ParseRule(std::string_view rule) {
  SEG_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(rule));
  return Parser(rule, std::move(tokens)).Rule();
}

}  // namespace segmenta::rules
