#include "rules/error.h"

#include <algorithm>

#include "segmenta/project.h"

namespace segmenta::rules {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

size_t Characters(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !IsContinuationByte(c); }));
}

// The line as shown: control characters (tabs included) become spaces, one for one,
// so that the caret line below lines up.
std::string Printable(std::string_view line) {
  std::string out(line);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return out;
}

size_t LineBegin(std::string_view rule, size_t pos) {
  size_t newline = pos == 0 ? std::string_view::npos : rule.rfind('\n', pos - 1);
  return newline == std::string_view::npos ? 0 : newline + 1;
}

}  // namespace

size_t ColumnOf(std::string_view rule, size_t pos) {
  pos = std::min(pos, rule.size());
  size_t line_begin = LineBegin(rule, pos);
  return 1 + Characters(rule.substr(line_begin, pos - line_begin));
}

Status ErrorAt(std::string_view rule, Span span, std::string_view message) {
  size_t begin = std::min(span.begin, rule.size());
  size_t line_begin = LineBegin(rule, begin);
  size_t line_end = std::min(rule.find('\n', begin), rule.size());
  size_t line_number = 1 + std::count(rule.begin(), rule.begin() + begin, '\n');
  size_t column = ColumnOf(rule, begin);
  size_t end = std::clamp(span.end, begin, line_end);
  size_t width = std::max<size_t>(1, Characters(rule.substr(begin, end - begin)));

  std::string where =
      rule.find('\n') == std::string_view::npos
          ? "at column " + std::to_string(column)
          : "at line " + std::to_string(line_number) + ", column " + std::to_string(column);
  return Status::InvalidArgument(where + ": " + std::string(message) + "\n  " +
                                 Printable(rule.substr(line_begin, line_end - line_begin)) +
                                 "\n  " + std::string(column - 1, ' ') + "^" +
                                 std::string(width - 1, '~'));
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string closest = ClosestMatch(word, candidates);
  return closest.empty() ? "" : "; did you mean '" + closest + "'?";
}

std::string KnownNamesHint(std::string_view word, const std::vector<std::string>& known,
                           std::string_view what) {
  std::string hint = DidYouMean(word, known);
  if (!hint.empty()) return hint;
  if (known.empty()) return "; no " + std::string(what) + " is known";
  if (known.size() > 12) return "";
  std::string list;
  for (const std::string& name : known) list += (list.empty() ? "'" : ", '") + name + "'";
  return "; known: " + list;
}

const std::string* FindName(const std::vector<std::string>& known, std::string_view name) {
  for (const std::string& candidate : known) {
    if (candidate == name) return &candidate;
  }
  for (const std::string& candidate : known) {
    if (EqualsIgnoreCase(candidate, name)) return &candidate;
  }
  return nullptr;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace segmenta::rules
