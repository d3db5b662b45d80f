#include "rules/check.h"

#include <array>
#include <charconv>
#include <cstdlib>

#include "rules/error.h"

namespace segmenta::rules {
namespace {

// What an argument of a function call stands for.
enum class Slot {
  kEventType,
  kOptionalEventType,
  kOptionalWindow,
  kAmount,
  kSegmentation,
  kSegment
};

struct Signature {
  Function function;
  std::string_view name;
  std::string_view usage;
  ValueType type;
  std::array<Slot, 3> slots;
  size_t slot_count;
};

constexpr std::array<Signature, 4> kFunctions = {{
    {Function::kHad,
     "had",
     "had(type) or had(type, within 30d)",
     ValueType::kBool,
     {Slot::kEventType, Slot::kOptionalWindow},
     2},
    {Function::kCount,
     "count",
     "count(type) or count(type, 90d)",
     ValueType::kNumber,
     {Slot::kEventType, Slot::kOptionalWindow},
     2},
    {Function::kSum,
     "sum",
     "sum(amount, 90d) or sum(amount, 90d, type)",
     ValueType::kNumber,
     {Slot::kAmount, Slot::kOptionalWindow, Slot::kOptionalEventType},
     3},
    {Function::kInSegment,
     "in_segment",
     "in_segment(\"segmentation\", \"segment\")",
     ValueType::kBool,
     {Slot::kSegmentation, Slot::kSegment},
     2},
}};

bool IsOptional(Slot slot) {
  return slot == Slot::kOptionalEventType || slot == Slot::kOptionalWindow;
}

bool Fits(const Node& argument, Slot slot) {
  if (slot == Slot::kOptionalWindow) return argument.kind == NodeKind::kWindow;
  return argument.kind == NodeKind::kWord || argument.kind == NodeKind::kString;
}

std::string_view SlotName(Slot slot) {
  switch (slot) {
    case Slot::kEventType:
    case Slot::kOptionalEventType:
      return "an event type such as purchase";
    case Slot::kOptionalWindow:
      return "a window such as 30d";
    case Slot::kAmount:
      return "amount";
    case Slot::kSegmentation:
      return "a segmentation name";
    case Slot::kSegment:
      return "a segment name";
  }
  return "an argument";
}

std::string TypeName(ValueType type) {
  switch (type) {
    case ValueType::kNumber:
      return "a number";
    case ValueType::kText:
      return "text";
    case ValueType::kDate:
      return "a date";
    case ValueType::kList:
      return "a list";
    case ValueType::kBool:
      return "true/false";
  }
  return "a value";
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// YYYY-MM-DD, a real calendar day from year 1.
bool IsDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  auto number = [&](size_t begin, size_t length, int& out) {
    auto [end, error] = std::from_chars(text.data() + begin, text.data() + begin + length, out);
    return error == std::errc() && end == text.data() + begin + length && out >= 1;
  };
  int year = 0, month = 0, day = 0;
  if (!number(0, 4, year) || !number(5, 2, month) || !number(8, 2, day)) return false;
  return month <= 12 && day <= DaysInMonth(year, month);
}

// Whole numbers that fit in 64 bits are bound as integers, the rest as doubles.
store::Value NumberValue(const std::string& text) {
  if (text.find_first_of(".eE") == std::string::npos) {
    int64_t whole = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), whole);
    if (error == std::errc() && end == text.data() + text.size()) return whole;
  }
  return std::strtod(text.c_str(), nullptr);
}

class Checker {
 public:
  Checker(std::string_view rule, const RuleSchema& schema,
          std::vector<std::pair<std::string, std::string>>& segment_refs)
      : rule_(rule), schema_(schema), segment_refs_(segment_refs) {}

  Status Condition(Node& node) {
    switch (node.kind) {
      case NodeKind::kOr:
      case NodeKind::kAnd:
      case NodeKind::kNot:
        for (Node& child : node.children) SEG_RETURN_IF_ERROR(Condition(child));
        return Status::Ok();
      case NodeKind::kCompare:
        return Compare(node);
      case NodeKind::kIn:
        return In(node);
      case NodeKind::kBetween:
        return Between(node);
      case NodeKind::kIsNull:
        return Subject(node.children[0], "is");
      case NodeKind::kContains:
        return Contains(node);
      default:
        return Bare(node);
    }
  }

 private:
  std::string Source(const Node& node) const {
    return std::string(rule_.substr(node.span.begin, node.span.end - node.span.begin));
  }
  std::string Quoted(const Node& node) const { return "'" + Source(node) + "'"; }

  // A column or function on its own: it must be true/false.
  Status Bare(Node& node) {
    if (IsLiteral(node)) {
      return ErrorAt(
          rule_, node.span,
          "expected a condition such as frequency >= 3, found the value " + Source(node));
    }
    SEG_RETURN_IF_ERROR(Operand(node));
    if (node.type == ValueType::kBool) return Status::Ok();
    return ErrorAt(rule_, node.span,
                   "expected a condition; " + Quoted(node) + " is " + TypeName(node.type) +
                       ": test it, e.g. " + Source(node) + Example(node.type));
  }

  static std::string Example(ValueType type) {
    switch (type) {
      case ValueType::kNumber:
        return " > 0";
      case ValueType::kText:
        return " = 'text'";
      case ValueType::kDate:
        return " >= '2026-01-01'";
      case ValueType::kList:
        return " contains 'text'";
      case ValueType::kBool:
        return " = true";
    }
    return "";
  }

  // A column or function, typed; literals are typed by what they are compared with.
  Status Operand(Node& node) {
    if (node.kind == NodeKind::kColumn) return Column(node);
    if (node.kind == NodeKind::kCall) return Call(node);
    return Status::Ok();
  }

  // The operand before `is`, `in`, `between`: a column or function, not a value.
  Status Subject(Node& node, std::string_view keyword) {
    if (IsLiteral(node)) {
      return ErrorAt(rule_, node.span,
                     "expected a column or function before '" + std::string(keyword) +
                         "', found the value " + Source(node));
    }
    return Operand(node);
  }

  Status Compare(Node& node) {
    Node& left = node.children[0];
    Node& right = node.children[1];
    if (IsLiteral(left) && IsLiteral(right)) {
      return ErrorAt(rule_, left.span,
                     "expected a column or function on one side; both sides are values");
    }
    Node& subject = IsLiteral(left) ? right : left;
    Node& other = IsLiteral(left) ? left : right;
    SEG_RETURN_IF_ERROR(Operand(subject));
    if (subject.type == ValueType::kList) return ListMisuse(subject);
    bool equality = node.text == "=" || node.text == "!=" || node.text == "<>";
    if (subject.type == ValueType::kBool && !equality) {
      return ErrorAt(rule_, node.keyword_span, "true/false values compare only with = or !=");
    }
    return Matches(other, subject);
  }

  Status ListMisuse(const Node& list) const {
    return ErrorAt(rule_, list.span,
                   Quoted(list) + " is a list: test it with " + Source(list) + " contains 'text'");
  }

  // `other` (a value or operand) can stand beside `subject`.
  Status Matches(Node& other, const Node& subject) {
    if (IsLiteral(other)) return Fit(other, subject);
    SEG_RETURN_IF_ERROR(Operand(other));
    if (other.type == subject.type) return Status::Ok();
    return ErrorAt(rule_, other.span,
                   "cannot compare " + Quoted(subject) + " (" + TypeName(subject.type) + ") with " +
                       Quoted(other) + " (" + TypeName(other.type) + ")");
  }

  // Types the literal `value` as `subject`'s type and sets the value it is bound as.
  Status Fit(Node& value, const Node& subject) {
    value.type = subject.type;
    bool fits = false;
    switch (subject.type) {
      case ValueType::kNumber:
        fits = value.kind == NodeKind::kNumber;
        if (fits) value.value = NumberValue(value.text);
        break;
      case ValueType::kText:
      case ValueType::kDate:
        fits = value.kind == NodeKind::kString &&
               (subject.type == ValueType::kText || IsDate(value.text));
        if (fits) value.value = value.text;
        break;
      case ValueType::kBool:
        fits = value.kind == NodeKind::kBool;
        if (fits) value.value = value.text == "true";
        break;
      case ValueType::kList:
        return ListMisuse(subject);
    }
    if (fits) return Status::Ok();
    return ErrorAt(rule_, value.span,
                   "expected " + Wanted(subject.type) + " to compare with " + Quoted(subject) +
                       " (" + TypeName(subject.type) + "), found " + Source(value));
  }

  static std::string Wanted(ValueType type) {
    switch (type) {
      case ValueType::kNumber:
        return "a number";
      case ValueType::kText:
        return "text in quotes, e.g. 'Romania'";
      case ValueType::kDate:
        return "a date 'YYYY-MM-DD'";
      default:
        return "true or false";
    }
  }

  Status In(Node& node) {
    Node& subject = node.children[0];
    SEG_RETURN_IF_ERROR(Subject(subject, "in"));
    if (subject.type == ValueType::kList) return ListMisuse(subject);
    for (size_t value_idx = 1; value_idx < node.children.size(); ++value_idx) {
      SEG_RETURN_IF_ERROR(Fit(node.children[value_idx], subject));
    }
    return Status::Ok();
  }

  Status Between(Node& node) {
    Node& subject = node.children[0];
    SEG_RETURN_IF_ERROR(Subject(subject, "between"));
    if (subject.type != ValueType::kNumber && subject.type != ValueType::kDate) {
      return ErrorAt(rule_, subject.span,
                     "between compares numbers or dates; " + Quoted(subject) + " is " +
                         TypeName(subject.type));
    }
    SEG_RETURN_IF_ERROR(Matches(node.children[1], subject));
    return Matches(node.children[2], subject);
  }

  Status Contains(Node& node) {
    Node& list = node.children[0];
    SEG_RETURN_IF_ERROR(Subject(list, "contains"));
    if (list.type != ValueType::kList) {
      return ErrorAt(
          rule_, list.span,
          "contains tests a list column; " + Quoted(list) + " is " + TypeName(list.type));
    }
    Node& value = node.children[1];
    if (value.kind != NodeKind::kString) {
      return ErrorAt(rule_, value.span,
                     "expected the text to look for in " + Quoted(list) + ", e.g. 'sports'");
    }
    value.type = ValueType::kText;
    value.value = value.text;
    return Status::Ok();
  }

  Status Column(Node& node) {
    const RuleColumn* column = FindColumn(node.text);
    if (column == nullptr) {
      std::vector<std::string> names;
      names.reserve(schema_.columns.size());
      for (const RuleColumn& candidate : schema_.columns) names.push_back(candidate.name);
      return ErrorAt(rule_, node.span,
                     "unknown column '" + node.text + "'" + DidYouMean(node.text, names));
    }
    node.column = column;
    node.type = column->type;
    return Status::Ok();
  }

  const RuleColumn* FindColumn(std::string_view name) const {
    for (const RuleColumn& column : schema_.columns) {
      if (column.name == name) return &column;
    }
    for (const RuleColumn& column : schema_.columns) {
      if (EqualsIgnoreCase(column.name, name)) return &column;
    }
    return nullptr;
  }

  Status Call(Node& node) {
    const Signature* signature = FindFunction(node.text);
    if (signature == nullptr) {
      std::vector<std::string> names;
      names.reserve(kFunctions.size());
      for (const Signature& candidate : kFunctions) names.emplace_back(candidate.name);
      std::string hint = DidYouMean(node.text, names);
      return ErrorAt(
          rule_, node.keyword_span,
          "unknown function '" + node.text + "'" +
              (hint.empty() ? "; the functions are had, count, sum and in_segment" : hint));
    }
    node.function = signature->function;
    node.type = signature->type;
    return Arguments(node, *signature);
  }

  static const Signature* FindFunction(std::string_view name) {
    for (const Signature& signature : kFunctions) {
      if (EqualsIgnoreCase(signature.name, name)) return &signature;
    }
    return nullptr;
  }

  // Matches the arguments to the signature's slots in order; optional slots may be
  // skipped.
  Status Arguments(Node& call, const Signature& signature) {
    size_t arg_idx = 0;
    for (size_t slot_idx = 0; slot_idx < signature.slot_count; ++slot_idx) {
      Slot slot = signature.slots[slot_idx];
      Node* argument = arg_idx < call.children.size() ? &call.children[arg_idx] : nullptr;
      bool fits = argument != nullptr && Fits(*argument, slot);
      if (!fits && IsOptional(slot)) continue;
      if (!fits) return BadArgument(call, argument, signature, slot);
      SEG_RETURN_IF_ERROR(Resolve(call, *argument, slot));
      ++arg_idx;
    }
    if (arg_idx == call.children.size()) return Status::Ok();
    return ErrorAt(rule_, call.children[arg_idx].span,
                   "too many arguments to " + std::string(signature.name) + "(); write " +
                       std::string(signature.usage));
  }

  Status BadArgument(const Node& call, const Node* argument, const Signature& signature,
                     Slot slot) const {
    std::string usage = "; write " + std::string(signature.usage);
    if (argument != nullptr) {
      return ErrorAt(rule_, argument->span, "expected " + std::string(SlotName(slot)) + usage);
    }
    Span close{call.span.end - 1, call.span.end};
    return ErrorAt(rule_, close,
                   std::string(signature.name) + "() needs " + std::string(SlotName(slot)) + usage);
  }

  Status Resolve(Node& call, const Node& argument, Slot slot) {
    switch (slot) {
      case Slot::kOptionalWindow:
        call.window_days = argument.days;
        return Status::Ok();
      case Slot::kAmount:
        return Amount(argument);
      case Slot::kSegmentation:
        return Segmentation(call, argument);
      case Slot::kSegment:
        return Segment(call, argument);
      default:
        return EventType(call, argument);
    }
  }

  Status Amount(const Node& argument) const {
    if (EqualsIgnoreCase(argument.text, "amount")) return Status::Ok();
    std::string hint = DidYouMean(argument.text, {"amount"});
    return ErrorAt(
        rule_, argument.span,
        "sum() adds the events' amounts: write sum(amount, 90d)" + (hint.empty() ? "" : hint));
  }

  Status EventType(Node& call, const Node& argument) const {
    const std::string* known = FindName(schema_.event_types, argument.text);
    if (known == nullptr) {
      return ErrorAt(rule_, argument.span,
                     "unknown event type '" + argument.text + "'" +
                         KnownNamesHint(argument.text, schema_.event_types, "event type"));
    }
    call.event_type = *known;
    return Status::Ok();
  }

  Status Segmentation(Node& call, const Node& argument) const {
    std::vector<std::string> names;
    for (const auto& [segmentation, segment] : schema_.segments) {
      if (FindName(names, segmentation) == nullptr) names.push_back(segmentation);
    }
    const std::string* known = FindName(names, argument.text);
    if (known == nullptr) {
      return ErrorAt(rule_, argument.span,
                     "unknown segmentation '" + argument.text + "'" +
                         KnownNamesHint(argument.text, names, "segmentation"));
    }
    call.segmentation = *known;
    return Status::Ok();
  }

  Status Segment(Node& call, const Node& argument) {
    std::vector<std::string> names;
    for (const auto& [segmentation, segment] : schema_.segments) {
      if (segmentation == call.segmentation) names.push_back(segment);
    }
    const std::string* known = FindName(names, argument.text);
    if (known == nullptr) {
      return ErrorAt(rule_, argument.span,
                     "unknown segment '" + argument.text + "' in '" + call.segmentation + "'" +
                         KnownNamesHint(argument.text, names, "segment"));
    }
    call.segment = *known;
    std::pair<std::string, std::string> ref{call.segmentation, call.segment};
    for (const auto& existing : segment_refs_) {
      if (existing == ref) return Status::Ok();
    }
    segment_refs_.push_back(std::move(ref));
    return Status::Ok();
  }

  std::string_view rule_;
  const RuleSchema& schema_;
  std::vector<std::pair<std::string, std::string>>& segment_refs_;
};

}  // namespace

Status CheckRule(std::string_view rule, const RuleSchema& schema, Node& root,
                 std::vector<std::pair<std::string, std::string>>& segment_refs) {
  return Checker(rule, schema, segment_refs).Condition(root);
}

}  // namespace segmenta::rules
